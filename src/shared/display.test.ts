import { describe, expect, it } from 'vitest';
import { isPlainText, visibleText } from './display';

describe('visibleText', () => {
  it('shows newlines, escape codes and right-to-left overrides as escapes, so they cannot forge or reorder output', () => {
    expect(visibleText('a\nexhibit 99 done')).toBe('a\\nexhibit 99 done');
    expect(visibleText('\u001b[2J\u001b]0;pwned\u0007x.jpg')).toBe('\\x1b[2J\\x1b]0;pwned\\x07x.jpg');
    expect(visibleText('holiday\u202egpj.exe')).toBe('holiday\\u202egpj.exe');
    expect(visibleText('a\u2066b\u2069\u200bc\u0085d\u007f')).toBe('a\\u2066b\\u2069\\u200bc\\x85d\\x7f');
  });

  it('keeps every other character, right-to-left scripts and accents included', () => {
    for (const s of ['café.jpg', 'صورة.jpg', 'תמונה 1.png', 'Zoë/𝒳 👩‍👩‍👧.png', 'C:\\Users\\x.jpg', '']) expect(visibleText(s)).toBe(s);
  });
});

describe('isPlainText', () => {
  it('refuses control characters and direction overrides, allowing line breaks only where asked', () => {
    expect(isPlainText('Operation Kestrel – صورة', false)).toBe(true);
    expect(isPlainText('two\nlines', false)).toBe(false);
    expect(isPlainText('two\nlines\tand a tab', true)).toBe(true);
    expect(isPlainText('evil\u202etxt', true)).toBe(false);
    expect(isPlainText('bell\u0007', true)).toBe(false);
  });
});
