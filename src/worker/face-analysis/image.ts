import sharp from 'sharp';
import { LoupeError, MAX_IMAGE_SIDE, withinImageLimits } from '../../shared';

/** An 8-bit RGB image in memory, row-major, no padding (the same layout as a RawFrame). */
export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Refuses, from its header and before decoding, an image (or frame) too big to analyse. */
export function refuseOversize(width: number, height: number, maxPixels: number): void {
  if (withinImageLimits(width, height, maxPixels)) return;
  throw new LoupeError(
    'unsupported_file',
    `The image is ${width} x ${height} pixels; Loupe analyses at most ${maxPixels} pixels with no side over ${MAX_IMAGE_SIDE}. Make a reduced copy (and record how it was made) and import that.`,
  );
}

// One libvips thread per engine: the pool already runs one engine per core.
sharp.concurrency(1);
sharp.cache(false);

const rawInput = (img: Rgb) => ({ raw: { width: img.width, height: img.height, channels: 3 as const } });

/** A resized copy (libvips, antialiased when shrinking). */
export async function resize(img: Rgb, width: number, height: number): Promise<Rgb> {
  if (width === img.width && height === img.height) return img;
  const { data, info } = await sharp(img.data, rawInput(img))
    .resize(width, height, { fit: 'fill', kernel: width < img.width ? 'lanczos3' : 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export async function encodeJpeg(img: Rgb, quality = 85): Promise<Uint8Array> {
  // A copy with its own buffer, so it can be transferred to another thread.
  return new Uint8Array(await sharp(img.data, rawInput(img)).jpeg({ quality }).toBuffer());
}

/** JPEG of an image scaled to fit in maxSide (never enlarged). */
export async function encodeJpegFit(img: Rgb, maxSide: number, quality = 80): Promise<Uint8Array> {
  const buf = await sharp(img.data, rawInput(img))
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(buf);
}

/** A rectangle of the image, clamped to it; returns null when nothing of it is inside. */
export function crop(img: Rgb, x: number, y: number, w: number, h: number): Rgb | null {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.ceil(x + w));
  const y1 = Math.min(img.height, Math.ceil(y + h));
  if (x1 <= x0 || y1 <= y0) return null;
  const cw = x1 - x0;
  const out = new Uint8Array(cw * (y1 - y0) * 3);
  for (let r = y0; r < y1; r++) out.set(img.data.subarray((r * img.width + x0) * 3, (r * img.width + x1) * 3), (r - y0) * cw * 3);
  return { width: cw, height: y1 - y0, data: out };
}
