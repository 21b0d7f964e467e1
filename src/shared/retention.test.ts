import { describe, expect, it } from 'vitest';
import { daysBetween, DUE_WITHIN_DAYS, retentionStatus } from './retention';

describe('retention status, from what the register holds', () => {
  const today = '2027-03-01';
  const status = (retentionDate: string | null, held = false, purgedAt: string | null = null) => retentionStatus({ retentionDate, held, purgedAt }, today);

  it('keeps a case through its retention date and is overdue from the day after', () => {
    expect(daysBetween(today, '2027-03-01')).toBe(0);
    expect(daysBetween(today, '2027-02-28')).toBe(-1);
    expect(daysBetween('2027-02-28', '2028-02-29')).toBe(366);
    expect(status('2027-03-01')).toBe('due');
    expect(status('2027-02-28')).toBe('overdue');
  });

  it(`is due within ${DUE_WITHIN_DAYS} days, kept beyond`, () => {
    expect(status('2027-03-31')).toBe('due');
    expect(status('2027-04-01')).toBe('kept');
  });

  it('puts a purge before a hold, a hold before the date, and says when the date is not known', () => {
    expect(status('2020-01-01', true)).toBe('held');
    expect(status(null, true)).toBe('held');
    expect(status(null)).toBe('unknown');
    expect(status('2020-01-01', true, '2026-01-01T00:00:00Z')).toBe('purged');
  });
});
