/**
 * FTP text from the wire: control lines (user names, paths, arguments, reply text) and listing
 * entries. RFC 2640 §2.2 makes UTF-8 the encoding of path names, and servers and clients today
 * (vsftpd, ProFTPD, pyftpdlib, curl, FileZilla) send UTF-8; older ones send Latin-1 or a Windows
 * code page, and hostile ones send anything. So:
 *
 * - a valid UTF-8 sequence (RFC 3629 §4: no overlong form, no surrogate, nothing past U+10FFFF) is
 *   its character;
 * - every other byte b becomes the lone surrogate U+DC00+b (Python's "surrogateescape", PEP 383):
 *   no byte is lost, none is confused with a character (a lone surrogate is never text), and the
 *   original bytes can be had back.
 *
 * Every report format then shows such a byte visibly: the terminal and HTML as `\xNN`
 * (`showBytes`), JSON as `\udcNN`, XML as `\uDCNN` in an `enc="escaped"` text; `--extract` names the
 * file with `_xNN` (its names cannot hold a backslash).
 */
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;

/** Text of buf[start, end) as described above. ASCII (almost every line) costs one scan. */
export function wireString(buf: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end && buf[i] < 0x80) i++;
  if (i === end) return buf.toString('latin1', start, end);
  const view = buf.subarray(start, end);
  if (isUtf8(view)) return buf.toString('utf8', start, end);
  return decodeEscaping(buf, start, end);
}

/** Bytes that are not the lead of a well-formed sequence, or a sequence cut short, are escaped one by one. */
function decodeEscaping(buf: Buffer, start: number, end: number): string {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = buf[i];
    let n = 0; // continuation bytes
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) {
      units.push(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    }
    let ok = n > 0 && i + n < end;
    if (ok) {
      const b1 = buf[i + 1];
      ok = b1 >= lo && b1 <= hi;
      for (let k = 2; ok && k <= n; k++) ok = (buf[i + k] & 0xc0) === 0x80;
    }
    if (!ok) {
      units.push(ESCAPE_BASE + b);
      i++;
      continue;
    }
    let cp = b & (n === 1 ? 0x1f : n === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= n; k++) cp = (cp << 6) | (buf[i + k] & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += n + 1;
  }
  let s = '';
  for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}

/** The byte a UTF-16 code unit stands for when it is an escaped byte (U+DC80..U+DCFF), else -1. */
export function escapedByte(unit: number): number {
  return unit >= 0xdc80 && unit <= 0xdcff ? unit - ESCAPE_BASE : -1;
}

/** `s` with each escaped byte written `\xNN` (lower-case hex); everything else unchanged. */
export function showBytes(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (escapedByte(c) < 0 || (i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) continue;
    out += `${s.slice(from, i)}\\x${escapedByte(c).toString(16).padStart(2, '0')}`;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}
