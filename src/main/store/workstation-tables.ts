import { LoupeError, type Role, type User } from '../../shared';
import { auditTable, type AuditTable } from './audit-table';
import type { Db } from './sqlite';

export interface UserRow extends User {
  passwordHash: string;
}

export interface CaseRegisterRow {
  id: string;
  reference: string;
  folder: string;
  createdAt: string;
  createdBy: string;
  auditHeadSeq: number | null;
  auditHeadHash: string | null;
  /** Null for a case made before the register kept dates, until it is next opened. */
  retentionDate: string | null;
  held: boolean;
  purgedAt: string | null;
  purgedBy: string | null;
}

/** Consecutive wrong passwords for one user name, and when it locked. */
export interface SignInFailures {
  username: string;
  failures: number;
  lastFailureAt: string;
  lockedAt: string | null;
}

export interface WorkstationReads {
  meta(key: string): string | null;
  userCount(): number;
  userByName(username: string): UserRow | null;
  users(): User[];
  cases(): CaseRegisterRow[];
  caseById(id: string): CaseRegisterRow | null;
  signInFailures(username: string): SignInFailures | null;
  /** The head of a restored copy's chain when it was first opened behind its anchor, if not yet accepted. */
  caseRestore(caseId: string): { seq: number; hash: string } | null;
  allSignInFailures(): SignInFailures[];
}

export interface WorkstationWrites {
  setMeta(key: string, value: string): void;
  insertUser(u: { id: string; username: string; displayName: string; role: Role; passwordHash: string; createdAt: string; createdBy: string | null }): void;
  setUserDisabled(username: string, disabled: boolean): void;
  setPasswordHash(username: string, hash: string): void;
  registerCase(c: Omit<CaseRegisterRow, 'auditHeadSeq' | 'auditHeadHash' | 'held' | 'purgedAt' | 'purgedBy'>): void;
  /** What the case itself says of its retention, copied into the register (the case is the authority). */
  setCaseRetention(caseId: string, retentionDate: string, held: boolean): void;
  markCasePurged(caseId: string, at: string, by: string): void;
  /** The case chain's head, kept outside the case so that cutting off its tail is detected. */
  anchorCaseAudit(caseId: string, seq: number, hash: string): void;
  /** Counts one more wrong password (or attempt under way) for a name; returns the new count. */
  countSignInFailure(username: string, at: string): number;
  lockSignIn(username: string, at: string): void;
  clearSignInFailures(username: string): void;
  /** Keeps the first sighting only: later opens find the chain already longer than it was restored. */
  noteCaseRestore(caseId: string, seq: number, hash: string, at: string): void;
  /** Anchors the accepted restored chain at its head and forgets the restore, in one step. */
  acceptCaseRestore(caseId: string, seq: number, hash: string): void;
}

const USER_COLUMNS = 'id, username, display_name AS displayName, role, disabled, created_at AS createdAt, created_by AS createdBy';
const CASE_COLUMNS = 'id, reference, folder, created_at AS createdAt, created_by AS createdBy, audit_head_seq AS auditHeadSeq, audit_head_hash AS auditHeadHash, ' +
  'retention_date AS retentionDate, held, purged_at AS purgedAt, purged_by AS purgedBy';

const FAILURE_COLUMNS = 'username, failures, last_failure_at AS lastFailureAt, locked_at AS lockedAt';

type RawUser = Omit<UserRow, 'disabled'> & { disabled: number };
type RawCase = Omit<CaseRegisterRow, 'held'> & { held: number };
const toCase = (c: RawCase): CaseRegisterRow => ({ ...c, held: c.held !== 0 });
const toUser = ({ passwordHash: _omit, ...u }: RawUser): User => ({ ...u, disabled: u.disabled !== 0 });

export function workstationTables(db: Db): { reads: WorkstationReads; writes: WorkstationWrites; audit: AuditTable } {
  const q = {
    meta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    userCount: db.prepare('SELECT count(*) FROM users').pluck(),
    userByName: db.prepare(`SELECT ${USER_COLUMNS}, password_hash AS passwordHash FROM users WHERE username = ?`),
    users: db.prepare(`SELECT ${USER_COLUMNS}, password_hash AS passwordHash FROM users ORDER BY username`),
    insertUser: db.prepare('INSERT INTO users (id, username, display_name, role, password_hash, created_at, created_by) VALUES (@id, @username, @displayName, @role, @passwordHash, @createdAt, @createdBy)'),
    setDisabled: db.prepare('UPDATE users SET disabled = ? WHERE username = ?'),
    setHash: db.prepare('UPDATE users SET password_hash = ? WHERE username = ?'),
    cases: db.prepare(`SELECT ${CASE_COLUMNS} FROM cases ORDER BY created_at DESC`),
    caseById: db.prepare(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = ?`),
    registerCase: db.prepare('INSERT INTO cases (id, reference, folder, created_at, created_by, retention_date) VALUES (@id, @reference, @folder, @createdAt, @createdBy, @retentionDate)'),
    setRetention: db.prepare('UPDATE cases SET retention_date = ?, held = ? WHERE id = ?'),
    markPurged: db.prepare('UPDATE cases SET purged_at = ?, purged_by = ? WHERE id = ? AND purged_at IS NULL'),
    anchor: db.prepare('UPDATE cases SET audit_head_seq = ?, audit_head_hash = ? WHERE id = ?'),
    failures: db.prepare(`SELECT ${FAILURE_COLUMNS} FROM sign_in_failures WHERE username = ?`),
    allFailures: db.prepare(`SELECT ${FAILURE_COLUMNS} FROM sign_in_failures ORDER BY username`),
    countFailure: db
      .prepare(
        'INSERT INTO sign_in_failures (username, failures, last_failure_at) VALUES (?, 1, ?) ON CONFLICT(username) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at RETURNING failures',
      )
      .pluck(),
    lock: db.prepare('UPDATE sign_in_failures SET locked_at = ? WHERE username = ?'),
    clearFailures: db.prepare('DELETE FROM sign_in_failures WHERE username = ?'),
    caseRestore: db.prepare('SELECT restored_seq AS seq, restored_hash AS hash FROM case_restores WHERE case_id = ?'),
    noteRestore: db.prepare('INSERT OR IGNORE INTO case_restores (case_id, restored_seq, restored_hash, detected_at) VALUES (?, ?, ?, ?)'),
    forgetRestore: db.prepare('DELETE FROM case_restores WHERE case_id = ?'),
  };
  const acceptCaseRestore = db.transaction((caseId: string, seq: number, hash: string) => {
    q.anchor.run(seq, hash, caseId);
    q.forgetRestore.run(caseId);
  });
  return {
    reads: {
      meta: (key) => (q.meta.get(key) as string | undefined) ?? null,
      userCount: () => q.userCount.get() as number,
      userByName: (username) => {
        const raw = q.userByName.get(username) as RawUser | undefined;
        return raw ? { ...toUser(raw), passwordHash: raw.passwordHash } : null;
      },
      users: () => (q.users.all() as RawUser[]).map(toUser),
      cases: () => (q.cases.all() as RawCase[]).map(toCase),
      caseById: (id) => {
        const raw = q.caseById.get(id) as RawCase | undefined;
        return raw ? toCase(raw) : null;
      },
      signInFailures: (username) => (q.failures.get(username) as SignInFailures | undefined) ?? null,
      allSignInFailures: () => q.allFailures.all() as SignInFailures[],
      caseRestore: (caseId) => (q.caseRestore.get(caseId) as { seq: number; hash: string } | undefined) ?? null,
    },
    writes: {
      setMeta: (key, value) => void q.setMeta.run(key, value),
      insertUser: (u) => void q.insertUser.run(u),
      setUserDisabled: (username, disabled) => void q.setDisabled.run(disabled ? 1 : 0, username),
      setPasswordHash: (username, hash) => void q.setHash.run(hash, username),
      registerCase: (c) => void q.registerCase.run(c),
      setCaseRetention: (caseId, retentionDate, held) => void q.setRetention.run(retentionDate, held ? 1 : 0, caseId),
      markCasePurged: (caseId, at, by) => {
        if (q.markPurged.run(at, by, caseId).changes !== 1) throw new LoupeError('conflict', 'That case is not in the register, or was purged already.', 'caseId');
      },
      anchorCaseAudit: (caseId, seq, hash) => void q.anchor.run(seq, hash, caseId),
      countSignInFailure: (username, at) => q.countFailure.get(username, at) as number,
      lockSignIn: (username, at) => void q.lock.run(at, username),
      clearSignInFailures: (username) => void q.clearFailures.run(username),
      noteCaseRestore: (caseId, seq, hash, at) => void q.noteRestore.run(caseId, seq, hash, at),
      acceptCaseRestore: (caseId, seq, hash) => acceptCaseRestore(caseId, seq, hash),
    },
    audit: auditTable(db),
  };
}
