import { z } from 'zod';
import { FaceBox, FaceQuality, Landmarks5 } from './faces';

export const ExhibitId = z.number().int().positive();
export const FaceId = z.number().int().positive();
export const TrackId = z.number().int().positive();
export const BatchId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'Not an import batch id');

export const ExhibitKind = z.enum(['image', 'video', 'unsupported']);
export const ExhibitStatus = z.enum(['done', 'failed', 'duplicate']);
/** Evidence is searched; a probe image is what a search starts from; a reference image belongs to a watch list. */
export const ExhibitRole = z.enum(['evidence', 'probe', 'reference']);

/** A police exhibit reference as written on the bag label, e.g. "JD/3". */
export const ExhibitRef = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ./_-]*$/, 'Exhibit reference may use letters, digits, space, dot, slash, dash and underscore');

export const ExhibitSummary = z.object({
  id: ExhibitId,
  fileName: z.string(),
  sourcePath: z.string(),
  exhibitRef: z.string().nullable(),
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
  kind: ExhibitKind,
  fileType: z.string().nullable(),
  status: ExhibitStatus,
  failure: z.string().nullable(),
  /** What of the file was not analysed (faces past the per-image cap, pages past the first), for an exhibit that was. */
  notice: z.string().nullable(),
  duplicateOf: ExhibitId.nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  captureTime: z.string().nullable(),
  camera: z.string().nullable(),
  importedBy: z.string(),
  importedAt: z.string(),
  role: ExhibitRole,
  faceCount: z.number().int().nonnegative(),
  trackCount: z.number().int().nonnegative(),
});
export type ExhibitSummary = z.infer<typeof ExhibitSummary>;

export const FaceSummary = z.object({
  id: FaceId,
  exhibitId: ExhibitId,
  frameId: z.number().int().nullable(),
  /** Milliseconds into the video; null for a still image. */
  timeMs: z.number().int().nullable(),
  trackId: TrackId.nullable(),
  box: FaceBox,
  landmarks5: Landmarks5,
  detectorScore: z.number(),
  quality: FaceQuality,
  model: z.string(),
});
export type FaceSummary = z.infer<typeof FaceSummary>;

export const TrackSummary = z.object({
  id: TrackId,
  exhibitId: ExhibitId,
  firstMs: z.number().int(),
  lastMs: z.number().int(),
  faceCount: z.number().int().positive(),
  bestFaceId: FaceId,
});
export type TrackSummary = z.infer<typeof TrackSummary>;

export const ExhibitDetails = z.object({
  exhibit: ExhibitSummary,
  faces: z.array(FaceSummary),
  tracks: z.array(TrackSummary),
  frames: z.array(z.object({ id: z.number().int(), timeMs: z.number().int(), width: z.number().int(), height: z.number().int() })),
});
export type ExhibitDetails = z.infer<typeof ExhibitDetails>;

export const ImportOptions = z
  .object({
    exhibitRef: ExhibitRef.optional(),
    /** Frames sampled per second of video, besides scene changes. */
    videoFramesPerSecond: z.number().min(0.1).max(10).default(2),
    /** Also sample a frame at each scene change (ffmpeg scene score above this; 0 = off). */
    sceneChange: z.number().min(0).max(1).default(0.35),
    /** Also search at native resolution for small faces (slower; finds CCTV faces). */
    smallFaces: z.boolean().default(true),
    role: ExhibitRole.default('evidence'),
  })
  .strict();
export type ImportOptions = z.input<typeof ImportOptions>;

export const BatchStatus = z.enum(['running', 'done', 'cancelled', 'interrupted']);
/** How far a batch has come, as it is stored and as its progress is sent. */
const BatchCounts = z.object({
  filesTotal: z.number().int(),
  filesDone: z.number().int(),
  failed: z.number().int(),
  duplicates: z.number().int(),
  /** Files whose path and content were already an exhibit of the case: nothing was imported for them. */
  alreadyInCase: z.number().int(),
  facesFound: z.number().int(),
});
export const ImportBatch = z.object({
  id: BatchId,
  startedAt: z.string(),
  startedBy: z.string(),
  finishedAt: z.string().nullable(),
  status: BatchStatus,
  sources: z.array(z.string()),
  exhibitRef: z.string().nullable(),
  ...BatchCounts.shape,
});
export type ImportBatch = z.infer<typeof ImportBatch>;

export const ImportProgress = z.object({
  type: z.literal('import.progress'),
  batchId: BatchId,
  status: BatchStatus,
  ...BatchCounts.shape,
  /** Files per second over the batch so far, and the estimated seconds left. */
  filesPerSec: z.number(),
  etaSec: z.number().nullable(),
  current: z.string().nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

/** `readFrom` is where the original was read for the check: its source path, or where it was recorded to be now (a disclosure package's copy). */
export const ExhibitCheck = z.object({ exhibitId: ExhibitId, sourcePath: z.string(), readFrom: z.string(), ok: z.boolean(), reason: z.string().nullable() });
export type ExhibitCheck = z.infer<typeof ExhibitCheck>;
