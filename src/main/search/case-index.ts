import path from 'node:path';
import { LoupeError, type IndexProgress } from '../../shared';
import { FaceIndex, type LoadOutcome, rebuildFaceIndex, type SearchOutcome } from '../face-index';
import { CASE_FILES, type CaseStore } from '../store';

/**
 * The open case's face index for the current model: loaded from its encrypted file when
 * that is current, otherwise rebuilt from the store (the record) with progress, and saved
 * again when the case closes. Faces imported meanwhile are added as they are stored.
 */
export class CaseFaceIndex {
  private index: FaceIndex | null = null;
  private readonly pending: { id: number; embedding: Float32Array }[] = [];
  private dirty = false;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly store: CaseStore,
    readonly modelId: string,
    readonly dim: number,
    private readonly emit: (e: IndexProgress) => void,
  ) {
    this.ready = this.open().catch((err: Error) => {
      this.failure = err;
    });
  }

  private get file(): string {
    return path.join(this.store.folder, CASE_FILES.faceIndex);
  }

  private async open(): Promise<void> {
    const expected = this.store.reads.countFacesOf(this.modelId);
    this.emit({ type: 'index.progress', stage: 'loading', done: 0, total: expected });
    // The index is derived data: whatever keeps the saved one from loading (an I/O error included), the store rebuilds it.
    const loaded = await FaceIndex.load(this.file, this.store.subkey('face-index'), { modelId: this.modelId, dim: this.dim, expectedCount: expected }).catch(
      (err: unknown): LoadOutcome => ({ status: 'unreadable', reason: err instanceof Error ? err.message : String(err) }),
    );
    if (loaded.status === 'loaded') {
      this.index = loaded.index;
    } else {
      if (loaded.status !== 'missing') console.warn(`[loupe] rebuilding the face index: ${loaded.reason}`);
      // Missing, stale (another model, faces added since) or unreadable: the store is the record.
      this.index = await rebuildFaceIndex(this.store.reads.embeddings(this.modelId), {
        dim: this.dim,
        modelId: this.modelId,
        expectedCount: expected,
        onProgress: (done, total) => this.emit({ type: 'index.progress', stage: 'rebuilding', done, total: total ?? null }),
      });
      this.dirty = true;
    }
    for (const f of this.pending.splice(0)) this.index.add(f.id, f.embedding);
    this.emit({ type: 'index.progress', stage: 'ready', done: this.index.size, total: this.index.size });
  }

  add(faces: { id: number; embedding: Float32Array; model: string }[]): void {
    for (const f of faces) {
      if (f.model !== this.modelId) continue;
      if (this.index) this.index.add(f.id, f.embedding);
      else this.pending.push(f);
      this.dirty = true;
    }
  }

  async search(query: Float32Array, k: number, allowed: ReadonlySet<number>): Promise<SearchOutcome> {
    await this.ready;
    if (this.failure || !this.index) throw new LoupeError('unavailable', `The face index could not be opened (${this.failure?.message ?? 'unknown reason'}); close and reopen the case to rebuild it.`);
    return this.index.search(query, k, {
      allowed,
      embeddings: (ids) => {
        const found = this.store.reads.embeddingsOf(ids);
        return ids.map((id) => found.get(id));
      },
    });
  }

  /** Persists the index if it changed; where it cannot be kept encrypted it is rebuilt next time instead. */
  async close(): Promise<void> {
    await this.ready;
    if (!this.index || !this.dirty) return;
    try {
      await this.index.save(this.file, this.store.subkey('face-index'));
      this.dirty = false;
    } catch (err) {
      if (!(err instanceof LoupeError && err.code === 'unavailable')) throw err;
    }
  }
}
