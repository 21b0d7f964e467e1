import type { Normalisation } from '../../shared';
import type { Rgb } from './image';

export interface TensorLayout {
  colourOrder: 'rgb' | 'bgr';
  layout: 'nchw' | 'nhwc';
  normalisation: Normalisation;
}

/** Per tensor channel: which RGB byte it reads, and the affine map (v - mean) * scale as v * k + b. */
function channelMaps(spec: TensorLayout): { src: number[]; k: number[]; b: number[] } {
  const src = spec.colourOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const { mean, scale } = spec.normalisation;
  return { src, k: [scale[0], scale[1], scale[2]], b: [-mean[0] * scale[0], -mean[1] * scale[1], -mean[2] * scale[2]] };
}

/** Offset of element (channel c, pixel t) in a tensor of `plane` pixels. */
const strides = (spec: TensorLayout, plane: number) => (spec.layout === 'nchw' ? { c: plane, t: 1 } : { c: 1, t: 3 });

/**
 * Model input for the region (x0, y0, tw, th) of img, copied 1:1 into a tensor of
 * tw x th; pixels outside the image are black. Typed arrays and flat loops only: this runs
 * for every tile of every frame.
 */
export function toTensor(img: Rgb, x0: number, y0: number, tw: number, th: number, spec: TensorLayout): Float32Array {
  return toTensorScaled(img, 1, x0, y0, tw, th, spec);
}

/**
 * As toTensor, but the tensor shows the image enlarged by `scale` (>= 1, bilinear), its
 * pixel (u, v) taken from (x0 + (u + 0.5) / scale - 0.5, ...). Enlarging while filling the
 * tensor avoids building an enlarged copy of a big frame.
 */
export function toTensorScaled(img: Rgb, scale: number, x0: number, y0: number, tw: number, th: number, spec: TensorLayout): Float32Array {
  const plane = tw * th;
  const out = new Float32Array(3 * plane);
  const { src, k, b } = channelMaps(spec);
  const st = strides(spec, plane);
  for (let c = 0; c < 3; c++) {
    const black = b[c] as number;
    if (black === 0) continue;
    for (let t = 0; t < plane; t++) out[c * st.c + t * st.t] = black;
  }
  const W = img.width, H = img.height, d = img.data;
  const s0 = src[0] as number, s1 = src[1] as number, s2 = src[2] as number;
  const k0 = k[0] as number, k1 = k[1] as number, k2 = k[2] as number;
  const b0 = b[0] as number, b1 = b[1] as number, b2 = b[2] as number;
  const oc = st.c, ot = st.t;

  if (scale === 1) {
    const xs = Math.max(0, x0), xe = Math.min(W, x0 + tw);
    for (let y = Math.max(0, y0); y < Math.min(H, y0 + th); y++) {
      let t = (y - y0) * tw + (xs - x0);
      let p = (y * W + xs) * 3;
      for (let x = xs; x < xe; x++, t++, p += 3) {
        const o = t * ot;
        out[o] = (d[p + s0] as number) * k0 + b0;
        out[o + oc] = (d[p + s1] as number) * k1 + b1;
        out[o + 2 * oc] = (d[p + s2] as number) * k2 + b2;
      }
    }
    return out;
  }

  // Column sample positions and weights are the same for every row: compute them once.
  const cx0 = new Int32Array(tw), cx1 = new Int32Array(tw), wx = new Float32Array(tw);
  let uEnd = 0;
  for (let u = 0; u < tw; u++) {
    const sx = x0 + (u + 0.5) / scale - 0.5;
    if (sx > W - 0.5) break;
    const f = Math.floor(sx);
    cx0[u] = Math.max(0, Math.min(W - 1, f));
    cx1[u] = Math.max(0, Math.min(W - 1, f + 1));
    wx[u] = Math.max(0, Math.min(1, sx - f));
    uEnd = u + 1;
  }
  for (let v = 0; v < th; v++) {
    const sy = y0 + (v + 0.5) / scale - 0.5;
    if (sy > H - 0.5) break;
    const fy = Math.floor(sy);
    const r0 = Math.max(0, Math.min(H - 1, fy)) * W, r1 = Math.max(0, Math.min(H - 1, fy + 1)) * W;
    const wy = Math.max(0, Math.min(1, sy - fy));
    for (let u = 0; u < uEnd; u++) {
      const a = wx[u] as number;
      const w00 = (1 - a) * (1 - wy), w01 = a * (1 - wy), w10 = (1 - a) * wy, w11 = a * wy;
      const p00 = (r0 + (cx0[u] as number)) * 3, p01 = (r0 + (cx1[u] as number)) * 3;
      const p10 = (r1 + (cx0[u] as number)) * 3, p11 = (r1 + (cx1[u] as number)) * 3;
      const o = (v * tw + u) * ot;
      out[o] = (w00 * (d[p00 + s0] as number) + w01 * (d[p01 + s0] as number) + w10 * (d[p10 + s0] as number) + w11 * (d[p11 + s0] as number)) * k0 + b0;
      out[o + oc] = (w00 * (d[p00 + s1] as number) + w01 * (d[p01 + s1] as number) + w10 * (d[p10 + s1] as number) + w11 * (d[p11 + s1] as number)) * k1 + b1;
      out[o + 2 * oc] = (w00 * (d[p00 + s2] as number) + w01 * (d[p01 + s2] as number) + w10 * (d[p10 + s2] as number) + w11 * (d[p11 + s2] as number)) * k2 + b2;
    }
  }
  return out;
}
