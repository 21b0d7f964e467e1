import { describe, expect, it } from 'vitest';
import { comparisons, queueListsFor, reviewHref } from './queue-lists';

describe('review queue lists', () => {
  it('offers each role the lists of the work the contract lets it do', () => {
    expect(queueListsFor('analyst')).toEqual(['mine']);
    expect(queueListsFor('reviewer')).toEqual(['mine', 'toVerify']);
    expect(queueListsFor('supervisor')).toEqual(['mine', 'disputes']);
    expect(queueListsFor('auditor')).toEqual([]);
  });

  it('links to the comparison view and counts in words', () => {
    expect(reviewHref(12)).toBe('#/review?item=12');
    expect(comparisons(1)).toBe('1 comparison');
    expect(comparisons(0)).toBe('0 comparisons');
  });
});
