import type { AuditLog } from '../audit';
import type { CaseService } from '../cases';
import type { DisclosureService } from '../disclosure';
import { reportRecord } from '../report';
import type { Router } from '../router';
import type { SessionState } from './state';

export function registerDisclosureHandlers(router: Router, state: SessionState, cases: CaseService, disclosure: DisclosureService, workstationAudit: AuditLog): void {
  router.handle('cases.export', async (input, ctx) => {
    const open = state.requireOpen();
    const object = `case:${open.store.id}`;
    ctx.setObject(object);
    // The package carries the report: refused in a blind case to whoever the report itself would be refused to.
    open.report.refuseWhileBlind(ctx.user);
    const report = await open.report.render('pdf', undefined, input.validations);
    // Recorded before the case is copied, so the chain inside the package names the report and report.verify finds it there too.
    open.audit.append({ user: ctx.user.username, action: 'report.forDisclosure', object: `report:${report.covers.headSeq}`, outcome: 'ok', details: reportRecord(report) });
    const done = await disclosure.export(open, { ...input, report: report.bytes }, ctx.user);
    const facts = { package: { file: done.file, bytes: done.bytes, sha256: done.sha256 }, chain: done.chain, originals: done.originals, report: done.report };
    // The case chain gets the router's record of this call (with the entries); the workstation's names the package too, as it left this machine.
    ctx.addDetails({ ...facts, entries: done.entries });
    workstationAudit.append({ user: ctx.user.username, action: 'cases.exported', object, outcome: 'ok', details: facts });
    return done;
  });

  router.handle('cases.import', async (input, ctx) => {
    const incoming = await disclosure.import(input, ctx.user);
    const r = incoming.result;
    ctx.setObject(`case:${r.caseId}`);
    ctx.addDetails({ caseId: r.caseId, reference: r.reference, package: { sha256: r.packageSha256, exportedAt: r.exportedAt, exportedBy: r.exportedBy }, chain: r.chain, head: r.head, originals: r.originals });
    try {
      // Registered with this call's record on the workstation chain, in one transaction.
      ctx.commit(() => cases.registerIncoming(incoming.register, incoming.head));
    } catch (err) {
      await incoming.discard();
      throw err;
    }
    return r;
  });
}
