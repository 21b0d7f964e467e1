import { dotAt, LoupeError } from '../../shared';

/** One gallery face and its cosine similarity with the probe. */
export interface Candidate {
  id: number;
  score: number;
}

/** Higher score first; equal scores by lower id, so results never depend on insertion order. */
const better = (sa: number, ia: number, sb: number, ib: number): boolean => sa > sb || (sa === sb && ia < ib);

/**
 * The k best (id, score) pairs seen so far: a binary heap whose root is the worst kept
 * entry, so a new entry costs O(1) when it does not make the list and O(log k) when it does.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly ids: Float64Array;
  private count = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(1, k));
    this.ids = new Float64Array(Math.max(1, k));
  }

  /** The score a new entry must beat to be kept (-Infinity until the list is full). */
  get floor(): number {
    return this.count < this.k ? -Infinity : this.scores[0]!;
  }

  push(id: number, score: number): void {
    if (this.k === 0) return;
    if (this.count < this.k) {
      let i = this.count++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(this.scores[p]!, this.ids[p]!, score, id)) break;
        this.scores[i] = this.scores[p]!;
        this.ids[i] = this.ids[p]!;
        i = p;
      }
      this.scores[i] = score;
      this.ids[i] = id;
      return;
    }
    if (!better(score, id, this.scores[0]!, this.ids[0]!)) return;
    let i = 0;
    const n = this.count;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      // Sift toward the worse child: the root must stay the worst entry.
      const w = r < n && better(this.scores[l]!, this.ids[l]!, this.scores[r]!, this.ids[r]!) ? r : l;
      if (!better(score, id, this.scores[w]!, this.ids[w]!)) break;
      this.scores[i] = this.scores[w]!;
      this.ids[i] = this.ids[w]!;
      i = w;
    }
    this.scores[i] = score;
    this.ids[i] = id;
  }

  /** Best first. */
  result(): Candidate[] {
    const out: Candidate[] = [];
    for (let i = 0; i < this.count; i++) out.push({ id: this.ids[i]!, score: this.scores[i]! });
    return out.sort((a, b) => (better(a.score, a.id, b.score, b.id) ? -1 : 1));
  }
}

/**
 * Exhaustive search: the k rows of `matrix` (row i belongs to ids[i], rows L2-normalised,
 * row length = query length) with the highest inner product with the query, best first.
 * Exact by construction, so it is both the small-gallery search and the yardstick the
 * approximate search is measured against.
 */
export function exactTopK(query: Float32Array, matrix: Float32Array, ids: ArrayLike<number>, k: number): Candidate[] {
  const dim = query.length;
  if (dim === 0 || matrix.length !== ids.length * dim) {
    throw new LoupeError('invalid_input', `The matrix holds ${matrix.length} values, which is not ${ids.length} rows of ${dim}: pass one row of the query's length per id.`);
  }
  const top = new TopK(Math.min(k, ids.length));
  let floor = top.floor;
  for (let row = 0, off = 0; row < ids.length; row++, off += dim) {
    const s = dotAt(query, matrix, off);
    if (s >= floor) {
      top.push(ids[row]!, s);
      floor = top.floor;
    }
  }
  return top.result();
}
