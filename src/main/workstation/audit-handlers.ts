import { LoupeError, type AuditChain } from '../../shared';
import type { AuditLog } from '../audit';
import type { CaseService } from '../cases';
import type { Router } from '../router';
import type { SessionState } from './state';

export function registerAuditHandlers(router: Router, state: SessionState, cases: CaseService, workstationAudit: AuditLog, now: () => Date): void {
  /** Who may read which chain is the contract's policy, checked before this runs. */
  const chainFor = (chain: AuditChain): AuditLog => {
    if (chain === 'workstation') return workstationAudit;
    if (!state.open) throw new LoupeError('no_case_open', 'Open a case to see its audit record.');
    return state.open.audit;
  };

  router.handle('audit.list', (input) => chainFor(input.chain).list(input.offset, input.limit, input.object));

  router.handle('audit.verify', (input, ctx) => {
    const log = chainFor(input.chain);
    const result = log.verify();
    ctx.addDetails({ result: { ok: result.ok, records: result.records, headHash: result.headHash, firstBad: result.firstBad } });
    return result;
  });

  router.handle('cases.acceptRestored', (input, ctx) => {
    const open = state.requireOpen();
    const object = `case:${open.store.id}`;
    ctx.setObject(object);
    const acceptance = cases.restoredCopy(open, input.reason);
    // Recorded on the workstation chain before the anchor moves; the case chain gets the router's record of this call.
    workstationAudit.append({ user: ctx.user.username, action: 'cases.restoreAccepted', object, outcome: 'ok', details: { ...acceptance } });
    cases.acceptRestored(open);
    ctx.addDetails({ acceptance });
    return acceptance;
  });

  router.handle('audit.export', (input, ctx) => {
    const log = chainFor(input.chain);
    const out = log.export();
    const name = input.chain === 'case' ? state.open!.store.reads.info().reference.replace(/[^A-Za-z0-9._-]+/g, '_') : 'workstation';
    ctx.addDetails({ headHash: out.headHash, records: out.records });
    return { fileName: `loupe-audit-${name}-${now().toISOString().slice(0, 10)}.jsonl`, ...out };
  });
}
