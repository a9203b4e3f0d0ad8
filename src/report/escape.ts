/**
 * Anything taken from a capture (banners, file names, user names) is untrusted: it may hold
 * terminal escape sequences, NULs, or megabytes. These helpers bound and neutralise it.
 */

/** Default bound on one capture-derived string in a report. */
export const MAX_FIELD_CHARS = 256;

/** Printable text for a terminal: control characters (C0, DEL, C1) become \xNN, length bounded. */
export function termSafe(s: string, max = MAX_FIELD_CHARS): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n >= max) return `${out}…`;
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else if (ch === '\\') out += '\\\\';
    else out += ch;
    n++;
  }
  return out;
}

/** Bytes from the wire as text: latin1 keeps every byte one character (FTP predates UTF-8). */
export function wireText(buf: Uint8Array, start: number, end: number, max = MAX_FIELD_CHARS): string {
  const stop = Math.min(end, start + max);
  let s = '';
  for (let i = start; i < stop; i++) s += String.fromCharCode(buf[i]);
  return s;
}
