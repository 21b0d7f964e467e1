import { z } from 'zod';
import { ErrorCode } from './errors';
import { AnalyseInput, AnalyseOptions, Bytes, ImageAnalysis, Landmarks5, Vector } from './faces';
import { ModelPack } from './model-pack';

/**
 * Messages between the main process's face pool and one engine worker. Both sides parse
 * what they receive, so a malformed message is an error with a reason, never undefined
 * behaviour in a thread that handles evidence.
 */

/** Given to each worker at start: the pack's model bytes, already checked against the manifest. */
export const WorkerInit = z.object({
  manifest: ModelPack,
  detector: Bytes,
  landmarks: Bytes.optional(),
  embedder: Bytes,
});
export type WorkerInit = z.infer<typeof WorkerInit>;

/**
 * A face the case already holds, to be encoded again by this worker's pack (a pack change):
 * its stored aligned crop (JPEG), its five landmarks in the source image, and the template and
 * size that crop was aligned to, so the worker can align it again to its own pack's template.
 */
export const ReembedRequest = z.object({
  aligned: Bytes,
  landmarks5: Landmarks5,
  from: z.object({ template: z.array(z.tuple([z.number(), z.number()])).length(5), width: z.number().int().positive(), height: z.number().int().positive() }),
});
export type ReembedRequest = z.infer<typeof ReembedRequest>;

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('analyse'), id: z.number().int(), input: AnalyseInput, options: AnalyseOptions }),
  z.object({ type: z.literal('reembed'), id: z.number().int(), face: ReembedRequest }),
  /** Test-only: the worker exits at once as if it had crashed, so the pool's recovery can be tested for real. */
  z.object({ type: z.literal('simulate-crash'), exitCode: z.number().int().min(1).max(255) }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

export const WireError = z.object({ code: ErrorCode, message: z.string() });
export type WireError = z.infer<typeof WireError>;

export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('failed'), error: WireError }),
  z.object({ type: z.literal('result'), id: z.number().int(), analysis: ImageAnalysis }),
  z.object({ type: z.literal('embedding'), id: z.number().int(), embedding: Vector }),
  z.object({ type: z.literal('error'), id: z.number().int(), error: WireError }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/**
 * Messages between the main process and a projection worker (src/worker/projection.ts),
 * which fits the face index's projection (seconds of CPU) off the thread that serves the UI.
 */
export const ProjectionFitRequest = z.object({
  /** n rows of `dim` values. */
  sample: Vector,
  dim: z.number().int().positive(),
});
export type ProjectionFitRequest = z.infer<typeof ProjectionFitRequest>;

export const ProjectionFitReply = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('fitted'),
    projection: z.object({ d: z.number().int().positive(), dim: z.number().int().positive(), basis: Vector, retained: z.number().gt(0).lte(1) }).nullable(),
  }),
  z.object({ type: z.literal('error'), error: WireError }),
]);
export type ProjectionFitReply = z.infer<typeof ProjectionFitReply>;
