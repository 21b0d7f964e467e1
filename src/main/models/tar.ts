import { gunzipSync } from 'node:zlib';

/**
 * Reads the regular files of a (gzipped) tar archive into memory: ustar names with their
 * prefix, GNU long names and pax "path" records. Only what npm tarballs use; links,
 * devices and other entries are skipped, so nothing is ever written outside memory.
 */
export function readTarGz(gz: Uint8Array, wanted?: (path: string) => boolean): Map<string, Uint8Array> {
  return readTar(gunzipSync(gz), wanted);
}

const BLOCK = 512;

function field(b: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(at, end)).toString('utf8');
}

function octal(b: Uint8Array, at: number, len: number): number {
  const s = field(b, at, len).trim();
  const n = s.length === 0 ? 0 : parseInt(s, 8);
  if (!Number.isFinite(n) || n < 0) throw new Error(`tar: bad number "${s}" in a header`);
  return n;
}

function paxPath(body: Uint8Array): string | undefined {
  // Records are "<len> key=value\n".
  for (const line of Buffer.from(body).toString('utf8').split('\n')) {
    const m = line.match(/^\d+ path=(.*)$/);
    if (m) return m[1];
  }
  return undefined;
}

export function readTar(tar: Uint8Array, wanted: (path: string) => boolean = () => true): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((v) => v === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] as number);
    const magic = field(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? field(h, 345, 155) : '';
    const headerName = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const bodyAt = at + BLOCK;
    if (bodyAt + size > tar.length) throw new Error('tar: the archive is truncated');
    const body = tar.subarray(bodyAt, bodyAt + size);
    at = bodyAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = field(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const name = longName ?? headerName;
    longName = undefined;
    if ((type === '0' || type === '\0') && wanted(name)) files.set(name, new Uint8Array(body));
  }
  return files;
}
