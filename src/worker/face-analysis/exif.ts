import type { Exif } from '../../shared';

/**
 * A small EXIF reader for the two facts an investigator asks first: when the picture was
 * taken (by the camera's clock) and with what camera. It reads the TIFF structure that
 * sharp returns (optionally behind "Exif\0\0") and never throws: a damaged block gives {}.
 */

const TAG_MAKE = 0x010f;
const TAG_MODEL = 0x0110;
const TAG_DATETIME = 0x0132;
const TAG_EXIF_IFD = 0x8769;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_DATETIME_DIGITIZED = 0x9004;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const TYPE_ASCII = 2;
const TYPE_LONG = 4;
const MAX_ENTRIES = 1000;

type Entries = Map<number, { type: number; count: number; valueAt: number }>;

class Reader {
  constructor(
    private readonly b: Uint8Array,
    private readonly base: number,
    private readonly little: boolean,
  ) {}
  has(at: number, len: number): boolean {
    return at >= 0 && this.base + at + len <= this.b.length;
  }
  u16(at: number): number {
    const p = this.base + at;
    const a = this.b[p] as number;
    const c = this.b[p + 1] as number;
    return this.little ? a | (c << 8) : (a << 8) | c;
  }
  u32(at: number): number {
    const p = this.base + at;
    const [a, c, d, e] = [this.b[p] as number, this.b[p + 1] as number, this.b[p + 2] as number, this.b[p + 3] as number];
    return (this.little ? a | (c << 8) | (d << 16) | (e << 24) : (a << 24) | (c << 16) | (d << 8) | e) >>> 0;
  }
  ascii(at: number, len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) {
      const ch = this.b[this.base + at + i] as number;
      if (ch === 0) break;
      s += String.fromCharCode(ch);
    }
    return s;
  }
  ifd(at: number): Entries {
    const out: Entries = new Map();
    if (!this.has(at, 2)) return out;
    const n = Math.min(this.u16(at), MAX_ENTRIES);
    for (let i = 0; i < n; i++) {
      const e = at + 2 + i * 12;
      if (!this.has(e, 12)) break;
      const type = this.u16(e + 2);
      const count = this.u32(e + 4);
      // Values of more than four bytes live elsewhere; the entry then holds their offset.
      const size = type === TYPE_ASCII ? count : type === TYPE_LONG ? 4 * count : 0;
      out.set(this.u16(e), { type, count, valueAt: size > 4 ? this.u32(e + 8) : e + 8 });
    }
    return out;
  }
  text(entries: Entries, tag: number): string | undefined {
    const e = entries.get(tag);
    if (!e || e.type !== TYPE_ASCII || e.count === 0 || e.count > 256 || !this.has(e.valueAt, e.count)) return undefined;
    const s = this.ascii(e.valueAt, e.count).trim();
    return s.length > 0 ? s : undefined;
  }
}

/** "2019:05:04 13:22:01" -> "2019-05-04T13:22:01" (+ offset when given); odd values are dropped. */
function exifDate(raw: string | undefined, offset: string | undefined): string | undefined {
  const m = raw?.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
  if (!m || m[1] === '0000') return undefined;
  const tz = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${tz}`;
}

export function parseExif(block: Uint8Array | undefined): Exif {
  if (!block || block.length < 8) return {};
  let base = 0;
  if (block.length >= 6 && String.fromCharCode(...block.subarray(0, 4)) === 'Exif' && block[4] === 0 && block[5] === 0) base = 6;
  const order = String.fromCharCode(block[base] as number, block[base + 1] as number);
  if (order !== 'II' && order !== 'MM') return {};
  const r = new Reader(block, base, order === 'II');
  if (!r.has(0, 8) || r.u16(2) !== 42) return {};
  const ifd0 = r.ifd(r.u32(4));
  const exifAt = ifd0.get(TAG_EXIF_IFD);
  const exifIfd = exifAt && exifAt.type === TYPE_LONG ? r.ifd(r.u32(exifAt.valueAt)) : new Map() as Entries;
  const captureTime =
    exifDate(r.text(exifIfd, TAG_DATETIME_ORIGINAL), r.text(exifIfd, TAG_OFFSET_TIME_ORIGINAL)) ??
    exifDate(r.text(exifIfd, TAG_DATETIME_DIGITIZED), undefined) ??
    exifDate(r.text(ifd0, TAG_DATETIME), undefined);
  const make = r.text(ifd0, TAG_MAKE);
  const model = r.text(ifd0, TAG_MODEL);
  // Many cameras repeat the make inside the model ("Canon" + "Canon EOS 5D").
  const camera = make && model ? (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`) : (make ?? model);
  const out: Exif = {};
  if (captureTime) out.captureTime = captureTime;
  if (camera) out.camera = camera;
  return out;
}
