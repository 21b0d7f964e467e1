import { describe, expect, it } from 'vitest';
import { addScore, detCurve, drawPeople, emptyHistogram, measure, percentileInterval, quantile, rejectionScore, seededRandom, type ScoreSet } from '.';

/*
 * Known answers, computed by hand. Three people: A (3 images) and B (2) in group g1, C (2) in
 * g2. Strata are {A, B} and {C}: C is drawn once in every resampling, and A and B are drawn
 * as (2, 0), (1, 1) or (0, 2) with probabilities 1/4, 1/2, 1/4, so every interval is the
 * lowest and highest of three hand-computed values (each far more likely than 2.5%).
 */
const A = 0;
const B = 1;
const C = 2;
const small: ScoreSet = {
  imagesPerPerson: [3, 2, 2],
  groups: ['g1', 'g2'],
  imagesInGroup: [
    [3, 2, 0],
    [0, 0, 2],
  ],
  // Operating threshold 0.5: A misses one of its three pairs, B none, C its only one.
  genuine: [
    { score: 0.8, person: A, group: 0 },
    { score: 0.7, person: A, group: 0 },
    { score: 0.2, person: A, group: 0 },
    { score: 0.9, person: B, group: 0 },
    { score: 0.3, person: C, group: 1 },
  ],
  // Every impostor pair at or above 0.4; two A-B pairs pass 0.5, the A-C pair does not.
  impostorTail: [
    { score: 0.45, a: A, b: C, group: -1 },
    { score: 0.6, a: A, b: B, group: 0 },
    { score: 0.55, a: A, b: B, group: 0 },
  ],
  tailFloor: 0.4,
  probes: [
    { rank: 1, person: A, group: 0 },
    { rank: 1, person: A, group: 0 },
    { rank: 2, person: A, group: 0 },
    { rank: 1, person: B, group: 0 },
    { rank: 1, person: B, group: 0 },
    { rank: 3, person: C, group: 1 },
    { rank: Infinity, person: C, group: 1 },
  ],
};

const opts = { operatingThreshold: 0.5, rank: 2, replicates: 1000, seed: 7 };

describe('validation statistics (known answers)', () => {
  const f = measure(small, opts);
  const all = f.overall.metrics;

  it('counts pairs and probes overall and per group', () => {
    // Impostor pairs: 3*2 + 3*2 + 2*2 = 16; in g1 only A-B: 3*2 = 6; in g2 none.
    expect(f.overall).toMatchObject({ people: 3, genuinePairs: 5, impostorPairs: 16, probes: 7 });
    expect(f.groups.map((g) => [g.label, g.people, g.genuinePairs, g.impostorPairs, g.probes])).toEqual([
      ['g1', 2, 4, 6, 5],
      ['g2', 1, 1, 0, 2],
    ]);
    expect(f.strata).toBe(2);
  });

  it('FNMR and FMR at the operating threshold, with intervals over resampled people', () => {
    // FNMR = (wA + wC) / (3 wA + wB + wC): (2,0) 3/7, (1,1) 2/5, (0,2) 1/3.
    expect(all.fnmrAtOperating.value).toBeCloseTo(2 / 5, 12);
    expect(all.fnmrAtOperating.low).toBeCloseTo(1 / 3, 12);
    expect(all.fnmrAtOperating.high).toBeCloseTo(3 / 7, 12);
    expect(all.fnmrAtOperating).toMatchObject({ errors: 2, trials: 5 });
    // FMR = 2 wA wB / W: (1,1) 2/16; (2,0) and (0,2) 0 (no A-B pair drawn).
    expect(all.fmrAtOperating.value).toBeCloseTo(2 / 16, 12);
    expect(all.fmrAtOperating.low).toBe(0);
    expect(all.fmrAtOperating.high).toBeCloseTo(2 / 16, 12);
    // g1: FNMR = wA / (3 wA + wB): (2,0) 1/3, (1,1) 1/4, (0,2) 0.
    const g1 = f.groups[0]!.metrics;
    expect(g1.fnmrAtOperating.value).toBeCloseTo(1 / 4, 12);
    expect(g1.fnmrAtOperating.low).toBe(0);
    expect(g1.fnmrAtOperating.high).toBeCloseTo(1 / 3, 12);
    // g1 FMR: 2 of its 6 pairs; a resampling without both A and B has no g1 impostor pair and is left out.
    expect(g1.fmrAtOperating.value).toBeCloseTo(1 / 3, 12);
    expect([g1.fmrAtOperating.low, g1.fmrAtOperating.high]).toEqual([1 / 3, 1 / 3]);
    expect(g1.fmrAtOperating.note).toMatch(/resamplings could not measure it/);
    // g2 has no impostor pair at all.
    expect(f.groups[1]!.metrics.fmrAtOperating).toMatchObject({ value: null, note: 'Cannot be measured: no impostor pairs in this set.' });
  });

  it('rank-1 and FNIR at rank R', () => {
    // rank-1 = (2 wA + 2 wB) / (3 wA + 2 wB + 2): (2,0) 1/2, (1,1) 4/7, (0,2) 2/3.
    expect(all.rank1.value).toBeCloseTo(4 / 7, 12);
    expect(all.rank1.low).toBeCloseTo(1 / 2, 12);
    expect(all.rank1.high).toBeCloseTo(2 / 3, 12);
    // FNIR at rank 2 = 2 / (3 wA + 2 wB + 2): (2,0) 1/4, (1,1) 2/7, (0,2) 1/3.
    expect(all.fnirAtRank.value).toBeCloseTo(2 / 7, 12);
    expect(all.fnirAtRank.low).toBeCloseTo(1 / 4, 12);
    expect(all.fnirAtRank.high).toBeCloseTo(1 / 3, 12);
  });

  it('the worst group over the best, with its interval', () => {
    const fnmr = f.differentials.find((d) => d.metric === 'fnmrAtOperating')!;
    // g2 misses 1 of 1, g1 1 of 4: 4. Resampled: (2,0) 3, (1,1) 4, (0,2) g1 has no miss: no upper limit.
    expect(fnmr).toMatchObject({ worst: 'g2', best: 'g1' });
    expect(fnmr.ratio.value).toBeCloseTo(4, 12);
    expect(fnmr.ratio.low).toBeCloseTo(3, 12);
    expect(fnmr.ratio.high).toBeNull();
    expect(fnmr.ratio.note).toMatch(/no upper limit/);
    // Rank-1 is compared as its miss rate: g1 misses 1 of 5 probes, g2 2 of 2: 5.
    const rank1 = f.differentials.find((d) => d.metric === 'rank1')!;
    expect(rank1.ratio.value).toBeCloseTo(5, 12);
    expect(rank1.ratio.low).toBeCloseTo(3, 12);
  });

  it('says when the data cannot support a false match rate, and the smallest it supports', () => {
    expect(all['fnmrAtFmr1e-3']).toMatchObject({ value: null });
    expect(all['fnmrAtFmr1e-3'].note).toBe('Cannot be measured: 16 impostor pairs support false match rates down to 0.625 (at least 10 pairs must be able to pass).');
    expect(f.overall.smallestFmr).toBeCloseTo(10 / 16, 12);
    expect(f.thresholds['fnmrAtFmr1e-3']).toBeNull();
  });

  it('gives no number where the pack has no operating threshold', () => {
    const none = measure(small, { ...opts, operatingThreshold: null, replicates: 20 });
    expect(none.overall.metrics.fmrAtOperating).toMatchObject({ value: null, note: 'Cannot be measured: the pack has no calibration, so no operating threshold.' });
  });

  it('is reproducible: the same seed gives the same intervals', () => {
    expect(measure(small, opts)).toEqual(f);
    const other = measure(small, { ...opts, seed: 8 });
    expect(other.overall.metrics.fnmrAtOperating.value).toBe(f.overall.metrics.fnmrAtOperating.value);
  });
});

describe('FNMR at a false match rate (known answers)', () => {
  // Two people of 100 images: 10,000 impostor pairs, so 1e-3 lets 10 pass and is measurable; 1e-4 (1 pair) is not.
  const tail = Array.from({ length: 15 }, (_, i) => ({ score: 0.5 + i / 100, a: 0, b: 1, group: -1 }));
  const set: ScoreSet = {
    imagesPerPerson: [100, 100],
    groups: [],
    imagesInGroup: [],
    genuine: [0.3, 0.54, 0.55, 0.9].map((score) => ({ score, person: 0, group: -1 })),
    impostorTail: tail,
    tailFloor: 0.5,
    probes: [],
  };

  it('sets the threshold at the highest impostor score that must be rejected', () => {
    // The ten highest (0.55 to 0.64) may pass; 0.54 is the first that must not.
    const f = measure(set, { operatingThreshold: null, rank: 50, replicates: 50, seed: 1 });
    expect(f.thresholds['fnmrAtFmr1e-3']).toBeCloseTo(0.54, 12);
    // Genuine pairs at or under 0.54 miss: 0.3 and 0.54, two of four.
    expect(f.overall.metrics['fnmrAtFmr1e-3']).toMatchObject({ value: 0.5, errors: 2, trials: 4 });
    expect(f.overall.metrics['fnmrAtFmr1e-4'].note).toBe('Cannot be measured: 10,000 impostor pairs support false match rates down to 1.0e-3 (at least 10 pairs must be able to pass).');
    expect(f.overall.metrics.rank1.note).toBe('Cannot be measured: no person in this set has two images.');
  });

  it('weighs each pair by how often its two people were drawn; tied scores pass or fail together', () => {
    const sorted = [
      { score: 0.9, a: 0, b: 1, group: -1 },
      { score: 0.8, a: 0, b: 2, group: -1 },
      { score: 0.8, a: 1, b: 2, group: -1 },
      { score: 0.7, a: 0, b: 1, group: -1 },
    ];
    // 10 pairs, 10% may pass: the 0.9 pair does; the two at 0.8 together would make 3.
    expect(rejectionScore(sorted, [1, 1, 1], 10, 0.1, 0.6)).toBe(0.8);
    // A drawn twice: the 0.9 pair counts twice, more than one may pass.
    expect(rejectionScore(sorted, [2, 1, 1], 10, 0.1, 0.6)).toBe(0.9);
    // Everything kept may pass and the rest lies below the kept tail: unknown.
    expect(rejectionScore(sorted, [1, 1, 1], 100, 0.1, 0.6)).toBeNull();
  });
});

describe('bootstrap parts', () => {
  it('type-7 quantiles and the 95% percentile interval', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    // h = 4 * 0.025 = 0.1: 1 + 0.1 * (2 - 1).
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(percentileInterval([5, 1, 4, 2, 3])).toEqual({ low: quantile([1, 2, 3, 4, 5], 0.025), high: quantile([1, 2, 3, 4, 5], 0.975) });
    expect(percentileInterval([1, Infinity, Infinity]).high).toBe(Infinity);
  });

  it('draws every stratum to its own size', () => {
    const w = drawPeople([[0, 1, 2], [3]], 4, seededRandom(3));
    expect(w[0]! + w[1]! + w[2]!).toBe(3);
    expect(w[3]).toBe(1);
  });

  it('DET points from histograms', () => {
    const g = emptyHistogram(0, 1, 0.5);
    const m = emptyHistogram(0, 1, 0.5);
    [0.2, 0.7, 0.8].forEach((s) => addScore(g, s));
    addScore(g, -Infinity);
    [0.1, 0.3, 0.6].forEach((s) => addScore(m, s));
    // At 0: every impostor passes, only the faceless genuine pair misses; at 0.5: one impostor passes, two genuine miss.
    expect(detCurve(g, m)).toEqual([
      { threshold: 0, fmr: 1, fnmr: 1 / 4 },
      { threshold: 0.5, fmr: 1 / 3, fnmr: 2 / 4 },
    ]);
  });
});
