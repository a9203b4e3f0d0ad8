/**
 * Link layers met inside a tunnel or after a tag (LinkDecoder, a base of Decoder in index.ts):
 * an inner Ethernet frame (LLC/SNAP too), the EtherType dispatch (802.1Q/802.1ad tags, PPPoE
 * session, MPLS), PPPoE and the MPLS label stack with its pseudowire control word.
 *
 * Contract: each method reads the header at buf[off..end) (captured; wireEnd is the length on the
 * wire), fills `out` (VLAN ids, encapsulation bits) and hands the payload to the IP layer
 * (`ipv4`/`ipv6`, Decoder's) or answers NON_IP / MALFORMED (counted under a reason). `enter`
 * (Decoder's) bounds the nesting by MAX_TUNNEL_DEPTH. The outermost link layer of a record is
 * read inline by Decoder.decodeRecord, so a plain packet makes no call here.
 */
import {
  ETHERNET_HEADER,
  ETHERTYPE_OFFSET,
  EtherType,
  LLC_SNAP_HEADER,
  MIN_ETHERTYPE,
  MPLS_BOTTOM_OF_STACK,
  MPLS_LABEL,
  MPLS_PW_CONTROL_WORD,
  PPPOE_HEADER,
  PPP_IPV4,
  PPP_IPV6,
  PPP_PROTOCOL,
  VLAN_ID_MASK,
  VLAN_TAG,
  isRfc1042Snap,
  isVlanTag,
} from './ethernet.js';
import { DecoderCounts } from './decoder-counts.js';
import { DecodeStatus, type Packet } from './packet.js';
import { Reason } from './reasons.js';
import { Encap } from './tunnel.js';

export abstract class LinkDecoder extends DecoderCounts {
  protected abstract ipv4(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus;
  protected abstract ipv6(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus;
  protected abstract enter(kind: number, out: Packet): boolean;

  /** An Ethernet frame inside a tunnel (VXLAN, Geneve and GRE 0x6558, ERSPAN). */
  protected ethernet(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    if (end - off < ETHERNET_HEADER) return this.bad(Reason['ethernet-truncated']);
    let et = (buf[off + ETHERTYPE_OFFSET] << 8) | buf[off + ETHERTYPE_OFFSET + 1];
    off += ETHERNET_HEADER;
    if (et < MIN_ETHERTYPE) {
      if (end - off < LLC_SNAP_HEADER || !isRfc1042Snap(buf, off)) return DecodeStatus.NON_IP;
      et = (buf[off + 6] << 8) | buf[off + 7];
      off += LLC_SNAP_HEADER;
    }
    return this.etherType(et, buf, off, end, wireEnd, out);
  }

  /** EtherType dispatch: for the tunnels that name their payload by EtherType (GRE, Geneve),
   * Ethernet frames inside tunnels, and what the record-level loop does not handle itself. Tags
   * stack to any depth (802.1ad S-tag, then C-tags); the loop ends because each tag consumes 4
   * captured bytes. */
  protected etherType(et: number, buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
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
      if (et === EtherType.PPPOE_SESSION) return this.pppoe(buf, off, end, wireEnd, out);
      if (et === EtherType.MPLS || et === EtherType.MPLS_MULTICAST) return this.mpls(buf, off, end, wireEnd, out);
      return DecodeStatus.NON_IP;
    }
  }

  /** PPPoE session stage (RFC 2516 §5) carrying PPP (RFC 1661): IP inside when the PPP
   * protocol says so (RFC 1332 IPv4, RFC 5072 IPv6); LCP, IPCP, ... are not IP. */
  protected pppoe(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    if (end - off < PPPOE_HEADER + PPP_PROTOCOL) return this.bad(Reason['pppoe-truncated']);
    if (!this.enter(Encap.pppoe, out)) return this.bad(Reason['tunnel-too-deep']);
    const proto = (buf[off + PPPOE_HEADER] << 8) | buf[off + PPPOE_HEADER + 1];
    off += PPPOE_HEADER + PPP_PROTOCOL;
    if (proto === PPP_IPV4) return this.ipv4(buf, off, end, wireEnd, out);
    if (proto === PPP_IPV6) return this.ipv6(buf, off, end, wireEnd, out);
    return DecodeStatus.NON_IP;
  }

  /** MPLS (RFC 3032): skip the label stack; the payload type is not signalled, so it is told
   * by the first nibble as routers do (RFC 4928): 4 or 6 is IP, 0 the control word of an
   * Ethernet pseudowire (RFC 4448 §3), followed by the frame. */
  protected mpls(buf: Buffer, off: number, end: number, wireEnd: number, out: Packet): DecodeStatus {
    if (!this.enter(Encap.mpls, out)) return this.bad(Reason['tunnel-too-deep']);
    for (;;) {
      if (end - off < MPLS_LABEL) return this.bad(Reason['mpls-truncated']);
      const bottom = (buf[off + 2] & MPLS_BOTTOM_OF_STACK) !== 0;
      off += MPLS_LABEL;
      if (bottom) break;
    }
    const v = end > off ? buf[off] >> 4 : 0;
    if (v === 4) return this.ipv4(buf, off, end, wireEnd, out);
    if (v === 6) return this.ipv6(buf, off, end, wireEnd, out);
    // A pseudowire without control word would start with the destination MAC, which may have a
    // 0 nibble too: the control word is taken only when an IP or tagged frame follows it.
    if (v === 0 && end - off >= MPLS_PW_CONTROL_WORD + ETHERNET_HEADER) {
      const e = off + MPLS_PW_CONTROL_WORD + ETHERTYPE_OFFSET;
      const et = (buf[e] << 8) | buf[e + 1];
      if (et === EtherType.IPV4 || et === EtherType.IPV6 || isVlanTag(et)) {
        return this.ethernet(buf, off + MPLS_PW_CONTROL_WORD, end, wireEnd, out);
      }
    }
    return DecodeStatus.NON_IP;
  }
}
