import { AUDIT_SCHEMA } from './audit-table';
import type { Migration } from './sqlite';

/** Numbered migrations of the workstation database (users, case register, workstation audit). */
export const WORKSTATION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, case register and audit chain',
    up: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'supervisor', 'auditor')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT
);
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL,
  title TEXT NOT NULL,
  folder TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  audit_head_seq INTEGER,
  audit_head_hash TEXT
);
${AUDIT_SCHEMA}`,
  },
  {
    version: 2,
    name: 'sign-in failures and locks',
    // Keyed by the name as typed, existing or not, so names that do not exist are throttled alike (users/sign-in-policy).
    up: `
CREATE TABLE sign_in_failures (
  username TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_at TEXT NOT NULL,
  locked_at TEXT
);`,
  },
  {
    version: 3,
    name: 'restored case copies awaiting acceptance',
    // The head a restored case chain had when the workstation first opened it, before new records joined it.
    up: `
CREATE TABLE case_restores (
  case_id TEXT PRIMARY KEY,
  restored_seq INTEGER NOT NULL,
  restored_hash TEXT NOT NULL,
  detected_at TEXT NOT NULL
);`,
  },
  {
    version: 4,
    // The register keeps what listing and opening a case need (id, reference, folder, who made it, the chain's anchor);
    // a title is case content and lives only in the encrypted case. secure_delete overwrites what the column held.
    name: 'case titles only in the encrypted case',
    up: 'ALTER TABLE cases DROP COLUMN title;',
  },
  {
    version: 5,
    // A retention date and a hold flag are not case content: the register keeps them so the retention queue is known
    // without opening any case (the reasons stay in each case's encrypted chain). A purged case's row stays, marked, so
    // its reference is never given to another case and the workstation chain's records keep naming one case.
    name: 'retention dates, legal holds and purges in the case register',
    up: `
ALTER TABLE cases ADD COLUMN retention_date TEXT;
ALTER TABLE cases ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN purged_at TEXT;
ALTER TABLE cases ADD COLUMN purged_by TEXT;`,
  },
  {
    version: 6,
    name: 'validation records of model packs',
    // A validation is about a pack on an agency's labelled photos, not about a case: it holds figures and charts, no face data.
    up: `
CREATE TABLE validations (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  pack TEXT NOT NULL,
  pack_version TEXT NOT NULL,
  dataset_sha256 TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE validation_images (
  validation_id TEXT NOT NULL REFERENCES validations(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  png BLOB NOT NULL,
  PRIMARY KEY (validation_id, position)
);`,
  },
];
