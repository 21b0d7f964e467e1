import { LoupeError } from '../../shared';
import type { Router } from '../router';
import type { UserRegistry } from '../users';
import type { SessionState } from './state';

export function registerSessionHandlers(router: Router, state: SessionState, users: UserRegistry): void {
  router.handle('session.status', () => ({ firstRun: users.isFirstRun(), user: state.user, openCase: state.openCaseSummary() }));

  router.handle('session.createFirstSupervisor', async (input, ctx) => {
    ctx.setObject(`user:${input.username}`);
    const user = ctx.commit(await users.createFirstSupervisor(input));
    state.user = user;
    state.emit({ type: 'session.changed' });
    return user;
  });

  router.handle('session.signIn', async (input, ctx) => {
    ctx.setObject(`user:${input.username}`);
    const refuseIfSignedIn = () => {
      if (state.user) throw new LoupeError('conflict', `${state.user.username} is signed in; sign out first.`);
    };
    refuseIfSignedIn();
    const user = await users.signIn(input.username, input.password);
    // Checking a password takes a while: another sign-in may have finished meanwhile.
    refuseIfSignedIn();
    state.user = user;
    state.emit({ type: 'session.changed' });
    return user;
  });

  router.handle('session.signOut', (_input, ctx) => {
    ctx.afterAudit(async () => {
      await state.closeCase();
      state.user = null;
      state.emit({ type: 'session.changed' });
    });
    return { done: true as const };
  });

  router.handle('users.list', () => users.list());

  router.handle('users.add', async (input, ctx) => {
    ctx.setObject(`user:${input.username}`);
    return ctx.commit(await users.add(input, ctx.user));
  });

  router.handle('users.setDisabled', (input, ctx) => {
    ctx.setObject(`user:${input.username}`);
    return ctx.commit(() => users.setDisabled(input.username, input.disabled, ctx.user));
  });

  router.handle('users.unlock', (input, ctx) => {
    ctx.setObject(`user:${input.username}`);
    return ctx.commit(() => {
      const { account, released } = users.unlock(input.username);
      ctx.addDetails({ released: { failures: released.failures, lockedAt: released.lockedAt } });
      return account;
    });
  });

  router.handle('users.changePassword', async (input, ctx) => {
    ctx.setObject(`user:${ctx.user.username}`);
    ctx.commit(await users.changePassword(ctx.user, input.current, input.next));
    return { done: true as const };
  });
}
