/**
 * Wraps a real capture's records in the encapsulations mirrored and overlay traffic arrives in
 * (docs/design.md §2.2), in memory, the way fixtures/lab/wrap-tunnel.py does on disk: VXLAN (also on
 * Linux's port 8472 and inside a VLAN), Geneve (Ethernet, and IP with AWS-style options), GRE
 * (plain, transparent Ethernet bridging with checksum and key, MPLS under GRE), ERSPAN I/II/III
 * (III with its platform sub-header), IP-in-IP/6in4, 4in6/6in6, MPLS (IP and an Ethernet
 * pseudowire with control word) and PPPoE. Hand-built outer headers around real inner frames:
 * this kernel has no geneve, gretap, erspan, ipip or sit device to make them.
 *
 * The two directions of every inner connection get different outer headers (outer source
 * address, VNI, GRE key, ERSPAN session, as two mirror sessions or two tunnel endpoints would),
 * so a decoder keying anything on the outer layers splits connections. With `fragmentMtu`, outer
 * IPv4 datagrams longer than it are cut into fragments (in order, or last first with
 * `reverseFragments`); `frameOf` maps each output frame to the input frame it carries.
 */
import type { HandRecord } from './build.js';
import { pcapFile } from './build.js';
import type { PlainRecord } from './capture.js';
import { inetChecksum } from './packets.js';

export const WRAPPINGS = [
  'vxlan',
  'vxlan-8472',
  'vxlan-vlan',
  'geneve',
  'geneve-ip',
  'gre',
  'gre-teb',
  'gre-mpls',
  'erspan1',
  'erspan2',
  'erspan3',
  'ipip',
  'ip6',
  'mpls',
  'mpls-pw',
  'pppoe',
] as const;
export type Wrapping = (typeof WRAPPINGS)[number];

export interface WrapOptions {
  /** Cut outer IPv4 datagrams longer than this into fragments (the inner packet unchanged). */
  fragmentMtu?: number;
  reverseFragments?: boolean;
}

export interface Wrapped {
  records: HandRecord[];
  /** Output frame number (1-based) → the input frame it carries (index 0 unused). */
  frameOf: number[];
  /** Records left as they were (no IP inside for an IP-only encapsulation). */
  unwrapped: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

interface Inner {
  /** The frame as Ethernet (a header made up for cooked and raw link types). */
  eth: Buffer;
  /** The IP packet inside, or null. */
  ip: Buffer | null;
  ipVersion: 0 | 4 | 6;
  /** Bytes of the IP packet that were not captured (snap length). */
  missing: number;
  /** Which way the packet goes: 0 from the numerically lower address, 1 the other way. */
  dir: 0 | 1;
}

function etherTypeOf(rec: PlainRecord): { et: number; off: number } | null {
  const d = rec.data;
  switch (rec.linkType) {
    case 1: {
      let et = d.readUInt16BE(12);
      let off = 14;
      while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && off + 4 <= d.length) {
        et = d.readUInt16BE(off + 2);
        off += 4;
      }
      return { et, off };
    }
    case 113:
      return { et: d.readUInt16BE(14), off: 16 };
    case 276:
      return { et: d.readUInt16BE(0), off: 20 };
    case 101:
    case 228:
    case 229:
      return { et: d[0] >> 4 === 6 ? ETH_IPV6 : ETH_IPV4, off: 0 };
    default:
      return null;
  }
}

function innerOf(rec: PlainRecord): Inner | null {
  const lt = etherTypeOf(rec);
  if (lt === null) return null;
  const d = rec.data;
  const eth =
    rec.linkType === 1
      ? d
      : Buffer.concat([Buffer.from('02000000aa0202000000aa01', 'hex'), u16(lt.et), d.subarray(lt.off)]);
  const missing = rec.originalLength - rec.capturedLength;
  if (lt.et !== ETH_IPV4 && lt.et !== ETH_IPV6) return { eth, ip: null, ipVersion: 0, missing, dir: 0 };
  const ip = d.subarray(lt.off);
  const v4 = lt.et === ETH_IPV4;
  if (ip.length < (v4 ? 20 : 40)) return { eth, ip: null, ipVersion: 0, missing, dir: 0 };
  const src = v4 ? ip.subarray(12, 16) : ip.subarray(8, 24);
  const dst = v4 ? ip.subarray(16, 20) : ip.subarray(24, 40);
  return { eth, ip, ipVersion: v4 ? 4 : 6, missing, dir: Buffer.compare(src, dst) < 0 ? 0 : 1 };
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

const MAC = Buffer.from('020000000b02020000000b01', 'hex');
const OUTER4 = [Buffer.from([10, 99, 0, 1]), Buffer.from([10, 99, 1, 1])];
const OUTER4_DST = Buffer.from([10, 99, 9, 9]);
const OUTER6 = [Buffer.from('fd00009900000000000000000000000a', 'hex'), Buffer.from('fd00009900000000000000000000000b', 'hex')];
const OUTER6_DST = Buffer.from('fd000099000000000000000000000099', 'hex');

interface Outer {
  /** Link header (Ethernet, maybe a VLAN tag) up to the outer IP header. */
  link: Buffer;
  /** Outer IP header fields, or null when the wrapping has no outer IP (MPLS, PPPoE). */
  ip: { version: 4 | 6; proto: number; src: Buffer; dst: Buffer } | null;
  /** Everything between the outer IP header and the inner bytes. */
  mid: Buffer;
  /** The inner bytes carried: an Ethernet frame or an IP packet. */
  inner: Buffer;
}

/** Outer layers of one record, or null to leave it as it is. */
function outerOf(w: Wrapping, x: Inner, seq: number, t: { sec: number; nsec: number }): Outer | null {
  const eth = (et: number): Buffer => Buffer.concat([MAC, u16(et)]);
  const ip4 = (proto: number) => ({ version: 4 as const, proto, src: OUTER4[x.dir], dst: OUTER4_DST });
  const ipOf = x.ipVersion === 4 ? ETH_IPV4 : ETH_IPV6;
  // Flow entropy in the UDP source port, as RFC 7348 §5 and RFC 8926 §3.3 recommend.
  const sport = 49152 + ((seq * 7) % 16000);
  const udp = (dport: number): Buffer => Buffer.concat([u16(sport), u16(dport), u16(0), u16(0)]);
  const vni = (v: number): Buffer => u32(v << 8);
  const ip = x.ip;
  switch (w) {
    case 'vxlan':
    case 'vxlan-8472':
    case 'vxlan-vlan': {
      const link = w === 'vxlan-vlan' ? Buffer.concat([MAC, u16(0x8100), u16(0x2000 | 10), u16(ETH_IPV4)]) : eth(ETH_IPV4);
      const mid = Buffer.concat([udp(w === 'vxlan-8472' ? 8472 : 4789), Buffer.from([0x08, 0, 0, 0]), vni(100 + x.dir)]);
      return { link, ip: ip4(17), mid, inner: x.eth };
    }
    case 'geneve': {
      // 8 bytes of options (one TLV, class 0x0108 type 1, 4 data bytes): skipped by length.
      const opts = Buffer.concat([u16(0x0108), Buffer.from([0x01, 0x01]), u32(0xc0ffee00 + x.dir)]);
      const head = Buffer.concat([Buffer.from([opts.length >> 2, 0]), u16(0x6558), vni(200 + x.dir)]);
      return { link: eth(ETH_IPV4), ip: ip4(17), mid: Buffer.concat([udp(6081), head, opts]), inner: x.eth };
    }
    case 'geneve-ip': {
      if (ip === null) return null;
      // As AWS Gateway Load Balancer sends: the IP packet, three options of class 0x0108 (the
      // endpoint id and attachment id, 8 bytes each, and a 4-byte flow cookie).
      const opts = Buffer.concat([
        Buffer.concat([u16(0x0108), Buffer.from([0x01, 0x02]), u32(0x0a0b0c0d), u32(x.dir)]),
        Buffer.concat([u16(0x0108), Buffer.from([0x02, 0x02]), u32(0x01020304), u32(0x05060708)]),
        Buffer.concat([u16(0x0108), Buffer.from([0x03, 0x01]), u32(0x1234 + seq)]),
      ]);
      const head = Buffer.concat([Buffer.from([opts.length >> 2, 0]), u16(ipOf), vni(300)]);
      return { link: eth(ETH_IPV4), ip: ip4(17), mid: Buffer.concat([udp(6081), head, opts]), inner: ip };
    }
    case 'gre':
      if (ip === null) return null;
      // Key present (RFC 2890): one key per direction.
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: Buffer.concat([Buffer.from([0x20, 0]), u16(ipOf), u32(1000 + x.dir)]), inner: ip };
    case 'gre-teb': {
      // Checksum and key present; the checksum covers the GRE header and payload (RFC 2784 §2.5).
      const head = Buffer.concat([Buffer.from([0xa0, 0]), u16(0x6558), u32(0), u32(2000 + x.dir)]);
      head.writeUInt16BE(inetChecksum(head, x.eth), 4);
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: head, inner: x.eth };
    }
    case 'gre-mpls':
      if (ip === null) return null;
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: Buffer.concat([Buffer.from([0, 0]), u16(0x8847), mplsStack(x.dir)]), inner: ip };
    case 'erspan1':
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: Buffer.concat([Buffer.from([0, 0]), u16(0x88be)]), inner: x.eth };
    case 'erspan2': {
      // Version 1, VLAN 0, COS 0, En 3 (frame kept as it was tagged), T 0, session 1 or 2; index.
      const h = Buffer.concat([u16(0x1000), u16(0x1800 | (1 + x.dir)), u32(7)]);
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: Buffer.concat([Buffer.from([0x10, 0]), u16(0x88be), u32(seq), h]), inner: x.eth };
    }
    case 'erspan3': {
      // Version 2, session 3 or 4, a timestamp (100 ns units, granularity 1), SGT 0, P 0, FT 0 (Ethernet), HW
      // id 1, D = direction, granularity 1, O 1: then the 8-byte platform sub-header (platform
      // id 3: port index, upper timestamp word).
      const ts = Number(((BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec)) / 100n) & 0xffffffffn);
      const last = 0x10 | (x.dir << 3) | (1 << 1) | 1; // HW id low bits, D, Gra, O
      const h = Buffer.concat([u16(0x2000), u16(3 + x.dir), u32(ts), u16(0), Buffer.from([0x00, last])]);
      const platform = Buffer.concat([u32((3 << 26) | 5), u32(0)]);
      return { link: eth(ETH_IPV4), ip: ip4(47), mid: Buffer.concat([Buffer.from([0x10, 0]), u16(0x22eb), u32(seq), h, platform]), inner: x.eth };
    }
    case 'ipip':
      if (ip === null) return null;
      return { link: eth(ETH_IPV4), ip: ip4(x.ipVersion === 4 ? 4 : 41), mid: Buffer.alloc(0), inner: ip };
    case 'ip6':
      if (ip === null) return null;
      return {
        link: eth(ETH_IPV6),
        ip: { version: 6, proto: x.ipVersion === 4 ? 4 : 41, src: OUTER6[x.dir], dst: OUTER6_DST },
        mid: Buffer.alloc(0),
        inner: ip,
      };
    case 'mpls':
      if (ip === null) return null;
      return { link: Buffer.concat([eth(0x8847), mplsStack(x.dir)]), ip: null, mid: Buffer.alloc(0), inner: ip };
    case 'mpls-pw':
      // One label (bottom of stack), then the all-zero control word (RFC 4448 §3), then the frame.
      return { link: Buffer.concat([eth(0x8847), u32((16 << 12) | 0x100 | 64), u32(0)]), ip: null, mid: Buffer.alloc(0), inner: x.eth };
    case 'pppoe': {
      if (ip === null) return null;
      const len = 2 + ip.length + x.missing;
      const head = Buffer.concat([Buffer.from([0x11, 0x00]), u16(0x1234), u16(len), u16(x.ipVersion === 4 ? 0x0021 : 0x0057)]);
      return { link: Buffer.concat([eth(0x8864), head]), ip: null, mid: Buffer.alloc(0), inner: ip };
    }
  }
}

/** Two labels, the second the bottom of the stack (RFC 3032 §2.1). */
function mplsStack(dir: number): Buffer {
  return Buffer.concat([u32((100 << 12) | 64), u32(((200 + dir) << 12) | 0x100 | 64)]);
}

function ipv4Header(proto: number, src: Buffer, dst: Buffer, total: number, id: number, fragment: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(total, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE(fragment, 6);
  h[8] = 64;
  h[9] = proto;
  src.copy(h, 12);
  dst.copy(h, 16);
  h.writeUInt16BE(inetChecksum(h), 10);
  return h;
}

function ipv6Header(proto: number, src: Buffer, dst: Buffer, payload: number): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload, 4);
  h[6] = proto;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return h;
}

/** Wraps every record; the output is Ethernet whatever the input link types were. */
export function wrapRecords(records: readonly PlainRecord[], w: Wrapping, o: WrapOptions = {}): Wrapped {
  const out: HandRecord[] = [];
  const frameOf = [0];
  let unwrapped = 0;
  let ipId = 1;
  records.forEach((rec, i) => {
    const frame = i + 1;
    const t = { sec: rec.tsSec, nsec: rec.tsNsec };
    const push = (data: Buffer, orig: number): void => {
      out.push({ sec: rec.tsSec, frac: rec.tsNsec, data, orig });
      frameOf.push(frame);
    };
    const x = innerOf(rec);
    if (x === null) throw new Error(`frame ${frame}: link type ${rec.linkType} is not wrapped`);
    const outer = outerOf(w, x, i, t);
    if (outer === null) {
      unwrapped++;
      push(x.eth, x.eth.length + x.missing);
      return;
    }
    const missing = x.missing;
    let mid = outer.mid;
    if (outer.ip !== null && mid.length >= 8 && outer.ip.proto === 17) {
      // The UDP length counts the bytes on the wire (RFC 768).
      mid = Buffer.from(mid);
      mid.writeUInt16BE(mid.length + outer.inner.length + missing, 4);
    }
    const body = Buffer.concat([mid, outer.inner]);
    const wireBody = body.length + missing;
    if (outer.ip === null) {
      const data = Buffer.concat([outer.link, body]);
      push(data, data.length + missing);
      return;
    }
    const ip = outer.ip;
    if (ip.version === 6) {
      const data = Buffer.concat([outer.link, ipv6Header(ip.proto, ip.src, ip.dst, wireBody), body]);
      push(data, data.length + missing);
      return;
    }
    const id = ipId++;
    const mtu = o.fragmentMtu;
    if (mtu === undefined || 20 + wireBody <= mtu || missing > 0) {
      // DF set, as tunnel endpoints do when they can (RFC 6864 §4.1: no fragmentation meant).
      const data = Buffer.concat([outer.link, ipv4Header(ip.proto, ip.src, ip.dst, 20 + wireBody, id, 0x4000), body]);
      push(data, data.length + missing);
      return;
    }
    const step = ((mtu - 20) >> 3) << 3;
    const frags: Buffer[] = [];
    for (let at = 0; at < body.length; at += step) {
      const piece = body.subarray(at, Math.min(body.length, at + step));
      const more = at + step < body.length ? 0x2000 : 0;
      frags.push(Buffer.concat([outer.link, ipv4Header(ip.proto, ip.src, ip.dst, 20 + piece.length, id, more | (at >> 3)), piece]));
    }
    if (o.reverseFragments) frags.reverse();
    for (const f of frags) push(f, f.length);
  });
  return { records: out, frameOf, unwrapped };
}

/** The wrapped records as a nanosecond pcap file (Ethernet). */
export function wrappedPcap(w: Wrapped): Buffer {
  return pcapFile({ nano: true, linkType: 1, records: w.records });
}
