import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LoupeError } from '../../shared';
import { processRunning } from '../files';

/**
 * The file in a case folder that says which process has the case open. SQLite alone would
 * let a second Loupe process (the window and the command line) open the same case, and a
 * purge in one would then destroy the keys and files under the other; the face index file,
 * saved by whichever closes last, would lose the other's faces.
 */
export const LEASE_FILE = 'in-use.json';

const Lease = z.object({ pid: z.number().int(), host: z.string(), user: z.string(), since: z.string() });
type Lease = z.infer<typeof Lease>;

/** Cases this process holds, by folder, with how many stores of this process have each open. */
const held = new Map<string, number>();

function readLease(file: string): Lease | 'unreadable' | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return 'unreadable';
  }
  try {
    return Lease.parse(JSON.parse(text));
  } catch {
    return 'unreadable';
  }
}

/** The lease of another live process on this case, if there is one; a lease left by a process that has ended (killed) does not count. */
function otherHolder(folder: string): Lease | null {
  const lease = readLease(path.join(folder, LEASE_FILE));
  if (lease === null || lease === 'unreadable') return null;
  if (lease.host === hostname() && (lease.pid === process.pid || !processRunning(lease.pid))) return null;
  return lease;
}

function describeHolder(lease: Lease): string {
  return `process ${lease.pid} on ${lease.host}, opened by ${lease.user} at ${lease.since}`;
}

function refuse(folder: string, lease: Lease): LoupeError {
  return new LoupeError(
    'conflict',
    `This case is open in another Loupe program (${describeHolder(lease)}). Close it there first. If no Loupe program runs on that computer any more, delete the file ${path.join(folder, LEASE_FILE)} and try again.`,
  );
}

function writeLease(file: string, user: string): void {
  // 'wx': only one of two processes racing for the case creates the file.
  const fd = openSync(file, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), user, since: new Date().toISOString() } satisfies Lease));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes the case for this process, or refuses while another live Loupe process has it open.
 * A lease left by a process that was killed is taken over. Returns its release, which the
 * store's close calls.
 */
export function takeCaseLease(folder: string, user: string): () => void {
  const key = path.resolve(folder);
  const file = path.join(folder, LEASE_FILE);
  const mine = held.get(key);
  if (mine === undefined) {
    try {
      writeLease(file, user);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const lease = readLease(file);
      if (lease !== null && lease !== 'unreadable') {
        const other = otherHolder(folder);
        if (other) throw refuse(folder, other);
      }
      // Left by an ended process, or unreadable (cut short while written): taken over.
      unlinkSync(file);
      try {
        writeLease(file, user);
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
        const winner = readLease(file);
        throw refuse(folder, winner !== null && winner !== 'unreadable' ? winner : { pid: 0, host: 'unknown', user: 'unknown', since: 'just now' });
      }
    }
  }
  held.set(key, (mine ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(key) ?? 1) - 1;
    if (left > 0) {
      held.set(key, left);
      return;
    }
    held.delete(key);
    try {
      const lease = readLease(file);
      if (lease !== null && lease !== 'unreadable' && lease.pid === process.pid && lease.host === hostname()) unlinkSync(file);
    } catch {
      // The folder may be gone (a purge, a failed creation); nothing is left to release.
    }
  };
}
