import type { FaceQuality } from '../../shared';
import type { Rgb } from './image';

/**
 * Face image quality for comparison, after the ideas of ISO/IEC 29794-5 and OFIQ: a few
 * measurable components, each mapped to 0..1, combined into one 0-100 score, plus hard
 * limits below which a face is flagged insufficient. docs/quality.md explains the choices;
 * keep the two in step.
 */

type Point = readonly [number, number];

/** The embedder's template puts the eyes ~35 px apart; beyond ~48 px a face gives it no more detail. */
const IED_ZERO = 10;
const IED_FULL = 48;
/** Variance of the Laplacian on the aligned crop: below LOW a face is a blur, above HIGH fully sharp. */
const SHARP_LOW = 15;
const SHARP_HIGH = 400;
/** Second-look detector score: 0.5 (as likely a face as not) scores 0, SURE and above 1. */
const LOOK_ZERO = 0.5;
const LOOK_SURE = 0.9;
/**
 * Landmark proportions of real faces on the development photos (1st to 99th percentile,
 * both packs): eye-mouth distance 0.76-1.57 eye distances, box side 2.06-3.65. Inside the
 * band scores 1, falling to 0 at the outer limit.
 */
const EYE_MOUTH = { zeroLow: 0.45, low: 0.7, high: 1.6, zeroHigh: 2.4 } as const;
const BOX_SIDE = { zeroLow: 1.4, low: 2.0, high: 3.7, zeroHigh: 5.4 } as const;
const WEIGHTS = { resolution: 0.3, sharpness: 0.2, pose: 0.2, exposure: 0.1, likeness: 0.2 } as const;
export const LIMITS = { minInterEyePx: 12, maxYawDeg: 50, minSharpnessScore: 0.1, minLikeness: 0.25, minScore: 25 } as const;

/** The part of the 112x112 aligned crop that is face (brows to chin, cheek to cheek), away from black borders. */
const REGION = { x0: 20, x1: 92, y0: 36, y1: 100 };

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const deg = (r: number) => (r * 180) / Math.PI;

/** Roll from the eye line; yaw from how far the nose tip sits off the eye-mouth midline, in half inter-eye distances. */
export function poseFromLandmarks(l: readonly Point[]): { yawDeg: number; rollDeg: number } {
  const [e1, e2, n, m1, m2] = l as [Point, Point, Point, Point, Point];
  const roll = Math.atan2(e2[1] - e1[1], e2[0] - e1[0]);
  const c = Math.cos(-roll), s = Math.sin(-roll);
  // Work in the frame where the eyes are level.
  const rot = (p: Point): [number, number] => [p[0] * c - p[1] * s, p[0] * s + p[1] * c];
  const [a, b, nose, ma, mb] = [rot(e1), rot(e2), rot(n), rot(m1), rot(m2)];
  const half = Math.hypot(b[0] - a[0], b[1] - a[1]) / 2;
  const eyeMid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const mouthMid: [number, number] = [(ma[0] + mb[0]) / 2, (ma[1] + mb[1]) / 2];
  const span = mouthMid[1] - eyeMid[1];
  const t = span !== 0 ? (nose[1] - eyeMid[1]) / span : 0;
  const midX = eyeMid[0] + t * (mouthMid[0] - eyeMid[0]);
  const r = half > 0 ? (nose[0] - midX) / half : 0;
  return { yawDeg: deg(Math.asin(Math.max(-1, Math.min(1, r)))), rollDeg: deg(roll) };
}

/** Where the nose and mouth sit relative to the eyes, and the detector's box relative to them, in eye distances. */
export function faceGeometry(l: readonly Point[], box: { w: number; h: number }): { ordered: boolean; eyeMouth: number; boxSide: number } {
  const [e1, e2, n, m1, m2] = l as [Point, Point, Point, Point, Point];
  const roll = Math.atan2(e2[1] - e1[1], e2[0] - e1[0]);
  const c = Math.cos(-roll), s = Math.sin(-roll);
  // In the frame where the eyes are level, y grows downwards.
  const y = (p: Point) => p[0] * s + p[1] * c;
  const ied = Math.hypot(e2[0] - e1[0], e2[1] - e1[1]);
  const eyes = (y(e1) + y(e2)) / 2, nose = y(n), mouth = (y(m1) + y(m2)) / 2;
  const size = Math.max(ied, 1e-6);
  return { ordered: eyes < nose && nose < mouth, eyeMouth: (mouth - eyes) / size, boxSide: Math.sqrt(Math.max(0, box.w * box.h)) / size };
}

/** 1 inside [low, high], falling linearly to 0 at zeroLow and zeroHigh. */
function band(v: number, b: { zeroLow: number; low: number; high: number; zeroHigh: number }): number {
  if (v < b.low) return clamp01((v - b.zeroLow) / (b.low - b.zeroLow));
  if (v > b.high) return clamp01((b.zeroHigh - v) / (b.zeroHigh - b.high));
  return 1;
}

/** Sharpness and exposure measured on the face region of the aligned crop. */
function measureCrop(aligned: Rgb): { sharpness: number; brightness: number; clippedDark: number; clippedBright: number; colourfulness: number } {
  const { width, data } = aligned;
  const g = (x: number, y: number) => {
    const p = (y * width + x) * 3;
    return 0.299 * (data[p] as number) + 0.587 * (data[p + 1] as number) + 0.114 * (data[p + 2] as number);
  };
  let sum = 0, sum2 = 0, n = 0, bright = 0, dark = 0, lum = 0, chroma = 0;
  for (let y = REGION.y0; y < REGION.y1; y++) {
    for (let x = REGION.x0; x < REGION.x1; x++) {
      const v = g(x, y);
      const p = (y * width + x) * 3;
      const r = data[p] as number, gr = data[p + 1] as number, b = data[p + 2] as number;
      chroma += (Math.abs(r - gr) + Math.abs(gr - b) + Math.abs(b - r)) / 3;
      const lap = g(x - 1, y) + g(x + 1, y) + g(x, y - 1) + g(x, y + 1) - 4 * v;
      sum += lap; sum2 += lap * lap; n++;
      lum += v;
      if (v <= 10) dark++;
      if (v >= 245) bright++;
    }
  }
  const mean = sum / n;
  return { sharpness: Math.max(0, sum2 / n - mean * mean), brightness: lum / n, clippedDark: dark / n, clippedBright: bright / n, colourfulness: chroma / n };
}

/** What the detector says about the face beside its landmarks: its box, and its mean score on the second look. */
export interface DetectorView {
  box: { w: number; h: number };
  confirmation: number;
  /** Degrees the face was turned for its landmarks to be read upright (upright.ts); 0 or absent: read where found. */
  turnDeg?: number;
}

export function assessQuality(landmarks5: readonly Point[], aligned: Rgb, detector: DetectorView): FaceQuality {
  const [e1, e2] = landmarks5 as [Point, Point];
  const interEyePx = Math.hypot(e2[0] - e1[0], e2[1] - e1[1]);
  const { yawDeg, rollDeg } = poseFromLandmarks(landmarks5);
  const crop = measureCrop(aligned);
  const geometry = faceGeometry(landmarks5, detector.box);

  const resolution = clamp01(Math.log2(Math.max(interEyePx, 1e-6) / IED_ZERO) / Math.log2(IED_FULL / IED_ZERO));
  const sharpness = clamp01(Math.log10(Math.max(crop.sharpness, 1e-6) / SHARP_LOW) / Math.log10(SHARP_HIGH / SHARP_LOW));
  // Roll costs only where the landmarks were read on a rolled face (unreliable there); read on a face turned upright, they are not.
  const readRoll = Math.abs(((((rollDeg - (detector.turnDeg ?? 0)) + 180) % 360) + 360) % 360 - 180);
  const pose = clamp01(1 - Math.max(0, Math.abs(yawDeg) - 10) / 50) * clamp01(1 - Math.max(0, readRoll - 30) / 60);
  const clipped = crop.clippedDark + crop.clippedBright;
  const exposure =
    clamp01(1 - Math.max(0, 50 - crop.brightness) / 40 - Math.max(0, crop.brightness - 205) / 40) * clamp01(1 - Math.max(0, clipped - 0.05) / 0.45);
  const looked = clamp01((detector.confirmation - LOOK_ZERO) / (LOOK_SURE - LOOK_ZERO));
  // A head turned beyond the pose limit shows its eyes too close together to judge proportions by; pose flags it already.
  const judged = Math.abs(yawDeg) <= LIMITS.maxYawDeg;
  const proportions = !geometry.ordered ? 0 : judged ? Math.min(band(geometry.eyeMouth, EYE_MOUTH), band(geometry.boxSide, BOX_SIDE)) : 1;
  const likeness = Math.min(looked, proportions);
  const components = { resolution, sharpness, pose, exposure, likeness };

  // Weighted geometric mean: one failing component pulls the score down however good the rest.
  const score = Math.round(
    100 * Math.exp((Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]).reduce((s, k) => s + WEIGHTS[k] * Math.log(Math.max(components[k], 1e-3)), 0)),
  );

  const reasons: string[] = [];
  if (interEyePx < LIMITS.minInterEyePx) reasons.push(`only ${interEyePx.toFixed(1)} px between the eyes (at least ${LIMITS.minInterEyePx} needed)`);
  if (Math.abs(yawDeg) > LIMITS.maxYawDeg) reasons.push(`head turned about ${Math.round(Math.abs(yawDeg))} degrees (at most ${LIMITS.maxYawDeg})`);
  if (sharpness < LIMITS.minSharpnessScore) reasons.push('face too blurred');
  if (exposure === 0) reasons.push(crop.brightness < 50 ? 'face too dark' : crop.brightness > 205 ? 'face overexposed' : 'face mostly clipped to black or white');
  if (likeness < LIMITS.minLikeness) {
    reasons.push(
      proportions <= looked
        ? geometry.ordered
          ? `may not be a face: eyes to mouth ${geometry.eyeMouth.toFixed(2)} and box ${geometry.boxSide.toFixed(1)} times the eye distance`
          : 'may not be a face: the nose and mouth are not below the eyes'
        : `may not be a face: the detector is ${Math.round(detector.confirmation * 100)}% sure on a second look`,
    );
  }
  if (score < LIMITS.minScore && reasons.length === 0) reasons.push(`overall quality ${score} below ${LIMITS.minScore}`);

  return {
    interEyePx,
    sharpness: crop.sharpness,
    yawDeg,
    rollDeg,
    brightness: crop.brightness,
    clippedDark: crop.clippedDark,
    clippedBright: crop.clippedBright,
    colourfulness: crop.colourfulness,
    secondLookScore: clamp01(detector.confirmation),
    components,
    score: Math.max(0, Math.min(100, score)),
    insufficient: reasons.length > 0,
    reasons,
  };
}
