import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LoupeError, type AuditHead, type CaseAuthority, type CaseDetails, type CaseSummary, type RestoreAcceptance, type User } from '../../shared';
import { AuditLog, genesisHash, type AuditAnchor } from '../audit';
import { randomId } from '../crypto';
import { createCaseStore, openCaseStore, readCaseMembers, type CaseStore, type WorkstationStore } from '../store';
import { caseRetention, purgedCase } from './retention';

export { caseRetention, RetentionService } from './retention';

import { casePack } from './pack';

export { casePack, checkCasePack, ensureCasePack, packRecord, recordCasePack } from './pack';
export { PackChangeService, toPackChange, type PackChangeDeps, type PackChangeStart } from './pack-change';

/** An open case: its store and its audit chain. */
export interface OpenCase {
  store: CaseStore;
  audit: AuditLog;
}

/** Extra counts a case's details show, supplied by the modules that own those tables. */
export type CaseCounter = (store: CaseStore) => { exhibits: number; faces: number };

/**
 * Cases on this workstation: one folder each under the cases directory, registered in
 * the workstation database so they can be listed before any is opened.
 */
export class CaseService {
  constructor(
    private readonly ws: WorkstationStore,
    private readonly casesDir: string,
    private readonly now: () => Date,
    private readonly counter: CaseCounter = () => ({ exhibits: 0, faces: 0 }),
  ) {}

  list(user: User, open: OpenCase | null): CaseSummary[] {
    // A purged case stays in the register (its reference is never reused) but is no longer a case to list.
    return this.ws.reads.cases().filter((c) => !c.purgedAt).map((c) => {
      let hasAccess = false;
      let folder: CaseSummary['folder'] = 'ready';
      try {
        hasAccess = open?.store.id === c.id ? open.store.keyslots.hasMember(user.username) : readCaseMembers(c.folder).includes(user.username);
      } catch {
        folder = existsSync(c.folder) ? 'unreadable' : 'missing';
      }
      const isOpen = open?.store.id === c.id;
      // The title is case content: only the open case's is known.
      return { id: c.id, reference: c.reference, title: isOpen ? open.store.reads.info().title : null, createdAt: c.createdAt, createdBy: c.createdBy, hasAccess, isOpen, folder };
    });
  }

  async create(authority: CaseAuthority, passphrase: string, user: User): Promise<OpenCase> {
    this.refuseTakenReference(authority.reference);
    const id = randomId();
    const folder = path.join(this.casesDir, id);
    const createdAt = this.now().toISOString();
    const store = await createCaseStore(folder, { id, ...authority, createdAt, createdBy: user.username }, { username: user.username, passphrase });
    try {
      this.ws.writes.registerCase({ id, reference: authority.reference, folder, createdAt, createdBy: user.username, retentionDate: authority.retentionDate });
    } catch (err) {
      // An unregistered case could never be listed or opened: take the new folder away again.
      store.close();
      rmSync(folder, { recursive: true, force: true });
      throw err;
    }
    return this.wrap(store);
  }

  private refuseTakenReference(reference: string): void {
    const same = this.ws.reads.cases().find((c) => c.reference.toLowerCase() === reference.toLowerCase());
    if (same?.purgedAt) throw new LoupeError('conflict', `${purgedCase(same)} A reference is never given to another case, so the audit record keeps naming one case: choose another.`, 'reference');
    if (same) {
      throw new LoupeError('conflict', `A case with reference ${reference} already exists on this workstation.`, 'reference');
    }
  }

  /** Where a case brought from elsewhere (a disclosure package) goes, or a refusal when this workstation already has it or its reference. */
  folderForIncoming(caseId: string, reference: string): string {
    const here = this.ws.reads.caseById(caseId);
    if (here?.purgedAt) throw new LoupeError('conflict', `${purgedCase(here)} The package was not imported; nothing was changed.`, 'file');
    if (here) {
      throw new LoupeError(
        'conflict',
        `Case ${reference} (${caseId}) is already on this workstation${here.reference === reference ? '' : ` as ${here.reference}`}, so the package was not imported; nothing was changed. Work on the case that is here, or ask for the package again once it has been removed.`,
        'file',
      );
    }
    this.refuseTakenReference(reference);
    const folder = path.join(this.casesDir, caseId);
    if (existsSync(folder)) throw new LoupeError('conflict', `The folder ${folder} already exists but no case is registered there; nothing was imported. Move it aside, then import again.`, 'file');
    return folder;
  }

  /** A scratch folder beside the cases, on the same disk, for a case being brought in. */
  stagingFolder(): string {
    return path.join(this.casesDir, `.incoming-${randomId()}`);
  }

  /** Registers a case folder brought from elsewhere, its chain anchored at the head it arrived with. Run inside the caller's record (ctx.commit). */
  registerIncoming(c: { id: string; reference: string; folder: string; createdAt: string; createdBy: string; retentionDate: string; held: boolean }, head: AuditAnchor): void {
    const { held, ...row } = c;
    this.ws.writes.registerCase(row);
    this.ws.writes.setCaseRetention(c.id, c.retentionDate, held);
    this.ws.writes.anchorCaseAudit(c.id, head.seq, head.hash);
  }

  async open(caseId: string, user: User, passphrase: string): Promise<OpenCase> {
    const reg = this.ws.reads.caseById(caseId);
    if (!reg) throw new LoupeError('not_found', 'No such case on this workstation.', 'caseId');
    if (reg.purgedAt) throw new LoupeError('not_found', purgedCase(reg), 'caseId');
    const store = await openCaseStore(reg.folder, { username: user.username, passphrase });
    if (store.id !== caseId) {
      store.close();
      throw new LoupeError('integrity', `The folder ${reg.folder} holds another case (${store.id}) than the one registered there. Restore the case folder from its backup.`, 'caseId');
    }
    const opened = this.wrap(store);
    const anchor = this.anchor(caseId);
    if (anchor && !opened.audit.contains(anchor)) {
      // Restored from an older copy (or cut off): keep the head as found, before this open's own record joins it.
      const head = opened.audit.head() ?? { seq: 0, hash: genesisHash(caseId) };
      this.ws.writes.noteCaseRestore(caseId, head.seq, head.hash, this.now().toISOString());
    }
    // The case is the authority on its retention; the register learns it here (cases made before it kept dates, a change cut short).
    const r = caseRetention(store);
    this.ws.writes.setCaseRetention(caseId, r.retentionDate, r.held);
    return opened;
  }

  details(open: OpenCase): CaseDetails {
    const info = open.store.reads.info();
    const counts = this.counter(open.store);
    return {
      ...info,
      folder: open.store.folder,
      members: open.store.keyslots.members(),
      counts: { ...counts, auditRecords: open.audit.head()?.seq ?? 0 },
      pack: casePack(open.store),
    };
  }

  /**
   * Gives an active workstation user a key slot of the open case, wrapped with a passphrase
   * the granting user hands over in person; the case's key never outlives the call.
   */
  async grantAccess(open: OpenCase, username: string, passphrase: string, by: User): Promise<void> {
    const target = this.ws.reads.userByName(username);
    if (!target) throw new LoupeError('not_found', `No user called ${username}.`, 'username');
    if (target.disabled) throw new LoupeError('conflict', `${username} is disabled.`, 'username');
    const dataKey = open.store.dataKey();
    try {
      await open.store.keyslots.grant(dataKey, username, passphrase, by.username, this.now().toISOString());
    } finally {
      dataKey.fill(0);
    }
  }

  async changePassphrase(open: OpenCase, user: User, current: string, next: string): Promise<void> {
    await open.store.keyslots.changePassphrase(user.username, current, next, this.now().toISOString());
  }

  revokeAccess(open: OpenCase, username: string, by: User): void {
    if (username === by.username) throw new LoupeError('conflict', 'You cannot remove your own access while you have the case open.', 'username');
    open.store.keyslots.revoke(username);
  }

  /** The head the workstation last saw of this case's chain; truncation below it is detected. */
  private anchor(caseId: string): { seq: number; hash: string } | null {
    const reg = this.ws.reads.caseById(caseId);
    return reg && reg.auditHeadSeq !== null && reg.auditHeadHash !== null ? { seq: reg.auditHeadSeq, hash: reg.auditHeadHash } : null;
  }

  /**
   * What accepting the open case as a restored copy would record; refused when its chain holds
   * the anchored head (nothing was lost) or is broken on its own (a damaged copy is not accepted).
   */
  restoredCopy(open: OpenCase, reason: string): RestoreAcceptance {
    const anchored = this.anchor(open.store.id);
    if (!anchored || open.audit.contains(anchored)) {
      throw new LoupeError('conflict', 'The audit chain of this case holds the newest record the workstation saw: there is no restored copy to accept.');
    }
    const own = open.audit.verify(null);
    if (!own.ok) {
      throw new LoupeError('integrity', `The restored audit chain is itself broken at record ${own.firstBad?.seq}: ${own.firstBad?.reason}. It cannot be accepted; restore another copy.`);
    }
    const restored: AuditHead = this.ws.reads.caseRestore(open.store.id) ?? { seq: own.records, hash: own.headHash };
    return { anchored, restored, recordsLost: Math.max(0, anchored.seq - restored.seq), reason };
  }

  /** Anchors the accepted chain at its head, so verification checks it from here on. */
  acceptRestored(open: OpenCase): void {
    const head = open.audit.head() ?? { seq: 0, hash: genesisHash(open.store.id) };
    this.ws.writes.acceptCaseRestore(open.store.id, head.seq, head.hash);
  }

  private wrap(store: CaseStore): OpenCase {
    // The case chain's head is kept in the workstation register, outside the case it vouches for.
    const keeper = { read: () => this.anchor(store.id), write: (a: AuditAnchor) => this.ws.writes.anchorCaseAudit(store.id, a.seq, a.hash) };
    return { store, audit: new AuditLog(store.audit, 'case', store.id, this.now, keeper) };
  }
}
