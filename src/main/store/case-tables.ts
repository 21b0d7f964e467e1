import { LoupeError, type CaseAuthority } from '../../shared';
import { auditTable, type AuditTable } from './audit-table';
import { evidenceTables, type EvidenceReads, type EvidenceWrites } from './evidence-tables';
import { searchTables, type SearchReads, type SearchWrites } from './search-tables';
import type { Db } from './sqlite';

export interface CaseInfo extends CaseAuthority {
  id: string;
  createdAt: string;
  createdBy: string;
}

export interface CaseReads extends EvidenceReads, SearchReads {
  info(): CaseInfo;
}

export interface CaseWrites extends EvidenceWrites, SearchWrites {
  insertInfo(info: CaseInfo): void;
}

export interface CaseTables {
  reads: CaseReads;
  writes: CaseWrites;
  audit: AuditTable;
}

export function caseTables(db: Db): CaseTables {
  const q = {
    info: db.prepare(
      'SELECT id, reference, title, offence_category AS offenceCategory, purpose, legal_basis AS legalBasis, authorised_by AS authorisedBy, retention_date AS retentionDate, created_at AS createdAt, created_by AS createdBy FROM case_info LIMIT 1',
    ),
    insertInfo: db.prepare(
      'INSERT INTO case_info (id, reference, title, offence_category, purpose, legal_basis, authorised_by, retention_date, created_at, created_by) VALUES (@id, @reference, @title, @offenceCategory, @purpose, @legalBasis, @authorisedBy, @retentionDate, @createdAt, @createdBy)',
    ),
  };
  const evidence = evidenceTables(db);
  const search = searchTables(db);
  return {
    reads: {
      ...evidence.reads,
      ...search.reads,
      info: () => {
        const info = q.info.get() as CaseInfo | undefined;
        // Only a case whose creation was cut short lacks its record.
        if (!info) throw new LoupeError('integrity', 'This case database has no case record: its creation did not finish. Restore the case folder from its backup.');
        return info;
      },
    },
    writes: {
      ...evidence.writes,
      ...search.writes,
      insertInfo: (info) => void q.insertInfo.run(info),
    },
    audit: auditTable(db),
  };
}
