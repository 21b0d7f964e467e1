import { applySimilarity } from './align';
import type { ConfirmedDetection, Detector } from './detect';
import type { Rgb } from './image';
import { fivePoints, type LandmarkFinder, type Point } from './landmarks';
import { poseFromLandmarks } from './quality';

/**
 * Faces rolled far from upright. The detectors are trained on upright faces: YuNet finds a
 * face rolled 45 degrees but reads its eye line short (13 to 34 degrees on the development
 * photos), so alignment leaves it rolled; and it reads a face at 90 or 180 degrees as an
 * upright one, eyes where the mouth or an ear is, less sure than of a face that is upright
 * (0.78-0.90 against 0.93-0.96 there). Both align wrongly, and the recogniser then scores
 * the face as a stranger. So a face whose eye line is rolled, or of which the detector is
 * less sure than of upright faces, is looked at again on a crop turned to stand it upright
 * (by its roll, and when doubtful also by a quarter and a half turn more); the surest
 * reading wins and, while still rolled in its crop, is read again turned by its own roll;
 * its landmarks, read on a face standing nearly upright, are mapped back to the photo. A
 * face that settles within ROLL_TURN_DEG of upright keeps its first reading. Only rolled
 * faces, and doubtful ones of portrait size, pay: an upright face the detector is sure of
 * is not looked at again. The thresholds were set on YuNet's scores; with the default
 * pack's UltraFace they were not measured.
 */

/** Eye line beyond this many degrees: the landmarks are read again on a crop turned by it. */
export const ROLL_TURN_DEG = 20;
/** Detector score from which an upright reading is trusted without looking at the other turns. */
export const SURE_UPRIGHT = 0.92;
/**
 * Least distance between the eyes of a face whose doubtful upright reading is checked at
 * the other turns: portrait size, like the quarter turns' (index.ts). Upright faces smaller
 * than that often score below SURE_UPRIGHT (a crowd, a distant camera) and would all pay
 * for a check the recogniser gains little from at their size.
 */
export const PORTRAIT_EYES_PX = 24;
/** A reading rolled less than this in its own crop is final. */
const ROLL_SETTLED_DEG = 4;
/** Readings after the first: YuNet reads a rolled face's eye line short (25 degrees as about 8), so a turn closes in on upright over a few. */
const MORE_READINGS = 3;
/** Turns tried beyond the first reading: the face read rolled `roll` may be rolled a quarter or a half turn more. */
const MORE_TURNS = [90, 180, -90];

export interface UprightFace {
  detection: ConfirmedDetection;
  landmarks5: Point[];
  /** Degrees the face was turned to read the landmarks (0: read where it was found). */
  turnDeg: number;
}

const wrap = (deg: number) => ((((deg + 180) % 360) + 360) % 360) - 180;
export const rollOf = (l: readonly Point[]): number => poseFromLandmarks(l).rollDeg;

export interface Uprighter {
  upright(image: Rgb, face: { detection: ConfirmedDetection; landmarks5: Point[] }): Promise<UprightFace>;
}

export function createUprighter(detector: Detector, landmarks: LandmarkFinder | null): Uprighter {
  /** The face read on a crop turned by turnDeg: its score there and its landmarks in the photo. */
  async function readTurned(image: Rgb, d: ConfirmedDetection, turnDeg: number): Promise<{ score: number; landmarks5: Point[]; turnDeg: number } | null> {
    const { crop, found, back } = await detector.lookTurned(image, d, turnDeg);
    if (!found) return null;
    const inCrop = await fivePoints(crop, found, landmarks);
    return { score: found.score, landmarks5: inCrop.map((p) => applySimilarity(back, p)), turnDeg };
  }

  return {
    async upright(image, face) {
      const d = face.detection;
      const roll = rollOf(face.landmarks5);
      const [e1, e2] = face.landmarks5 as [Point, Point];
      const doubtful = d.score < SURE_UPRIGHT && Math.hypot(e2[0] - e1[0], e2[1] - e1[1]) >= PORTRAIT_EYES_PX;
      if (Math.abs(roll) < ROLL_TURN_DEG && !doubtful) return { ...face, turnDeg: 0 };
      let best: Awaited<ReturnType<typeof readTurned>> = null;
      for (const turn of doubtful ? [0, ...MORE_TURNS].map((t) => wrap(roll + t)) : [roll]) {
        const r = await readTurned(image, d, turn);
        if (r && (!best || r.score > best.score)) best = r;
      }
      if (!best) return { ...face, turnDeg: 0 };
      for (let again = 0; again < MORE_READINGS; again++) {
        const rolled = rollOf(best.landmarks5);
        if (Math.abs(wrap(rolled - best.turnDeg)) < ROLL_SETTLED_DEG) break;
        const r = await readTurned(image, d, rolled);
        if (!r) break;
        best = r;
      }
      // Upright after all (a face the detector was merely less sure of): the first reading stands.
      if (Math.abs(wrap(best.turnDeg)) < ROLL_TURN_DEG) return { ...face, turnDeg: 0 };
      // The box and the second look's confirmation stay the detector's: only the landmarks are read again.
      return { detection: d, landmarks5: best.landmarks5, turnDeg: Math.round(wrap(best.turnDeg)) };
    },
  };
}
