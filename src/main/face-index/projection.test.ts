import { describe, expect, it } from 'vitest';
import { fitProjection, symmetricEigen } from '../../shared';
import { gaussian, normalise } from '../testing';
import { fitProjectionOffThread, project } from './projection';

/** n unit vectors in `dim` dimensions that lie in a random subspace of `rank` dimensions (plus `noise` off it). */
function lowRank(n: number, dim: number, rank: number, seed: number, noise = 0): Float32Array {
  const g = gaussian(seed);
  const axes = Array.from({ length: rank }, () => Float32Array.from({ length: dim }, g));
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const v = new Float32Array(dim);
    for (const axis of axes) {
      const c = g();
      for (let i = 0; i < dim; i++) v[i]! += c * axis[i]!;
    }
    for (let i = 0; i < dim; i++) v[i]! += noise * g();
    out.set(normalise(v), r * dim);
  }
  return out;
}

describe('symmetricEigen', () => {
  it('decomposes a symmetric matrix: A v = lambda v, orthonormal vectors, values in decreasing order', () => {
    const n = 40;
    const g = gaussian(11);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const x = g();
        a[i * n + j] = x;
        a[j * n + i] = x;
      }
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    for (let c = 0; c < n; c++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[k * n + c]!;
        expect(Math.abs(av - values[c]! * vectors[i * n + c]!)).toBeLessThan(1e-10);
      }
      for (const c2 of [0, 7, n - 1]) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + c]! * vectors[k * n + c2]!;
        expect(dot).toBeCloseTo(c === c2 ? 1 : 0, 10);
      }
    }
  });
});

describe('fitProjection', () => {
  const dim = 64;

  it('finds the rank of embeddings that lie in a subspace, keeps distances, and is deterministic', () => {
    const sample = lowRank(2000, dim, 12, 1);
    const p = fitProjection(sample, dim);
    expect(p).not.toBeNull();
    if (!p) return;
    // Unit vectors in a 12-D linear subspace: centred, they span 12 dimensions (11 where the mean leaves one direction empty).
    expect(p.d).toBeGreaterThanOrEqual(11);
    expect(p.d).toBeLessThanOrEqual(12);
    expect(p.retained).toBeGreaterThanOrEqual(0.999);
    expect(p.basis).toHaveLength(p.d * dim);
    const again = fitProjection(sample, dim)!;
    expect(again.basis).toEqual(p.basis);
    // Distances between faces survive the projection.
    const x = sample.subarray(0, dim);
    const y = sample.subarray(dim, 2 * dim);
    const px = project(p, x);
    const py = project(p, y);
    let full = 0;
    let projected = 0;
    for (let i = 0; i < dim; i++) full += (x[i]! - y[i]!) ** 2;
    for (let i = 0; i < p.d; i++) projected += (px[i]! - py[i]!) ** 2;
    expect(projected).toBeCloseTo(full, 4);
  });

  it('reports the share it keeps when the subspace holds most but not all of the variance', () => {
    const sample = lowRank(3000, dim, 10, 2, 0.01);
    const p = fitProjection(sample, dim, { retain: 0.95 })!;
    expect(p.retained).toBeGreaterThanOrEqual(0.95);
    expect(p.retained).toBeLessThan(1);
    expect(p.d).toBeLessThanOrEqual(10);
    expect(fitProjection(sample, dim, { retain: 1 })).toBeNull();
  });

  it('returns null for full-rank embeddings and for samples too small to tell', () => {
    expect(fitProjection(lowRank(2000, dim, dim, 3), dim)).toBeNull();
    expect(fitProjection(lowRank(30, dim, 5, 4), dim)).toBeNull();
  });

  it('rejects a sample that is not whole rows of finite numbers', () => {
    expect(() => fitProjection(new Float32Array(dim * 3 + 1), dim)).toThrow(/whole rows/);
    const bad = lowRank(100, dim, 5, 5);
    bad[7] = Number.NaN;
    expect(() => fitProjection(bad, dim)).toThrow(/finite/);
  });
});

describe('fitProjectionOffThread', () => {
  const dim = 64;

  it('fits in a worker thread the projection fitProjection gives, while this thread keeps serving its event loop', async () => {
    const sample = lowRank(4000, dim, 12, 6);
    let turns = 0;
    let fitting = true;
    const turn = () => {
      turns++;
      if (fitting) setImmediate(turn);
    };
    setImmediate(turn);
    const p = await fitProjectionOffThread(sample, dim);
    fitting = false;
    expect(p).toEqual(fitProjection(sample, dim));
    // Fitted in this thread, the event loop would not turn once until the fit returned.
    expect(turns).toBeGreaterThan(10);
  });

  it('passes on the fit\'s own clear refusal of a bad sample', async () => {
    await expect(fitProjectionOffThread(new Float32Array(dim * 3 + 1), dim)).rejects.toThrow(/whole rows/);
    expect(await fitProjectionOffThread(lowRank(30, dim, 5, 4), dim)).toBeNull();
  });
});
