import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isImageType, LoupeError, similarity, sniffFileType, type Calibration } from '../../shared';
import { buildCalibration } from '../calibration';
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
}

/** Encodes the largest face of each image; images without a readable face are counted, not guessed at. */
async function embedLabelled(pool: FacePool, images: readonly LabelledImage[], onProgress?: (done: number, total: number) => void): Promise<{ embedded: EmbeddedImage[]; skipped: number }> {
  const embedded: EmbeddedImage[] = [];
  let skipped = 0;
  let done = 0;
  await Promise.all(
    images.map(async (img) => {
      await pool.whenReady();
      const bytes = new Uint8Array(readFileSync(img.file));
      if (!isImageType(sniffFileType(bytes))) {
        skipped++;
      } else {
        try {
          const a = await pool.analyse(bytes, { smallFaces: false, thumbnail: false });
          const largest = a.faces.reduce<(typeof a.faces)[number] | null>((best, f) => (!best || f.box.w * f.box.h > best.box.w * best.box.h ? f : best), null);
          if (largest) embedded.push({ ...img, embedding: largest.embedding });
          else skipped++;
        } catch {
          skipped++;
        }
      }
      onProgress?.(++done, images.length);
    }),
  );
  embedded.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { embedded, skipped };
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

export interface CalibrationReport {
  calibration: Calibration;
  images: number;
  people: number;
  skipped: number;
  /** Share of same-person pairs at or above the score of each false match rate. */
  tar: { fmr: number; score: number; tar: number }[];
}

/**
 * Measures a pack's calibration on labelled photos: one folder per person. Every image is
 * encoded (its largest face), every pair of images of different people is an impostor
 * pair, and the table maps a score to the share of impostor pairs scoring at or above it.
 * Pairs share images, so they are not independent: the table is an estimate whose
 * resolution is one in the number of pairs, which its description says.
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
  const { embedded, skipped } = await embedLabelled(pool, images, onProgress);
  const { genuine, impostor } = pairScores(embedded);
  const people = new Set(embedded.map((e) => e.identity)).size;
  const calibration = buildCalibration(impostor, {
    dataset: `${description} (${embedded.length} images of ${people} people from ${dirs.map((d) => path.basename(path.resolve(d))).join(', ')}${skipped > 0 ? `; ${skipped} images without a usable face left out` : ''})`,
    pairs: 'every pair of images of different people; pairs share images, so they are not independent',
    genuinePairs: genuine.length,
    measuredAt: now().toISOString(),
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
  return { calibration, images: embedded.length, people, skipped, tar };
}
