import { hkdfSync } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LoupeError } from '../../shared';
import { randomKey } from '../crypto';
import { privateFile, privateFolder } from '../files';
import { CASE_MIGRATIONS } from './case-schema';
import { caseTables, type CaseInfo, type CaseTables } from './case-tables';
import { Keyslots } from './keyslots';
import { takeCaseLease } from './case-lease';
import { checkDatabase, isDamageError, migrate, openEncryptedDatabase, openPlainDatabase, rekeyDatabase, type Db } from './sqlite';
import { WORKSTATION_MIGRATIONS } from './workstation-schema';
import { validationTables, type ValidationTables } from './validation-tables';
import { workstationTables } from './workstation-tables';

export type { AuditRow, AuditTable } from './audit-table';
export type { CaseInfo, CaseReads, CaseWrites } from './case-tables';
export type { NewExhibit, NewFace, NewFrame, NewTrack, StagedTrack, StagedVideo, StoredEmbedding, TrackFace } from './evidence-tables';
export type { FaceContext } from './face-context-tables';
export type { EntryRow } from './watchlist-tables';
export type { HeldFace, PackChangeRow } from './pack-change-tables';
export { StoredKdf, type Member } from './keyslots';
export type { AuthorisationRow } from './search-tables';
export { reviewStatus, type AssessmentRow, type ReviewItemRow, type ReviewStatus } from './review-tables';
export type { ValidationPng, ValidationTables } from './validation-tables';
export type { CaseRegisterRow, SignInFailures, UserRow, WorkstationReads, WorkstationWrites } from './workstation-tables';
export type { Db } from './sqlite';
export { isDamageError } from './sqlite';
export { writeFileAtomic } from './atomic-file';
export { LEASE_FILE, takeCaseLease } from './case-lease';
export { toEmbedding } from './embedding';

/** The schema version this Loupe writes case databases in: a copy from a newer version cannot be opened here. */
export const CASE_SCHEMA_VERSION = CASE_MIGRATIONS.at(-1)?.version ?? 0;

/** The files of one case folder. */
export const CASE_FILES = { database: 'case.db', keyslots: 'keyslots.json', faceIndex: 'face-index.enc' } as const;

export interface CaseStore extends CaseTables {
  readonly id: string;
  readonly folder: string;
  readonly keyslots: Keyslots;
  /** Runs fn in one SQLite transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  /** False once the case is closed: work still running (an import) stops instead of writing. */
  isOpen(): boolean;
  /** A key for one purpose (e.g. 'face-index'), derived from the case key so the case key itself is used only by SQLite. */
  subkey(purpose: string): Buffer;
  /** The case data key, for adding a key slot. */
  dataKey(): Buffer;
  /** Every page decrypted and checked; `full` checks the indexes against their tables too. The problems found, none when sound. */
  check(full: boolean): string[];
  /** Pages in the database: how much a check reads. */
  pageCount(): number;
  /**
   * Writes a consistent copy of the database to a new file, encrypted under `copyKey` rather
   * than the case key (a disclosure package carries its own key); answers its schema version.
   */
  copyTo(file: string, copyKey: Buffer): number;
  close(): void;
}

function caseStore(folder: string, keyslots: Keyslots, key: Buffer, db: Db, release: () => void): CaseStore {
  const tables = caseTables(db);
  return {
    ...tables,
    id: keyslots.caseId,
    folder,
    keyslots,
    transaction: (fn) => db.transaction(fn)(),
    isOpen: () => db.open,
    subkey: (purpose) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `loupe/${purpose}`, 32)),
    dataKey: () => Buffer.from(key),
    check: (full) => checkDatabase(db, full),
    pageCount: () => db.pragma('page_count', { simple: true }) as number,
    copyTo: (file, copyKey) => {
      // VACUUM INTO writes the copy under the case's own cipher and key, and never in the clear.
      db.prepare('VACUUM INTO ?').run(privateFile(file));
      return rekeyDatabase(file, key, copyKey);
    },
    close: () => {
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
      key.fill(0);
      release();
    },
  };
}

/** Makes a new case folder with a fresh random key, one key slot and the case record. */
export async function createCaseStore(folder: string, info: CaseInfo, first: { username: string; passphrase: string }): Promise<CaseStore> {
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    throw new LoupeError('conflict', `The folder ${folder} already holds files; a new case needs an empty folder.`);
  }
  privateFolder(folder);
  const release = takeCaseLease(folder, first.username);
  const key = randomKey();
  let db: Db | null = null;
  try {
    const keyslots = await Keyslots.create(path.join(folder, CASE_FILES.keyslots), info.id, key, { ...first, now: info.createdAt });
    db = openEncryptedDatabase(privateFile(path.join(folder, CASE_FILES.database)), key, { mustExist: false });
    migrate(db, CASE_MIGRATIONS);
    const store = caseStore(folder, keyslots, key, db, release);
    store.writes.insertInfo(info);
    return store;
  } catch (err) {
    db?.close();
    rmSync(folder, { recursive: true, force: true });
    key.fill(0);
    release();
    throw err;
  }
}

/**
 * Makes a case folder around a copy of a case database brought from elsewhere (a disclosure
 * package): the copy is re-keyed from the key it came under to a fresh case key, which gets
 * one key slot, so whoever knew the copy's key cannot read what this case gains later.
 */
export async function adoptCaseDatabase(folder: string, copyKey: Buffer, caseId: string, first: { username: string; passphrase: string; now: string }): Promise<void> {
  const key = randomKey();
  try {
    rekeyDatabase(path.join(folder, CASE_FILES.database), copyKey, key);
    await Keyslots.create(path.join(folder, CASE_FILES.keyslots), caseId, key, first);
  } finally {
    key.fill(0);
  }
}

/**
 * Case databases up to this size are checked page by page at every open (a few seconds at
 * most: bench/case-check.ts, docs/figures.md); larger ones at open only as far as the
 * case record, and in full on demand (cases.check, `loupe case check`).
 */
export const CHECK_AT_OPEN_MAX_BYTES = 256 * 2 ** 20;

/** What a user is told when the case database is damaged: what is wrong and what to do. */
export function damagedCase(file: string, what: string): LoupeError {
  return new LoupeError(
    'integrity',
    `The case database ${file} is damaged: ${what}. Nothing in it was changed. Restore the case folder from its latest backup, and keep the damaged copy for examination.`,
  );
}

export async function openCaseStore(folder: string, user: { username: string; passphrase: string }): Promise<CaseStore> {
  const dbFile = path.join(folder, CASE_FILES.database);
  if (!existsSync(dbFile)) throw new LoupeError('not_found', `No case database in ${folder}. The folder was moved or deleted; restore it from its backup.`);
  // SQLite takes an empty file for a new database and would write a blank case into it.
  const size = statSync(dbFile).size;
  if (size === 0) throw damagedCase(dbFile, 'it is empty (0 bytes), so it was truncated or replaced');
  const keyslots = Keyslots.read(path.join(folder, CASE_FILES.keyslots));
  const key = await keyslots.unlock(user.username, user.passphrase);
  let release: (() => void) | null = null;
  let db: Db | null = null;
  try {
    release = takeCaseLease(folder, user.username);
    db = openEncryptedDatabase(privateFile(dbFile), key, { mustExist: true });
    if ((db.pragma('user_version', { simple: true }) as number) === 0) throw damagedCase(dbFile, 'it holds no case (no tables)');
    const problems = size <= CHECK_AT_OPEN_MAX_BYTES ? checkDatabase(db, false) : [];
    if (problems.length > 0) throw damagedCase(dbFile, problems.slice(0, 3).join('; '));
    migrate(db, CASE_MIGRATIONS);
    const store = caseStore(folder, keyslots, key, db, release);
    if (store.reads.info().id !== keyslots.caseId) {
      throw new LoupeError('integrity', `The database in ${folder} belongs to another case than its key slot file. Restore the case folder from its backup.`);
    }
    return store;
  } catch (err) {
    db?.close();
    key.fill(0);
    release?.();
    if (isDamageError(err)) throw damagedCase(dbFile, (err as Error).message);
    throw err;
  }
}

/** Who holds a key slot on a case, read without opening it. */
export function readCaseMembers(folder: string): string[] {
  return Keyslots.read(path.join(folder, CASE_FILES.keyslots))
    .members()
    .map((m) => m.username);
}

/** The key slot file of a case folder, and the temporary copies an interrupted write may have left beside it. */
function keyslotFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const name = CASE_FILES.keyslots;
  return readdirSync(folder)
    .filter((f) => f === name || (f.startsWith(`.${name}.`) && f.endsWith('.tmp')))
    .map((f) => path.join(folder, f));
}

/**
 * Crypto-erase of a case: every key slot file of its folder is overwritten with random bytes
 * and flushed to disk, then removed; only then is the folder deleted. Without a key slot the
 * case data key exists nowhere, so whatever of the encrypted database a disk still holds is
 * noise. Returns how many key slot files were destroyed; a folder already gone is no error
 * (a purge cut short is finished by running it again).
 */
export function eraseCaseFolder(folder: string): number {
  const files = keyslotFiles(folder);
  for (const file of files) {
    const fd = openSync(file, 'r+');
    try {
      const size = Math.max(fstatSync(fd).size, 1);
      writeSync(fd, randomBytes(size), 0, size, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(file);
  }
  rmSync(folder, { recursive: true, force: true });
  return files.length;
}

/** Key slot files anywhere under the cases folder that name this case (a copy of its folder moved beside the others included). */
export function keyslotFilesOf(casesDir: string, caseId: string): string[] {
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => keyslotFiles(path.join(casesDir, d.name)))
    .filter((file) => {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { caseId?: unknown }).caseId === caseId;
      } catch {
        // A damaged file in the case's own folder still counts: it may hold a slot.
        return path.basename(path.dirname(file)) === caseId;
      }
    });
}

export type WorkstationStore = ReturnType<typeof workstationTables> & { validations: ValidationTables; close(): void };

/**
 * The workstation database: users, the register of cases and the workstation's own audit
 * chain. It holds no biometric data and no case content (a case's title, offence and
 * purpose live only in the case), so it is not encrypted; password hashes are argon2id.
 */
export function openWorkstationStore(file: string): WorkstationStore {
  privateFolder(path.dirname(file));
  let db: Db | null = null;
  try {
    db = openPlainDatabase(privateFile(file));
    migrate(db, WORKSTATION_MIGRATIONS);
    // Into the database file at once, so pages a migration rewrote (the titles it took out) are overwritten there, not only in the log.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const opened = db;
    return { ...workstationTables(opened), validations: validationTables(opened), close: () => opened.open && opened.close() };
  } catch (err) {
    db?.close();
    if (err instanceof LoupeError) throw err;
    throw new LoupeError('integrity', `The workstation database ${file} cannot be used (${(err as Error).message}). Restore it from its backup; the case folders beside it are not affected.`);
  }
}
