import { z } from 'zod';
import { IsoDate } from './domain';
import { ExhibitId, FaceId, FaceSummary, ExhibitRef, TrackId } from './evidence';

export const SearchId = z.number().int().positive();
export const WatchlistId = z.number().int().positive();
export const EntryId = z.number().int().positive();
export const PersonId = z.number().int().positive();

/** Why the search is being made: required, recorded, shown on reports. */
export const Purpose = z.string().trim().min(10, 'Say why this search is being made (at least 10 characters)').max(2000);

/** An estimated false match rate, as a court can read it. */
export const FmrEstimate = z.object({
  fmr: z.number().min(0).max(1),
  /** "about 1 in 1,000"; "fewer than 1 in 40,000" where the score is beyond the measured range. */
  oneIn: z.string(),
  /** 'estimate' inside the measured range; 'below': no measured impostor pair scored this high, so only an upper bound; 'above': below the table's lowest score, so only a lower bound. */
  bound: z.enum(['estimate', 'below', 'above']),
});
export type FmrEstimate = z.infer<typeof FmrEstimate>;

export const SearchTarget = z
  .object({
    /** The case's evidence faces. */
    case: z.boolean().default(true),
    /** Watch lists whose reference faces are searched. */
    watchlists: z.array(WatchlistId).max(50).default([]),
  })
  .refine((t) => t.case || t.watchlists.length > 0, { message: 'Choose what to search: the case, a watch list, or both' });

/** Exhibits and capture times narrow the case's evidence; watch-list entries are searched whatever their exhibit or date. */
export const SearchFilters = z
  .object({
    exhibitIds: z.array(ExhibitId).max(1000).optional(),
    /** Capture time range (ISO 8601) of the exhibit; evidence faces without a known capture time are left out when set. */
    from: z.string().datetime({ offset: true, local: true }).optional(),
    to: z.string().datetime({ offset: true, local: true }).optional(),
    /** Leave out candidate faces below this quality score. */
    minQuality: z.number().min(0).max(100).optional(),
  })
  .strict();

export const SearchRequest = z
  .object({
    probeFaceId: FaceId,
    purpose: Purpose,
    target: SearchTarget.prefault({}),
    /** Candidates to return at most (NIST's investigative mode uses 50). */
    maxCandidates: z.number().int().min(1).max(500).default(50),
    /** Keep candidates whose estimated false match rate is at or below this; null keeps the top candidates whatever their score. */
    maxFmr: z.number().min(1e-9).max(1).nullable().default(0.001),
    filters: SearchFilters.default({}),
    /** Required to search with a probe of insufficient quality: why it is still worth it. */
    qualityOverride: z.string().trim().min(10, 'Give a reason of at least 10 characters').max(2000).optional(),
  })
  .strict();
export type SearchRequest = z.input<typeof SearchRequest>;

export const Candidate = z.object({
  rank: z.number().int().positive(),
  face: FaceSummary,
  exhibit: z.object({ id: ExhibitId, fileName: z.string(), exhibitRef: z.string().nullable(), captureTime: z.string().nullable(), kind: z.string() }),
  score: z.number(),
  fmr: FmrEstimate.nullable(),
  /** For video: how many more faces of the same track were candidates too (at or above the threshold); the best one is shown. */
  trackFaces: z.number().int().nonnegative(),
  watchlist: z.object({ entryId: EntryId, watchlistId: WatchlistId, listName: z.string(), label: z.string() }).nullable(),
});
export type Candidate = z.infer<typeof Candidate>;

/** The model pack a search or comparison was made with; `calibration` is its data-set description, null when uncalibrated. */
const PackUsed = z.object({ name: z.string(), version: z.string(), model: z.string(), calibration: z.string().nullable() });

export const SearchResult = z.object({
  id: SearchId,
  createdAt: z.string(),
  createdBy: z.string(),
  purpose: z.string(),
  probe: FaceSummary,
  probeExhibit: z.object({ id: ExhibitId, fileName: z.string(), exhibitRef: z.string().nullable() }),
  target: z.object({ case: z.boolean(), watchlists: z.array(z.object({ id: WatchlistId, name: z.string() })) }),
  maxCandidates: z.number().int(),
  maxFmr: z.number().nullable(),
  thresholdScore: z.number().nullable(),
  filters: z.record(z.string(), z.unknown()),
  qualityOverride: z.string().nullable(),
  pack: PackUsed,
  method: z.enum(['exact', 'hnsw']),
  scored: z.number().int(),
  candidates: z.array(Candidate),
  /** Words that go with every result list. */
  caveat: z.string(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchListItem = z.object({
  id: SearchId,
  createdAt: z.string(),
  createdBy: z.string(),
  purpose: z.string(),
  probeFaceId: FaceId,
  candidates: z.number().int(),
});

export const Comparison = z.object({
  faceA: FaceSummary,
  faceB: FaceSummary,
  score: z.number(),
  fmr: FmrEstimate.nullable(),
  pack: PackUsed,
  caveat: z.string(),
});
export type Comparison = z.infer<typeof Comparison>;

export const Watchlist = z.object({
  id: WatchlistId,
  name: z.string(),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  entries: z.number().int(),
});
export type Watchlist = z.infer<typeof Watchlist>;

export const WatchlistEntry = z.object({
  id: EntryId,
  watchlistId: WatchlistId,
  face: FaceSummary,
  label: z.string(),
  source: z.string(),
  reason: z.string(),
  retentionDate: z.string(),
  addedBy: z.string(),
  addedAt: z.string(),
});
export type WatchlistEntry = z.infer<typeof WatchlistEntry>;

export const NewWatchlistEntry = z
  .object({
    watchlistId: WatchlistId,
    faceId: FaceId,
    label: z.string().trim().min(1, 'Name or describe the person').max(200),
    source: z.string().trim().min(1, 'Say where the reference image came from').max(1000),
    reason: z.string().trim().min(10, 'Say why this person is on the list (at least 10 characters)').max(2000),
    retentionDate: IsoDate,
  })
  .strict();

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

export const ProbeImport = z
  .object({
    path: z.string().min(1).max(4096),
    exhibitRef: ExhibitRef.optional(),
    /** 'reference' for a watch-list image, 'probe' for the image a search starts from. */
    role: z.enum(['probe', 'reference']).default('probe'),
  })
  .strict();
