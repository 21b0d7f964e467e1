import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FACES_DIR, FACES_MISSING, facesAvailable, packInstalled, tempCase } from '../testing';
import { sampleVideo } from './video';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default')) && process.platform !== 'win32';
if (!ready) console.warn(`special files test: ${facesAvailable ? 'no model pack installed, or Windows (no FIFOs)' : FACES_MISSING}: skipped`);

const dirs: string[] = [];
const servers: net.Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe.skipIf(!ready)('originals that are not regular files', () => {
  it('gives each special file, and a file replaced by a FIFO after listing, a failure record that says what it is; the import ends', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-special-'));
    dirs.push(src);
    const photos = path.join(src, 'a-photos');
    mkdirSync(photos);
    for (let i = 0; i < 6; i++) copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama', ['obama.jpg', 'obama1.jpg', 'obama2.jpg', 'obama3.jpg', 'obama-240p.jpg', 'obama_small.jpg'][i]!), path.join(photos, `IMG_${i}.jpg`));
    // Listed as a photo; replaced by a FIFO once the import has listed it, before it is opened.
    const late = path.join(src, 'z-late.jpg');
    copyFileSync(path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), late);
    execFileSync('mkfifo', [path.join(src, 'pipe.jpg')]);
    const socket = path.join(src, 'socket.jpg');
    await new Promise<void>((resolve) => servers.push(net.createServer().listen(socket, resolve)));
    symlinkSync('/dev/null', path.join(src, 'device.jpg'));
    symlinkSync(path.join(src, 'nowhere.jpg'), path.join(src, 'dangling.jpg'));
    symlinkSync(path.join(src, 'loop-b.jpg'), path.join(src, 'loop-a.jpg'));
    symlinkSync(path.join(src, 'loop-a.jpg'), path.join(src, 'loop-b.jpg'));

    const t = await tempCase();
    try {
      const started = await t.must('evidence.import', { paths: [src] });
      rmSync(late);
      execFileSync('mkfifo', [late]);
      expect(started.filesTotal).toBe(6 + 7);
      await t.ws.importSettled();

      const { exhibits, total } = await t.must('evidence.list', { offset: 0, limit: 100 });
      expect(total).toBe(13);
      const reason = (name: string) => exhibits.find((e) => e.fileName === name);
      expect(reason('pipe.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('named pipe (FIFO)') });
      expect(reason('z-late.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('named pipe (FIFO)') });
      expect(reason('socket.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('socket') });
      expect(reason('device.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('character device') });
      expect(reason('dangling.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('which does not exist') });
      expect(reason('loop-a.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('loops') });
      expect(reason('loop-b.jpg')).toMatchObject({ status: 'failed', failure: expect.stringContaining('loops') });
      expect(exhibits.filter((e) => e.status === 'done')).toHaveLength(6);
      const [batch] = await t.must('evidence.batches', {});
      expect(batch).toMatchObject({ status: 'done', filesDone: 13, failed: 7 });
    } finally {
      await t.dispose();
    }
  }, 120_000);

  it('gives every empty file its own failure, not a duplicate of the first', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-empty-'));
    dirs.push(src);
    for (let i = 0; i < 5; i++) writeFileSync(path.join(src, `empty-${i}.jpg`), '');
    const t = await tempCase();
    try {
      await t.must('evidence.import', { paths: [src] });
      await t.ws.importSettled();
      const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 100 });
      expect(exhibits).toHaveLength(5);
      for (const e of exhibits) expect(e).toMatchObject({ status: 'failed', duplicateOf: null, failure: expect.stringContaining('empty (0 bytes)') });
      expect((await t.must('evidence.batches', {}))[0]).toMatchObject({ failed: 5, duplicates: 0 });
    } finally {
      await t.dispose();
    }
  });

  it('says of a file imported again that it was already in the case, and imports nothing for it', async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), 'loupe-again-'));
    dirs.push(src);
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg'), path.join(src, 'a.jpg'));
    copyFileSync(path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), path.join(src, 'b.jpg'));
    const t = await tempCase();
    try {
      await t.must('evidence.import', { paths: [src] });
      await t.ws.importSettled();
      const again = await t.must('evidence.import', { paths: [src] });
      await t.ws.importSettled();
      const batch = (await t.must('evidence.batches', {})).find((b) => b.id === again.batchId);
      expect(batch).toMatchObject({ status: 'done', filesTotal: 2, filesDone: 2, alreadyInCase: 2, failed: 0, duplicates: 0, facesFound: 0 });
      expect((await t.must('evidence.list', { offset: 0, limit: 10 })).total).toBe(2);
      const { records } = await t.must('audit.list', { chain: 'case', offset: 0, limit: 1000 });
      const finished = records.find((r) => r.action === 'import.finished' && r.object === `batch:${again.batchId}`);
      expect(finished?.details).toMatchObject({ alreadyInCase: 2 });
    } finally {
      await t.dispose();
    }
  });

  it('stops sampling a video whose path gives no data (a FIFO nobody writes to) after the stall limit', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-stall-'));
    dirs.push(dir);
    const fifo = path.join(dir, 'clip.mp4');
    execFileSync('mkfifo', [fifo]);
    const frames = async () => {
      for await (const f of sampleVideo(fifo, { framesPerSecond: 1, sceneChange: 0, stallMs: 1500 })) void f;
    };
    await expect(frames()).rejects.toThrow(/read nothing from the file for 2 s/);
  }, 20_000);
});
