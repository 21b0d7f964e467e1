import { DEFAULT_MAX_FMR, LoupeError, OWN_REQUEST, type SearchAuthorisation, type SearchSettings } from '../../shared';
import type { AuthorisationRow, CaseStore } from '../store';

const THRESHOLD_KEY = 'search_default_threshold';
const AUTHORISATION_KEY = 'watchlist_search_authorisation';

type Setting<T> = { value: T; by: string; at: string; reason: string };

function setting<T>(store: CaseStore, key: string): Setting<T> | null {
  const raw = store.reads.caseMeta(key);
  return raw ? (JSON.parse(raw) as Setting<T>) : null;
}

/** How the open case's searches are held (read by the search service for its default threshold). */
export function searchSettings(store: CaseStore): SearchSettings {
  const threshold = setting<number | null>(store, THRESHOLD_KEY);
  const authorisation = setting<boolean>(store, AUTHORISATION_KEY);
  const info = store.reads.info();
  const set = (s: Setting<unknown> | null) => (s ? { by: s.by, at: s.at, reason: s.reason } : null);
  return {
    defaultMaxFmr: threshold ? threshold.value : DEFAULT_MAX_FMR,
    defaultSet: set(threshold),
    authorisationRequired: authorisation?.value ?? false,
    authorisationSet: set(authorisation),
    authority: { authorisedBy: info.authorisedBy, legalBasis: info.legalBasis },
  };
}

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Search settings a supervisor changes with a reason (the default threshold, whether
 * watch-list searches need authorisation), and the authorisations themselves: an examiner
 * asks, with a purpose, to search a probe against watch lists; a supervisor other than the
 * requester approves or refuses with a reason; an approval allows that requester one search
 * of that probe against those lists. Each step is the router's record of its call; the
 * database refuses a second decision, a decision by the requester and a second use.
 */
export class SearchAuthorisations {
  constructor(
    private readonly store: CaseStore,
    private readonly now: () => Date,
  ) {}

  settings(): SearchSettings {
    return searchSettings(this.store);
  }

  setDefaultThreshold(maxFmr: number | null, reason: string, user: string): SearchSettings {
    if (this.settings().defaultMaxFmr === maxFmr) throw new LoupeError('conflict', 'That is already the default threshold of this case.', 'maxFmr');
    this.put(THRESHOLD_KEY, maxFmr, reason, user);
    return this.settings();
  }

  setRequired(required: boolean, reason: string, user: string): SearchSettings {
    if (this.settings().authorisationRequired === required) {
      throw new LoupeError('conflict', required ? 'Watch-list searches of this case already need authorisation.' : 'Watch-list searches of this case already need no authorisation.', 'required');
    }
    this.put(AUTHORISATION_KEY, required, reason, user);
    return this.settings();
  }

  list(): SearchAuthorisation[] {
    return this.store.reads.authorisations().map((r) => this.toAuthorisation(r));
  }

  get(id: number): SearchAuthorisation {
    const row = this.store.reads.authorisation(id);
    if (!row) throw new LoupeError('not_found', `No search authorisation ${id} in this case.`, 'requestId');
    return this.toAuthorisation(row);
  }

  /** Who asked for an authorisation, for the contract's rule that they do not decide it. */
  requester(id: number): string | null {
    return this.store.reads.authorisation(id)?.requestedBy ?? null;
  }

  request(r: { probeFaceId: number; watchlistIds: number[]; purpose: string }, user: string): SearchAuthorisation {
    if (!this.store.reads.face(r.probeFaceId)) throw new LoupeError('not_found', `No face ${r.probeFaceId} in this case.`, 'probeFaceId');
    for (const id of r.watchlistIds) if (!this.store.reads.watchlist(id)) throw new LoupeError('not_found', `No watch list ${id} in this case.`, 'watchlistIds');
    const id = this.store.writes.requestAuthorisation({
      requestedBy: user,
      requestedAt: this.now().toISOString(),
      purpose: r.purpose,
      probeFaceId: r.probeFaceId,
      watchlistIds: JSON.stringify([...new Set(r.watchlistIds)]),
    });
    return this.get(id);
  }

  decide(id: number, approve: boolean, reason: string, user: string): SearchAuthorisation {
    const a = this.get(id);
    if (a.requestedBy === user) throw new LoupeError('forbidden', OWN_REQUEST, 'requestId');
    if (a.state !== 'pending') throw new LoupeError('conflict', `Search authorisation ${id} was ${a.state === 'refused' ? 'refused' : 'approved'} already by ${a.decidedBy}.`, 'requestId');
    this.store.writes.decideAuthorisation(id, approve ? 'approved' : 'refused', user, this.now().toISOString(), reason);
    return this.get(id);
  }

  /**
   * The authorisation a search must run under, or null when it needs none: a search of watch
   * lists in a case that requires it names an approval given to this user for this probe and
   * exactly these lists, not yet used. One named when none is needed is held to the same.
   */
  forRun(req: { probeFaceId: number; target: { watchlists: number[] }; authorisationId?: number | undefined }, user: string): number | null {
    if (req.authorisationId === undefined) {
      if (req.target.watchlists.length > 0 && this.settings().authorisationRequired) {
        throw new LoupeError(
          'forbidden',
          'Searches of watch lists in this case must be authorised by a supervisor before they run: request authorisation with your purpose, and run the search once it is approved.',
          'authorisationId',
        );
      }
      return null;
    }
    const a = this.get(req.authorisationId);
    const refuse = (why: string) => new LoupeError('forbidden', `Search authorisation ${a.id} does not allow this search: ${why}.`, 'authorisationId');
    if (a.requestedBy !== user) throw refuse(`it was given to ${a.requestedBy}`);
    if (a.state === 'pending') throw refuse('no supervisor has decided it yet');
    if (a.state === 'refused') throw refuse(`it was refused by ${a.decidedBy}`);
    if (a.state === 'used') throw refuse(`it was used already, by search ${a.searchId}`);
    if (a.probeFaceId !== req.probeFaceId) throw refuse(`it is for probe face ${a.probeFaceId}`);
    if (!sameSet(a.watchlists.map((w) => w.id), req.target.watchlists)) throw refuse(`it is for the watch lists ${a.watchlists.map((w) => w.name).join(', ')}`);
    return a.id;
  }

  /** Marks the authorisation used by the search just recorded, in the same transaction. */
  use(id: number, searchId: number): void {
    this.store.writes.useAuthorisation(id, searchId, this.now().toISOString());
  }

  private put(key: string, value: unknown, reason: string, user: string): void {
    this.store.writes.setCaseMeta(key, JSON.stringify({ value, by: user, at: this.now().toISOString(), reason }));
  }

  private toAuthorisation(r: AuthorisationRow): SearchAuthorisation {
    const ids = JSON.parse(r.watchlistIds) as number[];
    return {
      id: r.id,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      purpose: r.purpose,
      probeFaceId: r.probeFaceId,
      watchlists: ids.map((id) => ({ id, name: this.store.reads.watchlist(id)?.name ?? `watch list ${id}` })),
      state: r.searchId !== null ? 'used' : r.decision === null ? 'pending' : r.decision,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
      decisionReason: r.decisionReason,
      searchId: r.searchId,
    };
  }
}
