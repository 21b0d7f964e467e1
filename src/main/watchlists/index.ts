import { LoupeError, type FaceSummary, type Watchlist, type WatchlistEntry } from '../../shared';
import type { CaseStore, EntryRow } from '../store';

/**
 * Watch lists of the case: named lists of reference faces, each entry with where the image
 * came from, why the person is listed, who listed them and until when. Removing an entry
 * keeps it on record with who removed it and why; it is no longer searched.
 */
export class WatchlistService {
  constructor(
    private readonly store: CaseStore,
    private readonly now: () => Date,
  ) {}

  list(): Watchlist[] {
    return this.store.reads.watchlists();
  }

  create(name: string, description: string, user: string): Watchlist {
    if (this.list().some((w) => w.name.toLowerCase() === name.toLowerCase())) throw new LoupeError('conflict', `There is already a watch list called ${name}.`, 'name');
    const id = this.store.writes.createWatchlist({ name, description, createdBy: user, createdAt: this.now().toISOString() });
    return this.store.reads.watchlist(id) as Watchlist;
  }

  entries(watchlistId: number): WatchlistEntry[] {
    if (!this.store.reads.watchlist(watchlistId)) throw new LoupeError('not_found', `No watch list ${watchlistId} in this case.`, 'watchlistId');
    return this.store.reads.entries(watchlistId).map((e) => this.toEntry(e));
  }

  add(e: { watchlistId: number; faceId: number; label: string; source: string; reason: string; retentionDate: string }, user: string): WatchlistEntry {
    if (!this.store.reads.watchlist(e.watchlistId)) throw new LoupeError('not_found', `No watch list ${e.watchlistId} in this case.`, 'watchlistId');
    if (!this.store.reads.face(e.faceId)) throw new LoupeError('not_found', `No face ${e.faceId} in this case.`, 'faceId');
    if (this.store.reads.entries(e.watchlistId).some((x) => x.faceId === e.faceId)) throw new LoupeError('conflict', 'That face is already on this list.', 'faceId');
    if (e.retentionDate <= this.now().toISOString().slice(0, 10)) throw new LoupeError('invalid_input', 'The retention date must be in the future.', 'retentionDate');
    const id = this.store.writes.addEntry({ ...e, addedBy: user, addedAt: this.now().toISOString() });
    return this.toEntry(this.store.reads.entry(id) as EntryRow);
  }

  remove(entryId: number, reason: string, user: string): EntryRow {
    const entry = this.store.reads.entry(entryId);
    if (!entry) throw new LoupeError('not_found', `No entry ${entryId} on any watch list of this case, or it was removed already.`, 'entryId');
    this.store.writes.removeEntry(entryId, user, this.now().toISOString(), reason);
    return entry;
  }

  private toEntry(e: EntryRow): WatchlistEntry {
    const { faceId, ...rest } = e;
    return { ...rest, face: this.store.reads.face(faceId) as FaceSummary };
  }
}
