import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaRef } from '../../shared';
import { FACES_DIR, FACES_MISSING, facesAvailable, killImportWhen, packInstalled, referenceImport, reopenKilled } from '../testing';
import { makeFacesVideo } from '../testing/video';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`video staging test: ${facesAvailable ? 'no model pack installed' : FACES_MISSING}: skipped`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!ready)('a long video killed with SIGKILL part way', () => {
  it('resumes after the frames staged before the kill, with no face lost or twice', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-staging-src-'));
    const home = mkdtempSync(path.join(os.tmpdir(), 'loupe-staging-home-'));
    dirs.push(src, home);
    const faces = ['Barack_Obama/obama.jpg', 'Joe_Biden/biden.jpg'].map((f) => path.join(FACES_DIR, 'identities', f));
    await makeFacesVideo(path.join(src, 'camera-1.mp4'), faces, { seconds: 90, width: 640, height: 360, fps: 10, codec: 'h264' });

    // Reference: the video imported without interruption.
    const { reference, victim } = await referenceImport(home, src, async (t) => {
      const [clean] = (await t.must('evidence.list', { offset: 0, limit: 10 })).exhibits;
      return t.must('evidence.get', { exhibitId: clean!.id });
    });
    expect(reference.faces.length).toBeGreaterThan(20);

    // The same import in a separate process, killed once faces of the video are staged but before it is an exhibit.
    const stagedAtKill = await killImportWhen(home, 'KILL/1', src, (progress) => {
      const m = [...progress.matchAll(/0\/1 files, (\d+) faces/g)].at(-1);
      return m && Number(m[1]) > 0 ? Number(m[1]) : null;
    });
    expect(stagedAtKill).toBeLessThan(reference.faces.length);

    const t = await reopenKilled(home, victim.id);
    try {
      const [batch] = await t.must('evidence.batches', {});
      expect(batch?.status).toBe('interrupted');
      expect((await t.must('evidence.list', { offset: 0, limit: 10 })).total).toBe(0);

      await t.must('evidence.resumeImport', { batchId: batch!.id });
      await t.ws.importSettled();
      const { exhibits, total } = await t.must('evidence.list', { offset: 0, limit: 10 });
      expect(total).toBe(1);
      const resumed = await t.must('evidence.get', { exhibitId: exhibits[0]!.id });
      const key = (f: { timeMs: number | null; box: { x: number; y: number; w: number; h: number } }) => `${f.timeMs} ${f.box.x.toFixed(1)} ${f.box.y.toFixed(1)} ${f.box.w.toFixed(1)}`;
      expect(resumed.faces.map(key)).toEqual(reference.faces.map(key));
      expect(resumed.frames.map((f) => f.timeMs)).toEqual(reference.frames.map((f) => f.timeMs));
      expect(resumed.tracks.map((r) => [r.firstMs, r.lastMs, r.faceCount])).toEqual(reference.tracks.map((r) => [r.firstMs, r.lastMs, r.faceCount]));
      expect(await t.ws.media(mediaRef(victim.id, `exhibit/${resumed.exhibit.id}/thumb`))).not.toBeNull();

      // It went on from the staged frames rather than starting the video again.
      const { records } = await t.must('audit.list', { chain: 'case', offset: 0, limit: 1000 });
      const imported = records.find((r) => r.action === 'exhibit.imported');
      expect((imported?.details as { resumedAfterMs?: number }).resumedAfterMs).toBeGreaterThan(0);
      expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
    } finally {
      await t.ws.close();
    }
  }, 300_000);
});
