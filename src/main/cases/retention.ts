import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  daysBetween,
  DUE_WITHIN_DAYS,
  LoupeError,
  retentionStatus,
  type CaseRetention,
  type PurgeProof,
  type PurgeReceipt,
  type RetentionQueue,
  type User,
} from '../../shared';
import { CASE_FILES, eraseCaseFolder, keyslotFilesOf, readCaseMembers, takeCaseLease, type CaseRegisterRow, type CaseStore, type WorkstationStore } from '../store';

const HOLD_KEY = 'legal_hold';

/** The open case's retention, read from the case itself: the register only copies it. */
export function caseRetention(store: CaseStore): CaseRetention {
  const raw = store.reads.caseMeta(HOLD_KEY);
  const hold = raw ? (JSON.parse(raw) as { held: boolean; since?: string; by?: string }) : { held: false };
  return { retentionDate: store.reads.info().retentionDate, held: hold.held, heldSince: hold.held ? (hold.since ?? null) : null, heldBy: hold.held ? (hold.by ?? null) : null };
}

/** The words a refused purge or a refused reuse of a purged reference says. */
export const purgedCase = (c: CaseRegisterRow) =>
  `Case ${c.reference} was purged on ${c.purgedAt?.slice(0, 10)} by ${c.purgedBy}: its keys were destroyed and it can never be opened again.`;

/**
 * Retention of cases: each case is kept until its retention date unless a legal hold keeps it
 * longer; a supervisor changes the date or the hold with a reason (the reason is recorded in
 * the case's own encrypted chain, the date and hold are copied into the register, which is
 * how the queue is known without opening any case); a case past its date and not held is
 * purged by crypto-erase at a supervisor's typed confirmation.
 */
export class RetentionService {
  constructor(
    private readonly ws: WorkstationStore,
    private readonly casesDir: string,
    private readonly now: () => Date,
  ) {}

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  queue(): RetentionQueue {
    const today = this.today();
    const cases = this.ws.reads
      .cases()
      .map((c) => ({
        caseId: c.id,
        reference: c.reference,
        retentionDate: c.retentionDate,
        held: c.held,
        status: retentionStatus(c, today),
        daysLeft: c.retentionDate ? daysBetween(today, c.retentionDate) : null,
        createdAt: c.createdAt,
        createdBy: c.createdBy,
        purgedAt: c.purgedAt,
        purgedBy: c.purgedBy,
      }))
      // Most urgent first: overdue, then due, unknown, held, kept, and purged last; by date within each.
      .sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || (a.retentionDate ?? '').localeCompare(b.retentionDate ?? ''));
    return { today, dueWithinDays: DUE_WITHIN_DAYS, cases };
  }

  /** Copies the open case's own date and hold into the register. */
  syncRegister(store: CaseStore): void {
    const r = caseRetention(store);
    this.ws.writes.setCaseRetention(store.id, r.retentionDate, r.held);
  }

  /**
   * A new retention date for the open case, later or earlier. An earlier one may not be
   * before today: a case is never purgeable on the day its retention was shortened, which
   * leaves that decision on the record a day before anything can follow from it.
   */
  setDate(store: CaseStore, date: string): { from: string; to: string } {
    const from = store.reads.info().retentionDate;
    if (date === from) throw new LoupeError('conflict', `The case is already kept until ${date}.`, 'retentionDate');
    if (date < this.today()) throw new LoupeError('invalid_input', `The retention date may not be in the past (today is ${this.today()}); to end retention early, set today's date: the case may then be purged from tomorrow.`, 'retentionDate');
    store.writes.setRetentionDate(date);
    return { from, to: date };
  }

  setHold(store: CaseStore, held: boolean, user: User): CaseRetention {
    if (caseRetention(store).held === held) throw new LoupeError('conflict', held ? 'This case is already under a legal hold.' : 'This case is not under a legal hold.', 'held');
    store.writes.setCaseMeta(HOLD_KEY, JSON.stringify(held ? { held, since: this.now().toISOString(), by: user.username } : { held }));
    return caseRetention(store);
  }

  /**
   * Crypto-erases a case: refused unless the typed reference matches, the case is not open,
   * not held and past its retention date. Every key slot file is destroyed before the
   * folder goes; then `commit` marks the register row purged with the call's audit record.
   * If the process dies in between, the case can no longer be opened and running the purge
   * again finishes it.
   */
  purge(caseId: string, confirmReference: string, user: User, openCaseId: string | null, commit: (mark: () => void, recorded: Record<string, unknown>) => void): PurgeReceipt {
    const c = this.ws.reads.caseById(caseId);
    if (!c) throw new LoupeError('not_found', 'No such case on this workstation.', 'caseId');
    if (c.purgedAt) throw new LoupeError('conflict', purgedCase(c), 'caseId');
    if (confirmReference.trim().toLowerCase() !== c.reference.toLowerCase()) {
      throw new LoupeError('invalid_input', `Type the case reference ${c.reference} exactly to confirm the purge; nothing was purged.`, 'confirmReference');
    }
    if (openCaseId === caseId) throw new LoupeError('conflict', `Case ${c.reference} is open: close it before purging it.`, 'caseId');
    if (c.held) throw new LoupeError('conflict', `Case ${c.reference} is under a legal hold and cannot be purged. A supervisor lifts the hold, with a reason, on the case's overview first.`, 'caseId');
    if (!c.retentionDate) {
      throw new LoupeError('conflict', `The workstation does not know the retention date of case ${c.reference} (it was made before dates were kept in the register): open the case once, then purge it.`, 'caseId');
    }
    const today = this.today();
    if (c.retentionDate >= today) {
      throw new LoupeError(
        'conflict',
        `Case ${c.reference} is kept until ${c.retentionDate} and may be purged from the day after. To end its retention early, a supervisor sets an earlier retention date on the case, with a reason.`,
        'caseId',
      );
    }
    const rule = `retention date ${c.retentionDate} passed (purged on ${today}); no legal hold`;
    // Held while the keys are destroyed, so no other Loupe program opens the case meanwhile; one that has it open refuses the purge.
    let release = () => undefined as void;
    if (existsSync(c.folder)) {
      try {
        release = takeCaseLease(c.folder, user.username);
      } catch (err) {
        if (err instanceof LoupeError && err.code === 'conflict') throw new LoupeError('conflict', `Case ${c.reference} was not purged. ${err.message}`, 'caseId');
        throw err;
      }
    }
    let keySlotFilesDestroyed: number;
    try {
      keySlotFilesDestroyed = eraseCaseFolder(c.folder);
    } finally {
      release();
    }
    const purgedAt = this.now().toISOString();
    commit(() => this.ws.writes.markCasePurged(caseId, purgedAt, user.username), { reference: c.reference, retentionDate: c.retentionDate, rule, keySlotFilesDestroyed, purgedAt });
    return { caseId, reference: c.reference, purgedAt, purgedBy: user.username, rule, keySlotFilesDestroyed, proof: this.verify(caseId) };
  }

  /** Shows, by looking, that a purged case cannot be opened here: no key slot for it anywhere under the cases folder, no folder, no files. */
  verify(caseId: string): PurgeProof {
    const c = this.ws.reads.caseById(caseId);
    if (!c) throw new LoupeError('not_found', 'No such case on this workstation.', 'caseId');
    const slots = keyslotFilesOf(this.casesDir, caseId);
    const folderGone = !existsSync(c.folder);
    const opening = { refused: true, found: '' };
    try {
      readCaseMembers(c.folder);
      Object.assign(opening, { refused: false, found: 'its key slot file was read: the case could still be opened' });
    } catch (err) {
      opening.found = err instanceof LoupeError ? err.message : String(err);
    }
    const checks = [
      { check: 'The register marks the case purged', ok: c.purgedAt !== null, found: c.purgedAt ? `purged ${c.purgedAt} by ${c.purgedBy}` : 'not marked purged' },
      { check: `No key slot file for the case under ${this.casesDir}`, ok: slots.length === 0, found: slots.length === 0 ? 'none' : slots.join(', ') },
      { check: `No case folder at ${c.folder}`, ok: folderGone, found: folderGone ? 'absent' : `present, holding ${Object.values(CASE_FILES).filter((f) => existsSync(path.join(c.folder, f))).join(', ') || 'other files'}` },
      { check: 'Opening the case is refused for want of a key slot', ok: opening.refused, found: opening.found },
    ];
    return { caseId, reference: c.reference, purgedAt: c.purgedAt, purgedBy: c.purgedBy, ok: checks.every((x) => x.ok), checks };
  }
}

const ORDER = ['overdue', 'due', 'unknown', 'held', 'kept', 'purged'];
