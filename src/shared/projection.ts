/*
 * The subspace the graph is built in. The recogniser's embeddings lie close to a
 * low-dimensional linear subspace (a few hundred of the 512 principal components
 * explain nearly all the variance: docs/figures.md, "Face search"). The HNSW graph only has to find candidates,
 * and the exact 512-D re-rank decides the order, so the graph can compare the projections
 * onto that subspace instead: distances between faces are kept up to the variance left out,
 * and every distance the walk computes is d/512 of the cost (bench/search.ts finds the same
 * recall at the same beam in less time).
 */
import { LoupeError } from './errors';

export interface Projection {
  /** Components kept: the graph's dimension. */
  d: number;
  /** Embedding size the basis applies to. */
  dim: number;
  /** d orthonormal rows of dim values (row-major), principal directions by decreasing variance. */
  basis: Float32Array;
  /** Share of the fitted sample's variance the d components explain. */
  retained: number;
}

export interface FitOptions {
  /** Keep the fewest components that explain at least this share of the variance. */
  retain?: number;
  /** A projection keeping more than this share of the dimensions saves too little to be worth it: none is returned. */
  maxShare?: number;
}

/** The share of variance a fit keeps by default; a projected index whose added faces keep clearly less is rebuilt (see FaceIndex). */
export const PROJECTION_RETAIN = 0.999;
/** Faces a rebuild fits the projection on: enough for a stable 512 x 512 covariance. */
export const PROJECTION_SAMPLE = 20_000;

/**
 * Principal components of a sample of embeddings (`sample` holds n rows of `dim` values).
 * The graph compares differences between embeddings, so the covariance is centred on the
 * sample mean. Deterministic: the same sample gives the same basis. Null when the
 * embeddings do not lie in a subspace small enough to help (or the sample is too small to
 * tell), in which case the graph stays in the full space.
 */
export function fitProjection(sample: Float32Array, dim: number, o: FitOptions = {}): Projection | null {
  const retain = o.retain ?? PROJECTION_RETAIN;
  const maxShare = o.maxShare ?? 0.75;
  if (!Number.isInteger(dim) || dim < 1) throw new LoupeError('invalid_input', `Embedding size ${dim} must be a positive whole number.`);
  if (!(retain > 0 && retain <= 1)) throw new LoupeError('invalid_input', `The variance share to retain must be above 0 and at most 1 (got ${retain}).`);
  if (!(maxShare > 0 && maxShare <= 1)) throw new LoupeError('invalid_input', `The largest share of dimensions to keep must be above 0 and at most 1 (got ${maxShare}).`);
  if (sample.length % dim !== 0) throw new LoupeError('invalid_input', `The sample holds ${sample.length} values, which is not whole rows of ${dim}.`);
  const n = sample.length / dim;
  for (let i = 0; i < sample.length; i++) {
    if (!Number.isFinite(sample[i]!)) throw new LoupeError('invalid_input', `Sample row ${Math.floor(i / dim)} holds a value that is not a finite number.`);
  }
  // Fewer rows than dimensions cannot show which directions the embedder never uses.
  if (n < Math.max(2, dim)) return null;
  const { values, vectors } = symmetricEigen(covariance(sample, n, dim), dim);
  let total = 0;
  for (let i = 0; i < dim; i++) total += Math.max(0, values[i]!);
  if (total === 0) return null;
  let kept = 0;
  let d = 0;
  while (d < dim && kept / total < retain) kept += Math.max(0, values[d++]!);
  if (d > maxShare * dim) return null;
  const basis = new Float32Array(d * dim);
  for (let r = 0; r < d; r++) for (let c = 0; c < dim; c++) basis[r * dim + c] = vectors[c * dim + r]!;
  return { d, dim, basis, retained: Math.min(1, kept / total) };
}

/** Covariance of the rows about their mean (dim x dim, row-major, Float64), in blocks of rows so the inner loop runs over contiguous memory. */
function covariance(x: Float32Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let r = 0, off = 0; r < n; r++, off += dim) for (let j = 0; j < dim; j++) mean[j]! += x[off + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= n;
  const B = 256;
  // One block of centred rows, column-major: block[j * B + r].
  const block = new Float64Array(dim * B);
  const cov = new Float64Array(dim * dim);
  for (let r0 = 0; r0 < n; r0 += B) {
    const rows = Math.min(B, n - r0);
    block.fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0, off = (r0 + r) * dim; j < dim; j++) block[j * B + r] = x[off + j]! - mean[j]!;
    for (let i = 0; i < dim; i++) {
      const oi = i * B;
      for (let j = i; j < dim; j++) {
        const oj = j * B;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let r = 0; r < B; r += 4) {
          a0 += block[oi + r]! * block[oj + r]!;
          a1 += block[oi + r + 1]! * block[oj + r + 1]!;
          a2 += block[oi + r + 2]! * block[oj + r + 2]!;
          a3 += block[oi + r + 3]! * block[oj + r + 3]!;
        }
        cov[i * dim + j]! += a0 + a1 + a2 + a3;
      }
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j]! / n;
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  }
  return cov;
}

/**
 * Eigenvalues (decreasing) and eigenvectors (column i of `vectors`, row-major n x n) of a
 * symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL method
 * (tred2 and tql2 of EISPACK, as in JAMA). O(n^3), and much faster than cyclic Jacobi at 512 x 512 (docs/figures.md).
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new LoupeError('invalid_input', `A ${n} x ${n} matrix needs ${n * n} values (got ${a.length}).`);
  const V = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalise(V, d, e, n);
  transpose(V, n);
  diagonalise(V, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[q]! - d[p]! || p - q);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[src * n + k]!;
  });
  return { values, vectors };
}

/** Householder reduction of the symmetric matrix in V to tridiagonal (diagonal d, sub-diagonal e); V becomes the orthogonal transform. */
function tridiagonalise(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j * n + i] = f;
        g = e[j]! + V[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!;
          e[k]! += V[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!;
    V[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!;
        for (let k = 0; k <= i; k++) V[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!;
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function transpose(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = m[i * n + j]!;
      m[i * n + j] = m[j * n + i]!;
      m[j * n + i] = t;
    }
  }
}

/** Implicit QL iterations on the tridiagonal matrix (d, e), accumulating the rotations into the rows of V; d ends as the eigenvalues. */
function diagonalise(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        // Converges in two or three iterations per eigenvalue; this many means the input was not a real symmetric matrix.
        if (++iterations > 100) throw new LoupeError('internal', 'The eigen decomposition did not converge.');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          // Vectors are rows here, so a rotation runs over two contiguous rows.
          for (let k = 0, ri = i * n, rj = ri + n; k < n; k++) {
            h = V[rj + k]!;
            V[rj + k] = s * V[ri + k]! + c * h;
            V[ri + k] = c * V[ri + k]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
