import { ApiEvent, LoupeError, type CaseSummary, type User } from '../../shared';
import type { CaseSession } from './case-session';

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
    return { id: info.id, reference: info.reference, title: info.title, createdAt: info.createdAt, createdBy: info.createdBy, hasAccess: true, isOpen: true, folder: 'ready' };
  }

  /** Closes the case's services (running work stops first) and its store; a second call while closing waits for the first. */
  closeCase(): Promise<void> {
    this.closing ??= this.close().finally(() => (this.closing = null));
    return this.closing;
  }

  private async close(): Promise<void> {
    const open = this.open;
    if (!open) return;
    await open.close();
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
