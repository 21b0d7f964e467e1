import sharp from 'sharp';

/**
 * Display copies kept (encrypted) in the case, so the evidence can be viewed and reviewed
 * without touching the original again. Built from the same bytes that were hashed.
 */
const DISPLAY_MAX = 2048;
const THUMB_MAX = 320;

export async function imageDisplay(bytes: Uint8Array, maxPixels: number): Promise<Uint8Array> {
  return sharp(bytes, { limitInputPixels: maxPixels, animated: false })
    .rotate()
    .resize(DISPLAY_MAX, DISPLAY_MAX, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85, mozjpeg: false })
    .toBuffer();
}

export async function frameJpeg(frame: { width: number; height: number; data: Uint8Array }, max = DISPLAY_MAX): Promise<Uint8Array> {
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(max, max, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer();
}

export const frameThumb = (frame: { width: number; height: number; data: Uint8Array }) => frameJpeg(frame, THUMB_MAX);
