import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * Everything Loupe writes is its user's alone: files 0600, folders 0700. The modes are set
 * explicitly after creation because the umask and a parent folder's default ACL would
 * otherwise decide them, and SQLite gives a database's -wal and -shm files the database's mode.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_FOLDER = 0o700;

/** Makes dir and any missing parents, each 0700; a folder that already existed is left as it is (it may be shared). */
export function privateFolder(dir: string): string {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER });
  if (first === undefined) return dir;
  // mkdirSync returns the first folder it made: from there down to dir they are Loupe's.
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chmodSync(d, PRIVATE_FOLDER);
    if (d === path.resolve(first)) break;
  }
  return dir;
}

/** Creates file empty if it does not exist, and makes it 0600 either way (before SQLite opens it, so its -wal and -shm follow). */
export function privateFile(file: string): string {
  const fd = openSync(file, 'a', PRIVATE_FILE);
  try {
    fchmodSync(fd, PRIVATE_FILE);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Whether a process with this id runs on this machine: what Loupe leaves named after a process (RAM leftovers, a case's lease) is its while it does. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
