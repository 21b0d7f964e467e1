import { dotAt } from '../../shared';
import { type Candidate, TopK, exactTopK } from './exact';

/**
 * Unit-length embeddings in one contiguous Float32Array (row i belongs to ids[i]), for
 * exhaustive search of small galleries. Removal moves the last row into the hole, so rows
 * stay contiguous and a scan never meets a gap.
 */
export class FlatGallery {
  private data: Float32Array;
  private readonly ids: number[] = [];
  private readonly rowOf = new Map<number, number>();

  constructor(readonly dim: number, capacity = 256) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
  }

  get size(): number {
    return this.ids.length;
  }

  set(id: number, unit: Float32Array): void {
    const row = this.rowOf.get(id);
    if (row !== undefined) {
      this.data.set(unit, row * this.dim);
      return;
    }
    if ((this.ids.length + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(unit, this.ids.length * this.dim);
    this.rowOf.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: number): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    if (row !== last) {
      const moved = this.ids[last]!;
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.ids[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
  }

  search(query: Float32Array, k: number): Candidate[] {
    return exactTopK(query, this.data.subarray(0, this.ids.length * this.dim), this.ids, k);
  }

  /** Exhaustive over the allowed ids only (ids not in the gallery are ignored). */
  searchAmong(query: Float32Array, k: number, allowed: Iterable<number>): { candidates: Candidate[]; scored: number } {
    const top = new TopK(k);
    let scored = 0;
    for (const id of allowed) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      scored++;
      top.push(id, dotAt(query, this.data, row * this.dim));
    }
    return { candidates: top.result(), scored };
  }
}
