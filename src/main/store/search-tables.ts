import type { Watchlist } from '../../shared';
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

export interface EntryRow {
  id: number;
  watchlistId: number;
  faceId: number;
  label: string;
  source: string;
  reason: string;
  retentionDate: string;
  addedBy: string;
  addedAt: string;
}

export interface SearchReads {
  caseMeta(key: string): string | null;
  /** Live faces of one model passing the filters (exhibits, capture time, quality), in id order. */
  filteredFaceIds(model: string, roles: readonly FaceContext['role'][], f: { exhibitIds?: number[]; from?: string; to?: string; minQuality?: number }): number[];
  faceContext(ids: readonly number[]): Map<number, FaceContext>;
  /** Live faces of one model in exhibits of this role, in id order. */
  faceIdsByRole(model: string, role: FaceContext['role']): number[];
  facesOfExhibits(exhibitIds: readonly number[]): number[];
  /** Every live face of one model, with what grouping needs. */
  groupingItems(model: string, role: FaceContext['role']): IterableIterator<FaceContext & { embedding: Buffer }>;
  watchlists(): Watchlist[];
  watchlist(id: number): Watchlist | null;
  entries(watchlistId: number): EntryRow[];
  entry(id: number): EntryRow | null;
  /** Active entries of these lists, by face. */
  entriesByFace(watchlistIds: readonly number[]): Map<number, EntryRow & { listName: string }>;
  searchResult(id: number): string | null;
  searches(): { id: number; createdAt: string; createdBy: string; purpose: string; probeFaceId: number; result: string }[];
  personMembers(): { faceId: number; personId: number }[];
  persons(): { id: number; name: string | null }[];
  lastPersonEdit(): PersonEditRow | null;
}

/** One stored edit of the grouping: what it was, who made it and when, and how to take it back. */
export interface PersonEditRow {
  seq: number;
  kind: string;
  user: string;
  at: string;
  undo: string;
}

export interface SearchWrites {
  setCaseMeta(key: string, value: string): void;
  createWatchlist(w: { name: string; description: string; createdBy: string; createdAt: string }): number;
  addEntry(e: Omit<EntryRow, 'id'>): number;
  removeEntry(id: number, by: string, at: string, reason: string): void;
  recordSearch(s: { createdAt: string; createdBy: string; purpose: string; probeFaceId: number; result: string }): number;
  setSearchResult(id: number, result: string): void;
  /** Replaces the whole grouping, clearing its edit history. */
  replaceGrouping(groups: { faceIds: number[] }[]): void;
  newPerson(name: string | null): number;
  setPersonName(id: number, name: string | null): void;
  setPersonDeleted(id: number, deleted: boolean): void;
  assignFaces(faceIds: readonly number[], personId: number | null): void;
  recordPersonEdit(e: { at: string; user: string; kind: string; undo: string }): void;
  markPersonEditUndone(seq: number): void;
}

export function searchTables(db: Db): { reads: SearchReads; writes: SearchWrites } {
  const CONTEXT = `SELECT f.id AS faceId, f.exhibit_id AS exhibitId, f.track_id AS trackId, e.role, e.capture_time AS captureTime,
      f.quality_score AS qualityScore, f.insufficient <> 0 AS insufficient, f.model, COALESCE('frame:' || f.frame_id, 'exhibit:' || f.exhibit_id) AS frameKey
    FROM faces f JOIN exhibits e ON e.id = f.exhibit_id`;
  const q = {
    meta: db.prepare('SELECT value FROM case_meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    context: db.prepare(`${CONTEXT} WHERE f.id = ? AND f.deleted = 0`),
    byRole: db.prepare('SELECT f.id FROM faces f JOIN exhibits e ON e.id = f.exhibit_id WHERE f.model = ? AND e.role = ? AND f.deleted = 0 ORDER BY f.id').pluck(),
    ofExhibit: db.prepare('SELECT id FROM faces WHERE exhibit_id = ? AND deleted = 0').pluck(),
    grouping: db.prepare(`${CONTEXT.replace('SELECT ', 'SELECT f.embedding, ')} WHERE f.model = ? AND e.role = ? AND f.deleted = 0 ORDER BY f.id`),
    watchlists: db.prepare(`SELECT w.id, w.name, w.description, w.created_by AS createdBy, w.created_at AS createdAt,
        (SELECT count(*) FROM watchlist_entries x WHERE x.watchlist_id = w.id AND x.removed_at IS NULL) AS entries FROM watchlists w ORDER BY w.name`),
    watchlist: db.prepare(`SELECT w.id, w.name, w.description, w.created_by AS createdBy, w.created_at AS createdAt,
        (SELECT count(*) FROM watchlist_entries x WHERE x.watchlist_id = w.id AND x.removed_at IS NULL) AS entries FROM watchlists w WHERE w.id = ?`),
    entries: db.prepare(`SELECT id, watchlist_id AS watchlistId, face_id AS faceId, label, source, reason, retention_date AS retentionDate, added_by AS addedBy, added_at AS addedAt
        FROM watchlist_entries WHERE watchlist_id = ? AND removed_at IS NULL ORDER BY label, id`),
    entry: db.prepare(`SELECT id, watchlist_id AS watchlistId, face_id AS faceId, label, source, reason, retention_date AS retentionDate, added_by AS addedBy, added_at AS addedAt
        FROM watchlist_entries WHERE id = ? AND removed_at IS NULL`),
    searchResult: db.prepare('SELECT result FROM searches WHERE id = ?').pluck(),
    searches: db.prepare('SELECT id, created_at AS createdAt, created_by AS createdBy, purpose, probe_face_id AS probeFaceId, result FROM searches ORDER BY id DESC'),
    members: db.prepare('SELECT m.face_id AS faceId, m.person_id AS personId FROM person_members m JOIN faces f ON f.id = m.face_id WHERE f.deleted = 0'),
    persons: db.prepare('SELECT id, name FROM person_groups WHERE deleted = 0 ORDER BY id'),
    lastEdit: db.prepare('SELECT seq, kind, user, at, undo FROM person_edits WHERE undone = 0 ORDER BY seq DESC LIMIT 1'),
    createWatchlist: db.prepare('INSERT INTO watchlists (name, description, created_by, created_at) VALUES (@name, @description, @createdBy, @createdAt)'),
    addEntry: db.prepare(`INSERT INTO watchlist_entries (watchlist_id, face_id, label, source, reason, retention_date, added_by, added_at)
        VALUES (@watchlistId, @faceId, @label, @source, @reason, @retentionDate, @addedBy, @addedAt)`),
    removeEntry: db.prepare('UPDATE watchlist_entries SET removed_by = ?, removed_at = ?, removal_reason = ? WHERE id = ?'),
    recordSearch: db.prepare('INSERT INTO searches (created_at, created_by, purpose, probe_face_id, result) VALUES (@createdAt, @createdBy, @purpose, @probeFaceId, @result)'),
    setSearchResult: db.prepare('UPDATE searches SET result = ? WHERE id = ?'),
    clearMembers: db.prepare('DELETE FROM person_members'),
    clearPersons: db.prepare('UPDATE person_groups SET deleted = 1'),
    clearEdits: db.prepare('DELETE FROM person_edits'),
    newPerson: db.prepare('INSERT INTO person_groups (name) VALUES (?)'),
    setName: db.prepare('UPDATE person_groups SET name = ? WHERE id = ?'),
    setDeleted: db.prepare('UPDATE person_groups SET deleted = ? WHERE id = ?'),
    assign: db.prepare('INSERT INTO person_members (face_id, person_id) VALUES (?, ?) ON CONFLICT(face_id) DO UPDATE SET person_id = excluded.person_id'),
    unassign: db.prepare('DELETE FROM person_members WHERE face_id = ?'),
    recordEdit: db.prepare('INSERT INTO person_edits (at, user, kind, undo) VALUES (@at, @user, @kind, @undo)'),
    undone: db.prepare('UPDATE person_edits SET undone = 1 WHERE seq = ?'),
  };
  const assign = db.transaction((faceIds: readonly number[], personId: number | null) => {
    for (const id of faceIds) {
      if (personId === null) q.unassign.run(id);
      else q.assign.run(id, personId);
    }
  });
  const replace = db.transaction((groups: { faceIds: number[] }[]) => {
    q.clearMembers.run();
    q.clearPersons.run();
    q.clearEdits.run();
    for (const g of groups) {
      const pid = Number(q.newPerson.run(null).lastInsertRowid);
      for (const f of g.faceIds) q.assign.run(f, pid);
    }
  });
  return {
    reads: {
      caseMeta: (key) => (q.meta.get(key) as string | undefined) ?? null,
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
      facesOfExhibits: (ids) => ids.flatMap((id) => q.ofExhibit.all(id) as number[]),
      groupingItems: (model, role) => q.grouping.iterate(model, role) as IterableIterator<FaceContext & { embedding: Buffer }>,
      watchlists: () => q.watchlists.all() as Watchlist[],
      watchlist: (id) => (q.watchlist.get(id) as Watchlist | undefined) ?? null,
      entries: (id) => q.entries.all(id) as EntryRow[],
      entry: (id) => (q.entry.get(id) as EntryRow | undefined) ?? null,
      entriesByFace: (listIds) => {
        const out = new Map<number, EntryRow & { listName: string }>();
        for (const listId of listIds) {
          const list = q.watchlist.get(listId) as Watchlist | undefined;
          if (!list) continue;
          for (const e of q.entries.all(listId) as EntryRow[]) if (!out.has(e.faceId)) out.set(e.faceId, { ...e, listName: list.name });
        }
        return out;
      },
      searchResult: (id) => (q.searchResult.get(id) as string | undefined) ?? null,
      searches: () => q.searches.all() as { id: number; createdAt: string; createdBy: string; purpose: string; probeFaceId: number; result: string }[],
      personMembers: () => q.members.all() as { faceId: number; personId: number }[],
      persons: () => q.persons.all() as { id: number; name: string | null }[],
      lastPersonEdit: () => (q.lastEdit.get() as PersonEditRow | undefined) ?? null,
    },
    writes: {
      setCaseMeta: (key, value) => void q.setMeta.run(key, value),
      createWatchlist: (w) => Number(q.createWatchlist.run(w).lastInsertRowid),
      addEntry: (e) => Number(q.addEntry.run(e).lastInsertRowid),
      removeEntry: (id, by, at, reason) => void q.removeEntry.run(by, at, reason, id),
      recordSearch: (s) => Number(q.recordSearch.run(s).lastInsertRowid),
      setSearchResult: (id, result) => void q.setSearchResult.run(result, id),
      replaceGrouping: (groups) => replace(groups),
      newPerson: (name) => Number(q.newPerson.run(name).lastInsertRowid),
      setPersonName: (id, name) => void q.setName.run(name, id),
      setPersonDeleted: (id, deleted) => void q.setDeleted.run(deleted ? 1 : 0, id),
      assignFaces: (faceIds, personId) => assign(faceIds, personId),
      recordPersonEdit: (e) => void q.recordEdit.run(e),
      markPersonEditUndone: (seq) => void q.undone.run(seq),
    },
  };
}
