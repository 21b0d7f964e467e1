import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { type LoadedPack, loadPack } from '../models';
import { createFacePool, type FacePool } from './index';

const root = new URL('../../..', import.meta.url).pathname;
const data = path.resolve(root, '../shared/data/faces');
const models = process.env.LOUPE_MODELS ?? path.join(root, 'models/packs');
const ready = existsSync(data) && existsSync(path.join(models, 'yunet', 'manifest.json'));
const photo = (p: string) => new Uint8Array(readFileSync(path.join(data, p)));
const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e: e as LoupeError }));

describe.skipIf(!ready)('face pool (skipped when ../shared/data/faces or the yunet pack in LOUPE_MODELS is absent)', () => {
  let pack: LoadedPack;
  let pool: FacePool;
  const group = () => photo('groups/faceapijs/bbt1.jpg');

  beforeAll(async () => {
    pack = await loadPack(models, 'yunet');
    pool = await createFacePool({ pack, size: 2 });
  });
  afterAll(async () => pool?.close());

  it('analyses images on worker threads, results beside each input', async () => {
    const files = ['groups/faceapijs/bbt1.jpg', 'identities/Barack_Obama/obama.jpg', 'groups/face_recognition/two_people.jpg'];
    const results = await Promise.all(files.map((f) => pool.analyse(photo(f))));
    expect(results.map((r) => r.faces.length >= 1)).toEqual([true, true, true]);
    expect(results[1]!.faces[0]!.embedding).toBeInstanceOf(Float32Array);
    expect(results[1]!.faces[0]!.alignedJpeg).toBeInstanceOf(Uint8Array);
    expect(pool.stats.size).toBe(2);
    expect(pool.stats.completed).toBeGreaterThanOrEqual(3);
  });

  it('rejects a bad file with its reason and goes on', async () => {
    const bad = await settle(pool.analyse(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46])));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.e.code).toBe('unsupported_file');
    expect((await pool.analyse(group())).faces.length).toBeGreaterThan(0);
  });

  it('survives a worker crash: only the job on that worker fails, the worker is replaced', async () => {
    const before = pool.stats.crashes;
    const jobs = Array.from({ length: 6 }, () => settle(pool.analyse(group())));
    await new Promise((r) => setTimeout(r, 30));
    pool.simulateCrash();
    const results = await Promise.all(jobs);
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBe(1);
    expect(!failed[0]!.ok && failed[0]!.e.code).toBe('internal');
    expect(!failed[0]!.ok && failed[0]!.e.message).toMatch(/stopped while analysing this input/);
    expect(pool.stats.crashes).toBe(before + 1);
    await pool.idle();
    expect(pool.stats.size).toBe(2);
    expect((await pool.analyse(group())).faces.length).toBeGreaterThan(0);
  });

  it('cancel rejects queued and running jobs, and the pool stays usable', async () => {
    const jobs = Array.from({ length: 8 }, () => settle(pool.analyse(group())));
    pool.cancel('Import stopped by the analyst.');
    const results = await Promise.all(jobs);
    expect(results.every((r) => !r.ok && r.e.code === 'cancelled')).toBe(true);
    expect(!results[0]!.ok && results[0]!.e.message).toBe('Import stopped by the analyst.');
    await pool.idle();
    expect(pool.stats.busy).toBe(0);
    expect((await pool.analyse(group())).faces.length).toBeGreaterThan(0);
  });

  it('an abort signal cancels one job only', async () => {
    const ctl = new AbortController();
    const a = settle(pool.analyse(group(), {}, ctl.signal));
    const b = settle(pool.analyse(group()));
    ctl.abort();
    expect(await a).toMatchObject({ ok: false, e: { code: 'cancelled' } });
    expect((await b).ok).toBe(true);
    const pre = new AbortController();
    pre.abort();
    expect(await settle(pool.analyse(group(), {}, pre.signal))).toMatchObject({ ok: false, e: { code: 'cancelled' } });
  });

  it('holds producers while the queue is full (backpressure)', async () => {
    const small = await createFacePool({ pack, size: 1, maxQueued: 1 });
    try {
      let readyAt = 0;
      const jobs = [small.analyse(group()), small.analyse(group()), small.analyse(group())];
      expect(small.stats.queued).toBe(2);
      const waiting = small.whenReady().then(() => {
        readyAt = small.stats.completed;
      });
      await waiting;
      expect(readyAt).toBeGreaterThanOrEqual(1);
      await Promise.all(jobs);
      await small.idle();
      expect(small.stats).toMatchObject({ queued: 0, busy: 0, completed: 3 });
    } finally {
      await small.close();
    }
  });

  it('closes while jobs are under way without taking the process down: they are cancelled and the workers end after them', async () => {
    // Ending a worker in the middle of an ONNX run aborted the whole process (onnxruntime-node throws
    // from native code); these moments reproduced it before close waited for running jobs.
    for (const delayMs of [100, 300, 600]) {
      const p = await createFacePool({ pack, size: 2 });
      const big = () => ({ width: 3840, height: 2160, data: new Uint8Array(3840 * 2160 * 3).fill(90) });
      const running = [settle(p.analyse(big())), settle(p.analyse(big()))];
      await new Promise((r) => setTimeout(r, delayMs));
      await p.close();
      for (const r of await Promise.all(running)) expect(r).toMatchObject({ ok: false, e: { code: 'cancelled' } });
      expect(p.stats).toMatchObject({ size: 0, busy: 0 });
    }
  });

  it('refuses bad options and work after close', async () => {
    expect(await settle(pool.analyse(group(), { maxFaces: -1 }))).toMatchObject({ ok: false, e: { code: 'invalid_input' } });
    const p = await createFacePool({ pack, size: 1 });
    await p.close();
    expect(await settle(p.analyse(group()))).toMatchObject({ ok: false, e: { code: 'unavailable' } });
  });

  it('fails to start with a clear error when a model will not load', async () => {
    const broken: LoadedPack = { ...pack, embedder: pack.embedder.slice(0, 1000) };
    const err = await createFacePool({ pack: broken, size: 1 }).then(() => null, (e: unknown) => e as LoupeError);
    expect(err).toBeInstanceOf(LoupeError);
    expect(err?.code).toBe('integrity');
    expect(err?.message).toMatch(/face recogniser model could not be loaded/);
  });
});
