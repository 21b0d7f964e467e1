import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, FEATURE_COMPONENTS, LoupeError, type AssessmentBody, type Client } from '../../shared';
import { createWorkstation, type Workstation } from '../../main/workstation';
import { type Command, optionalString, options, print } from '../args';
import { describeSearch } from '../workflow';
import { DEMO_PACKAGES, demoMedia } from './media';

/**
 * `loupe demo` (npm run demo): a ready demonstration case from sample media that npm
 * packages ship, built through the router as a trainer would click through it. Each run
 * builds a new workstation in a folder of its own and only then points the demo's
 * `workstation` link at it, so the demo workstation is always a whole one.
 */

export const DEMO_USERS = {
  supervisor: { username: 'trainer', displayName: 'Demo trainer (supervisor)', password: 'loupe demo supervisor' },
  analyst: { username: 'analyst', displayName: 'Demo analyst', password: 'loupe demo analyst' },
  reviewer: { username: 'reviewer', displayName: 'Demo reviewer', password: 'loupe demo reviewer' },
} as const;
/** Every demo user's passphrase for the demo case. */
export const DEMO_PASSPHRASE = 'loupe demo case';
export const DEMO_CASE = 'DEMO/1';
const MARK = 'DEMONSTRATION ONLY, not a real examination';

/** The still of the speaker searched for, and the evidence it is searched in. */
const PROBE = 'franck_02045.jpg';
/** Another still of the speaker, for the trainer to compare 1:1 with the video. */
const SECOND_STILL = 'franck_03909.jpg';
const EVIDENCE = ['franck.mp4', ...DEMO_PACKAGES[1]!.files.map((f) => path.basename(f))];

export interface DemoOptions {
  /** The demo's folder: the workstation link, the workstations it points to, the media cache. */
  dir: string;
  /** Where model packs are (and the default pack is installed when missing). */
  modelsDir: string;
  /** A folder holding the media tarballs, for a machine without a registry. */
  from?: string;
  /** Lines for the trainer, in order. */
  say: (line: string) => void;
  /** Progress that overwrites itself (an import's count). */
  progress?: (line: string) => void;
  now?: () => Date;
}

export interface DemoResult {
  home: string;
  builtIn: string;
  caseReference: string;
  pack: string;
  searchId: number;
  candidates: { rank: number | null; fileName: string; faceId: number; trackId: number | null; score: number | null; fmr: string | null }[];
  reviewItemId: number;
  report: { file: string; sha256: string; bytes: number };
  seconds: number;
  steps: { step: string; seconds: number }[];
}

function demoBody(conclusion: string, rationale: string): AssessmentBody {
  return {
    analysis: {
      left: { suitability: 'suitable', factors: [], note: `${MARK}: a clear frontal still` },
      right: { suitability: 'limited', factors: ['resolution', 'compression'], note: `${MARK}: a small, compressed video frame` },
    },
    features: Object.fromEntries(FEATURE_COMPONENTS.map((c) => [c, { observation: c === 'ears' ? 'not_visible' : 'similar', note: '' }])) as AssessmentBody['features'],
    conclusion,
    rationale: `${MARK}. ${rationale}`,
    display: { left: { brightness: 0, contrast: 0, gamma: 1, greyscale: false }, right: { brightness: 0, contrast: 0, gamma: 1, greyscale: false }, smoothing: false, view: 'aligned' },
    annotations: [],
  };
}

const link = (dir: string) => path.join(dir, 'workstation');

/** Points the demo's link at a finished workstation in one step, so nobody ever finds half of one there. */
async function swapLink(dir: string, target: string): Promise<void> {
  const next = path.join(dir, `.workstation-link-${process.pid}`);
  await rm(next, { force: true });
  await symlink(path.basename(target), next, process.platform === 'win32' ? 'junction' : 'dir');
  if (process.platform === 'win32') await rm(link(dir), { force: true, recursive: false });
  await rename(next, link(dir));
}

/** The workstation folder the link points to now, if any. */
function current(dir: string): string | null {
  try {
    return path.resolve(dir, readlinkSync(link(dir)));
  } catch {
    return null;
  }
}

async function signInAs(c: Client, who: { username: string; password: string }, caseId: string | null) {
  await c.must('session.signOut', {});
  await c.must('session.signIn', { username: who.username, password: who.password });
  if (caseId) await c.must('cases.open', { caseId, passphrase: DEMO_PASSPHRASE });
}

export async function buildDemo(opts: DemoOptions): Promise<DemoResult> {
  const now = opts.now ?? (() => new Date());
  const started = Date.now();
  const steps: DemoResult['steps'] = [];
  let stepStart = Date.now();
  const done = (step: string) => {
    steps.push({ step, seconds: (Date.now() - stepStart) / 1000 });
    stepStart = Date.now();
  };
  const { say } = opts;
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const dir = path.resolve(opts.dir);
  const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const home = path.join(dir, `workstation-${stamp}-${process.pid}`);
  const previous = current(dir);

  let ws: Workstation | null = null;
  try {
    say('Sample media (public npm packages, pinned versions, integrity checked):');
    for (const p of DEMO_PACKAGES) say(`  ${p.name}@${p.version}: ${p.files.length} files; ${p.licence}`);
    const media = await demoMedia(path.join(home, 'evidence'), { cacheDir: path.join(dir, 'npm-cache'), ...(opts.from ? { from: opts.from } : {}), log: (l) => say(`  ${l}`) });
    done('media');

    ws = await createWorkstation({ home, modelsDir: opts.modelsDir, now });
    const w = ws;
    const c = createClient((channel, input) => w.call(channel, input, 'cli'));
    const { supervisor, analyst, reviewer } = DEMO_USERS;
    await c.must('session.createFirstSupervisor', { username: supervisor.username, displayName: supervisor.displayName, password: supervisor.password });
    for (const [u, role] of [[analyst, 'analyst'], [reviewer, 'reviewer']] as const) await c.must('users.add', { username: u.username, displayName: u.displayName, role, password: u.password });
    say('');
    say(`Demo users (sign-in password; case passphrase "${DEMO_PASSPHRASE}" for all three):`);
    for (const [role, u] of Object.entries(DEMO_USERS)) say(`  ${role.padEnd(10)} ${u.username.padEnd(9)} password "${u.password}"`);

    const packs = await c.must('models.list', {});
    if (!packs.some((p) => p.name === 'default' && p.installed)) {
      say('Installing the default model pack (from the npm registry, checked by SHA-256)...');
      await c.must('models.install', { pack: 'default' });
    }
    const pack = (await c.must('models.list', {})).find((p) => p.active);
    if (!pack) throw new LoupeError('unavailable', `No model pack is usable in ${opts.modelsDir}; install one: loupe models install default`);
    say(`Model pack in use: ${pack.name} ${pack.version} (${pack.detector} + ${pack.embedder}) from ${opts.modelsDir}`);
    done('users and model pack');

    const retain = new Date(now().getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
    const created = await c.must('cases.create', {
      reference: DEMO_CASE,
      title: 'DEMONSTRATION: the talking face (public sample media, no real investigation)',
      offenceCategory: 'other',
      purpose: 'DEMONSTRATION for training: find the speaker of a still image in a video and in group photos',
      legalBasis: 'None needed: a demonstration case built from public sample media; nobody is investigated',
      authorisedBy: 'Demonstration (no authorisation)',
      retentionDate: retain,
      passphrase: DEMO_PASSPHRASE,
    });
    for (const u of [analyst, reviewer]) await c.must('cases.grantAccess', { username: u.username, passphrase: DEMO_PASSPHRASE });
    // Blind mode hides scores from an examiner until they have assessed each candidate; the demo prints scores, so it says so.
    await c.must('review.setBlindMode', { on: false, reason: 'DEMONSTRATION: the trainer shows the scores to the class; a real case keeps blind mode on' });
    say('');
    say(`Case ${DEMO_CASE} created by ${supervisor.username}, shared with ${analyst.username} and ${reviewer.username}.`);
    say(`NOTE: the supervisor turned BLIND MODE OFF for this demonstration so that scores are printed below.`);
    say('      In a real case it stays on: each examiner sees scores only after assessing a candidate.');

    await signInAs(c, analyst, created.id);
    say('');
    say(`${analyst.username} imports the video and ${EVIDENCE.length - 1} group photos (hashed, never modified; faces found and encoded locally)...`);
    let shown = '';
    const off = w.onEvent((e) => {
      if (e.type !== 'import.progress' || !opts.progress) return;
      const line = `  ${e.filesDone}/${e.filesTotal} files, ${e.facesFound} faces`;
      if (line !== shown) opts.progress(line);
      shown = line;
    });
    const { batchId } = await c.must('evidence.import', { paths: EVIDENCE.map((f) => media.get(f) ?? f), options: { exhibitRef: 'DEMO-EX', videoFramesPerSecond: 1 } });
    await w.importSettled();
    off();
    const batch = (await c.must('evidence.batches', {})).find((b) => b.id === batchId);
    if (!batch || batch.failed > 0 || batch.filesDone !== EVIDENCE.length) throw new LoupeError('internal', `The demo import did not finish cleanly (${batch ? `${batch.filesDone} of ${batch.filesTotal} files, ${batch.failed} failed` : 'no batch'}).`);
    const video = (await c.must('evidence.list', { offset: 0, limit: 50 })).exhibits.find((e) => e.fileName === 'franck.mp4');
    say(`  ${batch.filesDone} exhibits, ${batch.facesFound} faces${video ? `; the video: ${video.faceCount} faces in ${video.trackCount} track(s)` : ''}`);
    done('import');

    const probe = await c.must('evidence.importProbe', { path: media.get(PROBE) ?? PROBE, exhibitRef: 'DEMO-PROBE', role: 'probe' });
    const probeFace = probe.faces[0];
    if (!probe.faces.length || !probeFace) throw new LoupeError('internal', `No face was found in the probe still ${PROBE}.`);
    const search = await c.must('search.run', {
      probeFaceId: probeFace.id,
      purpose: 'DEMONSTRATION: is the speaker of this still in the seized video or photos?',
      maxFmr: null,
      maxCandidates: 10,
    });
    say('');
    say(`${analyst.username} searches with the still ${PROBE} as the probe (top 10, no threshold, to show how the rates fall):`);
    say('');
    for (const l of describeSearch(search).split('\n')) say(`  ${l}`);
    done('search');
    const top = search.candidates[0];
    if (!top || top.exhibit.fileName !== 'franck.mp4' || top.face.trackId === null) {
      throw new LoupeError('internal', `Demo check failed: the speaker's video track should rank first, but first is ${top ? `${top.exhibit.fileName} (face ${top.face.id})` : 'nothing'}.`);
    }
    say('');
    say(`Check: the speaker's video track ranks first (face ${top.face.id}, track ${top.face.trackId}).`);

    const opened = await c.must('review.open', { leftFaceId: probeFace.id, rightFaceId: top.face.id, origin: { kind: 'search', searchId: search.id } });
    const itemId = opened.item.id;
    await c.must('review.assess', { itemId, body: demoBody('moderate_same', 'The still and the video frame show the same speaker of the public FGNET sample; this record only shows how an examination is recorded.') });
    await c.must('review.submit', { itemId });
    await signInAs(c, reviewer, created.id);
    await c.must('review.verify', { itemId, body: demoBody('moderate_same', 'Verification recorded to show the second-examiner step on public sample media.') });
    const verified = await c.must('review.get', { itemId });
    say(`${analyst.username} recorded a demonstration examination of candidate 1 and ${reviewer.username} verified it (comparison #${itemId}: ${verified.item.state}); both rationales begin "${MARK}".`);
    done('examination and verification');

    const report = await c.must('report.create', { format: 'pdf' });
    const reportFile = path.join(home, 'reports', `${DEMO_CASE.replace(/\W+/g, '-')}-report.pdf`);
    await mkdir(path.dirname(reportFile), { recursive: true, mode: 0o700 });
    await writeFile(reportFile, Buffer.from(report.contentBase64, 'base64'), { mode: 0o600 });
    say(`Report written: ${path.join(link(dir), path.relative(home, reportFile))} (${report.bytes} bytes, SHA-256 ${report.sha256}, recorded on the case's audit chain)`);
    done('report');

    await c.must('session.signOut', {});
    await w.close();
    ws = null;
    await swapLink(dir, home);
    // The previous demo and any half-built one (a run that was killed) go only now that this one is whole.
    for (const e of await readdir(dir)) {
      const p = path.join(dir, e);
      if (e.startsWith('workstation-') && p !== home) await rm(p, { recursive: true, force: true });
    }
    if (previous && previous !== home) say(`The previous demo workstation was replaced.`);
    done('finish');
    return {
      home: link(dir),
      builtIn: home,
      caseReference: DEMO_CASE,
      pack: `${pack.name} ${pack.version}`,
      searchId: search.id,
      candidates: search.candidates.map((x) => ({ rank: x.rank, fileName: x.exhibit.fileName, faceId: x.face.id, trackId: x.face.trackId, score: x.score, fmr: x.fmr?.oneIn ?? null })),
      reviewItemId: itemId,
      report: { file: path.join(link(dir), path.relative(home, reportFile)), sha256: report.sha256, bytes: report.bytes },
      seconds: (Date.now() - started) / 1000,
      steps,
    };
  } catch (err) {
    // Nothing half-built stays: the link still points at the previous demo, if there was one.
    if (ws) await ws.close().catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    throw err;
  }
}

/** A path as short as it can be written from here: relative below the current folder, else absolute. */
const shown = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
};

function nextSteps(r: DemoResult, modelsDir: string): string[] {
  const cli = (u: keyof typeof DEMO_USERS, command: string) => `    LOUPE_PASSWORD='${DEMO_USERS[u].password}' npx loupe --as ${DEMO_USERS[u].username} ${command}`;
  return [
    '',
    `Demo ready in ${r.seconds.toFixed(0)} s: case ${r.caseReference} in the demo workstation ${shown(r.home)} (model packs in ${shown(modelsDir)}).`,
    'What next:',
    `  export LOUPE_HOME=${shown(r.home)} LOUPE_MODELS=${shown(modelsDir)} LOUPE_PASSPHRASE='${DEMO_PASSPHRASE}'`,
    `  Open the workstation where Electron is installed: npm start`,
    `    sign in as ${DEMO_USERS.analyst.username} ("${DEMO_USERS.analyst.password}"), open case ${r.caseReference} ("${DEMO_PASSPHRASE}"), Searches.`,
    '  Or the command line (npx loupe --help lists every command and its exit status):',
    cli('analyst', `search show ${r.searchId} --case ${r.caseReference}`),
    cli('analyst', `compare ${shown(path.join(r.home, 'evidence', SECOND_STILL))} ${r.candidates[0]?.faceId ?? 1} --case ${r.caseReference} --purpose 'Training: another still against the video'`),
    cli('analyst', `persons group --case ${r.caseReference}`),
    cli('reviewer', `review show ${r.reviewItemId} --case ${r.caseReference}`),
    cli('supervisor', `audit verify --case ${r.caseReference}`),
    cli('reviewer', `report verify ${shown(r.report.file)} --case ${r.caseReference}`),
    `  The report (PDF): ${shown(r.report.file)}`,
    'Run npm run demo again at any time for a fresh demo case (this one is then replaced).',
  ];
}

export const DEMO: Command = {
  words: ['demo'],
  usage: 'demo [--dir DIR] [--from DIR]',
  summary: 'build a ready demonstration case from public sample media (a new demo workstation in DIR, default ./.loupe-demo)',
  async run(ctx) {
    const { values } = options(ctx, { dir: { type: 'string' }, from: { type: 'string' } });
    const dir = path.resolve(optionalString(values.dir) ?? '.loupe-demo');
    const modelsDir = path.resolve(process.env.LOUPE_MODELS ?? path.join(dir, 'models'));
    const from = optionalString(values.from);
    const lines: string[] = [];
    const say = (l: string) => (ctx.json ? lines.push(l) : process.stdout.write(`${l}\n`));
    const interactive = process.stderr.isTTY && !ctx.json;
    say(`Loupe demo: building a demonstration case in ${dir} (${os.cpus().length} CPU cores)`);
    const r = await buildDemo({ dir, modelsDir, say, ...(from ? { from } : {}), ...(interactive ? { progress: (l: string) => process.stderr.write(`\r${l}`) } : {}) });
    if (interactive) process.stderr.write('\n');
    print(ctx, r, () => nextSteps(r, modelsDir).join('\n'));
    if (!existsSync(r.report.file)) throw new LoupeError('internal', `The report ${r.report.file} is missing.`);
  },
};
