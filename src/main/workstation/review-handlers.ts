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
  /** Commits `change` to an item with its record (noting the state it left the item in, then the details `change` gives), then reads what the caller may now see. */
  const changeItem = async (ctx: CallContext, itemId: number, change: () => Record<string, unknown> | void) => {
    ctx.commit(() => {
      const details = change();
      noteItem(ctx, review().status(itemId));
      if (details) ctx.addDetails(details);
    });
    return review().view(ctx.user, itemId);
  };

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
  router.handle('review.assess', (input, ctx) =>
    changeItem(ctx, input.itemId, () => ({
      assessmentId: review().assess(ctx.user, input.itemId, input.body, input.correctionReason),
      conclusion: input.body.conclusion,
      revision: input.correctionReason !== undefined,
    })),
  );
  router.handle('review.submit', (input, ctx) => changeItem(ctx, input.itemId, () => review().submit(ctx.user, input.itemId)));
  router.handle('review.reveal', (input, ctx) => changeItem(ctx, input.itemId, () => review().reveal(ctx.user, input.itemId)));
  router.handle('review.verify', (input, ctx) => changeItem(ctx, input.itemId, () => ({ assessmentId: review().verify(ctx.user, input.itemId, input.body), conclusion: input.body.conclusion })));
  router.handle('review.resolve', (input, ctx) => changeItem(ctx, input.itemId, () => ({ assessmentId: review().resolve(ctx.user, input.itemId, input.body), conclusion: input.body.conclusion })));
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
