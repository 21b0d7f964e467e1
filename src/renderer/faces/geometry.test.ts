import { describe, expect, it } from 'vitest';
import { boxPercent, byQuality, faceNumbers } from './geometry';

const q = (score: number) => ({ score }) as never;

describe('face boxes over a smaller copy of the image', () => {
  it('places a box by proportion of the full image, whatever size the copy is shown at', () => {
    // A 4000 x 3000 original shown from its 2048 px copy: the box keeps its place.
    expect(boxPercent({ x: 1000, y: 750, w: 400, h: 600 }, { width: 4000, height: 3000 })).toEqual({ left: 25, top: 25, width: 10, height: 20 });
  });

  it('cuts a box that reaches past an edge at the edge', () => {
    const b = boxPercent({ x: -20, y: 90, w: 60, h: 30 }, { width: 100, height: 100 });
    expect(b).toEqual({ left: 0, top: 90, width: 40, height: 10 });
  });
});

describe('face order', () => {
  it('puts the best face first and keeps ties in the order found', () => {
    const faces = [
      { id: 3, quality: q(40), detectorScore: 0.9 },
      { id: 1, quality: q(90), detectorScore: 0.7 },
      { id: 2, quality: q(90), detectorScore: 0.8 },
      { id: 4, quality: q(40), detectorScore: 0.9 },
    ];
    expect(byQuality(faces).map((f) => f.id)).toEqual([2, 1, 3, 4]);
  });

  it('numbers faces by the order they were stored', () => {
    expect([...faceNumbers([{ id: 30 }, { id: 12 }, { id: 21 }])]).toEqual([
      [12, 1],
      [21, 2],
      [30, 3],
    ]);
  });
});
