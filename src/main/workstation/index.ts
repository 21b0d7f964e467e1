import os from 'node:os';
import path from 'node:path';
import { MEDIA_REF, type ApiEvent, type ApiResult } from '../../shared';
import { AuditLog, fileAnchor } from '../audit';
import { CaseService, RetentionService } from '../cases';
import { DisclosureService } from '../disclosure';
import type { ImportProfile } from '../evidence';
import { removeOrphans } from '../face-index';
import { defaultModelsDir } from '../models';
import { ScaleSetting } from '../review';
import { randomId } from '../crypto';
import { Router, type Transport } from '../router';
import { openWorkstationStore } from '../store';
import { UserRegistry } from '../users';
import { registerAuditHandlers } from './audit-handlers';
import { registerCaseHandlers } from './case-handlers';
import { registerDisclosureHandlers } from './disclosure-handlers';
import { caseServices } from './case-session';
import { registerEvidenceHandlers } from './evidence-handlers';
import { registerModelHandlers } from './model-handlers';
import { PackInUse } from './pack-in-use';
import { registerPersonHandlers } from './person-handlers';
import { registerProbeHandlers } from './probe-handlers';
import { registerRetentionHandlers } from './retention-handlers';
import { registerReportHandlers } from './report-handlers';
import { registerReviewHandlers } from './review-handlers';
import { registerSearchHandlers } from './search-handlers';
import { registerSessionHandlers } from './session-handlers';
import { registerValidationHandlers } from './validation-handlers';
import { registerWatchlistHandlers } from './watchlist-handlers';
import { SessionState } from './state';

export interface WorkstationOptions {
  /** Where the workstation database and the cases live. */
  home: string;
  /** Where model packs are installed; LOUPE_MODELS or <home>/models by default. */
  modelsDir?: string;
  now?: () => Date;
  /** Times the stages of imports into the cases it opens (bench:throughput); never stored. */
  importProfile?: ImportProfile;
}

export interface Workstation {
  readonly home: string;
  /** The one way in: every transport (IPC, CLI, test harness) calls this. */
  call(channel: unknown, input: unknown, transport: Transport): Promise<ApiResult<unknown>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /** An image of the open case for the renderer (the custom protocol serves these), or null. */
  media(ref: string): Promise<{ mime: string; bytes: Uint8Array } | null>;
  /** Resolves when the open case's running import, if any, has finished (CLI and tests). */
  importSettled(): Promise<void>;
  /** Resolves when the open case's running pack change, if any, has ended (CLI and tests). */
  packChangeSettled(): Promise<void>;
  close(): Promise<void>;
}

/** LOUPE_HOME, or ~/.loupe. */
export const defaultHome = (): string => process.env.LOUPE_HOME ?? path.join(os.homedir(), '.loupe');

/** Composes the main process: stores, services, the router and every channel's handler. */
export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const now = opts.now ?? (() => new Date());
  // A process killed while it held a face index in RAM left it there in plaintext: every Loupe command starts here, so it goes now.
  await removeOrphans();
  const ws = openWorkstationStore(path.join(opts.home, 'workstation.db'));
  let workstationId = ws.reads.meta('workstation_id');
  if (!workstationId) {
    workstationId = randomId();
    ws.writes.setMeta('workstation_id', workstationId);
  }
  const workstationAudit = new AuditLog(ws.audit, 'workstation', workstationId, now, fileAnchor(path.join(opts.home, 'workstation-audit.anchor'), workstationId));
  workstationAudit.recordLostAnchor();
  const state = new SessionState();
  const users = new UserRegistry(ws, now, (write, entry) => workstationAudit.record(write, entry));
  const cases = new CaseService(ws, path.join(opts.home, 'cases'), now, (store) => store.reads.counts());
  const modelsDir = opts.modelsDir ?? (process.env.LOUPE_MODELS ? defaultModelsDir() : path.join(opts.home, 'models'));
  const packInUse = new PackInUse(modelsDir);
  const scale = new ScaleSetting(ws);

  const sessions = caseServices({
    modelsDir,
    packInUse,
    scale,
    validations: ws.validations,
    now,
    emit: (e) => state.emit(e),
    // Records written by services (not the router) join the case chain the same way; the chain moves its own anchor.
    audit: (open) => (entry) => void open.audit.append(entry),
    ...(opts.importProfile ? { importProfile: opts.importProfile } : {}),
  });

  const router = new Router({
    user: () => state.user,
    facts: () => ({
      reviewParticipants: (itemId) => state.open?.review.participants(itemId) ?? { examiners: [], verifiers: [] },
      authorisationRequester: (requestId) => state.open?.authorisations.requester(requestId) ?? null,
    }),
    caseAudit: () => state.open?.audit ?? null,
    workstationAudit: () => workstationAudit,
  });
  registerSessionHandlers(router, state, users);
  registerCaseHandlers(router, state, cases, (open) => sessions.open(open));
  registerAuditHandlers(router, state, cases, workstationAudit, now);
  registerModelHandlers(router, modelsDir, packInUse, now);
  registerEvidenceHandlers(router, state);
  registerProbeHandlers(router, state);
  registerSearchHandlers(router, state);
  registerWatchlistHandlers(router, state);
  registerPersonHandlers(router, state);
  registerReviewHandlers(router, state, scale);
  registerRetentionHandlers(router, state, new RetentionService(ws, path.join(opts.home, 'cases'), now), workstationAudit);
  registerReportHandlers(router, state);
  registerValidationHandlers(router, ws, state, modelsDir, now);
  registerDisclosureHandlers(router, state, cases, new DisclosureService(cases, workstationId, now), workstationAudit);
  router.assertComplete();

  return {
    home: opts.home,
    call: (channel, input, transport) => router.call(channel, input, transport),
    onEvent: (listener) => state.onEvent(listener),
    media: async (ref) => {
      const open = state.open;
      if (!open || !MEDIA_REF.test(ref)) return null;
      const [, caseId, ...rest] = ref.split('/');
      return caseId === open.store.id ? open.exhibits.media(rest.join('/')) : null;
    },
    importSettled: async () => state.open?.evidence.settled(),
    packChangeSettled: async () => state.open?.packChange.settled(),
    close: async () => {
      await state.closeCase();
      await packInUse.reset();
      ws.close();
    },
  };
}
