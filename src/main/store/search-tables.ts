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

export interface SearchReads {
  searchResult(id: number): string | null;
  searches(): SearchRow[];
}

export interface SearchWrites {
  recordSearch(s: Omit<SearchRow, 'id'>): number;
  setSearchResult(id: number, result: string): void;
}

/** The searches made in the case: who, why, from which probe, and what came back. */
export function searchTables(db: Db): { reads: SearchReads; writes: SearchWrites } {
  const q = {
    searchResult: db.prepare('SELECT result FROM searches WHERE id = ?').pluck(),
    searches: db.prepare('SELECT id, created_at AS createdAt, created_by AS createdBy, purpose, probe_face_id AS probeFaceId, result FROM searches ORDER BY id DESC'),
    recordSearch: db.prepare('INSERT INTO searches (created_at, created_by, purpose, probe_face_id, result) VALUES (@createdAt, @createdBy, @purpose, @probeFaceId, @result)'),
    setSearchResult: db.prepare('UPDATE searches SET result = ? WHERE id = ?'),
  };
  return {
    reads: {
      searchResult: (id) => (q.searchResult.get(id) as string | undefined) ?? null,
      searches: () => q.searches.all() as SearchRow[],
    },
    writes: {
      recordSearch: (s) => Number(q.recordSearch.run(s).lastInsertRowid),
      setSearchResult: (id, result) => void q.setSearchResult.run(result, id),
    },
  };
}
