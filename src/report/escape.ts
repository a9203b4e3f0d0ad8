/**
 * Anything taken from a capture (banners, file names, user names) is untrusted: it may hold
 * terminal escape sequences, NULs, or megabytes. These helpers bound and neutralise it.
 */

import { escapedByte, wireString } from '../ftp/text.js';

/** Default bound on one capture-derived string in a report. */
export const MAX_FIELD_CHARS = 256;

/** Printable text for a terminal: control characters (C0, DEL, C1) become \xNN, and so do the
 * bytes wire text could not read as UTF-8 (src/ftp/text.ts); length bounded. */
export function termSafe(s: string, max = MAX_FIELD_CHARS): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n >= max) return `${out}…`;
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else if (escapedByte(c) >= 0) {
      out += `\\x${escapedByte(c).toString(16).padStart(2, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `\\u${c.toString(16)}`;
    } else if (ch === '\\') out += '\\\\';
    else out += ch;
    n++;
  }
  return out;
}

/** Bytes from the wire as text (src/ftp/text.ts), at most `max` bytes, not cut inside a UTF-8 sequence. */
export function wireText(buf: Buffer, start: number, end: number, max = MAX_FIELD_CHARS): string {
  let stop = Math.min(end, start + max);
  if (stop < end) {
    let back = stop;
    while (back > start && stop - back < 3 && (buf[back] & 0xc0) === 0x80) back--;
    if ((buf[back] & 0xc0) !== 0x80) stop = back;
  }
  return wireString(buf, start, stop);
}
