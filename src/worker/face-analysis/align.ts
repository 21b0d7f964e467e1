import type { Rgb } from './image';

type Point = readonly [number, number];

/** x' = a*x - b*y + tx ; y' = b*x + a*y + ty (rotation, uniform scale, translation). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity transform taking src onto dst (Umeyama 1991). In 2-D the
 * solution has this closed form; reflections are excluded by construction, so a face is
 * never mirrored to fit.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  if (src.length !== dst.length || src.length < 2) throw new RangeError('estimateSimilarity needs two matching point lists of at least 2 points');
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += (src[i] as Point)[0]; sy += (src[i] as Point)[1];
    dx += (dst[i] as Point)[0]; dy += (dst[i] as Point)[1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const xc = (src[i] as Point)[0] - sx, yc = (src[i] as Point)[1] - sy;
    const uc = (dst[i] as Point)[0] - dx, vc = (dst[i] as Point)[1] - dy;
    num1 += xc * uc + yc * vc;
    num2 += xc * vc - yc * uc;
    den += xc * xc + yc * yc;
  }
  if (den < 1e-9) throw new RangeError('estimateSimilarity: the source points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export const applySimilarity = (m: Similarity, p: Point): [number, number] => [m.a * p[0] - m.b * p[1] + m.tx, m.b * p[0] + m.a * p[1] + m.ty];

/** The similarity that undoes m: p = R^T (q - t) / s. */
export function invertSimilarity(m: Similarity): Similarity {
  const det = m.a * m.a + m.b * m.b;
  const a = m.a / det, b = -m.b / det;
  return { a, b, tx: -(a * m.tx - b * m.ty), ty: -(b * m.tx + a * m.ty) };
}

/**
 * Warps img into a width x height image where output pixel (u, v) shows the source at
 * m^-1(u, v). Bilinear sampling, black outside the source (as the embedders were trained);
 * when the warp shrinks by more than 1.5x, several samples per output pixel are averaged
 * so a big face does not alias.
 */
export function warpSimilarity(img: Rgb, m: Similarity, width: number, height: number): Rgb {
  const det = m.a * m.a + m.b * m.b;
  const inv = invertSimilarity(m);
  const ia = inv.a, ib = -inv.b, itx = inv.tx, ity = inv.ty;
  const shrink = 1 / Math.sqrt(det);
  const n = shrink > 1.5 ? Math.min(8, Math.ceil(shrink)) : 1;
  if (m.b === 0) return scaleAxisAligned(img, n, ia, itx, ity, width, height);
  const out = new Uint8Array(width * height * 3);
  const src = img.data;
  const W = img.width, H = img.height;
  const acc = new Float64Array(3);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      acc[0] = 0; acc[1] = 0; acc[2] = 0;
      for (let sj = 0; sj < n; sj++) {
        const qv = n === 1 ? v : v - 0.5 + (sj + 0.5) / n;
        for (let si = 0; si < n; si++) {
          const qu = n === 1 ? u : u - 0.5 + (si + 0.5) / n;
          const x = ia * qu + ib * qv + itx;
          const y = -ib * qu + ia * qv + ity;
          const x0 = Math.floor(x), y0 = Math.floor(y);
          const fx = x - x0, fy = y - y0;
          for (let k = 0; k < 4; k++) {
            const xx = x0 + (k & 1), yy = y0 + (k >> 1);
            if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
            const w = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
            const p = (yy * W + xx) * 3;
            acc[0] += w * (src[p] as number);
            acc[1] += w * (src[p + 1] as number);
            acc[2] += w * (src[p + 2] as number);
          }
        }
      }
      const o = (v * width + u) * 3;
      const inv = 1 / (n * n);
      out[o] = Math.round((acc[0] as number) * inv);
      out[o + 1] = Math.round((acc[1] as number) * inv);
      out[o + 2] = Math.round((acc[2] as number) * inv);
    }
  }
  return { width, height, data: out };
}

/**
 * warpSimilarity without rotation (the second look's crops): the same samples and weights,
 * summed separably, rows first. Each output pixel reads n x n bilinear samples; without
 * rotation a sample's column depends only on u and its row only on v, so each source row
 * is filtered once for every output column and the rows are then combined, instead of
 * every output pixel reading 4 n^2 source pixels.
 */
function scaleAxisAligned(img: Rgb, n: number, ia: number, itx: number, ity: number, width: number, height: number): Rgb {
  const W = img.width, H = img.height, src = img.data;
  // Per output column (or row) and sub-sample: the left (top) source pixel and the weights of it and the next, 0 outside the image.
  const taps = (len: number, limit: number, offset: number) => {
    const at = new Int32Array(len * n), w0 = new Float64Array(len * n), w1 = new Float64Array(len * n);
    for (let q = 0; q < len; q++) {
      for (let s = 0; s < n; s++) {
        const c = n === 1 ? q : q - 0.5 + (s + 0.5) / n;
        const p = ia * c + offset;
        const p0 = Math.floor(p), f = p - p0;
        const i = q * n + s;
        at[i] = p0;
        w0[i] = p0 >= 0 && p0 < limit ? 1 - f : 0;
        w1[i] = p0 + 1 >= 0 && p0 + 1 < limit ? f : 0;
      }
    }
    return { at, w0, w1 };
  };
  const cols = taps(width, W, itx), rows = taps(height, H, ity);
  // Source rows any output row reads, each filtered across the output columns once.
  const rowSlot = new Int32Array(H).fill(-1);
  let used = 0;
  for (let i = 0; i < height * n; i++) {
    const r = rows.at[i] as number;
    if (r >= 0 && r < H && rowSlot[r] === -1) rowSlot[r] = used++;
    if (r + 1 >= 0 && r + 1 < H && rowSlot[r + 1] === -1) rowSlot[r + 1] = used++;
  }
  const filtered = new Float64Array(used * width * 3);
  for (let r = 0; r < H; r++) {
    const slot = rowSlot[r] as number;
    if (slot < 0) continue;
    const base = r * W;
    let o = slot * width * 3;
    for (let u = 0; u < width; u++, o += 3) {
      let a0 = 0, a1 = 0, a2 = 0;
      for (let i = u * n; i < (u + 1) * n; i++) {
        const x = cols.at[i] as number, wa = cols.w0[i] as number, wb = cols.w1[i] as number;
        if (wa !== 0) {
          const p = (base + x) * 3;
          a0 += wa * (src[p] as number); a1 += wa * (src[p + 1] as number); a2 += wa * (src[p + 2] as number);
        }
        if (wb !== 0) {
          const p = (base + x + 1) * 3;
          a0 += wb * (src[p] as number); a1 += wb * (src[p + 1] as number); a2 += wb * (src[p + 2] as number);
        }
      }
      filtered[o] = a0; filtered[o + 1] = a1; filtered[o + 2] = a2;
    }
  }
  const out = new Uint8Array(width * height * 3);
  const inv = 1 / (n * n);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let a0 = 0, a1 = 0, a2 = 0;
      for (let i = v * n; i < (v + 1) * n; i++) {
        const y = rows.at[i] as number, wa = rows.w0[i] as number, wb = rows.w1[i] as number;
        if (wa !== 0) {
          const p = ((rowSlot[y] as number) * width + u) * 3;
          a0 += wa * (filtered[p] as number); a1 += wa * (filtered[p + 1] as number); a2 += wa * (filtered[p + 2] as number);
        }
        if (wb !== 0) {
          const p = ((rowSlot[y + 1] as number) * width + u) * 3;
          a0 += wb * (filtered[p] as number); a1 += wb * (filtered[p + 1] as number); a2 += wb * (filtered[p + 2] as number);
        }
      }
      const o = (v * width + u) * 3;
      out[o] = Math.round(a0 * inv);
      out[o + 1] = Math.round(a1 * inv);
      out[o + 2] = Math.round(a2 * inv);
    }
  }
  return { width, height, data: out };
}

/** The aligned crop of a face: its five landmarks moved onto the template. */
export function alignFace(img: Rgb, landmarks5: readonly Point[], template: readonly Point[], width: number, height: number): { image: Rgb; transform: Similarity } {
  const transform = estimateSimilarity(landmarks5, template);
  return { image: warpSimilarity(img, transform, width, height), transform };
}

/**
 * Samples the axis-aligned rectangle (x, y, w, h) of img into a width x height grey image
 * (BT.601 luma), averaging several samples per pixel when shrinking. Outside the image the
 * nearest edge pixel is repeated, so a face at the border still gets a full crop.
 */
export function sampleGrey(img: Rgb, x: number, y: number, w: number, h: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const sxStep = w / width, syStep = h / height;
  const nx = sxStep > 1.5 ? Math.min(8, Math.ceil(sxStep)) : 1;
  const ny = syStep > 1.5 ? Math.min(8, Math.ceil(syStep)) : 1;
  const W = img.width, H = img.height, d = img.data;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let acc = 0;
      for (let sj = 0; sj < ny; sj++) {
        const sy = y + (v + (sj + 0.5) / ny) * syStep - 0.5;
        for (let si = 0; si < nx; si++) {
          const sx = x + (u + (si + 0.5) / nx) * sxStep - 0.5;
          const x0 = Math.floor(sx), y0 = Math.floor(sy);
          const fx = sx - x0, fy = sy - y0;
          for (let k = 0; k < 4; k++) {
            const xx = Math.min(W - 1, Math.max(0, x0 + (k & 1)));
            const yy = Math.min(H - 1, Math.max(0, y0 + (k >> 1)));
            const wgt = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
            const p = (yy * W + xx) * 3;
            acc += wgt * (0.299 * (d[p] as number) + 0.587 * (d[p + 1] as number) + 0.114 * (d[p + 2] as number));
          }
        }
      }
      out[v * width + u] = acc / (nx * ny);
    }
  }
  return out;
}
