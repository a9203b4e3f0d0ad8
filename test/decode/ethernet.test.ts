import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import { isVlanTag } from '../../src/decode/ethernet.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

describe('Ethernet II', () => {
  it('hand-built IPv4/TCP: every field, offsets absolute in the chunk', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.ETH_IPV4_TCP_USER, { tsSec: 5, tsNsec: 6, frame: 9 });
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p).toMatchObject({ tsSec: 5, tsNsec: 6, frame: 9, linkType: LinkType.ETHERNET });
    expect(p.vlanIds).toEqual([]);
    expect(p.ipVersion).toBe(4);
    expect(formatIp(p.src)).toBe('192.0.2.10');
    expect(formatIp(p.dst)).toBe('198.51.100.21');
    expect(p.src4).toBe(0xc000020a);
    expect(p.dst4).toBe(0xc6336415);
    expect(p.protocol).toBe(6);
    expect(p.srcPort).toBe(50000);
    expect(p.dstPort).toBe(21);
    expect(p.seq).toBe(0xfffffff0);
    expect(p.ack).toBe(0x80000001);
    expect(p.flags).toBe(0x18);
    expect(p.window).toBe(502);
    expect(p.tcpOff).toBe(rec.offset + 34);
    expect(p.tcpHeaderLength).toBe(20);
    expect(p.buf).toBe(rec.buf);
    expect(p.payloadOff).toBe(rec.offset + 54);
    expect(p.payloadLength).toBe(16);
    expect(p.payloadWireLength).toBe(16);
    expect(p.buf.toString('latin1', p.payloadOff, p.payloadOff + p.payloadLength)).toBe('USER anonymous\r\n');
    expect(p.reassembled).toBe(false);
  });

  it('hand-built padded frame: the 6 padding bytes are not payload', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.ETH_IPV4_TCP_ACK_PADDED), p)).toBe(DecodeStatus.TCP);
    expect(p.payloadLength).toBe(0);
    expect(p.payloadWireLength).toBe(0);
    expect(p.capEnd).toBe(p.payloadOff);
  });

  it('hand-built 802.1ad + 802.1Q + 0x9100 stack: ids outermost first, priority bits dropped', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.ETH_VLAN_STACK), p)).toBe(DecodeStatus.TCP);
    expect(p.vlanIds).toEqual([100, 200, 300]);
    expect(p.srcPort).toBe(50000);
    expect(p.payloadLength).toBe(16);
    // The reused array is emptied for the next, untagged packet.
    const ids = p.vlanIds;
    dec.decode(handBuilt(P.ETH_IPV4_TCP_USER), p);
    expect(p.vlanIds).toBe(ids);
    expect(p.vlanIds).toEqual([]);
  });

  it('hand-built deep stack: tags to any depth', () => {
    const base = bytesOf(P.ETH_IPV4_TCP_USER);
    const tags = Buffer.alloc(4 * 20);
    for (let i = 0; i < 20; i++) tags.writeUInt32BE(((i + 1) << 16) | 0x8100, 4 * i);
    // Each tag: TCI = vid i+1, then the next EtherType (0x8100 again; the last one 0x0800).
    tags.writeUInt16BE(0x0800, 4 * 19 + 2);
    const frame = Buffer.concat([base.subarray(0, 12), Buffer.from([0x81, 0x00]), tags, base.subarray(14)]);
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(record(LinkType.ETHERNET, frame), p)).toBe(DecodeStatus.TCP);
    expect(p.vlanIds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('hand-built VLAN tag cut short → vlan-truncated', () => {
    const b = bytesOf(P.ETH_VLAN_STACK);
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.ETHERNET, b, { captured: 20 }), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'vlan-truncated': 1 });
  });

  it('hand-built frames shorter than 14 bytes → ethernet-truncated', () => {
    const dec = new Decoder();
    const b = bytesOf(P.ETH_IPV4_TCP_USER);
    for (const n of [0, 1, 13]) {
      expect(dec.decode(record(LinkType.ETHERNET, b, { captured: n }), newPacket())).toBe(DecodeStatus.MALFORMED);
    }
    expect(dec.counters()).toEqual({ 'ethernet-truncated': 3 });
  });

  it('hand-built ARP and 802.3 STP are NON_IP; 802.3 LLC/SNAP carries IPv4', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.ETH_ARP), p)).toBe(DecodeStatus.NON_IP);
    expect(p.ipVersion).toBe(0);
    expect(dec.decode(handBuilt(P.ETH_8023_STP), p)).toBe(DecodeStatus.NON_IP);
    expect(dec.decode(handBuilt(P.ETH_8023_SNAP_IPV4), p)).toBe(DecodeStatus.TCP);
    expect(p.payloadLength).toBe(16);
    // An 802.3 frame too short for an LLC/SNAP header is just not IP.
    expect(dec.decode(handBuilt(P.ETH_8023_SNAP_IPV4, { captured: 18 }), p)).toBe(DecodeStatus.NON_IP);
    expect(dec.statuses()['non-ip']).toBe(3);
    expect(dec.counters()).toEqual({});
  });

  it('hand-built PPPoE session carrying IPv4; LCP is not IP; cut header → pppoe-truncated', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.ETH_PPPOE_IPV4);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p.tcpOff).toBe(rec.offset + 14 + 8 + 20);
    expect(p.payloadLength).toBe(16);
    const lcp = bytesOf(P.ETH_PPPOE_IPV4);
    lcp.writeUInt16BE(0xc021, 20);
    expect(dec.decode(record(LinkType.ETHERNET, lcp), p)).toBe(DecodeStatus.NON_IP);
    expect(dec.decode(handBuilt(P.ETH_PPPOE_IPV4, { captured: 21 }), p)).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'pppoe-truncated': 1 });
  });

  it('hand-built MPLS two-label stack carrying IPv6; a control word is not IP; no bottom → mpls-truncated', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.ETH_MPLS_IPV6);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p.ipVersion).toBe(6);
    expect(p.tcpOff).toBe(rec.offset + 14 + 8 + 40);
    const pw = bytesOf(P.ETH_MPLS_IPV6);
    pw[22] = 0x00; // first nibble 0: an RFC 4385 pseudowire control word
    expect(dec.decode(record(LinkType.ETHERNET, pw), p)).toBe(DecodeStatus.NON_IP);
    const nobottom = bytesOf(P.ETH_MPLS_IPV6);
    nobottom[20] &= 0xfe;
    expect(dec.decode(record(LinkType.ETHERNET, nobottom, { captured: 24 }), p)).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'mpls-truncated': 1 });
  });

  it('VLAN EtherTypes', () => {
    expect([0x8100, 0x88a8, 0x9100, 0x9200].every(isVlanTag)).toBe(true);
    expect([0x0800, 0x86dd, 0x8847].some(isVlanTag)).toBe(false);
  });
});
