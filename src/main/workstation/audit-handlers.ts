import { LoupeError, type AuditChain, type User } from '../../shared';
import type { AuditLog } from '../audit';
import type { CaseService } from '../cases';
import type { Router } from '../router';
import type { SessionState } from './state';

export function registerAuditHandlers(router: Router, state: SessionState, cases: CaseService, workstationAudit: AuditLog): void {
  const chainFor = (chain: AuditChain, user: User): AuditLog => {
    if (chain === 'case') {
      if (!state.open) throw new LoupeError('no_case_open', 'Open a case to see its audit record.');
      return state.open.audit;
    }
    // The workstation chain holds every user's sign-ins and refusals: not for everyone.
    if (user.role !== 'supervisor' && user.role !== 'auditor') throw new LoupeError('forbidden', 'Only supervisors and auditors may read the workstation audit record.');
    return workstationAudit;
  };

  router.handle('audit.list', (input, ctx) => chainFor(input.chain, ctx.user!).list(input.offset, input.limit));

  router.handle('audit.verify', (input, ctx) => {
    const log = chainFor(input.chain, ctx.user!);
    const result = log.verify(input.chain === 'case' ? cases.anchor(log.chainId) : null);
    ctx.addDetails({ result: { ok: result.ok, records: result.records, headHash: result.headHash, firstBad: result.firstBad } });
    return result;
  });

  router.handle('audit.export', (input, ctx) => {
    const log = chainFor(input.chain, ctx.user!);
    const out = log.export();
    const name = input.chain === 'case' ? state.open!.store.reads.info().reference.replace(/[^A-Za-z0-9._-]+/g, '_') : 'workstation';
    ctx.addDetails({ headHash: out.headHash, records: out.records });
    return { fileName: `loupe-audit-${name}-${new Date().toISOString().slice(0, 10)}.jsonl`, ...out };
  });
}
