import { AUDIT_SCHEMA } from './audit-table';
import type { Migration } from './sqlite';

/** Numbered migrations of a case database. Append only: never edit a released migration. */
export const CASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'case record and audit chain',
    up: `
CREATE TABLE case_info (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL,
  title TEXT NOT NULL,
  offence_category TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  authorised_by TEXT NOT NULL,
  retention_date TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
${AUDIT_SCHEMA}`,
  },
];
