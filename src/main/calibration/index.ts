/*
 * Score -> false match rate, from impostor pairs (two different people) measured with one
 * model. The table is the model pack's `calibration` (schema in src/shared/model-pack.ts).
 *
 * Honesty rules, because a court may read these numbers:
 * - The rate at a score is the share of measured impostor pairs scoring at or above it;
 *   between table points it is interpolated linearly in log(rate), which follows the
 *   roughly exponential tail of impostor scores and is monotone by construction.
 * - Above the highest impostor score the data only says "fewer than 1 in N" (N impostor
 *   pairs): the estimate says so and never extrapolates a smaller number.
 * - A threshold for a rate below 1 in N is refused: the data cannot support it.
 * - Rates near 1 in N rest on a handful of impostor pairs; `impostorsAtOrAbove` says how
 *   many.
 * - A bound ("fewer than", "more than") is rounded the way that keeps it true.
 */
import { Calibration, LoupeError } from '../../shared';
import { commonRateText, COMMON_RATE, formatOneIn, oneIn } from './format';

export { formatOneIn } from './format';
export * from './bands';
export { binomialCdf, upperBound } from './bounds';

export type CalibrationTable = Calibration;

/** Table points per tenfold change of the rate: fine enough that interpolation adds little error. */
const POINTS_PER_DECADE = 10;
const MIN_IMPOSTOR_PAIRS = 100;

export interface CalibrationSource {
  /** What the pairs are, e.g. "LFW View-2 (lfw150 crops), all cross-identity pairs". */
  dataset: string;
  /** How the pairs were formed, appended to the dataset description. */
  pairs: string;
  genuinePairs?: number;
  measuredAt?: string;
}

export function buildCalibration(impostorScores: ArrayLike<number>, source: CalibrationSource): CalibrationTable {
  const n = impostorScores.length;
  if (n < MIN_IMPOSTOR_PAIRS) {
    throw new LoupeError('invalid_input', `A calibration needs at least ${MIN_IMPOSTOR_PAIRS} impostor pairs; ${n} were given.`);
  }
  const sorted = Float64Array.from(impostorScores);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(sorted[i]!)) throw new LoupeError('invalid_input', `Impostor score ${i} is not a finite number.`);
  }
  sorted.sort();
  /** Pairs scoring at or above the score at sorted position i (ties included). */
  const atOrAbove = (i: number): number => {
    let lo = 0;
    let hi = i;
    const s = sorted[i]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return n - lo;
  };
  const byScore = new Map<number, number>();
  const steps = Math.floor(Math.log10(n) * POINTS_PER_DECADE);
  for (let step = 0; step <= steps; step++) {
    const accepted = Math.max(1, Math.ceil(n * 10 ** (-step / POINTS_PER_DECADE)));
    const i = n - accepted;
    byScore.set(sorted[i]!, atOrAbove(i) / n);
  }
  // The highest impostor score always ends the table: it marks the lowest measurable rate.
  byScore.set(sorted[n - 1]!, atOrAbove(n - 1) / n);
  const points = [...byScore].map(([score, fmr]) => ({ score, fmr })).sort((a, b) => a.score - b.score);
  return checkCalibration({
    dataset: `${source.dataset}; ${source.pairs}`,
    impostorPairs: n,
    ...(source.genuinePairs === undefined ? {} : { genuinePairs: source.genuinePairs }),
    ...(source.measuredAt === undefined ? {} : { measuredAt: source.measuredAt }),
    points,
  });
}

/** Parses a table (e.g. from a pack manifest) and checks it is usable: scores increasing, rates positive and not increasing. */
export function checkCalibration(table: unknown): CalibrationTable {
  const parsed = Calibration.safeParse(table);
  if (!parsed.success) {
    throw new LoupeError('integrity', `The calibration table is malformed: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
  }
  const t = parsed.data;
  t.points.forEach((p, i) => {
    if (!Number.isFinite(p.score) || p.fmr <= 0) throw new LoupeError('integrity', `Calibration point ${i} has no usable score or rate.`);
    const prev = t.points[i - 1];
    if (prev !== undefined && (p.score <= prev.score || p.fmr > prev.fmr)) {
      throw new LoupeError('integrity', `Calibration point ${i} breaks the order: scores must increase and rates must not.`);
    }
  });
  return t;
}

export interface FmrEstimate {
  /** Estimated false match rate at this score; with kind 'below' or 'above', the bound. */
  fmr: number;
  /** 'estimate' inside the measured range; 'below' above every measured impostor score; 'above' under the table's first point when that point's rate is under 1. */
  kind: 'estimate' | 'below' | 'above';
  /** About how many of the measured impostor pairs score this high (0 when 'below'). */
  impostorsAtOrAbove: number;
  impostorPairs: number;
  /** For people: "about 1 in 1,000", or "fewer than 1 in 52,000". */
  text: string;
}

export function fmrAt(table: CalibrationTable, score: number): FmrEstimate {
  const t = checkCalibration(table);
  if (!Number.isFinite(score)) throw new LoupeError('invalid_input', `Score ${score} is not a finite number.`);
  const pts = t.points;
  const last = pts[pts.length - 1]!;
  const estimate = (fmr: number): FmrEstimate => ({
    fmr,
    kind: 'estimate',
    impostorsAtOrAbove: Math.round(fmr * t.impostorPairs),
    impostorPairs: t.impostorPairs,
    text: fmr >= COMMON_RATE ? commonRateText(fmr * t.impostorPairs, t.impostorPairs) : formatOneIn(fmr),
  });
  if (score > last.score) {
    return { fmr: last.fmr, kind: 'below', impostorsAtOrAbove: 0, impostorPairs: t.impostorPairs, text: `fewer than 1 in ${oneIn(last.fmr, 'down')}` };
  }
  const first = pts[0]!;
  if (score < first.score && first.fmr < 1) {
    return { ...estimate(first.fmr), kind: 'above', text: `more than 1 in ${oneIn(first.fmr, 'up')}` };
  }
  if (score <= first.score) return estimate(first.fmr);
  let hi = 1;
  while (pts[hi]!.score < score) hi++;
  const a = pts[hi - 1]!;
  const b = pts[hi]!;
  if (b.score === score) return estimate(b.fmr);
  const w = (score - a.score) / (b.score - a.score);
  return estimate(Math.exp(Math.log(a.fmr) + w * (Math.log(b.fmr) - Math.log(a.fmr))));
}

/** The score at which the estimated false match rate falls to `fmr`. Refuses rates the data cannot support. */
export function thresholdFor(table: CalibrationTable, fmr: number): number {
  const t = checkCalibration(table);
  if (!(fmr > 0 && fmr <= 1)) throw new LoupeError('invalid_input', `A false match rate is a number above 0 and at most 1 (got ${fmr}).`);
  const pts = t.points;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (fmr < last.fmr) {
    throw new LoupeError(
      'invalid_input',
      `This calibration measured ${t.impostorPairs.toLocaleString('en-GB')} impostor pairs, so it cannot support a false match rate below 1 in ${oneIn(last.fmr, 'down')}; choose that rate or a higher one.`,
    );
  }
  if (fmr >= first.fmr) return first.score;
  let hi = 1;
  while (pts[hi]!.fmr > fmr) hi++;
  const a = pts[hi - 1]!;
  const b = pts[hi]!;
  if (b.fmr === a.fmr) return b.score;
  const w = (Math.log(fmr) - Math.log(a.fmr)) / (Math.log(b.fmr) - Math.log(a.fmr));
  return a.score + w * (b.score - a.score);
}

