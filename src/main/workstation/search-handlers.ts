import type { Router } from '../router';
import type { SessionState } from './state';

export function registerSearchHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();

  router.handle('search.run', async (input, ctx) => {
    ctx.setObject(`face:${input.probeFaceId}`);
    // Checked before the search runs, and the approval used up with the search's record.
    const authorisationId = open().authorisations.forRun(input, ctx.user.username);
    const save = await open().search.run(input, ctx.user.username);
    const recorded = ctx.commit(() => {
      const result = save();
      if (authorisationId !== null) open().authorisations.use(authorisationId, result.id);
      ctx.setObject(`search:${result.id}`);
      // The audit record holds what a court may ask: who, why, with what, at which threshold, and what came back.
      ctx.addDetails({
        searchId: result.id,
        probeFaceId: result.probe.id,
        authority: result.authority,
        authorisationId,
        maxFmr: result.maxFmr,
        pack: result.pack,
        thresholdScore: result.thresholdScore,
        method: result.method,
        scored: result.scored,
        candidates: result.candidates.map((c) => ({ rank: c.rank, faceId: c.face.id, score: c.score === null ? null : Number(c.score.toFixed(4)), fmr: c.fmr?.fmr ?? null })),
      });
      return result;
    });
    // The record keeps everything; the caller sees what blind mode lets them see.
    return open().review.shownTo(ctx.user, recorded);
  });
  router.handle('search.list', () => open().search.list());
  router.handle('search.settings', () => open().authorisations.settings());
  router.handle('search.setDefaultThreshold', (input, ctx) => {
    ctx.setObject(`case:${open().store.id}`);
    return ctx.commit(() => {
      ctx.addDetails({ from: open().authorisations.settings().defaultMaxFmr });
      return open().authorisations.setDefaultThreshold(input.maxFmr, input.reason, ctx.user.username);
    });
  });
  router.handle('search.setAuthorisationRequired', (input, ctx) => {
    ctx.setObject(`case:${open().store.id}`);
    return ctx.commit(() => open().authorisations.setRequired(input.required, input.reason, ctx.user.username));
  });
  router.handle('search.authorisations', () => open().authorisations.list());
  router.handle('search.requestAuthorisation', (input, ctx) =>
    ctx.commit(() => {
      const a = open().authorisations.request(input, ctx.user.username);
      ctx.setObject(`search-authorisation:${a.id}`);
      return a;
    }),
  );
  router.handle('search.decideAuthorisation', (input, ctx) =>
    ctx.commit(() => {
      const a = open().authorisations.decide(input.requestId, input.approve, input.reason, ctx.user.username);
      ctx.addDetails({ decision: a.state, requestedBy: a.requestedBy, probeFaceId: a.probeFaceId, watchlists: a.watchlists.map((w) => w.id) });
      return a;
    }),
  );
  router.handle('search.get', (input, ctx) => {
    ctx.setObject(`search:${input.searchId}`);
    return open().review.shownTo(ctx.user, open().search.get(input.searchId));
  });
  router.handle('compare.faces', async (input, ctx) => {
    ctx.setObject(`faces:${input.faceA},${input.faceB}`);
    open().review.refuseBlindCompare(ctx.user, input.faceA, input.faceB);
    const c = await open().search.compare(input.faceA, input.faceB);
    ctx.addDetails({ score: Number(c.score.toFixed(4)), fmr: c.fmr?.fmr ?? null, pack: c.pack });
    return c;
  });
}
