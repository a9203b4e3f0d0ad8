/**
 * Address arithmetic for the overview (overview.ts): IPv4/IPv6 text compared in address order,
 * the exact covering prefix of a range, the /24 (IPv4) or /64 (IPv6) network of an address, and
 * AddressSet, a bounded set of addresses (lowest, highest, and the first OVERVIEW_GROUP_CLIENTS).
 *
 * Contract: pure functions of address text; AddressSet's space is bounded whatever is added, so
 * the overview stays within its memory however many clients a capture holds.
 */
import { formatIp, parseIp } from '../decode/address.js';
import { OVERVIEW_GROUP_CLIENTS } from '../limits.js';

/** An IPv4 address in dotted-quad text as a number, without allocating (-1 if it is not one):
 * the overview compares addresses once per session, and a Buffer per comparison is garbage the
 * memory governor would have to collect. */
function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
      dots++;
    } else if (c >= 48 && c <= 57) part = part * 10 + (c - 48);
    else return -1;
  }
  return dots === 3 ? n * 256 + part : -1;
}

/** Network key of a client: its /24 (IPv4) or /64 (IPv6), as text. */
export function networkKey(ip: string): string {
  if (ipv4Number(ip) >= 0) return ip.slice(0, ip.lastIndexOf('.'));
  const b = parseIp(ip);
  return b ? b.subarray(0, 8).toString('hex') : ip;
}

export function compareIp(a: string, b: string): number {
  if (a === b) return 0;
  const x4 = ipv4Number(a);
  const y4 = ipv4Number(b);
  if (x4 >= 0 && y4 >= 0) return x4 - y4;
  if (x4 >= 0 || y4 >= 0) return x4 >= 0 ? -1 : 1;
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(x, y);
}

/** The smallest prefix covering every address between lo and hi (the same family). */
export function coveringPrefix(lo: string, hi: string): string {
  if (lo === hi) return lo;
  const a = parseIp(lo);
  const b = parseIp(hi);
  if (!a || !b || a.length !== b.length) return `${lo}..${hi}`;
  let bits = 0;
  while (bits < a.length * 8) {
    const i = bits >> 3;
    const m = 0x80 >> (bits & 7);
    if ((a[i] & m) !== (b[i] & m)) break;
    bits++;
  }
  const net = Buffer.from(a);
  for (let i = 0; i < net.length * 8; i++) if (i >= bits) net[i >> 3] &= ~(0x80 >> (i & 7));
  return `${formatIp(net)}/${bits}`;
}

/** A set of addresses in bounded space: the lowest and highest (exact covering prefix) and the
 * first OVERVIEW_GROUP_CLIENTS distinct ones (null once there are more). */
export class AddressSet {
  lo = '';
  hi = '';
  list: string[] | null = [];
  add(ip: string): void {
    if (ip === this.lo || ip === this.hi) return;
    if (this.lo === '' || compareIp(ip, this.lo) < 0) this.lo = ip;
    if (this.hi === '' || compareIp(ip, this.hi) > 0) this.hi = ip;
    if (this.list && !this.list.includes(ip)) {
      if (this.list.length < OVERVIEW_GROUP_CLIENTS) this.list.push(ip);
      else this.list = null;
    }
  }
  merge(o: AddressSet): void {
    if (o.lo === '') return;
    this.add(o.lo);
    this.add(o.hi);
    if (o.list === null) this.list = null;
    else for (const ip of o.list) this.add(ip);
  }
  get network(): string {
    return coveringPrefix(this.lo, this.hi);
  }
  get clients(): string[] | null {
    return this.list ? [...this.list].sort(compareIp) : null;
  }
}


export function copySet(s: AddressSet): AddressSet {
  const c = new AddressSet();
  c.merge(s);
  return c;
}
