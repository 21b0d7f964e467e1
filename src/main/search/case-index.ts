import { rmSync } from 'node:fs';
import path from 'node:path';
import { LoupeError, type IndexProgress } from '../../shared';
import { FaceIndex, type LoadOutcome, rebuildFaceIndex, type SearchOutcome } from '../face-index';
import { CASE_FILES, type CaseStore } from '../store';
import type { SearchPack } from './index';

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
  private ready: Promise<void> | null = null;
  /** The searches warm() runs after opening; close() waits for them. */
  private warming: Promise<unknown> = Promise.resolve();
  private closing = false;

  constructor(
    private readonly store: CaseStore,
    readonly modelId: string,
    readonly dim: number,
    private readonly emit: (e: IndexProgress) => void,
  ) {}

  /** Starts loading the saved index, or rebuilding it from the store; a search waits for it, a failure is kept for the search to report. */
  load(): Promise<void> {
    this.ready ??= this.open().catch((err: Error) => {
      this.failure = err;
    });
    return this.ready;
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
    // In the background: searches do not wait for it, they only find the index warm sooner.
    const index = this.index;
    this.warming = index
      .warm({ embeddings: (ids) => this.lookup(ids), stop: () => this.closing || !this.store.isOpen() })
      .catch((err: unknown) => console.warn('[loupe] warming the face index failed; the first search will be slower', err));
  }

  private lookup(ids: readonly number[]): (Float32Array | undefined)[] {
    const found = this.store.reads.embeddingsOf(ids);
    return ids.map((id) => found.get(id));
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
    await this.load();
    if (this.failure || !this.index) throw new LoupeError('unavailable', `The face index could not be opened (${this.failure?.message ?? 'unknown reason'}); close and reopen the case to rebuild it.`);
    return this.index.search(query, k, { allowed, embeddings: (ids) => this.lookup(ids) });
  }

  /** Stops this index's background work; it is never saved (its faces' embeddings are being replaced). */
  abandon(): void {
    this.closing = true;
  }

  /** Persists the index if it changed; where it cannot be kept encrypted it is rebuilt next time instead. */
  async close(): Promise<void> {
    if (!this.ready) return;
    this.closing = true;
    await this.ready;
    await this.warming;
    if (!this.index || !this.dirty) return;
    try {
      await this.index.save(this.file, this.store.subkey('face-index'));
      this.dirty = false;
    } catch (err) {
      if (!(err instanceof LoupeError && err.code === 'unavailable')) throw err;
    }
  }
}

/**
 * The case's face index as a case-scoped service: opened for the pack in use on first use (a
 * case that is only looked at never builds one), or at once by openInBackground() for a case
 * that has faces, so imports keep it current and closing saves it.
 */
export class FaceIndexService {
  private index: CaseFaceIndex | null = null;

  constructor(
    private readonly store: CaseStore,
    private readonly pack: () => Promise<SearchPack>,
    private readonly emit: (e: IndexProgress) => void,
  ) {}

  async get(): Promise<CaseFaceIndex> {
    if (!this.index) {
      const pack = await this.pack();
      if (!this.index) {
        this.index = new CaseFaceIndex(this.store, pack.model, pack.manifest.embedder.embeddingSize, this.emit);
        void this.index.load();
      }
    }
    return this.index;
  }

  /** Opens the index without waiting for it; a failure is logged, and the next use tries again. */
  openInBackground(): void {
    void this.get().catch((err: unknown) => console.error('[loupe] the face index could not be opened', err));
  }

  /** Faces join the index as they are stored; the first ones open it (from the store, which already holds them). */
  add(faces: { id: number; embedding: Float32Array; model: string }[]): void {
    if (this.index) this.index.add(faces);
    else this.openInBackground();
  }

  /**
   * Drops the index and its saved file, at once (a pack change is about to replace the
   * embeddings it was built from): the next use rebuilds it from the store.
   */
  discard(): void {
    this.index?.abandon();
    this.index = null;
    rmSync(path.join(this.store.folder, CASE_FILES.faceIndex), { force: true });
  }

  /** Saves the index if it was opened and changed; if it cannot be saved it is rebuilt on the next open. */
  async close(): Promise<void> {
    await this.index?.close().catch((err: unknown) => console.error('[loupe] the face index could not be saved; it will be rebuilt on open', err));
  }
}
