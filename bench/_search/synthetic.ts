/**
 * Synthetic distractor faces drawn to match real embeddings. Two models:
 * - 'gaussian': one multivariate Gaussian with the real embeddings' mean and full
 *   covariance (x = mean + L z, L the Cholesky factor, z standard normal);
 * - 'mixture': the real embeddings split by spherical k-means into k clusters (groups of
 *   similar-looking faces: sex, age, ethnicity, image type), one Gaussian per cluster with
 *   its mean and its covariance shrunk toward the global one (small clusters cannot
 *   estimate 512x512 alone), drawn in proportion to cluster size.
 * Either way each draw is re-normalised to unit length like a real embedding, and is a new
 * "person" photographed once. One Gaussian matches the bulk of the real impostor scores but
 * not their tail (real faces cluster, so look-alikes are commoner than a Gaussian predicts);
 * the mixture is the default because it follows the tail too. bench/search.ts prints both
 * comparisons.
 */

import { uniformSource } from '../../src/main/testing/random';

/** Deterministic uniform and standard normal deviates (mulberry32 + Box-Muller), so a run can be repeated. */
export function randomSource(seed: number): { uniform: () => number; normal: () => number } {
  const uniform = uniformSource(seed);
  let spare: number | null = null;
  const normal = () => {
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
  return { uniform, normal };
}

export interface Component {
  weight: number;
  mean: Float64Array;
  /** Lower-triangular Cholesky factor of the covariance, row-major dim x dim. */
  chol: Float64Array;
}

export interface SyntheticModel {
  kind: 'gaussian' | 'mixture';
  dim: number;
  components: Component[];
  /** Faces the model was fitted on. */
  samples: number;
  /** For 'mixture': the weight of the global covariance in each cluster's, per cluster. */
  shrinkage: number[];
}

export function fitGaussian(rows: Float32Array, dim: number): SyntheticModel {
  const { mean, cov, n } = meanAndCovariance(rows, dim);
  addRidge(cov, dim);
  cholesky(cov, dim);
  return { kind: 'gaussian', dim, components: [{ weight: 1, mean, chol: cov }], samples: n, shrinkage: [] };
}

/** Spherical k-means (k-means++ seeding from `seed`), then one shrunk Gaussian per cluster. */
export function fitMixture(rows: Float32Array, dim: number, k: number, seed: number): SyntheticModel {
  const n = rows.length / dim;
  const rnd = randomSource(seed);
  const dotRow = (c: Float64Array, i: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += c[d]! * rows[i * dim + d]!;
    return s;
  };
  const centres: Float64Array[] = [Float64Array.from(rows.subarray(0, dim))];
  const best = new Float64Array(n).fill(-Infinity);
  while (centres.length < k) {
    const last = centres[centres.length - 1]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.max(best[i]!, dotRow(last, i));
      total += Math.max(0, 1 - best[i]!);
    }
    let r = rnd.uniform() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= Math.max(0, 1 - best[i]!);
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(Float64Array.from(rows.subarray(pick * dim, (pick + 1) * dim)));
  }
  const label = new Int32Array(n);
  for (let iter = 0; iter < 20; iter++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let arg = 0;
      let top = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = dotRow(centres[c]!, i);
        if (s > top) {
          top = s;
          arg = c;
        }
      }
      if (label[i] !== arg || iter === 0) moved++;
      label[i] = arg;
    }
    for (let c = 0; c < k; c++) {
      const sum = new Float64Array(dim);
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (label[i] !== c) continue;
        count++;
        for (let d = 0; d < dim; d++) sum[d]! += rows[i * dim + d]!;
      }
      const norm = Math.hypot(...sum);
      if (count > 0 && norm > 0) centres[c] = sum.map((x) => x / norm);
    }
    if (moved === 0) break;
  }
  const global = meanAndCovariance(rows, dim).cov;
  const components: Component[] = [];
  const shrinkage: number[] = [];
  for (let c = 0; c < k; c++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (label[i] === c) members.push(i);
    if (members.length < 2) continue;
    const sub = new Float32Array(members.length * dim);
    members.forEach((i, j) => sub.set(rows.subarray(i * dim, (i + 1) * dim), j * dim));
    const { mean, cov } = meanAndCovariance(sub, dim);
    // More shrinkage for smaller clusters: a cluster of m faces estimates at most m - 1 directions.
    const alpha = dim / (members.length + dim);
    for (let i = 0; i < cov.length; i++) cov[i] = (1 - alpha) * cov[i]! + alpha * global[i]!;
    addRidge(cov, dim);
    cholesky(cov, dim);
    components.push({ weight: members.length / n, mean, chol: cov });
    shrinkage.push(Math.round(alpha * 1000) / 1000);
  }
  return { kind: 'mixture', dim, components, samples: n, shrinkage };
}

function meanAndCovariance(rows: Float32Array, dim: number): { mean: Float64Array; cov: Float64Array; n: number } {
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
  for (let r = 0; r < dim; r++) for (let s = 0; s <= r; s++) cov[r * dim + s]! /= n - 1;
  return { mean, cov, n };
}

/** A small ridge on the diagonal (a millionth of the mean variance) so the factorisation exists. */
function addRidge(cov: Float64Array, dim: number): void {
  let trace = 0;
  for (let r = 0; r < dim; r++) trace += cov[r * dim + r]!;
  const ridge = 1e-6 * (trace / dim);
  for (let r = 0; r < dim; r++) cov[r * dim + r]! += ridge;
}

/** Cholesky-Banachiewicz, in place: the lower triangle becomes L, the upper is zeroed. */
function cholesky(cov: Float64Array, dim: number): void {
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
}

/**
 * Fills `out` (count rows) with unit-length draws; `onProgress` every 10,000 rows. Rows
 * are drawn in batches per component, so each entry of L is loaded once per batch rather
 * than once per row (the product is then bound by arithmetic, not memory).
 */
export function sampleRows(model: SyntheticModel, out: Float32Array, seed: number, onProgress?: (done: number) => void): void {
  const { dim, components } = model;
  const count = out.length / dim;
  const rnd = randomSource(seed);
  const total = components.reduce((s, c) => s + c.weight, 0);
  const BATCH = 64;
  // z and x are stored dimension-major ([d][b]) so the innermost loop runs over the batch.
  const z = new Float64Array(dim * BATCH);
  const x = new Float64Array(dim * BATCH);
  let next = 0;
  let reported = 0;
  while (next < count) {
    const b = Math.min(BATCH, count - next);
    let u = rnd.uniform() * total;
    const comp = components.find((c) => (u -= c.weight) < 0) ?? components[components.length - 1]!;
    for (let i = 0; i < dim * BATCH; i++) z[i] = rnd.normal();
    for (let i = 0; i < dim; i++) {
      const xi = i * BATCH;
      const m = comp.mean[i]!;
      for (let j = 0; j < b; j++) x[xi + j] = m;
      const off = i * dim;
      for (let k = 0; k <= i; k++) {
        const l = comp.chol[off + k]!;
        const zk = k * BATCH;
        for (let j = 0; j < b; j++) x[xi + j]! += l * z[zk + j]!;
      }
    }
    for (let j = 0; j < b; j++) {
      let ss = 0;
      for (let i = 0; i < dim; i++) ss += x[i * BATCH + j]! ** 2;
      const inv = 1 / Math.sqrt(ss);
      const o = (next + j) * dim;
      for (let i = 0; i < dim; i++) out[o + i] = x[i * BATCH + j]! * inv;
    }
    next += b;
    if (onProgress && next - reported >= 10_000) {
      reported = next - (next % 10_000);
      onProgress(reported);
    }
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
