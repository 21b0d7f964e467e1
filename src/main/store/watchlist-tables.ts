import type { Watchlist } from '../../shared';
import type { Db } from './sqlite';

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

export interface WatchlistReads {
  watchlists(): Watchlist[];
  watchlist(id: number): Watchlist | null;
  entries(watchlistId: number): EntryRow[];
  entry(id: number): EntryRow | null;
  /** Active entries of these lists still within their retention date on `today` (YYYY-MM-DD), by face. */
  entriesByFace(watchlistIds: readonly number[], today: string): Map<number, EntryRow & { listName: string }>;
  /** Active entries whose retention date is before `today`. */
  expiredEntries(today: string): EntryRow[];
}

export interface WatchlistWrites {
  createWatchlist(w: { name: string; description: string; createdBy: string; createdAt: string }): number;
  addEntry(e: Omit<EntryRow, 'id'>): number;
  /** `by` is null when no one removed it: its retention date passed. */
  removeEntry(id: number, by: string | null, at: string, reason: string): void;
  setEntryRetention(id: number, date: string): void;
}

/** Watch lists and their entries; a removed entry stays on record with who removed it and why. */
export function watchlistTables(db: Db): { reads: WatchlistReads; writes: WatchlistWrites } {
  const LIST = `SELECT w.id, w.name, w.description, w.created_by AS createdBy, w.created_at AS createdAt,
        (SELECT count(*) FROM watchlist_entries x WHERE x.watchlist_id = w.id AND x.removed_at IS NULL) AS entries FROM watchlists w`;
  const ENTRY = `SELECT id, watchlist_id AS watchlistId, face_id AS faceId, label, source, reason, retention_date AS retentionDate, added_by AS addedBy, added_at AS addedAt
        FROM watchlist_entries`;
  const q = {
    watchlists: db.prepare(`${LIST} ORDER BY w.name`),
    watchlist: db.prepare(`${LIST} WHERE w.id = ?`),
    entries: db.prepare(`${ENTRY} WHERE watchlist_id = ? AND removed_at IS NULL ORDER BY label, id`),
    entry: db.prepare(`${ENTRY} WHERE id = ? AND removed_at IS NULL`),
    expired: db.prepare(`${ENTRY} WHERE removed_at IS NULL AND retention_date < ? ORDER BY id`),
    setRetention: db.prepare('UPDATE watchlist_entries SET retention_date = ? WHERE id = ? AND removed_at IS NULL'),
    createWatchlist: db.prepare('INSERT INTO watchlists (name, description, created_by, created_at) VALUES (@name, @description, @createdBy, @createdAt)'),
    addEntry: db.prepare(`INSERT INTO watchlist_entries (watchlist_id, face_id, label, source, reason, retention_date, added_by, added_at)
        VALUES (@watchlistId, @faceId, @label, @source, @reason, @retentionDate, @addedBy, @addedAt)`),
    removeEntry: db.prepare('UPDATE watchlist_entries SET removed_by = ?, removed_at = ?, removal_reason = ? WHERE id = ?'),
  };
  return {
    reads: {
      watchlists: () => q.watchlists.all() as Watchlist[],
      watchlist: (id) => (q.watchlist.get(id) as Watchlist | undefined) ?? null,
      entries: (id) => q.entries.all(id) as EntryRow[],
      entry: (id) => (q.entry.get(id) as EntryRow | undefined) ?? null,
      expiredEntries: (today) => q.expired.all(today) as EntryRow[],
      entriesByFace: (listIds, today) => {
        const out = new Map<number, EntryRow & { listName: string }>();
        for (const listId of listIds) {
          const list = q.watchlist.get(listId) as Watchlist | undefined;
          if (!list) continue;
          for (const e of q.entries.all(listId) as EntryRow[]) if (e.retentionDate >= today && !out.has(e.faceId)) out.set(e.faceId, { ...e, listName: list.name });
        }
        return out;
      },
    },
    writes: {
      createWatchlist: (w) => Number(q.createWatchlist.run(w).lastInsertRowid),
      addEntry: (e) => Number(q.addEntry.run(e).lastInsertRowid),
      removeEntry: (id, by, at, reason) => void q.removeEntry.run(by, at, reason, id),
      setEntryRetention: (id, date) => void q.setRetention.run(date, id),
    },
  };
}
