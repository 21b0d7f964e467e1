import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared';
import { CASE_SCHEMA_VERSION } from '../store';
import { sha256Hex } from '../crypto';
import { assessmentBody as body, CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tempCase, tempWorkstation } from '../testing';
import { PackageWriter, type Manifest } from './index';
import { PackageReader } from './package-file';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`disclosure tests with faces: ${facesAvailable ? `no model pack in ${MODELS_DIR}` : FACES_MISSING}: skipped`);

const PACKAGE_PASSPHRASE = 'a package passphrase for the defence';
const IMPORT_PASSPHRASE = 'my own passphrase for the copy';
type Ws = Awaited<ReturnType<typeof tempWorkstation>>;

/** A second workstation with its own supervisor "boss" signed in, and a reviewer "rev". */
async function secondWorkstation(): Promise<Ws> {
  const b = await tempWorkstation('loupe-disclosure-b-');
  await b.must('session.createFirstSupervisor', { username: 'boss', displayName: 'Bea', password: PASSWORD });
  await b.must('users.add', { username: 'rev', displayName: 'Rui', role: 'reviewer', password: PASSWORD });
  return b;
}

/** What of a workstation's home is left after a refused import: the register and the case folders. */
const casesOn = async (w: Ws) => ({ listed: (await w.must('cases.list', {})).map((c) => c.id), folders: existsSync(path.join(w.home, 'cases')) ? readdirSync(path.join(w.home, 'cases')) : [] });

const workstationRecords = async (w: Ws, action: string) => (await w.must('audit.list', { chain: 'workstation', offset: 0, limit: 1000 })).records.filter((r) => r.action === action);

/** One entry of a package, read as a recipient's own tool would: the manifest first, then the entries in its order. */
async function packaged(file: string, kind: Manifest['entries'][number]['kind']): Promise<Buffer> {
  const r = await PackageReader.open(file, PACKAGE_PASSPHRASE);
  try {
    const m = JSON.parse((await r.read((await r.read(4)).readUInt32BE())).toString('utf8')) as Manifest;
    let found: Buffer | null = null;
    for (const e of m.entries) {
      const bytes = await r.read(e.bytes);
      if (e.kind === kind) found ??= bytes;
    }
    if (!found) throw new Error(`no ${kind} in ${file}`);
    return found;
  } finally {
    await r.close();
  }
}

describe('the package container', () => {
  it('streams a payload of several chunks back, and names a package cut at a chunk boundary as truncated', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-container-'));
    try {
      const file = path.join(dir, 'p.loupe');
      const payload = Buffer.from(Array.from({ length: 5 * 2 ** 19 }, (_, i) => (i * 7919) % 251));
      const w = await PackageWriter.create(file, PACKAGE_PASSPHRASE);
      // Written in odd-sized pieces, read back in others.
      for (let at = 0; at < payload.length; at += 300_001) await w.write(payload.subarray(at, at + 300_001));
      const written = await w.finish();
      expect(written.sha256).toBe(sha256Hex(readFileSync(file)));
      const r = await PackageReader.open(file, PACKAGE_PASSPHRASE);
      const back = Buffer.concat([await r.read(1000), await r.read(payload.length - 1000)]);
      expect(back.equals(payload)).toBe(true);
      expect(await r.end()).toBe(written.sha256);
      await r.close();

      // Three chunks (1 MiB, 1 MiB, 0.5 MiB): cut after the second, both of which still authenticate.
      const bytes = readFileSync(file);
      const firstFrame = 12 + bytes.readUInt32BE(8) + 64;
      const frame = 4 + 2 ** 20 + 16;
      const cut = path.join(dir, 'cut.loupe');
      writeFileSync(cut, bytes.subarray(0, firstFrame + 2 * frame));
      const rc = await PackageReader.open(cut, PACKAGE_PASSPHRASE);
      await expect(rc.read(payload.length)).rejects.toThrow(/truncated: it ends after 2 whole chunk/);
      await rc.close();
      // Two chunks swapped: each fails as out of place.
      const swapped = Buffer.concat([bytes.subarray(0, firstFrame), bytes.subarray(firstFrame + frame, firstFrame + 2 * frame), bytes.subarray(firstFrame, firstFrame + frame), bytes.subarray(firstFrame + 2 * frame)]);
      writeFileSync(cut, swapped);
      const rs = await PackageReader.open(cut, PACKAGE_PASSPHRASE);
      await expect(rs.read(payload.length)).rejects.toThrow(/chunk 1 fails its authentication/);
      await rs.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('disclosure packages: refusals, with an empty case', () => {
  let a: Awaited<ReturnType<typeof tempCase>>;
  let b: Ws;
  let out: string;
  let pkg: string;
  beforeAll(async () => {
    a = await tempCase();
    b = await secondWorkstation();
    out = mkdtempSync(path.join(os.tmpdir(), 'loupe-packages-'));
    pkg = path.join(out, 'case.loupe');
    await a.must('cases.export', { out: pkg, passphrase: PACKAGE_PASSPHRASE });
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  const damagedCopy = (name: string, change: (bytes: Buffer) => Buffer) => {
    const file = path.join(out, name);
    writeFileSync(file, change(readFileSync(pkg)));
    return file;
  };
  const refused = async (file: string, packagePassphrase = PACKAGE_PASSPHRASE) => {
    const before = await casesOn(b);
    const r = await b.invoke('cases.import', { file, packagePassphrase, passphrase: IMPORT_PASSPHRASE });
    expect(r.ok).toBe(false);
    // Nothing half-imported: no register row, no case folder, no staging folder.
    expect(await casesOn(b)).toEqual(before);
    return r.ok ? null : r.error;
  };

  it('refuses a wrong passphrase, a changed byte anywhere and a truncated package, each saying which', async () => {
    expect(await refused(pkg, 'not the package passphrase')).toMatchObject({ code: 'wrong_passphrase', message: expect.stringMatching(/does not open this package/) });
    const bytes = readFileSync(pkg);
    const firstFrame = 12 + bytes.readUInt32BE(8) + 64;
    // A byte in the header, in the first chunk (the manifest) and in the last.
    for (const [name, at] of [['header', 20], ['first', firstFrame + 50], ['last', bytes.length - 30]] as const) {
      const file = damagedCopy(`flip-${name}.loupe`, (bytes) => {
        bytes[at] = (bytes[at] ?? 0) ^ 0x01;
        return bytes;
      });
      expect(await refused(file)).toMatchObject({ code: 'integrity', message: expect.stringMatching(/damaged or was altered/) });
    }
    const cut = await refused(damagedCopy('cut.loupe', (bytes) => bytes.subarray(0, bytes.length - 1000)));
    expect(cut).toMatchObject({ code: 'integrity', message: expect.stringMatching(/damaged|truncated/) });
    expect(await refused(damagedCopy('header-only.loupe', (b2) => b2.subarray(0, firstFrame)))).toMatchObject({ code: 'integrity', message: expect.stringMatching(/truncated/) });
    expect(await refused(damagedCopy('not-a-package', () => Buffer.from('hello')))).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/not a Loupe disclosure package/) });
    // Each refusal is on the importing workstation's chain, with no passphrase in it.
    const records = await workstationRecords(b, 'cases.import');
    expect(records.length).toBeGreaterThanOrEqual(7);
    expect(records.every((r) => r.outcome !== 'ok' && JSON.stringify(r.details).includes('[redacted]') && !JSON.stringify(r.details).includes(PACKAGE_PASSPHRASE))).toBe(true);
  });

  it('refuses a case already on the workstation, a taken reference, a newer case schema and a newer package format', async () => {
    // The exporting workstation already has this case.
    const here = await a.invoke('cases.import', { file: pkg, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE });
    expect(here).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/is already on this workstation/) } });
    // Imported once on B, a second import of the same package is refused the same way.
    const first = await b.must('cases.import', { file: pkg, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE });
    expect(first.reference).toBe(CASE_AUTHORITY.reference);
    expect(await refused(pkg)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already on this workstation/) });
    // Another case with the same reference (made on a third workstation) is refused by its reference.
    const c = await tempCase();
    try {
      const other = path.join(out, 'other.loupe');
      await c.must('cases.export', { out: other, passphrase: PACKAGE_PASSPHRASE });
      expect(await refused(other)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/reference OP-TEST\/001 already exists/) });
    } finally {
      await c.dispose();
    }
    // A package from a newer Loupe: its case schema is one this version does not know.
    const newer = path.join(out, 'newer-schema.loupe');
    const manifest: Manifest = {
      format: 'loupe-disclosure-manifest/1',
      case: { id: 'newer-case-id', reference: 'NEWER/1', schemaVersion: CASE_SCHEMA_VERSION + 1 },
      exportedAt: '2027-01-01T00:00:00.000Z',
      exportedBy: 'someone',
      fromWorkstation: 'elsewhere',
      chain: { records: 0, headHash: '0'.repeat(64) },
      databaseKey: Buffer.alloc(32).toString('base64'),
      entries: [
        { name: 'case.db', kind: 'case-database', bytes: 0, sha256: sha256Hex('') },
        { name: 'audit.jsonl', kind: 'audit-chain', bytes: 0, sha256: sha256Hex('') },
      ],
      originals: [],
    };
    const w = await PackageWriter.create(newer, PACKAGE_PASSPHRASE);
    const json = Buffer.from(canonicalJson(manifest));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    await w.write(Buffer.concat([len, json]));
    await w.finish();
    expect(await refused(newer)).toMatchObject({ code: 'conflict', message: expect.stringMatching(new RegExp(`newer version of Loupe \\(case schema ${CASE_SCHEMA_VERSION + 1}; this version knows up to ${CASE_SCHEMA_VERSION}\\)`)) });
    // A newer container format is refused before any passphrase is tried.
    const format = damagedCopy('newer-format.loupe', (bytes) => {
      const text = bytes.toString('latin1');
      return Buffer.from(text.replace('"format":"loupe-disclosure/1"', '"format":"loupe-disclosure/2"'), 'latin1');
    });
    const header = readFileSync(format);
    const length = header.readUInt32BE(8);
    // Its checksum is made again, as a newer writer would.
    const json2 = header.subarray(12, 12 + length);
    const check = header.subarray(12 + length, 12 + length + 32);
    const { createHash } = await import('node:crypto');
    createHash('sha256').update(json2).update(check).digest().copy(header, 12 + length + 32);
    writeFileSync(format, header);
    expect(await refused(format)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/newer version of Loupe \(format loupe-disclosure\/2/) });
  });

  it('refuses to bring back a case purged on this workstation', async () => {
    const old = await b.must('cases.create', { ...CASE_AUTHORITY, reference: 'OLD/1', retentionDate: '2020-01-01', passphrase: PASSPHRASE });
    const file = path.join(out, 'old.loupe');
    await b.must('cases.export', { out: file, passphrase: PACKAGE_PASSPHRASE });
    await b.must('cases.close', {});
    await b.must('retention.purge', { caseId: old.id, confirmReference: 'OLD/1' });
    expect(await refused(file)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^Case OLD\/1 was purged on .* it can never be opened again\. The package was not imported/) });
  });

  it('lets only a supervisor export or import, and keeps passphrases out of the records', async () => {
    await a.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    const caseId = (await a.must('cases.info', {})).id;
    await a.must('cases.grantAccess', { username: 'ann', passphrase: 'ann passphrase for the case' });
    await a.must('session.signOut', {});
    await a.must('session.signIn', { username: 'ann', password: PASSWORD });
    await a.must('cases.open', { caseId, passphrase: 'ann passphrase for the case' });
    expect(await a.invoke('cases.export', { out: path.join(out, 'ann.loupe'), passphrase: PACKAGE_PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await a.invoke('cases.import', { file: pkg, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(existsSync(path.join(out, 'ann.loupe'))).toBe(false);
    await a.must('session.signOut', {});
    await a.must('session.signIn', { username: 'sup', password: PASSWORD });
    await a.must('cases.open', { caseId, passphrase: PASSPHRASE });
    const exported = (await a.must('audit.list', { chain: 'case', offset: 0, limit: 1000 })).records.filter((r) => r.action === 'cases.export');
    expect(exported.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(exported)).not.toContain(PACKAGE_PASSPHRASE);
    expect(exported.find((r) => r.outcome === 'ok')?.details).toMatchObject({ input: { passphrase: '[redacted]' } });
    // Paths are full ones: a relative one would depend on where the app was started.
    expect(await a.invoke('cases.export', { out: 'case.loupe', passphrase: PACKAGE_PASSPHRASE })).toMatchObject({ ok: false, error: { field: 'out', message: expect.stringMatching(/Give the full path/) } });
    expect(await b.invoke('cases.import', { file: 'case.loupe', packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE })).toMatchObject({ ok: false, error: { field: 'file' } });
    // A package is never written over a file.
    expect(await a.invoke('cases.export', { out: pkg, passphrase: PACKAGE_PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/already exists/) } });
  });
});

describe.skipIf(!ready)('disclosure packages: a case with real faces, between two workstations', () => {
  let a: Awaited<ReturnType<typeof tempCase>>;
  let b: Ws;
  let src: string;
  let out: string;
  let caseId: string;
  let itemId: number;
  let pkg: string;
  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-disclosure-src-'));
    for (const f of ['obama.jpg', 'obama2.jpg']) copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama', f), path.join(src, f));
    out = mkdtempSync(path.join(os.tmpdir(), 'loupe-packages-'));
    a = await tempCase();
    caseId = (await a.must('cases.info', {})).id;
    await a.must('evidence.import', { paths: [src] });
    await a.ws.importSettled();
    const { exhibits } = await a.must('evidence.list', { offset: 0, limit: 10, status: 'done' });
    const faceOf = async (name: string) => (await a.must('evidence.get', { exhibitId: exhibits.find((e) => e.fileName === name)?.id ?? 0 })).faces[0]?.id ?? 0;
    const opened = await a.must('review.open', { leftFaceId: await faceOf('obama.jpg'), rightFaceId: await faceOf('obama2.jpg'), origin: { kind: 'pair' } });
    itemId = opened.item.id;
    await a.must('review.assess', { itemId, body: body('moderate_same') });
    await a.must('review.submit', { itemId });
    b = await secondWorkstation();
    pkg = path.join(out, 'case.loupe');
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Each test leaves workstation B signed in as its supervisor with no case open.
    await b.invoke('cases.close', {});
    await b.invoke('session.signOut', {});
    await b.must('session.signIn', { username: 'boss', password: PASSWORD });
  });

  it('round trip: the case arrives whole, its chain intact with the import recorded, and a reviewer there verifies the lead', async () => {
    const exhibitsA = (await a.must('evidence.list', { offset: 0, limit: 10 })).exhibits;
    const exported = await a.must('cases.export', { out: pkg, passphrase: PACKAGE_PASSPHRASE });
    expect(exported).toMatchObject({ file: pkg, originals: { referenced: 2, included: 0 } });
    expect(exported.sha256).toBe(sha256Hex(readFileSync(pkg)));
    expect(exported.entries.map((e) => e.kind)).toEqual(['case-database', 'audit-chain', 'report']);
    expect(exported.report).toBe(true);
    // The package is ciphertext: no exhibit name, no reference, no SQLite header in the clear.
    const raw = readFileSync(pkg);
    for (const clear of ['obama', CASE_AUTHORITY.reference, 'SQLite format 3']) expect(raw.includes(Buffer.from(clear))).toBe(false);
    // Recorded on the exporting case's chain and on its workstation's chain, both naming the package's hash.
    const caseRecord = (await a.must('audit.list', { chain: 'case', offset: 0, limit: 1 })).records[0];
    expect(caseRecord).toMatchObject({ seq: exported.chain.records + 1, action: 'cases.export', outcome: 'ok', object: `case:${caseId}`, details: { package: { sha256: exported.sha256 }, chain: exported.chain } });
    expect((await workstationRecords(a, 'cases.exported')).at(-1)).toMatchObject({ user: 'sup', object: `case:${caseId}`, details: { package: { sha256: exported.sha256 }, chain: exported.chain } });
    expect((await a.must('audit.verify', { chain: 'case' })).ok).toBe(true);
    // The database copy made for the package is gone.
    expect(readdirSync(path.join(a.home, 'cases', caseId)).filter((f) => f.startsWith('.export'))).toEqual([]);

    const imported = await b.must('cases.import', { file: pkg, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE });
    expect(imported).toMatchObject({ caseId, reference: CASE_AUTHORITY.reference, packageSha256: exported.sha256, exportedBy: 'sup', chain: exported.chain, head: { records: exported.chain.records + 1 } });
    expect((await workstationRecords(b, 'cases.import')).at(-1)).toMatchObject({ user: 'boss', outcome: 'ok', object: `case:${caseId}`, details: { package: { sha256: exported.sha256 }, head: imported.head } });
    expect(await b.must('cases.list', {})).toMatchObject([{ id: caseId, reference: CASE_AUTHORITY.reference, hasAccess: true }]);
    // Its retention date comes with it into this workstation's register.
    expect((await b.must('retention.queue', {})).cases).toMatchObject([{ caseId, retentionDate: CASE_AUTHORITY.retentionDate, held: false }]);

    // The importer opens it with their own new passphrase; its chain holds every record of the exporting workstation, then the import.
    await b.must('cases.open', { caseId, passphrase: IMPORT_PASSPHRASE });
    const chain = await b.must('audit.verify', { chain: 'case' });
    expect(chain).toMatchObject({ ok: true });
    const recordsB = (await b.must('audit.list', { chain: 'case', offset: 0, limit: 1000 })).records.reverse();
    const recordsA = (await a.must('audit.list', { chain: 'case', offset: 0, limit: 1000 })).records.reverse();
    expect(recordsB.slice(0, exported.chain.records)).toEqual(recordsA.slice(0, exported.chain.records));
    expect(recordsB[exported.chain.records]).toMatchObject({ action: 'cases.imported', user: 'boss', details: { package: { sha256: exported.sha256, exportedBy: 'sup' }, chain: exported.chain } });
    expect((await b.must('evidence.list', { offset: 0, limit: 10 })).exhibits.map((e) => [e.fileName, e.sha256, e.faceCount])).toEqual(exhibitsA.map((e) => [e.fileName, e.sha256, e.faceCount]));
    // The report in the package is the one the chain names: it checks against the imported case here.
    const report = await packaged(pkg, 'report');
    expect(report.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256Hex(report)).toBe(exported.entries.find((x) => x.kind === 'report')?.sha256);
    const checked = await b.must('report.verify', { contentBase64: report.toString('base64') });
    expect(checked).toMatchObject({ ok: true, chainOk: true, stateMatches: true, reproduced: true });
    const info = await b.must('cases.info', {});
    expect(info).toMatchObject({ title: CASE_AUTHORITY.title, members: [{ username: 'boss' }] });

    // A second examiner on this workstation verifies the lead, blind, from the queue.
    await b.must('cases.grantAccess', { username: 'rev', passphrase: 'rev passphrase for the copy' });
    await b.must('session.signOut', {});
    await b.must('session.signIn', { username: 'rev', password: PASSWORD });
    await b.must('cases.open', { caseId, passphrase: 'rev passphrase for the copy' });
    const next = await b.must('review.next', {});
    expect(next).toMatchObject({ part: 'verifier', item: { id: itemId, state: 'awaiting_verification' } });
    const verified = await b.must('review.verify', { itemId, body: body('moderate_same') });
    expect(verified.item).toMatchObject({ state: 'verified', lead: true });
    expect(verified.assessments.map((x) => [x.kind, x.examiner])).toEqual([
      ['examination', 'sup'],
      ['verification', 'rev'],
    ]);
    expect((await b.must('audit.verify', { chain: 'case' })).ok).toBe(true);
    await b.must('session.signOut', {});
    await b.must('session.signIn', { username: 'boss', password: PASSWORD });
    expect((await b.must('audit.verify', { chain: 'workstation' })).ok).toBe(true);
  });

  it('with the originals: each is carried, checked against its import hash and written to a new folder; a changed original stops the export', async () => {
    const withOriginals = path.join(out, 'with-originals.loupe');
    const exported = await a.must('cases.export', { out: withOriginals, passphrase: PACKAGE_PASSPHRASE, withOriginals: true });
    expect(exported.originals).toEqual({ referenced: 2, included: 2 });
    const hashes = (await a.must('evidence.list', { offset: 0, limit: 10 })).exhibits.map((e) => e.sha256).sort();
    expect(exported.entries.filter((e) => e.kind === 'original').map((e) => e.sha256).sort()).toEqual(hashes);

    // On a workstation that does not have the case yet: a third one.
    const c = await secondWorkstation();
    const folder = path.join(out, 'originals-here');
    try {
      expect(await c.invoke('cases.import', { file: withOriginals, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE })).toMatchObject({ ok: false, error: { field: 'originalsTo' } });
      const imported = await c.must('cases.import', { file: withOriginals, packagePassphrase: PACKAGE_PASSPHRASE, passphrase: IMPORT_PASSPHRASE, originalsTo: folder });
      expect(imported.originals).toEqual({ referenced: 2, written: 2, folder });
      const written = readdirSync(folder).sort();
      expect(written).toEqual(hashes.map((h) => `${h}.jpg`));
      for (const f of written) expect(sha256Hex(readFileSync(path.join(folder, f)))).toBe(f.slice(0, 64));

      // There, the originals are where the package wrote them, not at the paths they were imported from (moved away here, as on another machine).
      renameSync(src, `${src}-elsewhere`);
      try {
        await c.must('cases.open', { caseId, passphrase: IMPORT_PASSPHRASE });
        const checks = await c.must('evidence.verify', {});
        expect(checks.map((x) => ({ ok: x.ok, dir: path.dirname(x.readFrom), from: path.dirname(x.sourcePath) }))).toEqual(checks.map(() => ({ ok: true, dir: folder, from: src })));
        // So they travel on in the next package.
        const onward = await c.must('cases.export', { out: path.join(out, 'onward.loupe'), passphrase: PACKAGE_PASSPHRASE, withOriginals: true });
        expect(onward.originals).toEqual({ referenced: 2, included: 2 });
        // Where they were recorded to be is on the case's chain, with the import.
        const imported = (await c.must('audit.list', { chain: 'case', offset: 0, limit: 5 })).records.find((r) => r.action === 'cases.imported');
        expect(imported).toMatchObject({ details: { originals: { written: 2, folder } } });
      } finally {
        renameSync(`${src}-elsewhere`, src);
      }
    } finally {
      await c.dispose();
    }

    // An original changed since import: the export stops and leaves no file.
    const changed = path.join(out, 'changed.loupe');
    writeFileSync(path.join(src, 'obama2.jpg'), Buffer.concat([readFileSync(path.join(src, 'obama2.jpg')), Buffer.from('x')]));
    expect(await a.invoke('cases.export', { out: changed, passphrase: PACKAGE_PASSPHRASE, withOriginals: true })).toMatchObject({ ok: false, error: { code: 'integrity', message: expect.stringMatching(/has changed since it was imported/) } });
    expect(readdirSync(out).filter((f) => f.startsWith('changed'))).toEqual([]);
  });
});
