import type { Router } from '../router';
import type { SessionState } from './state';

export function registerWatchlistHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();

  router.handle('watchlists.list', () => open().watchlists.list());
  router.handle('watchlists.create', (input, ctx) =>
    ctx.commit(() => {
      const w = open().watchlists.create(input.name, input.description, ctx.user.username);
      ctx.setObject(`watchlist:${w.id}`);
      return w;
    }),
  );
  router.handle('watchlists.entries', (input, ctx) => {
    ctx.setObject(`watchlist:${input.watchlistId}`);
    return open().watchlists.entries(input.watchlistId);
  });
  router.handle('watchlists.addEntry', (input, ctx) =>
    ctx.commit(() => {
      const e = open().watchlists.add(input, ctx.user.username);
      ctx.setObject(`watchlist-entry:${e.id}`);
      return e;
    }),
  );
  router.handle('watchlists.removeEntry', (input, ctx) => {
    ctx.setObject(`watchlist-entry:${input.entryId}`);
    return ctx.commit(() => {
      const removed = open().watchlists.remove(input.entryId, input.reason, ctx.user.username);
      ctx.addDetails({ watchlistId: removed.watchlistId, faceId: removed.faceId, label: removed.label });
      return { done: true as const };
    });
  });
}
