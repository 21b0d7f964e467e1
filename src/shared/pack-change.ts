import { z } from 'zod';
import { CasePack, PackName } from './model-pack';

/** A supervisor's change of the open case's model pack: which pack, and why (kept on the record). */
export const PackChangeRequest = z
  .object({
    pack: PackName,
    reason: z.string().trim().min(10, "Say why the case's model pack is changed (at least 10 characters)").max(2000),
  })
  .strict();
export type PackChangeRequest = z.infer<typeof PackChangeRequest>;

export const PackChangeId = z.number().int().positive();

/**
 * One change of a case's pack: its faces are encoded again with the new pack's embedder into a
 * staging table, then swapped in at once. 'interrupted' (the case closed or the process died
 * under way) and 'failed' keep what was staged: asking for the same pack again resumes it.
 */
export const PackChange = z.object({
  id: PackChangeId,
  from: CasePack,
  /** The record the case gets when the change is done (how 'changed', by whom, why). */
  to: CasePack,
  reason: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  status: z.enum(['running', 'interrupted', 'failed', 'done']),
  facesTotal: z.number().int(),
  facesDone: z.number().int(),
  finishedAt: z.string().nullable(),
  failure: z.string().nullable(),
});
export type PackChange = z.infer<typeof PackChange>;

/** Progress of a pack change, pushed like an import's. */
export const PackChangeProgress = z.object({
  type: z.literal('pack.progress'),
  changeId: PackChangeId,
  status: PackChange.shape.status,
  stage: z.enum(['encoding', 'swapping', 'done', 'failed', 'interrupted']),
  done: z.number().int(),
  total: z.number().int(),
  pack: z.string(),
});
export type PackChangeProgress = z.infer<typeof PackChangeProgress>;
