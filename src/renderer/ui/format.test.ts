import { describe, expect, it } from 'vitest';
import { formatDate, formatTime, oneLine, pageLabel } from './format';

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
  });

  it('labels pages of a list', () => {
    expect(pageLabel(0, 50, 123)).toBe('1–50 of 123');
    expect(pageLabel(100, 23, 123)).toBe('101–123 of 123');
    expect(pageLabel(0, 0, 0)).toBe('0 of 0');
  });
});
