import { LoupeError } from '../../shared';
import { refuseOversize, type Rgb } from './image';

/**
 * Netpbm grey and colour maps (PGM P2/P5, PPM P3/P6), which libvips as shipped with sharp
 * cannot read and forensic tools and some recorders write. Samples of up to 16 bits are
 * scaled to 8; a grey map is repeated into R, G and B. A file that does not add up is
 * refused with a reason, never padded.
 */
export function decodePnm(b: Uint8Array, maxPixels: number): Rgb {
  const bad = (why: string) => new LoupeError('unsupported_file', `This Netpbm (PGM/PPM) file cannot be read: ${why}.`);
  const magic = b[1] as number;
  const ascii = magic === 0x32 || magic === 0x33;
  const channels = magic === 0x33 || magic === 0x36 ? 3 : 1;
  let at = 2;

  const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  /** The next decimal number in the header or an ASCII body, past white space and # comments. */
  const number = (what: string): number => {
    for (;;) {
      while (at < b.length && isSpace(b[at])) at++;
      if (b[at] !== 0x23) break;
      while (at < b.length && b[at] !== 0x0a && b[at] !== 0x0d) at++;
    }
    let n = 0;
    let digits = 0;
    while (at < b.length && (b[at] as number) >= 0x30 && (b[at] as number) <= 0x39 && digits < 10) {
      n = n * 10 + ((b[at] as number) - 0x30);
      at++;
      digits++;
    }
    if (digits === 0) throw bad(at >= b.length ? `it is truncated (no ${what})` : `its ${what} is not a number`);
    return n;
  };

  const width = number('width');
  const height = number('height');
  const maxval = number('maximum sample value');
  if (width <= 0 || height <= 0) throw bad('its size is not positive');
  if (maxval <= 0 || maxval > 65535) throw bad(`its maximum sample value ${maxval} is outside 1 to 65535`);
  refuseOversize(width, height, maxPixels);

  const samples = width * height * channels;
  const wide = maxval > 255;
  const sample = new Uint16Array(samples);
  if (ascii) {
    for (let i = 0; i < samples; i++) sample[i] = number('pixel data');
  } else {
    // Exactly one white space character ends the header of a binary map.
    if (!isSpace(b[at])) throw bad('its header does not end in white space');
    at++;
    const need = samples * (wide ? 2 : 1);
    if (b.length - at < need) throw bad(`it is truncated (${b.length - at} bytes of pixel data, ${need} needed)`);
    for (let i = 0; i < samples; i++) sample[i] = wide ? ((b[at + 2 * i] as number) << 8) | (b[at + 2 * i + 1] as number) : (b[at + i] as number);
  }

  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = sample[p * channels + (channels === 3 ? c : 0)] as number;
      if (v > maxval) throw bad(`a sample (${v}) is above its maximum value ${maxval}`);
      out[p * 3 + c] = maxval === 255 ? v : Math.round((v * 255) / maxval);
    }
  }
  return { width, height, data: out };
}
