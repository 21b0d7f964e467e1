import Database from 'better-sqlite3-multiple-ciphers';
import { LoupeError } from '../../shared';

export type Db = Database.Database;

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Db) => void);
}

function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  // FULL: an acknowledged write survives power loss, not only a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Sorting and temporary tables stay in memory, so no plaintext temp file is ever written.
  db.pragma('temp_store = MEMORY');
  // Deleted biometric rows are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
}

/**
 * Opens (or creates) a database encrypted with SQLCipher 4's format under a raw 256-bit
 * key. The -wal and -shm files are encrypted page by page with the same key.
 */
export function openEncryptedDatabase(file: string, key: Buffer, opts: { mustExist: boolean }): Db {
  if (key.length !== 32) throw new LoupeError('internal', 'A case key must be 32 bytes');
  const db = keyedDatabase(file, key, opts.mustExist);
  try {
    applyPragmas(db);
  } catch (err) {
    db.close();
    throw new LoupeError('integrity', `The case database could not be prepared for writing (${(err as Error).message}). Check that its folder is writable and not full.`);
  }
  return db;
}

function keyedDatabase(file: string, key: Buffer, mustExist: boolean): Db {
  const db = new Database(file, { fileMustExist: mustExist });
  try {
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
    // The first read fails when the key does not fit the file.
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw new LoupeError('integrity', `The case database could not be decrypted (${(err as Error).message}). The file is damaged or is not this case's database.`);
  }
  return db;
}

/**
 * Re-encrypts a closed copy of a case database (not the WAL mode of a live case: SQLite3
 * Multiple Ciphers rekeys only a rollback-journal database, and leaves the copy in that mode);
 * answers the copy's schema version.
 */
export function rekeyDatabase(file: string, from: Buffer, to: Buffer): number {
  if (to.length !== 32) throw new LoupeError('internal', 'A case key must be 32 bytes');
  const db = keyedDatabase(file, from, true);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`rekey = "x'${to.toString('hex')}'"`);
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** SQLite's error codes for a file whose pages do not decrypt (HMAC) or do not hold a sound b-tree. */
const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

export const isDamageError = (err: unknown): boolean => DAMAGE_CODES.has((err as { code?: string } | null)?.code ?? '');

/**
 * Checks every page of the database: each is decrypted and its HMAC verified, and the
 * b-trees are walked (quick_check); `full` also checks that every index matches its table
 * (integrity_check, a little slower). Returns the problems found, none when sound.
 */
export function checkDatabase(db: Db, full: boolean): string[] {
  try {
    const rows = db.pragma(full ? 'integrity_check(100)' : 'quick_check(100)') as Record<string, string>[];
    const lines = rows.map((r) => String(Object.values(r)[0]));
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
  } catch (err) {
    if (isDamageError(err)) return [`a page cannot be decrypted or read (${(err as Error).message})`];
    throw err;
  }
}

export function openPlainDatabase(file: string): Db {
  const db = new Database(file);
  applyPragmas(db);
  return db;
}

/** Applies the numbered migrations not yet applied, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new LoupeError('conflict', `This database was written by a newer version of Loupe (schema ${current}, this version knows ${latest}). Update Loupe to open it.`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
