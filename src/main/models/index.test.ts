import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { buildBandedCalibration } from '../calibration';
import { bestPack, defaultModelsDir, describePack, describePacks, installedManifest, installPack, listPacks, loadPack, scanPacks, sourceManifest, writeCalibration } from './index';
import { readTar, readTarGz } from './tar';

const root = new URL('../../..', import.meta.url).pathname;
const installed = process.env.LOUPE_MODELS ?? path.join(root, 'models/packs');
const shared = path.resolve(root, '../shared/models/yunet');
const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'loupe-models-test-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rejection = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as LoupeError);

describe('source manifests', () => {
  it('describe every pack with hashes, sources and a model card', () => {
    for (const name of ['default', 'yunet']) {
      const m = sourceManifest(name);
      expect(m.name).toBe(name);
      expect(m.embedder.embeddingSize).toBe(512);
      expect(m.modelCard.trainingData.length).toBeGreaterThan(50);
    }
    expect(sourceManifest('default').detector.source).toMatchObject({ kind: 'npm', package: 'faceplugin-face-recognition-js', version: '0.0.1' });
  });
  it('refuse an unknown pack name', () => {
    expect(() => sourceManifest('nope')).toThrow(/no model pack called "nope"/);
  });
});

describe('models folder', () => {
  it('comes from LOUPE_MODELS, else LOUPE_HOME, else ~/.loupe', () => {
    const saved = { m: process.env.LOUPE_MODELS, h: process.env.LOUPE_HOME };
    try {
      process.env.LOUPE_MODELS = '/x/models';
      expect(defaultModelsDir()).toBe('/x/models');
      delete process.env.LOUPE_MODELS;
      process.env.LOUPE_HOME = '/y/home';
      expect(defaultModelsDir()).toBe('/y/home/models');
    } finally {
      if (saved.m === undefined) delete process.env.LOUPE_MODELS;
      else process.env.LOUPE_MODELS = saved.m;
      if (saved.h === undefined) delete process.env.LOUPE_HOME;
      else process.env.LOUPE_HOME = saved.h;
    }
  });
  it('lists nothing and names the install command when empty', async () => {
    const dir = temp();
    expect(await listPacks(dir)).toEqual([]);
    expect(await listPacks(path.join(dir, 'absent'))).toEqual([]);
    const err = await rejection(bestPack(dir));
    expect(err?.code).toBe('not_found');
    expect(err?.message).toMatch(/loupe models install default/);
    const missing = await rejection(loadPack(dir, 'default'));
    expect(missing?.code).toBe('not_found');
  });
});

describe('tar reader', () => {
  it('reads the regular files of a real tar archive, long names included', () => {
    const dir = temp();
    const long = `${'deep/'.repeat(25)}name-longer-than-one-hundred-characters.onnx`;
    mkdirSync(path.join(dir, 'src', path.dirname(long)), { recursive: true });
    writeFileSync(path.join(dir, 'src', long), 'weights');
    writeFileSync(path.join(dir, 'src', 'a.txt'), Buffer.alloc(1500, 7));
    execFileSync('tar', ['-czf', path.join(dir, 'x.tgz'), '-C', path.join(dir, 'src'), '.']);
    const files = readTarGz(new Uint8Array(readFileSync(path.join(dir, 'x.tgz'))));
    expect(Buffer.from(files.get(`./${long}`)!).toString()).toBe('weights');
    expect(files.get('./a.txt')!.length).toBe(1500);
    expect(files.get('./a.txt')!.every((v) => v === 7)).toBe(true);
  });
  it('refuses a truncated archive', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'f'), Buffer.alloc(5000, 1));
    execFileSync('tar', ['-cf', path.join(dir, 'x.tar'), '-C', dir, 'f']);
    const tar = new Uint8Array(readFileSync(path.join(dir, 'x.tar')));
    expect(() => readTar(tar.subarray(0, 2048))).toThrow(/truncated/);
  });
});

describe.skipIf(!existsSync(path.join(installed, 'default', 'manifest.json')))('packs on disk (skipped when the default pack is not installed in LOUPE_MODELS)', () => {
  it('installs from a folder (air-gapped), loads with every hash checked, and prefers yunet', async () => {
    const dir = temp();
    const log: string[] = [];
    const p = await installPack('default', { modelsDir: dir, from: path.join(installed, 'default'), log: (l) => log.push(l) });
    expect(p.detector).toBe('ultraface');
    expect(log.some((l) => l.includes('fr_feature.onnx: from'))).toBe(true);
    const pack = await loadPack(dir, 'default');
    expect(pack.landmarks?.length).toBe(pack.manifest.landmarks?.bytes);
    expect(await bestPack(dir)).toBe('default');
    if (existsSync(shared)) {
      // The recogniser is reused from the installed default pack; the detector comes from the folder.
      await installPack('yunet', { modelsDir: dir, from: shared, log: (l) => log.push(l) });
      expect(log.some((l) => l.includes('reused from installed pack "default"'))).toBe(true);
      expect((await listPacks(dir)).map((x) => x.name)).toEqual(['default', 'yunet']);
      expect(await bestPack(dir)).toBe('yunet');
    }
  });

  it('keeps a measured calibration when the same files are installed again', async () => {
    const dir = temp();
    await installPack('default', { modelsDir: dir, from: path.join(installed, 'default') });
    const calibration = { dataset: 'test pairs', impostorPairs: 1000, points: [{ score: 0.2, fmr: 0.01 }, { score: 0.4, fmr: 0.001 }] };
    const banded = buildBandedCalibration([{ key: { eyes: 3, colour: 'colour', focus: 'sharp' }, impostor: Array.from({ length: 500 }, (_, i) => i / 1000), genuine: [0.7, 0.8] }], {
      dataset: 'test photos',
      degradation: 'none',
      pairs: 'test pairs',
      measuredAt: '2026-12-07T00:00:00.000Z',
    });
    await writeCalibration(dir, 'default', calibration, banded);
    await installPack('default', { modelsDir: dir, from: path.join(installed, 'default') });
    expect((await installedManifest(dir, 'default')).calibration).toEqual(calibration);
    expect((await installedManifest(dir, 'default')).bandedCalibration).toEqual(banded);
    // A calibration of its own does not make the pack differ from the one shipped.
    expect((await loadPack(dir, 'default')).manifest.calibration).toEqual(calibration);
  });

  it('refuses a changed model file, naming it', async () => {
    const dir = temp();
    cpSync(path.join(installed, 'default'), path.join(dir, 'default'), { recursive: true });
    const f = path.join(dir, 'default', 'fr_feature.onnx');
    const b = readFileSync(f);
    b[b.length - 10] = (b[b.length - 10] as number) ^ 0xff;
    writeFileSync(f, b);
    const err = await rejection(loadPack(dir, 'default'));
    expect(err).toBeInstanceOf(LoupeError);
    expect(err?.code).toBe('integrity');
    expect(err?.message).toMatch(/fr_feature\.onnx.*has been changed/);
    rmSync(path.join(dir, 'default', 'fr_landmark.onnx'));
    cpSync(path.join(installed, 'default', 'fr_feature.onnx'), f);
    const gone = await rejection(loadPack(dir, 'default'));
    expect(gone?.code).toBe('integrity');
    expect(gone?.message).toMatch(/fr_landmark\.onnx.*missing/);
  });

  it('refuses a model file swapped together with its hash in the installed manifest, or a changed setting', async () => {
    const dir = temp();
    cpSync(path.join(installed, 'default'), path.join(dir, 'default'), { recursive: true });
    const manifestFile = path.join(dir, 'default', 'manifest.json');
    const original = readFileSync(manifestFile, 'utf8');
    const f = path.join(dir, 'default', 'fr_feature.onnx');
    const b = readFileSync(f);
    b[b.length - 10] = (b[b.length - 10] as number) ^ 0xff;
    writeFileSync(f, b);
    const swapped = JSON.parse(original) as { embedder: { sha256: string }; detector: { scoreThreshold: number } };
    swapped.embedder.sha256 = createHash('sha256').update(b).digest('hex');
    writeFileSync(manifestFile, JSON.stringify(swapped));
    const err = await rejection(loadPack(dir, 'default'));
    expect(err?.code).toBe('integrity');
    expect(err?.message).toMatch(/manifest of model pack "default".*other model files or settings/);

    cpSync(path.join(installed, 'default', 'fr_feature.onnx'), f);
    const lowered = JSON.parse(original) as typeof swapped;
    lowered.detector.scoreThreshold = 0.05;
    writeFileSync(manifestFile, JSON.stringify(lowered));
    expect((await rejection(loadPack(dir, 'default')))?.message).toMatch(/other model files or settings/);
  });

  it('refuses to install a wrong file and leaves the installed pack untouched', async () => {
    const dir = temp();
    await installPack('default', { modelsDir: dir, from: path.join(installed, 'default') });
    const bad = temp();
    cpSync(path.join(installed, 'default'), bad, { recursive: true });
    writeFileSync(path.join(bad, 'fr_detect.onnx'), 'not a model');
    const err = await rejection(installPack('default', { modelsDir: dir, from: bad }));
    expect(err?.code).toBe('integrity');
    expect(err?.message).toMatch(/fr_detect\.onnx.*Nothing was installed/);
    await expect(loadPack(dir, 'default')).resolves.toBeTruthy();
  });

  it('says where to get a detector that is on no registry', async () => {
    const dir = temp();
    const err = await rejection(installPack('yunet', { modelsDir: dir, from: temp() }));
    expect(err?.code).toBe('not_found');
    expect(err?.message).toMatch(/yunet_n_dynamic\.onnx.*--from DIR/);
  });

  it('still chooses a preferred pack that is damaged, so loading it says so instead of quietly using another', async () => {
    const dir = temp();
    cpSync(path.join(installed, 'default'), path.join(dir, 'default'), { recursive: true });
    mkdirSync(path.join(dir, 'yunet'));
    writeFileSync(path.join(dir, 'yunet', 'manifest.json'), '{"schema":1,"name":"yunet"');
    expect((await listPacks(dir)).map((p) => p.name)).toEqual(['default']);
    expect(await bestPack(dir)).toBe('yunet');
    expect((await rejection(loadPack(dir, 'yunet')))?.message).toMatch(/manifest of model pack "yunet".*not valid JSON/);
    // What the models screen shows beside the pack in use.
    expect([...(await scanPacks(dir)).damaged.entries()]).toEqual([['yunet', expect.stringMatching(/manifest of model pack "yunet".*not valid JSON/)]]);
    expect(await describePacks(dir)).toEqual([
      expect.objectContaining({ name: 'default', installed: true, active: false, problem: null, embedder: expect.any(String) }),
      expect.objectContaining({ name: 'yunet', installed: false, active: true, problem: expect.stringMatching(/not valid JSON/) }),
    ]);
    expect((await rejection(describePack(dir, 'nope')))?.code).toBe('not_found');
  });

  it('refuses a damaged manifest', async () => {
    const dir = temp();
    cpSync(path.join(installed, 'default'), path.join(dir, 'default'), { recursive: true });
    writeFileSync(path.join(dir, 'default', 'manifest.json'), '{"schema":1,"name":"default"}');
    const err = await rejection(loadPack(dir, 'default'));
    expect(err?.code).toBe('integrity');
    expect(err?.message).toMatch(/manifest of model pack "default" is damaged/);
  });
});
