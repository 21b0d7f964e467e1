import { LoupeError } from '../../shared';
import type { CaseService, OpenCase } from '../cases';
import type { Router } from '../router';
import type { UserRegistry } from '../users';
import type { CaseSession, SessionState } from './state';

export function registerCaseHandlers(router: Router, state: SessionState, cases: CaseService, users: UserRegistry, now: () => Date, attach: (open: OpenCase) => CaseSession): void {
  const open = () => {
    if (!state.open) throw new LoupeError('no_case_open', 'Open a case first.');
    return state.open;
  };
  const refuseIfOpen = () => {
    if (state.open) throw new LoupeError('case_already_open', `Case ${state.open.store.reads.info().reference} is open; close it first.`);
  };

  router.handle('cases.list', (_input, ctx) => cases.list(ctx.user!, state.open));

  router.handle('cases.create', async ({ passphrase, ...authority }, ctx) => {
    refuseIfOpen();
    state.open = attach(await cases.create(authority, passphrase, ctx.user!));
    ctx.setObject(`case:${state.open.store.id}`);
    state.emit({ type: 'session.changed' });
    return cases.details(state.open);
  });

  router.handle('cases.open', async (input, ctx) => {
    ctx.setObject(`case:${input.caseId}`);
    refuseIfOpen();
    state.open = attach(await cases.open(input.caseId, ctx.user!, input.passphrase));
    state.emit({ type: 'session.changed' });
    return cases.details(state.open);
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

  router.handle('cases.changePassphrase', async (input, ctx) => {
    const c = open();
    ctx.setObject(`case:${c.store.id}`);
    await c.store.keyslots.changePassphrase(ctx.user!.username, input.current, input.next, now().toISOString());
    return { done: true as const };
  });

  router.handle('cases.grantAccess', async (input, ctx) => {
    const c = open();
    ctx.setObject(`user:${input.username}`);
    const target = users.get(input.username);
    if (!target) throw new LoupeError('not_found', `No user called ${input.username}.`, 'username');
    if (target.disabled) throw new LoupeError('conflict', `${input.username} is disabled.`, 'username');
    await c.store.keyslots.grant(c.store.dataKey(), input.username, input.passphrase, ctx.user!.username, now().toISOString());
    return cases.details(c);
  });

  router.handle('cases.revokeAccess', (input, ctx) => {
    const c = open();
    ctx.setObject(`user:${input.username}`);
    if (input.username === ctx.user!.username) throw new LoupeError('conflict', 'You cannot remove your own access while you have the case open.', 'username');
    c.store.keyslots.revoke(input.username);
    return cases.details(c);
  });
}
