import type { AuditLog } from '../audit';
import { caseRetention, type RetentionService } from '../cases';
import type { Router } from '../router';
import type { SessionState } from './state';

/**
 * Retention: a decision on the open case is recorded, with its reason, on the case's chain
 * by the router; the workstation chain gets the same decision without the reason (a date and
 * a hold are not case content), so the register's copy is accounted for there. A purge is
 * recorded on the workstation chain, which outlives the case.
 */
export function registerRetentionHandlers(router: Router, state: SessionState, retention: RetentionService, workstationAudit: AuditLog): void {
  const open = () => state.requireOpen();
  const noteOnWorkstation = (user: string, action: string, caseId: string, details: Record<string, unknown>) =>
    workstationAudit.append({ user, action, object: `case:${caseId}`, outcome: 'ok', details: { reference: open().store.reads.info().reference, ...details } });

  router.handle('retention.queue', () => retention.queue());

  router.handle('retention.case', (_input, ctx) => {
    ctx.setObject(`case:${open().store.id}`);
    return caseRetention(open().store);
  });

  router.handle('retention.setDate', (input, ctx) => {
    const c = open();
    ctx.setObject(`case:${c.store.id}`);
    const change = ctx.commit(() => {
      const made = retention.setDate(c.store, input.retentionDate);
      ctx.addDetails(made);
      return made;
    });
    retention.syncRegister(c.store);
    noteOnWorkstation(ctx.user.username, 'retention.dateChanged', c.store.id, change);
    return caseRetention(c.store);
  });

  router.handle('retention.setHold', (input, ctx) => {
    const c = open();
    ctx.setObject(`case:${c.store.id}`);
    const now = ctx.commit(() => retention.setHold(c.store, input.held, ctx.user));
    retention.syncRegister(c.store);
    noteOnWorkstation(ctx.user.username, input.held ? 'retention.holdPlaced' : 'retention.holdLifted', c.store.id, {});
    return now;
  });

  router.handle('retention.purge', (input, ctx) => {
    // The record (who, when, which case, under which rule) is committed with the register's mark, after the keys are gone.
    return retention.purge(input.caseId, input.confirmReference, ctx.user, state.open?.store.id ?? null, (mark, recorded) =>
      ctx.commit(() => {
        mark();
        ctx.addDetails({ purge: recorded });
      }),
    );
  });

  router.handle('retention.verify', (input, ctx) => {
    const proof = retention.verify(input.caseId);
    ctx.addDetails({ ok: proof.ok, checks: proof.checks.map((c) => ({ check: c.check, ok: c.ok })) });
    return proof;
  });

  router.handle('watchlists.setEntryRetention', (input, ctx) =>
    ctx.commit(() => {
      const { entry, from } = open().watchlists.setRetention(input.entryId, input.retentionDate);
      ctx.addDetails({ from, to: entry.retentionDate, watchlistId: entry.watchlistId });
      return open().watchlists.entries(entry.watchlistId).find((e) => e.id === entry.id)!;
    }),
  );
}
