import { z } from 'zod';
import { ExhibitId, FaceId, FaceSummary, TrackId } from './evidence';
import { EntryId, WatchlistId } from './watchlists';

export const SearchId = z.number().int().positive();

/** Why the search is being made: required, recorded, shown on reports. */
export const Purpose = z.string().trim().min(10, 'Say why this search is being made (at least 10 characters)').max(2000);

/** An estimated false match rate, as a court can read it. */
export const FmrEstimate = z.object({
  /** The estimate (with 'below', the upper bound); null when the pair's quality band was not calibrated. */
  fmr: z.number().min(0).max(1).nullable(),
  /** "about 1 in 1,000, at most 1 in 600"; "fewer than 1 in 40,000"; "not calibrated for faces like these". */
  oneIn: z.string(),
  /** 'estimate' inside the measured range; 'below': no measured impostor pair scored this high, so only an upper bound; 'above': below the table's lowest score, so only a lower bound; 'uncalibrated': no rate for the pair's quality band. */
  bound: z.enum(['estimate', 'below', 'above', 'uncalibrated']),
  /** The one-sided 95% upper bound the measured pairs support (Clopper-Pearson; absent on older records). */
  upper: z.number().min(0).max(1).optional(),
  /** Measured impostor pairs of the band scoring at or above this score, and in all. */
  impostorsAtOrAbove: z.number().int().nonnegative().optional(),
  impostorPairs: z.number().int().nonnegative().optional(),
  /** The quality band of the pair (its weaker face on each axis), in words. */
  band: z.string().optional(),
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
    /** Search with the fused template of the probe face's video track rather than the face alone. */
    probeTrack: z.boolean().default(false),
    /** Other stills of the same person, chosen by the examiner: the probe becomes one template fused from all of them. */
    moreProbeFaceIds: z.array(FaceId).max(19, 'Choose at most 20 stills for one probe').default([]),
    purpose: Purpose,
    target: SearchTarget.prefault({}),
    /** Candidates to return at most (NIST's investigative mode uses 50). */
    maxCandidates: z.number().int().min(1).max(500).default(50),
    /** Keep candidates whose estimated false match rate is at or below this; null keeps the top candidates whatever their score; absent: the case's default (search.settings). */
    maxFmr: z.number().min(1e-9).max(1).nullable().optional(),
    filters: SearchFilters.default({}),
    /** Required to search with a probe of insufficient quality: why it is still worth it. */
    qualityOverride: z.string().trim().min(10, 'Give a reason of at least 10 characters').max(2000).optional(),
    /** A supervisor's approval to search these watch lists, where the case requires one (search.requestAuthorisation); used once. */
    authorisationId: z.number().int().positive().optional(),
  })
  .strict();
export type SearchRequest = z.input<typeof SearchRequest>;

/**
 * One candidate of a search. In a blind case (blind mode, the examiner review), what could
 * sway an examiner is withheld from the list until they have assessed that candidate and
 * revealed it: rank, score, rate and watch-list entry are then null and `withheld` is true.
 */
export const Candidate = z.object({
  rank: z.number().int().positive().nullable(),
  face: FaceSummary,
  exhibit: z.object({ id: ExhibitId, fileName: z.string(), exhibitRef: z.string().nullable(), captureTime: z.string().nullable(), kind: z.string() }),
  score: z.number().nullable(),
  fmr: FmrEstimate.nullable(),
  withheld: z.boolean().default(false),
  /** For video: how many more faces of the same track were candidates too (at or above the threshold); the best one is shown. */
  trackFaces: z.number().int().nonnegative(),
  /**
   * Where the probe or the candidate is a fused template (a video track, several stills): the
   * template's score and how many faces each side was fused from. It is not calibrated (no
   * false match rate was measured for fused templates), so none is given for it; `score`
   * and `fmr` are then those of the best single pair of faces. Null for face against face.
   */
  template: z.object({ score: z.number(), probeFaces: z.number().int().positive(), candidateFaces: z.number().int().positive() }).nullable().default(null),
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
  /** A probe fused from several faces: the stills chosen, or the probe face's track; null for one face. */
  probeTemplate: z.object({ faceIds: z.array(FaceId), trackId: TrackId.nullable(), faces: z.number().int().positive(), method: z.string() }).nullable().default(null),
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
  /** True when the case is blind: candidates whose score this user has not revealed are withheld and the list is by face, not rank. */
  blind: z.boolean().default(false),
  /** Words that go with every result list. */
  caveat: z.string(),
  /** Who authorised the case and on what legal basis, as the search was made (searches recorded before it was kept read it from the case). */
  authority: z.object({ authorisedBy: z.string(), legalBasis: z.string() }).nullable().default(null),
  /** The supervisor's authorisation the search ran under, where the case required one. */
  authorisationId: z.number().int().nullable().default(null),
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
