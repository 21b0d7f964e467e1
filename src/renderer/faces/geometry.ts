import type { FaceBox, FaceSummary } from '../../shared';

export interface Extent {
  width: number;
  height: number;
}

export interface PercentBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/**
 * Where a face box sits over a picture of the whole image, in percent of the picture's
 * width and height. Boxes are in pixels of the full image, and the picture shown is a
 * smaller copy (at most 2048 px), so only proportions carry over. Boxes reaching past an
 * edge are cut at it.
 */
export function boxPercent(box: FaceBox, extent: Extent): PercentBox {
  const left = clamp((box.x / extent.width) * 100);
  const top = clamp((box.y / extent.height) * 100);
  const right = clamp(((box.x + box.w) / extent.width) * 100);
  const bottom = clamp(((box.y + box.h) / extent.height) * 100);
  return { left, top, width: right - left, height: bottom - top };
}

/** Faces best first: quality, then the detector's confidence, then the order found. */
export function byQuality<F extends Pick<FaceSummary, 'id' | 'quality' | 'detectorScore'>>(faces: readonly F[]): F[] {
  return [...faces].sort((a, b) => b.quality.score - a.quality.score || b.detectorScore - a.detectorScore || a.id - b.id);
}

/** Faces are numbered within their exhibit in the order they were stored, so a number names one face on every screen. */
export function faceNumbers(faces: readonly Pick<FaceSummary, 'id'>[]): Map<number, number> {
  return new Map([...faces].sort((a, b) => a.id - b.id).map((f, i) => [f.id, i + 1]));
}
