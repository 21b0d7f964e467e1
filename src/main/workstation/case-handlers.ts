import { LoupeError } from '../../shared';
import type { CaseService, OpenCase } from '../cases';
import type { CallContext, Router } from '../router';
import type { CaseSession } from './case-session';
import type { SessionState } from './state';

export function registerCaseHandlers(router: Router, state: SessionState, cases: CaseService, attach: (open: OpenCase) => CaseSession): void {
  const open = () => state.requireOpen();
  const refuseIfOpen = () => {
    if (state.open) throw new LoupeError('case_already_open', `Case ${state.open.store.reads.info().reference} is open; close it first.`);
  };
  /**
   * Opening takes a second of key derivation, so a second open or create can arrive
   * meanwhile (a double click): the later one to finish closes its store again rather
   * than replace, and leave unclosed, the case the first one opened.
   */
  const becomeOpen = (opened: OpenCase): CaseSession => {
    if (state.open) {
      opened.store.close();
      refuseIfOpen();
    }
    state.open = attach(opened);
    state.emit({ type: 'session.changed' });
    return state.open;
  };

  router.handle('cases.list', (_input, ctx) => cases.list(ctx.user, state.open));

  /** Records the case's pack if it has none yet (at creation; on the first opening of a case made before packs were recorded), on the call's record. */
  const recordPack = async (session: CaseSession, ctx: CallContext) => {
    if (session.store.reads.caseMeta('pack') !== null) return;
    const record = await session.pack.recorded(ctx.user.username).catch(() => null);
    if (record) ctx.addDetails({ packRecorded: { name: record.name, version: record.version, how: record.how } });
  };

  router.handle('cases.create', async ({ passphrase, ...authority }, ctx) => {
    refuseIfOpen();
    const created = await cases.create(authority, passphrase, ctx.user);
    ctx.setObject(`case:${created.store.id}`);
    const session = becomeOpen(created);
    await recordPack(session, ctx);
    return cases.details(session);
  });

  router.handle('cases.open', async (input, ctx) => {
    ctx.setObject(`case:${input.caseId}`);
    refuseIfOpen();
    const session = becomeOpen(await cases.open(input.caseId, ctx.user, input.passphrase));
    await recordPack(session, ctx);
    return cases.details(session);
  });

  router.handle('cases.close', (_input, ctx) => {
    ctx.setObject(`case:${open().store.id}`);
    ctx.afterAudit(() => state.closeCase());
    return { done: true as const };
  });

  router.handle('cases.info', (_input, ctx) => {
    ctx.setObject(`case:${open().store.id}`);
    return cases.details(open());
  });

  router.handle('cases.check', (input, ctx) => {
    const c = open();
    ctx.setObject(`case:${c.store.id}`);
    const started = performance.now();
    const problems = c.store.check(input.full);
    const pagesChecked = c.store.pageCount();
    return { ok: problems.length === 0, problems, pagesChecked, ms: Math.round(performance.now() - started) };
  });

  router.handle('cases.changePassphrase', async (input, ctx) => {
    const c = open();
    ctx.setObject(`case:${c.store.id}`);
    await cases.changePassphrase(c, ctx.user, input.current, input.next);
    return { done: true as const };
  });

  router.handle('cases.grantAccess', async (input, ctx) => {
    const c = open();
    ctx.setObject(`user:${input.username}`);
    await cases.grantAccess(c, input.username, input.passphrase, ctx.user);
    return cases.details(c);
  });

  router.handle('cases.changePack', async (input, ctx) => {
    const c = open();
    const started = await c.packChange.start(input.pack, input.reason, ctx.user.username, (write) =>
      ctx.commit(() => {
        const s = write();
        const { change } = s;
        ctx.setObject(`pack-change:${change.id}`);
        ctx.addDetails({ from: `${change.from.name} ${change.from.version}`, to: `${change.to.name} ${change.to.version}`, facesTotal: change.facesTotal, resumed: s.resumed, facesAlreadyEncoded: change.facesDone });
        return s;
      }),
    );
    return started.change;
  });

  router.handle('cases.packChanges', () => open().packChange.list());

  router.handle('cases.revokeAccess', (input, ctx) => {
    const c = open();
    ctx.setObject(`user:${input.username}`);
    cases.revokeAccess(c, input.username, ctx.user);
    return cases.details(c);
  });
}
