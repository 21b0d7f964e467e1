import { describe, expect, it } from 'vitest';
import { gaussian } from '../testing';
import { buildCalibration, checkCalibration, fmrAt, formatOneIn, thresholdFor } from './index';

const source = { dataset: 'synthetic impostor scores', pairs: 'normal(0.02, 0.08) draws' };
const g = gaussian(11);
const scores = Float64Array.from({ length: 100_000 }, () => 0.02 + 0.08 * g());
const sorted = Float64Array.from(scores).sort();
const shareAtOrAbove = (t: number) => scores.reduce((c, s) => c + (s >= t ? 1 : 0), 0) / scores.length;
const table = buildCalibration(scores, source);

describe('buildCalibration', () => {
  it('makes a valid, monotone table from the lowest to the highest impostor score', () => {
    expect(checkCalibration(table)).toEqual(table);
    expect(table.impostorPairs).toBe(100_000);
    expect(table.dataset).toContain('synthetic impostor scores');
    expect(table.points[0]).toEqual({ score: sorted[0], fmr: 1 });
    expect(table.points.at(-1)).toEqual({ score: sorted.at(-1), fmr: 1 / 100_000 });
    for (let i = 1; i < table.points.length; i++) {
      expect(table.points[i]!.score).toBeGreaterThan(table.points[i - 1]!.score);
      expect(table.points[i]!.fmr).toBeLessThan(table.points[i - 1]!.fmr);
    }
    // Every point states exactly the share of impostors at or above its score.
    for (const p of table.points) expect(p.fmr).toBeCloseTo(shareAtOrAbove(p.score), 12);
  });

  it('counts ties honestly: a tied score carries every pair that reaches it', () => {
    const tied = buildCalibration([...Array.from({ length: 150 }, (_, i) => i / 1000), 0.9, 0.9, 0.9], source);
    expect(tied.points.at(-1)).toEqual({ score: 0.9, fmr: 3 / 153 });
  });

  it('refuses too few pairs and scores that are not numbers', () => {
    expect(() => buildCalibration([0.1, 0.2], source)).toThrow(/at least 100 impostor pairs/);
    expect(() => buildCalibration([...scores.slice(0, 200), Number.NaN], source)).toThrow(/not a finite number/);
  });
});

describe('fmrAt', () => {
  it('agrees with the measured share inside the range, and never increases with the score', () => {
    for (const fmr of [0.3, 0.1, 1e-2, 1e-3, 1e-4]) {
      const t = sorted[Math.floor(sorted.length * (1 - fmr))]!;
      const est = fmrAt(table, t);
      expect(est.kind).toBe('estimate');
      expect(est.fmr / shareAtOrAbove(t)).toBeGreaterThan(0.8);
      expect(est.fmr / shareAtOrAbove(t)).toBeLessThan(1.25);
    }
    let prev = Infinity;
    for (let s = -0.5; s <= 0.6; s += 0.0005) {
      const f = fmrAt(table, s).fmr;
      expect(f).toBeLessThanOrEqual(prev);
      prev = f;
    }
  });

  it('says "fewer than 1 in N" above every impostor score and never claims less', () => {
    for (const s of [sorted.at(-1)! + 1e-9, 0.9, 1]) {
      const est = fmrAt(table, s);
      expect(est).toMatchObject({ kind: 'below', fmr: 1e-5, impostorsAtOrAbove: 0, text: 'fewer than 1 in 100,000' });
    }
    expect(fmrAt(table, sorted.at(-1)!)).toMatchObject({ kind: 'estimate', fmr: 1e-5, impostorsAtOrAbove: 1 });
    // Below every measured impostor score: not "about 1 in 1" but what was measured.
    expect(fmrAt(table, -1)).toMatchObject({ kind: 'estimate', fmr: 1, text: `100% (all ${table.impostorPairs.toLocaleString('en-GB')} measured pairs of different people scored this high or higher): no evidence of a match` });
  });

  it('rounds a bound the way that keeps it true', () => {
    const odd = buildCalibration(scores.slice(0, 5678), source);
    // 1 in 5,678 to two figures is 5,700 to the nearest, but "fewer than 1 in 5,700" would claim more than was measured.
    expect(fmrAt(odd, 2)).toMatchObject({ kind: 'below', text: 'fewer than 1 in 5,600' });
    expect(() => thresholdFor(odd, 1 / 5700)).toThrow(/cannot support a false match rate below 1 in 5,600/);
    expect(thresholdFor(odd, 1 / 5600)).toBeLessThan(odd.points.at(-1)!.score);
    // Under a table starting at 1 in 1,234, "more than 1 in 1,200" would overstate the rate.
    const partial = { dataset: 'hand-made', impostorPairs: 5000, points: [{ score: 0.2, fmr: 1 / 1234 }, { score: 0.5, fmr: 1 / 5000 }] };
    expect(fmrAt(partial, 0.1)).toMatchObject({ kind: 'above', text: 'more than 1 in 1,300' });
    expect(fmrAt(partial, 0.2).text).toBe('about 1 in 1,200');
  });

  it('says "more than" under a table that does not start at rate 1', () => {
    const cut = { ...table, points: table.points.filter((p) => p.fmr <= 0.01) };
    expect(fmrAt(cut, -1)).toMatchObject({ kind: 'above', text: 'more than 1 in 100' });
  });

  it('rejects a malformed or disordered table with an integrity error', () => {
    const disordered = { ...table, points: [...table.points].reverse() };
    expect(() => fmrAt(disordered, 0.1)).toThrow(expect.objectContaining({ code: 'integrity' }));
    expect(() => fmrAt({ ...table, points: [] }, 0.1)).toThrow(expect.objectContaining({ code: 'integrity' }));
  });
});

describe('thresholdFor', () => {
  it('finds the score whose measured rate is the one asked for', () => {
    for (const fmr of [0.1, 1e-2, 1e-3, 1e-4]) {
      const t = thresholdFor(table, fmr);
      expect(shareAtOrAbove(t) / fmr).toBeGreaterThan(0.8);
      expect(shareAtOrAbove(t) / fmr).toBeLessThan(1.25);
      expect(fmrAt(table, t).fmr).toBeCloseTo(fmr, 10);
    }
    expect(thresholdFor(table, 1)).toBe(sorted[0]);
    expect(thresholdFor(table, 1e-5)).toBe(sorted.at(-1));
  });

  it('refuses a rate the data cannot support, and nonsense', () => {
    expect(() => thresholdFor(table, 1e-6)).toThrow(/100,000 impostor pairs, so it cannot support a false match rate below 1 in 100,000/);
    expect(() => thresholdFor(table, 0)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => thresholdFor(table, 1.5)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('formatOneIn', () => {
  it('rounds to two significant figures and groups digits', () => {
    expect(formatOneIn(1e-3)).toBe('about 1 in 1,000');
    expect(formatOneIn(0.0023)).toBe('about 1 in 430');
    expect(formatOneIn(1 / 123_456)).toBe('about 1 in 120,000');
    expect(formatOneIn(0.4)).toBe('about 1 in 3');
    expect(formatOneIn(1)).toBe('about 1 in 1');
    expect(() => formatOneIn(0)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
