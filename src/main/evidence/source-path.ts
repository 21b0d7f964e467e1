import path from 'node:path';

/**
 * The path of an original as Loupe records it. A file name on Linux and macOS is bytes, and
 * names from seized media are often Latin-1 or another code page, not UTF-8: as a JavaScript
 * string such a name loses its bytes (each becomes U+FFFD) and the file can no longer be
 * opened. A path whose bytes are UTF-8 is recorded as it is; any other is recorded as
 * "bytes:" and the path with every byte outside printable ASCII, and "%", written %XX, which
 * gives back the exact bytes. Recorded paths are absolute, so the prefix cannot be a path.
 */
const BYTES = 'bytes:';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sourceFromBytes(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = BYTES;
    for (const b of bytes) out += b > 0x20 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  }
}

/** What the file system is given for a recorded path: the string, or the exact bytes. */
export function fsPath(source: string): string | Buffer {
  if (!source.startsWith(BYTES)) return source;
  const text = source.slice(BYTES.length);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** The file's name for people to read: a name that is not UTF-8 is read as Latin-1, the likeliest code page of old media. */
export function displayName(source: string): string {
  const at = fsPath(source);
  if (typeof at === 'string') return path.basename(at);
  const slash = at.lastIndexOf(0x2f);
  return at.subarray(slash + 1).toString('latin1');
}
