import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDate, formatEta, formatMs, formatOneIn, formatTime, oneLine, pageLabel } from './format';

describe('renderer formatting', () => {
  it('shows times in UTC to the second whatever the time zone', () => {
    expect(formatTime('2025-11-27T10:15:33.123Z')).toBe('2025-11-27 10:15:33');
    expect(formatTime('2025-11-27T23:30:00.000-02:00')).toBe('2025-11-28 01:30:00');
    expect(formatDate('2025-11-27T23:30:00.000-02:00')).toBe('2025-11-28');
  });

  it('leaves a value that is not a time as it is rather than showing "Invalid Date"', () => {
    expect(formatTime('yesterday')).toBe('yesterday');
    expect(formatDate('')).toBe('');
  });

  it('cuts long details to one line with an ellipsis', () => {
    const long = { input: { text: 'x'.repeat(500) } };
    const line = oneLine(long, 40);
    expect(line).toHaveLength(40);
    expect(line.endsWith('…')).toBe(true);
    expect(oneLine({ a: 1 })).toBe('{"a":1}');
    expect(oneLine({ sourcePath: '/media/holiday\u202egpj.exe' })).toBe('{"sourcePath":"/media/holiday\\u202egpj.exe"}');
  });

  it('labels pages of a list', () => {
    expect(pageLabel(0, 50, 123)).toBe('1–50 of 123');
    expect(pageLabel(100, 23, 123)).toBe('101–123 of 123');
    expect(pageLabel(0, 0, 0)).toBe('0 of 0');
  });
});

describe('renderer formatting of evidence figures', () => {
  it('writes video times to the millisecond', () => {
    expect(formatMs(0)).toBe('0:00.000');
    expect(formatMs(8352)).toBe('0:08.352');
    expect(formatMs(61_005)).toBe('1:01.005');
  });

  it('writes sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(183_365)).toBe('179 KiB');
    expect(formatBytes(5 * 2 ** 30)).toBe('5.0 GiB');
  });

  it('writes rates as a court reads them', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatOneIn(0.001)).toBe('1 in 1,000');
    expect(formatOneIn(1e-4)).toBe('1 in 10,000');
  });

  it('says how long is left, or that it does not know yet', () => {
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(42)).toBe('about 42 s');
    expect(formatEta(125)).toBe('about 2 min 5 s');
    expect(formatEta(3 * 3600 + 120)).toBe('about 3 h 2 min');
  });
});
