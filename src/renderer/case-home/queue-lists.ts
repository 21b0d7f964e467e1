import { api, type ReviewQueue, type Role } from '../../shared';

export type QueueList = keyof ReviewQueue;

/**
 * The lists of the review queue a role has a part in, read from the contract: the work a role
 * may not do is not offered (an auditor takes no part; only a reviewer verifies; only a
 * supervisor resolves).
 */
export function queueListsFor(role: Role): QueueList[] {
  const holds = (channel: 'review.assess' | 'review.verify' | 'review.resolve') => (api[channel].roles as readonly Role[]).includes(role);
  return [...(holds('review.assess') ? (['mine'] as const) : []), ...(holds('review.verify') ? (['toVerify'] as const) : []), ...(holds('review.resolve') ? (['disputes'] as const) : [])];
}

/** The link that opens a comparison in the comparison view. */
export const reviewHref = (itemId: number): string => `#/review?item=${itemId}`;

/** "1 comparison", "3 comparisons". */
export const comparisons = (n: number): string => `${n} ${n === 1 ? 'comparison' : 'comparisons'}`;
