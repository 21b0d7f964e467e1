import { LoupeError } from '../../shared';

/** "about 1 in 1,000": the rate as one in N with N to two significant figures, never more precise than that. */
export function formatOneIn(fmr: number): string {
  return `about 1 in ${oneIn(fmr, 'nearest')}`;
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
