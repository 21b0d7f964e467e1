import { ApiEvent, LoupeError, type CaseSummary, type User } from '../../shared';
import type { OpenCase } from '../cases';
import type { EvidenceImporter, EvidenceReader } from '../evidence';
import type { PersonsService } from '../persons';
import type { ReviewService } from '../review';
import type { CaseFaceIndex, SearchService } from '../search';
import type { WatchlistService } from '../watchlists';

/** An open case with the services that live as long as it is open. */
export interface CaseSession extends OpenCase {
  /** Imports into the case. */
  evidence: EvidenceImporter;
  /** What the case holds, read only: exhibits, faces, media, checks of originals. */
  exhibits: EvidenceReader;
  search: SearchService;
  watchlists: WatchlistService;
  persons: PersonsService;
  review: ReviewService;
  /** The face index, opened on first use (a case that is only looked at never builds one). */
  index(): Promise<CaseFaceIndex>;
  /** The index if it was opened, so closing can save it. */
  openedIndex(): CaseFaceIndex | null;
}

/** Who is signed in and which case is open: one of each at a time on a workstation. */
export class SessionState {
  user: User | null = null;
  open: CaseSession | null = null;
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private closing: Promise<void> | null = null;

  /** The open case, or the refusal a case channel gives without one. */
  requireOpen(): CaseSession {
    if (!this.open) throw new LoupeError('no_case_open', 'Open a case first.');
    return this.open;
  }

  openCaseSummary(): CaseSummary | null {
    if (!this.open || !this.user) return null;
    const info = this.open.store.reads.info();
    return { id: info.id, reference: info.reference, title: info.title, createdAt: info.createdAt, createdBy: info.createdBy, hasAccess: true, isOpen: true };
  }

  /** Stops the case's running work, then closes its store; a second call while closing waits for the first. */
  closeCase(): Promise<void> {
    this.closing ??= this.close().finally(() => (this.closing = null));
    return this.closing;
  }

  private async close(): Promise<void> {
    const open = this.open;
    if (!open) return;
    await open.evidence.stop();
    await open.openedIndex()?.close().catch((err: unknown) => console.error('[loupe] the face index could not be saved; it will be rebuilt on open', err));
    open.store.close();
    this.open = null;
    this.emit({ type: 'session.changed' });
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    const checked = ApiEvent.parse(event);
    for (const l of this.listeners) {
      try {
        l(checked);
      } catch (err) {
        console.error('[loupe] event listener failed', err);
      }
    }
  }
}
