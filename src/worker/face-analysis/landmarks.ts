import { type LandmarkModel, LoupeError } from '../../shared';
import { sampleGrey } from './align';
import type { Detection } from './detect';
import type { Rgb } from './image';
import type { Model } from './session';

export type Point = [number, number];

/**
 * The 68-point model (iBUG 300-W order) gives points relative to the detector's box; the
 * aligner needs five: each eye as the mean of its four lid points, the nose tip, and each
 * mouth corner as the mean of its outer and inner corner points.
 */
function reduce68to5(p: ArrayLike<number>): Point[] {
  const at = (i: number): Point => [p[2 * i] as number, p[2 * i + 1] as number];
  const mean = (...ids: number[]): Point => {
    const pts = ids.map(at);
    return [pts.reduce((s, q) => s + q[0], 0) / pts.length, pts.reduce((s, q) => s + q[1], 0) / pts.length];
  };
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), at(30), mean(48, 60), mean(54, 64)];
}

export interface LandmarkFinder {
  find(img: Rgb, det: Detection): Promise<Point[]>;
}

/** A detection's five landmarks: the detector's own (YuNet), else the landmark model's on its box. */
export async function fivePoints(img: Rgb, det: Detection, finder: LandmarkFinder | null): Promise<Point[]> {
  if (det.kps) return [0, 1, 2, 3, 4].map((i): Point => [det.kps?.[2 * i] as number, det.kps?.[2 * i + 1] as number]);
  if (!finder) throw new LoupeError('integrity', "The pack's detector gives no landmarks and the pack has no landmark model; reinstall the model pack.");
  return finder.find(img, det);
}

/** Five landmarks for detectors that give none, from the 68-point model run on the detector's box. */
export function createLandmarkFinder(model: Model, spec: LandmarkModel): LandmarkFinder {
  const { width, height } = spec.inputSize;
  return {
    async find(img, det) {
      const bw = det.x2 - det.x1, bh = det.y2 - det.y1;
      const grey = sampleGrey(img, det.x1, det.y1, bw, bh, width, height);
      for (let i = 0; i < grey.length; i++) grey[i] = ((grey[i] as number) - spec.normalisation.mean) * spec.normalisation.scale;
      const out = await model.run(grey, [1, 1, height, width]);
      const pts = Object.values(out)[0]?.data;
      if (!pts || pts.length !== 136) throw new Error('The landmark model did not return 68 points');
      const abs = new Float64Array(136);
      for (let i = 0; i < 68; i++) {
        abs[2 * i] = det.x1 + (pts[2 * i] as number) * bw;
        abs[2 * i + 1] = det.y1 + (pts[2 * i + 1] as number) * bh;
      }
      return reduce68to5(abs);
    },
  };
}
