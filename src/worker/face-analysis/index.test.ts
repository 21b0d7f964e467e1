import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, DEFAULT_MAX_FMR, LoupeError, ModelPack, similarity, sniffFileType } from '../../shared';
import { applySimilarity, estimateSimilarity } from './align';
import { CONFIRM_MIN, createFaceAnalyser, type FaceAnalyser } from './index';

const root = new URL('../../..', import.meta.url).pathname;
const data = path.resolve(root, '../shared/data/faces');
const models = process.env.LOUPE_MODELS ?? path.join(root, 'models/packs');
const hasPack = (name: string) => existsSync(path.join(models, name, 'manifest.json'));
const ready = existsSync(data) && hasPack('yunet');

/** The worker gets verified bytes from main; here the test reads the installed pack itself. */
function readPack(name: string) {
  const dir = path.join(models, name);
  const manifest = ModelPack.parse(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  const read = (f: string) => new Uint8Array(readFileSync(path.join(dir, f)));
  return {
    manifest,
    detector: read(manifest.detector.file),
    embedder: read(manifest.embedder.file),
    ...(manifest.landmarks ? { landmarks: read(manifest.landmarks.file) } : {}),
  };
}

const file = (p: string) => new Uint8Array(readFileSync(path.join(data, p)));

function dlibBoxes(image: string) {
  const xml = readFileSync(path.join(data, 'groups/dlib_examples_faces/training.xml'), 'latin1');
  const block = xml.match(new RegExp(`<image file='${image}'[^>]*>([\\s\\S]*?)</image>`))?.[1] ?? '';
  return [...block.matchAll(/top='(\d+)' left='(\d+)' width='(\d+)' height='(\d+)'/g)].map((m) => ({ y: +m[1]!, x: +m[2]!, w: +m[3]!, h: +m[4]! }));
}

/** A real face scaled to `ied` px between the eyes, pasted at (x, y) into a 1920x1080 frame: grey, or the given RGB background. */
async function pastedFrame(engine: FaceAnalyser, source: string, ied: number, x: number, y: number, background?: Uint8Array) {
  const a = await engine.analyse(file(source), { thumbnail: false });
  const f = a.faces[0]!;
  const k = ied / f.quality.interEyePx;
  const m = f.box.w;
  const left = Math.max(0, Math.round(f.box.x - m)), top = Math.max(0, Math.round(f.box.y - m));
  const w = Math.min(a.width - left, Math.round(f.box.w + 2 * m)), h = Math.min(a.height - top, Math.round(f.box.h + 2 * m));
  const patch = await sharp(file(source)).autoOrient().extract({ left, top, width: w, height: h }).resize(Math.round(w * k), Math.round(h * k)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const frame = background ? new Uint8Array(background) : new Uint8Array(1920 * 1080 * 3).fill(110);
  for (let r = 0; r < patch.info.height; r++) frame.set(patch.data.subarray(r * patch.info.width * 3, (r + 1) * patch.info.width * 3), ((y + r) * 1920 + x) * 3);
  const eye = (i: number) => [(f.landmarks5[i]![0] - left) * k + x, (f.landmarks5[i]![1] - top) * k + y];
  return { frame: { width: 1920, height: 1080, data: frame }, eyes: [eye(0), eye(1)] };
}

describe.skipIf(!ready)('face engine on real models and photos (skipped when absent: ../shared/data/faces and the yunet pack in LOUPE_MODELS)', () => {
  let engine: FaceAnalyser;
  beforeAll(async () => {
    engine = await createFaceAnalyser(readPack('yunet'));
  });
  afterAll(async () => engine?.close());

  it('says when a photo has more faces than the cap, keeping the best scoring ones', async () => {
    const photo = file('groups/dlib_examples_faces/2007_007763.jpg');
    const all = await engine.analyse(photo, { thumbnail: false });
    expect(all.faces.length).toBeGreaterThanOrEqual(5);
    expect(all.moreFaces).toBe(false);
    const capped = await engine.analyse(photo, { thumbnail: false, maxFaces: 3 });
    expect(capped.faces).toHaveLength(3);
    expect(capped.moreFaces).toBe(true);
    const best = [...all.faces].sort((a, b) => b.detectorScore - a.detectorScore).slice(0, 3);
    expect(capped.faces.map((f) => f.detectorScore).sort()).toEqual(best.map((f) => f.detectorScore).sort());
    const exact = await engine.analyse(photo, { thumbnail: false, maxFaces: all.faces.length });
    expect(exact.moreFaces).toBe(false);
  });

  it('reads the first page of a multi-page TIFF and says how many pages it has', async () => {
    const pages = await Promise.all(['identities/Barack_Obama/obama.jpg', 'identities/Joe_Biden/biden.jpg', 'groups/face_recognition/obama_and_biden.jpg'].map((p) => sharp(file(p)).resize(400, 400).raw().toBuffer()));
    const tiff = await sharp(Buffer.concat(pages), { raw: { width: 400, height: 1200, channels: 3, pageHeight: 400 } }).tiff().toBuffer();
    const a = await engine.analyse(new Uint8Array(tiff), { thumbnail: false });
    expect([a.format, a.pages, a.width, a.height]).toEqual(['tiff', 3, 400, 400]);
    expect(a.faces.length).toBeGreaterThanOrEqual(1);
  });

  it('finds every marked face of a group photo', async () => {
    const truth = dlibBoxes('2007_007763.jpg');
    expect(truth.length).toBeGreaterThanOrEqual(5);
    const a = await engine.analyse(file('groups/dlib_examples_faces/2007_007763.jpg'));
    for (const t of truth) {
      const hit = a.faces.some((f) => {
        const cx = f.box.x + f.box.w / 2, cy = f.box.y + f.box.h / 2;
        return cx > t.x && cx < t.x + t.w && cy > t.y && cy < t.y + t.h;
      });
      expect(hit, `face at ${t.x},${t.y}`).toBe(true);
    }
    expect(a.width).toBe(500);
    expect(a.format).toBe('jpeg');
  });

  it('returns everything the evidence grid and the index need for each face', async () => {
    const a = await engine.analyse(file('groups/face_recognition/kit_with_rose.jpg'));
    expect(a.faces.length).toBeGreaterThanOrEqual(2);
    const meta = await sharp(a.thumbnailJpeg).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(320);
    for (const f of a.faces) {
      let n = 0;
      for (const v of f.embedding) n += v * v;
      expect(f.embedding.length).toBe(512);
      expect(n).toBeCloseTo(1, 4);
      expect((await sharp(f.alignedJpeg).metadata()).width).toBe(112);
      const crop = await sharp(f.faceJpeg).metadata();
      expect(Math.max(crop.width!, crop.height!)).toBeLessThanOrEqual(256);
      expect(f.quality.score).toBeGreaterThanOrEqual(0);
      expect(f.quality.score).toBeLessThanOrEqual(100);
    }
    expect(a.pack.name).toBe('yunet');
    expect(a.pack.embedder).toMatch(/^fr_feature@[0-9a-f]{16}$/);
  });

  it('times its stages only when asked for a profile, and finds the same faces either way', async () => {
    const photo = file('groups/face_recognition/obama_and_biden.jpg');
    const plain = await engine.analyse(photo);
    expect(plain.stages).toBeUndefined();
    const timed = await engine.analyse(photo, { profile: true });
    expect(Object.keys(timed.stages!).sort()).toEqual(['align', 'crops', 'decode', 'detect', 'embed', 'fine', 'landmarks', 'quality', 'secondLook', 'thumbnail']);
    for (const s of ['decode', 'detect', 'fine', 'secondLook', 'embed', 'crops', 'thumbnail'] as const) expect(timed.stages![s], s).toBeGreaterThan(0);
    const sum = Object.values(timed.stages!).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(timed.timings.totalMs + 1);
    expect(timed.faces.map((f) => f.box)).toEqual(plain.faces.map((f) => f.box));
    expect(timed.faces.map((f) => Array.from(f.embedding))).toEqual(plain.faces.map((f) => Array.from(f.embedding)));
  });

  it('finds a real face pasted at 16 px between the eyes into a 1920x1080 frame', async () => {
    const { frame, eyes } = await pastedFrame(engine, 'identities/Joe_Biden/biden.jpg', 16, 1203, 611);
    const a = await engine.analyse(frame);
    const f = a.faces.find((g) => Math.hypot(g.landmarks5[0]![0] - eyes[0]![0]!, g.landmarks5[0]![1] - eyes[0]![1]!) < 6);
    expect(f, 'the pasted face').toBeDefined();
    expect(f!.quality.interEyePx).toBeGreaterThan(12);
    expect(f!.quality.interEyePx).toBeLessThan(20);
  });

  it('finds the one face of an official portrait, not the flags, the tie pattern or the pin', async () => {
    for (const photo of ['identities/Barack_Obama/obama.jpg', 'identities/Barack_Obama/obama_partial_face2.jpg']) {
      const a = await engine.analyse(file(photo), { thumbnail: false });
      expect(a.faces, photo).toHaveLength(1);
      const q = a.faces[0]!.quality;
      expect(q.interEyePx, photo).toBeGreaterThan(80);
      expect(q.insufficient, photo).toBe(false);
      expect(q.secondLookScore, photo).toBeGreaterThanOrEqual(CONFIRM_MIN);
      expect(q.components.likeness, photo).toBeGreaterThan(0.8);
    }
  });

  it('finds no face in a photo of dogs', async () => {
    const a = await engine.analyse(file('groups/dlib_examples_faces/dogs.jpg'), { thumbnail: false });
    expect(a.faces).toEqual([]);
  });

  it('still finds a real face pasted at 12 px between the eyes into a 1920x1080 photo of dogs, and only that face', async () => {
    const dogs = await sharp(file('groups/dlib_examples_faces/dogs.jpg')).resize(1920, 1080, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    const { frame, eyes } = await pastedFrame(engine, 'identities/Katy_Perry/img44.jpg', 12, 1310, 240, new Uint8Array(dogs));
    const a = await engine.analyse(frame, { thumbnail: false });
    expect(a.faces).toHaveLength(1);
    const f = a.faces[0]!;
    expect(Math.hypot(f.landmarks5[0]![0] - eyes[0]![0]!, f.landmarks5[0]![1] - eyes[0]![1]!)).toBeLessThan(4);
    expect(f.quality.interEyePx).toBeGreaterThan(9);
    expect(f.quality.interEyePx).toBeLessThan(15);
  });

  it('aligns a face so its landmarks land on the template', async () => {
    const a = await engine.analyse(file('identities/Barack_Obama/obama.jpg'));
    const f = a.faces[0]!;
    const m = estimateSimilarity(f.landmarks5, ARCFACE_TEMPLATE_112);
    const err = f.landmarks5.map((p, i) => Math.hypot(applySimilarity(m, p)[0] - ARCFACE_TEMPLATE_112[i]![0], applySimilarity(m, p)[1] - ARCFACE_TEMPLATE_112[i]![1]));
    // Five points, four degrees of freedom: the fit is close but not exact for a real face.
    expect(Math.max(...err)).toBeLessThan(6);
    // Re-detecting on the aligned crop puts the eyes where the template says.
    const crop = await sharp(f.alignedJpeg).raw().toBuffer({ resolveWithObject: true });
    const padded = new Uint8Array(224 * 224 * 3);
    for (let r = 0; r < 112; r++) padded.set(crop.data.subarray(r * 336, (r + 1) * 336), ((r + 56) * 224 + 56) * 3);
    const again = await engine.detect({ width: 224, height: 224, data: padded });
    expect(again.length).toBeGreaterThanOrEqual(1);
    const l = again[0]!.landmarks5;
    expect(Math.hypot(l[0]![0] - 56 - ARCFACE_TEMPLATE_112[0]![0], l[0]![1] - 56 - ARCFACE_TEMPLATE_112[0]![1])).toBeLessThan(4);
    expect(Math.hypot(l[1]![0] - 56 - ARCFACE_TEMPLATE_112[1]![0], l[1]![1] - 56 - ARCFACE_TEMPLATE_112[1]![1])).toBeLessThan(4);
  });

  it('scores two photos of one person above photos of two people', async () => {
    const emb = async (p: string) => (await engine.analyse(file(p), { thumbnail: false })).faces[0]!.embedding;
    const [o1, o2, b1, b2] = await Promise.all(['identities/Barack_Obama/obama.jpg', 'identities/Barack_Obama/obama2.jpg', 'identities/Joe_Biden/biden.jpg', 'identities/Joe_Biden/biden2.jpg'].map(emb));
    const same = [similarity(o1!, o2!), similarity(b1!, b2!)];
    const different = [similarity(o1!, b1!), similarity(o1!, b2!), similarity(o2!, b1!), similarity(o2!, b2!)];
    expect(Math.min(...same)).toBeGreaterThan(Math.max(...different) + 0.2);
  });

  it('flags a tiny face as insufficient and passes a good one', async () => {
    const good = (await engine.analyse(file('identities/Barack_Obama/obama.jpg'))).faces[0]!;
    expect(good.quality.insufficient).toBe(false);
    expect(good.quality.score).toBeGreaterThan(60);
    const { frame, eyes } = await pastedFrame(engine, 'identities/Barack_Obama/obama.jpg', 9, 400, 300);
    const tiny = (await engine.analyse(frame)).faces.find((g) => Math.hypot(g.landmarks5[0]![0] - eyes[0]![0]!, g.landmarks5[0]![1] - eyes[0]![1]!) < 6);
    expect(tiny, 'the 9 px face').toBeDefined();
    expect(tiny!.quality.insufficient).toBe(true);
    expect(tiny!.quality.reasons.join(' ')).toMatch(/between the eyes/);
  });

  it('gives a blurred copy of a face a lower sharpness', async () => {
    const sharpFace = (await engine.analyse(file('identities/Barack_Obama/obama.jpg'))).faces[0]!;
    const blurred = new Uint8Array(await sharp(file('identities/Barack_Obama/obama.jpg')).blur(6).jpeg().toBuffer());
    const soft = (await engine.analyse(blurred)).faces[0]!;
    expect(soft.quality.sharpness).toBeLessThan(sharpFace.quality.sharpness / 3);
    expect(soft.quality.score).toBeLessThan(sharpFace.quality.score);
  });

  it('finds faces rolled 45, 90, -90 and 180 degrees and aligns them upright: the recogniser scores each as the same person as the upright photo', async () => {
    // Photos whose faces the upright pass read wrongly at some of these turns (docs/figures.md, "Rolled faces").
    const photos = ['identities/Joe_Biden/biden.jpg', 'identities/Kit_Harington/john1.jpeg', 'identities/Sundar_Pichai/img24.jpg', 'identities/Alex_Lacamoire/img1.jpg'];
    // The pack's score at the search's default false match rate limit (1 in 1,000).
    const threshold = engine.manifest.calibration!.points.find((p) => p.fmr <= DEFAULT_MAX_FMR)!.score;
    const r0 = (f: { landmarks5: [number, number][] }) => (Math.atan2(f.landmarks5[1]![1] - f.landmarks5[0]![1], f.landmarks5[1]![0] - f.landmarks5[0]![0]) * 180) / Math.PI;
    const wrap = (d: number) => ((((d + 180) % 360) + 360) % 360) - 180;
    for (const photo of photos) {
      const upright = (await engine.analyse(file(photo), { thumbnail: false })).faces.reduce((a, f) => (f.box.w > a.box.w ? f : a));
      for (const angle of [45, 90, -90, 180]) {
        const at = `${photo} at ${angle} degrees`;
        const turned = new Uint8Array(await sharp(file(photo)).rotate(angle).jpeg({ quality: 92 }).toBuffer());
        const [face, ...rest] = (await engine.analyse(turned, { thumbnail: false })).faces;
        expect(face, at).toBeDefined();
        expect(rest, at).toHaveLength(0);
        // Upright in the aligned crop: a crop left rolled, or aligned from an upside-down reading, scores as a stranger would, near 0.
        expect(similarity(face!.embedding, upright.embedding), at).toBeGreaterThan(threshold);
        // In the photo the eye line has turned with the face.
        expect(Math.abs(wrap(r0(face!) - r0(upright) - angle)), `${at}: eye line at ${r0(face!).toFixed(0)} degrees`).toBeLessThan(angle === 45 ? 20 : 15);
        // Read on the face turned upright, the landmarks are trusted: the roll does not cost the pose (at 90 degrees or more it would take it to 0).
        expect(face!.quality.components.pose, at).toBeGreaterThan(0.5);
      }
    }
  });

  it('aligns upright a face upside down in a video frame too (raw pixels, where no quarter-turn pass runs)', async () => {
    const photo = 'identities/Rose_Leslie/img1.jpg';
    const upright = (await engine.analyse(file(photo), { thumbnail: false })).faces.reduce((a, f) => (f.box.w > a.box.w ? f : a));
    const raw = await sharp(file(photo)).rotate(180).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const frame = { width: raw.info.width, height: raw.info.height, data: new Uint8Array(raw.data) };
    const [face] = (await engine.analyse(frame, { thumbnail: false })).faces;
    const threshold = engine.manifest.calibration!.points.find((p) => p.fmr <= DEFAULT_MAX_FMR)!.score;
    expect(similarity(face!.embedding, upright.embedding)).toBeGreaterThan(threshold);
  });

  it('honours EXIF orientation and reads the first frame of a GIF', async () => {
    const src = file('identities/Barack_Obama/obama.jpg');
    const meta = await sharp(src).metadata();
    const tagged = new Uint8Array(await sharp(src).rotate(-90).withMetadata({ orientation: 8 }).jpeg().toBuffer());
    const a = await engine.analyse(tagged);
    expect([a.width, a.height]).toEqual([meta.width, meta.height]);
    expect(a.faces.length).toBeGreaterThanOrEqual(1);
    const gif = new Uint8Array(await sharp(src).resize(300).gif().toBuffer());
    const g = await engine.analyse(gif);
    expect(g.format).toBe('gif');
    expect(g.faces.length).toBeGreaterThanOrEqual(1);
  });

  it('types real files by their bytes', () => {
    const of = (p: string) => sniffFileType(file(p).subarray(0, 64));
    expect(of('groups/face_recognition/obama_and_biden.jpg')).toBe('jpeg');
    expect(of('identities/Alex_Lacamoire/alex-lacamoire.png')).toBe('png');
    expect(of('video/face_recognition/short_hamilton_clip.mp4')).toBe('mp4');
    expect(of('identities/ORL_s1/1.pgm')).toBe('pnm');
  });

  it('reads a real PGM face (the ORL set) as a grey image', async () => {
    const a = await engine.analyse(file('identities/ORL_s1/1.pgm'), { thumbnail: false });
    expect([a.format, a.width, a.height, a.pages]).toEqual(['pnm', 92, 112, 1]);
  });

  it('turns empty, corrupt, truncated and hostile input into unsupported_file', async () => {
    const jpeg = file('groups/face_recognition/obama_and_biden.jpg');
    const bomb = new Uint8Array(await sharp({ create: { width: 9000, height: 9000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer());
    const cases: [string, Parameters<FaceAnalyser['analyse']>[0], Parameters<FaceAnalyser['analyse']>[1]?][] = [
      ['empty', new Uint8Array(0)],
      ['random bytes', new Uint8Array(4096).map((_, i) => (i * 7919) % 251)],
      ['truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 3))],
      ['JPEG header only', jpeg.subarray(0, 200)],
      ['pixel bomb above the limit', bomb, { maxPixels: 8000 * 8000 }],
      ['video bytes', file('video/face_recognition/short_hamilton_clip.mp4').subarray(0, 4096)],
      ['raw frame of the wrong length', { width: 100, height: 100, data: new Uint8Array(100) }],
    ];
    for (const [what, input, opts] of cases) {
      const err = await engine.analyse(input, opts).then(() => null, (e: unknown) => e);
      expect(err, what).toBeInstanceOf(LoupeError);
      expect((err as LoupeError).code, what).toBe('unsupported_file');
      expect((err as LoupeError).message.length, what).toBeGreaterThan(20);
    }
  });
});

describe.skipIf(!existsSync(data) || !hasPack('default'))('default pack (UltraFace + 68 landmarks) (skipped when absent: ../shared/data/faces and the default pack)', () => {
  it('finds, aligns and encodes faces with landmarks from the 68-point model', async () => {
    const engine = await createFaceAnalyser(readPack('default'));
    try {
      const a = await engine.analyse(file('identities/Barack_Obama/obama.jpg'));
      const b = await engine.analyse(file('identities/Barack_Obama/obama2.jpg'));
      const c = await engine.analyse(file('identities/Joe_Biden/biden.jpg'));
      const [fa, fb, fc] = [a.faces[0]!, b.faces[0]!, c.faces[0]!];
      // The eyes come before the mouth, image-left before image-right.
      expect(fa.landmarks5[0]![0]).toBeLessThan(fa.landmarks5[1]![0]);
      expect(fa.landmarks5[3]![1]).toBeGreaterThan(fa.landmarks5[0]![1]);
      expect(similarity(fa.embedding, fb.embedding)).toBeGreaterThan(similarity(fa.embedding, fc.embedding) + 0.2);
      // One face each: no part of the face from a tile smaller than it (brows to chin in
      // obama2's close-up, the mouth in obama's portrait), no tie, no flag.
      expect(a.faces).toHaveLength(1);
      expect(b.faces).toHaveLength(1);
      expect(b.faces[0]!.box.h).toBeGreaterThan(300);
    } finally {
      await engine.close();
    }
  });
});
