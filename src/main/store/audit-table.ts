import type { Db } from './sqlite';

/** One stored audit record, as the chain hashes it. */
export interface AuditRow {
  seq: number;
  time: string;
  user: string | null;
  action: string;
  object: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  /** Canonical JSON text of the details object. */
  details: string;
  prevHash: string;
  hash: string;
}

/** The append-only audit table, the same in the case and workstation databases. */
export interface AuditTable {
  head(): { seq: number; hash: string } | null;
  insert(row: AuditRow): void;
  /** All records, or only those about one object (review-item:7, case:...). */
  count(object?: string): number;
  hashAt(seq: number): string | null;
  /** Newest first; only those about `object` when given. */
  page(offset: number, limit: number, object?: string): AuditRow[];
  /** Oldest first, streaming. */
  all(): IterableIterator<AuditRow>;
  /** Runs fn in a write transaction so reading the head and appending are one step. */
  atomically<T>(fn: () => T): T;
  /** True inside a transaction not yet committed (an import's exhibit), whose rows a crash would still undo. */
  inTransaction(): boolean;
}

export const AUDIT_SCHEMA = `
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  user TEXT,
  action TEXT NOT NULL,
  object TEXT,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
`;

const COLUMNS = 'seq, time, user, action, object, outcome, details, prev_hash AS prevHash, hash';

export function auditTable(db: Db): AuditTable {
  const head = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO audit (seq, time, user, action, object, outcome, details, prev_hash, hash) VALUES (@seq, @time, @user, @action, @object, @outcome, @details, @prevHash, @hash)');
  const count = db.prepare('SELECT count(*) AS n FROM audit').pluck();
  const countOf = db.prepare('SELECT count(*) AS n FROM audit WHERE object = ?').pluck();
  const hashAt = db.prepare('SELECT hash FROM audit WHERE seq = ?').pluck();
  const page = db.prepare(`SELECT ${COLUMNS} FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?`);
  const pageOf = db.prepare(`SELECT ${COLUMNS} FROM audit WHERE object = ? ORDER BY seq DESC LIMIT ? OFFSET ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM audit ORDER BY seq ASC`);
  return {
    head: () => (head.get() as { seq: number; hash: string } | undefined) ?? null,
    insert: (row) => void insert.run(row),
    count: (object) => (object === undefined ? count.get() : countOf.get(object)) as number,
    hashAt: (seq) => (hashAt.get(seq) as string | undefined) ?? null,
    page: (offset, limit, object) => (object === undefined ? page.all(limit, offset) : pageOf.all(object, limit, offset)) as AuditRow[],
    all: () => all.iterate() as IterableIterator<AuditRow>,
    atomically: (fn) => db.transaction(fn).immediate(),
    inTransaction: () => db.inTransaction,
  };
}
