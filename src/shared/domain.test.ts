import { describe, expect, it } from 'vitest';
import { IsoDate } from './domain';

describe('IsoDate', () => {
  it('takes calendar dates, leap days included', () => {
    for (const d of ['2033-01-01', '2028-02-29', '2030-12-31']) expect(IsoDate.safeParse(d).success, d).toBe(true);
  });

  it('refuses dates that do not exist and other shapes, saying why', () => {
    for (const d of ['2030-02-31', '2029-02-29', '2030-13-01', '2030-00-10']) expect(IsoDate.safeParse(d).error?.issues[0]?.message, d).toBe('No such date in the calendar');
    expect(IsoDate.safeParse('1/1/2030').error?.issues[0]?.message).toBe('Use a date as YYYY-MM-DD');
  });
});
