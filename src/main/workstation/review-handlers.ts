import type { ReviewView } from '../../shared';
import type { ScaleSetting } from '../review/scale';
import type { CallContext, Router } from '../router';
import type { SessionState } from './state';

/** Each record names the comparison it concerns, so the audit screen can follow one candidate's review. */
function recorded(ctx: CallContext, view: ReviewView): ReviewView {
  ctx.setObject(`review-item:${view.item.id}`);
  ctx.addDetails({ state: view.item.state, lead: view.item.lead, faces: [view.item.leftFaceId, view.item.rightFaceId], blind: view.blind });
  return view;
}

export function registerReviewHandlers(router: Router, state: SessionState, scale: ScaleSetting): void {
  const review = () => state.requireOpen().review;

  router.handle('review.open', async (input, ctx) => recorded(ctx, await review().open(ctx.user, input.leftFaceId, input.rightFaceId, input.origin)));
  router.handle('review.get', async (input, ctx) => recorded(ctx, await review().view(ctx.user, input.itemId)));
  router.handle('review.assess', async (input, ctx) => {
    const view = recorded(ctx, await review().assess(ctx.user, input.itemId, input.body, input.correctionReason));
    const mine = view.assessments.at(-1);
    ctx.addDetails({ assessmentId: mine?.id, conclusion: input.body.conclusion, corrects: mine?.corrects ?? null });
    return view;
  });
  router.handle('review.submit', async (input, ctx) => recorded(ctx, await review().submit(ctx.user, input.itemId)));
  router.handle('review.reveal', async (input, ctx) => {
    const view = recorded(ctx, await review().reveal(ctx.user, input.itemId));
    ctx.addDetails({ revealed: view.score ? { score: Number(view.score.score.toFixed(4)), rank: view.score.rank, fmr: view.score.fmr?.fmr ?? null } : null });
    return view;
  });
  router.handle('review.verify', async (input, ctx) => {
    const view = recorded(ctx, await review().verify(ctx.user, input.itemId, input.body));
    ctx.addDetails({ conclusion: input.body.conclusion });
    return view;
  });
  router.handle('review.resolve', async (input, ctx) => {
    const view = recorded(ctx, await review().resolve(ctx.user, input.itemId, input.body));
    ctx.addDetails({ conclusion: input.body.conclusion });
    return view;
  });
  router.handle('review.next', async (_input, ctx) => {
    const view = await review().next(ctx.user);
    return view ? recorded(ctx, view) : null;
  });
  router.handle('review.queue', (_input, ctx) => review().queue(ctx.user));
  router.handle('review.states', (input) => [...review().itemsFor(input.leftFaceId, input.rightFaceIds).values()]);
  router.handle('review.blindMode', () => review().blindMode());
  router.handle('review.setBlindMode', (input, ctx) => {
    ctx.setObject('case-setting:blind_mode');
    return ctx.commit(() => review().setBlindMode(ctx.user, input.on, input.reason));
  });
  router.handle('review.scale', () => scale.current());
  router.handle('review.setScale', (input, ctx) => {
    ctx.setObject(`conclusion-scale:${input.scale.id}`);
    ctx.addDetails({ scale: input.scale });
    return ctx.commit(() => scale.declare(input.scale));
  });
}
