import { describe, expect, it } from 'vitest';
import { HOME, parseHash } from './route';

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

  it('reads the addresses the screens write, parameters decoded', () => {
    const r = parseHash('#/compare?a=12&ae=3&b=40&be=7');
    expect(r.path).toBe('/compare');
    expect([r.params.get('a'), r.params.get('ae'), r.params.get('b'), r.params.get('be')]).toEqual(['12', '3', '40', '7']);
    expect(parseHash('#/watchlists?id=2&addExhibit=5&addFace=9').params.get('addFace')).toBe('9');
    expect(parseHash('#/search?exhibit=1%202').params.get('exhibit')).toBe('1 2');
    expect(parseHash('#/users').params.toString()).toBe('');
  });
});
