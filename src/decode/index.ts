/**
 * Decode stage (docs/design.md §2, stage 2): link layer → IPv4/IPv6 → TCP, filling a reused Packet.
 *
 * Lifecycle: one Decoder per analysis (it holds the fragment reassembly state and the counters);
 * `decode(rec, out)` once per capture record, in capture order; `finish()` once at the end.
 * `out` is reset and filled in place; its byte views (`buf`, `src`, `dst`) are valid until the
 * next `decode()` call: `buf` is the reader's chunk (offsets are absolute within it) or, for a
 * reassembled datagram, a buffer the decoder made; `src`/`dst` are the decoder's own 4- or
 * 16-byte buffers, overwritten per packet (copying 4 bytes costs less than a subarray view).
 *
 * Never throws on packet bytes: what cannot be decoded is counted under a stable reason
 * (src/decode/reasons.ts) and reported as a DecodeStatus.
 */
import type { CaptureRecord } from '../capture/record.js';
import { LinkType } from '../capture/record.js';
import { addressKey } from './address.js';
import {
  ETHERNET_HEADER,
  ETHERTYPE_OFFSET,
  EtherType,
  LLC_SNAP_HEADER,
  MIN_ETHERTYPE,
  VLAN_ID_MASK,
  VLAN_TAG,
  isRfc1042Snap,
  isVlanTag,
} from './ethernet.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentReassembler, type FragmentLimits } from './fragments.js';
import { IcmpQuote } from './icmp.js';
import { IPV4_MF, IPV4_OFFSET_MASK, Ipv4View, OK } from './ipv4.js';
import { IPV6_FRAGMENT_HEADER, IPV6_HEADER, Ipv6Next, Ipv6View, LITTLE_ENDIAN_HOST, copyIpv6Addresses } from './ipv6.js';
import { LOOPBACK_HEADER, familyIpVersion, nullFamily } from './loopback.js';
import { DecodeStatus, type Packet } from './packet.js';
import { Reason } from './reasons.js';
import { LinkDecoder } from './link.js';
import { SLL2_HEADER, SLL2_PROTOCOL_OFFSET, SLL_HEADER, SLL_PROTOCOL_OFFSET } from './sll.js';
import { TCP_MIN_HEADER, TcpView, i32 } from './tcp.js';
import {
  Encap,
  GENEVE_PORT,
  Inner,
  NOT_THIS,
  OK as TUNNEL_OK,
  TunnelHeader,
  VXLAN_LINUX_PORT,
  VXLAN_PORT,
  parseGeneve,
  parseGre,
  parseVxlan,
} from './tunnel.js';
import { MAX_TUNNEL_DEPTH } from '../limits.js';

export { DecodeStatus, TcpFlag, newPacket, STATUS_NAMES, type Packet, type StatusName } from './packet.js';
export { Reason, REASON_NAMES, reasonKind, type ReasonKind, type ReasonName } from './reasons.js';
export { parseTcpOptions, packetTcpOptions, type TcpOptions, type SackBlock } from './tcp.js';
export { formatIp, formatIpv4, parseIp, addressKey } from './address.js';
export { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits } from './fragments.js';
export { ENCAP_NAMES, Encap, encapNames, type EncapName } from './tunnel.js';
export { icmpCodeText } from './icmp.js';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
/** IP-in-IP: IPv4 (RFC 2003) and IPv6 (RFC 4213, RFC 2473) as the payload of IPv4 or IPv6. */
const PROTO_IPV4 = 4;
const PROTO_IPV6 = 41;
/** GRE (RFC 2784). */
const PROTO_GRE = 47;
const UDP_HEADER = 8;

export interface DecoderOptions {
  /** Fragment reassembly bounds; defaults from src/limits.ts. */
  fragments?: Partial<FragmentLimits>;
  /** UDP destination ports decoded as VXLAN: default 4789 (IANA, RFC 7348: AWS VPC Traffic
   * Mirroring, Azure virtual network TAP, Open vSwitch) and 8472 (the Linux kernel's default for a
   * `vxlan` device created without `dstport`, and Flannel's: iproute2 warns it is non-standard,
   * but it is what such hosts send). */
  vxlanPorts?: readonly number[];
}

/** See DecoderOptions.vxlanPorts. */
export const DEFAULT_VXLAN_PORTS: readonly number[] = [VXLAN_PORT, VXLAN_LINUX_PORT];

export class Decoder extends LinkDecoder {
  private readonly frags: FragmentReassembler;
  private readonly v4 = new Ipv4View();
  private readonly v6 = new Ipv6View();
  private readonly tcpView = new TcpView();
  private readonly tunnel = new TunnelHeader();
  /** UDP destination ports decoded as VXLAN, as a bitmap over the 65536 ports. */
  private readonly vxlanPorts = new Uint8Array(65536);
  /** Encapsulations entered for the current record (bounded by MAX_TUNNEL_DEPTH). */
  private depth = 0;
  private readonly icmp = new IcmpQuote();
  // Address buffers handed out as Packet.src/dst (see the module comment).
  private readonly src4 = Buffer.alloc(4);
  private readonly dst4 = Buffer.alloc(4);
  // Both IPv6 addresses live in one 32-byte block, written as eight 32-bit words (see ipv6()).
  private readonly words6 = new Int32Array(8);
  private readonly src6 = Buffer.from(this.words6.buffer, 0, 16);
  private readonly dst6 = Buffer.from(this.words6.buffer, 16, 16);
  private static readonly EMPTY = Buffer.alloc(0);
  /** The record being decoded: its time is read only when a fragment needs it. */
  private rec: CaptureRecord | undefined;

  constructor(options: DecoderOptions = {}) {
    super();
    this.frags = new FragmentReassembler({ ...DEFAULT_FRAGMENT_LIMITS, ...options.fragments }, this.counts);
    for (const port of options.vxlanPorts ?? DEFAULT_VXLAN_PORTS) this.vxlanPorts[port & 0xffff] = 1;
  }

  /** Decodes one record into `out` (reset first) and counts the outcome. */
  decode(rec: CaptureRecord, out: Packet): DecodeStatus {
    const status = this.decodeRecord(rec, out);
    this.statusCounts[status]++;
    // Counted once the packet is whole: an outer fragment held for reassembly is not yet one.
    const t = out.tunnels;
    if (t !== 0 && status !== DecodeStatus.FRAGMENT_PENDING) this.countTunnels(t);
    return status;
  }

  /** End of capture: datagrams still waiting for fragments are counted and freed. */
  finish(): void {
    this.frags.finish();
  }

  private decodeRecord(rec: CaptureRecord, out: Packet): DecodeStatus {
    const buf = rec.buf;
    let off = rec.offset;
    // A record claiming more bytes than its chunk holds would make the loopback family read
    // throw; the reader never hands one over, but the decoder does not rely on it.
    const end = Math.min(off + rec.capturedLength, buf.length);
    // The wire length can only be longer than what was captured; a writer that says otherwise
    // is not trusted over the bytes present.
    const wireEnd = rec.originalLength > rec.capturedLength ? off + rec.originalLength : end;
    this.rec = rec;

    out.tsSec = rec.tsSec;
    out.tsNsec = rec.tsNsec;
    out.frame = rec.frame;
    out.linkType = rec.linkType;
    // Setting an array's length is a slow runtime call (~50 ns, measured); pop() is inlined.
    const ids = out.vlanIds;
    while (ids.length !== 0) ids.pop();
    out.tunnels = 0;
    this.depth = 0;
    out.ipVersion = 0;
    out.src = Decoder.EMPTY;
    out.dst = Decoder.EMPTY;
    out.src4 = 0;
    out.dst4 = 0;
    out.protocol = 0;
    out.reassembled = false;
    out.srcPort = 0;
    out.dstPort = 0;
    out.seq = 0;
    out.ack = 0;
    out.flags = 0;
    out.window = 0;
    out.tcpOff = 0;
    out.tcpHeaderLength = 0;
    out.buf = buf;
    out.payloadOff = 0;
    out.payloadLength = 0;
    out.payloadWireLength = 0;
    out.capEnd = end;
    out.icmpQuote = false;

    let et: number;
    switch (rec.linkType) {
      case LinkType.ETHERNET:
        if (end - off < ETHERNET_HEADER) return this.bad(Reason['ethernet-truncated']);
        et = (buf[off + ETHERTYPE_OFFSET] << 8) | buf[off + ETHERTYPE_OFFSET + 1];
        off += ETHERNET_HEADER;
        if (et < MIN_ETHERTYPE) {
          // IEEE 802.3 length field: IP only inside an RFC 1042 LLC/SNAP header.
          if (end - off < LLC_SNAP_HEADER || !isRfc1042Snap(buf, off)) return DecodeStatus.NON_IP;
          et = (buf[off + 6] << 8) | buf[off + 7];
          off += LLC_SNAP_HEADER;
        }
        break;
      case LinkType.LINUX_SLL:
        if (end - off < SLL_HEADER) return this.bad(Reason['sll-truncated']);
        et = (buf[off + SLL_PROTOCOL_OFFSET] << 8) | buf[off + SLL_PROTOCOL_OFFSET + 1];
        off += SLL_HEADER;
        break;
      case LinkType.LINUX_SLL2:
        if (end - off < SLL2_HEADER) return this.bad(Reason['sll2-truncated']);
        et = (buf[off + SLL2_PROTOCOL_OFFSET] << 8) | buf[off + SLL2_PROTOCOL_OFFSET + 1];
        off += SLL2_HEADER;
        break;
      case LinkType.NULL:
      case LinkType.LOOP: {
        if (end - off < LOOPBACK_HEADER) return this.bad(Reason['loopback-truncated']);
        const family = rec.linkType === LinkType.NULL ? nullFamily(buf, off) : buf.readUInt32BE(off);
        const v = familyIpVersion(family);
        off += LOOPBACK_HEADER;
        if (v === 4) return this.ipv4(buf, off, end, wireEnd, out);
        if (v === 6) return this.ipv6(buf, off, end, wireEnd, out);
        return DecodeStatus.NON_IP;
      }
      case LinkType.RAW: {
        const v = end > off ? buf[off] >> 4 : 0;
        if (v === 4) return this.ipv4(buf, off, end, wireEnd, out);
        if (v === 6) return this.ipv6(buf, off, end, wireEnd, out);
        return this.bad(Reason['raw-bad-version']);
      }
      case LinkType.IPV4:
        return this.ipv4(buf, off, end, wireEnd, out);
      case LinkType.IPV6:
        return this.ipv6(buf, off, end, wireEnd, out);
      default:
        this.unsupported.set(rec.linkType, (this.unsupported.get(rec.linkType) ?? 0) + 1);
        return DecodeStatus.UNSUPPORTED_LINK;
    }

    // EtherType dispatch, shared by Ethernet and both cooked headers. Tags stack to any depth
    // (802.1ad S-tag, then C-tags); the loop ends because each tag consumes 4 captured bytes.
    // IPv4, IPv6 and tags are handled here inline, so the plain packet's path has no extra
    // call; etherType() (link.ts) has the whole dispatch, for tunnels and PPPoE/MPLS.
    for (;;) {
      if (et === EtherType.IPV4) return this.ipv4(buf, off, end, wireEnd, out);
      if (et === EtherType.IPV6) return this.ipv6(buf, off, end, wireEnd, out);
      if (isVlanTag(et)) {
        if (end - off < VLAN_TAG) return this.bad(Reason['vlan-truncated']);
        out.vlanIds.push(((buf[off] << 8) | buf[off + 1]) & VLAN_ID_MASK);
        et = (buf[off + 2] << 8) | buf[off + 3];
        off += VLAN_TAG;
        continue;
      }
      return this.etherType(et, buf, off, end, wireEnd, out);
    }
  }

  /** IPv4 header at buf[off..end) (captured) / wireEnd (on the wire, past end when snap-cut). */
  protected override ipv4(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    const v = this.v4;
    const r = v.reset(buf, off, end);
    if (r !== OK) return this.bad(r);
    const hl = v.headerLength;
    let total = v.totalLength;
    const wireAvail = wireEnd - off;
    if (total === 0) {
      // Sends captured before TCP segmentation offload carry 0 here (Wireshark's "TSO support").
      this.counts[Reason['ipv4-zero-total-length']]++;
      total = wireAvail;
    } else if (total < hl) {
      return this.bad(Reason['ipv4-bad-total-length']);
    } else if (total > wireAvail) {
      this.counts[Reason['ipv4-total-length-exceeds-frame']]++;
      total = wireAvail;
    }

    out.ipVersion = 4;
    // Read as int32 (see i32), stored unsigned.
    const s4 = i32(buf, v.srcOffset);
    const d4 = i32(buf, v.dstOffset);
    out.src4 = s4 >>> 0;
    out.dst4 = d4 >>> 0;
    const sb = this.src4;
    sb[0] = s4 >>> 24;
    sb[1] = s4 >>> 16;
    sb[2] = s4 >>> 8;
    sb[3] = s4;
    const db = this.dst4;
    db[0] = d4 >>> 24;
    db[1] = d4 >>> 16;
    db[2] = d4 >>> 8;
    db[3] = d4;
    out.src = sb;
    out.dst = db;
    const proto = v.protocol;
    out.protocol = proto;

    const payOff = off + hl;
    const payWireEnd = off + total;
    // Ethernet pads short frames to 60 bytes: bytes past the total length are not the packet's.
    const payEnd = end < payWireEnd ? end : payWireEnd;
    const ff = v.flagsFragment;
    if ((ff & (IPV4_MF | IPV4_OFFSET_MASK)) === 0) {
      return this.transport(proto, buf, payOff, payEnd, payWireEnd, out);
    }

    // A fragment (RFC 791 §3.2): every fragment repeats src, dst, protocol and id.
    if (payEnd < payWireEnd) return this.bad(Reason['frag-snap-cut']);
    const key = `4:${s4}:${d4}:${proto}:${v.identification}`;
    const whole = this.frags.add(
      key,
      this.now(),
      (ff & IPV4_OFFSET_MASK) << 3,
      buf,
      payOff,
      payWireEnd - payOff,
      (ff & IPV4_MF) === 0,
      proto,
      this.rec?.frame ?? 0,
    );
    if (whole === null) return this.frags.rejected ? DecodeStatus.MALFORMED : DecodeStatus.FRAGMENT_PENDING;
    out.reassembled = true;
    out.fragmentFrames = this.frags.frames;
    out.buf = whole;
    return this.transport(proto, whole, 0, whole.length, whole.length, out);
  }

  protected override ipv6(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    const v = this.v6;
    const r = v.reset(buf, off, end);
    if (r !== OK) return this.bad(r);
    let plen = v.payloadLength;
    const nh = v.nextHeader;
    const wireAvail = wireEnd - off - IPV6_HEADER;
    if (plen === 0) {
      if (wireAvail > 0 && nh !== Ipv6Next.NO_NEXT_HEADER) {
        // A jumbogram (RFC 2675 §2), or Linux BIG TCP / TSO sends captured before
        // segmentation: the real length is the frame's.
        this.counts[Reason['ipv6-zero-payload-length']]++;
        plen = wireAvail;
      }
    } else if (plen > wireAvail) {
      this.counts[Reason['ipv6-payload-length-exceeds-frame']]++;
      plen = wireAvail;
    }

    out.ipVersion = 6;
    // An IPv6 packet inside an IPv4 tunnel: the outer numeric addresses are not this packet's.
    out.src4 = 0;
    out.dst4 = 0;
    copyIpv6Addresses(buf, v.srcOffset, this.words6, LITTLE_ENDIAN_HOST);
    out.src = this.src6;
    out.dst = this.dst6;

    const payOff = off + IPV6_HEADER;
    const payWireEnd = payOff + plen;
    const payEnd = end < payWireEnd ? end : payWireEnd;
    return this.ipv6Chain(nh, buf, payOff, payEnd, payWireEnd, out);
  }

  /** Walks the extension headers (RFC 8200 §4) from `nh` at buf[off] to the transport. */
  private ipv6Chain(
    nh: number,
    buf: Buffer,
    off: number,
    end: number,
    wireEnd: number,
    out: Packet,
  ): DecodeStatus {
    let first = true;
    // A second fragment header in the datagram it reassembled (a tunnelled datagram has its own).
    let reassembled = false;
    for (;;) {
      if (
        nh === Ipv6Next.HOP_BY_HOP ||
        nh === Ipv6Next.ROUTING ||
        nh === Ipv6Next.DESTINATION_OPTIONS ||
        nh === Ipv6Next.AH
      ) {
        // Hop-by-hop is only allowed right after the fixed header (RFC 8200 §4.1).
        if (nh === Ipv6Next.HOP_BY_HOP && !first) return this.bad(Reason['ipv6-bad-extension-header']);
        if (wireEnd - off < 2) return this.bad(Reason['ipv6-bad-extension-header']);
        if (end - off < 2) return this.bad(Reason['ipv6-extension-header-snap-cut']);
        // Lengths in 8-byte units not counting the first 8; AH in 4-byte units minus 2.
        const len = nh === Ipv6Next.AH ? (buf[off + 1] + 2) << 2 : (buf[off + 1] + 1) << 3;
        if (len > wireEnd - off) return this.bad(Reason['ipv6-bad-extension-header']);
        if (len > end - off) return this.bad(Reason['ipv6-extension-header-snap-cut']);
        nh = buf[off];
        off += len;
        first = false;
        continue;
      }
      if (nh === Ipv6Next.FRAGMENT) {
        if (wireEnd - off < IPV6_FRAGMENT_HEADER || reassembled) {
          return this.bad(Reason['ipv6-bad-extension-header']);
        }
        if (end - off < IPV6_FRAGMENT_HEADER) return this.bad(Reason['ipv6-extension-header-snap-cut']);
        const fragNext = buf[off];
        const fo = (buf[off + 2] << 8) | buf[off + 3];
        const start = fo & 0xfff8;
        const more = (fo & 1) !== 0;
        first = false;
        if (start === 0 && !more) {
          // An atomic fragment (RFC 6946): the whole packet, processed as if unfragmented.
          nh = fragNext;
          off += IPV6_FRAGMENT_HEADER;
          continue;
        }
        if (end < wireEnd) return this.bad(Reason['frag-snap-cut']);
        const key = `6:${addressKey(out.src)}${addressKey(out.dst)}:${buf.readUInt32BE(off + 4)}`;
        const dataOff = off + IPV6_FRAGMENT_HEADER;
        const whole = this.frags.add(key, this.now(), start, buf, dataOff, wireEnd - dataOff, !more, fragNext, this.rec?.frame ?? 0);
        if (whole === null) return this.frags.rejected ? DecodeStatus.MALFORMED : DecodeStatus.FRAGMENT_PENDING;
        out.reassembled = true;
        out.fragmentFrames = this.frags.frames;
        reassembled = true;
        out.buf = whole;
        buf = whole;
        off = 0;
        end = wireEnd = whole.length;
        nh = this.frags.nextHeader;
        continue;
      }
      if (nh === Ipv6Next.NO_NEXT_HEADER) {
        out.protocol = nh;
        return DecodeStatus.OTHER_IP;
      }
      return this.transport(nh, buf, off, end, wireEnd, out);
    }
  }

  /** The transport header at buf[off..end) (captured) / wireEnd (its length on the wire). */
  private transport(
    proto: number,
    buf: Buffer,
    off: number,
    end: number,
    wireEnd: number,
    out: Packet,
  ): DecodeStatus {
    out.protocol = proto;
    out.capEnd = end;
    if (proto === PROTO_TCP) return this.tcp(buf, off, end, wireEnd, out);
    return this.notTcp(proto, buf, off, end, wireEnd, out);
  }

  /** Every transport but TCP, out of line so that the TCP path stays small enough to inline. */
  private notTcp(proto: number, buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    if (proto === PROTO_UDP) {
      // Ports only, for `info`; nothing downstream reads UDP payloads but the tunnels'.
      if (end - off >= UDP_HEADER) {
        const dport = (buf[off + 2] << 8) | buf[off + 3];
        if (this.vxlanPorts[dport] === 1 || dport === GENEVE_PORT) {
          const st = this.udpTunnel(dport, buf, off + UDP_HEADER, end, wireEnd, out);
          if (st !== -1) return st;
        }
        out.srcPort = (buf[off] << 8) | buf[off + 1];
        out.dstPort = dport;
        out.payloadOff = off + UDP_HEADER;
        out.payloadLength = end - off - UDP_HEADER;
        out.payloadWireLength = wireEnd - off - UDP_HEADER;
      }
      return DecodeStatus.UDP;
    }
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      // A destination unreachable quoting a TCP segment becomes that segment (icmp.ts).
      this.icmp.decode(buf, off, end, proto === PROTO_ICMPV6, out.src, out);
      return DecodeStatus.ICMP;
    }
    if (proto === PROTO_GRE || proto === PROTO_IPV4 || proto === PROTO_IPV6) {
      return this.ipTunnel(proto, buf, off, end, wireEnd, out);
    }
    return DecodeStatus.OTHER_IP;
  }

  /**
   * Counts one more encapsulation for this packet and clears what the outer layers left in `out`
   * (the inner IP layer sets its own). False when MAX_TUNNEL_DEPTH is reached.
   */
  protected override enter(kind: number, out: Packet): boolean {
    if (++this.depth > MAX_TUNNEL_DEPTH) return false;
    out.tunnels |= 1 << kind;
    out.ipVersion = 0;
    out.src = Decoder.EMPTY;
    out.dst = Decoder.EMPTY;
    out.src4 = 0;
    out.dst4 = 0;
    out.protocol = 0;
    return true;
  }

  /** VXLAN or Geneve at buf[off] (after the UDP header); -1 when the bytes are not that
   * encapsulation (the caller then reports plain UDP). */
  private udpTunnel(dport: number, buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus | -1 {
    const h = this.tunnel;
    const geneve = dport === GENEVE_PORT;
    const r = geneve ? parseGeneve(buf, off, end, h) : parseVxlan(buf, off, end, h);
    if (r === NOT_THIS) return -1;
    if (r !== TUNNEL_OK) return this.bad(r);
    if (!this.enter(geneve ? Encap.geneve : Encap.vxlan, out)) return this.bad(Reason['tunnel-too-deep']);
    return this.inner(buf, end, wireEnd, out);
  }

  /** GRE (with ERSPAN) and IP-in-IP: the IP payload at buf[off..end). */
  private ipTunnel(proto: number, buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    const outerV6 = out.ipVersion === 6;
    if (proto === PROTO_GRE) {
      const h = this.tunnel;
      const r = parseGre(buf, off, end, h);
      if (r === NOT_THIS) return DecodeStatus.OTHER_IP;
      if (r !== TUNNEL_OK) return this.bad(r);
      if (!this.enter(Encap.gre, out)) return this.bad(Reason['tunnel-too-deep']);
      if (h.erspan >= 0) out.tunnels |= 1 << h.erspan;
      return this.inner(buf, end, wireEnd, out);
    }
    const kind =
      proto === PROTO_IPV4 ? (outerV6 ? Encap['4in6'] : Encap.ipip) : outerV6 ? Encap['6in6'] : Encap['6in4'];
    if (!this.enter(kind, out)) return this.bad(Reason['tunnel-too-deep']);
    return proto === PROTO_IPV4 ? this.ipv4(buf, off, end, wireEnd, out) : this.ipv6(buf, off, end, wireEnd, out);
  }

  /** The inner packet a tunnel parser described in `this.tunnel`. */
  private inner(buf: Buffer, end: number, wireEnd: number, out: Packet): DecodeStatus {
    const h = this.tunnel;
    const off = h.off;
    if (h.inner === Inner.ETHERNET) return this.ethernet(buf, off, end, wireEnd, out);
    if (h.inner === Inner.ETHERTYPE) return this.etherType(h.etherType, buf, off, end, wireEnd, out);
    const v = end > off ? buf[off] >> 4 : 0;
    if (v === 4) return this.ipv4(buf, off, end, wireEnd, out);
    if (v === 6) return this.ipv6(buf, off, end, wireEnd, out);
    return DecodeStatus.NON_IP;
  }

  private tcp(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    const segWire = wireEnd - off;
    if (segWire < TCP_MIN_HEADER) return this.bad(Reason['tcp-truncated']);
    const t = this.tcpView;
    if (!t.reset(buf, off, end)) return this.bad(Reason['tcp-header-snap-cut']);
    const hl = t.headerLength;
    if (hl < TCP_MIN_HEADER || hl > segWire) return this.bad(Reason['tcp-bad-data-offset']);
    out.srcPort = t.srcPort;
    out.dstPort = t.dstPort;
    out.seq = t.seq32 >>> 0;
    out.ack = t.ack32 >>> 0;
    out.flags = t.flags;
    out.window = t.window;
    out.tcpOff = off;
    out.tcpHeaderLength = hl;
    out.payloadWireLength = segWire - hl;
    const p = off + hl;
    if (p > end) {
      this.counts[Reason['tcp-options-snap-cut']]++;
      out.payloadOff = end;
      out.payloadLength = 0;
    } else {
      out.payloadOff = p;
      out.payloadLength = end - p;
    }
    return DecodeStatus.TCP;
  }

  /** Capture time of the current record in seconds (fragment timeouts only). */
  private now(): number {
    const r = this.rec;
    return r === undefined ? 0 : r.tsSec + r.tsNsec / 1e9;
  }
}
