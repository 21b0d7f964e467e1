import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installPack } from '../models';
import { openWorkstationStore } from '../store';
import { openPlainDatabase, migrate } from '../store/sqlite';
import { WORKSTATION_MIGRATIONS } from '../store/workstation-schema';
import { CASE_AUTHORITY, FACES_DIR, facesAvailable, MODELS_DIR, PASSPHRASE, PASSWORD, packInstalled, tempWorkstation } from '../testing';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'loupe-privacy-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

/** Every file and folder under dir with its permission bits. */
const modes = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
    const full = path.join(e.parentPath, e.name);
    return { path: path.relative(dir, full), folder: e.isDirectory(), mode: statSync(full).mode & 0o777 };
  });

/** The bytes of a SQLite database as they are on disk, write-ahead log included. */
const databaseBytes = (file: string) => Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));

describe('no plaintext outside the cases', () => {
  it('makes every file and folder it creates 0600 / 0700, whatever the umask and the parent folder', async () => {
    chmodSync(parent, 0o2777);
    const home = path.join(parent, 'home');
    const withFaces = facesAvailable && packInstalled('default');
    const previous = process.umask(0);
    try {
      const t = await tempWorkstation('', home);
      try {
        await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
        await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
        if (withFaces) {
          await t.must('evidence.import', { paths: [path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg')] });
          await t.ws.importSettled();
        }
        // Modes are checked while the case is open, so the databases' -wal and -shm files are there too.
        const open = modes(home);
        expect(open.map((e) => e.path)).toEqual(expect.arrayContaining(['workstation.db', 'workstation.db-wal', 'workstation.db-shm']));
        expect(open.filter((e) => e.path.endsWith('case.db-wal'))).toHaveLength(1);
        expect(open.filter((e) => e.mode !== (e.folder ? 0o700 : 0o600))).toEqual([]);
        await t.must('cases.close', {});
      } finally {
        await t.ws.close();
      }
      if (packInstalled('default')) await installPack('default', { modelsDir: path.join(home, 'models'), from: path.join(MODELS_DIR, 'default') });
      const all = modes(home);
      if (withFaces) expect(all.map((e) => e.path)).toContainEqual(expect.stringMatching(/face-index\.enc$/));
      expect(all.map((e) => e.path)).toContainEqual(expect.stringMatching(/keyslots\.json$/));
      expect(all.filter((e) => e.mode !== (e.folder ? 0o700 : 0o600))).toEqual([]);
      expect(statSync(home).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it.skipIf(!existsSync('/dev/shm'))('removes the face index a killed process left in /dev/shm as soon as any Loupe process starts', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = path.join('/dev/shm', `loupe-index-${dead}-privacy`);
    mkdirSync(orphan, { mode: 0o700 });
    writeFileSync(path.join(orphan, 'index.hnsw'), 'plaintext biometric templates');
    try {
      const t = await tempWorkstation('', path.join(parent, 'home'));
      await t.ws.close();
      expect(existsSync(orphan)).toBe(false);
    } finally {
      rmSync(orphan, { recursive: true, force: true });
    }
  });

  it('keeps case titles out of the workstation database: the list shows a title only for the open case', async () => {
    const title = 'Robbery at the Nightjar kitchen';
    const t = await tempWorkstation('', path.join(parent, 'home'));
    try {
      await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
      const created = await t.must('cases.create', { ...CASE_AUTHORITY, title, passphrase: PASSPHRASE });
      expect(await t.must('cases.list', {})).toMatchObject([{ id: created.id, reference: CASE_AUTHORITY.reference, title, isOpen: true }]);
      await t.must('cases.close', {});
      expect(await t.must('cases.list', {})).toMatchObject([{ id: created.id, reference: CASE_AUTHORITY.reference, title: null, isOpen: false }]);
      expect(databaseBytes(path.join(t.home, 'workstation.db')).includes('Nightjar')).toBe(false);
    } finally {
      await t.ws.close();
    }
  });

  it('takes the titles out of a register written before they moved into the cases (migration 4)', () => {
    const file = path.join(parent, 'workstation.db');
    const old = openPlainDatabase(file);
    migrate(old, WORKSTATION_MIGRATIONS.filter((m) => m.version < 4));
    old.prepare("INSERT INTO cases (id, reference, title, folder, created_at, created_by) VALUES ('c1', 'OP-1', 'Robbery at the Nightjar kitchen', '/cases/c1', '2026-01-01T00:00:00.000Z', 'sup')").run();
    old.close();
    chmodSync(file, 0o644);
    expect(readFileSync(file).includes('Nightjar')).toBe(true);

    const ws = openWorkstationStore(file);
    try {
      expect(ws.reads.cases()).toMatchObject([{ id: 'c1', reference: 'OP-1', folder: '/cases/c1', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'sup', auditHeadSeq: null, auditHeadHash: null }]);
      expect(databaseBytes(file).includes('Nightjar')).toBe(false);
      // A register made before Loupe made its files private is made private when opened.
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      ws.close();
    }
  });
});
