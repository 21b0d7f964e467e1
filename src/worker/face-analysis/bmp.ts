import { LoupeError } from '../../shared';
import { refuseOversize, type Rgb } from './image';

/**
 * Windows bitmaps, which libvips cannot read and CCTV exports still use: uncompressed
 * 1/4/8-bit palette, 16-bit 5-5-5, 24-bit and 32-bit (BI_RGB or the usual BI_BITFIELDS
 * masks), bottom-up or top-down. Anything else is refused with a reason, never guessed.
 */
export function decodeBmp(b: Uint8Array, maxPixels: number): Rgb {
  const bad = (why: string) => new LoupeError('unsupported_file', `This BMP file cannot be read: ${why}.`);
  if (b.length < 54) throw bad('it is truncated');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataAt = v.getUint32(10, true);
  const header = v.getUint32(14, true);
  if (header < 40) throw bad('OS/2 bitmaps are not supported');
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bits = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height <= 0) throw bad('its size is not positive');
  refuseOversize(width, height, maxPixels);
  if (compression !== 0 && !(compression === 3 && (bits === 32 || bits === 16))) throw bad(`compression type ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw bad(`${bits} bits per pixel is not supported`);
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  if (dataAt + stride * height > b.length) throw bad('it is truncated');

  let palette: Uint8Array | null = null;
  if (bits <= 8) {
    const colours = v.getUint32(46, true) || 1 << bits;
    const at = 14 + header;
    if (colours > 256 || at + colours * 4 > dataAt) throw bad('its palette is damaged');
    palette = b.subarray(at, at + colours * 4);
  }
  let masks = bits === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff];
  if (compression === 3) {
    if (b.length < 66) throw bad('its colour masks are missing');
    masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
  }
  const shiftOf = (m: number) => (m === 0 ? 0 : 31 - Math.clz32(m & -m));
  const shifts = masks.map(shiftOf);
  const maxes = masks.map((m, i) => (m >>> (shifts[i] as number)) || 1);

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataAt + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const idx = bits === 8 ? (b[row + x] as number) : bits === 4 ? ((b[row + (x >> 1)] as number) >> (x & 1 ? 0 : 4)) & 15 : ((b[row + (x >> 3)] as number) >> (7 - (x & 7))) & 1;
        if (idx * 4 + 2 >= palette.length) throw bad('a pixel refers past the palette');
        out[o] = palette[idx * 4 + 2] as number;
        out[o + 1] = palette[idx * 4 + 1] as number;
        out[o + 2] = palette[idx * 4] as number;
      } else if (bits === 24) {
        const p = row + x * 3;
        out[o] = b[p + 2] as number;
        out[o + 1] = b[p + 1] as number;
        out[o + 2] = b[p] as number;
      } else {
        const px = bits === 32 ? v.getUint32(row + x * 4, true) : v.getUint16(row + x * 2, true);
        for (let c = 0; c < 3; c++) out[o + c] = Math.round((((px & (masks[c] as number)) >>> (shifts[c] as number)) * 255) / (maxes[c] as number));
      }
    }
  }
  return { width, height, data: out };
}
