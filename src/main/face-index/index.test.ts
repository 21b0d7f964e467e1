import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { gaussian, normalise } from '../testing';
import { checkHnswFile } from './hnsw-file';
import type { HnswGraph } from './graph';
import type { NativeGraph } from './native-graph';
import { type EmbeddingLookup, FaceIndex, type GraphEngine, PROJECT_ABOVE, type Projection, WARM_SEARCHES, defaultEf, exactTopK, fitProjection, rebuildFaceIndex } from './index';

const DIM = 128;
const MODEL = 'test-embedder@0123456789abcdef';

/** Faces of `people` identities, `per` each: an identity centre plus noise, like embeddings of one person's photos. */
function gallery(people: number, per: number, seed: number, dim = DIM): { ids: number[]; vectors: Float32Array[]; person: number[] } {
  const g = gaussian(seed);
  const ids: number[] = [];
  const vectors: Float32Array[] = [];
  const person: number[] = [];
  for (let p = 0; p < people; p++) {
    const centre = normalise(Float32Array.from({ length: dim }, g));
    for (let j = 0; j < per; j++) {
      ids.push(1000 + ids.length * 7);
      vectors.push(normalise(centre.map((x) => x + 0.06 * g())));
      person.push(p);
    }
  }
  return { ids, vectors, person };
}

/** As `gallery`, but every face lies in one random `rank`-dimensional subspace, as a recogniser's embeddings nearly do. */
function lowRankGallery(people: number, per: number, seed: number, rank: number): { ids: number[]; vectors: Float32Array[]; person: number[] } {
  const g = gaussian(seed);
  const axes = Array.from({ length: rank }, () => Float32Array.from({ length: DIM }, g));
  const inSubspace = (coefficients: number[]) => {
    const v = new Float32Array(DIM);
    coefficients.forEach((c, a) => axes[a]!.forEach((x, i) => (v[i]! += c * x)));
    return v;
  };
  const ids: number[] = [];
  const vectors: Float32Array[] = [];
  const person: number[] = [];
  for (let p = 0; p < people; p++) {
    const centre = Array.from({ length: rank }, g);
    for (let j = 0; j < per; j++) {
      ids.push(1000 + ids.length * 7);
      vectors.push(normalise(inSubspace(centre.map((c) => c + 0.25 * g()))));
      person.push(p);
    }
  }
  return { ids, vectors, person };
}

function matrixOf(vectors: Float32Array[], dim = DIM): Float32Array {
  const m = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => m.set(v, i * dim));
  return m;
}

/** Reference answer: score every vector in double precision, sort, no cleverness. */
function bruteForce(q: Float32Array, ids: number[], vectors: Float32Array[], k: number, keep: (id: number) => boolean = () => true) {
  const scored = ids
    .map((id, i) => ({ id, score: vectors[i]!.reduce((s, x, d) => s + x * q[d]!, 0) }))
    .filter((c) => keep(c.id));
  return scored.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

function lookupFrom(ids: number[], vectors: Float32Array[]): EmbeddingLookup {
  const byId = new Map(ids.map((id, i) => [id, vectors[i]!]));
  return (want) => want.map((id) => byId.get(id));
}

/** Ten probes (gallery faces and random directions): with a beam as wide as the gallery the graph path returns brute force's order and scores. */
async function expectBruteForceWithWideBeam(index: FaceIndex, ids: number[], vectors: Float32Array[], seed: number, stride: number): Promise<void> {
  const g = gaussian(seed);
  const lookup = lookupFrom(ids, vectors);
  for (let t = 0; t < 10; t++) {
    const q = t % 2 ? vectors[t * stride]! : normalise(Float32Array.from({ length: DIM }, g));
    const out = await index.search(q, 20, { embeddings: lookup, ef: ids.length });
    expect(out.method).toBe('hnsw');
    const want = bruteForce(q, ids, vectors, 20);
    expect(out.candidates.map((c) => c.id)).toEqual(want.map((c) => c.id));
    out.candidates.forEach((c, i) => expect(c.score).toBeCloseTo(want[i]!.score, 6));
  }
}

function build(ids: number[], vectors: Float32Array[], exactBelow: number, projection?: Projection | null, engine?: GraphEngine): FaceIndex {
  const index = FaceIndex.create({ dim: DIM, modelId: MODEL, capacity: 64, exactBelow, seed: 7, projection, engine });
  ids.forEach((id, i) => index.add(id, vectors[i]!));
  return index;
}

const ramDir = '/dev/shm';
const hasRamDir = process.platform === 'linux' && existsSync(ramDir);
const leftovers = () => (hasRamDir ? readdirSync(ramDir).filter((f) => f.startsWith('loupe-index-')) : []);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'loupe-face-index-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('exactTopK', () => {
  it('returns what sorting every score returns, ties broken by lower id', () => {
    const { ids, vectors } = gallery(30, 10, 1);
    const g = gaussian(99);
    for (let t = 0; t < 20; t++) {
      const q = normalise(Float32Array.from({ length: DIM }, g));
      const got = exactTopK(q, matrixOf(vectors), ids, 25);
      const want = bruteForce(q, ids, vectors, 25);
      expect(got.map((c) => c.id)).toEqual(want.map((c) => c.id));
      got.forEach((c, i) => expect(c.score).toBeCloseTo(want[i]!.score, 5));
    }
    const twin = normalise(Float32Array.from({ length: DIM }, g));
    const tie = exactTopK(twin, matrixOf([twin, twin, twin]), [30, 10, 20], 2);
    expect(tie.map((c) => c.id)).toEqual([10, 20]);
  });

  it('refuses a matrix that is not one row per id', () => {
    expect(() => exactTopK(new Float32Array(DIM), new Float32Array(DIM * 3 - 1), [1, 2, 3], 2)).toThrow(LoupeError);
  });
});

describe('FaceIndex search', () => {
  const { ids, vectors, person } = gallery(150, 8, 2);
  const lookup = lookupFrom(ids, vectors);

  it('searches small galleries exhaustively, exactly', async () => {
    const index = build(ids, vectors, 100_000);
    const q = vectors[17]!;
    const out = await index.search(q, 10, { embeddings: lookup });
    expect(out.method).toBe('exact');
    expect(out.scored).toBe(ids.length);
    expect(out.candidates.map((c) => c.id)).toEqual(bruteForce(q, ids, vectors, 10).map((c) => c.id));
  });

  it('re-ranks HNSW candidates exactly: with a beam as wide as the gallery the order equals brute force', async () => {
    await expectBruteForceWithWideBeam(build(ids, vectors, 0), ids, vectors, 5, 31);
  });

  it('widens the default beam as the gallery grows, never below the re-rank pool', async () => {
    expect(defaultEf(100_000)).toBe(1200);
    expect(defaultEf(1_000_000)).toBe(2400);
    expect(defaultEf(10)).toBe(400);
    for (let n = 1000; n < 5e6; n *= 1.7) expect(defaultEf(n * 1.7)).toBeGreaterThanOrEqual(defaultEf(n));
    const index = build(ids, vectors, 0);
    expect((await index.search(vectors[0]!, 5, { embeddings: lookup })).ef).toBe(defaultEf(ids.length));
    expect((await index.search(vectors[0]!, 200, { embeddings: lookup, ef: 10 })).ef).toBe(800);
  });

  it('finds a person among distractors and scores with the stored embeddings', async () => {
    const index = build(ids, vectors, 0);
    const probe = vectors[8 * 40 + 3]!;
    const out = await index.search(probe, 8, { embeddings: lookup });
    expect(out.candidates.every((c) => person[ids.indexOf(c.id)] === 40)).toBe(true);
    // The store is the record: a face it no longer holds is not a candidate.
    const gone = out.candidates[1]!.id;
    const partial: EmbeddingLookup = (want) => want.map((id) => (id === gone ? undefined : vectors[ids.indexOf(id)]));
    const again = await index.search(probe, 8, { embeddings: partial });
    expect(again.candidates.map((c) => c.id)).not.toContain(gone);
  });

  it('never returns deleted faces, on either path, and re-adding restores one', async () => {
    for (const exactBelow of [100_000, 0]) {
      const index = build(ids, vectors, exactBelow);
      const probe = vectors[8 * 12]!;
      const first = await index.search(probe, 8, { embeddings: lookup });
      const doomed = first.candidates.slice(0, 4).map((c) => c.id);
      for (const id of doomed) expect(index.markDeleted(id)).toBe(true);
      expect(index.markDeleted(doomed[0]!)).toBe(false);
      expect(index.size).toBe(ids.length - 4);
      expect(index.deletedCount).toBe(4);
      expect(index.has(doomed[0]!)).toBe(false);
      const after = await index.search(probe, 50, { embeddings: lookup, ef: ids.length });
      expect(after.candidates.map((c) => c.id).filter((id) => doomed.includes(id))).toEqual([]);
      expect(after.candidates).toHaveLength(50);
      index.add(doomed[0]!, vectors[ids.indexOf(doomed[0]!)]!);
      const back = await index.search(probe, 8, { embeddings: lookup });
      expect(back.candidates.map((c) => c.id)).toContain(doomed[0]);
      expect(index.deletedCount).toBe(3);
    }
  });

  it('grows past its initial capacity', () => {
    const index = FaceIndex.create({ dim: DIM, modelId: MODEL, capacity: 16 });
    ids.forEach((id, i) => index.add(id, vectors[i]!));
    expect(index.size).toBe(ids.length);
    expect(ids.every((id) => index.has(id))).toBe(true);
  });

  it('honours a filter: narrow ones exhaustively, wide ones through the graph, only allowed ids either way', async () => {
    const index = build(ids, vectors, 0);
    const probe = vectors[8 * 70 + 1]!;
    const narrow = new Set(ids.filter((_, i) => i % 50 === 3));
    const n = await index.search(probe, 5, { embeddings: lookup, allowed: narrow });
    expect(n.method).toBe('exact');
    expect(n.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 5, (id) => narrow.has(id)).map((c) => c.id));

    const wide = new Set(ids.filter((_, i) => i % 2 === 0));
    const w = await index.search(probe, 10, { embeddings: lookup, allowed: wide, ef: ids.length });
    expect(w.method).toBe('hnsw');
    expect(w.candidates.every((c) => wide.has(c.id))).toBe(true);
    expect(w.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 10, (id) => wide.has(id)).map((c) => c.id));

    // Excluding a few faces (the probe's own, say): never returned, and the rest as brute force says.
    const probeId = ids[8 * 70 + 1]!;
    const notProbe = new Set(ids.filter((id) => id !== probeId));
    const x = await index.search(probe, 10, { embeddings: lookup, allowed: notProbe, ef: ids.length });
    expect(x.method).toBe('hnsw');
    expect(x.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 10, (id) => id !== probeId).map((c) => c.id));
    const fewOut = new Set(ids.filter((_, i) => i % 40 !== 0));
    const y = await index.search(probe, 10, { embeddings: lookup, allowed: fewOut, ef: ids.length });
    expect(y.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 10, (id) => fewOut.has(id)).map((c) => c.id));

    // A filter allowing every face (and more) is no filter: the unfiltered search, same answer.
    const everyone = new Set([...ids, 1, 2, 3]);
    const all = await index.search(probe, 10, { embeddings: lookup, allowed: everyone, ef: ids.length });
    expect(all.candidates).toEqual((await index.search(probe, 10, { embeddings: lookup, ef: ids.length })).candidates);

    // Ids the index does not hold are ignored, never invented.
    const ghost = await index.search(probe, 5, { embeddings: lookup, allowed: new Set([1, 2, 3]) });
    expect(ghost.candidates).toEqual([]);
  });

  it('rejects bad input with clear errors', async () => {
    const index = build(ids.slice(0, 10), vectors.slice(0, 10), 100);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(err(() => index.add(-1, vectors[0]!))).toMatchObject({ code: 'invalid_input' });
    expect(err(() => index.add(1.5, vectors[0]!))).toMatchObject({ code: 'invalid_input' });
    expect(err(() => index.add(5, new Float32Array(DIM - 1)))).toMatchObject({ code: 'invalid_input', message: expect.stringContaining(`${DIM} values`) });
    expect(err(() => index.add(5, vectors[0]!.map((x) => x * 2)))).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('L2-normalised') });
    const nan = vectors[0]!.slice();
    nan[3] = Number.NaN;
    expect(err(() => index.add(5, nan))).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('finite') });
    await expect(index.search(vectors[0]!, 0, { embeddings: lookup })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(index.search(vectors[0]!, 5, { embeddings: lookup, ef: -2 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(err(() => FaceIndex.create({ dim: 0, modelId: MODEL }))).toMatchObject({ code: 'invalid_input' });
    expect(index.size).toBe(10);
  });

  it('reports a store embedding of the wrong size as an integrity problem', async () => {
    const index = build(ids, vectors, 0);
    const wrong: EmbeddingLookup = (want) => want.map(() => new Float32Array(DIM + 1));
    await expect(index.search(vectors[0]!, 5, { embeddings: wrong })).rejects.toMatchObject({ code: 'integrity' });
  });
});

describe.skipIf(!hasRamDir)('FaceIndex persistence (encrypted, through a RAM-backed file)', () => {
  const { ids, vectors } = gallery(120, 8, 3);
  const lookup = lookupFrom(ids, vectors);
  const key = randomBytes(32);
  const expectFor = (index: FaceIndex) => ({ modelId: MODEL, dim: DIM, expectedCount: index.size });

  it('round-trips: the loaded index answers exactly as the saved one, deleted faces stay deleted', async () => {
    const index = build(ids, vectors, 0);
    const doomed = [ids[5]!, ids[500]!];
    doomed.forEach((id) => index.markDeleted(id));
    const file = path.join(work, 'roundtrip.lfx');
    const { bytes } = await index.save(file, key);
    expect((await stat(file)).size).toBe(bytes);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(leftovers()).toEqual([]);

    const loaded = await FaceIndex.load(file, key, expectFor(index), { exactBelow: 0 });
    expect(loaded.status).toBe('loaded');
    if (loaded.status !== 'loaded') return;
    expect(leftovers()).toEqual([]);
    expect(loaded.index.size).toBe(index.size);
    expect(loaded.index.deletedCount).toBe(2);
    expect(doomed.some((id) => loaded.index.has(id))).toBe(false);
    for (const probe of [vectors[6]!, vectors[501]!, vectors[900]!]) {
      const a = await index.search(probe, 30, { embeddings: lookup });
      const b = await loaded.index.search(probe, 30, { embeddings: lookup });
      expect(b.candidates).toEqual(a.candidates);
      expect(b.candidates.map((c) => c.id).filter((id) => doomed.includes(id))).toEqual([]);
    }
    // Loaded below the exhaustive threshold, it answers from the graph's own vectors.
    const small = await FaceIndex.load(file, key, expectFor(index));
    if (small.status !== 'loaded') throw new Error(small.reason);
    const exact = await small.index.search(vectors[6]!, 10, { embeddings: lookup });
    expect(exact.method).toBe('exact');
    expect(exact.candidates.map((c) => c.id)).toEqual(bruteForce(vectors[6]!, ids, vectors, 10, (id) => !doomed.includes(id)).map((c) => c.id));
  });

  it('writes no plaintext vector bytes: no stored embedding appears in the file', async () => {
    const index = build(ids, vectors, 0);
    const file = path.join(work, 'plain-check.lfx');
    await index.save(file, key);
    const bytes = await readFile(file);
    let checked = 0;
    for (let i = 0; i < ids.length; i += 37) {
      const v = vectors[i]!;
      // 16 consecutive bytes of the float32 vector, as hnswlib stores them.
      const pattern = Buffer.from(v.buffer, v.byteOffset + 64, 16);
      expect(bytes.indexOf(pattern)).toBe(-1);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // The same check finds the vectors in hnswlib's own plaintext file, so it can fail.
    const plain = path.join(ramDir, `loupe-test-${process.pid}.hnsw`);
    try {
      const raw = FaceIndex.create({ dim: DIM, modelId: MODEL });
      ids.slice(0, 10).forEach((id, i) => raw.add(id, vectors[i]!));
      await (raw as unknown as { hnsw: NativeGraph }).hnsw.write(plain);
      const v = vectors[3]!;
      expect((await readFile(plain)).indexOf(Buffer.from(v.buffer, v.byteOffset + 64, 16))).toBeGreaterThan(-1);
    } finally {
      await rm(plain, { force: true });
    }
  });

  it('says unreadable for a wrong key, a changed byte, a truncated file or another file; missing when absent', async () => {
    const index = build(ids, vectors, 0);
    const file = path.join(work, 'tamper.lfx');
    await index.save(file, key);
    const e = expectFor(index);

    expect(await FaceIndex.load(file, randomBytes(32), e)).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('another key') });

    const good = await readFile(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)]! ^= 0x01;
    await writeFile(file, flipped);
    expect(await FaceIndex.load(file, key, e)).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('authentication') });

    await writeFile(file, good);
    await truncate(file, good.length - 100);
    expect(await FaceIndex.load(file, key, e)).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('truncated') });

    await writeFile(file, Buffer.from('SQLite format 3\0 and then some bytes'));
    expect(await FaceIndex.load(file, key, e)).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('not a Loupe face index') });

    expect(await FaceIndex.load(path.join(work, 'absent.lfx'), key, e)).toMatchObject({ status: 'missing' });
    expect(leftovers()).toEqual([]);
  });

  it('says stale when the model, the embedding size or the face count changed', async () => {
    const index = build(ids, vectors, 0);
    const file = path.join(work, 'stale.lfx');
    await index.save(file, key);
    const e = expectFor(index);
    expect(await FaceIndex.load(file, key, { ...e, modelId: 'other-embedder@ffff' })).toMatchObject({ status: 'stale', reason: expect.stringContaining('other-embedder') });
    expect(await FaceIndex.load(file, key, { ...e, dim: 512 })).toMatchObject({ status: 'stale' });
    expect(await FaceIndex.load(file, key, { ...e, expectedCount: e.expectedCount + 1 })).toMatchObject({ status: 'stale' });
    expect((await FaceIndex.load(file, key, e)).status).toBe('loaded');
  });

  it('replaces the file atomically and leaves the old one when a save cannot happen', async () => {
    const index = build(ids.slice(0, 50), vectors.slice(0, 50), 0);
    const file = path.join(work, 'atomic.lfx');
    await index.save(file, key);
    const before = await readFile(file);
    await expect(index.save(file, key, { ramDir: work })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('not a RAM-backed') });
    expect(await readFile(file)).toEqual(before);
    await expect(index.save(file, Buffer.alloc(16))).rejects.toMatchObject({ code: 'invalid_input' });
    expect(readdirSync(work).filter((f) => f.startsWith('atomic.lfx.'))).toEqual([]);
  });

  it('removes the plaintext a dead process left in RAM, and only that', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = path.join(ramDir, `loupe-index-${dead}-test01`);
    const mine = path.join(ramDir, `loupe-index-${process.pid}-test02`);
    for (const dir of [orphan, mine]) {
      await mkdir(dir, { mode: 0o700 });
      await writeFile(path.join(dir, 'index.hnsw'), 'plaintext');
    }
    try {
      await build(ids.slice(0, 50), vectors.slice(0, 50), 0).save(path.join(work, 'orphans.lfx'), key);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(mine)).toBe(true);
    } finally {
      await rm(orphan, { recursive: true, force: true });
      await rm(mine, { recursive: true, force: true });
    }
  });

  it("refuses hnswlib's file when it was cut short, so a full RAM folder never replaces a good index", async () => {
    const index = build(ids, vectors, 0);
    const plain = path.join(ramDir, `loupe-test-cut-${process.pid}.hnsw`);
    try {
      await (index as unknown as { hnsw: NativeGraph }).hnsw.write(plain);
      await expect(checkHnswFile(plain, ids.length)).resolves.toBeUndefined();
      await expect(checkHnswFile(plain, ids.length + 1)).rejects.toMatchObject({ code: 'unavailable' });
      const size = (await stat(plain)).size;
      for (const cut of [1, 4, 1000, size - 100]) {
        await truncate(plain, size - cut);
        await expect(checkHnswFile(plain, ids.length), `cut by ${cut}`).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('incomplete') });
      }
    } finally {
      await rm(plain, { force: true });
    }
  });

  it('never passes hnswlib\'s file through a folder that is not RAM-backed: where there is none, the graph opens in memory', async () => {
    const index = build(ids.slice(0, 50), vectors.slice(0, 50), 0);
    const file = path.join(work, 'disk-ram.lfx');
    await index.save(file, key);
    expect(await FaceIndex.load(file, key, expectFor(index), { ramDir: work, engine: 'native' })).toMatchObject({ status: 'unavailable' });
    const opened = await FaceIndex.load(file, key, expectFor(index), { ramDir: work });
    if (opened.status !== 'loaded') throw new Error(opened.reason);
    expect(opened.index.engine).toBe('memory');
    expect(readdirSync(work).filter((f) => f.startsWith('loupe-index-'))).toEqual([]);
  });

  it('refuses to add while saving, so the file never mixes two states', async () => {
    const index = build(ids, vectors, 0);
    const saving = index.save(path.join(work, 'busy.lfx'), key);
    expect(() => index.add(7, vectors[0]!)).toThrow(/being saved/);
    await saving;
    index.add(7, vectors[0]!);
    expect(index.has(7)).toBe(true);
  });
});

describe('FaceIndex persistence with the graph in memory (every OS: no file but the sealed one)', () => {
  const { ids, vectors } = gallery(120, 8, 5);
  const lookup = lookupFrom(ids, vectors);
  const key = randomBytes(32);
  const expectFor = (index: FaceIndex) => ({ modelId: MODEL, dim: DIM, expectedCount: index.size });
  // A folder on disk where a RAM folder would be: nothing may pass through it.
  const noRam = () => ({ ramDir: work });

  it('round-trips with no RAM folder, deleted faces staying deleted, and keeps growing after', async () => {
    const index = build(ids, vectors, 0, undefined, 'memory');
    expect(index.engine).toBe('memory');
    const doomed = [ids[3]!, ids[400]!];
    doomed.forEach((id) => index.markDeleted(id));
    const file = path.join(work, 'memory.lfx');
    const before = new Set(readdirSync(work));
    const { bytes } = await index.save(file, key, noRam());
    expect((await stat(file)).size).toBe(bytes);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const loaded = await FaceIndex.load(file, key, expectFor(index), { ...noRam(), exactBelow: 0 });
    if (loaded.status !== 'loaded') throw new Error(loaded.reason);
    expect(readdirSync(work).filter((f) => !before.has(f))).toEqual(['memory.lfx']);
    expect(loaded.index.engine).toBe('memory');
    expect(loaded.index.deletedCount).toBe(2);
    for (const probe of [vectors[4]!, vectors[401]!, vectors[900]!]) {
      const a = await index.search(probe, 30, { embeddings: lookup });
      const b = await loaded.index.search(probe, 30, { embeddings: lookup });
      expect(b.candidates).toEqual(a.candidates);
      expect(b.method).toBe('hnsw');
    }
    const extra = normalise(vectors[9]!.map((x, i) => x + (i % 2 ? 0.01 : -0.01)));
    loaded.index.add(99_999, extra);
    expect((await loaded.index.search(extra, 1, { embeddings: lookupFrom([...ids, 99_999], [...vectors, extra]) })).candidates[0]!.id).toBe(99_999);
  });

  it.skipIf(!hasRamDir)('opens what either graph saved, with the same answers', async () => {
    for (const [from, to] of [['native', 'memory'], ['memory', 'native']] as const) {
      const index = build(ids, vectors, 0, undefined, from);
      const file = path.join(work, `cross-${from}.lfx`);
      await index.save(file, key);
      const loaded = await FaceIndex.load(file, key, expectFor(index), { exactBelow: 0, engine: to });
      if (loaded.status !== 'loaded') throw new Error(loaded.reason);
      expect(loaded.index.engine).toBe(to);
      for (const probe of [vectors[6]!, vectors[501]!]) {
        expect((await loaded.index.search(probe, 30, { embeddings: lookup, ef: 200 })).candidates).toEqual((await index.search(probe, 30, { embeddings: lookup, ef: 200 })).candidates);
      }
    }
  });

  it('writes no plaintext vector bytes, and refuses a wrong key or a changed byte', async () => {
    const index = build(ids, vectors, 0, undefined, 'memory');
    const file = path.join(work, 'memory-plain.lfx');
    await index.save(file, key, noRam());
    const sealed = await readFile(file);
    const plain = Buffer.concat([...(index as unknown as { hnsw: HnswGraph }).hnsw.bytes()]);
    for (let i = 0; i < ids.length; i += 37) {
      const v = vectors[i]!;
      const pattern = Buffer.from(v.buffer, v.byteOffset + 64, 16);
      // In the graph's plaintext, so the check can fail; never in the sealed file.
      expect(plain.indexOf(pattern)).toBeGreaterThan(-1);
      expect(sealed.indexOf(pattern)).toBe(-1);
    }
    const e = expectFor(index);
    expect(await FaceIndex.load(file, randomBytes(32), e, noRam())).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('another key') });
    const flipped = Buffer.from(sealed);
    flipped[Math.floor(sealed.length / 2)]! ^= 0x01;
    await writeFile(file, flipped);
    expect(await FaceIndex.load(file, key, e, noRam())).toMatchObject({ status: 'unreadable', reason: expect.stringContaining('authentication') });
  });
});

describe('rebuildFaceIndex', () => {
  const { ids, vectors } = gallery(40, 20, 4);
  it('builds from an async source with progress, and can be cancelled', async () => {
    async function* source() {
      for (let i = 0; i < ids.length; i++) yield { id: ids[i]!, embedding: vectors[i]! };
    }
    const progress: number[] = [];
    const index = await rebuildFaceIndex(source(), { dim: DIM, modelId: MODEL, expectedCount: ids.length, onProgress: (done) => progress.push(done) });
    expect(index.size).toBe(ids.length);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(ids.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const out = await index.search(vectors[0]!, 1, { embeddings: lookupFrom(ids, vectors) });
    expect(out.candidates[0]!.id).toBe(ids[0]);

    const abort = new AbortController();
    function* abortingMidway() {
      for (let i = 0; i < ids.length; i++) {
        if (i === 300) abort.abort();
        yield { id: ids[i]!, embedding: vectors[i]! };
      }
    }
    const seen: number[] = [];
    const cancelled = rebuildFaceIndex(abortingMidway(), { dim: DIM, modelId: MODEL, signal: abort.signal, onProgress: (done) => seen.push(done) });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    // Stopped at the face that found the signal aborted, not after.
    expect(seen.at(-1)).toBeLessThanOrEqual(300);
  });
});

describe('FaceIndex on a projected graph', () => {
  const rank = 24;
  const { ids, vectors, person } = lowRankGallery(150, 8, 6, rank);
  const lookup = lookupFrom(ids, vectors);
  const projection = fitProjection(matrixOf(vectors), DIM)!;
  const key = randomBytes(32);

  it('fits the subspace the faces lie in', () => {
    expect(projection).not.toBeNull();
    expect(projection.d).toBeLessThanOrEqual(rank);
    expect(projection.d).toBeGreaterThanOrEqual(rank - 1);
    expect(projection.retained).toBeGreaterThanOrEqual(0.999);
  });

  it('returns what exhaustive search returns with a wide beam, scored from the stored embeddings', async () => {
    const index = build(ids, vectors, 0, projection);
    expect(index.projection?.d).toBe(projection.d);
    await expectBruteForceWithWideBeam(index, ids, vectors, 8, 37);
    const probe = vectors[8 * 33 + 2]!;
    const mates = await index.search(probe, 8, { embeddings: lookup });
    expect(mates.candidates.every((c) => person[ids.indexOf(c.id)] === 33)).toBe(true);
  });

  it('honours filters and deletes', async () => {
    const index = build(ids, vectors, 0, projection);
    const probe = vectors[8 * 90 + 4]!;
    const wide = new Set(ids.filter((_, i) => i % 3 !== 0));
    const w = await index.search(probe, 10, { embeddings: lookup, allowed: wide, ef: ids.length });
    expect(w.method).toBe('hnsw');
    expect(w.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 10, (id) => wide.has(id)).map((c) => c.id));
    const narrow = new Set(ids.filter((_, i) => i % 60 === 5));
    const n = await index.search(probe, 5, { embeddings: lookup, allowed: narrow });
    expect(n.method).toBe('exact');
    expect(n.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 5, (id) => narrow.has(id)).map((c) => c.id));

    const doomed = (await index.search(probe, 4, { embeddings: lookup })).candidates.map((c) => c.id);
    doomed.forEach((id) => expect(index.markDeleted(id)).toBe(true));
    const after = await index.search(probe, 30, { embeddings: lookup, ef: ids.length });
    expect(after.candidates.map((c) => c.id)).toEqual(bruteForce(probe, ids, vectors, 30, (id) => !doomed.includes(id)).map((c) => c.id));
  });

  it('searches a small projected gallery exhaustively on the stored embeddings, never the projections', async () => {
    const index = build(ids, vectors, 100_000, projection);
    // Drop the copy add() kept, as a load or a shrink leaves it: it is then made from the store.
    (index as unknown as { flat: null }).flat = null;
    const q = normalise(Float32Array.from({ length: DIM }, gaussian(9)));
    const out = await index.search(q, 10, { embeddings: lookup });
    expect(out.method).toBe('exact');
    const want = bruteForce(q, ids, vectors, 10);
    expect(out.candidates.map((c) => c.id)).toEqual(want.map((c) => c.id));
    out.candidates.forEach((c, i) => expect(c.score).toBeCloseTo(want[i]!.score, 6));
  });

  it('warms after opening: the exhaustive copy is made then, so the first search reads nothing from the store; and it stops when told', async () => {
    const index = build(ids, vectors, 100_000, projection);
    (index as unknown as { flat: null }).flat = null;
    let reads = 0;
    const counted: EmbeddingLookup = (want) => {
      reads += want.length;
      return lookup(want);
    };
    expect(await index.warm({ embeddings: counted })).toBe(WARM_SEARCHES);
    // The probes (spread over the gallery) and the whole gallery once, for the exhaustive copy.
    expect(reads).toBe(WARM_SEARCHES + ids.length);
    const q = normalise(Float32Array.from({ length: DIM }, gaussian(10)));
    const refuse: EmbeddingLookup = () => {
      throw new Error('the first search after warming read the store');
    };
    const out = await index.search(q, 10, { embeddings: refuse });
    expect(out.candidates.map((c) => c.id)).toEqual(bruteForce(q, ids, vectors, 10).map((c) => c.id));

    const graph = build(ids, vectors, 0, projection);
    let searched = 0;
    const stopAfterTwo = await graph.warm({ embeddings: lookup, stop: () => searched++ >= 2 });
    expect(stopAfterTwo).toBe(2);
    expect(await FaceIndex.create({ dim: DIM, modelId: MODEL }).warm({ embeddings: lookup })).toBe(0);
  });

  it('rejects a projection for another embedding size', () => {
    expect(() => FaceIndex.create({ dim: DIM + 1, modelId: MODEL, projection })).toThrow(/projection/);
  });

  it('rebuild fits a projection only when the graph will be searched', async () => {
    const source = () => ids.map((id, i) => ({ id, embedding: vectors[i]! }));
    const searched = await rebuildFaceIndex(source(), { dim: DIM, modelId: MODEL, expectedCount: ids.length, exactBelow: 100 });
    expect(searched.projection?.d).toBe(projection.d);
    expect(searched.projection?.basis).toEqual(projection.basis);
    expect(searched.size).toBe(ids.length);
    const q = vectors[77]!;
    expect((await searched.search(q, 10, { embeddings: lookup, ef: ids.length })).candidates.map((c) => c.id)).toEqual(bruteForce(q, ids, vectors, 10).map((c) => c.id));
    const small = await rebuildFaceIndex(source(), { dim: DIM, modelId: MODEL, expectedCount: ids.length });
    expect(small.projection).toBeNull();
  });

  describe.skipIf(!hasRamDir)('persistence', () => {
    it('round-trips the projection with the graph', async () => {
      const index = build(ids, vectors, 0, projection);
      index.markDeleted(ids[10]!);
      const file = path.join(work, 'projected.lfx');
      await index.save(file, key);
      const e = { modelId: MODEL, dim: DIM, expectedCount: index.size };
      const loaded = await FaceIndex.load(file, key, e, { exactBelow: 0 });
      if (loaded.status !== 'loaded') throw new Error(loaded.reason);
      expect(loaded.index.projection).toEqual(projection);
      expect(loaded.index.projectionKeeps).toBeCloseTo(index.projectionKeeps!, 10);
      for (const probe of [vectors[11]!, vectors[600]!]) {
        const a = await index.search(probe, 30, { embeddings: lookup });
        expect((await loaded.index.search(probe, 30, { embeddings: lookup })).candidates).toEqual(a.candidates);
      }
      // Loaded small, it searches exhaustively on the store's embeddings.
      const small = await FaceIndex.load(file, key, e);
      if (small.status !== 'loaded') throw new Error(small.reason);
      const exact = await small.index.search(vectors[11]!, 10, { embeddings: lookup });
      expect(exact.method).toBe('exact');
      expect(exact.candidates.map((c) => c.id)).toEqual(bruteForce(vectors[11]!, ids, vectors, 10, (id) => id !== ids[10]).map((c) => c.id));
    });

    it('says stale for a file in the previous format, never misreading it', async () => {
      const file = path.join(work, 'old-format.lfx');
      await build(ids, vectors, 0, projection).save(file, key);
      const bytes = await readFile(file);
      bytes.writeUInt16LE(1, 8);
      await writeFile(file, bytes);
      expect(await FaceIndex.load(file, key, { modelId: MODEL, dim: DIM, expectedCount: ids.length })).toMatchObject({ status: 'stale', reason: expect.stringContaining('format 1') });
    });

    it('says stale when faces added since the fit lie outside its subspace', async () => {
      const index = build(ids, vectors, 0, projection);
      const g = gaussian(10);
      for (let i = 0; i < 1100; i++) index.add(500_000 + i, normalise(Float32Array.from({ length: DIM }, g)));
      expect(index.projectionKeeps!).toBeLessThan(0.9);
      const file = path.join(work, 'drifted.lfx');
      await index.save(file, key);
      expect(await FaceIndex.load(file, key, { modelId: MODEL, dim: DIM, expectedCount: index.size })).toMatchObject({ status: 'stale', reason: expect.stringContaining('refitted') });
    });

    it('says stale for a large graph built without a projection, so it is rebuilt with one', async () => {
      // A tiny embedding size and a sparse graph keep this fast; the rule depends on the count only.
      const dim = 4;
      const g = gaussian(12);
      const make = (projection?: null) => {
        const index = FaceIndex.create({ dim, modelId: MODEL, capacity: PROJECT_ABOVE + 1, m: 4, efConstruction: 8, projection });
        for (let id = 0; id <= PROJECT_ABOVE; id++) index.add(id, normalise(Float32Array.from({ length: dim }, g)));
        return index;
      };
      const e = { modelId: MODEL, dim, expectedCount: PROJECT_ABOVE + 1 };
      const file = path.join(work, 'large-raw.lfx');
      await make().save(file, key);
      expect(await FaceIndex.load(file, key, e)).toMatchObject({ status: 'stale', reason: expect.stringContaining('without a projection') });
      // A fit that found no subspace worth using is not retried on every open.
      await make(null).save(file, key);
      expect((await FaceIndex.load(file, key, e)).status).toBe('loaded');
    }, 60_000);
  });
});
