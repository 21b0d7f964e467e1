import type { Normalisation } from '../../shared';
import type { Rgb } from './image';

export interface TensorLayout {
  colourOrder: 'rgb' | 'bgr';
  layout: 'nchw' | 'nhwc';
  normalisation: Normalisation;
}

/**
 * Model input for the region (x0, y0, tw, th) of img, copied 1:1 (no resampling) into a
 * tensor of tw x th; pixels outside the image are black. Typed arrays only: this runs for
 * every tile of every frame.
 */
export function toTensor(img: Rgb, x0: number, y0: number, tw: number, th: number, spec: TensorLayout): Float32Array {
  const out = new Float32Array(3 * tw * th);
  const { mean, scale } = spec.normalisation;
  // Channel c of the tensor takes RGB channel src[c].
  const src = spec.colourOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const m = [mean[0], mean[1], mean[2]];
  const k = [scale[0], scale[1], scale[2]];
  const plane = tw * th;
  const xEnd = Math.min(img.width, x0 + tw);
  const yEnd = Math.min(img.height, y0 + th);
  const d = img.data;
  for (let c = 0; c < 3; c++) {
    const black = (0 - (m[c] as number)) * (k[c] as number);
    if (black !== 0) {
      if (spec.layout === 'nchw') out.fill(black, c * plane, (c + 1) * plane);
      else for (let i = c; i < out.length; i += 3) out[i] = black;
    }
  }
  for (let y = Math.max(0, y0); y < yEnd; y++) {
    const row = (y - y0) * tw;
    for (let x = Math.max(0, x0); x < xEnd; x++) {
      const p = (y * img.width + x) * 3;
      const t = row + (x - x0);
      for (let c = 0; c < 3; c++) {
        const v = ((d[p + (src[c] as number)] as number) - (m[c] as number)) * (k[c] as number);
        if (spec.layout === 'nchw') out[c * plane + t] = v;
        else out[t * 3 + c] = v;
      }
    }
  }
  return out;
}
