import { describe, expect, it } from 'vitest';
import { spanPercent } from './timeline';

describe('track spans on a video timeline', () => {
  it('places a track by its first and last time over the length of the video', () => {
    expect(spanPercent(2500, 5000, 10_000)).toEqual({ left: 25, width: 25 });
  });

  it('gives a track seen in one frame a visible mark, and keeps marks inside the bar', () => {
    expect(spanPercent(4848, 4848, 10_000).width).toBeGreaterThan(0);
    expect(spanPercent(9000, 12_000, 10_000)).toEqual({ left: 90, width: 10 });
  });
});
