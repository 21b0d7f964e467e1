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

/** "no evidence of a match: 2,990 of the 3,000 measured pairs of different people (about 100%) scored this high or higher". */
export function commonRateText(atOrAbove: number, impostorPairs: number): string {
  const count = atOrAbove >= impostorPairs ? `all ${impostorPairs.toLocaleString('en-GB')}` : `about ${Math.round(atOrAbove).toLocaleString('en-GB')} of the ${impostorPairs.toLocaleString('en-GB')}`;
  return `no evidence of a match: ${count} measured pairs of different people scored this high or higher`;
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
