import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_AUTHORITY, FACES_DIR, MODELS_DIR, PASSPHRASE, PASSWORD, PEOPLE_CASE_MISSING, peopleCaseReady, tempWorkstation } from '../main/testing';
import { EXIT } from './args';
import { parseFmr } from './workflow';

if (!peopleCaseReady) console.warn(`command line workflow test: skipped, ${PEOPLE_CASE_MISSING}`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** The command line as a user runs it, in its own process (not in a blocking call, which would starve the test runner's messages). */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', ...args],
      { env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_PASSPHRASE: PASSPHRASE, LOUPE_MODELS: MODELS_DIR, ...env }, encoding: 'utf8' },
      (err, out, errOut) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out, err: errOut }),
    );
  });
}
const loupe = (home: string, as: string, ...args: string[]) => run(['--home', home, '--as', as, ...args]);
const json = <T>(r: { out: string; err: string }): T => {
  expect(r.err).toBe('');
  return JSON.parse(r.out) as T;
};

interface Cand { rank: number | null; score: number | null; withheld: boolean; face: { id: number }; exhibit: { fileName: string }; watchlist: { label: string } | null }

describe('command line: false match rates as written', () => {
  it('reads decimals, powers of ten and "1 in N", and refuses the rest with what to write', async () => {
    expect(parseFmr('0.001')).toBe(0.001);
    expect(parseFmr('1e-4')).toBe(1e-4);
    expect(parseFmr('1/10,000')).toBe(1e-4);
    expect(parseFmr('any')).toBeNull();
    expect(() => parseFmr('2')).toThrow('--fmr must be a false match rate such as 0.001, 1e-3 or 1/1000 (or "any"), not 2');
    expect(() => parseFmr('often')).toThrow(/not often$/);
  });
});

describe.skipIf(!peopleCaseReady)('command line: the examiner workflow', () => {
  const home = temp('loupe-cli-flow-');
  const src = temp('loupe-cli-flow-src-');
  const probes = temp('loupe-cli-flow-probes-');
  const ref = 'FLOW/1';
  const sup = (...a: string[]) => loupe(home, 'sup', ...a);
  const ann = (...a: string[]) => loupe(home, 'ann', ...a);
  /** The (first) face of an exhibit of the case, by its file name, as a script finds it. */
  const faceOf = async (fileName: string) => {
    const { exhibits } = json<{ exhibits: { id: number; fileName: string }[] }>(await ann('--json', 'evidence', 'list', '--case', ref));
    const exhibit = exhibits.find((e) => e.fileName === fileName);
    return String(json<{ faces: { id: number }[] }>(await ann('--json', 'evidence', 'show', String(exhibit?.id), '--case', ref)).faces[0]?.id);
  };

  beforeAll(async () => {
    const id = (p: string, f: string) => path.join(FACES_DIR, 'identities', p, f);
    copyFileSync(id('Barack_Obama', 'obama1.jpg'), path.join(src, 'obama1.jpg'));
    copyFileSync(id('Joe_Biden', 'biden.jpg'), path.join(src, 'biden.jpg'));
    copyFileSync(id('Angelina_Jolie', 'img1.jpg'), path.join(src, 'jolie.jpg'));
    copyFileSync(id('Angelina_Jolie', 'img2.jpg'), path.join(src, 'jolie2.jpg'));
    copyFileSync(id('Kit_Harington', 'john1.jpeg'), path.join(src, 'kit1.jpg'));
    copyFileSync(id('Kit_Harington', 'john2.jpeg'), path.join(src, 'kit2.jpg'));
    copyFileSync(id('Barack_Obama', 'obama-240p.jpg'), path.join(probes, 'obama-240p.jpg'));
    copyFileSync(id('Barack_Obama', 'obama.jpg'), path.join(probes, 'obama.jpg'));
    copyFileSync(id('Joe_Biden', 'biden2.jpg'), path.join(probes, 'biden2.jpg'));
    copyFileSync(path.join(FACES_DIR, 'groups', 'face_recognition', 'obama_and_biden.jpg'), path.join(probes, 'two.jpg'));
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    for (const [username, role] of [['ann', 'analyst'], ['rita', 'reviewer']] as const) await t.must('users.add', { username, displayName: username, role, password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: ref, passphrase: PASSPHRASE });
    for (const username of ['ann', 'rita']) await t.must('cases.grantAccess', { username, passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    await t.ws.close();
  });

  it('searches from an image file, blind until a supervisor turns blind mode off, then with ranks, scores and rates; lists and shows searches', async () => {
    const purpose = ['--purpose', 'Find the man of the probe photo in the seized images'];
    const blind = await ann('search', '--case', ref, '--image', path.join(probes, 'obama.jpg'), ...purpose, '--fmr', 'any', '--top', '3');
    expect(blind.err).toBe('');
    expect(blind.out).toMatch(/^search #1 by ann \S+; purpose: Find the man/);
    expect(blind.out).toContain(`case authorised by ${CASE_AUTHORITY.authorisedBy}; legal basis: ${CASE_AUTHORITY.legalBasis}`);
    expect(blind.out).toContain('blind mode: 3 candidate(s) listed by face, their rank, score and rate withheld');
    expect(blind.out).not.toMatch(/\b0\.\d{4}\b/);

    expect((await sup('review', 'blind', 'off', '--case', ref)).code).toBe(EXIT.usage);
    const off = await sup('review', 'blind', 'off', '--reason', 'Training: the trainer shows the scores', '--case', ref);
    expect(off.out).toBe('blind mode off: scores are shown with every candidate\n');
    expect((await ann('review', 'blind', 'on', '--reason', 'Only a supervisor may do this', '--case', ref)).code).toBe(EXIT.refused);

    const probeFace = json<{ probe: { id: number } }>(await ann('--json', 'search', 'show', '1', '--case', ref)).probe.id;
    const open = json<{ id: number; candidates: Cand[]; blind: boolean }>(await ann('--json', 'search', '--case', ref, '--face', String(probeFace), ...purpose, '--fmr', 'any'));
    expect(open.blind).toBe(false);
    expect(open.candidates[0]?.exhibit.fileName).toBe('obama1.jpg');
    expect(open.candidates.every((c) => !c.withheld && typeof c.score === 'number')).toBe(true);
    expect(open.candidates[0]?.rank).toBe(1);

    const text = await ann('search', 'show', String(open.id), '--case', ref);
    expect(text.out).toMatch(/\nrank +score {2}false match rate +face {2}where\n {3}1 +0\.\d{4} {2}(about|fewer than) 1 in [\d,]+[^\n]*? {2,}\d+ {2}obama1\.jpg, quality \d+\n {3}2 /);
    expect(text.out).toContain('threshold: none (the top candidates whatever their score)');
    const list = await ann('search', 'list', '--case', ref);
    expect(list.out.trimEnd().split('\n')).toHaveLength(2);
    expect(list.out).toMatch(/\n#1 +\S+ +ann +probe face \d+, 3 candidates: Find the man/);

    const strict = json<{ candidates: Cand[]; maxFmr: number }>(await ann('--json', 'search', '--case', ref, '--face', String(probeFace), ...purpose, '--fmr', '1/1000'));
    expect(strict.maxFmr).toBe(0.001);
    expect(strict.candidates.map((c) => c.exhibit.fileName)).toEqual(['obama1.jpg']);

    const several = await ann('search', '--case', ref, '--image', path.join(probes, 'two.jpg'), ...purpose);
    expect(several.code).toBe(EXIT.failed);
    expect(several.err).toMatch(/two\.jpg shows [2-9] faces \(imported as exhibit \d+; face ids, largest first: (\d+, )+\d+\): name the one you mean by its id\.\n$/);
  });

  it('compares two faces 1:1, from face ids or image files', async () => {
    const purpose = ['--purpose', 'Is the probe the man in the seized photo?'];
    const same = json<{ faceA: { id: number }; score: number; fmr: unknown }>(await ann('--json', 'compare', path.join(probes, 'biden2.jpg'), await faceOf('biden.jpg'), '--case', ref, ...purpose));
    const other = await ann('compare', String(same.faceA.id), await faceOf('jolie.jpg'), '--case', ref, ...purpose);
    expect(other.out).toMatch(/^face \d+ \(quality \d+\) with face \d+ \(quality \d+\)\nscore (-?\d\.\d{4}); false match rate ((about|fewer than) 1 in [\d,]+[^;]*|(about \d+|100)% \([^)]*\): no evidence of a match); model pack \w+ /);
    expect(Number(/score (-?\d\.\d{4})/.exec(other.out)?.[1])).toBeLessThan(same.score);
    expect(same.fmr).not.toBeNull();
    expect((await ann('compare', '1', '--case', ref, ...purpose)).code).toBe(EXIT.usage);
  });

  it('keeps a watch list: create, add from an image, list, search it, remove with a reason; a reviewer may not', async () => {
    expect((await loupe(home, 'rita', 'watchlist', 'create', 'Suspects', '--description', 'People sought in this case', '--case', ref)).code).toBe(EXIT.refused);
    const created = await ann('watchlist', 'create', 'Suspects', '--description', 'People sought in this case', '--case', ref);
    expect(created.out).toBe('created watch list 1 Suspects\n');
    const added = await ann('watchlist', 'add', '1', '--image', path.join(probes, 'obama-240p.jpg'), '--label', 'B. Obama', '--source', 'Press photo', '--reason', 'Named by a witness', '--retain', '2030-01-01', '--case', ref);
    expect(added.out).toMatch(/^added entry 1 \(face \d+, B\. Obama\) to watch list 1\n$/);
    expect((await ann('watchlist', 'list', '--case', ref)).out).toMatch(/^ {3}1 {2}Suspects +1 entries {2}by ann /);
    expect((await ann('watchlist', 'list', '1', '--case', ref)).out).toMatch(/^ {4}1 {2}face +\d+ {2}B\. Obama +retain until 2030-01-01; source: Press photo; reason: Named by a witness; added by ann /);

    const s = json<{ candidates: Cand[] }>(await ann('--json', 'search', '--case', ref, '--face', await faceOf('obama1.jpg'), '--no-case', '--watchlist', '1', '--purpose', 'Is the man of this photo on the list?', '--fmr', 'any'));
    expect(s.candidates.map((c) => c.watchlist?.label)).toEqual(['B. Obama']);

    expect((await ann('watchlist', 'remove', '1', '--case', ref)).code).toBe(EXIT.usage);
    expect((await ann('watchlist', 'remove', '1', '--reason', 'Eliminated from the inquiry', '--case', ref)).out).toBe('removed entry 1\n');
    expect((await ann('watchlist', 'list', '1', '--case', ref)).out).toBe('no entries\n');
  });

  it('groups faces into persons, names and merges them', async () => {
    const grouped = json<{ persons: { id: number; faceIds: number[] }[] }>(await ann('--json', 'persons', 'group', '--case', ref));
    expect(grouped.persons.length).toBeGreaterThanOrEqual(2);
    const [a, b] = grouped.persons;
    const named = await ann('persons', 'name', String(a?.id), 'First man', '--case', ref);
    expect(named.out).toMatch(new RegExp(`\\n {2}person +${a?.id} {2}First man +\\d+ faces`));
    const merged = json<{ persons: { id: number; name: string | null; faceIds: number[] }[] }>(await ann('--json', 'persons', 'merge', String(a?.id), String(b?.id), '--case', ref));
    expect(merged.persons.find((p) => p.id === a?.id)?.faceIds.length).toBe((a?.faceIds.length ?? 0) + (b?.faceIds.length ?? 0));
    expect((await ann('persons', 'list', '--case', ref)).out).toMatch(/^grouped \S+: same group at score/);
  });

  it('exits 0 done, 1 failed, 2 wrong command line, 3 refused, 4 tampering found; --json errors for scripts', async () => {
    expect((await ann('persons', 'list', '--case', ref, '--colour')).code).toBe(EXIT.usage);
    expect((await ann('frobnicate')).code).toBe(EXIT.usage);
    expect((await ann('report', 'verify', '--case', ref)).code).toBe(EXIT.usage);
    const gone = await ann('search', 'show', '999', '--case', ref);
    expect(gone.code).toBe(EXIT.failed);
    const wrong = await run(['--home', home, '--as', 'ann', '--json', 'case', 'list'], { LOUPE_PASSWORD: 'not the password' });
    expect(wrong.code).toBe(EXIT.refused);
    expect(JSON.parse(wrong.err)).toEqual({ error: { code: 'wrong_password', message: expect.any(String), exit: EXIT.refused } });

    const out = path.join(temp('loupe-cli-flow-audit-'), 'audit.jsonl');
    expect((await sup('audit', 'export', '--case', ref, '--out', out)).code).toBe(EXIT.ok);
    const tampered = path.join(path.dirname(out), 'tampered.jsonl');
    writeFileSync(tampered, readFileSync(out, 'utf8').replace('"ann"', '"bob"'));
    const check = await sup('audit', 'check', tampered);
    expect(check.code).toBe(EXIT.integrity);
    expect(check.err).toMatch(/^loupe: BROKEN at record \d+/);
  });
});
