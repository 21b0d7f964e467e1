import { describe, expect, it } from 'vitest';
import { buildTracks, type TrackedFace, trackOptions } from './tracking';

/** A unit vector along axis `person`, turned slightly by `jitter` towards the next axis: one person's faces agree closely. */
const embedding = (person: number, jitter = 0): Float32Array => {
  const v = new Float32Array(16);
  v[person] = Math.cos(jitter);
  v[(person + 1) % 16] = Math.sin(jitter);
  return v;
};
const face = (person: number, timeMs: number, x: number, quality = 50, jitter = 0.1): TrackedFace => ({
  timeMs,
  box: { x, y: 100, w: 60, h: 60 },
  embedding: embedding(person, jitter),
  quality,
});
const OPTIONS = trackOptions(0.45, 2);

describe('tracks of a video', () => {
  it('links one person across frames, keeps two people of one frame apart, and picks the best face', () => {
    const faces: TrackedFace[] = [];
    for (let t = 0; t < 10; t++) faces.push(face(0, t * 500, 100 + t * 10, t === 6 ? 90 : 40), face(1, t * 500, 600 - t * 10));
    const { tracks, trackOf } = buildTracks(faces, OPTIONS);
    expect(tracks).toHaveLength(2);
    for (const tr of tracks) expect(new Set(tr.members.map((m) => faces[m]!.timeMs)).size).toBe(10);
    expect(trackOf[0]).not.toBe(trackOf[1]);
    const first = tracks.find((tr) => tr.members.includes(0))!;
    expect(first.best).toBe(12);
    expect([first.firstMs, first.lastMs]).toEqual([0, 4500]);
  });

  it('joins a person lost for longer than the gap into one track, but never two people seen at once', () => {
    // Person 0 walks past, is gone for 20 s, comes back; person 2 is seen beside them the second time.
    const faces = [0, 500, 1000, 21000, 21500].map((t, i) => face(0, t, 100 + i * 5, 50, 0.05 * i));
    faces.push(face(2, 21000, 700), face(2, 21500, 705));
    const { tracks, trackOf } = buildTracks(faces, OPTIONS);
    expect(tracks).toHaveLength(2);
    expect(new Set(trackOf.slice(0, 5)).size).toBe(1);
    expect(trackOf[5]).toBe(trackOf[6]);
    expect(trackOf[5]).not.toBe(trackOf[0]);
    const person = tracks.find((tr) => tr.members.includes(0))!;
    expect([person.firstMs, person.lastMs]).toEqual([0, 21500]);
  });

  it('does not join two people who look alike but appear in the same frame', () => {
    // Two faces of near-identical embeddings side by side in one frame, each seen alone before.
    const faces = [face(3, 0, 100, 50, 0), face(3, 10000, 100, 50, 0.02), face(3, 10000, 700, 50, 0.04), face(3, 20000, 700, 50, 0.03)];
    const { trackOf } = buildTracks(faces, OPTIONS);
    expect(trackOf[1]).not.toBe(trackOf[2]);
  });

  it('never links poor faces of different people by likeness alone, only by place from one frame to the next', () => {
    // Faces too small to identify give embeddings that look alike whoever they show (all along axis 4 here).
    const poor = (timeMs: number, x: number) => face(4, timeMs, x, 20, 0.01 * (timeMs / 500));
    const faces = [
      ...[0, 500, 1000, 1500].map((t, i) => poor(t, 100 + i * 8)), // A walks at the left
      ...[2000, 2500, 3000].map((t, i) => poor(t, 700 + i * 8)), // B appears at the right as A leaves
      ...[5000, 5500].map((t) => poor(t, 124)), // C appears where A was, 3.5 s after A left
    ];
    const { trackOf } = buildTracks(faces, OPTIONS);
    expect(new Set(trackOf.slice(0, 4)).size).toBe(1);
    expect(new Set(trackOf.slice(4, 7)).size).toBe(1);
    expect(new Set(trackOf.slice(7)).size).toBe(1);
    expect(new Set([trackOf[0], trackOf[4], trackOf[7]]).size).toBe(3);
  });

  it('starts a new track when a good face at the same place contradicts the track, even in the next frame', () => {
    // A stands at x=100 until 2 s; B takes the same place at 2.5 s; A comes back at 4.5 s.
    const faces = [...[0, 500, 1000, 1500, 2000].map((t) => face(0, t, 100)), ...[2500, 3000, 3500, 4000].map((t) => face(5, t, 102)), face(0, 4500, 100)];
    const { trackOf, tracks } = buildTracks(faces, OPTIONS);
    expect(tracks).toHaveLength(2);
    expect(new Set(trackOf.slice(5, 9)).size).toBe(1);
    expect(trackOf[5]).not.toBe(trackOf[0]);
    expect(trackOf[9]).toBe(trackOf[0]);
  });

  it('gives one track per person in a crowd, people crossing included', () => {
    const faces: TrackedFace[] = [];
    for (let t = 0; t < 12; t++) {
      for (let p = 0; p < 6; p++) {
        // Persons 0 and 1 walk towards each other and cross at t = 6.
        const x = p === 0 ? 100 + t * 40 : p === 1 ? 580 - t * 40 : 60 + p * 150;
        faces.push(face(p * 2, t * 500, x, 60, 0.05 * Math.sin(t + p)));
      }
    }
    const { tracks } = buildTracks(faces, OPTIONS);
    expect(tracks).toHaveLength(6);
    for (const tr of tracks) expect(new Set(tr.members.map((m) => m % 6)).size).toBe(1);
  });

  it('never joins two look-alikes seen at different times, though their averaged embeddings agree', () => {
    // Each face: a part the two people share (e0), a part that tells them apart (+-e1), and its own noise.
    // A face of one scores 0.38 with a face of the other, below the threshold; their averages score 0.63, above it.
    const lookAlike = (sign: number, i: number, timeMs: number): TrackedFace => {
      const v = new Float32Array(64);
      v[0] = Math.sqrt(0.45);
      v[1] = sign * Math.sqrt(0.07);
      v[10 + i + (sign > 0 ? 0 : 20)] = Math.sqrt(0.48);
      return { timeMs, box: { x: 100, y: 100, w: 60, h: 60 }, embedding: v, quality: 80 };
    };
    const faces = [...[0, 1, 2, 3, 4, 5].map((i) => lookAlike(1, i, i * 500)), ...[0, 1, 2, 3, 4, 5].map((i) => lookAlike(-1, i, 8000 + i * 500))];
    const { trackOf } = buildTracks(faces, OPTIONS);
    expect(new Set(trackOf.slice(0, 6)).size).toBe(1);
    expect(new Set(trackOf.slice(6)).size).toBe(1);
    expect(trackOf[0]).not.toBe(trackOf[6]);
  });
});
