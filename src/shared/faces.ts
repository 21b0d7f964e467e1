import { z } from 'zod';
import { FileType } from './file-type';

/** Bytes and vectors cross threads as typed arrays; these accept any backing buffer. */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'Expected bytes (a Uint8Array)');
export const Vector = z.custom<Float32Array>((v) => v instanceof Float32Array, 'Expected a Float32Array');

/**
 * What the face engine says about one image or video frame. Coordinates are in pixels of
 * the image as displayed (after EXIF orientation), origin top-left.
 */

export const FaceBox = z.object({ x: z.number(), y: z.number(), w: z.number().nonnegative(), h: z.number().nonnegative() });
export type FaceBox = z.infer<typeof FaceBox>;

/** Eye, eye, nose tip, mouth corner, mouth corner; the image-left one of each pair first. */
export const Landmarks5 = z.array(z.tuple([z.number(), z.number()])).length(5);
export type Landmarks5 = z.infer<typeof Landmarks5>;

/** Quality of one face as an image for comparison; the formula is in docs/quality.md. */
export const FaceQuality = z.object({
  /** Distance between the eye centres in image pixels. */
  interEyePx: z.number().nonnegative(),
  /** Variance of the Laplacian of the aligned 112x112 grey crop (higher = sharper). */
  sharpness: z.number().nonnegative(),
  /** Head turn left/right and tilt, in degrees, estimated from the five landmarks. */
  yawDeg: z.number(),
  rollDeg: z.number(),
  /** Mean grey level of the face region (0-255) and the share of its pixels clipped dark / bright. */
  brightness: z.number().min(0).max(255),
  clippedDark: z.number().min(0).max(1),
  clippedBright: z.number().min(0).max(1),
  /** Mean colour difference between channels over the face region (0 for a greyscale image); absent on faces found before it was measured. */
  colourfulness: z.number().nonnegative().optional(),
  /** The detector's mean score when it looked again at a crop centred on the face; absent on faces found before it did. */
  secondLookScore: z.number().min(0).max(1).optional(),
  /** Component scores 0..1 and the overall 0-100 score; likeness (is it a face at all) is absent on faces found before it was measured. */
  components: z.object({ resolution: z.number(), sharpness: z.number(), pose: z.number(), exposure: z.number(), likeness: z.number().optional() }),
  score: z.number().min(0).max(100),
  /** True when the face should not be relied on for comparison; reasons say why, in words. */
  insufficient: z.boolean(),
  reasons: z.array(z.string()),
});
export type FaceQuality = z.infer<typeof FaceQuality>;

export const AnalysedFace = z.object({
  box: FaceBox,
  landmarks5: Landmarks5,
  detectorScore: z.number().min(0).max(1),
  quality: FaceQuality,
  /** L2-normalised; compare by dot product only with embeddings of the same embedder. */
  embedding: Vector,
  /** The 112x112 crop the embedder saw. */
  alignedJpeg: Bytes,
  /** The face box with a margin, at most 256 px on its long side. */
  faceJpeg: Bytes,
});
export type AnalysedFace = z.infer<typeof AnalysedFace>;

export const Exif = z.object({
  /** As written by the camera, "YYYY-MM-DDTHH:MM:SS" plus the offset when the file gives one; camera clocks are often wrong. */
  captureTime: z.string().optional(),
  camera: z.string().optional(),
});
export type Exif = z.infer<typeof Exif>;

export const PackRef = z.object({ name: z.string(), version: z.string(), embedder: z.string() });
export type PackRef = z.infer<typeof PackRef>;

/**
 * The stages of one analysis, as bench:throughput's profile names them: decode (type from
 * the bytes included), detect (the pass on a ~640 px copy), fine (the small-face pass), the
 * second look, landmarks, alignment, quality, embedding, crops (aligned and face JPEGs) and
 * the thumbnail.
 */
export const ANALYSE_STAGES = ['decode', 'detect', 'fine', 'secondLook', 'landmarks', 'align', 'quality', 'embed', 'crops', 'thumbnail'] as const;
export type AnalyseStage = (typeof ANALYSE_STAGES)[number];
export const AnalyseStages = z.record(z.enum(ANALYSE_STAGES), z.number().nonnegative());
export type AnalyseStages = z.infer<typeof AnalyseStages>;

export const ImageAnalysis = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: z.union([FileType, z.literal('raw')]),
  exif: Exif,
  /** At most 320 px on the long side, for the evidence grid; empty when not asked for. */
  thumbnailJpeg: Bytes,
  faces: z.array(AnalysedFace),
  /** Faces beyond maxFaces were found and not kept (only the best scoring maxFaces are). */
  moreFaces: z.boolean(),
  /** Pages (TIFF) or frames (GIF, WebP) in the file; only the first is analysed. */
  pages: z.number().int().positive(),
  pack: PackRef,
  timings: z.object({ decodeMs: z.number(), detectMs: z.number(), facesMs: z.number(), totalMs: z.number() }),
  /** Milliseconds per stage, only when the analysis was asked for a profile (bench:throughput). */
  stages: AnalyseStages.optional(),
});
export type ImageAnalysis = z.infer<typeof ImageAnalysis>;

/**
 * The most pixels of one image or video frame Loupe decodes (8192 x 8192, so 8K video
 * fits), and the longest side (a 1 x 60-million-pixel strip would cost the detector as many
 * runs as a frame a thousand times its size). Checked from the header before decoding, so a
 * small file that claims a huge image is refused before it can take the memory.
 */
export const MAX_IMAGE_PIXELS = 8192 * 8192;
/** The most faces kept of one image or frame, the best scoring; an image with more says so. */
export const MAX_FACES_PER_IMAGE = 500;
export const MAX_IMAGE_SIDE = 16384;

/** Whether an image or frame of this size is within what Loupe analyses (MAX_IMAGE_SIDE, and maxPixels). */
export const withinImageLimits = (width: number, height: number, maxPixels = MAX_IMAGE_PIXELS): boolean =>
  width * height <= maxPixels && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE;

/** A decoded frame (e.g. from ffmpeg): 8-bit RGB, row-major, no padding. */
export const RawFrame = z
  .object({
    width: z.number().int().positive().max(MAX_IMAGE_SIDE),
    height: z.number().int().positive().max(MAX_IMAGE_SIDE),
    data: Bytes,
  })
  .refine((f) => f.data.length === f.width * f.height * 3, { message: 'A raw frame holds width x height x 3 bytes of RGB' });
export type RawFrame = z.infer<typeof RawFrame>;

export const AnalyseInput = z.union([Bytes, RawFrame]);
export type AnalyseInput = z.infer<typeof AnalyseInput>;

export const AnalyseOptions = z.object({
  /** Also search at native resolution (tiled for big frames) for small faces; off = one pass on a ~640 px copy. */
  smallFaces: z.boolean().default(true),
  /** Detector score below which a candidate is dropped; default the pack's threshold. */
  scoreThreshold: z.number().min(0).max(1).optional(),
  /** Keep at most this many faces, the highest scoring. */
  maxFaces: z.number().int().positive().max(2000).default(MAX_FACES_PER_IMAGE),
  /** Faces with fewer pixels than this between the eyes are dropped before encoding. */
  minInterEyePx: z.number().nonnegative().default(0),
  thumbnail: z.boolean().default(true),
  /** Refuse images with more pixels than this before decoding them. */
  maxPixels: z.number().int().positive().default(MAX_IMAGE_PIXELS),
  /** Time each stage (ImageAnalysis.stages); off, nothing is timed. */
  profile: z.boolean().default(false),
});
export type AnalyseOptions = z.input<typeof AnalyseOptions>;
export type AnalyseSettings = z.output<typeof AnalyseOptions>;

/**
 * Inner product of `a` with the `a.length` values of `rows` from `offset` on (one row of a
 * flat matrix). The one scorer of Loupe: every similarity shown, stored, thresholded or
 * calibrated is summed here, in this order, so a search, a comparison and a calibration
 * table agree to the last bit. Four independent accumulators let V8 keep the loop in
 * registers (bench/search.ts times the exhaustive search built on it).
 */
export function dotAt(a: Float32Array, rows: Float32Array, offset: number): number {
  const dim = a.length;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    const o = offset + i;
    a0 += a[i]! * rows[o]!;
    a1 += a[i + 1]! * rows[o + 1]!;
    a2 += a[i + 2]! * rows[o + 2]!;
    a3 += a[i + 3]! * rows[o + 3]!;
  }
  for (; i < dim; i++) a0 += a[i]! * rows[offset + i]!;
  return a0 + a1 + a2 + a3;
}

/** Cosine similarity of two L2-normalised embeddings (their inner product, by dotAt). */
export function similarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`Embeddings of different sizes (${a.length} and ${b.length}) cannot be compared`);
  return dotAt(a, b, 0);
}

/** Faces a fused template is made of at most: the best by quality (see fuseTemplate). */
export const TEMPLATE_FACES = 5;

/** What a fused template's score is and is not, shown wherever one is. */
export const TEMPLATE_NOTE = 'Not calibrated for fused templates: no false match rate was measured for scores of templates fused from several faces, so none is given; the false match rate shown is that of the best single pair of faces.';

/** How a fused template is made, in words shown with its scores. */
export const TEMPLATE_METHOD = `quality-weighted mean of the L2-normalised embeddings of the ${TEMPLATE_FACES} best faces by quality, normalised again`;

/**
 * One template for several faces of one person (a video track, or stills an examiner chose):
 * the quality-weighted mean of the L2-normalised embeddings of the TEMPLATE_FACES best faces
 * by quality, normalised again. Averaging unit vectors of one person cancels what differs
 * between views (pose, blur, noise) and keeps what they share; the weights (quality score,
 * at least 1) let a sharp frontal view count more than a blurred one, and taking only the
 * best few keeps a long track's many poor frames from drowning its good ones.
 */
export function fuseTemplate(faces: readonly { embedding: Float32Array; quality: number }[]): { embedding: Float32Array; faces: number } {
  if (faces.length === 0) throw new RangeError('A template needs at least one face');
  const best = [...faces].sort((a, b) => b.quality - a.quality).slice(0, TEMPLATE_FACES);
  const dim = (best[0] as { embedding: Float32Array }).embedding.length;
  const sum = new Float64Array(dim);
  for (const f of best) {
    if (f.embedding.length !== dim) throw new RangeError(`Embeddings of different sizes (${dim} and ${f.embedding.length}) cannot be fused`);
    const norm = Math.sqrt(similarity(f.embedding, f.embedding)) || 1;
    const w = Math.max(1, f.quality) / norm;
    for (let d = 0; d < dim; d++) sum[d] = (sum[d] as number) + w * (f.embedding[d] as number);
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += (sum[d] as number) ** 2;
  norm = Math.sqrt(norm) || 1;
  return { embedding: Float32Array.from(sum, (x) => x / norm), faces: best.length };
}
