/*
 * The persisted face index is a biometric template store: whoever reads it can search the
 * case's faces. It must never reach persistent storage in plaintext (case folder, temp
 * folders, backups, forensic recovery of freed disk blocks). What reaches the case folder
 * is AES-256-GCM ciphertext under a key derived (HKDF) from the case data key, with the
 * header (format, model, counts, projection, nonce) as associated data, written atomically
 * (temp file, fsync, rename, fsync of the folder) so a crash leaves the old index or the
 * new one, never half of one.
 * The plaintext (hnswlib's file format) comes from, and goes to, one of two places:
 * - memory, for the graph held in JavaScript (graph.ts): on every OS;
 * - for hnswlib's native graph, which reads and writes only through a file path, a file
 *   that lives in RAM only: a tmpfs/ramfs directory (Linux /dev/shm), private (0700
 *   directory, 0600 file), unlinked as soon as it has been opened or read, removed in
 *   `finally` on every path; the folder of a process that died mid-way is removed by the
 *   next save or load. Where no such folder exists (macOS, Windows) the native graph is
 *   not used (see FaceIndex).
 * Process memory and tmpfs pages can be swapped: deployments must use encrypted swap or
 * none, which the installation notes say.
 * Decryption is checked (GCM tag) before the graph is parsed, so a damaged or forged file
 * is refused before any parser sees it.
 * Payload: hnswlib's file, the deleted ids (uint32 each), then the projection basis
 * (d x dim float32) when the graph is projected: the basis is derived from the case's faces,
 * so it is kept as secret as they are.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { type FileHandle, mkdtemp, open, readdir, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { LoupeError } from '../../shared';
import { processRunning } from '../files';

const MAGIC = Buffer.from('LOUPEFIX', 'latin1');
/** 2: the graph may be built on projected embeddings (the header says how, the payload holds the basis). */
const SEALED_FORMAT_VERSION = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_CHECK_BYTES = 16;
/**
 * magic 8, version 2, header length 2, dim 4, live 4, deleted 4, hnswlib bytes 8, nonce,
 * key check, graph space 1, projection dims 2, retained share 8, drift pairs 4, drift sums
 * 8 + 8, model id length 2.
 */
const PROJECTION_AT = 32 + NONCE_BYTES + KEY_CHECK_BYTES;
const FIXED_HEADER_BYTES = PROJECTION_AT + 1 + 2 + 8 + 4 + 8 + 8 + 2;
const GRAPH_SPACES = ['raw', 'raw-declined', 'projected'] as const;
const MAX_MODEL_ID_BYTES = 1024;
const CHUNK_BYTES = 16 * 1024 * 1024;
/** statfs f_type of tmpfs and ramfs (linux/magic.h). */
const RAM_FILESYSTEMS = new Set([0x01021994, 0x858458f6]);
export const DEFAULT_RAM_DIR = '/dev/shm';

/**
 * What space the graph was built in: 'raw' embeddings (no projection was fitted: the
 * gallery was small when built), 'raw-declined' (a fit found no subspace worth projecting
 * onto), or 'projected' onto `dims` principal components keeping `retained` of the fitted
 * variance. The drift sums measure how much of the distances between faces added since the
 * fit the projection keeps (see FaceIndex).
 */
export interface SealedProjection {
  space: (typeof GRAPH_SPACES)[number];
  dims: number;
  retained: number;
  driftPairs: number;
  driftFull: number;
  driftProjected: number;
}

export interface SealedHeader {
  version: number;
  dim: number;
  liveCount: number;
  deletedCount: number;
  /** Bytes of hnswlib's own index file inside the payload. */
  indexBytes: number;
  projection: SealedProjection;
  modelId: string;
}

export type SealedProblem = 'missing' | 'stale' | 'unreadable' | 'unavailable';
export interface SealedFailure {
  status: SealedProblem;
  reason: string;
}

/** A separate key for the index, so the case data key is never used directly by two ciphers. */
function indexKey(key: Buffer): Buffer {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new LoupeError('invalid_input', 'The face index key must be the 32-byte case data key.');
  }
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'loupe/face-index/v1', 32));
}

/** Lets a wrong key be told apart at once, without decrypting gigabytes first. */
const keyCheck = (subkey: Buffer, nonce: Buffer): Buffer =>
  createHmac('sha256', subkey).update('loupe face-index key check').update(nonce).digest().subarray(0, KEY_CHECK_BYTES);

function decodeProjection(b: Buffer, dim: number): SealedProjection | null {
  const space = GRAPH_SPACES[b.readUInt8(PROJECTION_AT)];
  const p = {
    dims: b.readUInt16LE(PROJECTION_AT + 1),
    retained: b.readDoubleLE(PROJECTION_AT + 3),
    driftPairs: b.readUInt32LE(PROJECTION_AT + 11),
    driftFull: b.readDoubleLE(PROJECTION_AT + 15),
    driftProjected: b.readDoubleLE(PROJECTION_AT + 23),
  };
  if (space === undefined) return null;
  if (space === 'projected' ? p.dims < 1 || p.dims > dim || !(p.retained > 0 && p.retained <= 1) : p.dims !== 0) return null;
  if (!(p.driftFull >= 0 && p.driftProjected >= 0 && Number.isFinite(p.driftFull) && Number.isFinite(p.driftProjected))) return null;
  return { space, ...p };
}

function encodeHeader(h: Omit<SealedHeader, 'version'>, nonce: Buffer, check: Buffer): Buffer {
  const model = Buffer.from(h.modelId, 'utf8');
  if (model.length === 0 || model.length > MAX_MODEL_ID_BYTES) {
    throw new LoupeError('invalid_input', `The model id must be 1 to ${MAX_MODEL_ID_BYTES} bytes long.`);
  }
  const b = Buffer.alloc(FIXED_HEADER_BYTES + model.length);
  MAGIC.copy(b, 0);
  b.writeUInt16LE(SEALED_FORMAT_VERSION, 8);
  b.writeUInt16LE(b.length, 10);
  b.writeUInt32LE(h.dim, 12);
  b.writeUInt32LE(h.liveCount, 16);
  b.writeUInt32LE(h.deletedCount, 20);
  b.writeBigUInt64LE(BigInt(h.indexBytes), 24);
  nonce.copy(b, 32);
  check.copy(b, 32 + NONCE_BYTES);
  const p = h.projection;
  b.writeUInt8(GRAPH_SPACES.indexOf(p.space), PROJECTION_AT);
  b.writeUInt16LE(p.dims, PROJECTION_AT + 1);
  b.writeDoubleLE(p.retained, PROJECTION_AT + 3);
  b.writeUInt32LE(p.driftPairs, PROJECTION_AT + 11);
  b.writeDoubleLE(p.driftFull, PROJECTION_AT + 15);
  b.writeDoubleLE(p.driftProjected, PROJECTION_AT + 23);
  b.writeUInt16LE(model.length, FIXED_HEADER_BYTES - 2);
  model.copy(b, FIXED_HEADER_BYTES);
  return b;
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer | null> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) return null;
    done += bytesRead;
  }
  return buf;
}

/** The folder's name carries its process id, so a later process can tell a dead one's leftovers. */
const RAM_DIR_PREFIX = 'loupe-index-';

/**
 * A process killed while hnswlib wrote or read its file leaves a plaintext index in RAM
 * until reboot; remove those of processes that have ended. A reused pid only delays this.
 * Run at every save and load, and when any Loupe process starts (createWorkstation).
 */
export async function removeOrphans(base: string = DEFAULT_RAM_DIR): Promise<void> {
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(RAM_DIR_PREFIX) ? /^(\d+)-/.exec(name.slice(RAM_DIR_PREFIX.length))?.[1] : undefined;
    if (pid === undefined || Number(pid) === process.pid || processRunning(Number(pid))) continue;
    await rm(path.join(base, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Whether `base` is a RAM-backed folder hnswlib's file can pass through (Linux tmpfs or ramfs). */
export function ramFolderAvailable(base = DEFAULT_RAM_DIR): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return RAM_FILESYSTEMS.has(statfsSync(base).type);
  } catch {
    return false;
  }
}

/**
 * A fresh private directory on a RAM-backed filesystem, or LoupeError('unavailable').
 * mkdtemp creates it with mode 0700.
 */
async function privateRamDir(base: string, neededBytes: number): Promise<string> {
  const refuse = (why: string) =>
    new LoupeError('unavailable', `The face index cannot be stored encrypted here: ${why}. It will be rebuilt from the case when the case is opened.`);
  if (process.platform !== 'linux') throw refuse(`${process.platform} has no RAM-backed folder Loupe can use for hnswlib's file`);
  // First, so the space a dead process held counts as free.
  await removeOrphans(base);
  let fs;
  try {
    fs = await statfs(base);
  } catch {
    throw refuse(`${base} does not exist`);
  }
  if (!RAM_FILESYSTEMS.has(fs.type)) throw refuse(`${base} is not a RAM-backed filesystem (tmpfs or ramfs)`);
  // Some head-room: the index must fit whole, and hnswlib does not report a short write.
  if (fs.bavail * fs.bsize < neededBytes * 1.05 + 16 * 1024 * 1024) {
    throw refuse(`${base} has ${Math.floor((fs.bavail * fs.bsize) / 2 ** 20)} MiB free and the index needs about ${Math.ceil(neededBytes / 2 ** 20)} MiB`);
  }
  return mkdtemp(path.join(base, `${RAM_DIR_PREFIX}${process.pid}-`));
}

async function fsyncFolder(folder: string): Promise<void> {
  const fh = await open(folder, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface WriteSealedOptions {
  file: string;
  key: Buffer;
  header: Omit<SealedHeader, 'version' | 'indexBytes'>;
  deleted: readonly number[];
  /** The projection basis (header.projection.dims x header.dim), when the graph is projected. */
  basis: Float32Array | null;
  /**
   * hnswlib's plaintext index: its bytes from memory, or written by `write` to a path in a
   * private RAM folder (`estimatedBytes`, an upper estimate of its size, refuses early when
   * the folder is too small).
   */
  plain: { bytes: number; chunks: () => Iterable<Uint8Array> } | { estimatedBytes: number; write: (plainPath: string) => Promise<void> };
  ramDir?: string;
}

/** The plaintext index as chunks of known total length; `done` removes whatever held it. */
interface PlainSource {
  bytes: number;
  chunks: AsyncIterable<Uint8Array>;
  done: () => Promise<void>;
}

async function plainFromRam(base: string, estimatedBytes: number, write: (plainPath: string) => Promise<void>): Promise<PlainSource> {
  const dir = await privateRamDir(base, estimatedBytes);
  try {
    const plainPath = path.join(dir, 'index.hnsw');
    // Created here with 0600 so hnswlib's ofstream only truncates it and never picks the mode.
    await (await open(plainPath, 'wx', 0o600)).close();
    await write(plainPath);
    const plain = await open(plainPath, 'r');
    await rm(plainPath);
    const bytes = (await plain.stat()).size;
    async function* chunks(): AsyncIterable<Uint8Array> {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, bytes)));
      for (let pos = 0; pos < bytes; ) {
        const { bytesRead } = await plain.read(chunk, 0, Math.min(chunk.length, bytes - pos), pos);
        if (bytesRead === 0) throw new LoupeError('internal', 'The face index file shrank while it was being encrypted.');
        pos += bytesRead;
        yield chunk.subarray(0, bytesRead);
      }
    }
    return {
      bytes,
      chunks: chunks(),
      done: async () => {
        await plain.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Encrypts the plaintext index into `file`, atomically. Throws LoupeError('unavailable') where hnswlib's file cannot be kept in RAM. */
export async function writeSealed(o: WriteSealedOptions): Promise<{ bytes: number }> {
  const subkey = indexKey(o.key);
  const basisValues = o.header.projection.space === 'projected' ? o.header.projection.dims * o.header.dim : 0;
  if ((o.basis?.length ?? 0) !== basisValues) throw new LoupeError('internal', `The projection basis holds ${o.basis?.length ?? 0} values where the header promises ${basisValues}.`);
  const source: PlainSource =
    'chunks' in o.plain
      ? { bytes: o.plain.bytes, chunks: (async function* (c) { yield* c; })(o.plain.chunks()), done: async () => undefined }
      : await plainFromRam(o.ramDir ?? DEFAULT_RAM_DIR, o.plain.estimatedBytes, o.plain.write);
  let tmp: string | undefined;
  try {
    const indexBytes = source.bytes;
    const nonce = randomBytes(NONCE_BYTES);
    const header = encodeHeader({ ...o.header, indexBytes }, nonce, keyCheck(subkey, nonce));
    const deleted = Buffer.alloc(o.deleted.length * 4);
    o.deleted.forEach((id, i) => deleted.writeUInt32LE(id, i * 4));
    const basis = o.basis ? Buffer.from(o.basis.buffer, o.basis.byteOffset, o.basis.byteLength) : Buffer.alloc(0);
    const cipher = createCipheriv('aes-256-gcm', subkey, nonce);
    cipher.setAAD(header);
    tmp = `${o.file}.${randomBytes(6).toString('hex')}.tmp`;
    const out = await open(tmp, 'wx', 0o600);
    try {
      await writeAll(out, header);
      let written = 0;
      for await (const chunk of source.chunks) {
        written += chunk.length;
        await writeAll(out, cipher.update(chunk));
      }
      if (written !== indexBytes) throw new LoupeError('internal', `The face index gave ${written} bytes where it promised ${indexBytes}.`);
      await writeAll(out, cipher.update(deleted));
      await writeAll(out, cipher.update(basis));
      await writeAll(out, cipher.final());
      await writeAll(out, cipher.getAuthTag());
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, o.file);
    tmp = undefined;
    await fsyncFolder(path.dirname(o.file));
    return { bytes: header.length + indexBytes + deleted.length + basis.length + TAG_BYTES };
  } finally {
    await source.done();
    if (tmp !== undefined) await rm(tmp, { force: true });
  }
}

export interface ReadSealedOptions<T> {
  file: string;
  key: Buffer;
  /** What the caller's store holds now: a file built for another model, size or count is stale. */
  expect: { modelId: string; dim: number; liveCount: number };
  /** Why an otherwise current file should be rebuilt anyway (null: it need not be); asked before anything is decrypted. */
  staleBecause?: (header: SealedHeader) => string | null;
  /**
   * Reads hnswlib's plaintext index (authenticated): from memory (`bytes`), or from a path
   * inside a private RAM folder (`file`).
   */
  readPlain: { bytes: (plain: Uint8Array) => T | Promise<T> } | { file: (plainPath: string) => Promise<T> };
  ramDir?: string;
}

/** Where decrypted index bytes go: a file in a private RAM folder, or one buffer in memory. */
interface PlainSink {
  write(b: Uint8Array): Promise<void>;
  /** Called once everything is written and authenticated. */
  read<T>(readPlain: ReadSealedOptions<T>['readPlain']): Promise<T>;
  done(): Promise<void>;
}

async function sinkInRam(base: string, bytes: number): Promise<PlainSink> {
  const dir = await privateRamDir(base, bytes);
  const plainPath = path.join(dir, 'index.hnsw');
  let plain: FileHandle | null = null;
  try {
    plain = await open(plainPath, 'wx', 0o600);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const close = async () => {
    await plain?.close();
    plain = null;
  };
  return {
    write: (b) => writeAll(plain!, b),
    read: async (readPlain) => {
      await close();
      if (!('file' in readPlain)) throw new LoupeError('internal', 'A RAM file was decrypted for a reader of bytes.');
      return readPlain.file(plainPath);
    },
    done: async () => {
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sinkInMemory(bytes: number): PlainSink {
  const buf = new Uint8Array(bytes);
  let at = 0;
  return {
    write: async (b) => {
      buf.set(b, at);
      at += b.length;
    },
    read: async (readPlain) => {
      if (!('bytes' in readPlain)) throw new LoupeError('internal', 'Bytes were decrypted for a reader of files.');
      return readPlain.bytes(buf);
    },
    done: async () => {
      // The plaintext graph is not left for the garbage collector to free at leisure.
      buf.fill(0);
    },
  };
}

export type ReadSealedResult<T> = { status: 'loaded'; value: T; header: SealedHeader; deleted: number[]; basis: Float32Array | null } | SealedFailure;

export async function readSealed<T>(o: ReadSealedOptions<T>): Promise<ReadSealedResult<T>> {
  const subkey = indexKey(o.key);
  let fh: FileHandle;
  try {
    fh = await open(o.file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing', reason: 'No face index has been saved for this case yet.' };
    return { status: 'unreadable', reason: `The face index file cannot be opened (${code ?? String(e)}).` };
  }
  try {
    const size = (await fh.stat()).size;
    const fixed = await readExactly(fh, FIXED_HEADER_BYTES, 0);
    if (fixed === null || !fixed.subarray(0, 8).equals(MAGIC)) {
      return { status: 'unreadable', reason: 'The file is not a Loupe face index.' };
    }
    const version = fixed.readUInt16LE(8);
    if (version !== SEALED_FORMAT_VERSION) {
      return { status: 'stale', reason: `The face index was written in format ${version}; this version of Loupe writes format ${SEALED_FORMAT_VERSION}.` };
    }
    const headerBytes = fixed.readUInt16LE(10);
    const modelBytes = fixed.readUInt16LE(FIXED_HEADER_BYTES - 2);
    if (modelBytes > MAX_MODEL_ID_BYTES || headerBytes !== FIXED_HEADER_BYTES + modelBytes) {
      return { status: 'unreadable', reason: 'The face index header is damaged.' };
    }
    const model = await readExactly(fh, modelBytes, FIXED_HEADER_BYTES);
    if (model === null) return { status: 'unreadable', reason: 'The face index file is truncated.' };
    const dim = fixed.readUInt32LE(12);
    const projection = decodeProjection(fixed, dim);
    if (projection === null) return { status: 'unreadable', reason: 'The face index header is damaged (its projection fields are inconsistent).' };
    const header: SealedHeader = {
      version,
      dim,
      liveCount: fixed.readUInt32LE(16),
      deletedCount: fixed.readUInt32LE(20),
      indexBytes: Number(fixed.readBigUInt64LE(24)),
      projection,
      modelId: model.toString('utf8'),
    };
    const nonce = fixed.subarray(32, 32 + NONCE_BYTES);
    if (!timingSafeEqual(fixed.subarray(32 + NONCE_BYTES, 32 + NONCE_BYTES + KEY_CHECK_BYTES), keyCheck(subkey, nonce))) {
      return { status: 'unreadable', reason: 'The face index was encrypted with another key (or its header was altered).' };
    }
    if (header.modelId !== o.expect.modelId) {
      return { status: 'stale', reason: `The face index was built with model ${header.modelId}; the case now uses ${o.expect.modelId}.` };
    }
    if (header.dim !== o.expect.dim) {
      return { status: 'stale', reason: `The face index holds ${header.dim}-D embeddings; the case uses ${o.expect.dim}-D.` };
    }
    if (header.liveCount !== o.expect.liveCount) {
      return { status: 'stale', reason: `The face index holds ${header.liveCount} faces; the case holds ${o.expect.liveCount}.` };
    }
    const stale = o.staleBecause?.(header) ?? null;
    if (stale !== null) return { status: 'stale', reason: stale };
    const basisBytes = projection.space === 'projected' ? projection.dims * dim * 4 : 0;
    const tailBytes = header.deletedCount * 4 + basisBytes;
    const payloadBytes = header.indexBytes + tailBytes;
    if (size !== headerBytes + payloadBytes + TAG_BYTES) {
      return { status: 'unreadable', reason: `The face index file is ${size} bytes where its header promises ${headerBytes + payloadBytes + TAG_BYTES}: it is truncated or damaged.` };
    }
    const tag = await readExactly(fh, TAG_BYTES, size - TAG_BYTES);
    if (tag === null) return { status: 'unreadable', reason: 'The face index file is truncated.' };

    let sink: PlainSink;
    try {
      sink = 'file' in o.readPlain ? await sinkInRam(o.ramDir ?? DEFAULT_RAM_DIR, header.indexBytes) : sinkInMemory(header.indexBytes);
    } catch (e) {
      if (e instanceof LoupeError) return { status: 'unavailable', reason: e.message };
      throw e;
    }
    try {
      // Everything after hnswlib's file: the deleted ids, then the basis.
      const tail = Buffer.alloc(tailBytes);
      const decipher = createDecipheriv('aes-256-gcm', subkey, nonce);
      decipher.setAAD(Buffer.concat([fixed, model]));
      decipher.setAuthTag(tag);
      let toIndex = header.indexBytes;
      let toTail = 0;
      const route = async (clear: Buffer) => {
        const head = Math.min(toIndex, clear.length);
        if (head > 0) await sink.write(clear.subarray(0, head));
        toIndex -= head;
        clear.copy(tail, toTail, head);
        toTail += clear.length - head;
      };
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, payloadBytes)));
      for (let pos = headerBytes, end = headerBytes + payloadBytes; pos < end; ) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, end - pos), pos);
        if (bytesRead === 0) return { status: 'unreadable', reason: 'The face index file is truncated.' };
        pos += bytesRead;
        await route(decipher.update(chunk.subarray(0, bytesRead)));
      }
      try {
        await route(decipher.final());
      } catch {
        return { status: 'unreadable', reason: 'The face index file was altered or damaged (authentication failed).' };
      }
      const value = await sink.read(o.readPlain);
      const ids: number[] = [];
      for (let i = 0; i < header.deletedCount; i++) ids.push(tail.readUInt32LE(i * 4));
      const basis = basisBytes > 0 ? new Float32Array(tail.buffer.slice(tail.byteOffset + header.deletedCount * 4, tail.byteOffset + tailBytes)) : null;
      return { status: 'loaded', value, header, deleted: ids, basis };
    } finally {
      await sink.done();
    }
  } finally {
    await fh.close();
  }
}
