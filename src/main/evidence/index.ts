import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isImageType,
  isVideoType,
  LoupeError,
  MAX_IMAGE_PIXELS,
  CASE_MEDIA_REF,
  sniffFileType,
  type AnalysedFace,
  type ExhibitCheck,
  type ExhibitDetails,
  type ExhibitSummary,
  type FaceSummary,
  type FileType,
  type ImportBatch,
  type ImportOptions,
  type ImportProgress,
  type ModelPack,
} from '../../shared';
import type { AuditEntry } from '../audit';
import { randomId, sha256File, sha256Hex } from '../crypto';
import type { FacePool } from '../engine';
import type { CaseStore, NewExhibit, NewFace, NewFrame, NewTrack } from '../store';
import { frameJpeg, frameThumb, imageDisplay } from './renditions';
import { listSourceFiles } from './sources';
import { buildTracks } from './tracking';
import { sampleVideo, type VideoFacts } from './video';

/** The face engine an import runs on: a worker pool over one verified model pack. */
export interface Engine {
  pool: FacePool;
  pack: ModelPack;
  /** Embedding space id stored with every face. */
  model: string;
  /** Similarity above which two faces of one video are linked into a track. */
  trackThreshold: number;
}

export interface EvidenceDeps {
  store: CaseStore;
  engine(): Promise<Engine>;
  /** Appends to the case's audit chain (and moves the workstation's anchor). */
  audit(entry: AuditEntry): void;
  emit(progress: ImportProgress): void;
  /** New faces, as they are stored (the face index takes them from here). */
  onFaces(faces: { id: number; embedding: Float32Array; model: string }[]): void;
  now(): Date;
}

type Settings = Required<Omit<ImportOptions, 'exhibitRef'>> & { exhibitRef: string | null };

/** Image files above this size are refused before reading; videos are streamed. */
const MAX_IMAGE_BYTES = 512 * 1024 * 1024;
const SNIFF_BYTES = 4100;

interface Running {
  batchId: string;
  controller: AbortController;
  done: Promise<void>;
  status: ImportBatch['status'];
  /** Why the batch as a whole failed, if it did. */
  error?: Error;
}

interface Counters {
  total: number;
  done: number;
  failed: number;
  duplicates: number;
  faces: number;
  startedAt: number;
  current: string | null;
  lastEmit: number;
}

/**
 * Import of evidence into the open case. Every file is read read-only, hashed, typed from
 * its bytes and analysed from exactly the bytes that were hashed. Each exhibit goes into
 * the store in one transaction with its faces and its audit record, so a process killed
 * mid-import leaves whole exhibits only, and a resumed batch skips what is there.
 */
export class EvidenceService {
  private running: Running | null = null;
  /** Probe and reference images imported beside a batch. */
  private readonly singles = new Set<Running>();
  /** Imports under way by content hash, so two copies of one file in a batch are one exhibit and a duplicate. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: EvidenceDeps) {
    // Nothing can be running in a case that was just opened: a 'running' batch was cut off.
    deps.store.writes.markInterrupted();
  }

  async start(paths: string[], options: ImportOptions, user: string): Promise<{ batchId: string; filesTotal: number }> {
    this.refuseIfRunning();
    const { batchId, files, settings } = await this.newBatch(paths, options, user);
    this.launch(batchId, files, settings, user);
    return { batchId, filesTotal: files.length };
  }

  /** Lists the files first (a missing path is refused before anything is recorded), then records the batch. */
  private async newBatch(paths: string[], options: ImportOptions, user: string) {
    const files = await listSourceFiles(paths);
    const settings = this.settings(options);
    const batchId = randomId();
    const sources = paths.map((p) => path.resolve(p));
    this.deps.store.writes.startBatch({ id: batchId, startedAt: this.deps.now().toISOString(), startedBy: user, sources, options: settings, exhibitRef: settings.exhibitRef });
    this.deps.store.writes.setBatchTotal(batchId, files.length);
    return { batchId, files, settings };
  }

  async resume(batchId: string, user: string): Promise<{ batchId: string; filesTotal: number }> {
    this.refuseIfRunning();
    const batch = this.batch(batchId);
    if (batch.status === 'done') throw new LoupeError('conflict', 'This import finished; there is nothing to resume.');
    const files = await listSourceFiles(batch.sources);
    const settings = this.settings(this.deps.store.reads.batchOptions(batchId) as ImportOptions);
    this.deps.store.writes.finishBatch(batchId, 'running', null);
    this.deps.store.writes.setBatchTotal(batchId, files.length);
    this.launch(batchId, files, settings, user);
    return { batchId, filesTotal: files.length };
  }

  cancel(batchId: string): ImportBatch {
    const batch = this.batch(batchId);
    if (this.running?.batchId === batchId) {
      this.running.status = 'cancelled';
      this.running.controller.abort();
    }
    return batch;
  }

  /** Stops a running import before the case closes; it can be resumed later. */
  async stop(): Promise<void> {
    const all = [...this.singles, ...(this.running ? [this.running] : [])];
    for (const r of all) {
      r.status = 'interrupted';
      r.controller.abort();
    }
    await Promise.all(all.map((r) => r.done));
  }

  /**
   * Imports one probe or reference image at once and returns it with its faces. It runs
   * beside a batch import, if one is running, as a batch of its own.
   */
  async importSingle(file: string, options: ImportOptions, user: string): Promise<ExhibitDetails> {
    // A folder would import every file in it as a probe (or reference) image.
    if ((await stat(file).catch(() => null))?.isDirectory()) {
      throw new LoupeError('invalid_input', `${path.resolve(file)} is a folder; a probe or reference is one image file.`, 'path');
    }
    const { batchId, files, settings } = await this.newBatch([file], options, user);
    const single = this.execute(batchId, files, settings, user);
    this.singles.add(single);
    try {
      await single.done;
    } finally {
      this.singles.delete(single);
    }
    if (single.error) throw single.error;
    const [exhibitId] = this.deps.store.reads.exhibitsOfBatch(batchId);
    if (exhibitId === undefined) throw new LoupeError('not_found', `${file} was not imported.`);
    const d = this.get(exhibitId);
    if (d.exhibit.status === 'duplicate' && d.exhibit.duplicateOf !== null) return this.get(d.exhibit.duplicateOf);
    if (d.exhibit.status === 'failed') throw new LoupeError('unsupported_file', d.exhibit.failure ?? 'The image could not be read.');
    if (d.exhibit.kind !== 'image') throw new LoupeError('unsupported_file', 'A probe or reference must be a still image; pick a face from the video instead.');
    return d;
  }

  /** Waits for the running import, if any (CLI and tests). */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  batches(): ImportBatch[] {
    return this.deps.store.reads.batches();
  }

  list(offset: number, limit: number, status?: 'done' | 'failed' | 'duplicate') {
    return this.deps.store.reads.exhibitsPage(offset, limit, status);
  }

  get(exhibitId: number): ExhibitDetails {
    const exhibit = this.deps.store.reads.exhibit(exhibitId);
    if (!exhibit) throw new LoupeError('not_found', `No exhibit ${exhibitId} in this case.`, 'exhibitId');
    const r = this.deps.store.reads;
    return { exhibit, faces: r.faces(exhibitId), tracks: r.tracks(exhibitId), frames: r.frames(exhibitId) };
  }

  faces(ids: readonly number[]): { face: FaceSummary; exhibit: ExhibitSummary }[] {
    return ids.flatMap((id) => {
      const face = this.deps.store.reads.face(id);
      const exhibit = face ? this.deps.store.reads.exhibit(face.exhibitId) : null;
      return face && exhibit ? [{ face, exhibit }] : [];
    });
  }

  /** Re-reads originals and compares their SHA-256 with the hash taken at import. */
  async verify(exhibitId?: number): Promise<ExhibitCheck[]> {
    const rows = this.deps.store.reads.exhibitsForCheck(exhibitId);
    if (exhibitId !== undefined && rows.length === 0) throw new LoupeError('not_found', `No exhibit ${exhibitId} in this case.`, 'exhibitId');
    const out: ExhibitCheck[] = [];
    for (const r of rows) {
      if (r.sha256 === '') {
        out.push({ exhibitId: r.id, sourcePath: r.sourcePath, ok: false, reason: 'The file could not be read at import, so it has no hash to compare.' });
        continue;
      }
      const now = await sha256File(r.sourcePath).catch((err: NodeJS.ErrnoException) => err);
      if (now instanceof Error) out.push({ exhibitId: r.id, sourcePath: r.sourcePath, ok: false, reason: `The original cannot be read now (${now.code ?? now.message}).` });
      else if (now.sha256 !== r.sha256) out.push({ exhibitId: r.id, sourcePath: r.sourcePath, ok: false, reason: `The original has changed since import: SHA-256 is now ${now.sha256}, was ${r.sha256}.` });
      else out.push({ exhibitId: r.id, sourcePath: r.sourcePath, ok: true, reason: null });
    }
    return out;
  }

  /** Image bytes for the renderer: only refs of the known form, only from this case. */
  media(ref: string): { mime: string; bytes: Uint8Array } | null {
    if (!CASE_MEDIA_REF.test(ref)) return null;
    const [kind, id, variant] = ref.split('/') as ['exhibit' | 'face' | 'frame', string, 'thumb' | 'display' | 'crop' | 'aligned'];
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    const bytes = this.deps.store.reads.media(kind, n, variant);
    return bytes ? { mime: 'image/jpeg', bytes } : null;
  }

  private settings(options: ImportOptions): Settings {
    return {
      exhibitRef: options.exhibitRef ?? null,
      videoFramesPerSecond: options.videoFramesPerSecond ?? 2,
      sceneChange: options.sceneChange ?? 0.35,
      smallFaces: options.smallFaces ?? true,
      role: options.role ?? 'evidence',
    };
  }

  private batch(batchId: string): ImportBatch {
    const b = this.deps.store.reads.batch(batchId);
    if (!b) throw new LoupeError('not_found', 'No such import batch in this case.', 'batchId');
    return b;
  }

  private refuseIfRunning(): void {
    if (this.running) throw new LoupeError('conflict', 'An import is already running in this case; wait for it or cancel it.');
  }

  private launch(batchId: string, files: string[], settings: Settings, user: string): void {
    const running = this.execute(batchId, files, settings, user);
    this.running = running;
    void running.done.finally(() => {
      if (this.running === running) this.running = null;
    });
  }

  /** Runs a batch to its end, recording its outcome; the returned handle can stop it. */
  private execute(batchId: string, files: string[], settings: Settings, user: string): Running {
    const controller = new AbortController();
    const running: Running = { batchId, controller, status: 'done', done: Promise.resolve() };
    const counters: Counters = { total: files.length, done: 0, failed: 0, duplicates: 0, faces: 0, startedAt: Date.now(), current: null, lastEmit: 0 };
    running.done = this.run(batchId, files, settings, user, controller.signal, counters)
      .catch((err: unknown) => {
        // A failure of the batch as a whole (no model pack, say) is recorded, not thrown away.
        running.status = controller.signal.aborted ? running.status : 'interrupted';
        running.error = err as Error;
        this.deps.audit({ user, action: 'import.failed', object: `batch:${batchId}`, outcome: 'failed', details: { reason: (err as Error).message } });
      })
      .finally(() => {
        if (this.deps.store.isOpen()) {
          this.deps.store.writes.finishBatch(batchId, running.status, running.status === 'done' || running.status === 'cancelled' ? this.deps.now().toISOString() : null);
          this.deps.audit({ user, action: 'import.finished', object: `batch:${batchId}`, outcome: 'ok', details: { status: running.status, filesTotal: counters.total, filesDone: counters.done, failed: counters.failed, duplicates: counters.duplicates, faces: counters.faces } });
        }
        this.progress(batchId, counters, running.status, true);
      });
    return running;
  }

  private async run(batchId: string, files: string[], settings: Settings, user: string, signal: AbortSignal, c: Counters): Promise<void> {
    const engine = await this.deps.engine();
    this.progress(batchId, c, 'running', true);
    const inFlight = new Set<Promise<void>>();
    for (const file of files) {
      if (signal.aborted) break;
      // Backpressure: no more files open than the engine can take.
      await engine.pool.whenReady();
      while (inFlight.size >= engine.pool.stats.size + 1) await Promise.race(inFlight);
      if (signal.aborted) break;
      const task = this.importFile(batchId, file, settings, user, engine, signal, c).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  }

  private async importFile(batchId: string, file: string, settings: Settings, user: string, engine: Engine, signal: AbortSignal, c: Counters): Promise<void> {
    c.current = path.basename(file);
    try {
      const outcome = await this.importOne(batchId, file, settings, user, engine, signal);
      if (outcome === 'cancelled') return;
      c.done++;
      if (outcome.status === 'failed') c.failed++;
      if (outcome.status === 'duplicate') c.duplicates++;
      c.faces += outcome.faces;
    } finally {
      this.progress(batchId, c, 'running', false);
    }
  }

  private async importOne(
    batchId: string,
    file: string,
    settings: Settings,
    user: string,
    engine: Engine,
    signal: AbortSignal,
  ): Promise<{ status: 'done' | 'failed' | 'duplicate' | 'skipped'; faces: number } | 'cancelled'> {
    const base = (over: Partial<NewExhibit>): NewExhibit => ({
      batchId,
      sha256: '',
      bytes: 0,
      sourcePath: file,
      fileName: path.basename(file),
      exhibitRef: settings.exhibitRef,
      kind: 'unsupported',
      fileType: null,
      status: 'failed',
      failure: null,
      duplicateOf: null,
      width: null,
      height: null,
      durationMs: null,
      captureTime: null,
      camera: null,
      sourceModifiedAt: null,
      importedBy: user,
      importedAt: this.deps.now().toISOString(),
      pack: `${engine.pack.name}@${engine.pack.version}`,
      thumbnail: null,
      display: null,
      role: settings.role,
      ...over,
    });

    // The original is opened read-only: its head gives the type, then it is read (or streamed) whole for its hash.
    let head: Uint8Array;
    let size: number;
    let modified: string;
    let type: FileType | null;
    let kind: NewExhibit['kind'];
    let bytes: Uint8Array | null = null;
    let sha256: string;
    try {
      const s = await stat(file);
      size = s.size;
      modified = s.mtime.toISOString();
      head = await readHead(file, SNIFF_BYTES);
      type = size === 0 ? null : sniffFileType(head);
      kind = isVideoType(type) ? 'video' : isImageType(type) ? 'image' : 'unsupported';
      if (kind === 'image' && size <= MAX_IMAGE_BYTES) {
        bytes = new Uint8Array(await readWhole(file));
        sha256 = sha256Hex(bytes);
        size = bytes.length;
      } else {
        sha256 = (await sha256File(file)).sha256;
      }
    } catch (err) {
      // A file gone, locked or on a failing disk is one failed exhibit; the rest of the batch goes on.
      return this.recordFailure(base({}), `The file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check that it still exists, that you may read it and that its disk is sound.`, user);
    }
    const known = base({ sha256, bytes: size, kind, fileType: type, sourceModifiedAt: modified });

    for (let pending = this.inFlight.get(sha256); pending; pending = this.inFlight.get(sha256)) await pending.catch(() => undefined);
    const work = this.importKnown(known, head, bytes, settings, user, engine, signal);
    this.inFlight.set(sha256, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(sha256);
    }
  }

  private async importKnown(
    known: NewExhibit,
    head: Uint8Array,
    bytes: Uint8Array | null,
    settings: Settings,
    user: string,
    engine: Engine,
    signal: AbortSignal,
  ): Promise<{ status: 'done' | 'failed' | 'duplicate' | 'skipped'; faces: number } | 'cancelled'> {
    const { sha256, sourcePath: file, bytes: size, kind } = known;
    if (this.deps.store.reads.exhibitAt(file, sha256)) return { status: 'skipped', faces: 0 };
    const first = this.deps.store.reads.exhibitBySha(sha256);
    if (first) {
      const row = { ...known, status: 'duplicate' as const, duplicateOf: first.id, failure: null };
      const { exhibitId } = this.deps.store.writes.insertExhibit(row, [], [], []);
      this.deps.audit({ user, action: 'exhibit.duplicate', object: `exhibit:${exhibitId}`, outcome: 'ok', details: { sha256, sourcePath: file, duplicateOf: first.id, firstPath: first.sourcePath } });
      return { status: 'duplicate', faces: 0 };
    }

    if (size === 0) return this.recordFailure(known, 'The file is empty (0 bytes).', user);
    if (kind === 'unsupported') {
      const hex = Buffer.from(head.subarray(0, 8)).toString('hex');
      return this.recordFailure(known, `Not an image or video Loupe can read (first bytes ${hex || 'none'}); the name says ${path.extname(file) || 'nothing'}, the content decides.`, user);
    }
    if (kind === 'image' && !bytes) return this.recordFailure(known, `The image file is ${Math.round(size / 2 ** 20)} MiB, more than the ${MAX_IMAGE_BYTES / 2 ** 20} MiB Loupe reads.`, user);

    try {
      if (kind === 'image') return await this.importImage(known, bytes as Uint8Array, settings, user, engine, signal);
      return await this.importVideo(known, settings, user, engine, signal);
    } catch (err) {
      if (signal.aborted) return 'cancelled';
      if (err instanceof LoupeError && err.code !== 'internal') return this.recordFailure(known, err.message, user);
      return this.recordFailure(known, `Analysis failed: ${(err as Error).message}`, user);
    }
  }

  private async importImage(e: NewExhibit, bytes: Uint8Array, settings: Settings, user: string, engine: Engine, signal: AbortSignal) {
    const a = await engine.pool.analyse(bytes, { smallFaces: settings.smallFaces, thumbnail: true, maxPixels: MAX_IMAGE_PIXELS }, signal);
    const thumbnail = a.thumbnailJpeg.length > 0 ? a.thumbnailJpeg : null;
    // Made only once the engine has read the image, so a file it refuses is never decoded here.
    // Where libvips cannot read it (BMP) the thumbnail stands in, so the exhibit can still be seen.
    const display = (await imageDisplay(bytes, MAX_IMAGE_PIXELS).catch(() => null)) ?? thumbnail;
    const faces = a.faces.map((f) => toNewFace(f, null, null, engine.model));
    const row: NewExhibit = {
      ...e,
      status: 'done',
      width: a.width,
      height: a.height,
      captureTime: a.exif.captureTime ?? null,
      camera: a.exif.camera ?? null,
      thumbnail,
      display,
    };
    return this.store(row, [], [], faces, user);
  }

  private async importVideo(e: NewExhibit, settings: Settings, user: string, engine: Engine, signal: AbortSignal) {
    let facts: VideoFacts = { durationMs: null, creationTime: null, codec: null };
    const analyses: Promise<{ timeMs: number; width: number; height: number; faces: AnalysedFace[]; display: Uint8Array | null; thumb: Uint8Array | null }>[] = [];
    let first = true;
    let width = 0;
    let height = 0;
    for await (const frame of sampleVideo(e.sourcePath, { framesPerSecond: settings.videoFramesPerSecond, sceneChange: settings.sceneChange, signal, facts: (f) => (facts = f) })) {
      width = frame.width;
      height = frame.height;
      await engine.pool.whenReady();
      const display = frameJpeg(frame);
      const thumb = first ? frameThumb(frame) : Promise.resolve(null);
      first = false;
      const job = engine.pool.analyse({ width: frame.width, height: frame.height, data: frame.data }, { smallFaces: settings.smallFaces, thumbnail: false }, signal);
      const result = Promise.all([job, display, thumb]).then(([a, d, t]) => ({ timeMs: frame.timeMs, width: frame.width, height: frame.height, faces: a.faces, display: a.faces.length > 0 ? d : null, thumb: t }));
      // Awaited below with the rest; marked handled now so an early failure does not end the process.
      result.catch(() => undefined);
      analyses.push(result);
    }
    const frames = await Promise.all(analyses);

    // The original must not have changed while it was being read.
    const after = await sha256File(e.sourcePath);
    if (after.sha256 !== e.sha256) throw new LoupeError('integrity', `The file changed while it was being read (SHA-256 ${e.sha256} before, ${after.sha256} after); it was not kept. Import it again from a write-protected copy.`);

    const flat = frames.flatMap((fr) => fr.faces.map((f) => ({ f, timeMs: fr.timeMs })));
    const { trackOf, tracks } = buildTracks(
      flat.map(({ f, timeMs }) => ({ timeMs, box: f.box, embedding: f.embedding, quality: f.quality.score })),
      { sameThreshold: engine.trackThreshold, overlapThreshold: engine.trackThreshold * 0.6, minIoU: 0.3, maxGapMs: 4000, overlapMaxGapMs: 1500 },
    );
    const newFrames: NewFrame[] = frames.filter((fr) => fr.faces.length > 0).map((fr) => ({ timeMs: fr.timeMs, width: fr.width, height: fr.height, display: fr.display }));
    const newTracks: NewTrack[] = tracks.map((t) => ({ key: t.key, firstMs: t.firstMs, lastMs: t.lastMs, bestFace: t.best, faceCount: t.members.length }));
    const faces = flat.map(({ f, timeMs }, i) => toNewFace(f, timeMs, trackOf[i] ?? null, engine.model));
    const row: NewExhibit = {
      ...e,
      status: 'done',
      width,
      height,
      durationMs: facts.durationMs,
      captureTime: facts.creationTime,
      thumbnail: frames[0]?.thumb ?? null,
    };
    return this.store(row, newFrames, newTracks, faces, user, { framesSampled: frames.length, tracks: tracks.length, codec: facts.codec });
  }

  private store(row: NewExhibit, frames: NewFrame[], tracks: NewTrack[], faces: NewFace[], user: string, extra: Record<string, unknown> = {}) {
    if (!this.deps.store.isOpen()) throw new LoupeError('cancelled', 'The case was closed.');
    const { exhibitId, faceIds } = this.deps.store.transaction(() => {
      const ids = this.deps.store.writes.insertExhibit(row, frames, tracks, faces);
      this.deps.audit({
        user,
        action: 'exhibit.imported',
        object: `exhibit:${ids.exhibitId}`,
        outcome: 'ok',
        details: { sha256: row.sha256, bytes: row.bytes, sourcePath: row.sourcePath, exhibitRef: row.exhibitRef, kind: row.kind, fileType: row.fileType, faces: faces.length, pack: row.pack, batchId: row.batchId, ...extra },
      });
      return ids;
    });
    this.deps.onFaces(faceIds.map((id, i) => ({ id, embedding: (faces[i] as NewFace).embedding, model: (faces[i] as NewFace).model })));
    return { status: 'done' as const, faces: faces.length, exhibitId };
  }

  private recordFailure(row: NewExhibit, reason: string, user: string): { status: 'failed'; faces: 0 } {
    const failed = { ...row, status: 'failed' as const, failure: reason };
    this.deps.store.transaction(() => {
      const { exhibitId } = this.deps.store.writes.insertExhibit(failed, [], [], []);
      this.deps.audit({ user, action: 'exhibit.failed', object: `exhibit:${exhibitId}`, outcome: 'failed', details: { sha256: row.sha256, sourcePath: row.sourcePath, reason, batchId: row.batchId } });
    });
    return { status: 'failed', faces: 0 };
  }

  private progress(batchId: string, c: Counters, status: ImportBatch['status'], force: boolean): void {
    const now = Date.now();
    if (!force && now - c.lastEmit < 200 && c.done < c.total) return;
    c.lastEmit = now;
    const secs = (now - c.startedAt) / 1000;
    const rate = secs > 0 ? c.done / secs : 0;
    this.deps.emit({
      type: 'import.progress',
      batchId,
      status,
      filesTotal: c.total,
      filesDone: c.done,
      failed: c.failed,
      duplicates: c.duplicates,
      facesFound: c.faces,
      filesPerSec: Math.round(rate * 100) / 100,
      etaSec: rate > 0 ? Math.round((c.total - c.done) / rate) : null,
      current: c.current,
    });
  }
}

function toNewFace(f: AnalysedFace, timeMs: number | null, trackKey: number | null, model: string): NewFace {
  return { frameTimeMs: timeMs, trackKey, box: f.box, landmarks5: f.landmarks5, detectorScore: f.detectorScore, quality: f.quality, model, embedding: f.embedding, crop: f.faceJpeg, aligned: f.alignedJpeg };
}

async function readHead(file: string, n: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
  } finally {
    await fh.close();
  }
}

async function readWhole(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

