import type { ReviewItemSummary } from '../../shared';
import type { ScaleSetting } from '../review';
import type { CallContext, Router } from '../router';
import type { SessionState } from './state';

/** Each record names the comparison it concerns (so the audit screen can follow one candidate's review) and the state it left it in. */
function noteItem(ctx: CallContext, item: ReviewItemSummary): void {
  ctx.setObject(`review-item:${item.id}`);
  ctx.addDetails({ state: item.state, lead: item.lead, faces: [item.leftFaceId, item.rightFaceId] });
}

/**
 * The review's writes are committed with their audit records (ctx.commit), so a crash never
 * keeps an assessment without its record; what the caller may then see is read after.
 */
export function registerReviewHandlers(router: Router, state: SessionState, scale: ScaleSetting): void {
  const review = () => state.requireOpen().review;

  router.handle('review.open', async (input, ctx) => {
    const itemId = ctx.commit(() => {
      const id = review().open(ctx.user, input.leftFaceId, input.rightFaceId, input.origin);
      noteItem(ctx, review().status(id));
      return id;
    });
    return review().view(ctx.user, itemId);
  });
  router.handle('review.get', async (input, ctx) => {
    const view = await review().view(ctx.user, input.itemId);
    noteItem(ctx, view.item);
    return view;
  });
  router.handle('review.assess', async (input, ctx) => {
    ctx.commit(() => {
      const id = review().assess(ctx.user, input.itemId, input.body, input.correctionReason);
      noteItem(ctx, review().status(input.itemId));
      ctx.addDetails({ assessmentId: id, conclusion: input.body.conclusion, revision: input.correctionReason !== undefined });
    });
    return review().view(ctx.user, input.itemId);
  });
  router.handle('review.submit', async (input, ctx) => {
    ctx.commit(() => {
      review().submit(ctx.user, input.itemId);
      noteItem(ctx, review().status(input.itemId));
    });
    return review().view(ctx.user, input.itemId);
  });
  router.handle('review.reveal', async (input, ctx) => {
    ctx.commit(() => {
      review().reveal(ctx.user, input.itemId);
      noteItem(ctx, review().status(input.itemId));
    });
    return review().view(ctx.user, input.itemId);
  });
  router.handle('review.verify', async (input, ctx) => {
    ctx.commit(() => {
      const id = review().verify(ctx.user, input.itemId, input.body);
      noteItem(ctx, review().status(input.itemId));
      ctx.addDetails({ assessmentId: id, conclusion: input.body.conclusion });
    });
    return review().view(ctx.user, input.itemId);
  });
  router.handle('review.resolve', async (input, ctx) => {
    ctx.commit(() => {
      const id = review().resolve(ctx.user, input.itemId, input.body);
      noteItem(ctx, review().status(input.itemId));
      ctx.addDetails({ assessmentId: id, conclusion: input.body.conclusion });
    });
    return review().view(ctx.user, input.itemId);
  });
  router.handle('review.next', async (_input, ctx) => {
    const view = await review().next(ctx.user);
    if (view) noteItem(ctx, view.item);
    return view;
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
