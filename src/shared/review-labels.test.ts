import { describe, expect, it } from 'vitest';
import { originLabel } from './review-labels';

describe('review labels', () => {
  it('names where a comparison came from', () => {
    expect(originLabel({ kind: 'search', searchId: 4 })).toBe('from search 4');
    expect(originLabel({ kind: 'pair' })).toBe('two faces chosen for 1:1');
  });
});
