import { describe, expect, it } from 'vitest';
import { CaseAuthority, DisplayName, IsoDate } from './domain';

describe('IsoDate', () => {
  it('takes calendar dates, leap days included', () => {
    for (const d of ['2033-01-01', '2028-02-29', '2030-12-31']) expect(IsoDate.safeParse(d).success, d).toBe(true);
  });

  it('refuses dates that do not exist and other shapes, saying why', () => {
    for (const d of ['2030-02-31', '2029-02-29', '2030-13-01', '2030-00-10']) expect(IsoDate.safeParse(d).error?.issues[0]?.message, d).toBe('No such date in the calendar');
    expect(IsoDate.safeParse('1/1/2030').error?.issues[0]?.message).toBe('Use a date as YYYY-MM-DD');
  });
});

describe('text typed by users', () => {
  it('refuses a case title or display name with control characters or hidden direction marks, saying why', () => {
    const title = CaseAuthority.shape.title.safeParse('Robbery\u202e at the bank');
    expect(title.success).toBe(false);
    expect(title.error?.issues[0]?.message).toBe('Title may not hold control characters or hidden text-direction marks');
    expect(DisplayName.safeParse('Sam\u001b[2J').success).toBe(false);
    expect(CaseAuthority.shape.purpose.safeParse('Identify the suspect\nseen on CCTV').success).toBe(true);
    expect(CaseAuthority.shape.title.safeParse('Vol à main armée').success).toBe(true);
  });
});
