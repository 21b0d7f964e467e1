import { LoupeError, type FaceSummary, type Watchlist, type WatchlistEntry } from '../../shared';
import type { AuditLog } from '../audit';
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
    private readonly audit: AuditLog,
  ) {}

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  /**
   * Takes every entry past its retention date off its list, each with its own record on the
   * case chain (no user: the date decided it). Runs when the case is opened; searches also
   * leave such entries out on their own, so a case open across midnight never searches one.
   */
  expire(): number {
    const expired = this.store.reads.expiredEntries(this.today());
    for (const e of expired) {
      const rule = `retention date ${e.retentionDate} passed`;
      this.audit.record(
        () => this.store.writes.removeEntry(e.id, null, this.now().toISOString(), rule),
        () => ({ user: null, action: 'watchlists.entryExpired', object: `watchlist-entry:${e.id}`, outcome: 'ok', details: { watchlistId: e.watchlistId, faceId: e.faceId, label: e.label, retentionDate: e.retentionDate, rule } }),
      );
    }
    return expired.length;
  }

  /** A new retention date for an entry (the reason is in the call's record). */
  setRetention(entryId: number, date: string): { entry: EntryRow; from: string } {
    const entry = this.store.reads.entry(entryId);
    if (!entry) throw new LoupeError('not_found', `No entry ${entryId} on any watch list of this case, or it was removed already.`, 'entryId');
    if (date === entry.retentionDate) throw new LoupeError('conflict', `The entry is already kept until ${date}.`, 'retentionDate');
    if (date < this.today()) throw new LoupeError('invalid_input', `The retention date may not be in the past (today is ${this.today()}).`, 'retentionDate');
    this.store.writes.setEntryRetention(entryId, date);
    return { entry: this.store.reads.entry(entryId) as EntryRow, from: entry.retentionDate };
  }

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
    if (e.retentionDate <= this.today()) throw new LoupeError('invalid_input', 'The retention date must be in the future.', 'retentionDate');
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
