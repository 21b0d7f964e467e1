import type { PackChange } from '../../shared';
import { embeddingBlob } from './embedding';
import type { Db } from './sqlite';

/** A pack change as stored; the packs are CasePack records as JSON. */
export interface PackChangeRow {
  id: number;
  fromPack: string;
  toPack: string;
  reason: string;
  startedBy: string;
  startedAt: string;
  status: PackChange['status'];
  facesTotal: number;
  /** Faces encoded again so far (staged, or swapped in). */
  facesDone: number;
  finishedAt: string | null;
  failure: string | null;
}

/** A face as a pack change reads it: its stored aligned crop and its landmarks (JSON). */
export interface HeldFace {
  id: number;
  aligned: Buffer;
  landmarks: string;
}

export interface PackChangeReads {
  packChanges(): PackChangeRow[];
  packChange(id: number): PackChangeRow | null;
  /** Every face of the case, removed ones included: all are encoded again, so none is left in the old space. */
  countAllFaces(): number;
  /** Faces after `afterId` not yet staged by the change, in id order. */
  facesToReencode(changeId: number, afterId: number, limit: number): HeldFace[];
  /** Videos staged by an import and not yet exhibits. */
  countStagedVideos(): number;
  /** Tracks with a stored fused template (which a change fuses again). */
  templatedTracks(): number[];
}

export interface PackChangeWrites {
  startPackChange(c: { fromPack: string; toPack: string; reason: string; startedBy: string; startedAt: string; facesTotal: number }): number;
  resumePackChange(id: number, facesTotal: number): void;
  stageReencoded(changeId: number, faces: { id: number; embedding: Float32Array }[]): void;
  finishPackChange(id: number, status: PackChangeRow['status'], at: string | null, failure: string | null): void;
  /** Changes left 'running' by a process that died or a case that closed: they can be resumed. */
  markPackChangesInterrupted(): number;
  /** Puts the staged embeddings on the faces (keeping the old ones beside them). Run inside the caller's transaction. */
  swapReencoded(changeId: number, model: string): number;
  setTrackTemplate(trackId: number, template: Float32Array, faces: number): void;
}

const COLUMNS = `c.id, c.from_pack AS fromPack, c.to_pack AS toPack, c.reason, c.started_by AS startedBy, c.started_at AS startedAt, c.status,
  c.faces_total AS facesTotal, (SELECT count(*) FROM pack_change_faces s WHERE s.change_id = c.id) AS facesDone, c.finished_at AS finishedAt, c.failure`;

/** Changes of the case's model pack and the embeddings they stage (case migration 10). */
export function packChangeTables(db: Db): { reads: PackChangeReads; writes: PackChangeWrites } {
  const q = {
    all: db.prepare(`SELECT ${COLUMNS} FROM pack_changes c ORDER BY c.id DESC`),
    one: db.prepare(`SELECT ${COLUMNS} FROM pack_changes c WHERE c.id = ?`),
    countAll: db.prepare('SELECT count(*) FROM faces').pluck(),
    toDo: db.prepare(`SELECT f.id, f.aligned, f.landmarks FROM faces f
      WHERE f.id > ? AND NOT EXISTS (SELECT 1 FROM pack_change_faces s WHERE s.change_id = ? AND s.face_id = f.id) ORDER BY f.id LIMIT ?`),
    staged: db.prepare('SELECT count(*) FROM staged_videos').pluck(),
    templated: db.prepare('SELECT id FROM tracks WHERE template IS NOT NULL ORDER BY id').pluck(),
    start: db.prepare(`INSERT INTO pack_changes (from_pack, to_pack, reason, started_by, started_at, status, faces_total)
      VALUES (@fromPack, @toPack, @reason, @startedBy, @startedAt, 'running', @facesTotal)`),
    resume: db.prepare("UPDATE pack_changes SET status = 'running', faces_total = ?, finished_at = NULL, failure = NULL WHERE id = ?"),
    stage: db.prepare('INSERT OR REPLACE INTO pack_change_faces (change_id, face_id, embedding) VALUES (?, ?, ?)'),
    finish: db.prepare('UPDATE pack_changes SET status = ?, finished_at = ?, failure = ? WHERE id = ?'),
    interrupt: db.prepare("UPDATE pack_changes SET status = 'interrupted' WHERE status = 'running'"),
    keepOld: db.prepare(`UPDATE pack_change_faces SET old_model = (SELECT model FROM faces WHERE faces.id = face_id),
      old_embedding = (SELECT embedding FROM faces WHERE faces.id = face_id) WHERE change_id = ?`),
    swap: db.prepare(`UPDATE faces SET model = ?, embedding = (SELECT s.embedding FROM pack_change_faces s WHERE s.change_id = ? AND s.face_id = faces.id)
      WHERE id IN (SELECT face_id FROM pack_change_faces WHERE change_id = ?)`),
    template: db.prepare('UPDATE tracks SET template = ?, template_faces = ? WHERE id = ?'),
  };
  const stage = db.transaction((changeId: number, faces: { id: number; embedding: Float32Array }[]) => {
    for (const f of faces) q.stage.run(changeId, f.id, embeddingBlob(f.embedding));
  });
  return {
    reads: {
      packChanges: () => q.all.all() as PackChangeRow[],
      packChange: (id) => (q.one.get(id) as PackChangeRow | undefined) ?? null,
      countAllFaces: () => q.countAll.get() as number,
      facesToReencode: (changeId, afterId, limit) => q.toDo.all(afterId, changeId, limit) as HeldFace[],
      countStagedVideos: () => q.staged.get() as number,
      templatedTracks: () => q.templated.all() as number[],
    },
    writes: {
      startPackChange: (c) => Number(q.start.run(c).lastInsertRowid),
      resumePackChange: (id, facesTotal) => void q.resume.run(facesTotal, id),
      stageReencoded: (changeId, faces) => stage(changeId, faces),
      finishPackChange: (id, status, at, failure) => void q.finish.run(status, at, failure, id),
      markPackChangesInterrupted: () => q.interrupt.run().changes,
      swapReencoded: (changeId, model) => {
        q.keepOld.run(changeId);
        return q.swap.run(model, changeId, changeId).changes;
      },
      setTrackTemplate: (trackId, template, faces) => void q.template.run(embeddingBlob(template), faces, trackId),
    },
  };
}
