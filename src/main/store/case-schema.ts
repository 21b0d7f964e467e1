import { AUDIT_SCHEMA } from './audit-table';
import { REVIEW_SCHEMA } from './review-tables';
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
  {
    version: 2,
    name: 'exhibits, import batches, video frames, tracks and faces',
    up: `
CREATE TABLE import_batches (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  started_by TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'interrupted')),
  sources TEXT NOT NULL,
  options TEXT NOT NULL,
  exhibit_ref TEXT,
  files_total INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE exhibits (
  id INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES import_batches(id),
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  source_path TEXT NOT NULL,
  file_name TEXT NOT NULL,
  exhibit_ref TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('image', 'video', 'unsupported')),
  file_type TEXT,
  status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'duplicate')),
  failure TEXT,
  duplicate_of INTEGER REFERENCES exhibits(id),
  width INTEGER,
  height INTEGER,
  duration_ms INTEGER,
  capture_time TEXT,
  camera TEXT,
  source_modified_at TEXT,
  imported_by TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  pack TEXT,
  thumbnail BLOB,
  display BLOB,
  UNIQUE (source_path, sha256)
);
CREATE INDEX exhibits_by_sha ON exhibits(sha256);
CREATE INDEX exhibits_by_batch ON exhibits(batch_id);
CREATE TABLE frames (
  id INTEGER PRIMARY KEY,
  exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
  time_ms INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  display BLOB,
  UNIQUE (exhibit_id, time_ms)
);
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  face_count INTEGER NOT NULL,
  best_face_id INTEGER
);
CREATE TABLE faces (
  id INTEGER PRIMARY KEY,
  exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
  frame_id INTEGER REFERENCES frames(id),
  track_id INTEGER REFERENCES tracks(id),
  box TEXT NOT NULL,
  landmarks TEXT NOT NULL,
  detector_score REAL NOT NULL,
  quality TEXT NOT NULL,
  quality_score REAL NOT NULL,
  insufficient INTEGER NOT NULL,
  model TEXT NOT NULL,
  embedding BLOB NOT NULL,
  crop BLOB NOT NULL,
  aligned BLOB NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX faces_by_exhibit ON faces(exhibit_id);
CREATE INDEX faces_by_track ON faces(track_id);`,
  },
  {
    version: 3,
    name: 'exhibit roles, watch lists, recorded searches and groupings of persons',
    up: `
ALTER TABLE exhibits ADD COLUMN role TEXT NOT NULL DEFAULT 'evidence' CHECK (role IN ('evidence', 'probe', 'reference'));
CREATE TABLE case_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE watchlists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE watchlist_entries (
  id INTEGER PRIMARY KEY,
  watchlist_id INTEGER NOT NULL REFERENCES watchlists(id),
  face_id INTEGER NOT NULL REFERENCES faces(id),
  label TEXT NOT NULL,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  retention_date TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  removed_by TEXT,
  removed_at TEXT,
  removal_reason TEXT
);
CREATE INDEX watchlist_entries_by_list ON watchlist_entries(watchlist_id);
CREATE TABLE searches (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  purpose TEXT NOT NULL,
  probe_face_id INTEGER NOT NULL REFERENCES faces(id),
  result TEXT NOT NULL
);
CREATE TABLE person_groups (
  id INTEGER PRIMARY KEY,
  name TEXT,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE person_members (
  face_id INTEGER PRIMARY KEY REFERENCES faces(id),
  person_id INTEGER NOT NULL REFERENCES person_groups(id)
);
CREATE INDEX person_members_by_person ON person_members(person_id);
CREATE TABLE person_edits (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user TEXT NOT NULL,
  kind TEXT NOT NULL,
  undo TEXT NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0
);`,
  },
  {
    version: 4,
    name: 'videos staged in chunks while they are analysed',
    up: `
CREATE TABLE staged_videos (
  id INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES import_batches(id),
  source_path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  through_ms INTEGER NOT NULL,
  frames_sampled INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  thumbnail BLOB,
  UNIQUE (batch_id, source_path, sha256)
);
CREATE TABLE staged_frames (
  video_id INTEGER NOT NULL REFERENCES staged_videos(id),
  time_ms INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  display BLOB,
  PRIMARY KEY (video_id, time_ms)
);
CREATE TABLE staged_faces (
  id INTEGER PRIMARY KEY,
  video_id INTEGER NOT NULL REFERENCES staged_videos(id),
  time_ms INTEGER NOT NULL,
  box TEXT NOT NULL,
  landmarks TEXT NOT NULL,
  detector_score REAL NOT NULL,
  quality TEXT NOT NULL,
  model TEXT NOT NULL,
  embedding BLOB NOT NULL,
  crop BLOB NOT NULL,
  aligned BLOB NOT NULL
);
CREATE INDEX staged_faces_by_video ON staged_faces(video_id, id);`,
  },
  {
    version: 5,
    name: 'examiner review: comparison items, assessments, submissions, reveals, case settings',
    up: REVIEW_SCHEMA,
  },
  {
    version: 6,
    name: 'exhibit notices: what of an imported file was not analysed (faces past the cap, pages past the first)',
    up: 'ALTER TABLE exhibits ADD COLUMN notice TEXT',
  },
  {
    version: 7,
    name: 'files an import found already in the case',
    up: `
CREATE TABLE batch_skips (
  batch_id TEXT NOT NULL REFERENCES import_batches(id),
  source_path TEXT NOT NULL,
  exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
  PRIMARY KEY (batch_id, source_path)
);`,
  },
  {
    version: 8,
    name: "a video track's fused template (the faces it was made of, by quality) for searches by track",
    up: `
ALTER TABLE tracks ADD COLUMN template BLOB;
ALTER TABLE tracks ADD COLUMN template_faces INTEGER;`,
  },
  {
    version: 9,
    name: 'search authorisations: a request to search watch lists, its decision by another supervisor, the one search it allowed',
    // The rules are held by the database as well as by the contract and the service, so no script writing to the case gets round them.
    up: `
CREATE TABLE search_authorisations (
  id INTEGER PRIMARY KEY,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  purpose TEXT NOT NULL,
  probe_face_id INTEGER NOT NULL REFERENCES faces(id),
  watchlist_ids TEXT NOT NULL,
  decision TEXT CHECK (decision IN ('approved', 'refused')),
  decided_by TEXT,
  decided_at TEXT,
  decision_reason TEXT,
  search_id INTEGER REFERENCES searches(id),
  used_at TEXT
);
CREATE TRIGGER search_authorisation_decided_once BEFORE UPDATE OF decision, decided_by ON search_authorisations
WHEN OLD.decision IS NOT NULL OR NEW.decided_by = OLD.requested_by
BEGIN SELECT RAISE(ABORT, 'a search authorisation is decided once, by someone other than its requester'); END;
CREATE TRIGGER search_authorisation_used_once BEFORE UPDATE OF search_id ON search_authorisations
WHEN OLD.search_id IS NOT NULL OR OLD.decision IS NOT 'approved'
BEGIN SELECT RAISE(ABORT, 'a search authorisation allows one search, once approved'); END;`,
  },
  {
    version: 10,
    name: "pack changes: a case's faces encoded again by another model pack, staged until swapped in at once (old embeddings kept)",
    up: `
CREATE TABLE pack_changes (
  id INTEGER PRIMARY KEY,
  from_pack TEXT NOT NULL,
  to_pack TEXT NOT NULL,
  reason TEXT NOT NULL,
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'failed', 'done')),
  faces_total INTEGER NOT NULL,
  finished_at TEXT,
  failure TEXT
);
CREATE TABLE pack_change_faces (
  change_id INTEGER NOT NULL REFERENCES pack_changes(id),
  face_id INTEGER NOT NULL REFERENCES faces(id),
  embedding BLOB NOT NULL,
  old_model TEXT,
  old_embedding BLOB,
  PRIMARY KEY (change_id, face_id)
);`,
  },
  {
    version: 11,
    name: 'original locations: where an original is found now when it is no longer at the path it was imported from (a disclosure package brought its copy), with who recorded it and why',
    up: `
CREATE TABLE original_locations (
  sha256 TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  reason TEXT NOT NULL
);`,
  },
];
