import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import { familyIpVersion, nullFamily } from '../../src/decode/loopback.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

describe('BSD loopback (NULL, LOOP)', () => {
  it('hand-built NULL, AF_INET little-endian', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.NULL_LE_IPV4), p)).toBe(DecodeStatus.TCP);
    expect(formatIp(p.src)).toBe('192.0.2.10');
  });

  it('hand-built NULL, AF_INET6 (30) big-endian', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.NULL_BE_IPV6), p)).toBe(DecodeStatus.TCP);
    expect(formatIp(p.dst)).toBe('2001:db8:0:1::21');
  });

  it('hand-built NULL, every AF_INET6 value in both byte orders, AF_INET big-endian', () => {
    const v6 = bytesOf(P.NULL_BE_IPV6);
    const v4 = bytesOf(P.NULL_LE_IPV4);
    const dec = new Decoder();
    for (const fam of [24, 28, 30]) {
      for (const le of [true, false]) {
        if (le) v6.writeUInt32LE(fam, 0);
        else v6.writeUInt32BE(fam, 0);
        expect(dec.decode(record(LinkType.NULL, v6), newPacket())).toBe(DecodeStatus.TCP);
      }
    }
    v4.writeUInt32BE(2, 0);
    expect(dec.decode(record(LinkType.NULL, v4), newPacket())).toBe(DecodeStatus.TCP);
  });

  it('hand-built LOOP (108), network order AF_INET6 (24)', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.LOOP_IPV6), p)).toBe(DecodeStatus.TCP);
    expect(p.ipVersion).toBe(6);
  });

  it('hand-built unknown family (AF_APPLETALK 16) is NON_IP; short header is malformed', () => {
    const b = bytesOf(P.NULL_LE_IPV4);
    b.writeUInt32LE(16, 0);
    const dec = new Decoder();
    expect(dec.decode(record(LinkType.NULL, b), newPacket())).toBe(DecodeStatus.NON_IP);
    expect(dec.decode(handBuilt(P.LOOP_IPV6, { captured: 3 }), newPacket())).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'loopback-truncated': 1 });
  });

  it('family helpers', () => {
    expect(nullFamily(Buffer.from([2, 0, 0, 0]), 0)).toBe(2);
    expect(nullFamily(Buffer.from([0, 0, 0, 2]), 0)).toBe(2);
    expect(nullFamily(Buffer.from([0, 0, 0, 30]), 0)).toBe(30);
    expect([2, 24, 28, 30, 7].map(familyIpVersion)).toEqual([4, 6, 6, 6, 0]);
  });
});
