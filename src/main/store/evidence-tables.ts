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

export interface StoredEmbedding {
  id: number;
  embedding: Float32Array;
}

export interface EvidenceReads {
  batch(id: string): ImportBatch | null;
  batches(): ImportBatch[];
  batchOptions(id: string): unknown;
  exhibit(id: number): ExhibitSummary | null;
  exhibitsPage(offset: number, limit: number, status?: ExhibitSummary['status']): { total: number; exhibits: ExhibitSummary[] };
  /** The first exhibit holding these bytes, if any (duplicates point to it). */
  exhibitBySha(sha256: string): { id: number; sourcePath: string; status: ExhibitSummary['status'] } | null;
  exhibitAt(sourcePath: string, sha256: string): { id: number } | null;
  exhibitsOfBatch(batchId: string): number[];
  exhibitsForCheck(exhibitId?: number): { id: number; sourcePath: string; sha256: string; kind: ExhibitSummary['kind'] }[];
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
}

export interface EvidenceWrites {
  startBatch(b: { id: string; startedAt: string; startedBy: string; sources: string[]; options: unknown; exhibitRef: string | null }): void;
  setBatchTotal(id: string, total: number): void;
  finishBatch(id: string, status: ImportBatch['status'], at: string | null): void;
  /** Batches left 'running' by a process that died: they can be resumed. */
  markInterrupted(): number;
  /** One exhibit with its frames, tracks and faces, all or nothing. Returns the new ids. */
  insertExhibit(e: NewExhibit, frames: NewFrame[], tracks: NewTrack[], faces: NewFace[]): { exhibitId: number; faceIds: number[] };
}

const EXHIBIT_COLUMNS = `e.id, e.file_name AS fileName, e.source_path AS sourcePath, e.exhibit_ref AS exhibitRef, e.sha256, e.bytes, e.kind,
  e.file_type AS fileType, e.status, e.failure, e.duplicate_of AS duplicateOf, e.width, e.height, e.duration_ms AS durationMs,
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

export function evidenceTables(db: Db): { reads: EvidenceReads; writes: EvidenceWrites } {
  const batchSelect = `SELECT b.id, b.started_at AS startedAt, b.started_by AS startedBy, b.finished_at AS finishedAt, b.status, b.sources,
      b.exhibit_ref AS exhibitRef, b.files_total AS filesTotal,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id) AS filesDone,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id AND e.status = 'failed') AS failed,
      (SELECT count(*) FROM exhibits e WHERE e.batch_id = b.id AND e.status = 'duplicate') AS duplicates,
      (SELECT count(*) FROM faces f JOIN exhibits e ON e.id = f.exhibit_id WHERE e.batch_id = b.id) AS facesFound
    FROM import_batches b`;
  const q = {
    batch: db.prepare(`${batchSelect} WHERE b.id = ?`),
    batches: db.prepare(`${batchSelect} ORDER BY b.started_at DESC`),
    batchOptions: db.prepare('SELECT options FROM import_batches WHERE id = ?').pluck(),
    exhibit: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e WHERE e.id = ?`),
    exhibitsAll: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e ORDER BY e.id LIMIT ? OFFSET ?`),
    exhibitsByStatus: db.prepare(`SELECT ${EXHIBIT_COLUMNS} FROM exhibits e WHERE e.status = ? ORDER BY e.id LIMIT ? OFFSET ?`),
    countAll: db.prepare('SELECT count(*) FROM exhibits').pluck(),
    countByStatus: db.prepare('SELECT count(*) FROM exhibits WHERE status = ?').pluck(),
    bySha: db.prepare("SELECT id, source_path AS sourcePath, status FROM exhibits WHERE sha256 = ? AND status != 'duplicate' ORDER BY id LIMIT 1"),
    at: db.prepare('SELECT id FROM exhibits WHERE source_path = ? AND sha256 = ?'),
    ofBatch: db.prepare('SELECT id FROM exhibits WHERE batch_id = ? ORDER BY id').pluck(),
    forCheckAll: db.prepare("SELECT id, source_path AS sourcePath, sha256, kind FROM exhibits ORDER BY id"),
    forCheckOne: db.prepare('SELECT id, source_path AS sourcePath, sha256, kind FROM exhibits WHERE id = ?'),
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
    insertExhibit: db.prepare(`INSERT INTO exhibits (batch_id, sha256, bytes, source_path, file_name, exhibit_ref, kind, file_type, status, failure, duplicate_of,
      width, height, duration_ms, capture_time, camera, source_modified_at, imported_by, imported_at, pack, thumbnail, display, role)
      VALUES (@batchId, @sha256, @bytes, @sourcePath, @fileName, @exhibitRef, @kind, @fileType, @status, @failure, @duplicateOf,
      @width, @height, @durationMs, @captureTime, @camera, @sourceModifiedAt, @importedBy, @importedAt, @pack, @thumbnail, @display, @role)`),
    insertFrame: db.prepare('INSERT INTO frames (exhibit_id, time_ms, width, height, display) VALUES (?, ?, ?, ?, ?)'),
    insertTrack: db.prepare('INSERT INTO tracks (exhibit_id, first_ms, last_ms, face_count) VALUES (?, ?, ?, ?)'),
    setBest: db.prepare('UPDATE tracks SET best_face_id = ? WHERE id = ?'),
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
    for (const t of tracks) trackIds.set(t.key, Number(q.insertTrack.run(exhibitId, t.firstMs, t.lastMs, t.faceCount).lastInsertRowid));
    const faceIds = faces.map((f) =>
      Number(
        q.insertFace.run({
          exhibitId,
          frameId: f.frameTimeMs === null ? null : (frameIds.get(f.frameTimeMs) ?? null),
          trackId: f.trackKey === null ? null : (trackIds.get(f.trackKey) ?? null),
          box: JSON.stringify(f.box),
          landmarks: JSON.stringify(f.landmarks5),
          detectorScore: f.detectorScore,
          quality: JSON.stringify(f.quality),
          qualityScore: f.quality.score,
          insufficient: f.quality.insufficient ? 1 : 0,
          model: f.model,
          embedding: embeddingBlob(f.embedding),
          crop: blob(f.crop),
          aligned: blob(f.aligned),
        }).lastInsertRowid,
      ),
    );
    for (const t of tracks) {
      const best = faceIds[t.bestFace];
      if (best !== undefined) q.setBest.run(best, trackIds.get(t.key));
    }
    return { exhibitId, faceIds };
  });

  return {
    reads: {
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
      exhibitAt: (sourcePath, sha) => (q.at.get(sourcePath, sha) as { id: number } | undefined) ?? null,
      exhibitsOfBatch: (batchId) => q.ofBatch.all(batchId) as number[],
      exhibitsForCheck: (id) => (id === undefined ? q.forCheckAll.all() : q.forCheckOne.all(id)) as { id: number; sourcePath: string; sha256: string; kind: ExhibitSummary['kind'] }[],
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
    },
    writes: {
      startBatch: (b) => void q.startBatch.run({ ...b, sources: JSON.stringify(b.sources), options: JSON.stringify(b.options) }),
      setBatchTotal: (id, total) => void q.setTotal.run(total, id),
      finishBatch: (id, status, at) => void q.finish.run(status, at, id),
      markInterrupted: () => q.interrupt.run().changes,
      insertExhibit: (e, frames, tracks, faces) => insertExhibit(e, frames, tracks, faces),
    },
  };
}
