import { z } from 'zod';

/**
 * A model pack: the ONNX files that find, locate and encode faces, with everything a
 * court may ask about them (what they are, where they came from, how well they do).
 * The manifest is the single description the installer, the engine and reports read.
 */

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'A SHA-256 is 64 lower-case hex digits');

export const PackName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'A pack name is lower-case letters, digits and dashes, starting with a letter');
export type PackName = z.infer<typeof PackName>;

/** The ArcFace 112x112 five-point template (eyes, nose tip, mouth corners; image-left first). */
export const ARCFACE_TEMPLATE_112: readonly (readonly [number, number])[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

const Point = z.tuple([z.number(), z.number()]);

/** How pixel values become model input: (value - mean[c]) * scale[c], channels in colourOrder. */
export const Normalisation = z.object({
  mean: z.tuple([z.number(), z.number(), z.number()]),
  scale: z.tuple([z.number(), z.number(), z.number()]),
});
export type Normalisation = z.infer<typeof Normalisation>;

/** Where one file of a pack comes from, so an installer can fetch it and a reader can trace it. */
export const FileSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('npm'),
    package: z.string().min(1),
    version: z.string().min(1),
    /** Subresource integrity of the package tarball, as the registry publishes it. */
    integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]+=*$/, 'integrity is sha512-<base64>'),
    /** Path of the file inside the package (without the leading "package/"). */
    path: z.string().min(1),
  }),
  z.object({
    kind: z.literal('folder'),
    /** Where the file was published, for people; installing needs a folder holding it. */
    origin: z.string().min(1),
  }),
]);
export type FileSource = z.infer<typeof FileSource>;

const ModelFile = z.object({
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'A model file name is a plain .onnx file name'),
  sha256: Sha256Hex,
  bytes: z.number().int().positive(),
  source: FileSource,
  licence: z.string().min(1),
});

export const DetectorKind = z.enum(['yunet', 'ultraface', 'blazeface']);
export type DetectorKind = z.infer<typeof DetectorKind>;

export const DetectorModel = ModelFile.extend({
  kind: DetectorKind,
  /** Fixed input size in pixels, or null for a fully convolutional model that takes any size. */
  inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).nullable(),
  colourOrder: z.enum(['rgb', 'bgr']),
  layout: z.enum(['nchw', 'nhwc']),
  normalisation: Normalisation,
  scoreThreshold: z.number().min(0).max(1),
  nmsIoU: z.number().min(0).max(1),
});
export type DetectorModel = z.infer<typeof DetectorModel>;

export const LandmarkModel = ModelFile.extend({
  kind: z.literal('pfld68'),
  inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  colourOrder: z.literal('grey'),
  normalisation: z.object({ mean: z.number(), scale: z.number() }),
});
export type LandmarkModel = z.infer<typeof LandmarkModel>;

export const EmbedderModel = ModelFile.extend({
  inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  colourOrder: z.enum(['rgb', 'bgr']),
  normalisation: Normalisation,
  embeddingSize: z.number().int().positive(),
  /** Where the five landmarks go in the aligned crop (a similarity transform puts them there). */
  alignmentTemplate: z.array(Point).length(5),
});
export type EmbedderModel = z.infer<typeof EmbedderModel>;

/** Score -> false match rate, measured on impostor pairs; filled in by a calibrate command. */
export const Calibration = z.object({
  dataset: z.string().min(1),
  impostorPairs: z.number().int().positive(),
  genuinePairs: z.number().int().nonnegative().optional(),
  measuredAt: z.string().optional(),
  /** Increasing scores; fmr is the share of impostor pairs scoring at or above score. */
  points: z.array(z.object({ score: z.number(), fmr: z.number().min(0).max(1) })).min(1),
});
export type Calibration = z.infer<typeof Calibration>;

/**
 * Quality bands: a face falls in one band per axis, measured from its own quality record
 * (pixels between the eyes, colour or greyscale, sharp or blurred). The edges are part of
 * the calibration, so a file is read with the edges it was measured with.
 */
export const BandAxes = z.object({
  /** Lower edges of the eye-distance bands in pixels, increasing; the first is 0. */
  eyeEdges: z.array(z.number().nonnegative()).min(1),
  /** A face whose crop has a mean colourfulness below this is greyscale. */
  greyscaleBelow: z.number().positive(),
  /** A face whose Laplacian variance (quality.sharpness) is below this is blurred. */
  blurredBelow: z.number().positive(),
});
export type BandAxes = z.infer<typeof BandAxes>;

export const BandKey = z.object({
  /** Index of the eye-distance band in axes.eyeEdges. */
  eyes: z.number().int().nonnegative(),
  colour: z.enum(['colour', 'greyscale']),
  focus: z.enum(['sharp', 'blurred']),
});
export type BandKey = z.infer<typeof BandKey>;

/** One quality band's impostor (and genuine) scores, measured on pairs whose weaker face (per axis) falls in it. */
export const CalibrationBand = BandKey.extend({
  impostorPairs: z.number().int().nonnegative(),
  genuinePairs: z.number().int().nonnegative(),
  /**
   * Increasing scores; atOrAbove is how many impostor pairs scored at or above the score.
   * Every distinct score of the highest `exactTail` impostor scores is a point (so the
   * count is exact there); below, about ten points per tenfold change of the count.
   */
  points: z.array(z.object({ score: z.number(), atOrAbove: z.number().int().nonnegative() })),
  /** Share of genuine pairs at or above the score where the measured impostor rate falls to fmr. */
  tar: z.array(z.object({ fmr: z.number(), score: z.number(), tar: z.number().min(0).max(1) })),
});
export type CalibrationBand = z.infer<typeof CalibrationBand>;

/**
 * The banded calibration of a pack, as it ships (manifest field `bandedCalibration`). Rates
 * are stated per quality band from the band of a pair's weaker face; a band with fewer than
 * minImpostorPairs measured impostor pairs, or none, states no rate at all.
 */
export const BandedCalibration = z.object({
  schema: z.literal(1),
  /** What the photos are, where from, how many. */
  dataset: z.string().min(1),
  /** How the photos were degraded to populate the bands, in words a report can quote. */
  degradation: z.string().min(1),
  /** How pairs were formed and why they are not independent. */
  pairs: z.string().min(1),
  measuredAt: z.string(),
  axes: BandAxes,
  minImpostorPairs: z.number().int().positive(),
  /** Confidence of the stated upper bounds (one-sided, exact binomial). */
  confidence: z.number().gt(0).lt(1),
  exactTail: z.number().int().positive(),
  bands: z.array(CalibrationBand),
});
export type BandedCalibration = z.infer<typeof BandedCalibration>;

/** What is known and unknown about the models, in words a report can quote. */
export const ModelCard = z.object({
  summary: z.string().min(1),
  trainingData: z.string().min(1),
  measuredAccuracy: z.string().min(1),
  limitations: z.string().min(1),
});
export type ModelCard = z.infer<typeof ModelCard>;

export const ModelPack = z.object({
  schema: z.literal(1),
  name: PackName,
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'A pack version is MAJOR.MINOR.PATCH'),
  description: z.string().min(1),
  detector: DetectorModel,
  landmarks: LandmarkModel.optional(),
  embedder: EmbedderModel,
  licence: z.string().min(1),
  modelCard: ModelCard,
  calibration: Calibration.optional(),
  /** Score -> false match rate per quality band (src/main/calibration/bands.ts reads it). */
  bandedCalibration: BandedCalibration.optional(),
});
export type ModelPack = z.infer<typeof ModelPack>;

export type ModelRole = 'detector' | 'landmarks' | 'embedder';

/** The model files of a pack with their roles, in a fixed order. */
export function packFiles(pack: ModelPack): { role: ModelRole; file: string; sha256: string; bytes: number; source: FileSource }[] {
  const out: { role: ModelRole; file: string; sha256: string; bytes: number; source: FileSource }[] = [];
  const add = (role: ModelRole, m: { file: string; sha256: string; bytes: number; source: FileSource }) =>
    out.push({ role, file: m.file, sha256: m.sha256, bytes: m.bytes, source: m.source });
  add('detector', pack.detector);
  if (pack.landmarks) add('landmarks', pack.landmarks);
  add('embedder', pack.embedder);
  return out;
}

/** Identifies the embedding space: embeddings compare only within one embedder. */
export const embedderId = (pack: ModelPack): string => `${pack.embedder.file.replace(/\.onnx$/, '')}@${pack.embedder.sha256.slice(0, 16)}`;

/** A model pack as the models screen lists it: its card, and whether it is installed, active and usable. */
export const PackInfo = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  installed: z.boolean(),
  active: z.boolean(),
  detector: z.string(),
  embedder: z.string(),
  licence: z.string(),
  modelCard: z.object({ summary: z.string(), trainingData: z.string(), measuredAccuracy: z.string(), limitations: z.string() }),
  calibrated: z.boolean(),
  /** Why an installed pack cannot be used (a damaged manifest), or null. */
  problem: z.string().nullable(),
});
export type PackInfo = z.infer<typeof PackInfo>;

/**
 * The model pack a case is made with, recorded in the case: its name, version and the hash of
 * each model file. Searches of the case use this pack and no other; installing another pack
 * changes nothing until a supervisor changes the case's pack (re-encoding its faces).
 */
export const CasePack = z.object({
  name: z.string(),
  version: z.string(),
  /** The embedding space of the case's faces (embedderId). */
  embedder: z.string(),
  files: z.array(z.object({ role: z.enum(['detector', 'landmarks', 'embedder']), file: z.string(), sha256: Sha256Hex })),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
  /** 'created' with the case; 'migrated' from the pack its faces were encoded with (a case made before packs were recorded); 'changed' by a supervisor. */
  how: z.enum(['created', 'migrated', 'changed']),
  reason: z.string().nullable(),
});
export type CasePack = z.infer<typeof CasePack>;

/** How a case's pack came to be recorded, in words, for the case overview and the report. */
export const CASE_PACK_HOW: Record<CasePack['how'], string> = {
  created: 'recorded when the case was created',
  migrated: 'recorded from the pack its exhibits were analysed with',
  changed: 'changed by a supervisor',
};
