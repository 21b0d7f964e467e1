import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { flipByte } from '../testing/damage';
import { CASE_MIGRATIONS } from './case-schema';
import { CASE_FILES, createCaseStore, openCaseStore, openWorkstationStore } from './index';
import { migrate, openEncryptedDatabase, openPlainDatabase } from './sqlite';
import { WORKSTATION_MIGRATIONS } from './workstation-schema';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'loupe-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const info = (id = 'case-000001') => ({
  id,
  reference: 'OP-MARKER/1',
  title: 'MARKER_TITLE_7f3a',
  offenceCategory: 'robbery' as const,
  purpose: 'MARKER_PURPOSE_91bc',
  legalBasis: 'PACE 1984',
  authorisedBy: 'DI Marker',
  retentionDate: '2030-01-01',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
});

const expectLoupeError = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoupeError);
  expect((err as LoupeError).code).toBe(code);
};

describe('encrypted case store', () => {
  it('keeps no plaintext marker in the database, its WAL or its shared-memory file', async () => {
    const folder = path.join(tempDir(), 'case');
    const store = await createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' });
    // Write while the WAL is live and look at every file before and after a checkpoint.
    store.writes.setCaseMeta('probe', 'MARKER_ROW_5d2e');
    const markers = ['MARKER_TITLE_7f3a', 'MARKER_PURPOSE_91bc', 'MARKER_ROW_5d2e', 'SQLite format 3'];
    const scan = (expected: string[]) => {
      const files = readdirSync(folder);
      expect(files).toEqual(expect.arrayContaining(expected));
      for (const f of files) {
        const bytes = readFileSync(path.join(folder, f));
        for (const m of markers) expect(bytes.includes(m), `${m} in ${f}`).toBe(false);
      }
    };
    scan([CASE_FILES.database, `${CASE_FILES.database}-wal`, `${CASE_FILES.database}-shm`, CASE_FILES.keyslots]);
    store.close();
    scan([CASE_FILES.database, CASE_FILES.keyslots]);
  });

  it('cannot be read without the key', async () => {
    const folder = path.join(tempDir(), 'case');
    (await createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' })).close();
    const db = new Database(path.join(folder, CASE_FILES.database));
    expect(() => db.prepare('SELECT * FROM case_info').all()).toThrow(/not a database/);
    db.close();
  });

  it('refuses a wrong passphrase and a user without a slot, and changes nothing', async () => {
    const folder = path.join(tempDir(), 'case');
    (await createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' })).close();
    const before = readFileSync(path.join(folder, CASE_FILES.keyslots));
    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'wrong passphrase!' }), 'wrong_passphrase');
    await expectLoupeError(openCaseStore(folder, { username: 'bob', passphrase: 'a long passphrase 1' }), 'forbidden');
    expect(readFileSync(path.join(folder, CASE_FILES.keyslots))).toEqual(before);
    const store = await openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' });
    expect(store.reads.info().title).toBe('MARKER_TITLE_7f3a');
    store.close();
  });

  it('grants, changes and revokes key slots without touching the data key', async () => {
    const folder = path.join(tempDir(), 'case');
    const store = await createCaseStore(folder, info(), { username: 'alice', passphrase: 'alice passphrase 1' });
    await store.keyslots.grant(store.dataKey(), 'bob', 'bob passphrase 12', 'alice', '2026-01-02T00:00:00.000Z');
    await store.keyslots.changePassphrase('alice', 'alice passphrase 1', 'alice passphrase 2', '2026-01-03T00:00:00.000Z');
    store.close();

    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'alice passphrase 1' }), 'wrong_passphrase');
    const asBob = await openCaseStore(folder, { username: 'bob', passphrase: 'bob passphrase 12' });
    expect(asBob.keyslots.members().map((m) => m.username)).toEqual(['alice', 'bob']);
    asBob.keyslots.revoke('bob');
    expect(() => asBob.keyslots.revoke('alice')).toThrow(/last key slot/);
    asBob.close();
    await expectLoupeError(openCaseStore(folder, { username: 'bob', passphrase: 'bob passphrase 12' }), 'forbidden');
    (await openCaseStore(folder, { username: 'alice', passphrase: 'alice passphrase 2' })).close();
  });

  it('says clearly when the key slot file is damaged or missing', async () => {
    const folder = path.join(tempDir(), 'case');
    (await createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' })).close();
    const slots = path.join(folder, CASE_FILES.keyslots);
    writeFileSync(slots, '{"format": "loupe-keyslots/1", "caseId": 3');
    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' }), 'integrity');
    rmSync(slots);
    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' }), 'not_found');
  });

  it('calls a damaged key slot damaged, not a wrong passphrase, and never derives with a cost the file dictates', async () => {
    const folder = path.join(tempDir(), 'case');
    (await createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' })).close();
    const file = path.join(folder, CASE_FILES.keyslots);
    const good = readFileSync(file, 'utf8');
    const edited = (edit: (slot: { tag: string; kdf: { memoryCost: number } }) => void) => {
      const data = JSON.parse(good);
      edit(data.slots[0]);
      writeFileSync(file, JSON.stringify(data));
    };
    edited((slot) => (slot.tag = Buffer.alloc(4).toString('base64')));
    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' }), 'integrity');
    edited((slot) => (slot.kdf.memoryCost = 2 ** 31));
    await expectLoupeError(openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' }), 'integrity');
    writeFileSync(file, good);
    (await openCaseStore(folder, { username: 'alice', passphrase: 'a long passphrase 1' })).close();
  });

  it('keeps a key slot that another process added while the case was open', async () => {
    const folder = path.join(tempDir(), 'case');
    const desktop = await createCaseStore(folder, info(), { username: 'alice', passphrase: 'alice passphrase 1' });
    // The command line, beside the open desktop app, gives bob access.
    const cli = await openCaseStore(folder, { username: 'alice', passphrase: 'alice passphrase 1' });
    await cli.keyslots.grant(cli.dataKey(), 'bob', 'bob passphrase 12', 'alice', '2026-01-02T00:00:00.000Z');
    cli.close();
    await desktop.keyslots.changePassphrase('alice', 'alice passphrase 1', 'alice passphrase 2', '2026-01-03T00:00:00.000Z');
    expect(desktop.keyslots.members().map((m) => m.username)).toEqual(['alice', 'bob']);
    desktop.close();
    (await openCaseStore(folder, { username: 'bob', passphrase: 'bob passphrase 12' })).close();
    (await openCaseStore(folder, { username: 'alice', passphrase: 'alice passphrase 2' })).close();
  });

  it('refuses to create a case in a folder that already holds files, and leaves it alone', async () => {
    const folder = tempDir();
    writeFileSync(path.join(folder, 'evidence.jpg'), 'not mine');
    await expectLoupeError(createCaseStore(folder, info(), { username: 'alice', passphrase: 'a long passphrase 1' }), 'conflict');
    expect(existsSync(path.join(folder, 'evidence.jpg'))).toBe(true);
  });

  it('says the workstation database is damaged, instead of a bare SQLite error', () => {
    const file = path.join(tempDir(), 'workstation.db');
    writeFileSync(file, Buffer.alloc(8192, 7));
    let err: unknown = null;
    try {
      openWorkstationStore(file).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoupeError);
    expect(err).toMatchObject({ code: 'integrity', message: expect.stringMatching(/workstation database .* cannot be used/) });
  });
});

describe('case database integrity', () => {
  const alice = { username: 'alice', passphrase: 'a long passphrase 1' };
  /** A case with some hundred pages of rows, closed so everything is in case.db. */
  async function filledCase(): Promise<string> {
    const folder = path.join(tempDir(), 'case');
    const store = await createCaseStore(folder, info(), alice);
    // Rows no table of Loupe holds, written over a second connection with the case key.
    const db = openEncryptedDatabase(path.join(folder, CASE_FILES.database), store.dataKey(), { mustExist: true });
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)');
    const ins = db.prepare('INSERT INTO filler (b) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 400; i++) ins.run(randomBytes(1000));
    })();
    db.close();
    store.close();
    return folder;
  }

  it('refuses at open a case database with a flipped byte, saying it is damaged and what to do', async () => {
    const folder = await filledCase();
    flipByte(path.join(folder, CASE_FILES.database), 0.6);
    const err = await openCaseStore(folder, alice).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'integrity', message: expect.stringMatching(/case database .*case\.db is damaged: .*Restore the case folder from its latest backup/) });
  });

  it('finds nothing wrong in a sound case, by the quick and the full check', async () => {
    const store = await openCaseStore(await filledCase(), alice);
    expect(store.check(false)).toEqual([]);
    expect(store.check(true)).toEqual([]);
    store.close();
  });

  it('refuses an empty case database instead of writing a blank case into it', async () => {
    const folder = await filledCase();
    const file = path.join(folder, CASE_FILES.database);
    writeFileSync(file, '');
    await expect(openCaseStore(folder, alice)).rejects.toMatchObject({ code: 'integrity', message: expect.stringMatching(/is damaged: it is empty \(0 bytes\)/) });
    expect(statSync(file).size).toBe(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('calls a changed wrapped key, salt, tag or case id a damaged key slot, without trying the passphrase', async () => {
    const folder = await filledCase();
    const file = path.join(folder, CASE_FILES.keyslots);
    const good = readFileSync(file, 'utf8');
    type SlotFile = { caseId: string; slots: { wrappedKey: string; tag: string; kdf: { salt: string }; check?: string }[] };
    const edits: [string, (d: SlotFile) => void][] = [
      ['wrappedKey', (d) => (d.slots[0]!.wrappedKey = randomBytes(32).toString('base64'))],
      ['salt', (d) => (d.slots[0]!.kdf.salt = randomBytes(16).toString('base64'))],
      ['tag', (d) => (d.slots[0]!.tag = randomBytes(16).toString('base64'))],
      ['caseId', (d) => (d.caseId = 'case-000002')],
    ];
    for (const [field, edit] of edits) {
      const data = JSON.parse(good) as SlotFile;
      edit(data);
      writeFileSync(file, JSON.stringify(data));
      const err = await openCaseStore(folder, alice).then(() => null, (e: unknown) => e);
      expect(err, field).toMatchObject({ code: 'integrity', message: expect.stringMatching(/key slot of alice in this case is damaged.*passphrase was not tried/) });
    }
    writeFileSync(file, good);
    await expect(openCaseStore(folder, { ...alice, passphrase: 'not the passphrase' })).rejects.toMatchObject({ code: 'wrong_passphrase' });
    (await openCaseStore(folder, alice)).close();
  });

  it('gives a key slot written before checks its check once it opens, and says a failure may be damage until then', async () => {
    const folder = await filledCase();
    const file = path.join(folder, CASE_FILES.keyslots);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { slots: { check?: string }[] };
    delete data.slots[0]!.check;
    writeFileSync(file, JSON.stringify(data));
    await expect(openCaseStore(folder, { ...alice, passphrase: 'not the passphrase' })).rejects.toMatchObject({ code: 'wrong_passphrase', message: expect.stringMatching(/predates slot checks/) });
    (await openCaseStore(folder, alice)).close();
    expect((JSON.parse(readFileSync(file, 'utf8')) as { slots: { check?: string }[] }).slots[0]!.check).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3... so each applies once and in order', () => {
    for (const list of [CASE_MIGRATIONS, WORKSTATION_MIGRATIONS]) expect(list.map((m) => m.version)).toEqual(list.map((_, i) => i + 1));
  });

  it('leave the database at the last whole step when one fails half-way', () => {
    const db = openPlainDatabase(path.join(tempDir(), 'm.db'));
    const steps = [
      { version: 1, name: 'one', up: 'CREATE TABLE a (x)' },
      { version: 2, name: 'two, failing after its first statement', up: 'CREATE TABLE b (x); CREATE TABLE a (y)' },
    ];
    expect(() => migrate(db, steps)).toThrow(/already exists/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['a']);
    db.close();
  });
});
