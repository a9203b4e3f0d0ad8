import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LinkType } from '../../src/capture/record.js';
import {
  Decoder,
  DecodeStatus,
  REASON_NAMES,
  Reason,
  STATUS_NAMES,
  newPacket,
  packetTcpOptions,
  reasonKind,
  type ReasonName,
} from '../../src/decode/index.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

const ALL = Object.entries(P).filter((e): e is [string, P.HandBuilt] => typeof e[1] === 'object');

describe('Decoder', () => {
  it('every hand-built packet decodes to what tcpdump showed', () => {
    const want: Record<string, number> = {
      ETH_ARP: DecodeStatus.NON_IP,
      ETH_8023_STP: DecodeStatus.NON_IP,
      IPV4_UDP: DecodeStatus.UDP,
      IPV6_ICMPV6: DecodeStatus.ICMP,
      IPV6_NO_NEXT: DecodeStatus.OTHER_IP,
    };
    const dec = new Decoder();
    for (const [name, pkt] of ALL) {
      expect(dec.decode(handBuilt(pkt), newPacket()), name).toBe(want[name] ?? DecodeStatus.TCP);
    }
    expect(dec.counters()).toEqual({});
  });

  it('unknown link types are counted per value', () => {
    const dec = new Decoder();
    const p = newPacket();
    const b = bytesOf(P.RAW_IPV4);
    expect(dec.decode(record(147, b), p)).toBe(DecodeStatus.UNSUPPORTED_LINK);
    expect(dec.decode(record(147, b), p)).toBe(DecodeStatus.UNSUPPORTED_LINK);
    expect(dec.decode(record(9, b), p)).toBe(DecodeStatus.UNSUPPORTED_LINK);
    expect(dec.counters()).toEqual({ 'unsupported-link-type-147': 2, 'unsupported-link-type-9': 1 });
    expect(dec.statuses()['unsupported-link']).toBe(3);
  });

  it('statuses() names every status and counts each decode once', () => {
    const dec = new Decoder();
    const p = newPacket();
    dec.decode(handBuilt(P.ETH_IPV4_TCP_USER), p);
    dec.decode(handBuilt(P.ETH_IPV4_TCP_USER), p);
    dec.decode(handBuilt(P.IPV4_UDP), p);
    dec.decode(handBuilt(P.ETH_ARP), p);
    dec.decode(handBuilt(P.ETH_IPV4_TCP_USER, { captured: 5 }), p);
    expect(dec.statuses()).toEqual({
      tcp: 2,
      udp: 1,
      icmp: 0,
      'other-ip': 0,
      'non-ip': 1,
      'fragment-pending': 0,
      malformed: 1,
      'unsupported-link': 0,
    });
    expect(STATUS_NAMES[DecodeStatus.FRAGMENT_PENDING]).toBe('fragment-pending');
  });

  it('the packet is reset between records: nothing leaks from the previous one', () => {
    const dec = new Decoder();
    const p = newPacket();
    dec.decode(handBuilt(P.ETH_VLAN_STACK), p);
    expect(p.srcPort).toBe(50000);
    expect(dec.decode(handBuilt(P.ETH_ARP), p)).toBe(DecodeStatus.NON_IP);
    const fresh = { ...newPacket(), buf: p.buf, capEnd: p.capEnd, frame: 1, tsSec: 1_700_000_000, linkType: 1 };
    expect({ ...p, src: [...p.src], dst: [...p.dst] }).toEqual({ ...fresh, src: [], dst: [] });
  });

  it('src/dst are the decoder\'s buffers: valid until the next decode', () => {
    const dec = new Decoder();
    const p = newPacket();
    dec.decode(handBuilt(P.RAW_IPV4), p);
    const src = p.src;
    expect([...src]).toEqual([192, 0, 2, 10]);
    const b = bytesOf(P.RAW_IPV4);
    b.writeUInt32BE(0x0a000001, 12);
    dec.decode(record(LinkType.RAW, b), p);
    expect([...p.src]).toEqual([10, 0, 0, 1]);
    expect(p.src4).toBe(0x0a000001);
  });

  it('reason names are unique, dense, and kebab-case', () => {
    expect(new Set(REASON_NAMES).size).toBe(REASON_NAMES.length);
    REASON_NAMES.forEach((n, i) => expect(Reason[n]).toBe(i));
    for (const n of REASON_NAMES) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('reason kinds: the MALFORMED status is counted by exactly the malformed reasons', () => {
    expect(reasonKind('ipv4-truncated')).toBe('malformed');
    expect(reasonKind('frag-snap-cut')).toBe('malformed');
    expect(reasonKind('tcp-options-snap-cut')).toBe('noted');
    expect(reasonKind('frag-expired')).toBe('fragment');
    const dec = new Decoder();
    const p = newPacket();
    for (const [, pkt] of ALL) {
      const b = bytesOf(pkt);
      for (let cut = 0; cut <= b.length; cut += 3) dec.decode(record(pkt.linkType, b, { captured: cut }), p);
    }
    const c = dec.counters();
    const malformed = Object.entries(c)
      .filter(([n]) => reasonKind(n as ReasonName) === 'malformed')
      .reduce((a, [, n]) => a + n, 0);
    expect(malformed).toBeGreaterThan(0);
    expect(malformed).toBe(dec.statuses().malformed);
  });

  it('property: any cut or corruption of any hand-built packet never throws and stays in bounds', () => {
    const linkTypes = [0, 1, 101, 108, 113, 228, 229, 276];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ALL.length - 1 }),
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(200),
        fc.nat(300),
        fc.integer({ min: 0, max: linkTypes.length }),
        (which, flips, cut, orig, lt) => {
          const pkt = ALL[which][1];
          const b = bytesOf(pkt);
          for (const [at, v] of flips) if (at < b.length) b[at] = v;
          const captured = Math.min(cut, b.length);
          const linkType = lt < linkTypes.length ? linkTypes[lt] : pkt.linkType;
          const rec = record(linkType, b, { captured, original: orig });
          const dec = new Decoder();
          const p = newPacket();
          const st = dec.decode(rec, p);
          expect(st).toBeGreaterThanOrEqual(0);
          expect(st).toBeLessThanOrEqual(7);
          const malformed = Object.entries(dec.counters())
            .filter(([n]) => reasonKind(n as ReasonName) === 'malformed')
            .reduce((a, [, n]) => a + n, 0);
          expect(malformed).toBe(st === DecodeStatus.MALFORMED ? 1 : 0);
          if (st === DecodeStatus.TCP && !p.reassembled) {
            const end = rec.offset + captured;
            expect(p.capEnd).toBeLessThanOrEqual(end);
            expect(p.payloadOff).toBeGreaterThanOrEqual(rec.offset);
            expect(p.payloadOff + p.payloadLength).toBeLessThanOrEqual(end);
            expect(p.payloadWireLength).toBeGreaterThanOrEqual(p.payloadLength);
            expect(p.seq).toBeGreaterThanOrEqual(0);
            expect(p.ack).toBeGreaterThanOrEqual(0);
            packetTcpOptions(p);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
