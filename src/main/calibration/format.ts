import { LoupeError } from '../../shared';

/** "about 1 in 1,000": the rate as one in N with N to two significant figures, never more precise than that. */
export function formatOneIn(fmr: number): string {
  return `about 1 in ${oneIn(fmr, 'nearest')}`;
}

/**
 * At or above this rate (or its upper bound) "1 in N" reads like a finding ("about 1 in 1" for a
 * score below every measured impostor pair): how many measured impostor pairs scored as high is said instead.
 */
export const COMMON_RATE = 0.5;

/**
 * Read after "false match rate": "about 88% (about 2,640 of the 3,000 measured pairs of
 * different people scored this high or higher): no evidence of a match".
 */
export function commonRateText(atOrAbove: number, impostorPairs: number): string {
  const n = impostorPairs.toLocaleString('en-GB');
  const count = atOrAbove >= impostorPairs ? `100% (all ${n}` : `about ${Math.round((100 * atOrAbove) / impostorPairs)}% (about ${Math.round(atOrAbove).toLocaleString('en-GB')} of the ${n}`;
  return `${count} measured pairs of different people scored this high or higher): no evidence of a match`;
}

/**
 * N of "1 in N" to two significant figures. A bound is rounded the way that keeps it true:
 * "fewer than 1 in N" rounds N down, "more than 1 in N" rounds it up.
 */
export function oneIn(fmr: number, round: 'nearest' | 'down' | 'up'): string {
  if (!(fmr > 0) || !Number.isFinite(fmr)) throw new LoupeError('invalid_input', `A false match rate must be above 0 (got ${fmr}).`);
  // The nudge keeps 1 / 1e-5 = 99,999.99... from rounding down to 99,000.
  const n = round === 'down' ? (1 / fmr) * (1 + 1e-9) : round === 'up' ? (1 / fmr) * (1 - 1e-9) : 1 / fmr;
  const step = n < 10 ? 1 : 10 ** (Math.floor(Math.log10(n)) - 1);
  const to = round === 'down' ? Math.floor : round === 'up' ? Math.ceil : Math.round;
  return Math.max(1, to(n / step) * step).toLocaleString('en-GB');
}
