import { z } from 'zod';
import { FaceId } from './evidence';
import { Purpose } from './search';
import { WatchlistId } from './watchlists';

export const AuthorisationId = z.number().int().positive();

/** Why a supervisor changed a search setting or decided a request: recorded in the case's chain. */
export const DecisionReason = z.string().trim().min(10, 'Give a reason (at least 10 characters)').max(2000);

/** Who changed a setting of the case, when and why; null while it is as every case starts. */
const SetBy = z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable();

/** How the case's searches are held: the threshold a search uses when none is given, and whether watch-list searches need a supervisor's authorisation. */
export const SearchSettings = z.object({
  /** A false match rate; null: the top candidates whatever their score. */
  defaultMaxFmr: z.number().min(1e-9).max(1).nullable(),
  defaultSet: SetBy,
  authorisationRequired: z.boolean(),
  authorisationSet: SetBy,
  /** Who authorised the case and on what basis: shown with every search. */
  authority: z.object({ authorisedBy: z.string(), legalBasis: z.string() }),
});
export type SearchSettings = z.infer<typeof SearchSettings>;

/** The threshold every case starts with: 1 in 1,000. */
export const DEFAULT_MAX_FMR = 0.001;

export const AuthorisationState = z.enum(['pending', 'approved', 'refused', 'used']);
export type AuthorisationState = z.infer<typeof AuthorisationState>;

export const AUTHORISATION_STATE_LABEL: Record<AuthorisationState, string> = { pending: 'Awaiting a supervisor', approved: 'Approved, not yet run', refused: 'Refused', used: 'Run' };

/** A request to search watch lists, its decision by a supervisor other than the requester, and the one search it allowed. */
export const SearchAuthorisation = z.object({
  id: AuthorisationId,
  requestedBy: z.string(),
  requestedAt: z.string(),
  purpose: z.string(),
  probeFaceId: FaceId,
  watchlists: z.array(z.object({ id: WatchlistId, name: z.string() })),
  state: AuthorisationState,
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  searchId: z.number().int().nullable(),
});
export type SearchAuthorisation = z.infer<typeof SearchAuthorisation>;

export const AuthorisationRequest = z
  .object({ probeFaceId: FaceId, watchlistIds: z.array(WatchlistId).min(1, 'Choose the watch lists to search').max(50), purpose: Purpose })
  .strict();

/** The sentence a requester reads who tries to decide their own request. */
export const OWN_REQUEST = 'You asked for this search: a supervisor other than the requester decides it.';
