import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelPack } from '../../shared';
import { decodeImage } from './decode';
import { createDetector, type Detector } from './detect';
import type { Point } from './landmarks';
import { Model } from './session';
import { createUprighter, PORTRAIT_EYES_PX, ROLL_TURN_DEG, rollOf, SURE_UPRIGHT } from './upright';

const root = new URL('../../..', import.meta.url).pathname;
const data = path.resolve(root, '../shared/data/faces');
const pack = path.join(process.env.LOUPE_MODELS ?? path.join(root, 'models/packs'), 'yunet');
const ready = existsSync(data) && existsSync(path.join(pack, 'manifest.json'));

describe.skipIf(!ready)('standing rolled faces upright, on the real YuNet detector (skipped when absent: ../shared/data/faces and the yunet pack in LOUPE_MODELS)', () => {
  let model: Model;
  let detector: Detector;
  /** Turned looks the uprighter asked the detector for. */
  let looks = 0;
  beforeAll(async () => {
    const manifest = ModelPack.parse(JSON.parse(readFileSync(path.join(pack, 'manifest.json'), 'utf8')));
    model = await Model.load(new Uint8Array(readFileSync(path.join(pack, manifest.detector.file))), 'face detector');
    const real = createDetector(model, manifest.detector);
    detector = {
      detect: real.detect,
      lookTurned: (...args) => {
        looks++;
        return real.lookTurned(...args);
      },
    };
  });
  afterAll(async () => model?.close());

  async function facesIn(bytes: Uint8Array) {
    const { image } = await decodeImage(bytes, 40e6);
    const found = await detector.detect(image, { smallFaces: true, scoreThreshold: 0.6 });
    return { image, faces: found.map((d) => ({ detection: d, landmarks5: [0, 1, 2, 3, 4].map((i): Point => [d.kps![2 * i]!, d.kps![2 * i + 1]!]) })) };
  }
  const photo = () => new Uint8Array(readFileSync(path.join(data, 'identities/Elon_Musk/img18.jpg')));

  it('leaves an upright face the detector is sure of as it was found, without another look', async () => {
    const { image, faces } = await facesIn(photo());
    const uprighter = createUprighter(detector, null);
    looks = 0;
    const face = faces[0]!;
    expect(face.detection.score).toBeGreaterThanOrEqual(SURE_UPRIGHT);
    const out = await uprighter.upright(image, face);
    expect(looks).toBe(0);
    expect(out.turnDeg).toBe(0);
    expect(out.landmarks5).toEqual(face.landmarks5);
  });

  it('reads an upside-down face, which the detector reads as upright but less surely, again turned a half turn', async () => {
    const { image, faces } = await facesIn(new Uint8Array(await sharp(photo()).rotate(180).jpeg({ quality: 92 }).toBuffer()));
    const face = faces[0]!;
    // The misreading this is about: eyes level, as if upright, and a detector less sure than of upright faces.
    expect(Math.abs(rollOf(face.landmarks5))).toBeLessThan(15);
    expect(face.detection.score).toBeLessThan(SURE_UPRIGHT);
    looks = 0;
    const out = await createUprighter(detector, null).upright(image, face);
    expect(looks).toBeGreaterThanOrEqual(4);
    expect(Math.abs(out.turnDeg)).toBeGreaterThan(160);
    // The eye line of the new reading runs right to left: the face's own left eye is on the photo's left.
    expect(Math.abs(rollOf(out.landmarks5))).toBeGreaterThan(160);
  });

  it('does not look again at upright faces smaller than portrait size, though the detector is less sure of them (crowds, distant cameras)', async () => {
    const uprighter = createUprighter(detector, null);
    let small = 0;
    for (const name of ['2007_007763.jpg', '2008_002079.jpg', '2008_001322.jpg', '2008_002470.jpg']) {
      const { image, faces } = await facesIn(new Uint8Array(readFileSync(path.join(data, 'groups/dlib_examples_faces', name))));
      for (const face of faces) {
        const [e1, e2] = face.landmarks5 as [Point, Point];
        if (Math.abs(rollOf(face.landmarks5)) >= ROLL_TURN_DEG || face.detection.score >= SURE_UPRIGHT || Math.hypot(e2[0] - e1[0], e2[1] - e1[1]) >= PORTRAIT_EYES_PX) continue;
        small++;
        looks = 0;
        const out = await uprighter.upright(image, face);
        expect(looks, name).toBe(0);
        expect(out.landmarks5).toEqual(face.landmarks5);
      }
    }
    expect(small, 'small upright faces the detector is less sure of').toBeGreaterThan(0);
  });
});
