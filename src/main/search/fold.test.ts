import { describe, expect, it } from 'vitest';
import { FaceIndex } from '../face-index';
import { gaussian, normalise } from '../testing';
import { searchFolded } from './fold';

const DIM = 64;

describe('searchFolded', () => {
  // The probe's person lingers before a camera: one track of 300 faces, all closer to the probe than anyone else.
  const g = gaussian(21);
  const probe = normalise(Float32Array.from({ length: DIM }, g));
  const trackOf = new Map<number, number | null>();
  const index = FaceIndex.create({ dim: DIM, modelId: 'test', capacity: 1024 });
  for (let id = 1; id <= 300; id++) {
    index.add(id, normalise(probe.map((x) => x + (0.2 / Math.sqrt(DIM)) * g())));
    trackOf.set(id, 7);
  }
  for (let id = 301; id <= 800; id++) {
    index.add(id, normalise(Float32Array.from({ length: DIM }, g)));
    trackOf.set(id, id % 5 === 0 ? 1000 + (id % 3) : null);
  }
  const vectors = (ids: readonly number[]) => ids.map(() => undefined);
  const search = (k: number) => index.search(probe, k, { embeddings: vectors });
  const contextOf = (ids: number[]) => new Map(ids.map((id) => [id, { trackId: trackOf.get(id) ?? null }]));

  it('asks again when one long track fills the first answer, and returns as many candidates as asked', async () => {
    const asked: number[] = [];
    const { kept } = await searchFolded((k) => (asked.push(k), search(k)), contextOf, null, 5);
    expect(asked).toEqual([40, 160, 640]);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept[0]).toMatchObject({ trackFaces: 299 });
    expect(trackOf.get(kept[0]!.id)).toBe(7);
    // Each other track also folds into one candidate.
    const tracks = kept.map((c) => trackOf.get(c.id)).filter((t) => t !== null);
    expect(new Set(tracks).size).toBe(tracks.length);
  });

  it('stops at the threshold: no candidate below it, and no further asking once the answer reaches under it', async () => {
    const asked: number[] = [];
    const threshold = (await search(800)).candidates[310]!.score;
    const { kept } = await searchFolded((k) => (asked.push(k), search(k)), contextOf, threshold, 50);
    // 220 faces are all the track; 880 is more than the gallery holds, so that answer is everything there is.
    expect(asked).toEqual([220, 880]);
    expect(kept.length).toBeLessThan(50);
    expect(kept.every((c) => c.score >= threshold)).toBe(true);
    expect(kept[0]!.trackFaces).toBe(299);
  });
});
