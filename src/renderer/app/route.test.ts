import { describe, expect, it } from 'vitest';
import { HOME, hashFor, parseHash } from './route';

describe('renderer routes', () => {
  it('reads a path and its parameters from the hash', () => {
    const r = parseHash('#/audit?chain=workstation&page=2');
    expect(r.path).toBe('/audit');
    expect(r.params.get('chain')).toBe('workstation');
    expect(r.params.get('page')).toBe('2');
  });

  it('sends an empty or odd hash to the case list', () => {
    expect(parseHash('').path).toBe(HOME);
    expect(parseHash('#').path).toBe(HOME);
    expect(parseHash('#//').path).toBe(HOME);
    expect(parseHash('#cases//new/').path).toBe('/cases/new');
  });

  it('round-trips what it writes', () => {
    const h = hashFor('/audit', { chain: 'case' });
    expect(h).toBe('#/audit?chain=case');
    expect(parseHash(h).params.get('chain')).toBe('case');
    expect(hashFor('/users')).toBe('#/users');
  });
});
