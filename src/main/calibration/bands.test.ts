import { describe, expect, it } from 'vitest';
import type { BandKey, FaceQuality } from '../../shared';
import { bandLabel, bandThresholds, binomialCdf, buildBandedCalibration, checkBandedCalibration, DEFAULT_AXES, describeBands, faceBand, pairRate, pairThreshold, UNCALIBRATED_TEXT, upperBound } from './index';

/** A face's quality record with what places it in a band: eye distance, colourfulness (undefined: not measured) and Laplacian variance. */
function quality(interEyePx: number, colourfulness: number | undefined, sharpness: number): FaceQuality {
  return {
    interEyePx,
    sharpness,
    yawDeg: 0,
    rollDeg: 0,
    brightness: 120,
    clippedDark: 0,
    clippedBright: 0,
    ...(colourfulness === undefined ? {} : { colourfulness }),
    components: { resolution: 1, sharpness: 1, pose: 1, exposure: 1 },
    score: 80,
    insufficient: false,
    reasons: [],
  };
}

const GOOD = quality(60, 12, 300); // 48 px or more, colour, sharp
const SMALL_GREY = quality(20, 0, 300); // 16-24 px, greyscale, sharp
const GOOD_KEY: BandKey = { eyes: 5, colour: 'colour', focus: 'sharp' };
const WEAK_KEY: BandKey = { eyes: 2, colour: 'greyscale', focus: 'sharp' };

/** n impostor scores evenly spaced in [0, top): i * top / n. */
const spaced = (n: number, top: number) => Array.from({ length: n }, (_, i) => (i * top) / n);

/** P(X <= k), X ~ Binomial(n, p), summed term by term in logs: independent of the incomplete beta the bound uses. */
function directCdf(k: number, n: number, p: number): number {
  let logTerm = n * Math.log1p(-p);
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p) - Math.log1p(-p);
    sum += Math.exp(logTerm);
  }
  return sum;
}

const calibration = (bands: { key: BandKey; impostor: number[] }[]) =>
  buildBandedCalibration(
    bands.map((b) => ({ ...b, genuine: [0.6, 0.7, 0.8] })),
    { dataset: 'synthetic scores', degradation: 'none', pairs: 'synthetic', measuredAt: '2026-12-07T00:00:00.000Z' },
  );

describe('exact binomial bounds', () => {
  it('gives the rule of three when no pair scored as high, and the known Clopper-Pearson values', () => {
    expect(upperBound(0, 3000)).toBeCloseTo(1 - 0.05 ** (1 / 3000), 15);
    expect(upperBound(0, 3000) * 3000).toBeCloseTo(3, 1);
    // One-sided 95% upper limits (exact, by summing the binomial in Python's integers): 0 of 10, 1 of 10, 5 of 100, 1 of 3,000.
    expect(upperBound(0, 10)).toBeCloseTo(0.2588655508930523, 12);
    expect(upperBound(1, 10)).toBeCloseTo(0.3941633024365049, 12);
    expect(upperBound(5, 100)).toBeCloseTo(0.10225337764327452, 12);
    expect(upperBound(1, 3000)).toBeCloseTo(0.0015803018274587746, 14);
    expect(upperBound(10, 10)).toBe(1);
  });

  it('puts exactly 5% of the binomial below k at the bound, for many counts', () => {
    for (const [k, n] of [[1, 3000], [3, 3000], [50, 3000], [7, 1_000_000], [400, 2_000_000]] as const) {
      const u = upperBound(k, n);
      expect(directCdf(k, n, u)).toBeCloseTo(0.05, 9);
      expect(binomialCdf(k, n, u)).toBeCloseTo(0.05, 9);
      expect(u).toBeGreaterThan(k / n);
    }
  });

  it('refuses counts that are not counts', () => {
    expect(() => upperBound(5, 3)).toThrow(/0 <= k <= n/);
    expect(() => upperBound(1.5, 3)).toThrow(/whole numbers/);
  });
});

describe('false match rates per quality band', () => {
  it('places a face in its band on each axis, and a pair in the band of its weaker face', () => {
    expect(faceBand(GOOD, DEFAULT_AXES)).toEqual(GOOD_KEY);
    expect(faceBand(SMALL_GREY, DEFAULT_AXES)).toEqual(WEAK_KEY);
    expect(faceBand(quality(13, 9, 10), DEFAULT_AXES)).toEqual({ eyes: 1, colour: 'colour', focus: 'blurred' });
    expect(faceBand(quality(13, undefined, 10), DEFAULT_AXES).colour).toBeNull();
    expect(bandLabel(WEAK_KEY, DEFAULT_AXES)).toBe('16-24 px between the eyes, greyscale, sharp');
    expect(bandLabel(GOOD_KEY, DEFAULT_AXES)).toBe('48 px or more between the eyes, colour, sharp');
  });

  it('states the known-answer rates and bounds of a synthetic band', () => {
    // 3,000 impostor pairs scoring 0, 1/3000, ..., 2999/3000.
    const c = calibration([{ key: GOOD_KEY, impostor: spaced(3000, 1) }]);
    const above = pairRate(c, GOOD, GOOD, 1.5);
    expect(above).toMatchObject({ bound: 'below', impostorsAtOrAbove: 0, impostorPairs: 3000, band: '48 px or more between the eyes, colour, sharp' });
    expect(above.upper).toBeCloseTo(1 - 0.05 ** (1 / 3000), 15);
    // None of 3,000: about 1 in 1,000 at 95%, never "1 in 3,000".
    expect(above.oneIn).toBe('fewer than 1 in 1,000');

    // Only the top pair (2999/3000) scores at or above 0.9995: 1 of 3,000.
    const one = pairRate(c, GOOD, GOOD, 0.9995);
    expect(one).toMatchObject({ bound: 'estimate', impostorsAtOrAbove: 1, fmr: 1 / 3000 });
    expect(one.upper).toBeCloseTo(upperBound(1, 3000), 15);
    expect(one.oneIn).toBe(`about 1 in 3,000, at most 1 in ${Math.floor(1 / upperBound(1, 3000) / 10) * 10}`);
    expect(one.oneIn).toBe('about 1 in 3,000, at most 1 in 630');

    // Inside the exact tail: 30 of 3,000 at or above 2970/3000.
    const thirty = pairRate(c, GOOD, GOOD, 2970 / 3000);
    expect(thirty).toMatchObject({ impostorsAtOrAbove: 30, fmr: 0.01 });
    expect(directCdf(30, 3000, thirty.upper!)).toBeCloseTo(0.05, 9);

    // Below every measured score (a negative one) and where most pairs score as high: never "about 1 in 1".
    const under = pairRate(c, GOOD, GOOD, -0.2);
    expect(under).toMatchObject({ bound: 'estimate', impostorsAtOrAbove: 3000, fmr: 1 });
    expect(under.oneIn).toBe('100% (all 3,000 measured pairs of different people scored this high or higher): no evidence of a match');
    const low = pairRate(c, GOOD, GOOD, 0.2);
    expect(low.oneIn).toMatch(/^about \d\d% \(about 2,\d{3} of the 3,000 measured pairs of different people scored this high or higher\): no evidence of a match$/);
    expect(pairRate(c, GOOD, GOOD, 0.6).oneIn).toMatch(/^about \d\d% \(about 1,\d{3} of the 3,000 /);
    expect(pairRate(c, GOOD, GOOD, 0.8).oneIn).toMatch(/^about 1 in 5, at most 1 in [34]$/);

    // Below the exact tail the count is the table point's below the score: never fewer pairs than there were.
    const half = pairRate(c, GOOD, GOOD, 0.5);
    expect(half.impostorsAtOrAbove).toBeGreaterThanOrEqual(1500);
    expect(half.upper).toBeGreaterThanOrEqual(upperBound(1500, 3000));
    expect(half.fmr).toBeCloseTo(0.5, 1);
  });

  it('gives no number to a pair whose band was not measured, or measured on too few impostor pairs', () => {
    const c = calibration([
      { key: GOOD_KEY, impostor: spaced(3000, 0.5) },
      { key: { eyes: 2, colour: 'colour', focus: 'sharp' }, impostor: spaced(99, 0.5) },
    ]);
    const unmeasured = pairRate(c, GOOD, SMALL_GREY, 0.61);
    expect(unmeasured).toEqual({ fmr: null, oneIn: UNCALIBRATED_TEXT, bound: 'uncalibrated', band: '16-24 px between the eyes, greyscale, sharp', impostorPairs: 0 });
    const tooFew = pairRate(c, GOOD, quality(20, 10, 300), 0.61);
    expect(tooFew).toMatchObject({ fmr: null, bound: 'uncalibrated', impostorPairs: 99 });
    expect(describeBands(c).map((b) => [b.band, b.calibrated, b.lowestSupportedRate])).toEqual([
      ['48 px or more between the eyes, colour, sharp', true, 'fewer than 1 in 1,000'],
      ['16-24 px between the eyes, colour, sharp', false, null],
    ]);
  });

  it("reads a pair's rate from its weaker face's band, not from the good photos", () => {
    // Good faces' impostors score up to 0.3; small greyscale faces' up to 0.7.
    const c = calibration([
      { key: GOOD_KEY, impostor: spaced(10_000, 0.3) },
      { key: WEAK_KEY, impostor: spaced(10_000, 0.7) },
    ]);
    const good = pairRate(c, GOOD, GOOD, 0.61);
    const mixed = pairRate(c, GOOD, SMALL_GREY, 0.61);
    expect(good).toMatchObject({ bound: 'below', oneIn: 'fewer than 1 in 3,300' });
    expect(mixed.band).toBe('16-24 px between the eyes, greyscale, sharp');
    // 1,286 of the weak band's pairs score 0.61 or more; between table points the bound counts the point below (at most 26% more).
    expect(mixed.impostorsAtOrAbove).toBeGreaterThanOrEqual(1286);
    expect(mixed.impostorsAtOrAbove).toBeLessThanOrEqual(1286 * 1.26);
    expect(mixed.fmr).toBeGreaterThan(0.1286 * 0.9);
    expect(mixed.fmr).toBeLessThan(0.1286 * 1.1);
    expect(pairRate(c, SMALL_GREY, GOOD, 0.61)).toEqual(mixed);
  });

  it('takes the higher bound when a face was found before its colour was measured, and no number if either band is missing', () => {
    const greyUnknown = quality(20, undefined, 300);
    const onlyColour = calibration([{ key: { eyes: 2, colour: 'colour', focus: 'sharp' }, impostor: spaced(3000, 0.4) }]);
    expect(pairRate(onlyColour, GOOD, greyUnknown, 0.35).bound).toBe('uncalibrated');
    const both = calibration([
      { key: { eyes: 2, colour: 'colour', focus: 'sharp' }, impostor: spaced(3000, 0.4) },
      { key: WEAK_KEY, impostor: spaced(3000, 0.7) },
    ]);
    expect(pairRate(both, GOOD, greyUnknown, 0.35)).toEqual(pairRate(both, GOOD, SMALL_GREY, 0.35));
  });

  it('holds a search threshold per band, and the strictest measured one where a band cannot support the rate', () => {
    const c = calibration([
      { key: GOOD_KEY, impostor: spaced(10_000, 0.3) },
      { key: WEAK_KEY, impostor: spaced(10_000, 0.7) },
      { key: { eyes: 1, colour: 'greyscale', focus: 'blurred' }, impostor: spaced(500, 0.8) },
    ]);
    const t = bandThresholds(c, 0.001);
    // 10 of 10,000 pairs at or above the threshold, at most.
    expect(t.map((x) => x.score)).toEqual([9990 * 0.3 / 10_000, 9990 * 0.7 / 10_000, null]);
    expect(pairThreshold(c, t, GOOD, GOOD)).toEqual({ score: t[0]!.score, calibrated: true });
    expect(pairThreshold(c, t, GOOD, SMALL_GREY)).toEqual({ score: t[1]!.score, calibrated: true });
    // 500 pairs cannot support 1 in 1,000; an unmeasured band neither: both must reach the strictest threshold.
    expect(pairThreshold(c, t, GOOD, quality(13, 0, 10))).toEqual({ score: t[1]!.score, calibrated: false });
    expect(pairThreshold(c, t, GOOD, quality(30, 0, 10))).toEqual({ score: t[1]!.score, calibrated: false });
    expect(bandThresholds(c, 1e-5).every((x) => x.score === null)).toBe(true);
  });

  it('refuses a damaged table', () => {
    const c = calibration([{ key: GOOD_KEY, impostor: spaced(3000, 1) }]);
    const broken = structuredClone(c);
    broken.bands[0]!.points.reverse();
    expect(() => checkBandedCalibration(broken)).toThrow(/breaks the order/);
    expect(() => checkBandedCalibration({ ...c, schema: 2 })).toThrow(/malformed/);
  });
});
