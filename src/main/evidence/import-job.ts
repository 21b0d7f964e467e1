import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isImageType,
  isVideoType,
  LoupeError,
  MAX_IMAGE_PIXELS,
  sniffFileType,
  type AnalysedFace,
  type FileType,
  type ImportBatch,
  type ImportOptions,
  type ImportProgress,
  type ModelPack,
} from '../../shared';
import type { AuditEntry } from '../audit';
import { sha256File, sha256Hex } from '../crypto';
import type { FacePool } from '../face-pool';
import type { CaseStore, NewExhibit, NewFace, NewFrame, NewTrack } from '../store';
import { frameJpeg, frameThumb, imageDisplay } from './renditions';
import { buildTracks } from './tracking';
import { sampleVideo, type VideoFacts } from './video';

/** The model pack an import runs on, verified, with its worker pool started. */
export interface RunningPack {
  pool: FacePool;
  pack: ModelPack;
  /** Embedding space id stored with every face. */
  model: string;
  /** Similarity above which two faces of one video are linked into a track. */
  trackThreshold: number;
}

export interface EvidenceDeps {
  store: CaseStore;
  runningPack(): Promise<RunningPack>;
  /** Appends to the case's audit chain (and moves the workstation's anchor). */
  audit(entry: AuditEntry): void;
  emit(progress: ImportProgress): void;
  /** New faces, as they are stored (the face index takes them from here). */
  onFaces(faces: { id: number; embedding: Float32Array; model: string }[]): void;
  now(): Date;
}

/** A batch's options with their defaults filled in, as recorded with the batch. */
export type ImportSettings = Required<Omit<ImportOptions, 'exhibitRef'>> & { exhibitRef: string | null };

export function importSettings(options: ImportOptions): ImportSettings {
  return {
    exhibitRef: options.exhibitRef ?? null,
    videoFramesPerSecond: options.videoFramesPerSecond ?? 2,
    sceneChange: options.sceneChange ?? 0.35,
    smallFaces: options.smallFaces ?? true,
    role: options.role ?? 'evidence',
  };
}

/** What one batch imports, and as whom. */
export interface ImportJobSpec {
  batchId: string;
  files: readonly string[];
  settings: ImportSettings;
  user: string;
}

type Outcome = { status: 'done' | 'failed' | 'duplicate' | 'skipped'; faces: number } | 'cancelled';

/** Image files above this size are refused before reading; videos are streamed. */
const MAX_IMAGE_BYTES = 512 * 1024 * 1024;
const SNIFF_BYTES = 4100;

/**
 * One batch being imported: its files, settings, user, counters and the signal that stops
 * it. Every file is read read-only, hashed, typed from its bytes and analysed from exactly
 * the bytes that were hashed. Each exhibit goes into the store in one transaction with its
 * faces and its audit record, so a process killed mid-import leaves whole exhibits only,
 * and a resumed batch skips what is there.
 */
export class ImportJob {
  readonly batchId: string;
  /** How the batch ends: 'done' unless it is cancelled, stopped or fails as a whole. */
  status: ImportBatch['status'] = 'done';
  /** Why the batch as a whole failed, if it did. */
  error: Error | undefined;
  /** Settles when the batch has ended and its outcome is recorded. */
  done: Promise<void> = Promise.resolve();
  private readonly files: readonly string[];
  private readonly settings: ImportSettings;
  private readonly user: string;
  private readonly controller = new AbortController();
  private readonly counters;
  private current: string | null = null;
  private lastEmit = 0;

  /**
   * @param inFlight imports under way by content hash, shared by every job of the case, so two
   *   copies of one file (in a batch, or in a batch and a probe) are one exhibit and a duplicate.
   */
  constructor(
    private readonly deps: EvidenceDeps,
    private readonly inFlight: Map<string, Promise<unknown>>,
    spec: ImportJobSpec,
  ) {
    this.batchId = spec.batchId;
    this.files = spec.files;
    this.settings = spec.settings;
    this.user = spec.user;
    this.counters = { total: spec.files.length, done: 0, failed: 0, duplicates: 0, faces: 0, startedAt: Date.now() };
  }

  /** Runs the batch to its end, recording its outcome; `done` settles then. */
  start(): this {
    const { user, batchId } = this;
    this.done = this.run()
      .catch((err: unknown) => {
        // A failure of the batch as a whole (no model pack, say) is recorded, not thrown away.
        if (!this.controller.signal.aborted) this.status = 'interrupted';
        this.error = err as Error;
        this.deps.audit({ user, action: 'import.failed', object: `batch:${batchId}`, outcome: 'failed', details: { reason: (err as Error).message } });
      })
      .finally(() => {
        const c = this.counters;
        if (this.deps.store.isOpen()) {
          this.deps.store.writes.finishBatch(batchId, this.status, this.status === 'done' || this.status === 'cancelled' ? this.deps.now().toISOString() : null);
          this.deps.audit({ user, action: 'import.finished', object: `batch:${batchId}`, outcome: 'ok', details: { status: this.status, filesTotal: c.total, filesDone: c.done, failed: c.failed, duplicates: c.duplicates, faces: c.faces } });
        }
        this.progress(this.status, true);
      });
    return this;
  }

  /** Stops the batch: 'cancelled' by the user, or 'interrupted' so that it can be resumed. */
  stop(status: 'cancelled' | 'interrupted'): void {
    this.status = status;
    this.controller.abort();
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private async run(): Promise<void> {
    const running = await this.deps.runningPack();
    this.progress('running', true);
    const inFlight = new Set<Promise<void>>();
    for (const file of this.files) {
      if (this.signal.aborted) break;
      // Backpressure: no more files open than the engine can take.
      await running.pool.whenReady();
      while (inFlight.size >= running.pool.stats.size + 1) await Promise.race(inFlight);
      if (this.signal.aborted) break;
      const task = this.importFile(file, running).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  }

  private async importFile(file: string, running: RunningPack): Promise<void> {
    const c = this.counters;
    this.current = path.basename(file);
    try {
      const outcome = await this.importOne(file, running);
      if (outcome === 'cancelled') return;
      c.done++;
      if (outcome.status === 'failed') c.failed++;
      if (outcome.status === 'duplicate') c.duplicates++;
      c.faces += outcome.faces;
    } finally {
      this.progress('running', false);
    }
  }

  private async importOne(file: string, running: RunningPack): Promise<Outcome> {
    const base = (over: Partial<NewExhibit>): NewExhibit => ({
      batchId: this.batchId,
      sha256: '',
      bytes: 0,
      sourcePath: file,
      fileName: path.basename(file),
      exhibitRef: this.settings.exhibitRef,
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
      importedBy: this.user,
      importedAt: this.deps.now().toISOString(),
      pack: `${running.pack.name}@${running.pack.version}`,
      thumbnail: null,
      display: null,
      role: this.settings.role,
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
      return this.recordFailure(base({}), `The file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check that it still exists, that you may read it and that its disk is sound.`);
    }
    const known = base({ sha256, bytes: size, kind, fileType: type, sourceModifiedAt: modified });

    for (let pending = this.inFlight.get(sha256); pending; pending = this.inFlight.get(sha256)) await pending.catch(() => undefined);
    const work = this.importKnown(known, head, bytes, running);
    this.inFlight.set(sha256, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(sha256);
    }
  }

  private async importKnown(known: NewExhibit, head: Uint8Array, bytes: Uint8Array | null, running: RunningPack): Promise<Outcome> {
    const { sha256, sourcePath: file, bytes: size, kind } = known;
    const reads = this.deps.store.reads;
    if (reads.exhibitAt(file, sha256)) return { status: 'skipped', faces: 0 };
    const first = reads.exhibitBySha(sha256);
    if (first) {
      const row = { ...known, status: 'duplicate' as const, duplicateOf: first.id, failure: null };
      const { exhibitId } = this.deps.store.writes.insertExhibit(row, [], [], []);
      this.deps.audit({ user: this.user, action: 'exhibit.duplicate', object: `exhibit:${exhibitId}`, outcome: 'ok', details: { sha256, sourcePath: file, duplicateOf: first.id, firstPath: first.sourcePath } });
      return { status: 'duplicate', faces: 0 };
    }

    if (size === 0) return this.recordFailure(known, 'The file is empty (0 bytes).');
    if (kind === 'unsupported') {
      const hex = Buffer.from(head.subarray(0, 8)).toString('hex');
      return this.recordFailure(known, `Not an image or video Loupe can read (first bytes ${hex || 'none'}); the name says ${path.extname(file) || 'nothing'}, the content decides.`);
    }
    if (kind === 'image' && !bytes) return this.recordFailure(known, `The image file is ${Math.round(size / 2 ** 20)} MiB, more than the ${MAX_IMAGE_BYTES / 2 ** 20} MiB Loupe reads.`);

    try {
      if (kind === 'image') return await this.importImage(known, bytes as Uint8Array, running);
      return await this.importVideo(known, running);
    } catch (err) {
      if (this.signal.aborted) return 'cancelled';
      if (err instanceof LoupeError && err.code !== 'internal') return this.recordFailure(known, err.message);
      return this.recordFailure(known, `Analysis failed: ${(err as Error).message}`);
    }
  }

  private async importImage(e: NewExhibit, bytes: Uint8Array, running: RunningPack) {
    const a = await running.pool.analyse(bytes, { smallFaces: this.settings.smallFaces, thumbnail: true, maxPixels: MAX_IMAGE_PIXELS }, this.signal);
    const thumbnail = a.thumbnailJpeg.length > 0 ? a.thumbnailJpeg : null;
    // Made only once the engine has read the image, so a file it refuses is never decoded here.
    // Where libvips cannot read it (BMP) the thumbnail stands in, so the exhibit can still be seen.
    const display = (await imageDisplay(bytes, MAX_IMAGE_PIXELS).catch(() => null)) ?? thumbnail;
    const faces = a.faces.map((f) => toNewFace(f, null, null, running.model));
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
    return this.store(row, [], [], faces);
  }

  private async importVideo(e: NewExhibit, running: RunningPack) {
    const { settings, signal } = this;
    let facts: VideoFacts = { durationMs: null, creationTime: null, codec: null };
    const analyses: Promise<{ timeMs: number; width: number; height: number; faces: AnalysedFace[]; display: Uint8Array | null; thumb: Uint8Array | null }>[] = [];
    let first = true;
    let width = 0;
    let height = 0;
    for await (const frame of sampleVideo(e.sourcePath, { framesPerSecond: settings.videoFramesPerSecond, sceneChange: settings.sceneChange, signal, facts: (f) => (facts = f) })) {
      width = frame.width;
      height = frame.height;
      await running.pool.whenReady();
      const display = frameJpeg(frame);
      const thumb = first ? frameThumb(frame) : Promise.resolve(null);
      first = false;
      const job = running.pool.analyse({ width: frame.width, height: frame.height, data: frame.data }, { smallFaces: settings.smallFaces, thumbnail: false }, signal);
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
      { sameThreshold: running.trackThreshold, overlapThreshold: running.trackThreshold * 0.6, minIoU: 0.3, maxGapMs: 4000, overlapMaxGapMs: 1500 },
    );
    const newFrames: NewFrame[] = frames.filter((fr) => fr.faces.length > 0).map((fr) => ({ timeMs: fr.timeMs, width: fr.width, height: fr.height, display: fr.display }));
    const newTracks: NewTrack[] = tracks.map((t) => ({ key: t.key, firstMs: t.firstMs, lastMs: t.lastMs, bestFace: t.best, faceCount: t.members.length }));
    const faces = flat.map(({ f, timeMs }, i) => toNewFace(f, timeMs, trackOf[i] ?? null, running.model));
    const row: NewExhibit = {
      ...e,
      status: 'done',
      width,
      height,
      durationMs: facts.durationMs,
      captureTime: facts.creationTime,
      thumbnail: frames[0]?.thumb ?? null,
    };
    return this.store(row, newFrames, newTracks, faces, { framesSampled: frames.length, tracks: tracks.length, codec: facts.codec });
  }

  private store(row: NewExhibit, frames: NewFrame[], tracks: NewTrack[], faces: NewFace[], extra: Record<string, unknown> = {}) {
    if (!this.deps.store.isOpen()) throw new LoupeError('cancelled', 'The case was closed.');
    const { exhibitId, faceIds } = this.deps.store.transaction(() => {
      const ids = this.deps.store.writes.insertExhibit(row, frames, tracks, faces);
      this.deps.audit({
        user: this.user,
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

  private recordFailure(row: NewExhibit, reason: string): { status: 'failed'; faces: 0 } {
    const failed = { ...row, status: 'failed' as const, failure: reason };
    this.deps.store.transaction(() => {
      const { exhibitId } = this.deps.store.writes.insertExhibit(failed, [], [], []);
      this.deps.audit({ user: this.user, action: 'exhibit.failed', object: `exhibit:${exhibitId}`, outcome: 'failed', details: { sha256: row.sha256, sourcePath: row.sourcePath, reason, batchId: row.batchId } });
    });
    return { status: 'failed', faces: 0 };
  }

  private progress(status: ImportBatch['status'], force: boolean): void {
    const c = this.counters;
    const now = Date.now();
    if (!force && now - this.lastEmit < 200 && c.done < c.total) return;
    this.lastEmit = now;
    const secs = (now - c.startedAt) / 1000;
    const rate = secs > 0 ? c.done / secs : 0;
    this.deps.emit({
      type: 'import.progress',
      batchId: this.batchId,
      status,
      filesTotal: c.total,
      filesDone: c.done,
      failed: c.failed,
      duplicates: c.duplicates,
      facesFound: c.faces,
      filesPerSec: Math.round(rate * 100) / 100,
      etaSec: rate > 0 ? Math.round((c.total - c.done) / rate) : null,
      current: this.current,
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
