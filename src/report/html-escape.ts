/**
 * Escaping for the HTML page (html.ts and the drawings beside it): every string from the capture
 * or the command line goes through `esc()` before it reaches markup; and fitting text into the
 * drawings' lines (`cutLabel`, `wrapWords`), shared by the ladder and the two-tap drawing.
 */
import { escapedByte } from '../ftp/text.js';

/** Text or attribute value from the capture, made safe for HTML and XML: bounded, control
 * characters (C0 but \n and \t, DEL, C1, U+2028/9, noncharacters) as \xNN, markup escaped. */
export function esc(s: string, max = 2000): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ >= max) return `${out}…`;
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && c !== 0x0a && c !== 0x09) || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) {
      // A byte wire text could not read as UTF-8 (src/ftp/text.ts) is shown as that byte.
      out += `\\x${(escapedByte(c) >= 0 ? escapedByte(c) : c).toString(16).padStart(2, '0')}`;
      continue;
    }
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&#39;';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** A label for one line of a drawing: its first line (" …" when more followed), at most `n`
 * characters ("…" when cut). Escape it with `esc()` after. */
export function cutLabel(s: string, n: number): string {
  const nl = s.indexOf('\n');
  const line = nl < 0 ? s : `${s.slice(0, nl)} …`;
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
}

/** `text` wrapped at word boundaries into lines of about `n` characters, at most `maxLines` (the
 * last ending " …" when cut); a word longer than a line is cut at `n + 20`. */
export function wrapWords(text: string, n: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (line && line.length + 1 + word.length > n) {
      lines.push(line);
      line = word;
      if (lines.length >= maxLines) return [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]} …`];
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => (l.length > n + 20 ? `${l.slice(0, n + 19)}…` : l));
}
