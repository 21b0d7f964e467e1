import { describe, expect, it } from 'vitest';
import { buildCalibration, fmrAt } from '../calibration';
import { gaussian, normalise } from '../testing';
import { type GroupingItem, groupFaces, groupingThresholds, pairwiseScores } from './index';

const DIM = 64;

/** Identity centres with per-face noise; every face in its own frame unless told otherwise. */
function people(count: number, per: number, g: () => number, noise = 0.35, firstId = 1) {
  const items: GroupingItem[] = [];
  const person = new Map<number, number>();
  for (let p = 0; p < count; p++) {
    const centre = normalise(Float32Array.from({ length: DIM }, g));
    for (let j = 0; j < per; j++) {
      const id = firstId + items.length;
      items.push({ id, embedding: normalise(centre.map((x) => x + (noise / Math.sqrt(DIM)) * g())), frameKey: `img-${id}` });
      person.set(id, p);
    }
  }
  return { items, person };
}

function strangers(count: number, g: () => number, firstId: number): GroupingItem[] {
  return Array.from({ length: count }, (_, i) => ({ id: firstId + i, embedding: normalise(Float32Array.from({ length: DIM }, g)), frameKey: `img-${firstId + i}` }));
}

describe('groupFaces', () => {
  it('finds each person and leaves strangers unassigned', async () => {
    const g = gaussian(1);
    const { items, person } = people(20, 6, g);
    const all = [...items, ...strangers(30, g, 10_000)];
    const out = await groupFaces(all, { threshold: 0.5 });
    expect(out.groups).toHaveLength(20);
    for (const group of out.groups) {
      expect(group).toHaveLength(6);
      expect(new Set(group.map((id) => person.get(id))).size).toBe(1);
    }
    expect(out.unassigned).toEqual(Array.from({ length: 30 }, (_, i) => 10_000 + i));
    const score = pairwiseScores(out.groups, person);
    expect(score).toEqual({ precision: 1, recall: 1, correctPairs: 20 * 15, predictedPairs: 20 * 15, truePairs: 20 * 15 });
  });

  it('never puts two faces of one frame in one group', async () => {
    const g = gaussian(2);
    const { items } = people(3, 5, g);
    // The same person twice in one photo (a mirror, a poster): the frame says they are two.
    items[1]!.frameKey = items[0]!.frameKey;
    items[7]!.frameKey = items[6]!.frameKey;
    const out = await groupFaces(items, { threshold: 0.5 });
    const frameOf = new Map(items.map((i) => [i.id, i.frameKey]));
    for (const group of out.groups) {
      const frames = group.map((id) => frameOf.get(id));
      expect(new Set(frames).size).toBe(frames.length);
    }
    const together = (a: number, b: number) => out.groups.some((grp) => grp.includes(a) && grp.includes(b));
    expect(together(items[0]!.id, items[1]!.id)).toBe(false);
    expect(together(items[6]!.id, items[7]!.id)).toBe(false);
  });

  it('keeps a track whole, groups a lone track of several faces, and joins two tracks of one person', async () => {
    const g = gaussian(3);
    const { items } = people(2, 6, g, 0.35);
    const trackA = items.slice(0, 3).map((i, n) => ({ ...i, trackId: 'A', frameKey: `video-${n}` }));
    const trackB = items.slice(3, 6).map((i, n) => ({ ...i, trackId: 'B', frameKey: `video-${n + 10}` }));
    const loneTrack = strangers(1, g, 500).flatMap((s) => [0, 1, 2, 3].map((n) => ({ ...s, id: 500 + n, trackId: 'L', frameKey: `video-${n + 20}` })));
    const out = await groupFaces([...trackA, ...trackB, ...items.slice(6), ...loneTrack], { threshold: 0.5 });
    const person0 = items.slice(0, 6).map((i) => i.id);
    expect(out.groups).toContainEqual(person0);
    expect(out.groups).toContainEqual([500, 501, 502, 503]);
    expect(out.unassigned).toEqual([]);
  });

  it('does not let one stray link chain two people together', async () => {
    // Person A along e0, person B along e1; a1 and b1 also share e2, so they link, and nothing else crosses.
    const g = gaussian(4);
    const face = (axis: number, shared: number) => {
      const v = Float32Array.from({ length: DIM }, (_, d) => (d >= 10 ? (0.3 / Math.sqrt(DIM - 10)) * g() : 0));
      v[axis] = 1;
      v[2] = shared;
      return normalise(v);
    };
    const items: GroupingItem[] = [];
    for (let j = 0; j < 6; j++) items.push({ id: 1 + j, embedding: face(0, j === 0 ? 0.9 : 0), frameKey: `a${j}` });
    for (let j = 0; j < 6; j++) items.push({ id: 11 + j, embedding: face(1, j === 0 ? 0.9 : 0), frameKey: `b${j}` });
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const threshold = 0.4;
    expect(dot(items[0]!.embedding, items[6]!.embedding)).toBeGreaterThan(threshold);
    expect(dot(items[0]!.embedding, items[7]!.embedding)).toBeLessThan(threshold);
    const out = await groupFaces(items, { threshold });
    expect(out.groups.some((grp) => grp.includes(1) && grp.includes(11))).toBe(false);
    expect(out.groups.some((grp) => grp.some((id) => id < 10) && grp.some((id) => id > 10))).toBe(false);
  });

  it('peels a face that links to only one member of a larger group', async () => {
    const g = gaussian(5);
    const { items } = people(1, 6, g, 0.2);
    // A stranger made to resemble exactly one member: one link, below the density rule.
    const target = items[0]!.embedding;
    const lookalike = normalise(target.map((x) => x + (1.1 / Math.sqrt(DIM)) * g()));
    const all = [...items, { id: 99, embedding: lookalike, frameKey: 'x' }];
    const sims = items.map((i) => i.embedding.reduce((s, x, d) => s + x * lookalike[d]!, 0));
    const threshold = [...sims].sort((a, b) => b - a)[0]! - 1e-6;
    const within = items[1]!.embedding.reduce((s, x, d) => s + x * items[2]!.embedding[d]!, 0);
    expect(within).toBeGreaterThan(threshold);
    const out = await groupFaces(all, { threshold });
    expect(out.unassigned).toEqual([99]);
    expect(out.groups).toEqual([items.map((i) => i.id)]);
  });

  it('scales through HNSW neighbour lists with high pairwise precision and recall', async () => {
    const g = gaussian(6);
    const { items, person } = people(300, 8, g, 0.45);
    const all = [...items, ...strangers(1200, g, 100_000)];
    const progress: number[] = [];
    const out = await groupFaces(all, { threshold: 0.5, onProgress: (done) => progress.push(done) });
    const score = pairwiseScores(out.groups, person);
    expect(score.precision).toBeGreaterThanOrEqual(0.98);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    // At this threshold about 1 in 30,000 stranger pairs links (64-D): a few strangers pair up, most stay alone.
    expect(out.unassigned.filter((id) => id >= 100_000).length).toBeGreaterThanOrEqual(0.97 * 1200);
    expect(progress.at(-1)).toBe(2 * all.length);
  });

  it('rejects input it cannot group, saying why', async () => {
    const g = gaussian(7);
    const { items } = people(2, 3, g);
    await expect(groupFaces([items[0]!, items[0]!], { threshold: 0.5 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('twice') });
    await expect(groupFaces([items[0]!, { ...items[1]!, embedding: new Float32Array(DIM + 1) }], { threshold: 0.5 })).rejects.toMatchObject({ code: 'invalid_input' });
    const sameFrameTrack = items.slice(0, 2).map((i) => ({ ...i, trackId: 't', frameKey: 'f' }));
    await expect(groupFaces(sameFrameTrack, { threshold: 0.5 })).rejects.toMatchObject({ message: expect.stringContaining('two faces of frame') });
    await expect(groupFaces(items, { threshold: 2 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(groupFaces(items, { threshold: 0.5, minLinks: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await groupFaces([], { threshold: 0.5 })).toEqual({ groups: [], unassigned: [] });
  });

  it('stops when cancelled', async () => {
    const g = gaussian(8);
    const abort = new AbortController();
    abort.abort();
    await expect(groupFaces(strangers(3000, g, 1), { threshold: 0.5, signal: abort.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('chooses stricter thresholds for bigger cases, within what the calibration measured', () => {
    const g = gaussian(9);
    const table = buildCalibration(Float64Array.from({ length: 2_000_000 }, () => 0.1 * g()), { dataset: 'synthetic', pairs: 'normal(0, 0.1)' });
    expect(groupingThresholds(table, 100)).toMatchObject({ fmr: 1e-4, pairFmr: 1e-5, limitedByCalibration: false });
    let previous = groupingThresholds(table, 100);
    for (const n of [1000, 3000, 10_000, 100_000]) {
      const t = groupingThresholds(table, n);
      expect(t.fmr).toBeLessThan(previous.fmr);
      expect(t.threshold).toBeGreaterThan(previous.threshold);
      expect(t.pairFmr).toBeCloseTo(t.fmr / 10, 12);
      expect(fmrAt(table, t.threshold).fmr).toBeCloseTo(t.fmr, 10);
      previous = t;
    }
    expect(previous.fmr).toBeCloseTo(1e-5, 12);
    // For ten million faces a tenth of the rate is below 1 in 2,000,000: the calibration cannot say, so it stops there.
    expect(groupingThresholds(table, 10_000_000)).toMatchObject({ pairFmr: 1 / 2_000_000, limitedByCalibration: true });
    // An examiner's rate replaces the size rule; lone faces still need a tenth of it.
    const chosen = groupingThresholds(table, 100_000, 1e-3);
    expect(chosen).toMatchObject({ fmr: 1e-3, limitedByCalibration: false });
    expect(chosen.pairFmr).toBeCloseTo(1e-4, 12);
    expect(() => groupingThresholds(table, 100, 0)).toThrow(/above 0 and below 1/);
  });
});
