import { setMaxListeners } from 'node:events';
import { type CasePack, fuseTemplate, LoupeError, type ModelPack, PackChange, type PackChangeProgress, type ReembedRequest } from '../../shared';
import type { AuditEntry } from '../audit';
import { createFacePool, type FacePool } from '../face-pool';
import { installedManifest, loadPack } from '../models';
import type { CaseStore, PackChangeRow } from '../store';
import { casePack, manifestAt, packRecord } from './pack';

/** Faces read, encoded and staged together: one transaction per chunk, so a kill loses at most one chunk's work. */
const CHUNK = 32;
/** Progress is pushed at most this often. */
const EMIT_MS = 250;

export interface PackChangeDeps {
  store: CaseStore;
  modelsDir: string;
  now: () => Date;
  emit: (p: PackChangeProgress) => void;
  /** Appends to the case's audit chain. */
  audit: (entry: AuditEntry) => void;
  /** Why the case cannot change its pack now (an import under way), or null. */
  busy: () => string | null;
  /** Says the change is under way (the case refuses imports meanwhile), or over (null). */
  changing: (what: string | null) => void;
  /** Run just before the swap's transaction, in the same tick: the face index of the old embeddings is dropped. */
  beforeSwap: () => void;
  /** Run just after it: the case's pack is loaded again from its new record, and its index rebuilt. */
  afterSwap: () => void;
  /** Workers for the new pack; one per core unless given (tests). */
  poolSize?: number;
}

const packLabel = (p: CasePack) => `${p.name} ${p.version}`;
const samePack = (a: CasePack, b: CasePack) => a.name === b.name && a.version === b.version && JSON.stringify(a.files) === JSON.stringify(b.files);

/** A change as its call records it: new, or resumed from what an earlier attempt staged. */
export interface PackChangeStart {
  id: number;
  resumed: boolean;
  change: PackChange;
}

export function toPackChange(r: PackChangeRow): PackChange {
  return PackChange.parse({ ...r, from: JSON.parse(r.fromPack), to: JSON.parse(r.toPack) });
}

/**
 * Changing the open case's model pack: a supervisor's recorded decision. Every face the case
 * holds (removed ones too, so none stays in the old embedding space) is encoded again by the
 * new pack's embedder from its stored aligned crop, aligned again to the new pack's template
 * when that differs. The case keeps its detections (boxes, landmarks, quality): the new pack's
 * detector is not run. New embeddings are staged chunk by chunk in the case (pack_change_faces);
 * until the last one is staged the case's faces, index and pack are untouched, so searches use
 * the old pack throughout. Then one transaction puts them on the faces (keeping the old ones
 * beside them), fuses the video tracks' templates again, records the new pack (how 'changed')
 * and the audit record. A change cut short (the case closed, the process killed) is
 * 'interrupted'; asking for the same pack again resumes it from what is staged.
 */
export class PackChangeService {
  private running: { id: number; stop: AbortController; done: Promise<void> } | null = null;

  constructor(private readonly deps: PackChangeDeps) {}

  /** Run when the case opens: nothing can be running yet, so a change still marked 'running' was cut off. */
  markCutOff(): void {
    this.deps.store.writes.markPackChangesInterrupted();
  }

  list(): PackChange[] {
    return this.deps.store.reads.packChanges().map(toPackChange);
  }

  get(id: number): PackChange {
    const r = this.deps.store.reads.packChange(id);
    if (!r) throw new LoupeError('not_found', `No pack change ${id} in this case.`);
    return toPackChange(r);
  }

  /**
   * Checks and starts (or resumes) a change to the installed pack `name`; `record` writes the
   * change's row with the call's audit record (ctx.commit). The encoding runs on after it returns.
   */
  async start(name: string, reason: string, by: string, record: (write: () => PackChangeStart) => PackChangeStart): Promise<PackChangeStart> {
    this.refuseIfBusy();
    const from = casePack(this.deps.store);
    if (!from) throw new LoupeError('conflict', 'This case has no model pack recorded yet; open it once with a pack installed, then change it.');
    let manifest: ModelPack;
    try {
      manifest = await installedManifest(this.deps.modelsDir, name);
    } catch (err) {
      if (err instanceof LoupeError && err.code === 'not_found') {
        throw new LoupeError('not_found', `Model pack ${name} is not installed on this workstation; install it first (loupe models install ${name}), then change the case's pack.`, 'pack');
      }
      throw err;
    }
    // The files are checked now, so a damaged pack is refused before anything is written.
    await loadPack(this.deps.modelsDir, name);
    const target = packRecord(manifest, 'changed', by, reason, this.deps.now());
    if (samePack(from, target)) throw new LoupeError('conflict', `This case already uses model pack ${packLabel(from)}; there is nothing to change.`, 'pack');
    const old = await manifestAt(this.deps.modelsDir, from.name, from.version);
    if (!old) {
      throw new LoupeError('conflict', `The case's pack ${packLabel(from)} is neither installed nor known to this version of Loupe, so how its faces were aligned is not known; install ${packLabel(from)} first.`, 'pack');
    }
    const pending = this.deps.store.reads.packChanges().find((c) => c.status === 'interrupted' || c.status === 'failed' || c.status === 'running');
    const facesTotal = this.deps.store.reads.countAllFaces();
    const { id, resumed } = record(() => {
      this.refuseIfBusy();
      let started: { id: number; resumed: boolean };
      if (pending && samePack(JSON.parse(pending.toPack) as CasePack, target)) {
        this.deps.store.writes.resumePackChange(pending.id, facesTotal);
        started = { id: pending.id, resumed: true };
      } else {
        // A change to another pack that never finished is given up: nothing of it reached the faces.
        if (pending) this.deps.store.writes.finishPackChange(pending.id, 'failed', this.deps.now().toISOString(), `Given up for a change to ${packLabel(target)}.`);
        const created = this.deps.store.writes.startPackChange({ fromPack: JSON.stringify(from), toPack: JSON.stringify(target), reason, startedBy: by, startedAt: this.deps.now().toISOString(), facesTotal });
        started = { id: created, resumed: false };
      }
      return { ...started, change: this.get(started.id) };
    });
    this.launch(id, old, by);
    return { id, resumed, change: this.get(id) };
  }

  /** Waits for the running change, if any (CLI and tests). */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  /** Stops a running change before the case closes; what is staged stays, to be resumed. */
  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.stop.abort();
    await r.done;
  }

  private refuseIfBusy(): void {
    if (this.running) throw new LoupeError('conflict', "The case's model pack is already being changed; wait for it to finish.");
    const busy = this.deps.busy();
    if (busy) throw new LoupeError('conflict', busy);
    const cutOff = this.deps.store.reads.batches().find((b) => b.status === 'running' || b.status === 'interrupted');
    if (cutOff || this.deps.store.reads.countStagedVideos() > 0) {
      throw new LoupeError(
        'conflict',
        `An import of this case was cut short${cutOff ? ` (batch ${cutOff.id}, started ${cutOff.startedAt})` : ''} and holds faces not yet stored; resume it or cancel it first, so that every face of the case is encoded by one pack.`,
      );
    }
  }

  private launch(id: number, old: ModelPack, by: string): void {
    const stop = new AbortController();
    // Each face of a chunk being encoded listens to it.
    setMaxListeners(CHUNK + 8, stop.signal);
    this.deps.changing(`The case's model pack is being changed (change ${id}); import when it is done.`);
    const done = this.run(id, old, by, stop.signal).finally(() => {
      this.running = null;
      this.deps.changing(null);
    });
    this.running = { id, stop, done };
  }

  private progress(c: PackChange, stage: PackChangeProgress['stage'], done: number): void {
    this.deps.emit({ type: 'pack.progress', changeId: c.id, status: c.status, stage, done, total: c.facesTotal, pack: packLabel(c.to) });
  }

  private async run(id: number, old: ModelPack, by: string, signal: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const change = this.get(id);
    let pool: FacePool | null = null;
    try {
      pool = await createFacePool({ pack: await loadPack(this.deps.modelsDir, change.to.name), ...(this.deps.poolSize ? { size: this.deps.poolSize } : {}) });
      const from = { template: old.embedder.alignmentTemplate as [number, number][], width: old.embedder.inputSize.width, height: old.embedder.inputSize.height };
      let done = change.facesDone;
      let lastEmit = 0;
      this.progress(change, 'encoding', done);
      for (let after = 0; ; ) {
        const faces = store.reads.facesToReencode(id, after, CHUNK);
        if (faces.length === 0) break;
        const p = pool;
        const encoded = await Promise.all(
          faces.map(async (f) => {
            const face: ReembedRequest = { aligned: new Uint8Array(f.aligned), landmarks5: JSON.parse(f.landmarks) as ReembedRequest['landmarks5'], from };
            try {
              return { id: f.id, embedding: await p.reembed(face, signal) };
            } catch (err) {
              if (err instanceof LoupeError && err.code === 'cancelled') throw err;
              throw new LoupeError('integrity', `Face ${f.id} could not be encoded again (${(err as Error).message}); nothing was changed. Ask for the change again to resume it.`);
            }
          }),
        );
        if (signal.aborted || !store.isOpen()) throw new LoupeError('cancelled', 'The case was closed.');
        store.writes.stageReencoded(id, encoded);
        done += encoded.length;
        after = faces[faces.length - 1]!.id;
        if (performance.now() - lastEmit > EMIT_MS) {
          lastEmit = performance.now();
          this.progress(change, 'encoding', done);
        }
      }
      this.progress(change, 'swapping', done);
      this.swap(change, by);
      this.progress(this.get(id), 'done', done);
    } catch (err) {
      const cancelled = signal.aborted || (err instanceof LoupeError && err.code === 'cancelled');
      if (!store.isOpen()) return;
      const status = cancelled ? 'interrupted' : 'failed';
      const reason = (err as Error).message;
      store.transaction(() => {
        store.writes.finishPackChange(id, status, this.deps.now().toISOString(), cancelled ? null : reason);
        if (!cancelled) this.deps.audit({ user: by, action: 'cases.packChangeFailed', object: `pack-change:${id}`, outcome: 'failed', details: { from: packLabel(change.from), to: packLabel(change.to), reason } });
      });
      const now = this.get(id);
      this.progress(now, cancelled ? 'interrupted' : 'failed', now.facesDone);
    } finally {
      await pool?.close();
    }
  }

  /** Drops the old index, swaps (swapInTransaction), then has the pack and index loaded again, in one tick so no search sees a mix. */
  private swap(change: PackChange, by: string): void {
    this.deps.beforeSwap();
    try {
      this.swapInTransaction(change, by);
    } finally {
      this.deps.afterSwap();
    }
  }

  /** Puts the staged embeddings on the faces, fuses the tracks' templates again and records the new pack, all in one transaction with the audit record. */
  private swapInTransaction(change: PackChange, by: string): void {
    const { store } = this.deps;
    store.transaction(() => {
      // Faces still unstaged (none, unless something got round the import guard) would be left in the old space.
      if (store.reads.facesToReencode(change.id, 0, 1).length > 0) throw new LoupeError('conflict', 'Faces were added to the case while its pack was being changed; ask for the change again to encode them too.');
      const faces = store.writes.swapReencoded(change.id, change.to.embedder);
      let tracks = 0;
      for (const trackId of store.reads.templatedTracks()) {
        const members = store.reads.trackFaces(trackId);
        if (members.length === 0) continue;
        const t = fuseTemplate(members.map((m) => ({ embedding: m.embedding, quality: m.quality })));
        store.writes.setTrackTemplate(trackId, t.embedding, t.faces);
        tracks++;
      }
      const at = this.deps.now().toISOString();
      store.writes.setCaseMeta('pack', JSON.stringify({ ...change.to, recordedAt: at }));
      store.writes.finishPackChange(change.id, 'done', at, null);
      this.deps.audit({
        user: by,
        action: 'cases.packChanged',
        object: `pack-change:${change.id}`,
        outcome: 'ok',
        details: {
          from: { name: change.from.name, version: change.from.version, embedder: change.from.embedder },
          to: { name: change.to.name, version: change.to.version, embedder: change.to.embedder },
          reason: change.reason,
          facesReencoded: faces,
          tracksFused: tracks,
          detections: 'kept',
        },
      });
    });
  }
}
