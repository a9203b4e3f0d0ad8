/**
 * Tunnel headers: what mirrored and overlay traffic arrives wrapped in (docs/design.md §2.2). Each
 * parser checks one header at buf[off..end) (end = end of the captured bytes) once, and fills a
 * reused TunnelHeader with where the inner packet starts and what it is; it returns OK, a Reason
 * (the header is damaged: the packet is malformed) or NOT_THIS (the bytes are not this
 * encapsulation after all, e.g. UDP to port 4789 without the VXLAN I flag: plain UDP).
 *
 * The decoder (src/decode/index.ts) walks on from there; the outer layers leave nothing in the
 * Packet but a bit in `tunnels` and a count per encapsulation: the inner packet is the packet, so
 * outer headers that differ between directions (two mirror sessions, other VNIs or outer
 * addresses) cannot split one inner connection. Nesting is bounded by MAX_TUNNEL_DEPTH.
 */
import { Reason } from './reasons.js';

export const OK = -1;
export const NOT_THIS = -2;

/** Encapsulations counted by the decoder (`info`), by bit in Packet.tunnels. */
export const Encap = {
  /** RFC 7348, UDP 4789 (and 8472, the Linux kernel's default before IANA assigned 4789). */
  vxlan: 0,
  /** RFC 8926, UDP 6081 (AWS Gateway Load Balancer, OVN). */
  geneve: 1,
  /** RFC 2784/2890 GRE, any payload (ERSPAN is counted as well, under its type). */
  gre: 2,
  /** Cisco ERSPAN type I: GRE 0x88BE without a sequence number and without ERSPAN header. */
  'erspan-1': 3,
  /** ERSPAN type II: GRE 0x88BE with a sequence number and an 8-byte header (version 1). */
  'erspan-2': 4,
  /** ERSPAN type III: GRE 0x22EB, 12-byte header (version 2), optional 8-byte platform header. */
  'erspan-3': 5,
  /** IPv4 in IPv4 (RFC 2003, protocol 4). */
  ipip: 6,
  /** IPv6 in IPv4 (RFC 4213 6in4, protocol 41). */
  '6in4': 7,
  /** IPv4 in IPv6 (RFC 2473, next header 4). */
  '4in6': 8,
  /** IPv6 in IPv6 (RFC 2473, next header 41). */
  '6in6': 9,
  /** MPLS label stack (RFC 3032). */
  mpls: 10,
  /** PPPoE session (RFC 2516). */
  pppoe: 11,
} as const;
export type EncapName = keyof typeof Encap;
export const ENCAP_NAMES: readonly EncapName[] = (Object.keys(Encap) as EncapName[]).sort((a, b) => Encap[a] - Encap[b]);
export const ENCAP_COUNT = ENCAP_NAMES.length;

/** Names of the bits set in a Packet's `tunnels`, outermost encapsulation order not kept. */
export function encapNames(bits: number): EncapName[] {
  const out: EncapName[] = [];
  for (let i = 0; i < ENCAP_COUNT; i++) if (bits & (1 << i)) out.push(ENCAP_NAMES[i]);
  return out;
}

/** What follows a tunnel header. */
export const Inner = {
  /** An Ethernet frame (VXLAN, Geneve/GRE 0x6558, ERSPAN). */
  ETHERNET: 0,
  /** What `etherType` names (IPv4, IPv6, MPLS...). */
  ETHERTYPE: 1,
  /** An IP packet whose version nibble tells which (ERSPAN III frame type IP). */
  IP: 2,
} as const;
export type Inner = (typeof Inner)[keyof typeof Inner];

/** Filled in place by the parsers below. */
export class TunnelHeader {
  /** Offset of the inner packet. */
  off = 0;
  inner: Inner = Inner.ETHERNET;
  etherType = 0;
  /** The ERSPAN type, when the GRE header carried one (else -1): its Encap value. */
  erspan = -1;
}

// UDP destination ports.
export const VXLAN_PORT = 4789;
export const VXLAN_LINUX_PORT = 8472;
export const GENEVE_PORT = 6081;

/** EtherType of transparent Ethernet bridging (GRE and Geneve carrying Ethernet frames). */
export const ETHERTYPE_TEB = 0x6558;
export const ETHERTYPE_ERSPAN_1_2 = 0x88be;
export const ETHERTYPE_ERSPAN_3 = 0x22eb;

export const VXLAN_HEADER = 8;
const VXLAN_FLAG_I = 0x08;

/** VXLAN (RFC 7348 §5): flags (I = a valid VNI), 3 reserved, VNI (3), 1 reserved; then Ethernet. */
export function parseVxlan(buf: Buffer, off: number, end: number, h: TunnelHeader): number {
  if (end - off < VXLAN_HEADER) return Reason['vxlan-truncated'];
  if ((buf[off] & VXLAN_FLAG_I) === 0) return NOT_THIS;
  h.off = off + VXLAN_HEADER;
  h.inner = Inner.ETHERNET;
  h.erspan = -1;
  return OK;
}

export const GENEVE_HEADER = 8;

/** Geneve (RFC 8926 §3.4): version (2) and option length (6, in 4-byte units), flags, protocol
 * type, VNI (3), reserved; then the options, skipped by their total length. */
export function parseGeneve(buf: Buffer, off: number, end: number, h: TunnelHeader): number {
  if (end - off < GENEVE_HEADER) return Reason['geneve-truncated'];
  // Only version 0 exists; another version may lay out its header otherwise (§3.4).
  if (buf[off] >> 6 !== 0) return NOT_THIS;
  const len = GENEVE_HEADER + ((buf[off] & 0x3f) << 2);
  if (end - off < len) return Reason['geneve-truncated'];
  const pt = (buf[off + 2] << 8) | buf[off + 3];
  h.off = off + len;
  h.erspan = -1;
  if (pt === ETHERTYPE_TEB) h.inner = Inner.ETHERNET;
  else {
    h.inner = Inner.ETHERTYPE;
    h.etherType = pt;
  }
  return OK;
}

export const GRE_HEADER = 4;
const GRE_C = 0x80; // checksum present (RFC 2784 §2.5)
const GRE_R = 0x40; // routing present (RFC 1701, deprecated by RFC 2784)
const GRE_K = 0x20; // key present (RFC 2890 §2.1)
const GRE_S = 0x10; // sequence number present (RFC 2890 §2.2)
const GRE_VERSION = 0x07;
export const ERSPAN_2_HEADER = 8;
export const ERSPAN_3_HEADER = 12;
/** ERSPAN III's optional platform-specific sub-header, present when the O bit is set. */
export const ERSPAN_3_PLATFORM = 8;

/**
 * GRE (RFC 2784 §2, RFC 2890 keys and sequence numbers): flags and version, protocol type, then
 * checksum + reserved (C; or RFC 1701's offset when R), key (K), sequence number (S). Version 1
 * (PPTP's enhanced GRE) and RFC 1701 source routing are not decoded.
 *
 * ERSPAN (draft-foschiano-erspan-03, as Cisco, Arista and Linux send it) rides on GRE:
 *  - type I: protocol 0x88BE with no sequence number, the mirrored frame right after GRE;
 *  - type II: 0x88BE with a sequence number, an 8-byte header (version 1), then the frame;
 *  - type III: 0x22EB, a 12-byte header (version 2; an 8-byte platform sub-header follows when
 *    its O bit is set), then an Ethernet frame (frame type 0) or an IP packet (frame type 2).
 */
export function parseGre(buf: Buffer, off: number, end: number, h: TunnelHeader): number {
  if (end - off < GRE_HEADER) return Reason['gre-truncated'];
  const flags = buf[off];
  // Not decoded: counted as other IP, like any protocol the decoder does not follow.
  if ((buf[off + 1] & GRE_VERSION) !== 0 || (flags & GRE_R) !== 0) return NOT_THIS;
  const pt = (buf[off + 2] << 8) | buf[off + 3];
  let len = GRE_HEADER;
  if (flags & GRE_C) len += 4;
  if (flags & GRE_K) len += 4;
  if (flags & GRE_S) len += 4;
  if (end - off < len) return Reason['gre-truncated'];
  let p = off + len;
  h.erspan = -1;
  if (pt === ETHERTYPE_TEB) {
    h.inner = Inner.ETHERNET;
  } else if (pt === ETHERTYPE_ERSPAN_1_2) {
    h.inner = Inner.ETHERNET;
    if ((flags & GRE_S) === 0) h.erspan = Encap['erspan-1'];
    else {
      if (end - p < ERSPAN_2_HEADER) return Reason['erspan-truncated'];
      if (buf[p] >> 4 !== 1) return Reason['erspan-bad-version'];
      h.erspan = Encap['erspan-2'];
      p += ERSPAN_2_HEADER;
    }
  } else if (pt === ETHERTYPE_ERSPAN_3) {
    if (end - p < ERSPAN_3_HEADER) return Reason['erspan-truncated'];
    if (buf[p] >> 4 !== 2) return Reason['erspan-bad-version'];
    const last = buf[p + 11];
    const frameType = (buf[p + 10] >> 2) & 0x1f;
    p += ERSPAN_3_HEADER;
    if (last & 0x01) {
      if (end - p < ERSPAN_3_PLATFORM) return Reason['erspan-truncated'];
      p += ERSPAN_3_PLATFORM;
    }
    h.erspan = Encap['erspan-3'];
    if (frameType === 0) h.inner = Inner.ETHERNET;
    else if (frameType === 2) h.inner = Inner.IP;
    else return NOT_THIS;
  } else {
    h.inner = Inner.ETHERTYPE;
    h.etherType = pt;
  }
  h.off = p;
  return OK;
}
