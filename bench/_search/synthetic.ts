/**
 * Synthetic distractor faces drawn to match real embeddings: a multivariate Gaussian with
 * the real embeddings' mean and full covariance (x = mean + L z, L the Cholesky factor of
 * the covariance, z standard normal), re-normalised to unit length like a real embedding.
 * Each draw is a new "person" photographed once. The comparison of score distributions
 * below shows how close that is to real impostors.
 */

/** Deterministic standard normal deviates (mulberry32 + Box-Muller), so a run can be repeated. */
export function gaussianSource(seed: number): () => number {
  let a = seed >>> 0;
  let spare: number | null = null;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

export interface GaussianModel {
  dim: number;
  mean: Float64Array;
  /** Lower-triangular Cholesky factor of the covariance, row-major dim x dim. */
  chol: Float64Array;
  /** Added to the diagonal so the factorisation exists (relative to the mean variance). */
  ridge: number;
  samples: number;
}

export function fitGaussian(rows: Float32Array, dim: number): GaussianModel {
  const n = rows.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += rows[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) c[d] = rows[i * dim + d]! - mean[d]!;
    for (let r = 0; r < dim; r++) {
      const cr = c[r]!;
      const off = r * dim;
      for (let s = 0; s <= r; s++) cov[off + s]! += cr * c[s]!;
    }
  }
  let trace = 0;
  for (let r = 0; r < dim; r++) {
    for (let s = 0; s <= r; s++) cov[r * dim + s]! /= n - 1;
    trace += cov[r * dim + r]!;
  }
  const ridge = 1e-6 * (trace / dim);
  for (let r = 0; r < dim; r++) cov[r * dim + r]! += ridge;
  // Cholesky-Banachiewicz, in place on the lower triangle.
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * dim + j]!;
      for (let k = 0; k < j; k++) s -= cov[i * dim + k]! * cov[j * dim + k]!;
      if (i === j) {
        if (s <= 0) throw new Error(`covariance is not positive definite at ${i}`);
        cov[i * dim + i] = Math.sqrt(s);
      } else cov[i * dim + j] = s / cov[j * dim + j]!;
    }
    for (let j = i + 1; j < dim; j++) cov[i * dim + j] = 0;
  }
  return { dim, mean, chol: cov, ridge, samples: n };
}

/** Fills `out` (count rows) with unit-length draws; `onProgress` every 10,000 rows. */
export function sampleRows(model: GaussianModel, out: Float32Array, seed: number, onProgress?: (done: number) => void): void {
  const { dim, mean, chol } = model;
  const count = out.length / dim;
  const z = new Float64Array(dim);
  const x = new Float64Array(dim);
  const g = gaussianSource(seed);
  for (let row = 0; row < count; row++) {
    for (let d = 0; d < dim; d++) z[d] = g();
    let ss = 0;
    for (let i = 0; i < dim; i++) {
      let s = mean[i]!;
      const off = i * dim;
      for (let k = 0; k <= i; k++) s += chol[off + k]! * z[k]!;
      x[i] = s;
      ss += s * s;
    }
    const inv = 1 / Math.sqrt(ss);
    const o = row * dim;
    for (let d = 0; d < dim; d++) out[o + d] = x[d]! * inv;
    if (onProgress && row % 10_000 === 9_999) onProgress(row + 1);
  }
}

export interface ScoreSummary {
  pairs: number;
  mean: number;
  sd: number;
  /** Scores exceeded by 1%, 0.1%, 0.01% of pairs. */
  q99: number;
  q999: number;
  q9999: number;
  max: number;
}

export function summarise(scores: Float64Array): ScoreSummary {
  const s = Float64Array.from(scores).sort();
  const n = s.length;
  let sum = 0;
  for (const x of s) sum += x;
  const mean = sum / n;
  let v = 0;
  for (const x of s) v += (x - mean) ** 2;
  const q = (p: number) => s[Math.min(n - 1, Math.floor(p * n))]!;
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { pairs: n, mean: r(mean), sd: r(Math.sqrt(v / (n - 1))), q99: r(q(0.99)), q999: r(q(0.999)), q9999: r(q(0.9999)), max: r(s[n - 1]!) };
}

/** Two-sample Kolmogorov-Smirnov distance: the largest gap between the two empirical CDFs. */
export function ksDistance(a: Float64Array, b: Float64Array): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
