import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

describe('Linux cooked captures', () => {
  it('hand-built SLL (113), IPv4', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.SLL_IPV4_TCP);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(formatIp(p.src)).toBe('192.0.2.10');
    expect(p.tcpOff).toBe(rec.offset + 16 + 20);
    expect(p.payloadLength).toBe(16);
  });

  it('hand-built SLL2 (276), IPv6', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.SLL2_IPV6_TCP);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p.ipVersion).toBe(6);
    expect(formatIp(p.src)).toBe('2001:db8::10');
    expect(formatIp(p.dst)).toBe('2001:db8:0:1::21');
    expect(p.src4).toBe(0);
    expect(p.tcpOff).toBe(rec.offset + 20 + 40);
    expect(p.payloadLength).toBe(16);
  });

  it('hand-built SLL with a VLAN protocol (libpcap re-inserts tags)', () => {
    const b = bytesOf(P.SLL_IPV4_TCP);
    const tagged = Buffer.concat([b.subarray(0, 14), Buffer.from([0x81, 0x00, 0x00, 0x2a, 0x08, 0x00]), b.subarray(16)]);
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(record(LinkType.LINUX_SLL, tagged), p)).toBe(DecodeStatus.TCP);
    expect(p.vlanIds).toEqual([42]);
  });

  it('hand-built SLL with a non-IP protocol (0x0806 ARP)', () => {
    const b = bytesOf(P.SLL_IPV4_TCP);
    b.writeUInt16BE(0x0806, 14);
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.LINUX_SLL, b), newPacket())).toBe(DecodeStatus.NON_IP);
  });

  it('hand-built truncated cooked headers', () => {
    const dec = new Decoder();
    expect(dec.decode(handBuilt(P.SLL_IPV4_TCP, { captured: 15 }), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.decode(handBuilt(P.SLL2_IPV6_TCP, { captured: 19 }), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'sll-truncated': 1, 'sll2-truncated': 1 });
  });
});
