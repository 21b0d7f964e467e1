import { z } from 'zod';
import { ExhibitId, FaceId, TrackId } from './evidence';

export const PersonId = z.number().int().positive();

export const Person = z.object({
  id: PersonId,
  name: z.string().nullable(),
  faceIds: z.array(FaceId),
  trackIds: z.array(TrackId),
  exhibitIds: z.array(ExhibitId),
  /** The member face of best quality, shown for the group. */
  coverFaceId: FaceId,
});
export type Person = z.infer<typeof Person>;

/** The similarity thresholds a grouping used, and the false match rates they stand for. */
export const GroupingThreshold = z.object({
  score: z.number(),
  fmr: z.number().nullable(),
  /** What two lone faces (or tracks) needed to form a group on their one link. */
  pairScore: z.number().nullable(),
  pairFmr: z.number().nullable(),
  /** 'case size': the rate fell as the case grew; 'examiner': the rate the examiner chose. */
  rule: z.enum(['case size', 'examiner']).nullable(),
  /** True when a rate finer than the calibration measured was raised to the finest it did. */
  limitedByCalibration: z.boolean(),
});
export type GroupingThreshold = z.infer<typeof GroupingThreshold>;

export const PersonsView = z.object({
  groupedAt: z.string().nullable(),
  threshold: GroupingThreshold.nullable(),
  persons: z.array(Person),
  unassigned: z.array(FaceId),
  /** Pairs of persons seen in the same image or frame, most often first. */
  together: z.array(z.object({ a: PersonId, b: PersonId, count: z.number().int(), exhibits: z.array(ExhibitId) })),
  canUndo: z.boolean(),
  caveat: z.string(),
});
export type PersonsView = z.infer<typeof PersonsView>;
