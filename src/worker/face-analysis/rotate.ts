import type { ConfirmedDetection } from './detect';
import type { Rgb } from './image';
import type { Point } from './landmarks';

/**
 * Quarter turns for faces rolled far from upright (a phone held sideways, a person lying
 * down): the detectors are trained on upright faces and miss most faces at 90 degrees, while
 * they find faces at 45. A photo in which nothing was found is looked at again turned a
 * quarter each way; what is found there is mapped back to the photo, where alignment on the
 * landmarks turns the face upright for the recogniser like any other.
 */

/** The image turned a quarter clockwise (turns 1) or anticlockwise (turns 3). */
export function quarterTurn(image: Rgb, turns: 1 | 3): Rgb {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  // Clockwise: the pixel at (x, y) goes to (h - 1 - y, x) of an h-wide image; anticlockwise to (y, w - 1 - x).
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const to = turns === 1 ? (x * h + (h - 1 - y)) * 3 : ((w - 1 - x) * h + y) * 3;
      const from = (y * w + x) * 3;
      out[to] = data[from] as number;
      out[to + 1] = data[from + 1] as number;
      out[to + 2] = data[from + 2] as number;
    }
  }
  return { width: h, height: w, data: out };
}

/** A point of the turned image back in the original (of width w and height h). */
export function pointBack(p: Point, turns: 1 | 3, w: number, h: number): Point {
  return turns === 1 ? [p[1], h - p[0]] : [w - p[1], p[0]];
}

/** A face found in the turned image, in the original's coordinates: its landmarks mapped back, its box the one around its mapped corners. */
export function faceBack(face: { detection: ConfirmedDetection; landmarks5: Point[] }, turns: 1 | 3, w: number, h: number): { detection: ConfirmedDetection; landmarks5: Point[] } {
  const d = face.detection;
  const corners = [pointBack([d.x1, d.y1], turns, w, h), pointBack([d.x2, d.y2], turns, w, h)];
  return {
    detection: {
      ...d,
      x1: Math.min(corners[0]![0], corners[1]![0]),
      y1: Math.min(corners[0]![1], corners[1]![1]),
      x2: Math.max(corners[0]![0], corners[1]![0]),
      y2: Math.max(corners[0]![1], corners[1]![1]),
      kps: null,
    },
    landmarks5: face.landmarks5.map((p) => pointBack(p, turns, w, h)),
  };
}
