import type { ReviewOrigin } from './review';

/** Where a comparison came from, without its rank: a queue is read before its examiner has revealed the score. */
export function originLabel(origin: ReviewOrigin): string {
  return origin.kind === 'search' ? `from search ${origin.searchId}` : 'two faces chosen for 1:1';
}
