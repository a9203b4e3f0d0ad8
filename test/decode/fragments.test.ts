import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { DEFAULT_FRAGMENT_LIMITS, Decoder, DecodeStatus, newPacket, type Packet } from '../../src/decode/index.js';
import { FRAG_TIMEOUT_SEC, MAX_FRAG_BYTES, MAX_FRAG_DATAGRAMS, MAX_FRAGS_PER_DATAGRAM } from '../../src/limits.js';
import { bytesOf, record } from './helpers.js';
import * as P from './packets.js';

// Hand-built fragments: the IPv4 header of P.RAW_IPV4 (or the IPv6 header of P.RAW_IPV6 plus a
// fragment header) in front of slices of one TCP segment: P.RAW_IPV4's TCP header + 200
// payload bytes 0, 1, ... 199.
const TCP_HEADER = bytesOf(P.RAW_IPV4).subarray(20, 40);
const SEGMENT = Buffer.concat([TCP_HEADER, Buffer.from(Array.from({ length: 200 }, (_, i) => i))]);

function frag4(start: number, len: number, more: boolean, o: { id?: number; data?: Buffer; src?: number } = {}): Buffer {
  const h = Buffer.from(bytesOf(P.RAW_IPV4).subarray(0, 20));
  const data = o.data ?? SEGMENT.subarray(start, start + len);
  h.writeUInt16BE(20 + data.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((more ? 0x2000 : 0) | (start >> 3), 6);
  if (o.src !== undefined) h.writeUInt32BE(o.src, 12);
  return Buffer.concat([h, data]);
}

/** IPv6 fragment: fixed header, then `unfrag` (an 8-byte destination options header when
 * given), the fragment header and the data. */
function frag6(start: number, len: number, more: boolean, o: { id?: number; nh?: number; data?: Buffer } = {}): Buffer {
  const h = Buffer.from(bytesOf(P.RAW_IPV6).subarray(0, 40));
  const data = o.data ?? SEGMENT.subarray(start, start + len);
  const fh = Buffer.alloc(8);
  fh[0] = o.nh ?? 6;
  fh.writeUInt16BE(start | (more ? 1 : 0), 2);
  fh.writeUInt32BE(o.id ?? 0xdeadbeef, 4);
  h[6] = 44;
  h.writeUInt16BE(8 + data.length, 4);
  return Buffer.concat([h, fh, data]);
}

function feed(dec: Decoder, frags: Buffer[], t0 = 1000, linkType: number = LinkType.RAW): { st: number[]; p: Packet } {
  const p = newPacket();
  const st = frags.map((f, i) => dec.decode(record(linkType, f, { tsSec: t0, frame: i + 1 }), p));
  return { st, p };
}

function expectWholeSegment(p: Packet): void {
  expect(p.reassembled).toBe(true);
  expect(p.srcPort).toBe(50000);
  expect(p.dstPort).toBe(21);
  expect(p.seq).toBe(0xfffffff0);
  expect(p.payloadLength).toBe(200);
  expect(p.payloadWireLength).toBe(200);
  expect(p.capEnd).toBe(p.payloadOff + 200);
  for (let i = 0; i < 200; i++) expect(p.buf[p.payloadOff + i]).toBe(i);
}

const { PENDING, TCP, MALFORMED } = {
  PENDING: DecodeStatus.FRAGMENT_PENDING,
  TCP: DecodeStatus.TCP,
  MALFORMED: DecodeStatus.MALFORMED,
};

describe('IPv4 fragment reassembly', () => {
  it('hand-built, in order: pending, pending, then the whole TCP segment', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [frag4(0, 80, true), frag4(80, 80, true), frag4(160, 60, false)]);
    expect(st).toEqual([PENDING, PENDING, TCP]);
    expectWholeSegment(p);
    expect(p.frame).toBe(3);
    expect(p.src4).toBe(0xc000020a);
    // Nothing left waiting: the end of the capture finds no incomplete datagram.
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1 });
  });

  it('hand-built, out of order: last, first, middle', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [frag4(160, 60, false), frag4(0, 80, true), frag4(80, 80, true)]);
    expect(st).toEqual([PENDING, PENDING, TCP]);
    expectWholeSegment(p);
  });

  it('hand-built, the TCP header itself split across fragments', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [frag4(8, 212, false), frag4(0, 8, true)]);
    expect(st).toEqual([PENDING, TCP]);
    expectWholeSegment(p);
  });

  it('hand-built overlap: the first copy wins, a differing copy is flagged', () => {
    const dec = new Decoder();
    const evil = Buffer.alloc(80, 0x41);
    const { st, p } = feed(dec, [
      frag4(0, 80, true),
      frag4(40, 80, true, { data: Buffer.concat([SEGMENT.subarray(40, 80), evil.subarray(0, 40)]) }),
      frag4(80, 80, true),
      frag4(160, 60, false),
    ]);
    // The second fragment's first half matches what is held; its second half (bytes 80..120)
    // was new then, so it is the first copy there: the third fragment loses on them.
    expect(st).toEqual([PENDING, PENDING, PENDING, TCP]);
    expect(p.buf[p.payloadOff + 80 - 20]).toBe(0x41);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1, 'frag-overlap': 2, 'frag-overlap-mismatch': 1 });
  });

  it('hand-built exact duplicate: overlap without mismatch', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [frag4(0, 80, true), frag4(0, 80, true), frag4(80, 140, false)]);
    expect(st).toEqual([PENDING, PENDING, TCP]);
    expectWholeSegment(p);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1, 'frag-overlap': 1 });
  });

  it('hand-built different ids and sources do not mix', () => {
    const dec = new Decoder();
    const { st } = feed(dec, [
      frag4(0, 80, true, { id: 1 }),
      frag4(80, 140, false, { id: 2 }),
      frag4(80, 140, false, { id: 1, src: 0x0a000001 }),
    ]);
    expect(st).toEqual([PENDING, PENDING, PENDING]);
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-incomplete-at-end': 3 });
  });

  it('hand-built non-last fragment not a multiple of 8 → frag-bad-length', () => {
    const dec = new Decoder();
    expect(feed(dec, [frag4(0, 81, true)]).st).toEqual([MALFORMED]);
    expect(dec.counters()).toEqual({ 'frag-bad-length': 1 });
  });

  it('hand-built fragment ending past 65535 bytes → frag-too-long', () => {
    const dec = new Decoder();
    expect(feed(dec, [frag4(8191 * 8, 16, false, { data: Buffer.alloc(16) })]).st).toEqual([MALFORMED]);
    expect(dec.counters()).toEqual({ 'frag-too-long': 1 });
  });

  it('hand-built fragment cut by the snap length → frag-snap-cut', () => {
    const dec = new Decoder();
    const f = frag4(0, 80, true);
    expect(dec.decode(record(LinkType.RAW, f, { captured: 60 }), newPacket())).toBe(MALFORMED);
    expect(dec.counters()).toEqual({ 'frag-snap-cut': 1 });
  });

  it('hand-built inconsistent ends: a second, different last fragment and data past the end', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [
      frag4(160, 60, false),
      frag4(160, 64, false, { data: Buffer.concat([SEGMENT.subarray(160, 220), Buffer.alloc(4)]) }),
      frag4(0, 80, true),
      frag4(80, 80, true),
    ]);
    expect(st).toEqual([PENDING, PENDING, PENDING, TCP]);
    expectWholeSegment(p);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1, 'frag-inconsistent-end': 1, 'frag-overlap': 1 });
  });

  it('hand-built expiry in capture time: an older incomplete datagram is dropped', () => {
    const dec = new Decoder({ fragments: { timeoutSec: 30 } });
    const p = newPacket();
    expect(dec.decode(record(LinkType.RAW, frag4(0, 80, true), { tsSec: 100 }), p)).toBe(PENDING);
    // 30 s later exactly: still waiting.
    expect(dec.decode(record(LinkType.RAW, frag4(0, 80, true, { id: 9 }), { tsSec: 130 }), p)).toBe(PENDING);
    expect(dec.counters()).toEqual({});
    // 30.5 s after the first fragment: the first datagram is gone, so its tail completes nothing.
    const late = record(LinkType.RAW, frag4(80, 140, false), { tsSec: 130, tsNsec: 500_000_000 });
    expect(dec.decode(late, p)).toBe(PENDING);
    expect(dec.counters()).toEqual({ 'frag-expired': 1 });
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-expired': 1, 'frag-incomplete-at-end': 2 });
    // finish() freed them: a second one finds nothing to count.
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-expired': 1, 'frag-incomplete-at-end': 2 });
  });

  it('hand-built pending-datagram limit: the oldest is dropped', () => {
    const dec = new Decoder({ fragments: { maxDatagrams: 2 } });
    const { st } = feed(dec, [
      frag4(0, 80, true, { id: 1 }),
      frag4(0, 80, true, { id: 2 }),
      frag4(0, 80, true, { id: 3 }),
      frag4(80, 140, false, { id: 1 }), // 1 was dropped: starts anew, evicting 2
      frag4(80, 140, false, { id: 3 }),
    ]);
    expect(st).toEqual([PENDING, PENDING, PENDING, PENDING, TCP]);
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 2, 'frag-reassembled': 1 });
  });

  it('hand-built pending-byte limit: oldest datagrams dropped until the fragment fits', () => {
    const dec = new Decoder({ fragments: { maxBytes: 200 } });
    const { st } = feed(dec, [
      frag4(0, 80, true, { id: 1 }),
      frag4(0, 80, true, { id: 2 }),
      frag4(0, 80, true, { id: 3 }), // 240 > 200: datagram 1 goes
    ]);
    expect(st).toEqual([PENDING, PENDING, PENDING]);
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 1 });
    // 160 bytes held (2 and 3): 140 more do not fit, so both go and 4 stays alone.
    feed(dec, [frag4(80, 140, false, { id: 4 })]);
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 3 });
    // A fragment larger than the whole budget drops everything, itself included.
    feed(dec, [frag4(0, 208, true, { id: 5, data: Buffer.alloc(208) })]);
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 5 });
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 5 });
  });

  it('hand-built fragments-per-datagram limit', () => {
    const dec = new Decoder({ fragments: { maxFragsPerDatagram: 4 } });
    const frags = [];
    for (let s = 0; s < 200; s += 16) frags.push(frag4(s, 16, true));
    const { st } = feed(dec, frags);
    expect(st.slice(0, 4)).toEqual([PENDING, PENDING, PENDING, PENDING]);
    expect(dec.counters()['frag-dropped-limit']).toBeGreaterThan(0);
    dec.finish();
    expect(dec.counters()['frag-incomplete-at-end'] ?? 0).toBeLessThanOrEqual(1);
  });

  it('the defaults are those of src/limits.ts, and crossing the default datagram cap drops', () => {
    expect(DEFAULT_FRAGMENT_LIMITS).toEqual({
      maxDatagrams: MAX_FRAG_DATAGRAMS,
      maxBytes: MAX_FRAG_BYTES,
      timeoutSec: FRAG_TIMEOUT_SEC,
      maxFragsPerDatagram: MAX_FRAGS_PER_DATAGRAM,
    });
    const dec = new Decoder();
    const p = newPacket();
    const f = frag4(0, 8, true);
    for (let id = 0; id <= MAX_FRAG_DATAGRAMS; id++) {
      f.writeUInt16BE(id, 4);
      dec.decode(record(LinkType.RAW, f), p);
    }
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 1 });
    dec.finish();
    expect(dec.counters()).toEqual({ 'frag-dropped-limit': 1, 'frag-incomplete-at-end': MAX_FRAG_DATAGRAMS });
  });

  it('hand-built fragments of a non-TCP datagram reassemble too (UDP)', () => {
    const udp = Buffer.concat([Buffer.from([0x13, 0x88, 0x00, 0x35, 0x00, 0x30, 0, 0]), Buffer.alloc(40, 7)]);
    const a = frag4(0, 24, true, { data: udp.subarray(0, 24) });
    const b = frag4(24, 24, false, { data: udp.subarray(24) });
    a[9] = b[9] = 17;
    const dec = new Decoder();
    const { st, p } = feed(dec, [a, b]);
    expect(st).toEqual([PENDING, DecodeStatus.UDP]);
    expect(p).toMatchObject({ srcPort: 5000, dstPort: 53, payloadLength: 40 });
  });
});

describe('IPv6 fragment reassembly', () => {
  it('hand-built, out of order, over Ethernet', () => {
    const dec = new Decoder();
    const eth = Buffer.from('00005e00530200005e00530186dd', 'hex');
    const frags = [frag6(80, 140, false), frag6(0, 80, true)].map((f) => Buffer.concat([eth, f]));
    const { st, p } = feed(dec, frags, 1000, LinkType.ETHERNET);
    expect(st).toEqual([PENDING, TCP]);
    expectWholeSegment(p);
    expect(p.ipVersion).toBe(6);
    expect(p.protocol).toBe(6);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1 });
  });

  it('hand-built: only the offset-0 fragment names the next header (RFC 8200 §4.5)', () => {
    const dec = new Decoder();
    const { st, p } = feed(dec, [frag6(80, 140, false, { nh: 17 }), frag6(0, 80, true, { nh: 6 })]);
    expect(st).toEqual([PENDING, TCP]);
    expectWholeSegment(p);
  });

  it('hand-built: a destination options header in the fragmentable part is walked after reassembly', () => {
    const dopt = Buffer.from([6, 0, 1, 4, 0, 0, 0, 0]);
    const whole = Buffer.concat([dopt, SEGMENT]);
    const dec = new Decoder();
    const { st, p } = feed(dec, [
      frag6(0, 96, true, { nh: 60, data: whole.subarray(0, 96) }),
      frag6(96, 132, false, { nh: 60, data: whole.subarray(96) }),
    ]);
    expect(st).toEqual([PENDING, TCP]);
    expect(p.tcpOff).toBe(8);
    expect(p.payloadLength).toBe(200);
  });

  it('hand-built: a fragment header inside the reassembled data is refused', () => {
    const inner = Buffer.concat([Buffer.from([6, 0, 0, 9, 0, 0, 0, 1]), SEGMENT.subarray(0, 40)]);
    const dec = new Decoder();
    const { st } = feed(dec, [
      frag6(0, 24, true, { nh: 44, data: inner.subarray(0, 24) }),
      frag6(24, 24, false, { nh: 44, data: inner.subarray(24) }),
    ]);
    expect(st).toEqual([PENDING, MALFORMED]);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 1, 'ipv6-bad-extension-header': 1 });
  });

  it('hand-built fragment header cut short', () => {
    const f = frag6(0, 80, true);
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.RAW, f, { captured: 44 }), newPacket())).toBe(MALFORMED);
    f.writeUInt16BE(4, 4); // payload length 4: the fragment header does not fit
    expect(dec.decode(record(LinkType.RAW, f), newPacket())).toBe(MALFORMED);
    expect(dec.counters()).toEqual({ 'ipv6-extension-header-snap-cut': 1, 'ipv6-bad-extension-header': 1 });
  });

  it('hand-built IPv6 fragment snap-cut and bad length', () => {
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.RAW, frag6(0, 80, true), { captured: 100 }), newPacket())).toBe(MALFORMED);
    expect(dec.decode(record(LinkType.RAW, frag6(0, 12, true)), newPacket())).toBe(MALFORMED);
    expect(dec.counters()).toEqual({ 'frag-snap-cut': 1, 'frag-bad-length': 1 });
  });
});
