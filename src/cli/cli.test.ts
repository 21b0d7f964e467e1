import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assessmentBody, CASE_AUTHORITY, FACES_DIR, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tempWorkstation } from '../main/testing';

const ready = packInstalled('yunet') || packInstalled('default');
if (!ready) console.warn('command line test: no model pack installed (an import needs one): skipped');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** The command line as a user runs it, in its own process. */
function loupe(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--home', home, '--as', 'sup', ...args], {
    env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_PASSPHRASE: PASSPHRASE, LOUPE_PACKAGE_PASSPHRASE: PACKAGE_PASSPHRASE, LOUPE_MODELS: MODELS_DIR },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!ready)('command line', () => {
  it('lists every exhibit past the API page of 500, or the window asked for, and shows hostile names inert', async () => {
    const home = temp('loupe-cli-home-');
    const src = temp('loupe-cli-src-');
    mkdirSync(path.join(src, 'notes'));
    for (let i = 0; i < 510; i++) writeFileSync(path.join(src, 'notes', `note-${String(i).padStart(3, '0')}.txt`), `note ${i}\n`);
    const hostile = 'a\nexhibit 99 done\u001b[2J\u202egpj.exe';
    writeFileSync(path.join(src, hostile), 'not an image');

    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'CLI/1', passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    await t.ws.close();

    const all = loupe(home, 'evidence', 'list', '--case', 'CLI/1');
    expect(all.err).toBe('');
    const lines = all.out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('1-511 of 511 exhibits');
    expect(lines).toHaveLength(512);
    expect(all.out.includes('\u001b') || all.out.includes('\u202e')).toBe(false);
    expect(all.out).toContain('a\\nexhibit 99 done\\x1b[2J\\u202egpj.exe');

    const window = loupe(home, 'evidence', 'list', '--case', 'CLI/1', '--offset', '499', '--limit', '3');
    expect(window.out.trimEnd().split('\n').at(-1)).toBe('500-502 of 511 exhibits');

    const json = JSON.parse(loupe(home, '--json', 'evidence', 'list', '--case', 'CLI/1').out) as { total: number; exhibits: { sourcePath: string }[] };
    expect(json.exhibits).toHaveLength(511);
    expect(json.exhibits.some((e) => e.sourcePath.endsWith(hostile))).toBe(true);

    const check = loupe(home, 'case', 'check', '--case', 'CLI/1');
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^case database sound: \d+ pages checked in [\d.]+ s\n$/);

    const missing = loupe(home, 'import', '--case', 'CLI/1', path.join(src, 'gone\u001b]0;owned\u0007'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^loupe: No such file or folder: .*gone\\x1b]0;owned\\x07\. Check the path; nothing was imported\.\n$/);
  });
});

describe.skipIf(!ready || !facesAvailable)('command line: the examiner review', () => {
  it('lists the review queue and shows a comparison as far as the user may see it, as text or JSON', async () => {
    const home = temp('loupe-cli-review-');
    const src = temp('loupe-cli-review-src-');
    copyFileSync(path.join(FACES_DIR, 'identities', 'Barack_Obama', 'obama.jpg'), path.join(src, 'obama.jpg'));
    copyFileSync(path.join(FACES_DIR, 'identities', 'Joe_Biden', 'biden.jpg'), path.join(src, 'biden.jpg'));
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    for (const [username, role] of [['ann', 'analyst'], ['rita', 'reviewer']] as const) await t.must('users.add', { username, displayName: username, role, password: PASSWORD });
    const c = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'CLI/2', passphrase: PASSPHRASE });
    for (const username of ['ann', 'rita']) await t.must('cases.grantAccess', { username, passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 10, status: 'done' });
    const [left, right] = await Promise.all(exhibits.map(async (e) => (await t.must('evidence.get', { exhibitId: e.id })).faces[0]?.id ?? 0));
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
    const item = (await t.must('review.open', { leftFaceId: left ?? 0, rightFaceId: right ?? 0, origin: { kind: 'pair' } })).item;
    await t.must('review.assess', { itemId: item.id, body: assessmentBody('strong_different') });
    await t.must('review.submit', { itemId: item.id });
    await t.must('review.open', { leftFaceId: right ?? 0, rightFaceId: left ?? 0, origin: { kind: 'pair' } });
    await t.ws.close();

    const annQueue = loupe(home, '--as', 'ann', 'review', 'queue', '--case', 'CLI/2');
    expect(annQueue.err).toBe('');
    expect(annQueue.out).toMatch(/^awaiting my assessment: 1\n {2}#2 {2}face \d+ with face \d+, two faces chosen for 1:1: not examined; opened by ann \S+\nawaiting my verification: 0\ndisputes I may resolve: 0\n$/);

    // A reviewer sees how many await verification, not whose: they take the next one.
    const ritaQueue = loupe(home, '--as', 'rita', 'review', 'queue', '--case', 'CLI/2');
    expect(ritaQueue.out).toContain('awaiting my verification: 1 (take the next one');
    expect(ritaQueue.out).not.toContain(`#${item.id} `);
    const json = JSON.parse(loupe(home, '--as', 'rita', '--json', 'review', 'queue', '--case', 'CLI/2').out) as { toVerify: { id: number; state: string }[] };
    expect(json.toVerify).toEqual([expect.objectContaining({ id: item.id, state: 'awaiting_verification' })]);

    // Before verifying, the reviewer is told the first examiner's conclusion is withheld, and not shown it.
    const ritaShow = loupe(home, '--as', 'rita', 'review', 'show', String(item.id), '--case', 'CLI/2');
    expect(ritaShow.out).toContain(`comparison #${item.id}: face ${left} with face ${right}, two faces chosen for 1:1`);
    expect(ritaShow.out).toContain('state: awaiting verification; first examiner: ann');
    expect(ritaShow.out).toContain('1 assessment(s) withheld');
    expect(ritaShow.out).not.toMatch(/different persons/i);

    const annShow = loupe(home, '--as', 'ann', 'review', 'show', String(item.id), '--case', 'CLI/2');
    expect(annShow.out).toMatch(/examination #\d+ by ann \(analyst\) \S+, blind: Strong support for different persons \(loupe-7 v1\)/);

    const bad = loupe(home, 'review', 'show', 'first', '--case', 'CLI/2');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('loupe: Name the comparison by its number: loupe review show ITEM --case REF (see loupe review queue), not first\n');
  });
});

describe('command line: retention', () => {
  it('lists a case past its date, purges it only with --yes, and verifies it can no longer be opened', async () => {
    const home = temp('loupe-cli-retention-');
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const old = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'OLD/1', retentionDate: '2020-01-01', passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    await t.ws.close();

    const listed = loupe(home, 'retention', 'list');
    expect(listed.out).toMatch(/^OLD\/1\s+Overdue\s+2020-01-01\s+\d+ days past$/m);
    const unconfirmed = loupe(home, 'retention', 'purge', '--case', 'OLD/1');
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.err).toMatch(/--yes/);
    expect(loupe(home, 'retention', 'verify', '--case', 'OLD/1').code).not.toBe(0);

    const purged = loupe(home, 'retention', 'purge', '--case', 'OLD/1', '--yes');
    expect(purged.err).toBe('');
    expect(purged.out).toMatch(/purged case OLD\/1 .*retention date 2020-01-01 passed.*1 key slot file\(s\) destroyed/);
    const verified = loupe(home, 'retention', 'verify', '--case', 'OLD/1');
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('case OLD/1: cannot be opened on this workstation');
    expect(verified.out).not.toContain('FAIL');
    expect(loupe(home, 'case', 'info', '--case', old.id).code).not.toBe(0);
  });
});

const PACKAGE_PASSPHRASE = 'the package passphrase, told in person';

async function workstationWithSupervisor(home: string, withCase: boolean) {
  const t = await tempWorkstation('', home);
  await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  if (withCase) await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'CLI/9', passphrase: PASSPHRASE });
  await t.ws.close();
}

describe('command line: disclosure packages', () => {
  it('exports a case on one workstation and imports it on another; a changed package exits 4 (tampering found) saying so', async () => {
    const a = temp('loupe-cli-export-');
    const b = temp('loupe-cli-import-');
    const out = temp('loupe-cli-packages-');
    await workstationWithSupervisor(a, true);
    await workstationWithSupervisor(b, false);
    const pkg = path.join(out, 'cli9.loupe');

    const exported = loupe(a, '--json', 'case', 'export', '--case', 'CLI/9', '--out', pkg);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const e = JSON.parse(exported.out) as { file: string; sha256: string };
    expect(e.file).toBe(pkg);

    const bad = path.join(out, 'bad.loupe');
    const bytes = readFileSync(pkg);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x80;
    writeFileSync(bad, bytes);
    const refused = loupe(b, 'case', 'import', bad);
    expect(refused.code).toBe(4);
    expect(refused.err).toMatch(/^loupe: This package is damaged or was altered: chunk \d+ fails its authentication/);

    const imported = loupe(b, 'case', 'import', pkg);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(`imported case CLI/9`);
    expect(imported.out).toContain(`package SHA-256 ${e.sha256}`);
    const opened = loupe(b, 'case', 'open', '--case', 'CLI/9');
    expect(opened.code).toBe(0);
    expect(opened.out).toMatch(/case audit chain intact/);
  });
});

describe.skipIf(!ready || !facesAvailable)('command line: search authorisation', () => {
  it('asks, is refused deciding its own request, is approved by a supervisor, and runs the search once under it', async () => {
    const home = temp('loupe-cli-authorisation-');
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'AUTH/1', passphrase: PASSPHRASE });
    await t.must('cases.grantAccess', { username: 'ann', passphrase: PASSPHRASE });
    const ref = (await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg') })).faces[0]!.id;
    const probe = (await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden2.jpg') })).faces[0]!.id;
    const list = await t.must('watchlists.create', { name: 'Wanted', description: 'People wanted for the robbery series' });
    await t.must('watchlists.addEntry', { watchlistId: list.id, faceId: ref, label: 'Joe B', source: 'Custody photo', reason: 'Named by a witness in statement 3', retentionDate: '2031-01-01' });
    await t.must('search.setAuthorisationRequired', { required: true, reason: 'Watch list holds custody images' });
    await t.must('cases.close', {});
    await t.ws.close();
    const as = (user: string, ...args: string[]) => loupe(home, '--as', user, ...args);

    const asked = as('ann', 'search', 'request', '--case', 'AUTH/1', '--face', String(probe), '--watchlist', String(list.id), '--purpose', 'Is the probe on the wanted list?');
    expect(asked.out).toMatch(/^request #1 by ann .*awaiting a supervisor$/m);
    expect(as('ann', 'search', 'decide', '1', '--case', 'AUTH/1', '--approve', '--reason', 'I approve my own request').code).not.toBe(0);
    const decided = as('sup', 'search', 'decide', '1', '--case', 'AUTH/1', '--approve', '--reason', 'Necessary and proportionate');
    expect(decided.out).toContain('approved, not yet run (sup: Necessary and proportionate)');
    const search = ['search', '--case', 'AUTH/1', '--face', String(probe), '--no-case', '--watchlist', String(list.id), '--purpose', 'Is the probe on the wanted list?', '--fmr', 'any', '--authorisation', '1'];
    const ran = as('ann', ...search);
    expect(ran.err).toBe('');
    expect(ran.out).toContain(`case authorised by ${CASE_AUTHORITY.authorisedBy}; legal basis: ${CASE_AUTHORITY.legalBasis}; run under search authorisation #1`);
    expect(as('ann', ...search).err).toMatch(/used already/);
    expect(as('sup', 'search', 'authorisations', '--case', 'AUTH/1').out).toMatch(/request #1 by ann .*run \(sup: Necessary and proportionate\), search #1$/m);
  });
});

describe.skipIf(!packInstalled('yunet') || !packInstalled('default') || !facesAvailable)("command line: changing a case's pack", () => {
  it('encodes the faces again with the pack named, shows it in case info, and refuses the pack the case has', async () => {
    const home = temp('loupe-cli-repack-');
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const created = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'CLI/P', passphrase: PASSPHRASE });
    await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), exhibitRef: 'PROBE/1' });
    await t.ws.close();
    const from = created.pack!.name;
    const to = from === 'yunet' ? 'default' : 'yunet';

    const same = loupe(home, 'case', 'change-pack', '--case', 'CLI/P', '--pack', from, '--reason', 'The unit validated this pack for the footage');
    expect(same.code).not.toBe(0);
    expect(same.err).toContain(`This case already uses model pack ${from}`);

    const changed = loupe(home, 'case', 'change-pack', '--case', 'CLI/P', '--pack', to, '--reason', 'The unit validated this pack for the footage');
    expect(changed.code).toBe(0);
    expect(changed.out).toMatch(new RegExp(`^pack change 1 done: 1/1 faces encoded again, from ${from} \\S+ to ${to} \\S+`));
    expect(changed.err).toMatch(/1\/1 faces encoded again with/);
    expect(loupe(home, 'case', 'info', '--case', 'CLI/P').out).toContain(`model pack: ${to} `);
  });
});
