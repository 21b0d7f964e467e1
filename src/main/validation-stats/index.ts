/*
 * Error rates of a pack measured on an agency's labelled photos, with intervals that
 * resample people. Pure functions of scores: no I/O, no models.
 *
 * Definitions (as NIST's face recognition tests use them):
 * - FMR(t): the share of impostor pairs (two images of different people) scoring at or
 *   above t; FNMR(t): the share of genuine pairs (two images of one person) scoring below t.
 * - FNMR at FMR x: the threshold is set on all impostor pairs of the data set, at the
 *   highest impostor score that has to be rejected for no more than x of them to pass;
 *   genuine pairs scoring at or under it are the misses. Groups are measured at the same
 *   threshold, as one threshold is what a workstation uses for everyone.
 * - Per group, a pair counts when both its images are in the group (impostor pairs across
 *   groups count only overall), as NIST measures demographic false match rates.
 * - Rank-1 and FNIR at rank R (1:N): every image of a person with another image is a probe
 *   against all other images; people are ranked by their best-scoring image; a miss at
 *   rank R is a probe whose own person is not among the first R. A tie counts against it.
 * - Intervals: 95% percentile bootstrap. Each replicate draws people with replacement
 *   (within each stratum, so every group keeps its size) and weighs every pair and probe
 *   by how often its people were drawn, so pairs that share a person move together; the
 *   thresholds are set again in each replicate. The 1:N gallery stays fixed: only the
 *   probes' people are resampled.
 * - A rate with no errors gets an upper limit of at least 3 in its number of trials (the
 *   "rule of three" for 95%), since no resampling of zero errors can show one.
 * - Scores of -Infinity stand for an image where no face was found: such a pair never
 *   matches and such a probe always misses.
 */

import { VALIDATION_METRICS, type Differential, type Estimate, type SetFigures, type ValidationFigures, type ValidationMetric as ValidationMetricName } from '../../shared';

/** FNMR is measured at these false match rates. */
export const FMR_TARGETS: Record<'fnmrAtFmr1e-3' | 'fnmrAtFmr1e-4', number> = { 'fnmrAtFmr1e-3': 1e-3, 'fnmrAtFmr1e-4': 1e-4 };
/** A false match rate is measured only when at least this many impostor pairs may pass at it. */
export const MIN_IMPOSTORS_AT_RATE = 10;

export interface GenuinePair {
  score: number;
  person: number;
  /** The group of both images, or -1 when they are in different groups. */
  group: number;
}

export interface ImpostorPair {
  score: number;
  a: number;
  b: number;
  group: number;
}

export interface Probe {
  /** Rank of the probe's own person in the gallery (1 = first); Infinity when it cannot be found. */
  rank: number;
  person: number;
  group: number;
}

export interface ScoreSet {
  /** Images of each person, those without a face included: impostor pairs are counted from these. */
  imagesPerPerson: readonly number[];
  /** Group labels, and images of person a in group g as imagesInGroup[g][a]. No groups: both empty. */
  groups: readonly string[];
  imagesInGroup: readonly (readonly number[])[];
  genuine: readonly GenuinePair[];
  /** Every impostor pair scoring at or above tailFloor (only the tail decides thresholds and rates). */
  impostorTail: readonly ImpostorPair[];
  tailFloor: number;
  probes: readonly Probe[];
}

export interface MeasureOptions {
  /** The pack's operating threshold (score at or above = a match); null when the pack has none. */
  operatingThreshold: number | null;
  /** R of FNIR at rank R. */
  rank: number;
  replicates: number;
  seed: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same intervals on every machine. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-quantile of sorted values, interpolated linearly between order statistics (Hyndman and Fan type 7, as R's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('No values to take a quantile of');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  if (a === b) return a;
  if (b === Infinity) return h === lo ? a : Infinity;
  return a + (h - lo) * (b - a);
}

/** 95% percentile interval of replicate values (Infinity allowed). */
export function percentileInterval(values: readonly number[]): { low: number; high: number } {
  const sorted = [...values].sort((x, y) => x - y);
  return { low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
}

/** One replicate's weights: people drawn with replacement within each stratum. */
export function drawPeople(strata: readonly (readonly number[])[], people: number, random: () => number): Float64Array {
  const w = new Float64Array(people);
  for (const members of strata) {
    for (let k = 0; k < members.length; k++) w[members[Math.floor(random() * members.length)]!]! += 1;
  }
  return w;
}

/** Weighted impostor pairs among people with these image counts: pairs of two different people, each counted w_a * w_b times. */
function impostorWeight(images: readonly number[], w: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let a = 0; a < images.length; a++) {
    const x = w[a]! * images[a]!;
    sum += x;
    squares += x * x;
  }
  return (sum * sum - squares) / 2;
}

const inSet = (group: number, set: number) => set < 0 || group === set;

/**
 * The highest impostor score that must be rejected for no more than `fmr` of the impostor
 * pairs to pass (pairs scoring above it pass); null when that score is under the tail kept.
 * `tail` is sorted by score, highest first.
 */
export function rejectionScore(tail: readonly ImpostorPair[], w: ArrayLike<number>, total: number, fmr: number, tailFloor: number): number | null {
  const allowed = fmr * total;
  let passed = 0;
  let i = 0;
  while (i < tail.length) {
    // Pairs with equal scores pass or fail together.
    const s = tail[i]!.score;
    let j = i;
    let add = 0;
    while (j < tail.length && tail[j]!.score === s) {
      add += w[tail[j]!.a]! * w[tail[j]!.b]!;
      j++;
    }
    if (passed + add > allowed) return s;
    passed += add;
    i = j;
  }
  return tailFloor === -Infinity ? -Infinity : null;
}

interface Raw {
  value: number | null;
  errors: number;
  trials: number;
}

const share = (errors: number, trials: number): Raw => ({ value: trials > 0 ? errors / trials : null, errors, trials });

/** Every metric of every set (overall = -1, then each group) under one weighting of the people. */
function measureOnce(set: ScoreSet, sortedTail: readonly ImpostorPair[], w: ArrayLike<number>, opts: MeasureOptions, measurable: Record<'fnmrAtFmr1e-3' | 'fnmrAtFmr1e-4', boolean>) {
  const total = impostorWeight(set.imagesPerPerson, w);
  const thresholds = {
    'fnmrAtFmr1e-3': measurable['fnmrAtFmr1e-3'] ? rejectionScore(sortedTail, w, total, FMR_TARGETS['fnmrAtFmr1e-3'], set.tailFloor) : null,
    'fnmrAtFmr1e-4': measurable['fnmrAtFmr1e-4'] ? rejectionScore(sortedTail, w, total, FMR_TARGETS['fnmrAtFmr1e-4'], set.tailFloor) : null,
  };
  const t = opts.operatingThreshold;
  const sets = [-1, ...set.groups.map((_, g) => g)];
  return {
    thresholds,
    bySet: sets.map((s) => {
      let genuine = 0;
      const misses = { 'fnmrAtFmr1e-3': 0, 'fnmrAtFmr1e-4': 0, op: 0 };
      for (const p of set.genuine) {
        if (!inSet(p.group, s)) continue;
        const x = w[p.person]!;
        if (x === 0) continue;
        genuine += x;
        if (thresholds['fnmrAtFmr1e-3'] !== null && p.score <= thresholds['fnmrAtFmr1e-3']) misses['fnmrAtFmr1e-3'] += x;
        if (thresholds['fnmrAtFmr1e-4'] !== null && p.score <= thresholds['fnmrAtFmr1e-4']) misses['fnmrAtFmr1e-4'] += x;
        if (t !== null && p.score < t) misses.op += x;
      }
      let falseMatches = 0;
      if (t !== null) {
        for (const p of sortedTail) {
          if (p.score < t) break;
          if (inSet(p.group, s)) falseMatches += w[p.a]! * w[p.b]!;
        }
      }
      let probes = 0;
      let hits = 0;
      let missedAtRank = 0;
      for (const p of set.probes) {
        if (!inSet(p.group, s)) continue;
        const x = w[p.person]!;
        probes += x;
        if (p.rank === 1) hits += x;
        if (p.rank > opts.rank) missedAtRank += x;
      }
      const impostors = s < 0 ? total : impostorWeight(set.imagesInGroup[s]!, w);
      const raw: Record<ValidationMetricName, Raw> = {
        'fnmrAtFmr1e-3': thresholds['fnmrAtFmr1e-3'] === null ? share(0, 0) : share(misses['fnmrAtFmr1e-3'], genuine),
        'fnmrAtFmr1e-4': thresholds['fnmrAtFmr1e-4'] === null ? share(0, 0) : share(misses['fnmrAtFmr1e-4'], genuine),
        fmrAtOperating: t === null ? share(0, 0) : share(falseMatches, impostors),
        fnmrAtOperating: t === null ? share(0, 0) : share(misses.op, genuine),
        rank1: share(hits, probes),
        fnirAtRank: share(missedAtRank, probes),
      };
      return raw;
    }),
  };
}

/** The rate a differential compares: an error rate, so rank-1 is taken as its miss rate. */
const errorRate = (metric: ValidationMetricName, v: number) => (metric === 'rank1' ? 1 - v : v);

function ratioOf(metric: ValidationMetricName, values: readonly (number | null)[]): { ratio: number; worst: number; best: number } | 'fewer' | 'none' {
  let worst = -1;
  let best = -1;
  let measured = 0;
  values.forEach((v, g) => {
    if (v === null) return;
    measured++;
    const e = errorRate(metric, v);
    if (worst < 0 || e > errorRate(metric, values[worst]!)) worst = g;
    if (best < 0 || e < errorRate(metric, values[best]!)) best = g;
  });
  if (measured < 2) return 'fewer';
  const hi = errorRate(metric, values[worst]!);
  const lo = errorRate(metric, values[best]!);
  if (hi === 0) return 'none';
  return { ratio: lo === 0 ? Infinity : hi / lo, worst, best };
}

const fmtRate = (x: number) => (x === 0 ? '0' : x >= 0.01 ? x.toFixed(3) : x.toExponential(1));

/** Measures every figure of a score set, overall and per group, with people-resampled intervals. */
export function measure(set: ScoreSet, opts: MeasureOptions): ValidationFigures {
  const people = set.imagesPerPerson.length;
  const ones = new Float64Array(people).fill(1);
  const sortedTail = [...set.impostorTail].sort((x, y) => y.score - x.score);
  const totalImpostors = impostorWeight(set.imagesPerPerson, ones);
  const measurable = {
    'fnmrAtFmr1e-3': FMR_TARGETS['fnmrAtFmr1e-3'] * totalImpostors >= MIN_IMPOSTORS_AT_RATE,
    'fnmrAtFmr1e-4': FMR_TARGETS['fnmrAtFmr1e-4'] * totalImpostors >= MIN_IMPOSTORS_AT_RATE,
  };
  const point = measureOnce(set, sortedTail, ones, opts, measurable);

  // Strata: people with the same groups are drawn among themselves, so each group keeps its size.
  const key = (a: number) => set.imagesInGroup.map((g) => (g[a]! > 0 ? 1 : 0)).join('');
  const byKey = new Map<string, number[]>();
  for (let a = 0; a < people; a++) {
    const k = key(a);
    byKey.set(k, [...(byKey.get(k) ?? []), a]);
  }
  const strata = [...byKey.values()];
  const random = seededRandom(opts.seed);
  const sets = point.bySet.length;
  const samples: Record<ValidationMetricName, (number | null)[]>[] = Array.from({ length: sets }, () =>
    Object.fromEntries(VALIDATION_METRICS.map((m) => [m, [] as (number | null)[]])) as Record<ValidationMetricName, (number | null)[]>,
  );
  const ratioSamples = Object.fromEntries(VALIDATION_METRICS.map((m) => [m, [] as number[]])) as Record<ValidationMetricName, number[]>;
  for (let r = 0; r < opts.replicates; r++) {
    const rep = measureOnce(set, sortedTail, drawPeople(strata, people, random), opts, measurable);
    rep.bySet.forEach((raw, s) => VALIDATION_METRICS.forEach((m) => samples[s]![m].push(raw[m].value)));
    if (set.groups.length > 1) {
      for (const m of VALIDATION_METRICS) {
        const ratio = ratioOf(m, rep.bySet.slice(1).map((raw) => raw[m].value));
        // A resampling where no group erred has no ratio; one where only the best group made none has no upper limit.
        if (typeof ratio !== 'string') ratioSamples[m].push(ratio.ratio);
      }
    }
  }

  const unmeasuredNote = (m: ValidationMetricName, raw: Raw): string | null => {
    if (m === 'fnmrAtFmr1e-3' || m === 'fnmrAtFmr1e-4') {
      if (!measurable[m]) {
        return `Cannot be measured: ${totalImpostors.toLocaleString('en-GB')} impostor pairs support false match rates down to ${fmtRate(MIN_IMPOSTORS_AT_RATE / totalImpostors)} (at least ${MIN_IMPOSTORS_AT_RATE} pairs must be able to pass).`;
      }
      if (point.thresholds[m] === null) return 'Cannot be measured: the threshold lies below the impostor scores kept.';
    }
    if ((m === 'fmrAtOperating' || m === 'fnmrAtOperating') && opts.operatingThreshold === null) return 'Cannot be measured: the pack has no calibration, so no operating threshold.';
    if (raw.trials === 0) {
      return m === 'fmrAtOperating' ? 'Cannot be measured: no impostor pairs in this set.' : m === 'rank1' || m === 'fnirAtRank' ? 'Cannot be measured: no person in this set has two images.' : 'Cannot be measured: no same-person pairs in this set.';
    }
    return null;
  };

  const estimate = (m: ValidationMetricName, raw: Raw, s: number): Estimate => {
    const why = unmeasuredNote(m, raw);
    if (why !== null || raw.value === null) return { value: null, low: null, high: null, note: why };
    const reps = samples[s]![m].filter((v): v is number => v !== null);
    let { low, high } = reps.length > 0 ? percentileInterval(reps) : { low: raw.value, high: raw.value };
    let note: string | null = null;
    const lost = opts.replicates - reps.length;
    if (lost > 0) note = `${lost} of ${opts.replicates} resamplings could not measure it and were left out.`;
    if (m !== 'rank1' && raw.errors === 0) {
      high = Math.max(high, Math.min(1, 3 / raw.trials));
      note = `No errors in ${raw.trials.toLocaleString('en-GB')}: the upper limit is at least 3 in ${raw.trials.toLocaleString('en-GB')} (rule of three).`;
    }
    if (m === 'rank1' && raw.errors === raw.trials) {
      low = Math.min(low, Math.max(0, 1 - 3 / raw.trials));
      note = `No misses in ${raw.trials.toLocaleString('en-GB')}: the lower limit is at most 1 - 3/${raw.trials.toLocaleString('en-GB')} (rule of three).`;
    }
    return { value: raw.value, low, high, errors: raw.errors, trials: raw.trials, note };
  };

  const setFigures = (s: number): SetFigures => {
    const images = s < 0 ? set.imagesPerPerson : set.imagesInGroup[s]!;
    const impostorPairs = impostorWeight(images, ones);
    const raw = point.bySet[s + 1]!;
    return {
      label: s < 0 ? 'All' : set.groups[s]!,
      people: images.filter((n) => n > 0).length,
      genuinePairs: set.genuine.filter((p) => inSet(p.group, s)).length,
      impostorPairs,
      probes: set.probes.filter((p) => inSet(p.group, s)).length,
      smallestFmr: impostorPairs > 0 ? Math.min(1, MIN_IMPOSTORS_AT_RATE / impostorPairs) : null,
      metrics: Object.fromEntries(VALIDATION_METRICS.map((m) => [m, estimate(m, raw[m], s + 1)])) as Record<ValidationMetricName, Estimate>,
    };
  };
  const groups = set.groups.map((_, g) => setFigures(g));
  const differentials: Differential[] =
    set.groups.length < 2
      ? []
      : VALIDATION_METRICS.map((m) => {
          const found = ratioOf(m, groups.map((g) => g.metrics[m].value));
          if (found === 'fewer') return { metric: m, worst: null, best: null, ratio: { value: null, low: null, high: null, note: 'Cannot be measured: fewer than two groups have this figure.' } };
          if (found === 'none') return { metric: m, worst: null, best: null, ratio: { value: null, low: null, high: null, note: 'No group made an error, so there is no ratio to give.' } };
          const reps = ratioSamples[m];
          const { low, high } = reps.length > 0 ? percentileInterval(reps) : { low: found.ratio, high: found.ratio };
          const unbounded = high === Infinity;
          return {
            metric: m,
            worst: groups[found.worst]!.label,
            best: groups[found.best]!.label,
            ratio: {
              value: Number.isFinite(found.ratio) ? found.ratio : null,
              low: Number.isFinite(low) ? low : null,
              high: unbounded ? null : high,
              note: !Number.isFinite(found.ratio)
                ? `The best group (${groups[found.best]!.label}) made no errors, so the ratio has no finite value.`
                : unbounded
                  ? 'In some resamplings the best group made no errors: the interval has no upper limit.'
                  : null,
            },
          };
        });
  return {
    thresholds: { ...point.thresholds, operating: opts.operatingThreshold },
    overall: setFigures(-1),
    groups,
    differentials,
    replicates: opts.replicates,
    seed: opts.seed,
    strata: strata.length,
  };
}

/** A score histogram: counts[i] holds scores in [min + i * width, min + (i + 1) * width); `none` counts pairs with no face. */
export interface ScoreHistogram {
  min: number;
  width: number;
  counts: number[];
  none: number;
}

export function emptyHistogram(min = -1, max = 1, width = 0.001): ScoreHistogram {
  return { min, width, counts: new Array<number>(Math.round((max - min) / width)).fill(0), none: 0 };
}

export function addScore(h: ScoreHistogram, score: number): void {
  if (score === -Infinity) {
    h.none++;
    return;
  }
  const i = Math.min(h.counts.length - 1, Math.max(0, Math.floor((score - h.min) / h.width)));
  h.counts[i]!++;
}

/** DET points (FMR, FNMR) at each bin edge, from the genuine and impostor histograms of one set. */
export function detCurve(genuine: ScoreHistogram, impostor: ScoreHistogram): { threshold: number; fmr: number; fnmr: number }[] {
  const g = genuine.none + genuine.counts.reduce((a, b) => a + b, 0);
  const m = impostor.none + impostor.counts.reduce((a, b) => a + b, 0);
  if (g === 0 || m === 0) return [];
  const out: { threshold: number; fmr: number; fnmr: number }[] = [];
  let gBelow = genuine.none;
  let mAbove = m - impostor.none;
  for (let i = 0; i < impostor.counts.length; i++) {
    out.push({ threshold: impostor.min + i * impostor.width, fmr: mAbove / m, fnmr: gBelow / g });
    gBelow += genuine.counts[i]!;
    mAbove -= impostor.counts[i]!;
  }
  return out;
}
