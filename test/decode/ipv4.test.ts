import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, newPacket } from '../../src/decode/index.js';
import { Ipv4View, OK } from '../../src/decode/ipv4.js';
import { Reason } from '../../src/decode/reasons.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

// Offsets in P.RAW_IPV4 (IPv4 at 0, TCP at 20, 16 payload bytes at 40, 56 bytes in all).
const VER_IHL = 0;
const TOTAL = 2;
const FLAGS = 6;

function decodeRaw(b: Buffer, o: Parameters<typeof record>[2] = {}): { st: number; dec: Decoder; p: ReturnType<typeof newPacket> } {
  const dec = new Decoder();
  const p = newPacket();
  const st = dec.decode(record(LinkType.RAW, b, o), p);
  return { st, dec, p };
}

describe('IPv4', () => {
  it('view: fields after one check', () => {
    const v = new Ipv4View();
    const b = bytesOf(P.RAW_IPV4);
    expect(v.reset(b, 0, b.length)).toBe(OK);
    expect(v.headerLength).toBe(20);
    expect(v.totalLength).toBe(56);
    expect(v.identification).toBe(0x1234);
    expect(v.flagsFragment).toBe(0x4000);
    expect(v.protocol).toBe(6);
    expect(v.src4).toBe(0xc000020a);
    expect(v.dst4).toBe(0xc6336415);
  });

  it('hand-built IPv4 with options (IHL 7): skipped, TCP found after them', () => {
    const dec = new Decoder();
    const p = newPacket();
    const rec = handBuilt(P.ETH_IPV4_OPTIONS);
    expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
    expect(p.tcpOff).toBe(rec.offset + 14 + 28);
    expect(p.payloadLength).toBe(16);
    expect(p.srcPort).toBe(50000);
  });

  it('hand-built bad version (IPv4 link type, version 5)', () => {
    const b = bytesOf(P.RAW_IPV4);
    b[VER_IHL] = 0x55;
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.IPV4, b), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv4-bad-version': 1 });
  });

  it('hand-built RAW with version nibble 7 → raw-bad-version; empty RAW too', () => {
    const b = bytesOf(P.RAW_IPV4);
    b[VER_IHL] = 0x75;
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.RAW, b), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.decode(record(LinkType.RAW, b, { captured: 0 }), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'raw-bad-version': 2 });
  });

  it('hand-built IHL 4 → ipv4-bad-header-length', () => {
    const b = bytesOf(P.RAW_IPV4);
    b[VER_IHL] = 0x44;
    const { st, dec } = decodeRaw(b);
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv4-bad-header-length': 1 });
  });

  it('hand-built header cut: 19 bytes, and IHL 15 with 56 bytes present → ipv4-truncated', () => {
    const b = bytesOf(P.RAW_IPV4);
    expect(decodeRaw(b, { captured: 19 }).dec.counters()).toEqual({ 'ipv4-truncated': 1 });
    b[VER_IHL] = 0x4f;
    const { st, dec } = decodeRaw(b, { captured: 50 });
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv4-truncated': 1 });
  });

  it('hand-built total length below the header → ipv4-bad-total-length', () => {
    const b = bytesOf(P.RAW_IPV4);
    b.writeUInt16BE(19, TOTAL);
    const { st, dec } = decodeRaw(b);
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv4-bad-total-length': 1 });
  });

  it('hand-built total length 0 (TSO): length from the frame, noted', () => {
    const b = bytesOf(P.RAW_IPV4);
    b.writeUInt16BE(0, TOTAL);
    const { st, dec, p } = decodeRaw(b);
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadLength).toBe(16);
    expect(p.payloadWireLength).toBe(16);
    expect(dec.counters()).toEqual({ 'ipv4-zero-total-length': 1 });
  });

  it('hand-built total length beyond the frame: clipped, noted', () => {
    const b = bytesOf(P.RAW_IPV4);
    b.writeUInt16BE(1000, TOTAL);
    const { st, dec, p } = decodeRaw(b);
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadWireLength).toBe(16);
    expect(dec.counters()).toEqual({ 'ipv4-total-length-exceeds-frame': 1 });
  });

  it('hand-built snap-cut packet: wire length from the total length, present bytes counted', () => {
    const b = bytesOf(P.RAW_IPV4);
    const { st, dec, p } = decodeRaw(b, { captured: 45 });
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadLength).toBe(5);
    expect(p.payloadWireLength).toBe(16);
    expect(p.capEnd).toBe(p.payloadOff + 5);
    expect(dec.counters()).toEqual({});
  });

  it('hand-built original length shorter than captured is not trusted', () => {
    const { st, p } = decodeRaw(bytesOf(P.RAW_IPV4), { original: 10 });
    expect(st).toBe(DecodeStatus.TCP);
    expect(p.payloadWireLength).toBe(16);
  });

  it('hand-built UDP and other protocols', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.IPV4_UDP), p)).toBe(DecodeStatus.UDP);
    expect(p).toMatchObject({ srcPort: 5353, dstPort: 53, payloadLength: 4, payloadWireLength: 4 });
    expect(p.buf.toString('latin1', p.payloadOff, p.payloadOff + 4)).toBe('abcd');
    const b = bytesOf(P.RAW_IPV4);
    b[9] = 1;
    expect(dec.decode(record(LinkType.RAW, b), p)).toBe(DecodeStatus.ICMP);
    b[9] = 47; // GRE
    expect(dec.decode(record(LinkType.RAW, b), p)).toBe(DecodeStatus.OTHER_IP);
    expect(p.protocol).toBe(47);
    expect(p.srcPort).toBe(0);
  });

  it('DF alone is not a fragment', () => {
    const b = bytesOf(P.RAW_IPV4);
    expect(b.readUInt16BE(FLAGS)).toBe(0x4000);
    expect(decodeRaw(b).st).toBe(DecodeStatus.TCP);
  });

  it('reason values are those of reasons.ts', () => {
    const v = new Ipv4View();
    expect(v.reset(Buffer.alloc(10), 0, 10)).toBe(Reason['ipv4-truncated']);
  });
});
