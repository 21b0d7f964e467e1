import sharp from 'sharp';
import { type Exif, type FileType, isVideoType, LoupeError, type RawFrame, sniffFileType } from '../../shared';
import { decodeBmp } from './bmp';
import { parseExif } from './exif';
import { refuseOversize, type Rgb } from './image';
import { decodePnm } from './pnm';

export interface Decoded {
  image: Rgb;
  format: FileType | 'raw';
  exif: Exif;
  /** Pages (TIFF) or frames (GIF, WebP) in the file; only the first is decoded. */
  pages: number;
}

const READABLE = 'JPEG, PNG, WebP, TIFF, BMP, GIF, HEIF/AVIF or PGM/PPM';

/**
 * Bytes -> upright RGB. The type comes from the bytes, the pixel count is checked from the
 * header before any decoding, EXIF orientation is applied, a multi-page TIFF or animated
 * GIF/WebP gives its first page and says how many it has.
 * Anything unreadable becomes LoupeError('unsupported_file') with the reason.
 */
export async function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<Decoded> {
  if (bytes.length === 0) throw new LoupeError('unsupported_file', 'The file is empty (0 bytes): there is no image in it.');
  const type = sniffFileType(bytes);
  if (type === null) throw new LoupeError('unsupported_file', `The file is not an image Loupe can read (${READABLE}).`);
  if (isVideoType(type)) throw new LoupeError('unsupported_file', `The file is a video (${type}); import it as video so its frames are sampled.`);
  if (type === 'bmp') return { image: decodeBmp(bytes, maxPixels), format: 'bmp', exif: {}, pages: 1 };
  if (type === 'pnm') return { image: decodePnm(bytes, maxPixels), format: 'pnm', exif: {}, pages: 1 };

  let exifBlock: Uint8Array | undefined;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
    if (!meta.width || !meta.height) throw new LoupeError('unsupported_file', 'The image header gives no size.');
    refuseOversize(meta.width, meta.height, maxPixels);
    exifBlock = meta.exif;
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, pages: 1, failOn: 'warning' })
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new LoupeError('unsupported_file', `The image decoded to ${info.channels} channels instead of 3.`);
    return {
      image: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
      format: type,
      exif: parseExif(exifBlock),
      pages: meta.pages ?? 1,
    };
  } catch (e) {
    if (e instanceof LoupeError) throw e;
    const reason = (e as Error).message.split('\n')[0]?.trim() || 'unknown decoder error';
    throw new LoupeError('unsupported_file', `The ${type.toUpperCase()} image could not be decoded (${reason}); the file may be damaged or truncated.`);
  }
}

/** A raw RGB frame is taken as is, after checking its size adds up. */
export function fromRawFrame(frame: RawFrame, maxPixels: number): Decoded {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new LoupeError('unsupported_file', `A raw frame needs a positive whole width and height, not ${width} x ${height}.`);
  }
  refuseOversize(width, height, maxPixels);
  if (data.length !== width * height * 3) {
    throw new LoupeError('unsupported_file', `A ${width} x ${height} RGB frame has ${width * height * 3} bytes, not ${data.length}.`);
  }
  return { image: { width, height, data }, format: 'raw', exif: {}, pages: 1 };
}
