import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { LoupeError } from '../../shared';
import { deriveKey, KDF } from '../crypto';
import { PRIVATE_FILE } from '../files';
import { StoredKdf } from '../store';

/**
 * The container of a disclosure package: a clear header, then the payload in chunks, each
 * sealed with AES-256-GCM (the STREAM construction: a chunk's nonce is the header's nonce
 * prefix, its number and a last-chunk flag, and the whole header is each chunk's associated
 * data), so a package streams in and out in bounded memory, and an altered, reordered,
 * dropped or cut-off chunk, or a changed header, fails authentication.
 *
 *   "LOUPEPKG" | u32 header length | header JSON | key check (32) | checksum (32) | frames
 *   frame: u32 ciphertext length | ciphertext | GCM tag (16)
 *
 * The key check (HMAC under a key derived from the passphrase) tells a wrong passphrase before
 * any chunk is read; the checksum (SHA-256 of header and key check) tells a damaged header
 * from a wrong passphrase.
 */
const MAGIC = Buffer.from('LOUPEPKG');
export const PACKAGE_FORMAT = 'loupe-disclosure/1';
const CHUNK_BYTES = 2 ** 20;
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 64 * 1024;
const NONCE_PREFIX_BYTES = 7;

const PackageHeader = z.object({
  format: z.literal(PACKAGE_FORMAT),
  cipher: z.literal('aes-256-gcm'),
  kdf: StoredKdf,
  chunkBytes: z.number().int().min(4096).max(16 * 2 ** 20),
  noncePrefix: z.string().refine((v) => Buffer.from(v, 'base64').length === NONCE_PREFIX_BYTES),
});
type PackageHeader = z.infer<typeof PackageHeader>;

const damaged = (what: string) =>
  new LoupeError('integrity', `This package is damaged or was altered: ${what}. Nothing was imported. Ask for the package again, or check its copy against the SHA-256 the exporting workstation recorded.`, 'file');

function keys(master: Buffer): { payload: Buffer; check: Buffer } {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `${PACKAGE_FORMAT}/${info}`, 32));
  return { payload: sub('payload'), check: sub('check') };
}

const keyCheck = (checkKey: Buffer, headerJson: Buffer) => createHmac('sha256', checkKey).update(headerJson).digest();
const checksum = (headerJson: Buffer, check: Buffer) => createHash('sha256').update(headerJson).update(check).digest();

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** Writes a package file: the payload is given in pieces of any size and sealed chunk by chunk. */
export class PackageWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private written = 0;
  private readonly hash = createHash('sha256');

  private constructor(
    private readonly file: string,
    private readonly fh: FileHandle,
    private readonly key: Buffer,
    private readonly prelude: Buffer,
    private readonly header: PackageHeader,
  ) {}

  /** Creates `file` (never over an existing one) and writes the header. */
  static async create(file: string, passphrase: string): Promise<PackageWriter> {
    const salt = randomBytes(16);
    const header = PackageHeader.parse({
      format: PACKAGE_FORMAT,
      cipher: 'aes-256-gcm',
      kdf: { ...KDF, salt: salt.toString('base64') },
      chunkBytes: CHUNK_BYTES,
      noncePrefix: randomBytes(NONCE_PREFIX_BYTES).toString('base64'),
    });
    const master = await deriveKey(passphrase, salt, header.kdf);
    const k = keys(master);
    master.fill(0);
    const json = Buffer.from(JSON.stringify(header));
    const check = keyCheck(k.check, json);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    const prelude = Buffer.concat([MAGIC, length, json, check, checksum(json, check)]);
    let fh: FileHandle;
    try {
      fh = await open(file, 'wx', PRIVATE_FILE);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new LoupeError(code === 'EEXIST' ? 'conflict' : 'invalid_input', code === 'EEXIST' ? `${file} already exists: choose a new file name (a package is never written over a file).` : `${file} cannot be written (${code ?? (err as Error).message}); check the folder.`, 'out');
    }
    const writer = new PackageWriter(file, fh, k.payload, prelude, header);
    await writer.put(prelude);
    return writer;
  }

  async write(data: Uint8Array): Promise<void> {
    this.pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.pendingBytes += data.byteLength;
    // A full chunk is sealed only once more follows: the last chunk carries the last-chunk flag.
    while (this.pendingBytes > this.header.chunkBytes) {
      const all = Buffer.concat(this.pending);
      await this.seal(all.subarray(0, this.header.chunkBytes), false);
      this.pending = [all.subarray(this.header.chunkBytes)];
      this.pendingBytes = this.pending[0]!.length;
    }
  }

  /** Seals the last chunk and makes the file durable; answers its size and SHA-256. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    await this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    await this.fh.sync();
    await this.fh.close();
    this.key.fill(0);
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Takes the unfinished file away: a failed export leaves no package behind. */
  async abort(): Promise<void> {
    this.key.fill(0);
    await this.fh.close().catch(() => undefined);
    await rm(this.file, { force: true });
  }

  private async seal(plain: Buffer, last: boolean): Promise<void> {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(Buffer.from(this.header.noncePrefix, 'base64'), this.index++, last), { authTagLength: TAG_BYTES });
    cipher.setAAD(this.prelude);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    await this.put(Buffer.concat([length, body, cipher.getAuthTag()]));
  }

  private async put(buf: Buffer): Promise<void> {
    await this.fh.write(buf);
    this.hash.update(buf);
    this.written += buf.length;
  }
}

/** Reads a package: its header and passphrase are checked on open, then the payload is read in order, each chunk authenticated before any of it is used. */
export class PackageReader {
  private pos: number;
  private index = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private finished = false;
  private readonly hash = createHash('sha256');

  private constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
    private readonly key: Buffer,
    private readonly prelude: Buffer,
    private readonly header: PackageHeader,
  ) {
    this.pos = prelude.length;
    this.hash.update(prelude);
  }

  static async open(file: string, passphrase: string): Promise<PackageReader> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      throw new LoupeError('not_found', `The package ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check the path.`, 'file');
    }
    try {
      const stats = await fh.stat();
      if (!stats.isFile()) throw new LoupeError('invalid_input', `${file} is not a file.`, 'file');
      const head = Buffer.alloc(MAGIC.length + 4);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      if (!head.subarray(0, Math.min(bytesRead, MAGIC.length)).equals(MAGIC)) throw new LoupeError('invalid_input', `${file} is not a Loupe disclosure package (it does not begin as one).`, 'file');
      if (bytesRead < head.length) throw damaged('it ends inside its header');
      const length = head.readUInt32BE(MAGIC.length);
      if (length > MAX_HEADER_BYTES || head.length + length + 64 > stats.size) throw damaged('its header is cut short or too long');
      const rest = Buffer.alloc(length + 64);
      await readExactly(fh, rest, head.length);
      const json = rest.subarray(0, length);
      const check = rest.subarray(length, length + 32);
      if (!checksum(json, check).equals(rest.subarray(length + 32))) throw damaged('its header does not match its checksum');
      const header = parseHeader(json);
      const master = await deriveKey(passphrase, Buffer.from(header.kdf.salt, 'base64'), header.kdf);
      const k = keys(master);
      master.fill(0);
      if (!timingSafeEqual(keyCheck(k.check, json), check)) {
        throw new LoupeError('wrong_passphrase', 'That passphrase does not open this package. Check the package passphrase (the one given at export) and try again; nothing was imported.', 'packagePassphrase');
      }
      return new PackageReader(fh, stats.size, k.payload, Buffer.concat([head, rest]), header);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Exactly `n` bytes of the payload, in pieces as they are authenticated. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffer.length === 0) this.buffer = await this.nextChunk(n);
      const piece = this.buffer.subarray(0, Math.min(left, this.buffer.length));
      this.buffer = this.buffer.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.take(n)) parts.push(p);
    return Buffer.concat(parts);
  }

  /** Checks that the payload ended exactly here, with its last chunk; answers the file's SHA-256. */
  async end(): Promise<string> {
    if (this.buffer.length > 0 || !this.finished || this.pos !== this.size) throw damaged('it holds more than its manifest lists');
    return this.hash.digest('hex');
  }

  async close(): Promise<void> {
    this.key.fill(0);
    await this.fh.close();
  }

  private async nextChunk(wanted: number): Promise<Buffer> {
    if (this.finished) throw damaged(`its payload ends before the ${wanted} bytes its manifest promised`);
    const index = this.index++;
    if (this.pos + 4 > this.size) throw truncated(index);
    const lengthBytes = Buffer.alloc(4);
    await readExactly(this.fh, lengthBytes, this.pos);
    const length = lengthBytes.readUInt32BE();
    if (length > this.header.chunkBytes) throw damaged(`chunk ${index + 1} claims ${length} bytes, more than the package's chunk size`);
    const end = this.pos + 4 + length + TAG_BYTES;
    if (end > this.size) throw truncated(index);
    const frame = Buffer.alloc(length + TAG_BYTES);
    await readExactly(this.fh, frame, this.pos + 4);
    this.hash.update(lengthBytes).update(frame);
    this.pos = end;
    const last = end === this.size;
    const plain = this.open(frame, index, last);
    if (plain) {
      this.finished = last;
      return plain;
    }
    // A chunk that authenticates as not-last, at the very end of the file: the rest was cut off.
    if (last && this.open(frame, index, false)) throw truncated(index + 1);
    throw damaged(`chunk ${index + 1} fails its authentication (a byte in it, or in the header, was changed)`);
  }

  private open(frame: Buffer, index: number, last: boolean): Buffer | null {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonce(Buffer.from(this.header.noncePrefix, 'base64'), index, last), { authTagLength: TAG_BYTES });
      decipher.setAAD(this.prelude);
      decipher.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
      return Buffer.concat([decipher.update(frame.subarray(0, frame.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return null;
    }
  }
}

const truncated = (chunk: number) =>
  new LoupeError('integrity', `This package is truncated: it ends after ${chunk} whole chunk(s), before its last one (an interrupted copy or download). Nothing was imported; copy the package again.`, 'file');

function parseHeader(json: Buffer): PackageHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    throw damaged('its header is not readable');
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format !== PACKAGE_FORMAT && format.startsWith('loupe-disclosure/')) {
    throw new LoupeError('conflict', `This package was written by a newer version of Loupe (format ${format}; this version reads ${PACKAGE_FORMAT}). Update Loupe on this workstation to import it; nothing was imported.`, 'file');
  }
  const parsed = PackageHeader.safeParse(raw);
  if (!parsed.success) throw damaged('its header has unexpected content');
  return parsed.data;
}

async function readExactly(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) throw damaged('it ends unexpectedly');
    got += bytesRead;
  }
}
