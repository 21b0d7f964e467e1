import { auditTable, type AuditTable } from './audit-table';
import { caseMetaTables, type CaseMetaReads, type CaseMetaWrites } from './case-meta-tables';
import { evidenceTables, type EvidenceReads, type EvidenceWrites } from './evidence-tables';
import { faceContextTables, type FaceContextReads } from './face-context-tables';
import { packChangeTables, type PackChangeReads, type PackChangeWrites } from './pack-change-tables';
import { personTables, type PersonReads, type PersonWrites } from './person-tables';
import { reviewTables, type ReviewReads, type ReviewWrites } from './review-tables';
import { searchTables, type SearchReads, type SearchWrites } from './search-tables';
import type { Db } from './sqlite';
import { watchlistTables, type WatchlistReads, type WatchlistWrites } from './watchlist-tables';

export type { CaseInfo } from './case-meta-tables';

/** Every table of a case database, one file per domain; a new domain adds its reads and writes here. */
export interface CaseReads extends CaseMetaReads, EvidenceReads, FaceContextReads, SearchReads, WatchlistReads, PersonReads, ReviewReads, PackChangeReads {}

export interface CaseWrites extends CaseMetaWrites, EvidenceWrites, SearchWrites, WatchlistWrites, PersonWrites, ReviewWrites, PackChangeWrites {}

export interface CaseTables {
  reads: CaseReads;
  writes: CaseWrites;
  audit: AuditTable;
}

export function caseTables(db: Db): CaseTables {
  const meta = caseMetaTables(db);
  const evidence = evidenceTables(db);
  const search = searchTables(db);
  const watchlists = watchlistTables(db);
  const persons = personTables(db);
  const review = reviewTables(db);
  const packChanges = packChangeTables(db);
  return {
    reads: { ...meta.reads, ...evidence.reads, ...faceContextTables(db).reads, ...search.reads, ...watchlists.reads, ...persons.reads, ...review.reads, ...packChanges.reads },
    writes: { ...meta.writes, ...evidence.writes, ...search.writes, ...watchlists.writes, ...persons.writes, ...review.writes, ...packChanges.writes },
    audit: auditTable(db),
  };
}
