import type { Db } from './sqlite';

export interface SearchRow {
  id: number;
  createdAt: string;
  createdBy: string;
  purpose: string;
  probeFaceId: number;
  /** The full result as JSON, as it was shown. */
  result: string;
}

export interface AuthorisationRow {
  id: number;
  requestedBy: string;
  requestedAt: string;
  purpose: string;
  probeFaceId: number;
  /** JSON array of watch-list ids. */
  watchlistIds: string;
  decision: 'approved' | 'refused' | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  searchId: number | null;
}

export interface SearchReads {
  searchResult(id: number): string | null;
  searches(): SearchRow[];
  authorisations(): AuthorisationRow[];
  authorisation(id: number): AuthorisationRow | null;
}

export interface SearchWrites {
  recordSearch(s: Omit<SearchRow, 'id'>): number;
  setSearchResult(id: number, result: string): void;
  requestAuthorisation(a: { requestedBy: string; requestedAt: string; purpose: string; probeFaceId: number; watchlistIds: string }): number;
  decideAuthorisation(id: number, decision: 'approved' | 'refused', by: string, at: string, reason: string): void;
  useAuthorisation(id: number, searchId: number, at: string): void;
}

const AUTHORISATION = `SELECT id, requested_by AS requestedBy, requested_at AS requestedAt, purpose, probe_face_id AS probeFaceId, watchlist_ids AS watchlistIds,
  decision, decided_by AS decidedBy, decided_at AS decidedAt, decision_reason AS decisionReason, search_id AS searchId FROM search_authorisations`;

/** The searches made in the case: who, why, from which probe, and what came back. */
export function searchTables(db: Db): { reads: SearchReads; writes: SearchWrites } {
  const q = {
    searchResult: db.prepare('SELECT result FROM searches WHERE id = ?').pluck(),
    searches: db.prepare('SELECT id, created_at AS createdAt, created_by AS createdBy, purpose, probe_face_id AS probeFaceId, result FROM searches ORDER BY id DESC'),
    recordSearch: db.prepare('INSERT INTO searches (created_at, created_by, purpose, probe_face_id, result) VALUES (@createdAt, @createdBy, @purpose, @probeFaceId, @result)'),
    setSearchResult: db.prepare('UPDATE searches SET result = ? WHERE id = ?'),
    authorisations: db.prepare(`${AUTHORISATION} ORDER BY id DESC`),
    authorisation: db.prepare(`${AUTHORISATION} WHERE id = ?`),
    request: db.prepare('INSERT INTO search_authorisations (requested_by, requested_at, purpose, probe_face_id, watchlist_ids) VALUES (@requestedBy, @requestedAt, @purpose, @probeFaceId, @watchlistIds)'),
    decide: db.prepare('UPDATE search_authorisations SET decision = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?'),
    use: db.prepare('UPDATE search_authorisations SET search_id = ?, used_at = ? WHERE id = ?'),
  };
  return {
    reads: {
      searchResult: (id) => (q.searchResult.get(id) as string | undefined) ?? null,
      searches: () => q.searches.all() as SearchRow[],
      authorisations: () => q.authorisations.all() as AuthorisationRow[],
      authorisation: (id) => (q.authorisation.get(id) as AuthorisationRow | undefined) ?? null,
    },
    writes: {
      recordSearch: (s) => Number(q.recordSearch.run(s).lastInsertRowid),
      setSearchResult: (id, result) => void q.setSearchResult.run(result, id),
      requestAuthorisation: (a) => Number(q.request.run(a).lastInsertRowid),
      decideAuthorisation: (id, decision, by, at, reason) => void q.decide.run(decision, by, at, reason, id),
      useAuthorisation: (id, searchId, at) => void q.use.run(searchId, at, id),
    },
  };
}
