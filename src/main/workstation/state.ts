import { ApiEvent, type CaseSummary, type User } from '../../shared';
import type { OpenCase } from '../cases';
import type { EvidenceService } from '../evidence';

/** An open case with the services that live as long as it is open. */
export interface CaseSession extends OpenCase {
  evidence: EvidenceService;
}

/** Who is signed in and which case is open: one of each at a time on a workstation. */
export class SessionState {
  user: User | null = null;
  open: CaseSession | null = null;
  private readonly listeners = new Set<(e: ApiEvent) => void>();

  openCaseSummary(): CaseSummary | null {
    if (!this.open || !this.user) return null;
    const info = this.open.store.reads.info();
    return { id: info.id, reference: info.reference, title: info.title, createdAt: info.createdAt, createdBy: info.createdBy, hasAccess: true, isOpen: true };
  }

  /** Stops the case's running work, then closes its store. */
  async closeCase(): Promise<void> {
    const open = this.open;
    if (!open) return;
    await open.evidence.stop();
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
