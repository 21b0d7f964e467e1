import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaRef } from '../../shared';
import { FACES_DIR, FACES_MISSING, facesAvailable, packInstalled, PASSPHRASE, tempCase } from '../testing';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`evidence tests: ${facesAvailable ? 'no model pack installed in models/packs' : FACES_MISSING}: skipped`);

/** A 24-bit bottom-up bitmap of a photo, as CCTV exports still write them (libvips reads no BMP). */
async function bitmapOf(photo: string): Promise<Buffer> {
  const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const stride = Math.ceil((info.width * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * info.height);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(info.width, 18);
  b.writeInt32LE(info.height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const p = 54 + (info.height - 1 - y) * stride + x * 3, q = (y * info.width + x) * 3;
      b[p] = data[q + 2]!;
      b[p + 1] = data[q + 1]!;
      b[p + 2] = data[q]!;
    }
  }
  return b;
}

describe.skipIf(!ready)('import of evidence', () => {
  let t: Awaited<ReturnType<typeof tempCase>>;
  let src: string;

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-evidence-src-'));
    // A small seized folder: real photos, a copy of one of them, a group photo, and bad files.
    mkdirSync(path.join(src, 'phone', 'DCIM'), { recursive: true });
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg'), path.join(src, 'phone/DCIM/IMG_0001.jpg'));
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg'), path.join(src, 'phone/DCIM/IMG_0001 (copy).jpg'));
    copyFileSync(path.join(FACES_DIR, 'groups/face_recognition/obama_and_biden.jpg'), path.join(src, 'phone/group.jpg'));
    copyFileSync(path.join(FACES_DIR, 'groups/dlib_examples_faces/dogs.jpg'), path.join(src, 'phone/dogs.jpg'));
    writeFileSync(path.join(src, 'phone/notes.jpg'), 'this is a text file with an image name');
    writeFileSync(path.join(src, 'phone/empty.png'), '');
    const truncated = path.join(src, 'phone/truncated.jpg');
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama1.jpg'), truncated);
    truncateSync(truncated, 2000);
    copyFileSync(path.join(FACES_DIR, 'video/face_recognition/short_hamilton_clip.mp4'), path.join(src, 'doorbell.bin'));
    writeFileSync(path.join(src, 'cctv-export.bmp'), await bitmapOf(path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg')));

    t = await tempCase();
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(src, { recursive: true, force: true });
  });

  /** A media reference under the open case's id, as the renderer builds it. */
  const caseMedia = async (ref: string) => mediaRef((await t.must('session.status', {})).openCase!.id, ref);

  it('imports a folder: faces from photos and video, bad files recorded with reasons, copies linked', async () => {
    const started = await t.must('evidence.import', { paths: [src], options: { exhibitRef: 'JD/1', videoFramesPerSecond: 2 } });
    expect(started.filesTotal).toBe(9);
    await t.ws.importSettled();

    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 100 });
    const byName = Object.fromEntries(exhibits.map((e) => [e.fileName, e]));
    expect(exhibits).toHaveLength(9);
    // Two copies of one photo: one exhibit analysed, the other linked to it, not reprocessed.
    const copies = [byName['IMG_0001.jpg'], byName['IMG_0001 (copy).jpg']];
    const first = copies.find((e) => e?.status === 'done');
    const dup = copies.find((e) => e?.status === 'duplicate');
    expect(first?.faceCount).toBe(1);
    expect(dup).toMatchObject({ duplicateOf: first?.id, faceCount: 0, sha256: first?.sha256 });

    expect(byName['group.jpg']).toMatchObject({ status: 'done', kind: 'image', fileType: 'jpeg', exhibitRef: 'JD/1' });
    // Biden, Obama and the girl in front; a fourth face is cut by the right edge.
    expect(byName['group.jpg']?.faceCount).toBeGreaterThanOrEqual(3);
    expect(byName['dogs.jpg']).toMatchObject({ status: 'done', kind: 'image' });
    expect(byName['notes.jpg']).toMatchObject({ status: 'failed', kind: 'unsupported' });
    expect(byName['notes.jpg']?.failure).toMatch(/Not an image or video/);
    expect(byName['empty.png']).toMatchObject({ status: 'failed' });
    expect(byName['empty.png']?.failure).toMatch(/empty/);
    expect(byName['truncated.jpg']).toMatchObject({ status: 'failed', kind: 'image' });
    // Typed by content: the clip named .bin is a video.
    const video = byName['doorbell.bin'];
    expect(video).toMatchObject({ status: 'done', kind: 'video', fileType: 'mp4', width: 640, height: 360 });
    expect(video?.durationMs).toBeGreaterThan(9000);

    // Every exhibit carries the SHA-256 of its bytes.
    const group = byName['group.jpg']!;
    const { createHash } = await import('node:crypto');
    expect(group.sha256).toBe(createHash('sha256').update(readFileSync(path.join(src, 'phone/group.jpg'))).digest('hex'));

    const last = t.events.filter((e) => e.type === 'import.progress').at(-1);
    expect(last).toMatchObject({ status: 'done', filesDone: 9, filesTotal: 9 });
  });

  it('tracks the faces of a video so a person walking past is a track, not a face per frame', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 100 });
    const video = exhibits.find((e) => e.kind === 'video')!;
    const d = await t.must('evidence.get', { exhibitId: video.id });
    expect(d.frames.length).toBeGreaterThan(5);
    expect(d.faces.length).toBeGreaterThan(d.tracks.length);
    expect(d.tracks.length).toBeGreaterThan(0);
    // The clip shows a performer for eight seconds, a pianist, a singer in profile and four
    // people in the audience: seven people, so at most a few more tracks, and the performer is one.
    expect(d.tracks.length).toBeLessThanOrEqual(9);
    const longest = d.tracks.reduce((a, b) => (b.faceCount > a.faceCount ? b : a));
    expect(longest.faceCount).toBeGreaterThanOrEqual(10);
    expect(longest.lastMs - longest.firstMs).toBeGreaterThan(5000);
    for (const tr of d.tracks) {
      expect(d.faces.find((f) => f.id === tr.bestFaceId)?.trackId).toBe(tr.id);
      const times = d.faces.filter((f) => f.trackId === tr.id).map((f) => f.timeMs);
      expect(new Set(times).size).toBe(times.length);
    }
    for (const f of d.faces) expect(f.timeMs).not.toBeNull();
  });

  it('imports a bitmap, which only the engine can decode, with its faces and a copy to view', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 100 });
    const bmp = exhibits.find((e) => e.fileName === 'cctv-export.bmp');
    expect(bmp).toMatchObject({ status: 'done', kind: 'image', fileType: 'bmp', faceCount: 1 });
    expect(await t.ws.media(await caseMedia(`exhibit/${bmp!.id}/display`))).not.toBeNull();
  });

  it('serves crops and display copies of the open case only', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 100, status: 'done' });
    const group = exhibits.find((e) => e.fileName === 'group.jpg')!;
    const d = await t.must('evidence.get', { exhibitId: group.id });
    const cropRef = await caseMedia(`face/${d.faces[0]!.id}/crop`);
    const crop = await t.ws.media(cropRef);
    expect(crop?.mime).toBe('image/jpeg');
    expect(Buffer.from(crop!.bytes.subarray(0, 2)).toString('hex')).toBe('ffd8');
    expect(await t.ws.media(await caseMedia(`exhibit/${group.id}/display`))).not.toBeNull();
    expect(await t.ws.media(await caseMedia('exhibit/../../etc/passwd/display'))).toBeNull();
    // The same face number asked for under another case's id is not answered from this one.
    expect(await t.ws.media(mediaRef('OtherCase01', `face/${d.faces[0]!.id}/crop`))).toBeNull();
    expect(await t.ws.media(`face/${d.faces[0]!.id}/crop`)).toBeNull();
    await t.must('cases.close', {});
    expect(await t.ws.media(cropRef)).toBeNull();
    const [c] = await t.must('cases.list', {});
    await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
  });

  it('re-hashes originals and reports one that changed', async () => {
    const ok = await t.must('evidence.verify', {});
    expect(ok.every((c) => c.ok || c.reason?.includes('could not be read at import'))).toBe(true);
    writeFileSync(path.join(src, 'phone/dogs.jpg'), 'altered');
    const after = await t.must('evidence.verify', {});
    const dogs = after.find((c) => c.sourcePath.endsWith('dogs.jpg'));
    expect(dogs).toMatchObject({ ok: false });
    expect(dogs?.reason).toMatch(/changed since import/);
  });

  it('records each exhibit in the audit chain, and the chain verifies', async () => {
    const audit = await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 });
    const actions = audit.records.map((r) => r.action);
    expect(actions.filter((a) => a === 'exhibit.imported').length).toBe(5);
    expect(actions.filter((a) => a === 'exhibit.failed').length).toBe(3);
    expect(actions).toContain('exhibit.duplicate');
    expect(actions).toContain('import.finished');
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
  });

  it('refuses a path that does not exist, naming it, and imports nothing', async () => {
    const r = await t.invoke('evidence.import', { paths: [path.join(src, 'nope')] });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', field: 'paths.0' } });
  });

  it('refuses a folder as a probe image and records no batch for it', async () => {
    const before = (await t.must('evidence.batches', {})).length;
    const r = await t.invoke('evidence.importProbe', { path: path.join(src, 'phone'), role: 'probe' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'path' } });
    expect(await t.must('evidence.batches', {})).toHaveLength(before);
  });
});
