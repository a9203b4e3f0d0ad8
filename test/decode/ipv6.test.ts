import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import { Ipv6View, OK } from '../../src/decode/ipv6.js';
import { copyIpv6Addresses } from '../../src/decode/ipv6.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

// P.IPV6_EXT_CHAIN: fixed header 0..40, hop-by-hop 40..48, routing 48..56, destination
// options 56..64, AH 64..88, TCP 88..108, payload 108..124.
const PLEN = 4;
const NH = 6;

function run(b: Buffer, o: Parameters<typeof record>[2] = {}) {
  const dec = new Decoder();
  const p = newPacket();
  const st = dec.decode(record(LinkType.IPV6, b, o), p);
  return { st, dec, p };
}

describe('IPv6', () => {
  it('view', () => {
    const b = bytesOf(P.RAW_IPV6);
    const v = new Ipv6View();
    expect(v.reset(b, 0, b.length)).toBe(OK);
    expect(v.payloadLength).toBe(36);
    expect(v.nextHeader).toBe(6);
  });

  it('address copy: word stores on little-endian hosts, bytes otherwise, same bytes', () => {
    const b = bytesOf(P.RAW_IPV6);
    for (const le of [true, false]) {
      const words = new Int32Array(8);
      if (le && new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) continue; // a big-endian host
      copyIpv6Addresses(b, 8, words, le);
      expect(Buffer.from(words.buffer).equals(b.subarray(8, 40)), `le=${le}`).toBe(true);
    }
  });

  it('hand-built RAW IPv6 / TCP', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.RAW_IPV6);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(formatIp(p.src)).toBe('2001:db8::10');
    expect(p.src.length).toBe(16);
    expect(p.tcpOff).toBe(rec.offset + 40);
    expect(p.payloadLength).toBe(16);
  });

  it('hand-built hop-by-hop, routing, destination options, AH, then TCP', () => {
    const rec = handBuilt(P.IPV6_EXT_CHAIN);
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p.tcpOff).toBe(rec.offset + 88);
    expect(p.protocol).toBe(6);
    expect(p.payloadLength).toBe(16);
    expect(dec.counters()).toEqual({});
  });

  it('hand-built each extension header alone before TCP', () => {
    const full = bytesOf(P.IPV6_EXT_CHAIN);
    const tcp = full.subarray(88);
    const headers: [number, Buffer][] = [
      [0, Buffer.from([6, 0, 1, 4, 0, 0, 0, 0])],
      [43, Buffer.from([6, 0, 4, 0, 0, 0, 0, 0])],
      [60, Buffer.from([6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])], // 16 bytes: length 1
      [51, Buffer.concat([Buffer.from([6, 4, 0, 0]), Buffer.alloc(20)])],
    ];
    for (const [nh, h] of headers) {
      const hdr = Buffer.from(full.subarray(0, 40));
      hdr[NH] = nh;
      hdr.writeUInt16BE(h.length + tcp.length, PLEN);
      const { st, p } = run(Buffer.concat([hdr, h, tcp]));
      expect(st, `next header ${nh}`).toBe(DecodeStatus.TCP);
      expect(p.tcpOff - 7).toBe(40 + h.length);
    }
  });

  it('hand-built no next header (59) after destination options → OTHER_IP', () => {
    const { st, p } = run(bytesOf(P.IPV6_NO_NEXT));
    expect(st).toBe(DecodeStatus.OTHER_IP);
    expect(p.protocol).toBe(59);
  });

  it('hand-built atomic fragment (RFC 6946) is decoded as whole', () => {
    const { st, p, dec } = run(bytesOf(P.IPV6_ATOMIC_FRAG));
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.reassembled).toBe(false);
    expect(p.payloadLength).toBe(16);
    dec.finish();
    expect(dec.counters()['frag-incomplete-at-end']).toBeUndefined();
  });

  it('hand-built ICMPv6 → ICMP', () => {
    const dec = new Decoder();
    expect(dec.decode(handBuilt(P.IPV6_ICMPV6), newPacket())).toBe(DecodeStatus.ICMP);
  });

  it('hand-built bad version and truncated fixed header', () => {
    const b = bytesOf(P.RAW_IPV6);
    expect(run(b, { captured: 39 }).dec.counters()).toEqual({ 'ipv6-truncated': 1 });
    b[0] = 0x40;
    expect(run(b).dec.counters()).toEqual({ 'ipv6-bad-version': 1 });
  });

  it('hand-built extension header longer than the payload → ipv6-bad-extension-header', () => {
    const b = bytesOf(P.IPV6_EXT_CHAIN);
    b[49] = 200; // routing header claims 1608 bytes
    const { st, dec } = run(b);
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv6-bad-extension-header': 1 });
  });

  it('hand-built hop-by-hop not first → ipv6-bad-extension-header (RFC 8200 §4.1)', () => {
    const b = bytesOf(P.IPV6_EXT_CHAIN);
    b[48] = 0; // routing header's next header: hop-by-hop again
    expect(run(b).dec.counters()).toEqual({ 'ipv6-bad-extension-header': 1 });
  });

  it('hand-built extension headers cut by the snap length', () => {
    const b = bytesOf(P.IPV6_EXT_CHAIN);
    for (const cut of [41, 60, 70]) {
      const { st, dec } = run(b, { captured: cut });
      expect(st, `cut at ${cut}`).toBe(DecodeStatus.MALFORMED);
      expect(dec.counters()).toEqual({ 'ipv6-extension-header-snap-cut': 1 });
    }
  });

  it('hand-built payload length 0 with bytes after it (jumbogram / BIG TCP): from the frame', () => {
    const b = bytesOf(P.RAW_IPV6);
    b.writeUInt16BE(0, PLEN);
    const { st, dec, p } = run(b);
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadWireLength).toBe(16);
    expect(dec.counters()).toEqual({ 'ipv6-zero-payload-length': 1 });
  });

  it('hand-built payload length beyond the frame: clipped, noted', () => {
    const b = bytesOf(P.RAW_IPV6);
    b.writeUInt16BE(4000, PLEN);
    const { st, dec, p } = run(b);
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadWireLength).toBe(16);
    expect(dec.counters()).toEqual({ 'ipv6-payload-length-exceeds-frame': 1 });
  });

  it('hand-built snap-cut IPv6 TCP: wire length from the payload length', () => {
    const { st, p } = run(bytesOf(P.RAW_IPV6), { captured: 62 });
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadLength).toBe(2);
    expect(p.payloadWireLength).toBe(16);
  });
});
