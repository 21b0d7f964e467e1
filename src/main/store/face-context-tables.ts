import { toEmbedding } from './embedding';
import type { Db } from './sqlite';

/** What a search, a watch list or a grouping needs to know of a stored face. */
export interface FaceContext {
  faceId: number;
  exhibitId: number;
  trackId: number | null;
  role: 'evidence' | 'probe' | 'reference';
  captureTime: string | null;
  qualityScore: number;
  /** 1 when the face is flagged insufficient for comparison (SQLite has no boolean). */
  insufficient: 0 | 1;
  model: string;
  /** Faces with the same key were in one image or video frame. */
  frameKey: string;
}

export interface FaceContextReads {
  /** Live faces of one model passing the filters (exhibits, capture time, quality), in id order. */
  filteredFaceIds(model: string, roles: readonly FaceContext['role'][], f: { exhibitIds?: number[]; from?: string; to?: string; minQuality?: number }): number[];
  faceContext(ids: readonly number[]): Map<number, FaceContext>;
  /** Live faces of one model in exhibits of this role, in id order. */
  faceIdsByRole(model: string, role: FaceContext['role']): number[];
  /** Every live face of one model, with what grouping needs. */
  groupingItems(model: string, role: FaceContext['role']): IterableIterator<FaceContext & { embedding: Float32Array }>;
}

/** Stored faces seen with their exhibit's role, capture time and frame: read by search, watch lists and grouping. */
export function faceContextTables(db: Db): { reads: FaceContextReads } {
  const CONTEXT = `SELECT f.id AS faceId, f.exhibit_id AS exhibitId, f.track_id AS trackId, e.role, e.capture_time AS captureTime,
      f.quality_score AS qualityScore, f.insufficient <> 0 AS insufficient, f.model, COALESCE('frame:' || f.frame_id, 'exhibit:' || f.exhibit_id) AS frameKey
    FROM faces f JOIN exhibits e ON e.id = f.exhibit_id`;
  const q = {
    context: db.prepare(`${CONTEXT} WHERE f.id = ? AND f.deleted = 0`),
    byRole: db.prepare('SELECT f.id FROM faces f JOIN exhibits e ON e.id = f.exhibit_id WHERE f.model = ? AND e.role = ? AND f.deleted = 0 ORDER BY f.id').pluck(),
    grouping: db.prepare(`${CONTEXT.replace('SELECT ', 'SELECT f.embedding, ')} WHERE f.model = ? AND e.role = ? AND f.deleted = 0 ORDER BY f.id`),
  };
  return {
    reads: {
      filteredFaceIds: (model, roles, f) => {
        const where = ['f.model = ?', 'f.deleted = 0', `e.role IN (${roles.map(() => '?').join(',')})`];
        const args: unknown[] = [model, ...roles];
        if (f.exhibitIds) {
          where.push(`f.exhibit_id IN (${f.exhibitIds.map(() => '?').join(',') || 'NULL'})`);
          args.push(...f.exhibitIds);
        }
        if (f.from !== undefined) {
          where.push('e.capture_time >= ?');
          args.push(f.from);
        }
        if (f.to !== undefined) {
          where.push('e.capture_time <= ?');
          args.push(f.to);
        }
        if (f.minQuality !== undefined) {
          where.push('f.quality_score >= ?');
          args.push(f.minQuality);
        }
        return db.prepare(`SELECT f.id FROM faces f JOIN exhibits e ON e.id = f.exhibit_id WHERE ${where.join(' AND ')} ORDER BY f.id`).pluck().all(...args) as number[];
      },
      faceContext: (ids) => {
        const out = new Map<number, FaceContext>();
        for (const id of ids) {
          const r = q.context.get(id) as FaceContext | undefined;
          if (r) out.set(id, r);
        }
        return out;
      },
      faceIdsByRole: (model, role) => q.byRole.all(model, role) as number[],
      groupingItems: function* (model, role) {
        for (const r of q.grouping.iterate(model, role) as IterableIterator<FaceContext & { embedding: Buffer }>) yield { ...r, embedding: toEmbedding(r.embedding) };
      },
    },
  };
}
