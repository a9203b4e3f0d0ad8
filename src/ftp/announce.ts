/**
 * Data-connection announcements: the address and port a PORT/EPRT/LPRT command or a
 * 227/229/228 reply names, parsed from text. Pure functions, no state, never throw.
 *
 * Lenient about form, strict about values. Real servers write the passive replies in many ways:
 *   vsftpd     227 Entering Passive Mode (198,51,100,20,117,48).
 *   IIS/Win    227 Entering Passive Mode 192,168,1,2,4,1
 *   others     227 =192,168,1,2,4,1   227 Passive (010,000,000,001,004,001)   227-... multi-line
 *   vsftpd     229 Entering Extended Passive Mode (|||30000|)   (RFC 2428 §3 allows any
 *              delimiter in 33..126: (!!!6446!) is as valid)
 * so the numbers are searched for anywhere in the text, with or without parentheses, with spaces
 * after commas, leading zeros (read as decimal, never octal). Values are then checked: every
 * address byte 0-255, port 1-65535; anything else is an `AnnounceError` value.
 */
import { formatIp, parseIp } from '../decode/address.js';

/** docs/design.md §3 data connection modes, one per announcement form. */
export type AnnouncementKind = 'active' | 'extended-active' | 'long-active' | 'passive' | 'extended-passive' | 'long-passive';

/**
 * What an announcement says. `ip` is canonical text (dotted quad, RFC 5952 IPv6); it is null
 * only for `extended-passive` (EPSV names no address: the control connection's server address
 * is meant, RFC 2428 §3).
 */
export type Announcement =
  | { readonly kind: 'active'; readonly ip: string; readonly port: number }
  | { readonly kind: 'extended-active'; readonly ip: string; readonly port: number }
  | { readonly kind: 'long-active'; readonly ip: string; readonly port: number }
  | { readonly kind: 'passive'; readonly ip: string; readonly port: number }
  | { readonly kind: 'extended-passive'; readonly ip: null; readonly port: number }
  | { readonly kind: 'long-passive'; readonly ip: string; readonly port: number };

/**
 * Why an announcement could not be read: `bad-address` (a byte > 255, an unknown or mismatched
 * address family, an unparsable IPv6 address), `bad-port` (0 or > 65535, a port byte > 255),
 * `malformed` (the numbers are not there, or not in the expected shape). `text` is the input.
 */
export type AnnounceErrorCode = 'bad-address' | 'bad-port' | 'malformed';
export interface AnnounceError {
  readonly error: AnnounceErrorCode;
  readonly text: string;
}

export type AnnounceResult = Announcement | AnnounceError;

export function isAnnounceError(r: AnnounceResult): r is AnnounceError {
  return 'error' in r;
}

const fail = (error: AnnounceErrorCode, text: string): AnnounceError => ({ error, text });

/** A decimal field as a number; any digit count, leading zeros allowed (decimal, not octal). */
function num(s: string): number {
  // Long digit strings are out of range anyway; avoid precision games.
  return s.length > 6 ? Number.MAX_SAFE_INTEGER : parseInt(s, 10);
}

const validPort = (p: number): boolean => p >= 1 && p <= 65535;

// Six decimal fields h1,h2,h3,h4,p1,p2; spaces allowed around commas. The host part may use dots
// (some servers write "a.b.c.d,p1,p2"). Not preceded or followed by another ",digit" field, so a
// list of 5 or 7 numbers does not yield a wrong address.
const SIX_FIELDS = /(?<![\d,:]\s*)(\d+)\s*([,.])\s*(\d+)\s*\2\s*(\d+)\s*\2\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)(?!\d|\s*,\s*\d)/;

function hostPort(kind: 'active' | 'passive', fields: string[], text: string): AnnounceResult {
  const v = fields.map(num);
  for (let i = 0; i < 4; i++) if (v[i] > 255) return fail('bad-address', text);
  if (v[4] > 255 || v[5] > 255) return fail('bad-port', text);
  const port = v[4] * 256 + v[5];
  if (!validPort(port)) return fail('bad-port', text);
  return { kind, ip: `${v[0]}.${v[1]}.${v[2]}.${v[3]}`, port };
}

function sixFields(kind: 'active' | 'passive', text: string): AnnounceResult {
  const m = SIX_FIELDS.exec(text);
  if (!m) return fail('malformed', text);
  return hostPort(kind, [m[1], m[3], m[4], m[5], m[6], m[7]], text);
}

/** PORT argument `h1,h2,h3,h4,p1,p2` (RFC 959 §4.1.2). */
export function parsePortArg(arg: string): AnnounceResult {
  return sixFields('active', arg);
}

/**
 * 227 reply text (RFC 959 §4.1.2, §4.2): six fields anywhere in the text, the first such list.
 * Also pyftpdlib's form for a PASV over IPv6, an IPv6 address then the two port bytes:
 * "227 Entering passive mode (2001:db8:5::21,117,48)." (fixtures/07-ipv6.pcap).
 */
export function parse227(text: string): AnnounceResult {
  const r = sixFields('passive', text);
  if (!isAnnounceError(r) || r.error !== 'malformed') return r;
  const m = V6_HOST_PORT.exec(text);
  if (!m) return r;
  const b = parseIp(m[1]);
  if (!b) return fail('bad-address', text);
  const p1 = num(m[2]);
  const p2 = num(m[3]);
  if (p1 > 255 || p2 > 255 || !validPort(p1 * 256 + p2)) return fail('bad-port', text);
  return { kind: 'passive', ip: formatIp(b), port: p1 * 256 + p2 };
}

const V6_HOST_PORT = /(?<![\w:.])([0-9A-Fa-f]*:[0-9A-Fa-f:.]*)\s*,\s*(\d+)\s*,\s*(\d+)(?!\d|\s*,\s*\d)/;

/** An IPv4 dotted quad, leading zeros allowed (EPRT |1|010.0.0.1|...| from some clients). */
function dottedQuad(s: string): string | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  for (const p of parts) if (!/^\d{1,3}$/.test(p) || num(p) > 255) return null;
  return parts.map(num).join('.');
}

/**
 * EPRT argument `<d><af><d><addr><d><port><d>` (RFC 2428 §2): the delimiter is the first
 * character (any of 33..126, `|` recommended); af 1 is IPv4, 2 is IPv6. Whitespace around the
 * argument is ignored; the closing delimiter may be missing.
 */
export function parseEprtArg(arg: string): AnnounceResult {
  const s = arg.trim();
  if (s.length < 2) return fail('malformed', arg);
  const d = s[0];
  const code = d.charCodeAt(0);
  if (code < 33 || code > 126 || (code >= 0x30 && code <= 0x39)) return fail('malformed', arg);
  const parts = s.split(d);
  // ['', af, addr, port, ''] — or without the closing delimiter ['', af, addr, port].
  if (parts.length === 5 ? parts[4] !== '' : parts.length !== 4) return fail('malformed', arg);
  const [, af, addr, portText] = parts;
  if (!/^\d+$/.test(portText.trim())) return fail(portText.trim() === '' ? 'malformed' : 'bad-port', arg);
  const port = num(portText.trim());
  let ip: string | null = null;
  const a = addr.trim();
  if (af.trim() === '1') {
    ip = dottedQuad(a);
  } else if (af.trim() === '2') {
    const b = a.includes(':') ? parseIp(a) : undefined;
    ip = b ? formatIp(b) : null;
  } else if (af.trim() === '') {
    return fail('malformed', arg);
  }
  if (ip === null) return fail('bad-address', arg);
  if (!validPort(port)) return fail('bad-port', arg);
  return { kind: 'extended-active', ip, port };
}

/**
 * 229 reply text (RFC 2428 §3): `(<d><d><d><port><d>)` anywhere in the text, any delimiter in
 * 33..126 other than digits; the parentheses are optional. The port alone is announced.
 * A net-prt/net-addr between the delimiters (not allowed by the RFC, seen in the wild) is ignored.
 */
export function parse229(text: string): AnnounceResult {
  const m = EPSV_REPLY.exec(text);
  if (m) {
    const port = num(m[2]);
    return validPort(port) ? { kind: 'extended-passive', ip: null, port } : fail('bad-port', text);
  }
  // The canonical shape with something else than a port, e.g. "(|||-1|)": the port is wrong.
  if (EPSV_ANY.test(text)) return fail('bad-port', text);
  return fail('malformed', text);
}

// Delimiters: RFC 2428 allows 33..126; letters, digits and parentheses are not used by any
// server and would match ordinary words, so they are excluded.
const EPSV_REPLY = /([!-'*-/:-@[-`{-~])[^\s]{0,40}?\1[^\s]{0,64}?\1(\d+)\1/;
const EPSV_ANY = /([!-'*-/:-@[-`{-~])\1\1[^\s]+?\1/;

function longAddress(kind: 'long-active' | 'long-passive', fields: number[], text: string): AnnounceResult {
  // af, hal, h1..h(hal), pal, p1..p(pal) (RFC 1639 §2)
  if (fields.length < 2) return fail('malformed', text);
  const af = fields[0];
  const hal = fields[1];
  const palAt = 2 + hal;
  if (fields.length <= palAt) return fail('malformed', text);
  const pal = fields[palAt];
  if (fields.length !== palAt + 1 + pal) return fail('malformed', text);
  if (!((af === 4 && hal === 4) || (af === 6 && hal === 16))) return fail('bad-address', text);
  const host = fields.slice(2, palAt);
  if (host.some((b) => b > 255)) return fail('bad-address', text);
  const portBytes = fields.slice(palAt + 1);
  if (pal < 1 || pal > 2 || portBytes.some((b) => b > 255)) return fail('bad-port', text);
  const port = portBytes.reduce((p, b) => p * 256 + b, 0);
  if (!validPort(port)) return fail('bad-port', text);
  return { kind, ip: formatIp(Uint8Array.from(host)), port };
}

/** LPRT argument `af,hal,h1,...,pal,p1,p2` (RFC 1639 §2), af 4 (hal 4) or 6 (hal 16). */
export function parseLprtArg(arg: string): AnnounceResult {
  const s = arg.trim();
  if (!/^\d+(\s*,\s*\d+)*$/.test(s)) return fail('malformed', arg);
  return longAddress('long-active', s.split(/\s*,\s*/).map(num), arg);
}

/** 228 reply text (RFC 1639 §2, LPSV): the longest comma-separated number list in the text. */
export function parse228(text: string): AnnounceResult {
  let best: string | null = null;
  for (const m of text.matchAll(/\d+(?:\s*,\s*\d+)+/g)) if (best === null || m[0].length > best.length) best = m[0];
  if (best === null) return fail('malformed', text);
  return longAddress('long-passive', best.split(/\s*,\s*/).map(num), text);
}

/** The announcement a command carries (PORT, EPRT, LPRT), or null for any other verb. */
export function parseAnnouncementCommand(verb: string, arg: string): AnnounceResult | null {
  switch (verb.toUpperCase()) {
    case 'PORT':
      return parsePortArg(arg);
    case 'EPRT':
      return parseEprtArg(arg);
    case 'LPRT':
      return parseLprtArg(arg);
    default:
      return null;
  }
}

/** The announcement a reply carries (227, 228, 229), or null for any other code. */
export function parseAnnouncementReply(code: number, text: string): AnnounceResult | null {
  switch (code) {
    case 227:
      return parse227(text);
    case 228:
      return parse228(text);
    case 229:
      return parse229(text);
    default:
      return null;
  }
}

/**
 * Scope of an address, for the NAT findings: `private` (RFC 1918, IPv6 ULA fc00::/7),
 * `shared` (100.64.0.0/10 carrier-grade NAT, RFC 6598), `link-local` (169.254/16, fe80::/10),
 * `loopback` (127/8, ::1), `unspecified` (0.0.0.0/8, ::), or `public` (everything else,
 * documentation ranges included). IPv4-mapped IPv6 (::ffff:a.b.c.d) takes its IPv4 scope.
 * Null when the text is not an address.
 */
export type AddressScope = 'private' | 'shared' | 'link-local' | 'loopback' | 'unspecified' | 'public';

export function addressScope(ip: string): AddressScope | null {
  const b = parseIp(ip);
  if (!b) return null;
  if (b.length === 16) {
    let mapped = b[10] === 0xff && b[11] === 0xff;
    for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
    if (mapped) return scope4(b[12], b[13]);
    let zeros = 0;
    for (let i = 0; i < 15; i++) if (b[i] === 0) zeros++;
    if (zeros === 15 && b[15] === 1) return 'loopback';
    if (zeros === 15 && b[15] === 0) return 'unspecified';
    if ((b[0] & 0xfe) === 0xfc) return 'private';
    if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local';
    return 'public';
  }
  return scope4(b[0], b[1]);
}

function scope4(a: number, b: number): AddressScope {
  if (a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && (b & 0xc0) === 64) return 'shared';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  return 'public';
}

/** Not reachable from the Internet: private, shared (CGN), link-local or loopback. */
export function isPrivateAddress(ip: string): boolean {
  const s = addressScope(ip);
  return s === 'private' || s === 'shared' || s === 'link-local' || s === 'loopback';
}

/**
 * The size a reply announces, or null:
 * - 150/125 preliminary replies naming the size in parentheses, the last such group (a file
 *   name may contain one too): vsftpd/wu-ftpd/proftpd "150 Opening BINARY mode data connection
 *   for file.bin (65536 bytes).", Serv-U "(3229 Bytes)"; pure-ftpd "150 Accepted data
 *   connection" and IIS "125 Data connection already open; Transfer starting." name none;
 * - 213 replies to SIZE (RFC 3659 §4): the text is the number alone. Only for SIZE: a 213 to
 *   MDTM is a timestamp ("20261126131445") that reads as a number too.
 */
export function parseTransferSize(text: string): number | null {
  const whole = /^\s*(\d+)\s*$/.exec(text);
  let digits: string | null = whole ? whole[1] : null;
  if (digits === null) {
    for (const m of text.matchAll(/\(\s*(\d+)\s+(?:bytes?|octets?)\s*\)/gi)) digits = m[1];
  }
  if (digits === null) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}
