import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type ApiEvent, type ChannelName } from '../../shared';
import { CASE_FILES, openCaseStore, type CaseStore, type Db } from '../store';
import { openEncryptedDatabase } from '../store/sqlite';
import { createWorkstation, type Workstation } from '../workstation';

export { gaussian, normalise } from './random';
export { assessmentBody } from './review';

/** A real workstation in a fresh temp folder, driven through the router as the transports do; `now` is its clock. */
export async function tempWorkstation(prefix = 'loupe-test-', home = mkdtempSync(path.join(os.tmpdir(), prefix)), now?: () => Date) {
  const ws: Workstation = await createWorkstation({ home, modelsDir: MODELS_DIR, ...(now ? { now } : {}) });
  const client = createClient((channel: ChannelName, input: unknown) => ws.call(channel, input, 'test'));
  return {
    home,
    ws,
    ...client,
    async dispose() {
      await ws.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Runs `sql` on a closed case's database as "sup" holding its passphrase could, outside Loupe: for tests that tamper with a case. */
export async function tamperClosedCase(folder: string, sql: string): Promise<void> {
  const store = await openCaseStore(folder, { username: 'sup', passphrase: PASSPHRASE });
  const db = tamperingConnection(store);
  db.exec(sql);
  db.close();
  store.close();
}

/** A fresh workstation (see tempWorkstation) with supervisor "sup" signed in and a new case open; `events` collects what it sends the renderer; `now` is its clock. */
export async function tempCase(now?: () => Date) {
  const t = await tempWorkstation(undefined, undefined, now);
  const events: ApiEvent[] = [];
  t.ws.onEvent((e) => events.push(e));
  try {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
  } catch (err) {
    await t.dispose();
    throw err;
  }
  return { ...t, events };
}

/** A second connection to a case's database, as someone holding its key could open outside Loupe: for tests that tamper with it. */
export function tamperingConnection(store: CaseStore): Db {
  const key = store.dataKey();
  try {
    return openEncryptedDatabase(path.join(store.folder, CASE_FILES.database), key, { mustExist: true });
  } finally {
    key.fill(0);
  }
}

export const CASE_AUTHORITY = {
  reference: 'OP-TEST/001',
  title: 'Test case',
  offenceCategory: 'robbery',
  purpose: 'Identify the suspect of a street robbery from CCTV',
  legalBasis: 'Police and Criminal Evidence Act 1984',
  authorisedBy: 'DI Test',
  retentionDate: '2033-01-01',
} as const;

export const PASSWORD = 'correct horse battery';
export const PASSPHRASE = 'staple battery horse correct';

/** The shared face data (never committed): tests that need it skip, saying so, when it is absent. */
export const FACES_DIR = path.resolve(process.env.LOUPE_FACES_DATA ?? '../shared/data/faces');
export const facesAvailable = existsSync(path.join(FACES_DIR, 'identities'));
export const FACES_MISSING = `face data not found at ${FACES_DIR} (set LOUPE_FACES_DATA)`;

/** Model packs for tests: installed by .ci/run into models/packs (LOUPE_MODELS). */
export const MODELS_DIR = path.resolve(process.env.LOUPE_MODELS ?? 'models/packs');
export const packInstalled = (name: string) => existsSync(path.join(MODELS_DIR, name, 'manifest.json'));

/** A calibrated pack, which search and grouping need: .ci/run installs packs whose manifests carry the shipped calibration. */
export const calibratedPack = ['yunet', 'default'].find((p) => {
  const m = path.join(MODELS_DIR, p, 'manifest.json');
  return existsSync(m) && (JSON.parse(readFileSync(m, 'utf8')) as { calibration?: unknown }).calibration !== undefined;
});
export const peopleCaseReady = facesAvailable && calibratedPack !== undefined;
export const PEOPLE_CASE_MISSING = facesAvailable ? 'no calibrated model pack in models/packs' : FACES_MISSING;

const PEOPLE = ['Barack_Obama', 'Joe_Biden', 'Angelina_Jolie', 'Kit_Harington', 'Jennifer_Aniston', 'George_Clooney'];

/**
 * A workstation with a supervisor signed in and one open case holding photos of six named
 * people and a short video, imported through the router. `faceOf` tells whose each face is:
 * a person's name for the largest face of their photo, 'background' for others in it, 'video'.
 */
export async function peopleCase() {
  const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-people-src-'));
  for (const p of PEOPLE) {
    mkdirSync(path.join(src, p));
    for (const f of readdirSync(path.join(FACES_DIR, 'identities', p)).filter((f) => f !== 'obama-240p.jpg' && !f.includes('partial'))) {
      copyFileSync(path.join(FACES_DIR, 'identities', p, f), path.join(src, p, f));
    }
  }
  copyFileSync(path.join(FACES_DIR, 'video/face_recognition/short_hamilton_clip.mp4'), path.join(src, 'clip.mp4'));
  const t = await tempCase();
  const faceOf = new Map<number, string>();
  try {
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    for (const e of exhibits) {
      const d = await t.must('evidence.get', { exhibitId: e.id });
      // A photo's label names its main (largest) face; people in the background are someone else.
      const person = path.basename(path.dirname(e.sourcePath));
      const main = d.faces.reduce<(typeof d.faces)[number] | null>((a, f) => (!a || f.box.w > a.box.w ? f : a), null);
      for (const f of d.faces) faceOf.set(f.id, e.kind === 'video' ? 'video' : f === main ? person : 'background');
    }
  } catch (err) {
    await t.dispose();
    throw err;
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
  return { t, faceOf };
}

/**
 * The reference for an import that is then killed: a new workstation at `home` (supervisor "sup") imports
 * `src` without interruption into case REF/1 and `read` takes what the test compares against; then case
 * KILL/1 is created, empty, for killImportWhen, and the workstation is closed so the CLI can open it.
 */
export async function referenceImport<T>(home: string, src: string, read: (t: Awaited<ReturnType<typeof tempWorkstation>>) => Promise<T>) {
  const t = await tempWorkstation('', home);
  await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'REF/1', passphrase: PASSPHRASE });
  await t.must('evidence.import', { paths: [src] });
  await t.ws.importSettled();
  const reference = await read(t);
  await t.must('cases.close', {});
  const victim = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'KILL/1', passphrase: PASSPHRASE });
  await t.must('cases.close', {});
  await t.ws.close();
  return { reference, victim };
}

/** The workstation at `home` opened again after the kill, signed in as "sup", with the killed import's case (`caseId`) open. */
export async function reopenKilled(home: string, caseId: string) {
  const t = await tempWorkstation('', home);
  try {
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    return t;
  } catch (e) {
    await t.ws.close();
    throw e;
  }
}

/**
 * Runs `loupe import` of src into the case `reference` in a separate process, as the signed-in
 * supervisor `sup`, and kills it with SIGKILL once `when` finds what it waits for in the
 * progress written so far; resolves with that. Rejects if the import ends first.
 */
export function killImportWhen<T>(home: string, reference: string, src: string, when: (progress: string) => T | null): Promise<T> {
  return killCliWhen(home, ['import', '--case', reference, src], when);
}

/**
 * Runs the CLI command `args` in a separate process, as the signed-in supervisor `sup`, and
 * kills it with SIGKILL once `when` finds what it waits for in the progress it wrote to stderr
 * so far; resolves with that. Rejects if the command ends first.
 */
export async function killCliWhen<T>(home: string, args: string[], when: (progress: string) => T | null): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--home', home, '--as', 'sup', ...args], {
    env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_PASSPHRASE: PASSPHRASE, LOUPE_MODELS: MODELS_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const found = await new Promise<T>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const seen = when(stderr);
      if (seen !== null && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve(seen);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`loupe ${args[0]} ended before it could be killed (exit ${code}): ${stderr.slice(-500)}`));
    });
  });
  await new Promise((r) => child.once('close', r));
  return found;
}
