import { seededRandom } from '../validation-stats';

/** Deterministic uniform deviates in [0, 1) (mulberry32), so a run can be repeated. */
export const uniformSource = seededRandom;

/** Deterministic standard normal deviates (mulberry32 + Box-Muller), so a failing test reproduces. */
export function gaussian(seed: number): () => number {
  const uniform = uniformSource(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A copy scaled to length 1, as the engine hands embeddings to the index. */
export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}
