import { existsSync, readFileSync } from 'node:fs';
import { AuditRecord, canonicalJson, type AuditChain, type AuditVerification } from '../../shared';
import { sha256Hex } from '../crypto';
import { writeFileAtomic, type AuditRow, type AuditTable } from '../store';

/**
 * The tamper-evident record. Each record carries the hash of the one before it, and its
 * own hash covers its content and that link, so an edited, removed, reordered or inserted
 * record breaks the chain at that point. The first link is bound to the chain's id, so
 * records cannot be moved between cases. Cutting off the newest records is caught by the
 * anchor: the head seq and hash kept outside the chain's store (a case's in the workstation
 * register, the workstation's in a file beside its database).
 */
export interface AuditEntry {
  user: string | null;
  action: string;
  object: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  details: Record<string, unknown>;
}

export interface AuditAnchor {
  seq: number;
  hash: string;
}

/**
 * Keeps a chain's head outside the store that holds the chain, where cutting off the newest
 * records (or putting back an older copy of the store) cannot reach it.
 */
export interface AnchorKeeper {
  read(): AuditAnchor | null;
  write(anchor: AuditAnchor): void;
}

/** Runs the writes of one action; the caller appends the action's audit record in the same transaction. */
export type Commit = <T>(write: () => T) => T;

/**
 * The workstation chain's anchor: a small file beside workstation.db, since the chain's own
 * database cannot vouch for its tail (the case chains are anchored in the workstation register).
 */
export function fileAnchor(file: string, chainId: string): AnchorKeeper {
  return {
    read: () => {
      if (!existsSync(file)) return null;
      const a = JSON.parse(readFileSync(file, 'utf8')) as { chainId?: unknown; seq?: unknown; hash?: unknown };
      if (a.chainId !== chainId || typeof a.seq !== 'number' || typeof a.hash !== 'string') {
        throw new Error(`${file} is not the anchor of this workstation's audit record`);
      }
      return { seq: a.seq, hash: a.hash };
    },
    write: (a) => writeFileAtomic(file, `${JSON.stringify({ chainId, seq: a.seq, hash: a.hash })}\n`),
  };
}

/** The action of the record a chain gets when its anchor was found missing or unreadable. */
export const ANCHOR_LOST = 'audit.anchorLost';

export const genesisHash = (chainId: string): string => sha256Hex(`loupe/audit/v1/${chainId}`);

function recordHash(prevHash: string, r: Omit<AuditRow, 'prevHash' | 'hash' | 'details'> & { details: unknown }): string {
  return sha256Hex(prevHash + canonicalJson({ seq: r.seq, time: r.time, user: r.user, action: r.action, object: r.object, outcome: r.outcome, details: r.details }));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A damaged record is still listed (verify names it), with its details shown as stored. */
function toRecord(row: AuditRow): AuditRecord {
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    details = undefined;
  }
  return AuditRecord.parse({ ...row, details: isPlainObject(details) ? details : { unreadable: row.details } });
}

export class AuditLog {
  constructor(
    private readonly table: AuditTable,
    readonly chain: AuditChain,
    readonly chainId: string,
    private readonly now: () => Date,
    private readonly keeper: AnchorKeeper | null = null,
  ) {}

  append(entry: AuditEntry): AuditRecord {
    const record = this.table.atomically(() => this.appendRow(entry));
    this.moveAnchor();
    return record;
  }

  /**
   * Runs an action's writes and appends its record in one transaction of the store that holds
   * this chain, so a crash or a failed append never keeps the one without the other. The
   * entry is read after the writes, so it can name what they made.
   */
  record<T>(write: () => T, entry: () => AuditEntry): T {
    const value = this.table.atomically(() => {
      const v = write();
      this.appendRow(entry());
      return v;
    });
    this.moveAnchor();
    return value;
  }

  head(): AuditAnchor | null {
    return this.table.head();
  }

  /** Where the head was last seen from outside the store, or null when this chain has no keeper (yet). */
  anchor(): AuditAnchor | null {
    return this.keeper?.read() ?? null;
  }

  /** Whether this chain still holds the record an anchor names. */
  contains(anchor: AuditAnchor): boolean {
    return this.table.hashAt(anchor.seq) === anchor.hash;
  }

  /** Newest first; with `object`, only the records about it (the review of one comparison), counted alone. */
  list(offset: number, limit: number, object?: string): { total: number; records: AuditRecord[] } {
    return { total: this.table.count(object), records: this.table.page(offset, limit, object).map(toRecord) };
  }

  verify(anchor: AuditAnchor | null = this.anchor()): AuditVerification {
    const result = verifyRows(this.table.all(), this.chainId, anchor);
    const behindAnchor = !result.ok && anchor && verifyRows(this.table.all(), this.chainId, null).ok;
    return { chain: this.chain, ...result, ...(behindAnchor ? { behindAnchor: true } : {}), checkedAt: this.now().toISOString() };
  }

  /**
   * Run at start: an anchor that is gone (or unreadable) while the chain has records would
   * otherwise be made again silently from the head, hiding a tail cut together with it. The
   * loss is written into the chain itself, which makes the anchor again from there.
   */
  recordLostAnchor(): void {
    if (!this.keeper) return;
    const head = this.table.head();
    if (!head) return;
    let problem: string;
    try {
      if (this.keeper.read()) return;
      problem = 'missing';
    } catch (err) {
      problem = `unreadable (${(err as Error).message})`;
    }
    this.table.atomically(() =>
      this.appendRow({
        user: null,
        action: ANCHOR_LOST,
        object: `chain:${this.chain}`,
        outcome: 'failed',
        details: { problem, headSeen: head, consequence: 'records cut from the end of the chain before now, with the anchor removed, could not be detected' },
      }),
    );
    const after = this.table.head();
    if (after) this.keeper.write(after);
  }

  private appendRow(entry: AuditEntry): AuditRecord {
    const head = this.table.head();
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? genesisHash(this.chainId);
    const details = JSON.parse(canonicalJson(entry.details)) as Record<string, unknown>;
    const base = { seq, time: this.now().toISOString(), user: entry.user, action: entry.action, object: entry.object, outcome: entry.outcome };
    const row: AuditRow = { ...base, details: canonicalJson(details), prevHash, hash: recordHash(prevHash, { ...base, details }) };
    this.table.insert(row);
    return toRecord(row);
  }

  /**
   * Moves the anchor to the head once the record is committed (an anchor ahead of its chain
   * would be a false alarm), unless the chain no longer holds the old anchor: then it stays
   * as the evidence. A failure here leaves the record in place and the anchor behind, which
   * only narrows what a later cut can be caught for, so it is reported and not raised.
   */
  private moveAnchor(): void {
    // A record made inside a larger transaction (an import's exhibit) is not committed yet, and a
    // kill before that commit would leave the anchor ahead of its chain: the next record made
    // outside one (every call's own) moves it instead.
    if (!this.keeper || this.table.inTransaction()) return;
    try {
      const head = this.table.head();
      const previous = this.keeper.read();
      if (head && (!previous || this.contains(previous))) this.keeper.write(head);
    } catch (err) {
      console.error(`[loupe] the anchor of the ${this.chain} audit chain could not be moved`, err);
    }
  }

  /** JSON lines: a header line, then one record a line, oldest first. */
  export(): { jsonl: string; headHash: string; records: number } {
    const lines: string[] = [];
    let headHash = genesisHash(this.chainId);
    for (const row of this.table.all()) {
      lines.push(canonicalJson(toRecord(row)));
      headHash = row.hash;
    }
    const header = canonicalJson({ format: 'loupe-audit/1', chain: this.chain, chainId: this.chainId, genesisHash: genesisHash(this.chainId), records: lines.length, headHash, exportedAt: this.now().toISOString() });
    return { jsonl: `${[header, ...lines].join('\n')}\n`, headHash, records: lines.length };
  }
}

type Verdict = Omit<AuditVerification, 'chain' | 'checkedAt'>;

function verifyRows(rows: Iterable<AuditRow>, chainId: string, anchor: AuditAnchor | null): Verdict {
  let expectedSeq = 1;
  let prevHash = genesisHash(chainId);
  let firstBad: Verdict['firstBad'];
  const anchorLost: { seq: number; time: string }[] = [];
  for (const row of rows) {
    if (row.action === ANCHOR_LOST) anchorLost.push({ seq: row.seq, time: row.time });
    if (!firstBad) {
      if (row.seq !== expectedSeq) {
        firstBad = row.seq > expectedSeq ? { seq: expectedSeq, reason: `record ${expectedSeq} is missing` } : { seq: row.seq, reason: 'record out of sequence' };
      } else if (row.prevHash !== prevHash) {
        firstBad = { seq: row.seq, reason: 'does not link to the record before it (removed, reordered or inserted records)' };
      } else {
        let details: unknown;
        try {
          details = JSON.parse(row.details);
        } catch {
          details = undefined;
        }
        if (details === undefined || recordHash(row.prevHash, { ...row, details }) !== row.hash) {
          firstBad = { seq: row.seq, reason: 'content does not match its hash (edited record)' };
        } else if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) {
          firstBad = { seq: row.seq, reason: 'differs from the record its anchor saw (records were removed and the chain rewritten)' };
        }
      }
    }
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
  }
  const records = expectedSeq - 1;
  if (!firstBad && anchor) {
    if (anchor.seq > records) firstBad = { seq: records + 1, reason: `records ${records + 1} to ${anchor.seq} are missing (its anchor, kept outside the chain, saw ${anchor.seq} records)` };
  }
  return { ok: !firstBad, records, headHash: prevHash, ...(firstBad ? { firstBad } : {}), ...(anchorLost.length > 0 ? { anchorLost } : {}) };
}

/** One line of an export as a record, or null when it is not valid JSON or not a record. */
function parseRecordLine(line: string): AuditRecord | null {
  try {
    const parsed = AuditRecord.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Checks an exported audit file on its own, as a court or a defence expert would. */
export function verifyExport(jsonl: string): Verdict & { chainId: string } {
  const lines = jsonl.split('\n').filter((l) => l.trim() !== '');
  const broken = (chainId: string, seq: number, reason: string) => ({ chainId, ok: false, records: 0, headHash: '', firstBad: { seq, reason } });
  let header: { format?: unknown; chainId?: unknown; headHash?: unknown; records?: unknown };
  try {
    header = JSON.parse(lines[0] ?? '{}') as typeof header;
  } catch {
    header = {};
  }
  if (header.format !== 'loupe-audit/1' || typeof header.chainId !== 'string') return broken('', 0, 'not a Loupe audit export (bad header line)');
  const chainId = header.chainId;
  const rows: AuditRow[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const record = parseRecordLine(line);
    // A line that is not a record is named by its position: its own seq cannot be trusted.
    if (!record) return { ...broken(chainId, (rows.at(-1)?.seq ?? i) + 1, `line ${i + 2} of the file is not an audit record`), records: rows.length };
    rows.push({ ...record, details: canonicalJson(record.details) });
  }
  const verdict = verifyRows(rows, chainId, null);
  if (verdict.ok && (verdict.headHash !== header.headHash || verdict.records !== header.records)) {
    return { ...verdict, chainId, ok: false, firstBad: { seq: verdict.records, reason: 'the header head hash or count does not match the records (truncated file)' } };
  }
  return { ...verdict, chainId };
}
