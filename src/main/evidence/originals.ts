import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { LoupeError } from '../../shared';

/**
 * Originals are read through one handle opened read-only and checked to be a regular file:
 * the file checked is the file read, even if the path is replaced after listing. The open
 * does not wait for a writer (a named pipe would otherwise hold it for ever) and every read
 * has a time limit (a stalled device or network share fails the file, not the import).
 */
export const READ_TIMEOUT_MS = 30_000;
const CHUNK = 4 * 2 ** 20;

/** An original that is not a regular file, or cannot be read: the exhibit fails with this reason. */
export class UnreadableOriginal extends Error {}

export interface Original {
  handle: FileHandle;
  stats: Stats;
}

/** Opens a path as a regular file, or throws UnreadableOriginal saying what it is instead. */
export async function openOriginal(file: string | Buffer): Promise<Original> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it changes nothing for a regular file.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new UnreadableOriginal(await whyNotOpened(file, err as NodeJS.ErrnoException));
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new UnreadableOriginal(`It is ${kindOf(stats)}, not a regular file, so it was not read. Only regular files are imported: copy what it holds into a file and import that.`);
  }
  return { handle, stats };
}

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isDirectory()) return 'a folder';
  return 'a special file';
}

async function whyNotOpened(file: string | Buffer, err: NodeJS.ErrnoException): Promise<string> {
  const link = await lstat(file).catch(() => null);
  if (err.code === 'ELOOP') return 'It is a symbolic link that loops (it leads back to itself), so there is no file to read.';
  if (link?.isSymbolicLink() && err.code === 'ENOENT') {
    const target = await readlink(file).catch(() => '?');
    return `It is a symbolic link to ${target}, which does not exist, so there is no file to read.`;
  }
  if (link?.isSocket() || err.code === 'ENXIO') return `It is ${link ? kindOf(link) : 'a special file'}, not a regular file, so it was not read.`;
  return `The file cannot be read (${err.code ?? err.message}); check that it still exists, that you may read it and that its disk is sound.`;
}

/** A read that gives up after READ_TIMEOUT_MS (the stuck read itself cannot be taken back). */
async function timed<T>(read: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnreadableOriginal(`Reading the file stalled: no data came for ${Math.round(timeoutMs / 1000)} s. Check its disk or share, then import it again.`)), timeoutMs);
  });
  try {
    return await Promise.race([read, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

export async function readHead(o: Original, n: number, timeoutMs = READ_TIMEOUT_MS): Promise<Uint8Array> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await timed(o.handle.read(buf, 0, n, 0), timeoutMs);
  return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
}

/** The whole file, of the size it had when opened; a file that grows meanwhile is refused. */
export async function readWhole(o: Original, timeoutMs = READ_TIMEOUT_MS): Promise<Uint8Array> {
  const size = o.stats.size;
  const buf = Buffer.alloc(size);
  for (let at = 0; at < size; ) {
    const { bytesRead } = await timed(o.handle.read(buf, at, Math.min(CHUNK, size - at), at), timeoutMs);
    if (bytesRead === 0) throw new LoupeError('integrity', `The file shrank while it was being read (${at} of ${size} bytes); it was not kept. Import it again from a write-protected copy.`);
    at += bytesRead;
  }
  const more = await timed(o.handle.read(Buffer.alloc(1), 0, 1, size), timeoutMs);
  if (more.bytesRead > 0) throw new LoupeError('integrity', `The file grew while it was being read (beyond ${size} bytes); it was not kept. Import it again from a write-protected copy.`);
  return new Uint8Array(buf.buffer, buf.byteOffset, size);
}

/** SHA-256 of the whole file through the handle, chunk by chunk. */
export async function hashOriginal(o: Original, timeoutMs = READ_TIMEOUT_MS): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  let at = 0;
  for (;;) {
    const { bytesRead } = await timed(o.handle.read(buf, 0, CHUNK, at), timeoutMs);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    at += bytesRead;
  }
  return { sha256: h.digest('hex'), bytes: at };
}
