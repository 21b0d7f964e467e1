import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FACES_DIR, FACES_MISSING, facesAvailable, killImportWhen, packInstalled, referenceImport, reopenKilled } from '../testing';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`resume test: ${facesAvailable ? 'no model pack installed' : FACES_MISSING}: skipped`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A seized folder of real photos, some of them twice. */
function makeSource(): string {
  const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-resume-src-'));
  dirs.push(src);
  const people = ['Barack_Obama', 'Joe_Biden', 'Angelina_Jolie', 'Elon_Musk', 'George_Clooney', 'Jack_Dorsey', 'Jeff_Bezos', 'Jennifer_Aniston', 'Katy_Perry'];
  for (const p of people) {
    mkdirSync(path.join(src, p));
    for (const f of readdirSync(path.join(FACES_DIR, 'identities', p)).slice(0, 5)) copyFileSync(path.join(FACES_DIR, 'identities', p, f), path.join(src, p, f));
  }
  copyFileSync(path.join(FACES_DIR, 'identities/Joe_Biden', readdirSync(path.join(FACES_DIR, 'identities/Joe_Biden'))[0]!), path.join(src, 'copy-of-biden.jpg'));
  return src;
}

describe.skipIf(!ready)('an import killed with SIGKILL', () => {
  it('resumes on reopen with no duplicate exhibit and no lost face', async () => {
    const src = makeSource();
    const home = mkdtempSync(path.join(os.tmpdir(), 'loupe-resume-home-'));
    dirs.push(home);

    // Reference: the same folder imported without interruption, in a case of its own.
    const { reference, victim } = await referenceImport(home, src, (t) => t.must('evidence.list', { offset: 0, limit: 500 }));

    // The same import in a separate process, killed hard part way through.
    const killedAt = await killImportWhen(home, 'KILL/1', src, (progress) => {
      const m = [...progress.matchAll(/(\d+)\/(\d+) files/g)].at(-1);
      return m && Number(m[1]) >= 12 ? Number(m[1]) : null;
    });
    expect(killedAt).toBeLessThan(reference.total);

    const t = await reopenKilled(home, victim.id);
    const [batch] = await t.must('evidence.batches', {});
    expect(batch?.status).toBe('interrupted');
    const partial = await t.must('evidence.list', { offset: 0, limit: 500 });
    expect(partial.total).toBeGreaterThanOrEqual(killedAt - 2);
    expect(partial.total).toBeLessThan(reference.total);

    await t.must('evidence.resumeImport', { batchId: batch!.id });
    await t.ws.importSettled();
    const resumed = await t.must('evidence.list', { offset: 0, limit: 500 });

    // Every file exactly once, with the same status, hash and faces as the clean import.
    const key = (e: { sourcePath: string }) => e.sourcePath;
    expect(resumed.total).toBe(reference.total);
    expect(new Set(resumed.exhibits.map(key)).size).toBe(resumed.total);
    const ref = new Map(reference.exhibits.map((e) => [key(e), e]));
    for (const e of resumed.exhibits) {
      const r = ref.get(key(e));
      expect(r, e.sourcePath).toBeDefined();
      expect(e.sha256).toBe(r!.sha256);
      // Which of two identical files is the first and which the duplicate depends on timing.
      const outcome = (s: string) => (s === 'failed' ? 'failed' : 'kept');
      expect(outcome(e.status)).toBe(outcome(r!.status));
      if (e.status === 'done' && r!.status === 'done') expect(e.faceCount).toBe(r!.faceCount);
    }
    const facesNow = resumed.exhibits.reduce((n, e) => n + e.faceCount, 0);
    expect(facesNow).toBe(reference.exhibits.reduce((n, e) => n + e.faceCount, 0));
    expect((await t.must('evidence.batches', {}))[0]?.status).toBe('done');
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
    await t.ws.close();
  });
});
