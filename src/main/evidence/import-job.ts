import { setMaxListeners } from 'node:events';
import path from 'node:path';
import sharp from 'sharp';
import {
  fuseTemplate,
  isImageType,
  isVideoType,
  LoupeError,
  MAX_FACES_PER_IMAGE,
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
import { sha256Hex } from '../crypto';
import type { FacePool } from '../face-pool';
import type { CaseStore, NewExhibit, NewFace, NewFrame, StagedTrack } from '../store';
import type { ByteBudget } from './memory';
import type { ImportProfile } from './profile';
import { hashOriginal, openOriginal, readHead, readWhole, UnreadableOriginal, type Original } from './originals';
import { frameJpeg, frameThumb, imageDisplay } from './renditions';
import { displayName, fsPath } from './source-path';
import { buildTracks, trackOptions } from './tracking';
import { sampleVideo, type VideoFacts, type VideoFrame } from './video';

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
  /** The budget of decoded pixels the case's imports share; IMPORT_MEMORY_BYTES unless given. */
  memory?: ByteBudget;
  /** Times the stages of image imports (bench:throughput); absent, nothing is timed. */
  profile?: ImportProfile;
  /** Why the case takes no import now (its pack is being changed), or null. */
  blocked?: () => string | null;
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

/** What the jobs of one case share. */
export interface ImportShared {
  /** Imports under way by content hash, so two copies of one file (in a batch, or in a batch and a probe) are one exhibit and a duplicate. */
  inFlight: Map<string, Promise<unknown>>;
  /** Decoded pixels held at once by every job of the case. */
  memory: ByteBudget;
}

/** 'resumed': imported by this batch before it stopped; 'already': an exhibit of the case from another batch. */
type Outcome = { status: 'done' | 'failed' | 'duplicate' | 'resumed' | 'already'; faces: number } | 'cancelled';

/** Image files above this size are refused before reading; videos are streamed. */
const MAX_IMAGE_BYTES = 512 * 1024 * 1024;
/** Enough for the type and, for nearly every image, the header that gives its size in pixels. */
const HEAD_BYTES = 64 * 1024;
/** A video's analysed frames are staged in the case every this many sampled frames or bytes of crops and copies. */
const STAGE_FRAMES = 60;
const STAGE_BYTES = 16 * 2 ** 20;
const EMPTY_SHA256 = sha256Hex(new Uint8Array(0));

/** One analysed frame of a video, in the order it was sampled. */
interface AnalysedFrame {
  timeMs: number;
  width: number;
  height: number;
  faces: AnalysedFace[];
  display: Uint8Array | null;
  thumb: Uint8Array | null;
}

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
  /** Faces of videos staged but not yet part of an exhibit count in progress as found. */
  private readonly counters;
  private current: string | null = null;
  private lastEmit = 0;

  constructor(
    private readonly deps: EvidenceDeps,
    private readonly shared: ImportShared,
    spec: ImportJobSpec,
  ) {
    this.batchId = spec.batchId;
    this.files = spec.files;
    this.settings = spec.settings;
    this.user = spec.user;
    this.counters = { total: spec.files.length, done: 0, failed: 0, duplicates: 0, faces: 0, staged: 0, already: 0, startedAt: Date.now() };
    // Every frame and file in flight listens for the stop; the byte budget, not a listener count, bounds them.
    setMaxListeners(0, this.controller.signal);
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
          // Only an interrupted batch resumes; what others staged will not be needed.
          if (this.status !== 'interrupted') this.deps.store.writes.dropStagedOfBatch(batchId);
          this.deps.store.writes.finishBatch(batchId, this.status, this.status === 'done' || this.status === 'cancelled' ? this.deps.now().toISOString() : null);
          this.deps.audit({ user, action: 'import.finished', object: `batch:${batchId}`, outcome: 'ok', details: { status: this.status, filesTotal: c.total, filesDone: c.done, failed: c.failed, duplicates: c.duplicates, alreadyInCase: c.already, faces: c.faces } });
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
    this.current = displayName(file);
    const start = this.deps.profile?.now();
    try {
      const outcome = await this.importOne(file, running);
      if (outcome === 'cancelled') return;
      this.deps.profile?.finished(start, outcome.faces);
      c.done++;
      if (outcome.status === 'failed') c.failed++;
      if (outcome.status === 'duplicate') c.duplicates++;
      if (outcome.status === 'already') c.already++;
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
      fileName: displayName(file),
      exhibitRef: this.settings.exhibitRef,
      kind: 'unsupported',
      fileType: null,
      status: 'failed',
      failure: null,
      notice: null,
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

    // The original is opened once, read-only, as a regular file: its head gives the type, then it is read (or streamed) whole for its hash.
    let original: Original;
    try {
      original = await openOriginal(fsPath(file));
    } catch (err) {
      if (err instanceof UnreadableOriginal) return this.recordUnread(base({}), err.message);
      throw err;
    }
    let head: Uint8Array;
    let type: FileType | null;
    let kind: NewExhibit['kind'];
    let bytes: Uint8Array | null = null;
    let sha256: string;
    let release = () => {};
    const size = original.stats.size;
    const modified = original.stats.mtime.toISOString();
    const prof = this.deps.profile;
    try {
      let t = prof?.now();
      head = await readHead(original, HEAD_BYTES);
      type = size === 0 ? null : sniffFileType(head);
      kind = isVideoType(type) ? 'video' : isImageType(type) ? 'image' : 'unsupported';
      if (kind === 'image' && size <= MAX_IMAGE_BYTES) {
        const decoded = await decodedBytes(head, size);
        prof?.since('sniff', t);
        t = prof?.now();
        // Held from the read until the image is analysed and stored: its bytes and the pixels they decode to.
        release = await this.shared.memory.acquire(size + decoded, this.signal);
        prof?.since('memoryWait', t);
        t = prof?.now();
        bytes = await readWhole(original);
        sha256 = sha256Hex(bytes);
        prof?.since('readHash', t);
      } else {
        sha256 = (await hashOriginal(original)).sha256;
      }
    } catch (err) {
      release();
      if (this.signal.aborted) return 'cancelled';
      // A file gone, locked or on a failing disk is one failed exhibit; the rest of the batch goes on.
      const reason = err instanceof UnreadableOriginal || err instanceof LoupeError ? err.message : `The file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check that it still exists, that you may read it and that its disk is sound.`;
      return this.recordUnread(base({}), reason);
    } finally {
      await original.handle.close();
    }
    const known = base({ sha256, bytes: size, kind, fileType: type, sourceModifiedAt: modified });

    try {
      for (let pending = this.shared.inFlight.get(sha256); pending; pending = this.shared.inFlight.get(sha256)) await pending.catch(() => undefined);
      const work = this.importKnown(known, head, bytes, running);
      this.shared.inFlight.set(sha256, work);
      try {
        return await work;
      } finally {
        this.shared.inFlight.delete(sha256);
      }
    } finally {
      release();
    }
  }

  private async importKnown(known: NewExhibit, head: Uint8Array, bytes: Uint8Array | null, running: RunningPack): Promise<Outcome> {
    const { sha256, sourcePath: file, bytes: size, kind } = known;
    const reads = this.deps.store.reads;
    const there = reads.exhibitAt(file, sha256);
    if (there) return this.alreadyThere(file, there);
    // Every empty file is its own failure, not a duplicate of the first one.
    if (size === 0 || sha256 === EMPTY_SHA256) return this.recordFailure(known, 'The file is empty (0 bytes): there is nothing in it to import. Check the copy it came from.');
    const first = reads.exhibitBySha(sha256);
    if (first) {
      const row = { ...known, status: 'duplicate' as const, duplicateOf: first.id, failure: null };
      const { exhibitId } = this.deps.store.writes.insertExhibit(row, [], [], []);
      this.deps.audit({ user: this.user, action: 'exhibit.duplicate', object: `exhibit:${exhibitId}`, outcome: 'ok', details: { sha256, sourcePath: file, duplicateOf: first.id, firstPath: first.sourcePath } });
      return { status: 'duplicate', faces: 0 };
    }

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
    const prof = this.deps.profile;
    let t = prof?.now();
    const a = await running.pool.analyse(bytes, { smallFaces: this.settings.smallFaces, thumbnail: true, maxPixels: MAX_IMAGE_PIXELS, ...(prof ? { profile: true } : {}) }, this.signal);
    prof?.analysed(a, t);
    const thumbnail = a.thumbnailJpeg.length > 0 ? a.thumbnailJpeg : null;
    t = prof?.now();
    // Made only once the engine has read the image, so a file it refuses is never decoded here.
    // Where libvips cannot read it (BMP) the thumbnail stands in, so the exhibit can still be seen.
    const display = (await imageDisplay(bytes, MAX_IMAGE_PIXELS).catch(() => null)) ?? thumbnail;
    prof?.since('display', t);
    const faces = a.faces.map((f) => toNewFace(f, null, null, running.model));
    const notice = imageNotice(a.moreFaces, a.pages, a.format) ?? null;
    const row: NewExhibit = {
      ...e,
      status: 'done',
      notice,
      width: a.width,
      height: a.height,
      captureTime: a.exif.captureTime ?? null,
      camera: a.exif.camera ?? null,
      thumbnail,
      display,
    };
    return this.keep(row, faces.length, notice ? { notice } : {}, () => {
      const { exhibitId, faceIds } = this.deps.store.writes.insertExhibit(row, [], [], faces);
      return { exhibitId, faces: faceIds.map((id, i) => ({ id, embedding: (faces[i] as NewFace).embedding, model: (faces[i] as NewFace).model })) };
    });
  }

  /**
   * A video is sampled, analysed and staged in the case chunk by chunk, so neither its faces
   * nor its crops and frame copies pile up in memory, and a stopped import resumes after the
   * last staged frame. Once every frame is in, tracks are built and the staged video becomes
   * one exhibit, with its record, in one transaction.
   */
  private async importVideo(e: NewExhibit, running: RunningPack) {
    const { reads, writes } = this.deps.store;
    const before = reads.stagedVideo(e.batchId, e.sourcePath, e.sha256);
    const videoId = before?.id ?? writes.stageVideo({ batchId: e.batchId, sourcePath: e.sourcePath, sha256: e.sha256 });
    const stagedBefore = this.counters.staged;
    try {
      const facts = await this.stageFrames(e, videoId, running);
      // The original must not have changed while it was being read.
      const after = await openOriginal(fsPath(e.sourcePath)).then(async (o) => {
        try {
          return await hashOriginal(o);
        } finally {
          await o.handle.close();
        }
      });
      if (after.sha256 !== e.sha256) throw new LoupeError('integrity', `The file changed while it was being read (SHA-256 ${e.sha256} before, ${after.sha256} after); it was not kept. Import it again from a write-protected copy.`);

      const staged = [...reads.stagedFaces(videoId)];
      const { tracks } = buildTracks(
        staged.map((f) => ({ timeMs: f.timeMs, box: f.box, embedding: f.embedding, quality: f.qualityScore })),
        trackOptions(running.trackThreshold, this.settings.videoFramesPerSecond),
      );
      const id = (i: number) => (staged[i] as (typeof staged)[number]).id;
      // Each track's fused template is kept with it, in the same transaction as its faces.
      const stagedTracks: StagedTrack[] = tracks.map((t) => ({
        firstMs: t.firstMs,
        lastMs: t.lastMs,
        bestFace: id(t.best),
        members: t.members.map(id),
        template: fuseTemplate(t.members.map((m) => ({ embedding: (staged[m] as (typeof staged)[number]).embedding, quality: (staged[m] as (typeof staged)[number]).qualityScore }))),
      }));
      const video = reads.stagedVideo(e.batchId, e.sourcePath, e.sha256);
      const row: NewExhibit = {
        ...e,
        status: 'done',
        width: video?.width ?? null,
        height: video?.height ?? null,
        durationMs: facts.durationMs,
        captureTime: facts.creationTime,
        thumbnail: video?.thumbnail ?? null,
      };
      const extra = { framesSampled: video?.framesSampled ?? 0, tracks: tracks.length, codec: facts.codec, ...(before && before.throughMs >= 0 ? { resumedAfterMs: before.throughMs } : {}) };
      return this.keep(row, staged.length, extra, () => writes.commitStaged(videoId, row, stagedTracks));
    } catch (err) {
      if (err instanceof UnreadableOriginal) throw new LoupeError('integrity', `The file could not be read again after sampling: ${err.message}`);
      if (!this.signal.aborted && this.deps.store.isOpen()) writes.dropStaged(videoId);
      throw err;
    } finally {
      this.counters.staged = stagedBefore;
    }
  }

  /** Samples the video and stages every analysed frame after those staged before; returns what ffmpeg said of the video. */
  private async stageFrames(e: NewExhibit, videoId: number, running: RunningPack): Promise<VideoFacts> {
    const { settings, signal } = this;
    const before = this.deps.store.reads.stagedVideo(e.batchId, e.sourcePath, e.sha256);
    let facts: VideoFacts = { durationMs: null, creationTime: null, codec: null };
    let through = before?.throughMs ?? -1;
    let sampled = before?.framesSampled ?? 0;
    let size = { width: before?.width ?? 0, height: before?.height ?? 0 };
    let chunk = { frames: [] as NewFrame[], faces: [] as NewFace[], sampled: 0, bytes: 0, thumbnail: null as Uint8Array | null };
    const pending: { done: Promise<void>; result?: AnalysedFrame; error?: { reason: unknown } }[] = [];

    const stage = () => {
      if (chunk.sampled === 0) return;
      if (!this.deps.store.isOpen()) throw new LoupeError('cancelled', 'The case was closed.');
      this.deps.store.writes.stageChunk(videoId, { throughMs: through, framesSampled: sampled, ...size, thumbnail: chunk.thumbnail, frames: chunk.frames, faces: chunk.faces });
      this.counters.staged += chunk.faces.length;
      chunk = { frames: [], faces: [], sampled: 0, bytes: 0, thumbnail: null };
      this.progress('running', true);
    };
    // Frames are taken in the order they were sampled, so what is staged is every frame up to a time.
    const takeSettled = () => {
      for (let p = pending[0]; p && (p.result || p.error); p = pending[0]) {
        pending.shift();
        if (p.error) throw p.error.reason;
        const fr = p.result as AnalysedFrame;
        through = fr.timeMs;
        sampled++;
        size = { width: fr.width, height: fr.height };
        chunk.sampled++;
        if (fr.thumb) chunk.thumbnail = fr.thumb;
        if (fr.faces.length > 0) {
          chunk.frames.push({ timeMs: fr.timeMs, width: fr.width, height: fr.height, display: fr.display });
          chunk.bytes += fr.display?.length ?? 0;
          for (const f of fr.faces) {
            chunk.faces.push(toNewFace(f, fr.timeMs, null, running.model));
            chunk.bytes += f.faceJpeg.length + f.alignedJpeg.length;
          }
        }
        if (chunk.sampled >= STAGE_FRAMES || chunk.bytes >= STAGE_BYTES) stage();
      }
    };

    const frames = sampleVideo(fsPath(e.sourcePath), { framesPerSecond: settings.videoFramesPerSecond, sceneChange: settings.sceneChange, signal, facts: (f) => (facts = f) });
    // Room for a frame in the budget is taken before the frame is pulled from ffmpeg (a video's
    // frames are all of one size): a frame waiting for room waits undecoded, not as pixels here.
    let frameBytes = 0;
    try {
      for (;;) {
        // No more frames queued than keep the workers busy, and no more bytes than the budget:
        // the frame here and its copy in the worker, until both are done with.
        await running.pool.whenReady();
        let release = frameBytes > 0 ? await this.shared.memory.acquire(frameBytes * 2, signal) : null;
        const next = await frames.next().catch((err: unknown) => {
          release?.();
          throw err;
        });
        if (next.done) {
          release?.();
          break;
        }
        const frame = next.value;
        // Staged before the import stopped: sampling is deterministic, so the same frames come again first.
        if (frame.timeMs <= through) {
          release?.();
          continue;
        }
        if (frame.data.length !== frameBytes) {
          release?.();
          frameBytes = frame.data.length;
          release = await this.shared.memory.acquire(frameBytes * 2, signal);
        }
        const thumb = sampled === 0 && pending.length === 0;
        const p: (typeof pending)[number] = { done: Promise.resolve() };
        p.done = this.analyseFrame(frame, thumb, running)
          .then(
            (result) => void (p.result = result),
            (reason: unknown) => void (p.error = { reason }),
          )
          .finally(release);
        pending.push(p);
        takeSettled();
      }
    } finally {
      // Stops ffmpeg when the loop ends early (an analysis failed, the import stopped).
      await frames.return(undefined);
    }
    await Promise.all(pending.map((p) => p.done));
    takeSettled();
    stage();
    return facts;
  }

  private async analyseFrame(frame: VideoFrame, thumb: boolean, running: RunningPack): Promise<AnalysedFrame> {
    const display = frameJpeg(frame);
    const thumbnail = thumb ? frameThumb(frame) : Promise.resolve(null);
    // Marked handled now: if the analysis fails first, these are not awaited.
    display.catch(() => undefined);
    thumbnail.catch(() => undefined);
    const a = await running.pool.analyse({ width: frame.width, height: frame.height, data: frame.data }, { smallFaces: this.settings.smallFaces, thumbnail: false }, this.signal);
    return { timeMs: frame.timeMs, width: frame.width, height: frame.height, faces: a.faces, display: a.faces.length > 0 ? await display : null, thumb: await thumbnail };
  }

  /** Stores an analysed exhibit with its audit record in one transaction, then hands its faces to the index. */
  private keep(row: NewExhibit, faceCount: number, extra: Record<string, unknown>, write: () => { exhibitId: number; faces: { id: number; embedding: Float32Array; model: string }[] }) {
    if (!this.deps.store.isOpen()) throw new LoupeError('cancelled', 'The case was closed.');
    const prof = this.deps.profile;
    const t = prof?.now();
    let auditMs = 0;
    const { exhibitId, faces } = this.deps.store.transaction(() => {
      const ids = write();
      const ta = prof?.now();
      this.deps.audit({
        user: this.user,
        action: 'exhibit.imported',
        object: `exhibit:${ids.exhibitId}`,
        outcome: 'ok',
        details: { sha256: row.sha256, bytes: row.bytes, sourcePath: row.sourcePath, exhibitRef: row.exhibitRef, kind: row.kind, fileType: row.fileType, faces: faceCount, pack: row.pack, batchId: row.batchId, ...extra },
      });
      if (prof) auditMs = prof.since('audit', ta);
      return ids;
    });
    // The transaction's time (its commit encrypted and written) less the audit record's.
    if (prof) prof.main.storeWrite += prof.now() - (t as number) - auditMs;
    const ti = prof?.now();
    this.deps.onFaces(faces);
    prof?.since('indexInsert', ti);
    return { status: 'done' as const, faces: faceCount, exhibitId };
  }

  /** A file that could not be read has no hash; a resumed batch that recorded it already does not again. */
  private recordUnread(row: NewExhibit, reason: string): Outcome {
    const there = this.deps.store.reads.exhibitAt(row.sourcePath, '');
    return there ? this.alreadyThere(row.sourcePath, there) : this.recordFailure(row, reason);
  }

  /** A file whose path and content are an exhibit already: this batch's own before it stopped, or the case's from another import, noted so the batch says why it imported nothing for it. */
  private alreadyThere(file: string, exhibit: { id: number; batchId: string }): Outcome {
    if (exhibit.batchId === this.batchId) return { status: 'resumed', faces: 0 };
    this.deps.store.writes.recordAlreadyInCase(this.batchId, file, exhibit.id);
    return { status: 'already', faces: 0 };
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
      alreadyInCase: c.already,
      facesFound: c.faces + c.staged,
      filesPerSec: Math.round(rate * 100) / 100,
      etaSec: rate > 0 ? Math.round((c.total - c.done) / rate) : null,
      current: this.current,
    });
  }
}

/** What of an image was not analysed, in words for the examiner, or undefined when it all was. */
export function imageNotice(moreFaces: boolean, pages: number, format: string): string | undefined {
  const parts: string[] = [];
  if (moreFaces) parts.push(`This image has more than ${MAX_FACES_PER_IMAGE} faces: only the ${MAX_FACES_PER_IMAGE} the detector scored highest were kept. Crop the image into parts and import them to analyse the others.`);
  if (pages > 1) {
    const what = format === 'tiff' ? 'pages' : 'frames';
    parts.push(`This ${format.toUpperCase()} file has ${pages} ${what}: only the first was analysed, the other ${pages - 1} were not. Save each as a file of its own and import those to analyse them.`);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function toNewFace(f: AnalysedFace, timeMs: number | null, trackKey: number | null, model: string): NewFace {
  return { frameTimeMs: timeMs, trackKey, box: f.box, landmarks5: f.landmarks5, detectorScore: f.detectorScore, quality: f.quality, model, embedding: f.embedding, crop: f.faceJpeg, aligned: f.alignedJpeg };
}

/** The bytes an image decodes to, from its header where it gives the size, else a generous guess from the file size. */
async function decodedBytes(head: Uint8Array, fileBytes: number): Promise<number> {
  const meta = await sharp(head).metadata().catch(() => null);
  const pixels = meta?.width && meta.height ? meta.width * meta.height : Math.min(fileBytes * 4, MAX_IMAGE_PIXELS);
  // One image beyond the limits is refused by the worker from its header, before it decodes anything.
  return pixels <= MAX_IMAGE_PIXELS ? pixels * 4 : 0;
}
