import { LoupeError, type CaseAuthority } from '../../shared';
import type { Db } from './sqlite';

export interface CaseInfo extends CaseAuthority {
  id: string;
  createdAt: string;
  createdBy: string;
}

export interface CaseMetaReads {
  info(): CaseInfo;
  /** A value the case keeps about itself under a key (e.g. 'grouping'), or null. */
  caseMeta(key: string): string | null;
}

export interface CaseMetaWrites {
  insertInfo(info: CaseInfo): void;
  setCaseMeta(key: string, value: string): void;
  /** The date the case is kept until: a supervisor's recorded decision after creation. */
  setRetentionDate(date: string): void;
}

/** The case's own record (case_info) and what it keeps about itself (case_meta). */
export function caseMetaTables(db: Db): { reads: CaseMetaReads; writes: CaseMetaWrites } {
  const q = {
    info: db.prepare(
      'SELECT id, reference, title, offence_category AS offenceCategory, purpose, legal_basis AS legalBasis, authorised_by AS authorisedBy, retention_date AS retentionDate, created_at AS createdAt, created_by AS createdBy FROM case_info LIMIT 1',
    ),
    insertInfo: db.prepare(
      'INSERT INTO case_info (id, reference, title, offence_category, purpose, legal_basis, authorised_by, retention_date, created_at, created_by) VALUES (@id, @reference, @title, @offenceCategory, @purpose, @legalBasis, @authorisedBy, @retentionDate, @createdAt, @createdBy)',
    ),
    setRetention: db.prepare('UPDATE case_info SET retention_date = ?'),
    meta: db.prepare('SELECT value FROM case_meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
  };
  return {
    reads: {
      info: () => {
        const info = q.info.get() as CaseInfo | undefined;
        // Only a case whose creation was cut short lacks its record.
        if (!info) throw new LoupeError('integrity', 'This case database has no case record: its creation did not finish. Restore the case folder from its backup.');
        return info;
      },
      caseMeta: (key) => (q.meta.get(key) as string | undefined) ?? null,
    },
    writes: {
      insertInfo: (info) => void q.insertInfo.run(info),
      setCaseMeta: (key, value) => void q.setMeta.run(key, value),
      setRetentionDate: (date) => void q.setRetention.run(date),
    },
  };
}
