import { describe, expect, it } from 'vitest';
import { originLabel } from './review-labels';

describe('review labels', () => {
  it('names where a comparison came from without its rank, which blind mode withholds', () => {
    expect(originLabel({ kind: 'search', searchId: 4, rank: 1 })).toBe('from search 4');
    expect(originLabel({ kind: 'search', searchId: 4, rank: 1 })).not.toMatch(/1|rank/);
    expect(originLabel({ kind: 'pair' })).toBe('two faces chosen for 1:1');
  });
});
