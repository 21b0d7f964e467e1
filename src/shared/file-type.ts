import { z } from 'zod';

/** File types Loupe recognises by their bytes; the name of a file is never trusted. */
export const FileType = z.enum([
  'jpeg',
  'png',
  'webp',
  'tiff',
  'bmp',
  'gif',
  'heif',
  'pnm',
  'mp4',
  'mov',
  'avi',
  'mkv',
  'webm',
  'mpegts',
  'm2ts',
  'mpegps',
  'h264',
  'hevc',
  'dav',
]);
export type FileType = z.infer<typeof FileType>;

export const IMAGE_TYPES: readonly FileType[] = ['jpeg', 'png', 'webp', 'tiff', 'bmp', 'gif', 'heif', 'pnm'];
/** Containers and the bare streams CCTV recorders export (transport and program streams, raw H.264/H.265, Dahua DAV). */
export const VIDEO_TYPES: readonly FileType[] = ['mp4', 'mov', 'avi', 'mkv', 'webm', 'mpegts', 'm2ts', 'mpegps', 'h264', 'hevc', 'dav'];

export const isImageType = (t: FileType | null): boolean => t !== null && IMAGE_TYPES.includes(t);
export const isVideoType = (t: FileType | null): boolean => t !== null && VIDEO_TYPES.includes(t);

const ascii = (b: Uint8Array, at: number, len: number): string => {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
};

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis']);
const MOV_BRANDS = new Set(['qt  ']);
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** Major and compatible brands of an ISO-BMFF 'ftyp' box at the start of the file. */
function ftypBrands(b: Uint8Array): string[] | null {
  if (b.length < 12 || ascii(b, 4, 4) !== 'ftyp') return null;
  const size = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
  const end = Math.min(b.length, size >= 16 ? size : 16);
  const brands = [ascii(b, 8, 4)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(b, at, 4));
  return brands;
}

/** Matroska and WebM share the EBML header; the DocType element says which. */
function ebmlDocType(b: Uint8Array): 'mkv' | 'webm' | null {
  if (!startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  const head = ascii(b, 0, Math.min(b.length, 64));
  if (head.includes('webm')) return 'webm';
  if (head.includes('matroska')) return 'mkv';
  return null;
}

/** A transport stream: the sync byte 0x47 at every packet of `size` bytes, after `prefix` bytes (M2TS's time code). */
function transportStream(b: Uint8Array, size: number, prefix: number): boolean {
  const packets = Math.min(5, Math.floor(b.length / size));
  if (packets < 2) return false;
  for (let i = 0; i < packets; i++) if (b[i * size + prefix] !== 0x47) return false;
  return true;
}

/** A raw H.264 or H.265 stream opens with a start code and a parameter set or access unit delimiter. */
function elementaryStream(b: Uint8Array): 'h264' | 'hevc' | null {
  const at = startsWith(b, [0, 0, 0, 1]) ? 4 : startsWith(b, [0, 0, 1]) ? 3 : -1;
  if (at < 0 || b.length < at + 2) return null;
  const h = b[at] as number;
  if ((h & 0x80) !== 0) return null;
  // H.264: SPS 7, PPS 8, AUD 9, SEI 6. H.265 (type in bits 1-6, second byte's layer/temporal id >= 1): VPS 32, SPS 33, PPS 34, AUD 35, SEI 39.
  const hevc = (h >> 1) & 0x3f;
  if ([32, 33, 34, 35, 39].includes(hevc) && (h & 1) === 0 && ((b[at + 1] as number) & 7) >= 1) return 'hevc';
  if ([6, 7, 8, 9].includes(h & 0x1f)) return 'h264';
  return null;
}

/** Netpbm grey (P2/P5) and colour (P3/P6) maps: the magic number, then white space. */
function netpbm(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(b[1] as number) && [0x20, 0x09, 0x0a, 0x0d].includes(b[2] as number);
}

/**
 * The type of a file from its first bytes (64 are enough for most; a transport stream needs
 * 5 packets, about 1 kB, to be told from chance), or null when it is none
 * Loupe can open. Pure: the caller reads the bytes.
 */
export function sniffFileType(bytes: Uint8Array): FileType | null {
  const b = bytes;
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'AVI ') return 'avi';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (b.length >= 18 && ascii(b, 0, 2) === 'BM') {
    // A BMP's DIB header has one of a few fixed sizes; checking it keeps text starting "BM" out.
    const dib = (b[14] as number) | ((b[15] as number) << 8) | ((b[16] as number) << 16) | ((b[17] as number) << 24);
    if ([12, 40, 52, 56, 64, 108, 124].includes(dib)) return 'bmp';
  }
  const brands = ftypBrands(b);
  if (brands) {
    if (brands.some((x) => HEIF_BRANDS.has(x)) && !brands.some((x) => ['isom', 'mp41', 'mp42', 'avc1', 'iso2'].includes(x))) return 'heif';
    if (brands.some((x) => MOV_BRANDS.has(x))) return 'mov';
    return 'mp4';
  }
  if (b.length >= 8 && QUICKTIME_ATOMS.has(ascii(b, 4, 4))) return 'mov';
  if (ascii(b, 0, 5) === 'DAHUA' || (ascii(b, 0, 4) === 'DHAV' && [0xf0, 0xf1, 0xfc, 0xfd].includes(b[4] as number))) return 'dav';
  if (startsWith(b, [0, 0, 1, 0xba])) return 'mpegps';
  if (transportStream(b, 188, 0)) return 'mpegts';
  if (transportStream(b, 192, 4)) return 'm2ts';
  if (netpbm(b)) return 'pnm';
  return ebmlDocType(b) ?? elementaryStream(b);
}
