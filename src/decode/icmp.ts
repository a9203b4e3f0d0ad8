/**
 * ICMP and ICMPv6 destination unreachable messages that quote a TCP segment (RFC 792, RFC 1812
 * §5.2.7.1, RFC 4443 §3.1): the answer of a firewall that rejects (iptables REJECT and nftables
 * `reject` send port unreachable by default, `admin-prohibited` on request), of a router without a
 * route, or of a host whose address does not answer ARP/ND.
 *
 * Contract: `IcmpQuote.decode(buf, off, end, v6, senderBytes, out)` reads the ICMP message at
 * buf[off..end) in place. When it is a destination unreachable that quotes a TCP segment, it
 * returns true and fills `out` as if the QUOTED segment had been decoded (its addresses, ports
 * and sequence number: the quoted header is the one the rejecting device received), with the
 * ICMP message itself in `out.icmp*` (sender = `senderBytes`, the outer source address, copied).
 * Otherwise it returns false and leaves `out`'s TCP fields alone. Never throws, never allocates
 * per packet: the address buffers are this object's, overwritten by the next call.
 *
 * Only the first 8 bytes of the TCP header are needed (ports and sequence number), which is what
 * RFC 792 guarantees ("the internet header plus the first 64 bits of the original datagram").
 * Destination unreachable codes that are not a rejection (fragmentation needed, RFC 1191 path
 * MTU discovery; ICMPv6 packet too big is another type) are not taken.
 */
import type { Packet } from './packet.js';

export const ICMP_DEST_UNREACHABLE = 3;
export const ICMPV6_DEST_UNREACHABLE = 1;
/** ICMP type 3 code 4: "fragmentation needed and DF set", path MTU discovery (RFC 1191). */
const ICMP_FRAG_NEEDED = 4;
/** Type, code, checksum, 4 unused bytes (RFC 792; RFC 4443 §3.1). */
const ICMP_HEADER = 8;
const IPV4_MIN_HEADER = 20;
const IPV6_HEADER = 40;
/** Source port, destination port, sequence number: the first 64 bits of the TCP header. */
const TCP_QUOTE = 8;
const PROTO_TCP = 6;
/** Offset of the flags byte in the TCP header (RFC 9293 §3.1). */
const TCP_FLAGS = 13;
const V6_HOP_BY_HOP = 0;
const V6_ROUTING = 43;
const V6_DESTINATION_OPTIONS = 60;

/** Destination unreachable codes in words (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
const ICMP_CODE_WORDS: readonly string[] = [
  'network unreachable',
  'host unreachable',
  'protocol unreachable',
  'port unreachable',
  'fragmentation needed',
  'source route failed',
  'destination network unknown',
  'destination host unknown',
  'source host isolated',
  'network administratively prohibited',
  'host administratively prohibited',
  'network unreachable for type of service',
  'host unreachable for type of service',
  'administratively prohibited',
  'host precedence violation',
  'precedence cutoff in effect',
];

/** ICMPv6 destination unreachable codes in words (RFC 4443 §3.1, RFC 6550 §20.17 code 7). */
const ICMPV6_CODE_WORDS: readonly string[] = [
  'no route to destination',
  'administratively prohibited',
  'beyond scope of source address',
  'address unreachable',
  'port unreachable',
  'source address failed ingress/egress policy',
  'reject route to destination',
  'error in source routing header',
];

/** "ICMP administratively prohibited", "ICMPv6 port unreachable", "ICMP type 3 code 99". */
export function icmpCodeText(version: 4 | 6, code: number): string {
  const words = (version === 6 ? ICMPV6_CODE_WORDS : ICMP_CODE_WORDS)[code];
  const proto = version === 6 ? 'ICMPv6' : 'ICMP';
  return words === undefined ? `${proto} destination unreachable code ${code}` : `${proto} ${words}`;
}

export class IcmpQuote {
  private readonly sender4 = Buffer.alloc(4);
  private readonly sender6 = Buffer.alloc(16);
  private readonly src4 = Buffer.alloc(4);
  private readonly dst4 = Buffer.alloc(4);
  private readonly src6 = Buffer.alloc(16);
  private readonly dst6 = Buffer.alloc(16);

  decode(buf: Buffer, off: number, end: number, v6: boolean, senderBytes: Buffer, out: Packet): boolean {
    if (end - off < ICMP_HEADER) return false;
    const type = buf[off];
    const code = buf[off + 1];
    if (v6 ? type !== ICMPV6_DEST_UNREACHABLE : type !== ICMP_DEST_UNREACHABLE || code === ICMP_FRAG_NEEDED) return false;
    const sender = v6 ? this.sender6 : this.sender4;
    if (senderBytes.length !== sender.length) return false;
    const q = off + ICMP_HEADER;
    const tcp = v6 ? this.quoted6(buf, q, end, out) : this.quoted4(buf, q, end, out);
    if (tcp < 0) return false;
    senderBytes.copy(sender);
    out.ipVersion = v6 ? 6 : 4;
    out.srcPort = (buf[tcp] << 8) | buf[tcp + 1];
    out.dstPort = (buf[tcp + 2] << 8) | buf[tcp + 3];
    out.seq = buf[tcp + 4] * 0x1000000 + ((buf[tcp + 5] << 16) | (buf[tcp + 6] << 8) | buf[tcp + 7]);
    out.ack = 0;
    // Linux quotes the whole segment (RFC 1812 §4.3.2.3: as much as fits in 576 bytes): the flags
    // then show a quoted SYN, evidence of the SYN even where the capture lost it. 0 when cut.
    out.flags = end - tcp >= TCP_FLAGS + 1 ? buf[tcp + TCP_FLAGS] : 0;
    out.payloadOff = end;
    out.payloadLength = 0;
    out.payloadWireLength = 0;
    out.icmpQuote = true;
    out.icmpType = type;
    out.icmpCode = code;
    out.icmpSender = sender;
    return true;
  }

  /** The quoted IPv4 header at buf[q]: the offset of its TCP header's first 8 bytes, or -1. */
  private quoted4(buf: Buffer, q: number, end: number, out: Packet): number {
    if (end - q < IPV4_MIN_HEADER || buf[q] >> 4 !== 4) return -1;
    const hl = (buf[q] & 0x0f) << 2;
    // Only a first fragment (offset 0) holds the TCP header.
    if (hl < IPV4_MIN_HEADER || buf[q + 9] !== PROTO_TCP || (((buf[q + 6] << 8) | buf[q + 7]) & 0x1fff) !== 0) return -1;
    if (end - q < hl + TCP_QUOTE) return -1;
    const s = this.src4;
    const d = this.dst4;
    for (let i = 0; i < 4; i++) {
      s[i] = buf[q + 12 + i];
      d[i] = buf[q + 16 + i];
    }
    out.src = s;
    out.dst = d;
    out.src4 = s.readUInt32BE(0);
    out.dst4 = d.readUInt32BE(0);
    out.protocol = PROTO_TCP;
    return q + hl;
  }

  /** The quoted IPv6 header at buf[q], through hop-by-hop, routing and destination options
   * headers (RFC 8200 §4): the offset of the TCP header's first 8 bytes, or -1. */
  private quoted6(buf: Buffer, q: number, end: number, out: Packet): number {
    if (end - q < IPV6_HEADER || buf[q] >> 4 !== 6) return -1;
    let nh = buf[q + 6];
    let t = q + IPV6_HEADER;
    while (nh === V6_HOP_BY_HOP || nh === V6_ROUTING || nh === V6_DESTINATION_OPTIONS) {
      if (end - t < 2) return -1;
      nh = buf[t];
      t += (buf[t + 1] + 1) << 3;
    }
    if (nh !== PROTO_TCP || end - t < TCP_QUOTE) return -1;
    buf.copy(this.src6, 0, q + 8, q + 24);
    buf.copy(this.dst6, 0, q + 24, q + 40);
    out.src = this.src6;
    out.dst = this.dst6;
    out.src4 = 0;
    out.dst4 = 0;
    out.protocol = PROTO_TCP;
    return t;
  }
}
