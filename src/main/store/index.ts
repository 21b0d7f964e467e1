import { hkdfSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LoupeError } from '../../shared';
import { randomKey } from '../crypto';
import { CASE_MIGRATIONS } from './case-schema';
import { caseTables, type CaseInfo, type CaseTables } from './case-tables';
import { Keyslots } from './keyslots';
import { migrate, openEncryptedDatabase, openPlainDatabase, type Db } from './sqlite';
import { WORKSTATION_MIGRATIONS } from './workstation-schema';
import { workstationTables } from './workstation-tables';

export type { AuditRow, AuditTable } from './audit-table';
export type { CaseInfo, CaseReads, CaseWrites } from './case-tables';
export type { NewExhibit, NewFace, NewFrame, NewTrack, StoredEmbedding } from './evidence-tables';
export type { EntryRow, FaceContext } from './search-tables';
export type { Member } from './keyslots';
export type { CaseRegisterRow, UserRow, WorkstationReads, WorkstationWrites } from './workstation-tables';
export type { Db } from './sqlite';
export { writeFileAtomic } from './atomic-file';

/** The files of one case folder. */
export const CASE_FILES = { database: 'case.db', keyslots: 'keyslots.json', faceIndex: 'face-index.enc' } as const;

export interface CaseStore extends CaseTables {
  readonly id: string;
  readonly folder: string;
  readonly db: Db;
  readonly keyslots: Keyslots;
  /** A key for one purpose (e.g. 'face-index'), derived from the case key so the case key itself is used only by SQLite. */
  subkey(purpose: string): Buffer;
  /** The case data key, for adding a key slot. */
  dataKey(): Buffer;
  close(): void;
}

function caseStore(folder: string, keyslots: Keyslots, key: Buffer, db: Db): CaseStore {
  const tables = caseTables(db);
  return {
    ...tables,
    id: keyslots.caseId,
    folder,
    db,
    keyslots,
    subkey: (purpose) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `loupe/${purpose}`, 32)),
    dataKey: () => Buffer.from(key),
    close: () => {
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
      key.fill(0);
    },
  };
}

/** Makes a new case folder with a fresh random key, one key slot and the case record. */
export async function createCaseStore(folder: string, info: CaseInfo, first: { username: string; passphrase: string }): Promise<CaseStore> {
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    throw new LoupeError('conflict', `The folder ${folder} already holds files; a new case needs an empty folder.`);
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const key = randomKey();
  try {
    const keyslots = await Keyslots.create(path.join(folder, CASE_FILES.keyslots), info.id, key, { ...first, now: info.createdAt });
    const db = openEncryptedDatabase(path.join(folder, CASE_FILES.database), key, { mustExist: false });
    migrate(db, CASE_MIGRATIONS);
    const store = caseStore(folder, keyslots, key, db);
    store.writes.insertInfo(info);
    return store;
  } catch (err) {
    rmSync(folder, { recursive: true, force: true });
    throw err;
  }
}

export async function openCaseStore(folder: string, user: { username: string; passphrase: string }): Promise<CaseStore> {
  const dbFile = path.join(folder, CASE_FILES.database);
  if (!existsSync(dbFile)) throw new LoupeError('not_found', `No case database in ${folder}. The folder was moved or deleted; restore it from its backup.`);
  const keyslots = Keyslots.read(path.join(folder, CASE_FILES.keyslots));
  const key = await keyslots.unlock(user.username, user.passphrase);
  const db = openEncryptedDatabase(dbFile, key, { mustExist: true });
  try {
    migrate(db, CASE_MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return caseStore(folder, keyslots, key, db);
}

/** Who holds a key slot on a case, read without opening it. */
export function readCaseMembers(folder: string): string[] {
  return Keyslots.read(path.join(folder, CASE_FILES.keyslots))
    .members()
    .map((m) => m.username);
}

export type WorkstationStore = ReturnType<typeof workstationTables> & { db: Db; close(): void };

/**
 * The workstation database: users, the register of cases and the workstation's own audit
 * chain. It holds no biometric data and no case content, so it is not encrypted; password
 * hashes are argon2id.
 */
export function openWorkstationStore(file: string): WorkstationStore {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = openPlainDatabase(file);
  migrate(db, WORKSTATION_MIGRATIONS);
  return { ...workstationTables(db), db, close: () => db.open && db.close() };
}
