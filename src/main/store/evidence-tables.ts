import type { ExhibitSummary, FaceSummary, ImportBatch, TrackSummary } from '../../shared';
import { embeddingBlob, toEmbedding } from './embedding';
import type { Db } from './sqlite';

/** A face as the import writes it: geometry, quality, embedding and encrypted-at-rest crops. */
export interface NewFace {
  frameTimeMs: number | null;
  trackKey: number | null;
  box: FaceSummary['box'];
  landmarks5: FaceSummary['landmarks5'];
  detectorScore: number;
  quality: FaceSummary['quality'];
  model: string;
  embedding: Float32Array;
  crop: Uint8Array;
  aligned: Uint8Array;
}

export interface NewExhibit {
  batchId: string;
  sha256: string;
  bytes: number;
  sourcePath: string;
  fileName: string;
  exhibitRef: string | null;
  kind: ExhibitSummary['kind'];
  fileType: string | null;
  status: ExhibitSummary['status'];
  failure: string | null;
  /** What of the file was not analysed, for an exhibit that was. */
  notice: string | null;
  duplicateOf: number | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  captureTime: string | null;
  camera: string | null;
  sourceModifiedAt: string | null;
  importedBy: string;
  importedAt: string;
  pack: string | null;
  thumbnail: Uint8Array | null;
  display: Uint8Array | null;
  role: ExhibitSummary['role'];
}

export interface NewFrame {
  timeMs: number;
  width: number;
  height: number;
  display: Uint8Array | null;
}

export interface NewTrack {
  key: number;
  firstMs: number;
  lastMs: number;
  /** Index into the faces array of the best face of the track. */
  bestFace: number;
  faceCount: number;
}

/** A video being analysed: how far its analysis is staged in the case (so a stopped import resumes from there). */
export interface StagedVideo {
  id: number;
  /** Every sampled frame up to this time is staged; -1 before the first chunk. */
  throughMs: number;
  framesSampled: number;
  width: number;
  height: number;
  thumbnail: Uint8Array | null;
}

/** The analysed frames of a video since the last chunk, staged in one transaction. */
export interface StagedChunk {
  throughMs: number;
  framesSampled: number;
  width: number;
  height: number;
  /** The video's thumbnail, with the chunk that holds its first frame. */
  thumbnail: Uint8Array | null;
  frames: NewFrame[];
  faces: NewFace[];
}

/** A staged face as tracking needs it (no crops). */
export interface StagedFace {
  id: number;
  timeMs: number;
  box: FaceSummary['box'];
  embedding: Float32Array;
  qualityScore: number;
}

/** A track over staged faces (by their staged ids), with its fused template (fuseTemplate) and how many faces it was made of. */
export interface StagedTrack {
  firstMs: number;
  lastMs: number;
  bestFace: number;
  members: number[];
  template: { embedding: Float32Array; faces: number };
}

/** A face of a track as a search weighs it. */
export interface TrackFace {
  id: number;
  embedding: Float32Array;
  quality: number;
  model: string;
}

export interface StoredEmbedding {
  id: number;
  embedding: Float32Array;
}

export interface ExhibitForCheck {
  id: number;
  sourcePath: string;
  location: string | null;
  sha256: string;
  kind: ExhibitSummary['kind'];
}

export interface EvidenceReads {
  /** The packs ("name@version") exhibits were analysed with, the most recently imported first. */
  exhibitPacks(): string[];
  batch(id: string): ImportBatch | null;
  batches(): ImportBatch[];
  batchOptions(id: string): unknown;
  exhibit(id: number): ExhibitSummary | null;
  exhibitsPage(offset: number, limit: number, status?: ExhibitSummary['status']): { total: number; exhibits: ExhibitSummary[] };
  /** The first exhibit holding these bytes, if any (duplicates point to it). */
  exhibitBySha(sha256: string): { id: number; sourcePath: string; status: ExhibitSummary['status'] } | null;
  exhibitAt(sourcePath: string, sha256: string): { id: number; batchId: string } | null;
  exhibitsOfBatch(batchId: string): number[];
  /** Exhibits with the hash taken at import; `location` is where the original is now when it was recorded elsewhere than its source path. */
  exhibitsForCheck(exhibitId?: number): ExhibitForCheck[];
  faces(exhibitId: number): FaceSummary[];
  face(id: number): FaceSummary | null;
  tracks(exhibitId: number): TrackSummary[];
  frames(exhibitId: number): { id: number; timeMs: number; width: number; height: number }[];
  media(kind: 'exhibit' | 'face' | 'frame', id: number, variant: 'thumb' | 'display' | 'crop' | 'aligned'): Uint8Array | null;
  counts(): { exhibits: number; faces: number };
  /** Every live embedding of one model, in id order, for building the face index; no statement stays open between items, so the caller may await. */
  embeddings(model: string): IterableIterator<StoredEmbedding>;
  countFacesOf(model: string): number;
  embeddingsOf(ids: readonly number[]): Map<number, Float32Array>;
  /** The live faces of a track, with embedding and quality score. */
  trackFaces(trackId: number): TrackFace[];
  /** A track's stored fused template; null for a track imported before templates were kept (migration 8). */
  trackTemplate(trackId: number): { embedding: Float32Array; faces: number } | null;
  stagedVideo(batchId: string, sourcePath: string, sha256: string): StagedVideo | null;
  /** A staged video's faces in the order they were found, read chunk by chunk. */
  stagedFaces(videoId: number): IterableIterator<StagedFace>;
}

export interface EvidenceWrites {
  startBatch(b: { id: string; startedAt: string; startedBy: string; sources: string[]; options: unknown; exhibitRef: string | null }): void;
  setBatchTotal(id: string, total: number): void;
  finishBatch(id: string, status: ImportBatch['status'], at: string | null): void;
  /** Batches left 'running' by a process that died: they can be resumed. */
  markInterrupted(): number;
  /** One exhibit with its frames, tracks and faces, all or nothing. Returns the new ids. */
  insertExhibit(e: NewExhibit, frames: NewFrame[], tracks: NewTrack[], faces: NewFace[]): { exhibitId: number; faceIds: number[] };
  /** Notes that a batch found this file already in the case, as that exhibit, and so imported nothing for it. */
  recordAlreadyInCase(batchId: string, sourcePath: string, exhibitId: number): void;
  /** Starts staging a video of a batch; returns its staging id. */
  stageVideo(v: { batchId: string; sourcePath: string; sha256: string }): number;
  /** Adds a chunk of analysed frames to a staged video, all or nothing. */
  stageChunk(videoId: number, chunk: StagedChunk): void;
  /**
   * Makes a staged video one exhibit with its frames, tracks and faces, and drops its staging,
   * all or nothing; crops are copied in chunks, never all in memory. Inside a transaction of the
   * caller's it joins that transaction (no savepoint). Returns the new face ids.
   */
  commitStaged(videoId: number, e: NewExhibit, tracks: StagedTrack[]): { exhibitId: number; faces: { id: number; embedding: Float32Array; model: string }[] };
  dropStaged(videoId: number): void;
  /** Drops what a batch staged (it was cancelled, so it will not be resumed). */
  dropStagedOfBatch(batchId: string): void;
  /** Records where the original with this hash is now, for every exhibit of it: checks and exports read it there. */
  setOriginalLocation(l: { sha256: string; path: string; at: string; by: string; reason: string }): void;
}

const EXHIBIT_COLUMNS = `e.id, e.file_name AS fileName, e.source_path AS sourcePath, e.exhibit_ref AS exhibitRef, e.sha256, e.bytes, e.kind,
  e.file_type AS fileType, e.status, e.failure, e.notice, e.duplicate_of AS duplicateOf, e.width, e.height, e.duration_ms AS durationMs,
  e.capture_time AS captureTime, e.camera, e.imported_by AS importedBy, e.imported_at AS importedAt, e.role,
  (SELECT count(*) FROM faces f WHERE f.exhibit_id = e.id AND f.deleted = 0) AS faceCount,
  (SELECT count(*) FROM tracks t WHERE t.exhibit_id = e.id) AS trackCount`;

const FACE_COLUMNS = `f.id, f.exhibit_id AS exhibitId, f.frame_id AS frameId, fr.time_ms AS timeMs, f.track_id AS trackId, f.box, f.landmarks,
  f.detector_score AS detectorScore, f.quality, f.model`;

type RawFace = Omit<FaceSummary, 'box' | 'landmarks5' | 'quality'> & { box: string; landmarks: string; quality: string };
const toFace = ({ landmarks, ...r }: RawFace): FaceSummary => ({ ...r, box: JSON.parse(r.box), landmarks5: JSON.parse(landmarks), quality: JSON.parse(r.quality) });

/** Embeddings read at once while the face index is built: 2 MB of 512-D faces. */
const EMBEDDING_CHUNK = 1024;

type RawBatch = Omit<ImportBatch, 'sources'> & { sources: string };

/** Staged faces read at once: crops of about 50 kB each, so a few MB. */
const STAGED_CHUNK = 128;
interface RawStagedFace {
  id: number;
  time_ms: number;
  box: string;
  landmarks: string;
  detector_score: number;
  quality: string;
  model: string;
  embedding: Buffer;
  crop: Buffer;
  aligned: Buffer;
}

/** A face's columns as stored, in the faces table and in staging alike. */
const faceColumns = (f: NewFace) => ({
  box: JSON.stringify(f.box),
  landmarks: JSON.stringify(f.landmarks5),
  detectorScore: f.detectorScore,
  quality: JSON.stringify(f.quality),
  qualityScore: f.quality.score,
  insufficient: f.quality.insufficient ? 1 : 0,
  model: f.model,
  embedding: embeddingBlob(f.embedding),
  crop: blobOf(f.crop),
  aligned: blobOf(f.aligned),
});
const blobOf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function evidenceTables(db: Db): { reads: EvidenceReads; writes: EvidenceWrites } {
  const batchSelect = `SELECT b.id, b.started_at AS startedAt, b.started_by AS startedBy, b.finished_at AS finishedAt, b.status, b.sources,
      b.exhibit_ref AS exhibitRef, b.files_total AS filesTotal,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id) + (SELECT count(*) FROM batch_skips s WHERE s.batch_id = b.id) AS filesDone,
      (SELECT count(*) FROM batch_skips s WHERE s.batch_id = b.id) AS alreadyInCase,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id AND e.status = 'failed') AS failed,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id AND e.status = 'duplicate') AS duplicates,
      (SELECT count(*) FROM faces f JOIN exhibits e ON e.id = f.exhibit_id WHERE e.batch_id = b.id) AS facesFound
    FROM import_batches b`;
  const q = {
    exhibitPacks: db.prepare('SELECT pack FROM exhibits WHERE pack IS NOT NULL GROUP BY pack ORDER BY MAX(id) DESC').pluck(),
    batch: db.prepare(`${batchSelect} WHERE b.id = ?`),
    batches: db.prepare(`${batchSelect} ORDER BY b.started_at DESC`),
    batchOptions: db.prepare('SELECT options FROM import_batches WHERE id = ?').pluck(),
    exhibit: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e WHERE e.id = ?`),
    exhibitsAll: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e ORDER BY e.id LIMIT ? OFFSET ?`),
    exhibitsByStatus: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e WHERE e.status = ? ORDER BY e.id LIMIT ? OFFSET ?`),
    countAll: db.prepare('SELECT count(*) FROM exhibits').pluck(),
    countByStatus: db.prepare('SELECT count(*) FROM exhibits WHERE status = ?').pluck(),
    bySha: db.prepare("SELECT id, source_path AS sourcePath, status FROM exhibits WHERE sha256 = ? AND status != 'duplicate' ORDER BY id LIMIT 1"),
    at: db.prepare('SELECT id, batch_id AS batchId FROM exhibits WHERE source_path = ? AND sha256 = ?'),
    skip: db.prepare('INSERT OR IGNORE INTO batch_skips (batch_id, source_path, exhibit_id) VALUES (?, ?, ?)'),
    ofBatch: db.prepare('SELECT id FROM exhibits WHERE batch_id = ? ORDER BY id').pluck(),
    forCheckAll: db.prepare('SELECT e.id, e.source_path AS sourcePath, l.path AS location, e.sha256, e.kind FROM exhibits e LEFT JOIN original_locations l ON l.sha256 = e.sha256 ORDER BY e.id'),
    forCheckOne: db.prepare('SELECT e.id, e.source_path AS sourcePath, l.path AS location, e.sha256, e.kind FROM exhibits e LEFT JOIN original_locations l ON l.sha256 = e.sha256 WHERE e.id = ?'),
    setLocation: db.prepare('INSERT OR REPLACE INTO original_locations (sha256, path, recorded_at, recorded_by, reason) VALUES (?, ?, ?, ?, ?)'),
    faces: db.prepare(`SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN frames fr ON fr.id = f.frame_id WHERE f.exhibit_id = ? AND f.deleted = 0 ORDER BY fr.time_ms, f.id`),
    face: db.prepare(`SELECT ${FACE_COLUMNS} FROM faces f LEFT JOIN frames fr ON fr.id = f.frame_id WHERE f.id = ? AND f.deleted = 0`),
    tracks: db.prepare('SELECT id, exhibit_id AS exhibitId, first_ms AS firstMs, last_ms AS lastMs, face_count AS faceCount, best_face_id AS bestFaceId FROM tracks WHERE exhibit_id = ? ORDER BY first_ms'),
    frames: db.prepare('SELECT id, time_ms AS timeMs, width, height FROM frames WHERE exhibit_id = ? ORDER BY time_ms'),
    exhibitThumb: db.prepare('SELECT thumbnail FROM exhibits WHERE id = ?').pluck(),
    exhibitDisplay: db.prepare('SELECT display FROM exhibits WHERE id = ?').pluck(),
    faceCrop: db.prepare('SELECT crop FROM faces WHERE id = ? AND deleted = 0').pluck(),
    faceAligned: db.prepare('SELECT aligned FROM faces WHERE id = ? AND deleted = 0').pluck(),
    frameDisplay: db.prepare('SELECT display FROM frames WHERE id = ?').pluck(),
    countFaces: db.prepare('SELECT count(*) FROM faces WHERE deleted = 0').pluck(),
    embeddingsAfter: db.prepare('SELECT id, embedding FROM faces WHERE model = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?'),
    embeddingOf: db.prepare('SELECT embedding FROM faces WHERE id = ? AND deleted = 0').pluck(),
    countOf: db.prepare('SELECT count(*) FROM faces WHERE model = ? AND deleted = 0').pluck(),
    startBatch: db.prepare("INSERT INTO import_batches (id, started_at, started_by, status, sources, options, exhibit_ref) VALUES (@id, @startedAt, @startedBy, 'running', @sources, @options, @exhibitRef)"),
    setTotal: db.prepare('UPDATE import_batches SET files_total = ? WHERE id = ?'),
    finish: db.prepare('UPDATE import_batches SET status = ?, finished_at = ? WHERE id = ?'),
    interrupt: db.prepare("UPDATE import_batches SET status = 'interrupted' WHERE status = 'running'"),
    insertExhibit: db.prepare(`INSERT INTO exhibits (batch_id, sha256, bytes, source_path, file_name, exhibit_ref, kind, file_type, status, failure, notice, duplicate_of,
      width, height, duration_ms, capture_time, camera, source_modified_at, imported_by, imported_at, pack, thumbnail, display, role)
      VALUES (@batchId, @sha256, @bytes, @sourcePath, @fileName, @exhibitRef, @kind, @fileType, @status, @failure, @notice, @duplicateOf,
      @width, @height, @durationMs, @captureTime, @camera, @sourceModifiedAt, @importedBy, @importedAt, @pack, @thumbnail, @display, @role)`),
    insertFrame: db.prepare('INSERT INTO frames (exhibit_id, time_ms, width, height, display) VALUES (?, ?, ?, ?, ?)'),
    insertTrack: db.prepare('INSERT INTO tracks (exhibit_id, first_ms, last_ms, face_count, template, template_faces) VALUES (?, ?, ?, ?, ?, ?)'),
    trackFaces: db.prepare('SELECT id, embedding, quality_score AS quality, model FROM faces WHERE track_id = ? AND deleted = 0 ORDER BY id'),
    trackTemplate: db.prepare('SELECT template, template_faces AS faces FROM tracks WHERE id = ? AND template IS NOT NULL'),
    setBest: db.prepare('UPDATE tracks SET best_face_id = ? WHERE id = ?'),
    stagedVideo: db.prepare(`SELECT id, through_ms AS throughMs, frames_sampled AS framesSampled, width, height, thumbnail FROM staged_videos
      WHERE batch_id = ? AND source_path = ? AND sha256 = ?`),
    stagedFacesAfter: db.prepare('SELECT id, time_ms AS timeMs, box, embedding, quality FROM staged_faces WHERE video_id = ? AND id > ? ORDER BY id LIMIT ?'),
    stagedRowsAfter: db.prepare('SELECT * FROM staged_faces WHERE video_id = ? AND id > ? ORDER BY id LIMIT ?'),
    stageVideo: db.prepare('INSERT INTO staged_videos (batch_id, source_path, sha256, through_ms, frames_sampled, width, height) VALUES (?, ?, ?, -1, 0, 0, 0)'),
    stageProgress: db.prepare('UPDATE staged_videos SET through_ms = ?, frames_sampled = ?, width = ?, height = ?, thumbnail = coalesce(thumbnail, ?) WHERE id = ?'),
    stageFrame: db.prepare('INSERT INTO staged_frames (video_id, time_ms, width, height, display) VALUES (?, ?, ?, ?, ?)'),
    stageFace: db.prepare(`INSERT INTO staged_faces (video_id, time_ms, box, landmarks, detector_score, quality, model, embedding, crop, aligned)
      VALUES (@videoId, @timeMs, @box, @landmarks, @detectorScore, @quality, @model, @embedding, @crop, @aligned)`),
    copyStagedFrames: db.prepare('INSERT INTO frames (exhibit_id, time_ms, width, height, display) SELECT ?, time_ms, width, height, display FROM staged_frames WHERE video_id = ? ORDER BY time_ms'),
    framesOf: db.prepare('SELECT time_ms AS timeMs, id FROM frames WHERE exhibit_id = ?'),
    dropStagedFaces: db.prepare('DELETE FROM staged_faces WHERE video_id = ?'),
    dropStagedFrames: db.prepare('DELETE FROM staged_frames WHERE video_id = ?'),
    dropStagedVideo: db.prepare('DELETE FROM staged_videos WHERE id = ?'),
    stagedOfBatch: db.prepare('SELECT id FROM staged_videos WHERE batch_id = ?').pluck(),
    insertFace: db.prepare(`INSERT INTO faces (exhibit_id, frame_id, track_id, box, landmarks, detector_score, quality, quality_score, insufficient, model, embedding, crop, aligned)
      VALUES (@exhibitId, @frameId, @trackId, @box, @landmarks, @detectorScore, @quality, @qualityScore, @insufficient, @model, @embedding, @crop, @aligned)`),
  };
  const toBatch = (r: RawBatch): ImportBatch => ({ ...r, sources: JSON.parse(r.sources) as string[] });
  const blob = (u: Uint8Array | null) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : null);

  const insertExhibit = db.transaction((e: NewExhibit, frames: NewFrame[], tracks: NewTrack[], faces: NewFace[]) => {
    const exhibitId = Number(q.insertExhibit.run({ ...e, thumbnail: blob(e.thumbnail), display: blob(e.display) }).lastInsertRowid);
    const frameIds = new Map<number, number>();
    for (const f of frames) frameIds.set(f.timeMs, Number(q.insertFrame.run(exhibitId, f.timeMs, f.width, f.height, blob(f.display)).lastInsertRowid));
    const trackIds = new Map<number, number>();
    for (const t of tracks) trackIds.set(t.key, Number(q.insertTrack.run(exhibitId, t.firstMs, t.lastMs, t.faceCount, null, null).lastInsertRowid));
    const faceIds = faces.map((f) =>
      Number(
        q.insertFace.run({
          exhibitId,
          frameId: f.frameTimeMs === null ? null : (frameIds.get(f.frameTimeMs) ?? null),
          trackId: f.trackKey === null ? null : (trackIds.get(f.trackKey) ?? null),
          ...faceColumns(f),
        }).lastInsertRowid,
      ),
    );
    for (const t of tracks) {
      const best = faceIds[t.bestFace];
      if (best !== undefined) q.setBest.run(best, trackIds.get(t.key));
    }
    return { exhibitId, faceIds };
  });

  const dropStaged = (videoId: number) => {
    q.dropStagedFaces.run(videoId);
    q.dropStagedFrames.run(videoId);
    q.dropStagedVideo.run(videoId);
  };

  const stageChunk = db.transaction((videoId: number, c: StagedChunk) => {
    for (const f of c.frames) q.stageFrame.run(videoId, f.timeMs, f.width, f.height, blob(f.display));
    for (const f of c.faces) {
      const { box, landmarks, detectorScore, quality, model, embedding, crop, aligned } = faceColumns(f);
      q.stageFace.run({ videoId, timeMs: f.frameTimeMs, box, landmarks, detectorScore, quality, model, embedding, crop, aligned });
    }
    q.stageProgress.run(c.throughMs, c.framesSampled, c.width, c.height, blob(c.thumbnail), videoId);
  });

  /**
   * Joins the caller's transaction when there is one (the import's, with its audit record)
   * rather than nesting a savepoint: a savepoint keeps, in memory (temp_store is MEMORY), a
   * copy of every page it changes that existed before it, and dropping the staging changes
   * every page of the staged frames and crops, as many as the video had.
   */
  const commitStagedBody = (videoId: number, e: NewExhibit, tracks: StagedTrack[]) => {
    const exhibitId = Number(q.insertExhibit.run({ ...e, thumbnail: blob(e.thumbnail), display: blob(e.display) }).lastInsertRowid);
    q.copyStagedFrames.run(exhibitId, videoId);
    const frameIds = new Map((q.framesOf.all(exhibitId) as { timeMs: number; id: number }[]).map((r) => [r.timeMs, r.id]));
    const trackIds = tracks.map((t) => Number(q.insertTrack.run(exhibitId, t.firstMs, t.lastMs, t.members.length, embeddingBlob(t.template.embedding), t.template.faces).lastInsertRowid));
    const trackOf = new Map<number, number>();
    tracks.forEach((t, i) => t.members.forEach((m) => trackOf.set(m, trackIds[i] as number)));
    const newId = new Map<number, number>();
    const faces: { id: number; embedding: Float32Array; model: string }[] = [];
    for (let after = 0; ; ) {
      const rows = q.stagedRowsAfter.all(videoId, after, STAGED_CHUNK) as RawStagedFace[];
      for (const r of rows) {
        const quality = JSON.parse(r.quality) as FaceSummary['quality'];
        const id = Number(
          q.insertFace.run({
            exhibitId, frameId: frameIds.get(r.time_ms) ?? null, trackId: trackOf.get(r.id) ?? null, box: r.box, landmarks: r.landmarks, detectorScore: r.detector_score,
            quality: r.quality, qualityScore: quality.score, insufficient: quality.insufficient ? 1 : 0, model: r.model, embedding: r.embedding, crop: r.crop, aligned: r.aligned,
          }).lastInsertRowid,
        );
        newId.set(r.id, id);
        faces.push({ id, embedding: toEmbedding(r.embedding), model: r.model });
      }
      if (rows.length < STAGED_CHUNK) break;
      after = rows[rows.length - 1]!.id;
    }
    tracks.forEach((t, i) => {
      const best = newId.get(t.bestFace);
      if (best !== undefined) q.setBest.run(best, trackIds[i]);
    });
    dropStaged(videoId);
    return { exhibitId, faces };
  };
  const commitStaged = (videoId: number, e: NewExhibit, tracks: StagedTrack[]) =>
    db.inTransaction ? commitStagedBody(videoId, e, tracks) : db.transaction(commitStagedBody)(videoId, e, tracks);

  return {
    reads: {
      exhibitPacks: () => q.exhibitPacks.all() as string[],
      batch: (id) => {
        const r = q.batch.get(id) as RawBatch | undefined;
        return r ? toBatch(r) : null;
      },
      batches: () => (q.batches.all() as RawBatch[]).map(toBatch),
      batchOptions: (id) => JSON.parse((q.batchOptions.get(id) as string | undefined) ?? 'null'),
      exhibit: (id) => (q.exhibit.get(id) as ExhibitSummary | undefined) ?? null,
      exhibitsPage: (offset, limit, status) => ({
        total: (status ? q.countByStatus.get(status) : q.countAll.get()) as number,
        exhibits: (status ? q.exhibitsByStatus.all(status, limit, offset) : q.exhibitsAll.all(limit, offset)) as ExhibitSummary[],
      }),
      exhibitBySha: (sha) => (q.bySha.get(sha) as { id: number; sourcePath: string; status: ExhibitSummary['status'] } | undefined) ?? null,
      exhibitAt: (sourcePath, sha) => (q.at.get(sourcePath, sha) as { id: number; batchId: string } | undefined) ?? null,
      exhibitsOfBatch: (batchId) => q.ofBatch.all(batchId) as number[],
      exhibitsForCheck: (id) => (id === undefined ? q.forCheckAll.all() : q.forCheckOne.all(id)) as ExhibitForCheck[],
      faces: (exhibitId) => (q.faces.all(exhibitId) as RawFace[]).map(toFace),
      face: (id) => {
        const r = q.face.get(id) as RawFace | undefined;
        return r ? toFace(r) : null;
      },
      tracks: (exhibitId) => q.tracks.all(exhibitId) as TrackSummary[],
      frames: (exhibitId) => q.frames.all(exhibitId) as { id: number; timeMs: number; width: number; height: number }[],
      media: (kind, id, variant) => {
        const stmt =
          kind === 'exhibit' ? (variant === 'thumb' ? q.exhibitThumb : variant === 'display' ? q.exhibitDisplay : null)
          : kind === 'face' ? (variant === 'crop' || variant === 'thumb' ? q.faceCrop : variant === 'aligned' ? q.faceAligned : null)
          : variant === 'display' ? q.frameDisplay : null;
        const value = stmt?.get(id) as Buffer | null | undefined;
        return value ?? null;
      },
      counts: () => ({ exhibits: q.countAll.get() as number, faces: q.countFaces.get() as number }),
      embeddings: function* (model) {
        // Chunk by chunk, each read whole: the caller yields to the event loop between faces, and a
        // statement left open meanwhile would make every other write on this connection fail ("busy").
        for (let after = -1; ; ) {
          const rows = q.embeddingsAfter.all(model, after, EMBEDDING_CHUNK) as { id: number; embedding: Buffer }[];
          for (const r of rows) yield { id: r.id, embedding: toEmbedding(r.embedding) };
          if (rows.length < EMBEDDING_CHUNK) return;
          after = rows[rows.length - 1]!.id;
        }
      },
      countFacesOf: (model) => q.countOf.get(model) as number,
      embeddingsOf: (ids) => {
        const out = new Map<number, Float32Array>();
        for (const id of ids) {
          const b = q.embeddingOf.get(id) as Buffer | undefined;
          if (b) out.set(id, toEmbedding(b));
        }
        return out;
      },
      stagedVideo: (batchId, sourcePath, sha256) => (q.stagedVideo.get(batchId, sourcePath, sha256) as StagedVideo | undefined) ?? null,
      trackFaces: (trackId) =>
        (q.trackFaces.all(trackId) as { id: number; embedding: Buffer; quality: number; model: string }[]).map((r) => ({ ...r, embedding: toEmbedding(r.embedding) })),
      trackTemplate: (trackId) => {
        const r = q.trackTemplate.get(trackId) as { template: Buffer; faces: number } | undefined;
        return r ? { embedding: toEmbedding(r.template), faces: r.faces } : null;
      },
      stagedFaces: function* (videoId) {
        // Read whole chunk by chunk, as embeddings() is, so no statement stays open while the caller works.
        for (let after = 0; ; ) {
          const rows = q.stagedFacesAfter.all(videoId, after, STAGED_CHUNK) as { id: number; timeMs: number; box: string; embedding: Buffer; quality: string }[];
          for (const r of rows) yield { id: r.id, timeMs: r.timeMs, box: JSON.parse(r.box), embedding: toEmbedding(r.embedding), qualityScore: (JSON.parse(r.quality) as FaceSummary['quality']).score };
          if (rows.length < STAGED_CHUNK) return;
          after = rows[rows.length - 1]!.id;
        }
      },
    },
    writes: {
      startBatch: (b) => void q.startBatch.run({ ...b, sources: JSON.stringify(b.sources), options: JSON.stringify(b.options) }),
      setBatchTotal: (id, total) => void q.setTotal.run(total, id),
      finishBatch: (id, status, at) => void q.finish.run(status, at, id),
      markInterrupted: () => q.interrupt.run().changes,
      insertExhibit: (e, frames, tracks, faces) => insertExhibit(e, frames, tracks, faces),
      recordAlreadyInCase: (batchId, sourcePath, exhibitId) => void q.skip.run(batchId, sourcePath, exhibitId),
      setOriginalLocation: (l) => void q.setLocation.run(l.sha256, l.path, l.at, l.by, l.reason),
      stageVideo: (v) => Number(q.stageVideo.run(v.batchId, v.sourcePath, v.sha256).lastInsertRowid),
      stageChunk: (videoId, chunk) => stageChunk(videoId, chunk),
      commitStaged: (videoId, e, tracks) => commitStaged(videoId, e, tracks),
      dropStaged: (videoId) => db.transaction(dropStaged)(videoId),
      dropStagedOfBatch: (batchId) => db.transaction(() => (q.stagedOfBatch.all(batchId) as number[]).forEach(dropStaged))(),
    },
  };
}
