/**
 * Characters that must not reach a terminal or a page as they are: C0 and C1 controls
 * (newlines that forge extra lines, ESC that starts terminal escape codes), DEL, the line and
 * paragraph separators, the bidirectional controls that reorder what follows (a right-to-left
 * override makes "doc\u202egpj.exe" read as "docexe.jpg"), and invisible zero-width marks.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from files and users (file names, paths, titles, reasons) made safe to show: each
 * unsafe character becomes a visible escape (\n, \x1b, \u202e); all else, right-to-left
 * scripts included, is kept as it is. For the terminal and the UI alike.
 */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * Whether text typed by a user is plain: nothing visibleText would escape, save line breaks
 * and tabs where the field takes several lines. Names, titles and references are checked
 * with this where they come in, so the screens and reports that show them as they are
 * cannot be forged or reordered by them.
 */
export function isPlainText(text: string, multiline: boolean): boolean {
  for (const m of text.matchAll(UNSAFE)) if (!(multiline && (m[0] === '\n' || m[0] === '\r' || m[0] === '\t'))) return false;
  return true;
}
