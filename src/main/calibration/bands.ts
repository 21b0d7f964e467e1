/*
 * False match rates per quality band. A calibration measured on good colour photos says
 * nothing about a 14 px greyscale face: impostor pairs of poor faces score higher. So the
 * impostor scores are measured per band (pixels between the eyes, colour or greyscale,
 * sharp or blurred), a pair is placed in the band of its weaker face on each axis, and its
 * rate is read from that band alone. A band measured on too few impostor pairs, or not at
 * all, states no rate: "not calibrated for faces like these".
 *
 * Every stated rate carries the exact one-sided 95% upper bound its counts support
 * (bounds.ts): none of N pairs that high supports only "fewer than 1 in about N/3".
 */
import {
  BandedCalibration,
  type BandAxes,
  type BandKey,
  type CalibrationBand,
  type FaceQuality,
  type FmrEstimate,
  LoupeError,
} from '../../shared';
import { upperBound } from './bounds';
import { commonRateText, COMMON_RATE, oneIn } from './format';

/**
 * Edges chosen where recognition is known to change (ISO/IEC 19794-5 asks for 60 px and
 * more; below 12 px Loupe flags a face insufficient); greyscale and blur edges are set
 * well clear of the values of colour photos (colourfulness > 5) and of sharp LFW crops
 * (Laplacian variance, 10th percentile about 67).
 */
export const DEFAULT_AXES: BandAxes = { eyeEdges: [0, 12, 16, 24, 32, 48], greyscaleBelow: 2, blurredBelow: 40 };
/** Fewer impostor pairs than this cannot bound a rate below 1 in 33 (rule of three): no number is stated. */
export const MIN_BAND_IMPOSTOR_PAIRS = 100;
/** Every distinct score among this many highest impostor scores is a table point, so counts there are exact. */
export const EXACT_TAIL = 100;
const POINTS_PER_DECADE = 10;
export const CONFIDENCE = 0.95;

export const UNCALIBRATED_TEXT = 'not calibrated for faces like these';

const bandId = (k: BandKey) => `${k.eyes}/${k.colour}/${k.focus}`;

/** The band of one face on each axis; colour is null on faces found before colourfulness was measured. */
export function faceBand(q: FaceQuality, axes: BandAxes): { eyes: number; colour: BandKey['colour'] | null; focus: BandKey['focus'] } {
  let eyes = 0;
  axes.eyeEdges.forEach((edge, i) => {
    if (q.interEyePx >= edge) eyes = i;
  });
  const colour = q.colourfulness === undefined ? null : q.colourfulness < axes.greyscaleBelow ? 'greyscale' : 'colour';
  return { eyes, colour, focus: q.sharpness < axes.blurredBelow ? 'blurred' : 'sharp' };
}

/** The band of a pair: its weaker face on each axis (fewer pixels between the eyes, greyscale over colour, blurred over sharp). */
export function pairBand(a: BandKey, b: BandKey): BandKey {
  return {
    eyes: Math.min(a.eyes, b.eyes),
    colour: a.colour === 'greyscale' || b.colour === 'greyscale' ? 'greyscale' : 'colour',
    focus: a.focus === 'blurred' || b.focus === 'blurred' ? 'blurred' : 'sharp',
  };
}

/** A band in words: "16-24 px between the eyes, greyscale, blurred". */
export function bandLabel(k: BandKey, axes: BandAxes): string {
  const lo = axes.eyeEdges[k.eyes] ?? 0;
  const hi = axes.eyeEdges[k.eyes + 1];
  const eyes = hi === undefined ? `${lo} px or more between the eyes` : lo === 0 ? `under ${hi} px between the eyes` : `${lo}-${hi} px between the eyes`;
  return `${eyes}, ${k.colour}, ${k.focus}`;
}

/** The pair bands two faces may fall in: one, or two when a face's colour was not measured. */
function pairBands(a: FaceQuality, b: FaceQuality, axes: BandAxes): BandKey[] {
  const fa = faceBand(a, axes);
  const fb = faceBand(b, axes);
  const colours = (c: BandKey['colour'] | null): BandKey['colour'][] => (c === null ? ['colour', 'greyscale'] : [c]);
  const out = new Map<string, BandKey>();
  for (const ca of colours(fa.colour)) for (const cb of colours(fb.colour)) {
    const k = pairBand({ ...fa, colour: ca }, { ...fb, colour: cb });
    out.set(bandId(k), k);
  }
  return [...out.values()];
}

/** Builds one band's table from its impostor and genuine scores (any order). */
export function buildBand(key: BandKey, impostorScores: ArrayLike<number>, genuineScores: ArrayLike<number>): CalibrationBand {
  const imp = Float64Array.from(impostorScores).sort();
  const gen = Float64Array.from(genuineScores).sort();
  const n = imp.length;
  for (const s of imp) if (!Number.isFinite(s)) throw new LoupeError('invalid_input', 'An impostor score is not a finite number.');
  /** Impostor pairs at or above the score at sorted position i, ties included. */
  const atOrAbove = (i: number): number => {
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (imp[mid]! < imp[i]!) lo = mid + 1;
      else hi = mid;
    }
    return n - lo;
  };
  const byScore = new Map<number, number>();
  // The exact tail, and the first score below it, so any score inside the tail has its count.
  for (let i = n - 1; i >= 0 && i >= n - EXACT_TAIL - 1; i--) byScore.set(imp[i]!, atOrAbove(i));
  const steps = n > 0 ? Math.floor(Math.log10(n) * POINTS_PER_DECADE) : -1;
  for (let step = 0; step <= steps; step++) {
    const i = n - Math.max(1, Math.ceil(n * 10 ** (-step / POINTS_PER_DECADE)));
    byScore.set(imp[i]!, atOrAbove(i));
  }
  const points = [...byScore].map(([score, count]) => ({ score, atOrAbove: count })).sort((a, b) => a.score - b.score);
  const tar = [1e-2, 1e-3, 1e-4, 1e-5]
    .filter((fmr) => fmr * n >= 1 && gen.length > 0)
    .map((fmr) => {
      const score = imp[Math.max(0, Math.ceil(n * (1 - fmr)) - 1)]!;
      const first = gen.findIndex((s) => s >= score);
      return { fmr, score, tar: first < 0 ? 0 : (gen.length - first) / gen.length };
    });
  return { ...key, impostorPairs: n, genuinePairs: gen.length, points, tar };
}

/** Parses a banded calibration and checks every table: scores increasing, counts not increasing and within the band's pairs. */
export function checkBandedCalibration(value: unknown): BandedCalibration {
  const parsed = BandedCalibration.safeParse(value);
  if (!parsed.success) throw new LoupeError('integrity', `The banded calibration is malformed: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
  const c = parsed.data;
  const edges = c.axes.eyeEdges;
  if (edges[0] !== 0 || edges.some((e, i) => i > 0 && e <= edges[i - 1]!)) throw new LoupeError('integrity', 'The banded calibration\'s eye-distance edges must start at 0 and increase.');
  const seen = new Set<string>();
  for (const b of c.bands) {
    const id = bandId(b);
    if (b.eyes >= edges.length || seen.has(id)) throw new LoupeError('integrity', `Calibration band ${id} is out of range or given twice.`);
    seen.add(id);
    b.points.forEach((p, i) => {
      const prev = b.points[i - 1];
      if (!Number.isFinite(p.score) || p.atOrAbove > b.impostorPairs || (prev !== undefined && (p.score <= prev.score || p.atOrAbove > prev.atOrAbove))) {
        throw new LoupeError('integrity', `Calibration band ${id}, point ${i} breaks the order: scores must increase and counts must not.`);
      }
    });
  }
  return c;
}

/** Impostor pairs of a band at or above a score: exact in the tail, else the count of the table point below (never fewer than there were). */
function countAtOrAbove(b: CalibrationBand, exactTail: number, score: number): { exact: number; estimate: number } {
  const pts = b.points;
  const j = pts.findIndex((p) => p.score >= score);
  if (j < 0) return { exact: 0, estimate: 0 };
  const at = pts[j]!;
  if (at.score === score || at.atOrAbove <= exactTail || j === 0) {
    const count = j === 0 && at.score > score ? b.impostorPairs : at.atOrAbove;
    return { exact: count, estimate: count };
  }
  const below = pts[j - 1]!;
  // Between table points the count is interpolated in log(count) for the estimate; the bound takes the larger count.
  const w = (score - below.score) / (at.score - below.score);
  return { exact: below.atOrAbove, estimate: Math.exp(Math.log(below.atOrAbove) + w * (Math.log(at.atOrAbove) - Math.log(below.atOrAbove))) };
}

function bandRate(c: BandedCalibration, key: BandKey, score: number): FmrEstimate {
  const label = bandLabel(key, c.axes);
  const band = c.bands.find((b) => bandId(b) === bandId(key));
  if (!band || band.impostorPairs < c.minImpostorPairs) {
    return { fmr: null, oneIn: UNCALIBRATED_TEXT, bound: 'uncalibrated', band: label, impostorPairs: band?.impostorPairs ?? 0 };
  }
  const n = band.impostorPairs;
  const { exact, estimate } = countAtOrAbove(band, c.exactTail, score);
  const upper = upperBound(exact, n, c.confidence);
  const common = { upper, impostorsAtOrAbove: exact, impostorPairs: n, band: label };
  if (exact === 0) return { ...common, fmr: upper, bound: 'below', oneIn: `fewer than 1 in ${oneIn(upper, 'down')}` };
  const fmr = estimate / n;
  if (fmr >= COMMON_RATE || upper >= COMMON_RATE) return { ...common, fmr, bound: 'estimate', oneIn: commonRateText(estimate, n) };
  return { ...common, fmr, bound: 'estimate', oneIn: `about 1 in ${oneIn(fmr, 'nearest')}, at most 1 in ${oneIn(upper, 'down')}` };
}

/**
 * The false match rate of a pair of faces at a score, from the band of the weaker face.
 * When a face's colour is unknown, the pair could lie in either colour band: the higher
 * bound is stated, and nothing when either band is uncalibrated.
 */
export function pairRate(c: BandedCalibration, a: FaceQuality, b: FaceQuality, score: number): FmrEstimate {
  if (!Number.isFinite(score)) throw new LoupeError('invalid_input', `Score ${score} is not a finite number.`);
  const rates = pairBands(a, b, c.axes).map((k) => bandRate(c, k, score));
  const uncalibrated = rates.find((r) => r.bound === 'uncalibrated');
  if (uncalibrated) return uncalibrated;
  return rates.reduce((worst, r) => ((r.upper ?? 0) > (worst.upper ?? 0) ? r : worst));
}

/** Why a band cannot hold a search to a rate: it has too few pairs, or its data cannot support a rate that low. */
export interface BandThreshold {
  key: BandKey;
  /** The lowest score at which the band's estimated rate is at most the rate asked for; null when the band cannot support it. */
  score: number | null;
}

/**
 * Per band, the score a search threshold of `maxFmr` needs. A band supports a rate only when
 * none of its pairs scoring that high would still bound it there (its rule-of-three floor
 * is at or below the rate); one that cannot has no threshold.
 */
export function bandThresholds(c: BandedCalibration, maxFmr: number): BandThreshold[] {
  if (!(maxFmr > 0 && maxFmr <= 1)) throw new LoupeError('invalid_input', `A false match rate is a number above 0 and at most 1 (got ${maxFmr}).`);
  return c.bands.map((b) => {
    const key = { eyes: b.eyes, colour: b.colour, focus: b.focus };
    if (b.impostorPairs < c.minImpostorPairs || upperBound(0, b.impostorPairs, c.confidence) > maxFmr) return { key, score: null };
    // The lowest table score whose count is within the rate: every pair at or above it is.
    const allowed = Math.floor(maxFmr * b.impostorPairs);
    const j = b.points.findIndex((p) => p.atOrAbove <= allowed);
    const at = b.points[j];
    if (!at) return { key, score: null };
    return { key, score: at.score };
  });
}

/** The threshold that applies to a pair: its band's, or, where its band has none, the strictest of the measured bands (null: no band supports the rate). */
export function pairThreshold(c: BandedCalibration, thresholds: readonly BandThreshold[], a: FaceQuality, b: FaceQuality): { score: number | null; calibrated: boolean } {
  const strictest = thresholds.reduce<number | null>((m, t) => (t.score === null ? m : m === null ? t.score : Math.max(m, t.score)), null);
  const scores = pairBands(a, b, c.axes).map((k) => thresholds.find((t) => bandId(t.key) === bandId(k))?.score ?? null);
  if (scores.some((s) => s === null)) return { score: strictest, calibrated: false };
  return { score: Math.max(...(scores as number[])), calibrated: true };
}

/** The banded calibration of a pack's manifest, checked, or null when it has none. The report and the search read it here. */
export function packBandedCalibration(manifest: { bandedCalibration?: unknown }): BandedCalibration | null {
  return manifest.bandedCalibration === undefined ? null : checkBandedCalibration(manifest.bandedCalibration);
}

/** The bands of a calibration with their words, for a report: what each was measured on and what it can support. */
export function describeBands(c: BandedCalibration): { band: string; key: BandKey; impostorPairs: number; genuinePairs: number; calibrated: boolean; lowestSupportedRate: string | null; tar: CalibrationBand['tar'] }[] {
  return c.bands.map((b) => {
    const calibrated = b.impostorPairs >= c.minImpostorPairs;
    return {
      band: bandLabel(b, c.axes),
      key: { eyes: b.eyes, colour: b.colour, focus: b.focus },
      impostorPairs: b.impostorPairs,
      genuinePairs: b.genuinePairs,
      calibrated,
      lowestSupportedRate: calibrated ? `fewer than 1 in ${oneIn(upperBound(0, b.impostorPairs, c.confidence), 'down')}` : null,
      tar: b.tar,
    };
  });
}

export interface BandedSource {
  dataset: string;
  degradation: string;
  pairs: string;
  measuredAt: string;
}

/** A banded calibration from the scores of each band measured. */
export function buildBandedCalibration(bands: readonly { key: BandKey; impostor: ArrayLike<number>; genuine: ArrayLike<number> }[], source: BandedSource, axes: BandAxes = DEFAULT_AXES): BandedCalibration {
  return checkBandedCalibration({
    schema: 1,
    ...source,
    axes,
    minImpostorPairs: MIN_BAND_IMPOSTOR_PAIRS,
    confidence: CONFIDENCE,
    exactTail: EXACT_TAIL,
    bands: bands.filter((b) => b.impostor.length > 0).map((b) => buildBand(b.key, b.impostor, b.genuine)),
  });
}
