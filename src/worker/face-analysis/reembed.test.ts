import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS, ModelPack, similarity } from '../../shared';
import { alignFace } from './align';
import { decodeImage } from './decode';
import { encodeJpeg } from './image';
import { createFaceAnalyser, type FaceAnalyser } from './index';

const root = new URL('../../..', import.meta.url).pathname;
const data = path.resolve(root, '../shared/data/faces');
const models = process.env.LOUPE_MODELS ?? path.join(root, 'models/packs');
const ready = existsSync(data) && existsSync(path.join(models, 'yunet', 'manifest.json'));
if (!ready) console.warn('reembed tests: the face data or the yunet pack is missing: skipped');

describe.skipIf(!ready)('encoding a face a case holds again (a pack change)', () => {
  let engine: FaceAnalyser;
  const photo = () => new Uint8Array(readFileSync(path.join(data, 'identities/Barack_Obama/obama.jpg')));

  beforeAll(async () => {
    const dir = path.join(models, 'yunet');
    const manifest = ModelPack.parse(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    const read = (f: string) => new Uint8Array(readFileSync(path.join(dir, f)));
    engine = await createFaceAnalyser({ manifest, detector: read(manifest.detector.file), embedder: read(manifest.embedder.file) });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const template = () => engine.manifest.embedder.alignmentTemplate as [number, number][];
  const size = () => engine.manifest.embedder.inputSize;

  it('encodes a crop made for its own template as it is', async () => {
    const [f] = (await engine.analyse(photo(), { thumbnail: false })).faces;
    const again = await engine.reembed({ aligned: f!.alignedJpeg, landmarks5: f!.landmarks5, from: { template: template(), ...size() } });
    const { data: raw, info } = await sharp(f!.alignedJpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(again)).toEqual(Array.from(await engine.embed({ width: info.width, height: info.height, data: new Uint8Array(raw) })));
    // Only the crop's JPEG compression lies between the two.
    expect(similarity(again, f!.embedding)).toBeGreaterThan(0.98);
    expect(similarity(again, f!.embedding)).toBeLessThan(1);
  });

  it("aligns a crop made for another pack's template again to its own", async () => {
    const [f] = (await engine.analyse(photo(), { thumbnail: false })).faces;
    // An older pack with a looser crop: the same five points drawn 30% closer to the centre.
    const loose = template().map(([x, y]) => [56 + (x - 56) * 0.7, 56 + (y - 56) * 0.7] as [number, number]);
    const { image } = await decodeImage(photo(), MAX_IMAGE_PIXELS);
    const old = await encodeJpeg(alignFace(image, f!.landmarks5, loose, size().width, size().height).image, 92);
    const realigned = await engine.reembed({ aligned: old, landmarks5: f!.landmarks5, from: { template: loose, ...size() } });
    const asIs = await engine.reembed({ aligned: old, landmarks5: f!.landmarks5, from: { template: template(), ...size() } });
    // Aligned again, the face is what this pack expects (a little softer: upscaled from the smaller face); as it was, it is not.
    expect(similarity(realigned, f!.embedding)).toBeGreaterThan(0.9);
    expect(similarity(realigned, f!.embedding)).toBeGreaterThan(similarity(asIs, f!.embedding) + 0.1);
  });
});
