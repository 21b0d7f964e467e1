import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { type BandedCalibration, type BandKey, type FaceQuality, isImageType, LoupeError, similarity, sniffFileType, type Calibration } from '../../shared';
import { buildBandedCalibration, buildCalibration, DEFAULT_AXES, faceBand } from '../calibration';
import type { FacePool } from '../face-pool';

export interface LabelledImage {
  identity: string;
  file: string;
}

/** Every non-empty file under each person's folder of a labelled folder (one folder per person), sorted. */
export function listLabelledImages(dir: string): LabelledImage[] {
  let people: string[];
  try {
    people = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    throw new LoupeError('not_found', `No labelled folder at ${dir}; give a folder holding one folder of photos per person.`);
  }
  const out: LabelledImage[] = [];
  for (const identity of people) {
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.isFile() && statSync(full).size > 0) out.push({ identity, file: full });
      }
    };
    walk(path.join(dir, identity));
  }
  if (new Set(out.map((i) => i.identity)).size < 2) throw new LoupeError('invalid_input', `${dir} holds photos of fewer than two people; give a folder holding one folder of photos per person, for many people.`);
  return out;
}

interface EmbeddedImage extends LabelledImage {
  embedding: Float32Array;
  quality: FaceQuality;
  /** Index of the photo it was made from: variants of one photo are never paired with each other. */
  source: number;
  /** Displayed width of the photo, for scaling its variants. */
  width: number;
}

/** The largest face of an image, or null when none is found or the file is not an image. */
async function largestFace(pool: FacePool, bytes: Uint8Array, smallFaces: boolean) {
  if (!isImageType(sniffFileType(bytes))) return null;
  await pool.whenReady();
  try {
    const a = await pool.analyse(bytes, { smallFaces, thumbnail: false });
    const face = a.faces.reduce<(typeof a.faces)[number] | null>((best, f) => (!best || f.box.w * f.box.h > best.box.w * best.box.h ? f : best), null);
    return face ? { face, width: a.width } : null;
  } catch {
    return null;
  }
}

/** Encodes the largest face of each image; images without a readable face are counted, not guessed at. */
async function embedLabelled(pool: FacePool, images: readonly LabelledImage[], onProgress?: (done: number, total: number) => void): Promise<{ embedded: EmbeddedImage[]; skipped: number }> {
  const embedded: EmbeddedImage[] = [];
  let skipped = 0;
  let done = 0;
  await Promise.all(
    images.map(async (img, source) => {
      const found = await largestFace(pool, new Uint8Array(readFileSync(img.file)), false);
      if (found) embedded.push({ ...img, embedding: found.face.embedding, quality: found.face.quality, source, width: found.width });
      else skipped++;
      onProgress?.(++done, images.length);
    }),
  );
  embedded.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { embedded, skipped };
}

/** Target pixels between the eyes of the degraded copies (null keeps the photo's own size). */
const EYE_TARGETS = [14, 20, 28, 40, null] as const;
const JPEG_QUALITIES = [85, 50, 25] as const;
/** Degraded copies made of each photo. */
export const VARIANTS_PER_PHOTO = 3;

/**
 * Copy v of photo i: scaled down to a given eye distance, in greyscale or colour, blurred or
 * not, saved as JPEG of some quality. The combinations are dealt out in turn over the photos,
 * so every one is made about equally often and the run is the same every time.
 */
function degradation(i: number, v: number) {
  const c = (i * VARIANTS_PER_PHOTO + v) % (EYE_TARGETS.length * 4);
  return {
    eyes: EYE_TARGETS[c % EYE_TARGETS.length] ?? null,
    greyscale: Math.floor(c / EYE_TARGETS.length) % 2 === 1,
    blur: Math.floor(c / (EYE_TARGETS.length * 2)) % 2 === 1,
    jpegQuality: JPEG_QUALITIES[(i + v) % JPEG_QUALITIES.length] as number,
  };
}

export const DEGRADATION_TEXT = `each photo also in ${VARIANTS_PER_PHOTO} degraded copies, dealt out in turn: scaled down to ${EYE_TARGETS.filter((e) => e !== null).join(', ')} px between the eyes or kept at its size, in greyscale or colour, blurred (Gaussian, sigma one twelfth of the eye distance) or not, saved as JPEG at quality ${JPEG_QUALITIES.join(', ')}; each face is placed in its band by its own measured quality, and copies of one photo are never paired with each other`;

async function degrade(bytes: Uint8Array, original: EmbeddedImage, d: ReturnType<typeof degradation>): Promise<Uint8Array> {
  const ied = original.quality.interEyePx;
  const scale = d.eyes !== null && d.eyes < ied ? d.eyes / ied : 1;
  let img = sharp(bytes).rotate();
  if (scale < 1) img = img.resize({ width: Math.max(8, Math.round(original.width * scale)) });
  if (d.blur) img = img.blur(Math.max(0.5, (ied * scale) / 12));
  if (d.greyscale) img = img.greyscale();
  return new Uint8Array(await img.jpeg({ quality: d.jpegQuality }).toBuffer());
}

/** Encodes the degraded copies of every encoded photo (small faces searched for, as an import does). */
async function embedDegraded(pool: FacePool, originals: readonly EmbeddedImage[], onProgress?: (done: number, total: number) => void): Promise<{ embedded: EmbeddedImage[]; lost: number }> {
  const embedded: EmbeddedImage[] = [];
  let lost = 0;
  let done = 0;
  const total = originals.length * VARIANTS_PER_PHOTO;
  await Promise.all(
    originals.map(async (o, i) => {
      const bytes = new Uint8Array(readFileSync(o.file));
      for (let v = 0; v < VARIANTS_PER_PHOTO; v++) {
        // A format the image library cannot write from (PGM) is not degraded; its copies count as lost.
        const copy = await degrade(bytes, o, degradation(i, v)).catch(() => null);
        const found = copy && (await largestFace(pool, copy, true));
        if (found) embedded.push({ ...o, embedding: found.face.embedding, quality: found.face.quality });
        else lost++;
        onProgress?.(++done, total);
      }
    }),
  );
  return { embedded, lost };
}

/** Similarities of every pair of images, split by whether the two show the same person. */
function pairScores(items: readonly EmbeddedImage[]): { genuine: Float32Array; impostor: Float32Array } {
  const n = items.length;
  const ids = items.map((i) => i.identity);
  let same = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ids[i] === ids[j]) same++;
  const total = (n * (n - 1)) / 2;
  const genuine = new Float32Array(same);
  const impostor = new Float32Array(total - same);
  let g = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = (items[i] as EmbeddedImage).embedding;
    for (let j = i + 1; j < n; j++) {
      const b = (items[j] as EmbeddedImage).embedding;
      const s = similarity(a, b);
      if (ids[i] === ids[j]) genuine[g++] = s;
      else impostor[m++] = s;
    }
  }
  return { genuine, impostor };
}

/** A growing list of scores. */
class Scores {
  private data = new Float32Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  values(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Scores of every pair of faces from different photos, by the band of the pair's weaker face on each axis. */
function bandedPairScores(items: readonly EmbeddedImage[]) {
  const eyeBands = DEFAULT_AXES.eyeEdges.length;
  const keys: BandKey[] = [];
  for (let eyes = 0; eyes < eyeBands; eyes++) for (const colour of ['colour', 'greyscale'] as const) for (const focus of ['sharp', 'blurred'] as const) keys.push({ eyes, colour, focus });
  // A face's band as three numbers; a pair's band index takes the lowest eyes and either face's greyscale or blur.
  const bands = items.map((f) => {
    const b = faceBand(f.quality, DEFAULT_AXES);
    return { eyes: b.eyes, grey: b.colour === 'greyscale' ? 1 : 0, blur: b.focus === 'blurred' ? 1 : 0 };
  });
  const impostor = keys.map(() => new Scores());
  const genuine = keys.map(() => new Scores());
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    const ba = bands[i]!;
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j]!;
      if (a.source === b.source) continue;
      const bb = bands[j]!;
      const k = Math.min(ba.eyes, bb.eyes) * 4 + (ba.grey | bb.grey) * 2 + (ba.blur | bb.blur);
      (a.identity === b.identity ? genuine : impostor)[k]!.push(similarity(a.embedding, b.embedding));
    }
  }
  return keys.map((key, k) => ({ key, impostor: impostor[k]!.values(), genuine: genuine[k]!.values() }));
}

export interface CalibrationReport {
  calibration: Calibration;
  /** Rates per quality band, from the photos and their degraded copies. */
  banded: BandedCalibration;
  images: number;
  people: number;
  skipped: number;
  /** Degraded copies encoded, and those in which no face was found any more. */
  degraded: { encoded: number; lost: number };
  /** Share of same-person pairs at or above the score of each false match rate. */
  tar: { fmr: number; score: number; tar: number }[];
}

/**
 * Measures a pack's calibration on labelled photos: one folder per person. Every image is
 * encoded (its largest face), every pair of images of different people is an impostor
 * pair, and the table maps a score to the share of impostor pairs scoring at or above it.
 * Pairs share images, so they are not independent: the table is an estimate whose
 * resolution is one in the number of pairs, which its description says.
 *
 * The banded calibration adds degraded copies of every photo (smaller, greyscale, blurred,
 * compressed) so that poor faces are measured too, and keeps one table per quality band.
 */
export async function measureCalibration(
  pool: FacePool,
  dirs: readonly string[],
  description: string,
  now: () => Date,
  onProgress?: (done: number, total: number) => void,
): Promise<CalibrationReport> {
  // One person may be in several folders under one name (as LFW and the test photos share people): a name is one identity.
  const images = dirs.flatMap((d) => listLabelledImages(d));
  const { embedded, skipped } = await embedLabelled(pool, images, onProgress && ((done, total) => onProgress(done, total * (1 + VARIANTS_PER_PHOTO))));
  const degraded = await embedDegraded(pool, embedded, onProgress && ((done) => onProgress(images.length + done, images.length * (1 + VARIANTS_PER_PHOTO))));
  const { genuine, impostor } = pairScores(embedded);
  const people = new Set(embedded.map((e) => e.identity)).size;
  const measuredAt = now().toISOString();
  const dataset = `${description} (${embedded.length} images of ${people} people from ${dirs.map((d) => path.basename(path.resolve(d))).join(', ')}${skipped > 0 ? `; ${skipped} images without a usable face left out` : ''})`;
  const calibration = buildCalibration(impostor, {
    dataset,
    pairs: 'every pair of images of different people; pairs share images, so they are not independent',
    genuinePairs: genuine.length,
    measuredAt,
  });
  const banded = buildBandedCalibration(bandedPairScores([...embedded, ...degraded.embedded]), {
    dataset: `${dataset}; ${degraded.embedded.length} degraded copies encoded${degraded.lost > 0 ? `, ${degraded.lost} more not made (a format the image library cannot read) or in which no face was found` : ''}`,
    degradation: DEGRADATION_TEXT,
    pairs: 'every pair of faces of different photos (originals and copies), by the band of its weaker face on each axis; impostor pairs show different people, genuine pairs the same person; pairs share faces, so they are not independent, and the bounds stated treat them as if they were',
    measuredAt,
  });
  const sortedGenuine = Float32Array.from(genuine).sort();
  const sortedImpostor = Float32Array.from(impostor).sort();
  const tar = [1e-2, 1e-3, 1e-4, 1e-5]
    .filter((fmr) => fmr * impostor.length >= 1)
    .map((fmr) => {
      const score = sortedImpostor[Math.max(0, Math.ceil(sortedImpostor.length * (1 - fmr)) - 1)] as number;
      const firstAccepted = sortedGenuine.findIndex((s) => s >= score);
      return { fmr, score, tar: firstAccepted < 0 ? 0 : (sortedGenuine.length - firstAccepted) / sortedGenuine.length };
    });
  return { calibration, banded, images: embedded.length, people, skipped, degraded: { encoded: degraded.embedded.length, lost: degraded.lost }, tar };
}

