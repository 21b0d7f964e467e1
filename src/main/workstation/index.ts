import os from 'node:os';
import path from 'node:path';
import type { ApiEvent, ApiResult } from '../../shared';
import { AuditLog } from '../audit';
import { CaseService } from '../cases';
import { randomId } from '../crypto';
import { Router, type Transport } from '../router';
import { openWorkstationStore } from '../store';
import { UserRegistry } from '../users';
import { registerAuditHandlers } from './audit-handlers';
import { registerCaseHandlers } from './case-handlers';
import { registerSessionHandlers } from './session-handlers';
import { SessionState } from './state';

export interface WorkstationOptions {
  /** Where the workstation database and the cases live. */
  home: string;
  now?: () => Date;
}

export interface Workstation {
  readonly home: string;
  /** The one way in: every transport (IPC, CLI, test harness) calls this. */
  call(channel: unknown, input: unknown, transport: Transport): Promise<ApiResult<unknown>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  close(): Promise<void>;
}

/** LOUPE_HOME, or ~/.loupe. */
export const defaultHome = (): string => process.env.LOUPE_HOME ?? path.join(os.homedir(), '.loupe');

/** Composes the main process: stores, services, the router and every channel's handler. */
export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const now = opts.now ?? (() => new Date());
  const ws = openWorkstationStore(path.join(opts.home, 'workstation.db'));
  let workstationId = ws.reads.meta('workstation_id');
  if (!workstationId) {
    workstationId = randomId();
    ws.writes.setMeta('workstation_id', workstationId);
  }
  const workstationAudit = new AuditLog(ws.audit, 'workstation', workstationId, now);
  const state = new SessionState();
  const users = new UserRegistry(ws, now);
  const cases = new CaseService(ws, path.join(opts.home, 'cases'), now);

  const router = new Router({
    user: () => state.user,
    caseAudit: () => state.open?.audit ?? null,
    workstationAudit: () => workstationAudit,
    onCaseAudited: () => state.open && cases.recordAnchor(state.open),
  });
  registerSessionHandlers(router, state, users);
  registerCaseHandlers(router, state, cases, users, now);
  registerAuditHandlers(router, state, cases, workstationAudit);
  router.assertComplete();

  return {
    home: opts.home,
    call: (channel, input, transport) => router.call(channel, input, transport),
    onEvent: (listener) => state.onEvent(listener),
    close: async () => {
      if (state.open) state.closeCase();
      ws.close();
    },
  };
}
