import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson, Id, LoupeError, type CaseExport, type CaseImport, type PackageEntry, type User } from '../../shared';
import { AuditLog, verifyExport, type AuditAnchor } from '../audit';
import { caseRetention, type CaseService, type OpenCase } from '../cases';
import { randomKey } from '../crypto';
import { fsPath, openOriginal } from '../evidence';
import { privateFile, privateFolder, PRIVATE_FILE } from '../files';
import { adoptCaseDatabase, CASE_FILES, CASE_SCHEMA_VERSION, openCaseStore } from '../store';
import { PackageReader, PackageWriter } from './package-file';

export { PACKAGE_FORMAT, PackageWriter } from './package-file';

const MANIFEST_FORMAT = 'loupe-disclosure-manifest/1';
/** A manifest lists every exhibit's original: far below this even for a large case. */
const MAX_MANIFEST_BYTES = 64 * 2 ** 20;
/** Entries held in memory on import (the audit chain, the report); the database and originals stream to disk. */
const MAX_IN_MEMORY_BYTES = 1024 * 2 ** 20;
const READ_BYTES = 2 ** 20;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Entry = z.object({ name: z.string().max(300), kind: z.enum(['case-database', 'audit-chain', 'report', 'original']), bytes: z.number().int().min(0), sha256: Sha256 });

/** What a package holds, first in its payload; the database key is the copy's own, never the case's. */
export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  case: z.object({ id: Id, reference: z.string().min(1).max(64), schemaVersion: z.number().int().min(1) }),
  exportedAt: z.string(),
  exportedBy: z.string(),
  fromWorkstation: z.string(),
  chain: z.object({ records: z.number().int().min(0), headHash: Sha256 }),
  databaseKey: z.string().refine((v) => Buffer.from(v, 'base64').length === 32),
  entries: z.array(Entry).min(2),
  /** Every original by its hash, whether or not it is inside the package. */
  originals: z.array(z.object({ sha256: Sha256, exhibitIds: z.array(z.number().int()), sourcePaths: z.array(z.string()), included: z.boolean() })),
});
export type Manifest = z.infer<typeof Manifest>;

export interface ExportRequest {
  out: string;
  passphrase: string;
  withOriginals: boolean;
  /** The case report (PDF), when one could be made. */
  report: Uint8Array | null;
}

/** A case read from a package and checked, in a folder of its own, not yet registered. */
export interface IncomingCase {
  result: CaseImport;
  register: { id: string; reference: string; folder: string; createdAt: string; createdBy: string; retentionDate: string; held: boolean };
  head: AuditAnchor;
  /** Takes the case folder (and any originals written) away again, when registering it fails. */
  discard(): Promise<void>;
}

type Original = { sha256: string; exhibitIds: number[]; sourcePaths: string[] };
/** An original with the places it may be read from: where the case records it to be now, then its source paths. */
type PlacedOriginal = Original & { places: string[] };

/**
 * Disclosure packages: one encrypted file that carries a case (a copy of its database under
 * a key of its own, its audit chain, its report and, when asked, its original evidence) from
 * one workstation to another, with a manifest of SHA-256 hashes. Importing checks every
 * hash and the chain before anything is registered, and a failure leaves nothing behind.
 */
export class DisclosureService {
  constructor(
    private readonly cases: CaseService,
    private readonly workstationId: string,
    private readonly now: () => Date,
  ) {}

  async export(c: OpenCase, req: ExportRequest, by: User): Promise<CaseExport> {
    const out = fullPath(req.out, 'out');
    if (existsSync(out)) throw new LoupeError('conflict', `${out} already exists: choose a new file name (a package is never written over a file).`, 'out');
    const verdict = c.audit.verify();
    if (!verdict.ok) {
      throw new LoupeError('integrity', `The audit chain of this case is broken at record ${verdict.firstBad?.seq} (${verdict.firstBad?.reason}), so a package of it would not verify. Resolve that first (Audit, Verify chain); nothing was exported.`);
    }
    const info = c.store.reads.info();
    const originals = groupOriginals(c);
    const copy = path.join(c.store.folder, `.export-${process.pid}-${Date.now()}.db`);
    const databaseKey = randomKey();
    let writer: PackageWriter | null = null;
    try {
      // The copy and the chain are read in one synchronous step, so the chain is the one inside the copy.
      const schemaVersion = c.store.copyTo(copy, databaseKey);
      const chain = c.audit.export();
      const audit = Buffer.from(chain.jsonl);
      const included = req.withOriginals ? await sizeOriginals(originals) : [];
      const entries: PackageEntry[] = [
        { name: 'case.db', kind: 'case-database', ...(await hashFile(copy)) },
        { name: 'audit.jsonl', kind: 'audit-chain', bytes: audit.length, sha256: sha256(audit) },
        ...(req.report ? [{ name: 'report.pdf', kind: 'report' as const, bytes: req.report.byteLength, sha256: sha256(req.report) }] : []),
        ...included.map((o) => ({ name: `originals/${o.sha256}`, kind: 'original' as const, bytes: o.bytes, sha256: o.sha256 })),
      ];
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        case: { id: info.id, reference: info.reference, schemaVersion },
        exportedAt: this.now().toISOString(),
        exportedBy: by.username,
        fromWorkstation: this.workstationId,
        chain: { records: chain.records, headHash: chain.headHash },
        databaseKey: databaseKey.toString('base64'),
        entries,
        originals: originals.map(({ sha256, exhibitIds, sourcePaths }) => ({ sha256, exhibitIds, sourcePaths, included: req.withOriginals })),
      };
      const partial = `${out}.partial`;
      writer = await PackageWriter.create(partial, req.passphrase);
      const head = Buffer.from(canonicalJson(manifest));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(head.length);
      await writer.write(length);
      await writer.write(head);
      await copyInto(writer, copy, entries[0]!);
      await writer.write(audit);
      if (req.report) await writer.write(req.report);
      for (const o of included) await copyOriginalInto(writer, o);
      const written = await writer.finish();
      writer = null;
      if (existsSync(out)) {
        await rm(partial, { force: true });
        throw new LoupeError('conflict', `${out} appeared while the package was written: nothing was exported. Choose a new file name.`, 'out');
      }
      await rename(partial, out);
      return {
        file: out,
        ...written,
        chain: manifest.chain,
        entries,
        originals: { referenced: originals.length, included: included.length },
        report: req.report !== null,
      };
    } finally {
      databaseKey.fill(0);
      await writer?.abort();
      await rm(copy, { force: true });
      await rm(`${copy}-journal`, { force: true });
    }
  }

  /**
   * Reads and checks a package into a new case folder: every entry against its hash, the
   * chain in the database against the chain exported beside it, then the database is
   * re-keyed under a new case key with one key slot (the importing user's) and the import
   * recorded on the case's own chain. The caller registers the result, or discards it.
   */
  async import(req: { file: string; packagePassphrase: string; passphrase: string; originalsTo?: string | undefined }, by: User): Promise<IncomingCase> {
    const file = fullPath(req.file, 'file');
    const originalsTo = req.originalsTo ? fullPath(req.originalsTo, 'originalsTo') : null;
    const reader = await PackageReader.open(file, req.packagePassphrase);
    const staging = this.cases.stagingFolder();
    const originalsStaging = originalsTo ? path.join(path.dirname(originalsTo), `.${path.basename(originalsTo)}.incoming-${process.pid}`) : null;
    let moved: string | null = null;
    let movedOriginals: string | null = null;
    const discard = async () => {
      for (const dir of [staging, originalsStaging, moved, movedOriginals]) if (dir) await rm(dir, { recursive: true, force: true });
    };
    try {
      const manifest = await readManifest(reader);
      const folder = this.cases.folderForIncoming(manifest.case.id, manifest.case.reference);
      const withOriginals = manifest.entries.some((e) => e.kind === 'original');
      if (withOriginals && !originalsTo) {
        throw new LoupeError('invalid_input', `This package holds ${manifest.entries.filter((e) => e.kind === 'original').length} original evidence file(s): say which new folder they go to (originalsTo, --originals-to DIR); nothing was imported.`, 'originalsTo');
      }
      if (originalsTo && existsSync(originalsTo)) throw new LoupeError('conflict', `${originalsTo} already exists: name a new folder for the originals; nothing was imported.`, 'originalsTo');
      privateFolder(staging);
      if (originalsStaging && withOriginals) privateFolder(originalsStaging);
      const kept = new Map<string, Buffer>();
      for (const entry of manifest.entries) {
        const target = entry.kind === 'case-database' ? path.join(staging, CASE_FILES.database) : entry.kind === 'original' ? path.join(originalsStaging!, originalName(manifest, entry)) : null;
        const got = target ? await streamTo(reader, entry.bytes, target) : await keep(reader, entry, kept);
        if (got !== entry.sha256) throw damagedEntry(entry);
      }
      const packageSha256 = await reader.end();
      const audit = kept.get('audit.jsonl')?.toString('utf8');
      if (audit === undefined) throw damagedEntry({ name: 'audit.jsonl' });
      const exported = verifyExport(audit);
      if (!exported.ok || exported.chainId !== manifest.case.id || exported.headHash !== manifest.chain.headHash || exported.records !== manifest.chain.records) {
        throw new LoupeError('integrity', `The audit chain in this package does not verify (${exported.firstBad ? `record ${exported.firstBad.seq}: ${exported.firstBad.reason}` : 'it is not the chain its manifest names'}). Nothing was imported.`, 'file');
      }
      const report = manifest.entries.find((e) => e.kind === 'report');
      if (report && !chainNamesReport(audit, report.sha256)) {
        throw new LoupeError('integrity', `The report in this package (SHA-256 ${report.sha256}) is not named by any record of the case's audit chain, so it is not a report this case wrote. Nothing was imported.`, 'file');
      }
      const copyKey = Buffer.from(manifest.databaseKey, 'base64');
      try {
        await adoptCaseDatabase(staging, copyKey, manifest.case.id, { username: by.username, passphrase: req.passphrase, now: this.now().toISOString() });
      } finally {
        copyKey.fill(0);
      }
      const store = await openCaseStore(staging, { username: by.username, passphrase: req.passphrase });
      try {
        const info = store.reads.info();
        const log = new AuditLog(store.audit, 'case', store.id, this.now);
        const own = log.verify(null);
        if (info.id !== manifest.case.id || info.reference !== manifest.case.reference || !own.ok || own.records !== manifest.chain.records || own.headHash !== manifest.chain.headHash) {
          throw new LoupeError('integrity', 'The case database in this package is not the case, or does not hold the audit chain, its manifest names. Nothing was imported.', 'file');
        }
        const written = withOriginals ? manifest.entries.filter((e) => e.kind === 'original') : [];
        const originals = { referenced: manifest.originals.length, written: written.length, folder: withOriginals ? originalsTo : null };
        const at = this.now().toISOString();
        // The exhibits keep the paths they were imported from; checks and a later export read the copies where they were written.
        store.transaction(() => {
          for (const entry of written) {
            const reason = `written here by the import of disclosure package ${packageSha256} (exported by ${manifest.exportedBy} on ${manifest.exportedAt})`;
            store.writes.setOriginalLocation({ sha256: entry.sha256, path: path.join(originalsTo!, originalName(manifest, entry)), at, by: by.username, reason });
          }
          log.append({
            user: by.username,
            action: 'cases.imported',
            object: `case:${store.id}`,
            outcome: 'ok',
            details: {
              package: { sha256: packageSha256, file, exportedAt: manifest.exportedAt, exportedBy: manifest.exportedBy, fromWorkstation: manifest.fromWorkstation },
              chain: manifest.chain,
              entries: manifest.entries,
              originals,
              toWorkstation: this.workstationId,
            },
          });
        });
        const head = log.head()!;
        const result: CaseImport = {
          caseId: store.id,
          reference: info.reference,
          packageSha256,
          exportedAt: manifest.exportedAt,
          exportedBy: manifest.exportedBy,
          chain: manifest.chain,
          head: { records: head.seq, headHash: head.hash },
          entries: manifest.entries,
          originals,
        };
        const retention = caseRetention(store);
        store.close();
        await rename(staging, folder);
        moved = folder;
        if (originalsStaging && originalsTo && withOriginals) {
          await rename(originalsStaging, originalsTo);
          movedOriginals = originalsTo;
        }
        const register = { id: store.id, reference: info.reference, folder, createdAt: info.createdAt, createdBy: info.createdBy, retentionDate: retention.retentionDate, held: retention.held };
        return { result, register, head, discard };
      } finally {
        store.close();
      }
    } catch (err) {
      await discard();
      throw err;
    } finally {
      await reader.close();
    }
  }
}

/** A path as given, if it is a full one: a relative path would be read against wherever the app happened to start. */
function fullPath(given: string, field: string): string {
  if (!path.isAbsolute(given)) throw new LoupeError('invalid_input', `Give the full path (for example /media/disk/OP-123.loupe), not ${given}.`, field);
  return path.normalize(given);
}

/** Distinct originals of the case by hash (an exhibit without a hash was never read, and has none to carry). */
function groupOriginals(c: OpenCase): PlacedOriginal[] {
  const byHash = new Map<string, Original & { location: string | null }>();
  for (const e of c.store.reads.exhibitsForCheck()) {
    if (e.sha256 === '') continue;
    const o = byHash.get(e.sha256) ?? { sha256: e.sha256, exhibitIds: [], sourcePaths: [], location: e.location };
    o.exhibitIds.push(e.id);
    if (!o.sourcePaths.includes(e.sourcePath)) o.sourcePaths.push(e.sourcePath);
    byHash.set(e.sha256, o);
  }
  return [...byHash.values()].map(({ location, ...o }) => ({ ...o, places: location ? [location, ...o.sourcePaths] : o.sourcePaths }));
}

/** Each original's size, from the first of its places that is still there; a missing one stops the export. */
async function sizeOriginals(originals: PlacedOriginal[]): Promise<(Original & { bytes: number; source: string })[]> {
  const sized = [];
  for (const o of originals) {
    let found: { source: string; bytes: number } | null = null;
    for (const source of o.places) {
      const s = await stat(fsPath(source)).catch(() => null);
      if (s?.isFile()) {
        found = { source, bytes: s.size };
        break;
      }
    }
    if (!found) {
      throw new LoupeError('not_found', `The original of exhibit ${o.exhibitIds.join(', ')} (${o.sourcePaths[0]}) is not where it was imported from, so it cannot be included; nothing was exported. Put it back, or export without the originals.`, 'withOriginals');
    }
    sized.push({ ...o, ...found });
  }
  return sized;
}

async function copyOriginalInto(writer: PackageWriter, o: Original & { bytes: number; source: string }): Promise<void> {
  const { handle } = await openOriginal(fsPath(o.source)).catch((err: Error) => {
    throw new LoupeError('not_found', `The original ${o.source} cannot be read (${err.message}); nothing was exported.`, 'withOriginals');
  });
  try {
    const got = await pipe(handle, o.bytes, (b) => writer.write(b));
    if (got !== o.sha256) {
      throw new LoupeError('integrity', `The original ${o.source} (exhibit ${o.exhibitIds.join(', ')}) has changed since it was imported (its SHA-256 is now ${got}, was ${o.sha256}); nothing was exported. Restore the original, or export without the originals.`, 'withOriginals');
    }
  } finally {
    await handle.close();
  }
}

async function copyInto(writer: PackageWriter, file: string, entry: PackageEntry): Promise<void> {
  const fh = await open(file, 'r');
  try {
    if ((await pipe(fh, entry.bytes, (b) => writer.write(b))) !== entry.sha256) throw new LoupeError('internal', 'The copy of the case database changed while it was packed; nothing was exported.');
  } finally {
    await fh.close();
  }
}

/** Reads exactly `bytes` from the start of a file into `sink`; answers their SHA-256. */
async function pipe(fh: FileHandle, bytes: number, sink: (b: Buffer) => Promise<void>): Promise<string> {
  const h = createHash('sha256');
  let done = 0;
  while (done < bytes) {
    const buf = Buffer.alloc(Math.min(READ_BYTES, bytes - done));
    const { bytesRead } = await fh.read(buf, 0, buf.length, done);
    if (bytesRead === 0) break;
    const piece = buf.subarray(0, bytesRead);
    h.update(piece);
    await sink(piece);
    done += bytesRead;
  }
  // A file that shrank is short: the hash then cannot match, and says so.
  if (done < bytes) h.update(`short by ${bytes - done}`);
  return h.digest('hex');
}

async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const fh = await open(file, 'r');
  try {
    const bytes = (await fh.stat()).size;
    return { bytes, sha256: await pipe(fh, bytes, async () => undefined) };
  } finally {
    await fh.close();
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const damagedEntry = (entry: { name: string }) =>
  new LoupeError('integrity', `The entry ${entry.name} of this package does not match its SHA-256 in the manifest. Nothing was imported; ask for the package again.`, 'file');

async function readManifest(reader: PackageReader): Promise<Manifest> {
  const length = (await reader.read(4)).readUInt32BE();
  if (length > MAX_MANIFEST_BYTES) throw new LoupeError('integrity', 'The manifest of this package is too large to be one. Nothing was imported.', 'file');
  let raw: unknown;
  try {
    raw = JSON.parse((await reader.read(length)).toString('utf8'));
  } catch {
    throw new LoupeError('integrity', 'The manifest of this package is not readable. Nothing was imported.', 'file');
  }
  const format = (raw as { format?: unknown } | null)?.format;
  const schemaVersion = (raw as { case?: { schemaVersion?: unknown } } | null)?.case?.schemaVersion;
  if (format !== MANIFEST_FORMAT || (typeof schemaVersion === 'number' && schemaVersion > CASE_SCHEMA_VERSION)) {
    throw new LoupeError(
      'conflict',
      `This package was written by a newer version of Loupe (${format !== MANIFEST_FORMAT ? `manifest ${String(format)}` : `case schema ${String(schemaVersion)}; this version knows up to ${CASE_SCHEMA_VERSION}`}). Update Loupe on this workstation to import it; nothing was imported.`,
      'file',
    );
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new LoupeError('integrity', `The manifest of this package has unexpected content (at ${parsed.error.issues[0]?.path.join('.')}). Nothing was imported.`, 'file');
  const m = parsed.data;
  const kinds = m.entries.map((e) => e.kind);
  if (kinds.filter((k) => k === 'case-database').length !== 1 || kinds.filter((k) => k === 'audit-chain').length !== 1 || new Set(m.entries.map((e) => e.name)).size !== m.entries.length) {
    throw new LoupeError('integrity', 'The manifest of this package does not list one case database and one audit chain. Nothing was imported.', 'file');
  }
  return m;
}

/** An entry kept in memory (the chain, the report), with its SHA-256. */
async function keep(reader: PackageReader, entry: PackageEntry, kept: Map<string, Buffer>): Promise<string> {
  if (entry.bytes > MAX_IN_MEMORY_BYTES) throw new LoupeError('integrity', `The entry ${entry.name} of this package is larger than any Loupe writes. Nothing was imported.`, 'file');
  const bytes = await reader.read(entry.bytes);
  kept.set(entry.name, bytes);
  return sha256(bytes);
}

async function streamTo(reader: PackageReader, bytes: number, target: string): Promise<string> {
  const fh = await open(privateFile(target), 'w', PRIVATE_FILE);
  const h = createHash('sha256');
  try {
    for await (const piece of reader.take(bytes)) {
      h.update(piece);
      await fh.write(piece);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** Whether a record of an exported chain (JSON lines) names a written report by its SHA-256, as report.verify looks for it. */
function chainNamesReport(jsonl: string, sha: string): boolean {
  return jsonl.split('\n').some((line) => {
    if (!line.includes(sha)) return false;
    const r = JSON.parse(line) as { outcome?: unknown; details?: { report?: { sha256?: unknown } } };
    return r.outcome === 'ok' && r.details?.report?.sha256 === sha;
  });
}

/** An original's file name in the originals folder: its hash, and the extension it had, so a viewer opens it. */
function originalName(m: Manifest, entry: PackageEntry): string {
  const source = m.originals.find((o) => o.sha256 === entry.sha256)?.sourcePaths[0] ?? '';
  const ext = path.extname(source).toLowerCase();
  return `${entry.sha256}${/^\.[a-z0-9]{1,10}$/.test(ext) ? ext : ''}`;
}
