/**
 * IP address text and keys. Off the hot path: formatting is for reports, parsing for options
 * and tests; the decoder itself only copies address bytes.
 */
import { IPV4_TEXT_CACHE } from '../limits.js';

const V4_MASK = IPV4_TEXT_CACHE - 1;
const v4Keys = new Int32Array(IPV4_TEXT_CACHE);
const v4Text: (string | undefined)[] = new Array<string | undefined>(IPV4_TEXT_CACHE).fill(undefined);

/** Dotted quad of an unsigned 32-bit IPv4 address. The last text made for each of
 * IPV4_TEXT_CACHE slots is kept: a capture's connections come from a few hosts, and every
 * connection summary and FTP correlation asks for its two addresses again. */
export function formatIpv4(n: number): string {
  const i = (Math.imul(n, 0x9e3779b1) >>> 16) & V4_MASK;
  const hit = v4Text[i];
  if (hit !== undefined && v4Keys[i] === (n | 0)) return hit;
  const t = `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  v4Keys[i] = n;
  v4Text[i] = t;
  return t;
}

/**
 * Text of a 4- or 16-byte address: dotted quad, or IPv6 as RFC 5952 §4 recommends (lowercase,
 * no leading zeros, the longest run of two or more zero groups — the first if tied — shown as
 * "::"), with IPv4-mapped addresses as ::ffff:a.b.c.d (§5). Any other length gives "?".
 */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return '?';
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;

  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (§4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

function parseIpv4(text: string, out: Buffer, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[at + i] = v;
  }
  return true;
}

/**
 * Bytes of an IPv4 (4 bytes) or IPv6 (16 bytes, RFC 4291 §2.2 text forms, embedded dotted
 * quad allowed) address; undefined for anything else (zone ids included).
 */
export function parseIp(text: string): Buffer | undefined {
  if (!text.includes(':')) {
    const out = Buffer.alloc(4);
    return parseIpv4(text, out, 0) ? out : undefined;
  }
  const out = Buffer.alloc(16);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  // An embedded IPv4 address takes the place of the last two groups.
  const all = halves.length === 2 ? tail : head;
  let v4: string | undefined;
  if (all.length > 0 && all[all.length - 1].includes('.')) v4 = all.pop();
  const words = head.length + tail.length + (v4 !== undefined ? 2 : 0);
  if (halves.length === 2 ? words > 7 : words !== 8) return undefined;
  const put = (groups: string[], at: number): boolean => {
    for (let i = 0; i < groups.length; i++) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return false;
      out.writeUInt16BE(parseInt(groups[i], 16), at + 2 * i);
    }
    return true;
  };
  if (!put(head, 0)) return undefined;
  const tailWords = tail.length + (v4 !== undefined && halves.length === 2 ? 2 : 0);
  if (halves.length === 2 && !put(tail, 16 - 2 * tailWords)) return undefined;
  if (v4 !== undefined && !parseIpv4(v4, out, 12)) return undefined;
  return out;
}

/**
 * A short string usable as a Map key for an address (4 or 16 characters, one per byte).
 * Flow tables keyed by IPv4 should prefer the packet's numeric src4/dst4.
 */
export function addressKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}
