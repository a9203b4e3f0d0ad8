/**
 * Tunnels (src/decode/tunnel.ts and the decoder's walk through them): every encapsulation of
 * test/helpers/tunnel.ts around hand-built packets decodes to the same inner packet as the plain
 * one, is counted under its name, and a damaged or unknown header is counted, never thrown.
 * Real captures under every encapsulation: test/pipeline/tunnels.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, encapNames, newPacket, reasonKind, type Packet, type ReasonName } from '../../src/decode/index.js';
import { MAX_TUNNEL_DEPTH } from '../../src/limits.js';
import type { PlainRecord } from '../helpers/capture.js';
import { WRAPPINGS, wrapRecords, type Wrapping } from '../helpers/tunnel.js';
import { bytesOf, hex, record } from './helpers.js';
import * as P from './packets.js';

function plain(p: P.HandBuilt, frame = 1): PlainRecord {
  const data = bytesOf(p);
  return { frame, tsSec: 1_700_000_000, tsNsec: 0, linkType: p.linkType, interfaceId: 0, capturedLength: data.length, originalLength: data.length, fileOffset: 0, input: 0, data };
}

/** What the inner packet is, whatever carried it. */
function inner(p: Packet) {
  return {
    ipVersion: p.ipVersion,
    src: [...p.src],
    dst: [...p.dst],
    src4: p.src4,
    dst4: p.dst4,
    protocol: p.protocol,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    seq: p.seq,
    ack: p.ack,
    flags: p.flags,
    window: p.window,
    tcpHeaderLength: p.tcpHeaderLength,
    payloadWireLength: p.payloadWireLength,
    payload: p.buf.subarray(p.payloadOff, p.payloadOff + p.payloadLength).toString('latin1'),
  };
}

function decodeOne(data: Buffer, dec = new Decoder(), o: { captured?: number; original?: number } = {}): { st: number; p: Packet; dec: Decoder } {
  const p = newPacket();
  const st = dec.decode(record(LinkType.ETHERNET, data, o), p);
  return { st, p, dec };
}

/** The encapsulation names each wrapping is counted under. */
const NAMES: Record<Wrapping, string[]> = {
  vxlan: ['vxlan'],
  'vxlan-8472': ['vxlan'],
  'vxlan-vlan': ['vxlan'],
  geneve: ['geneve'],
  'geneve-ip': ['geneve'],
  gre: ['gre'],
  'gre-teb': ['gre'],
  'gre-mpls': ['gre', 'mpls'],
  erspan1: ['gre', 'erspan-1'],
  erspan2: ['gre', 'erspan-2'],
  erspan3: ['gre', 'erspan-3'],
  ipip: ['ipip'],
  ip6: ['4in6'],
  mpls: ['mpls'],
  'mpls-pw': ['mpls'],
  pppoe: ['pppoe'],
};

describe('tunnels', () => {
  const packets: [string, P.HandBuilt][] = [
    ['ETH_IPV4_TCP_USER', P.ETH_IPV4_TCP_USER],
    ['ETH_VLAN_STACK', P.ETH_VLAN_STACK],
    ['SLL2_IPV6_TCP', P.SLL2_IPV6_TCP],
    ['ETH_IPV4_TCP_ACK_PADDED', P.ETH_IPV4_TCP_ACK_PADDED],
  ];

  for (const w of WRAPPINGS) {
    it(`${w}: the inner packet is the packet, counted under ${NAMES[w].join(' + ')}`, () => {
      for (const [name, hb] of packets) {
        const clean = new Decoder();
        const want = newPacket();
        const rec = plain(hb);
        expect(clean.decode(record(hb.linkType, rec.data), want), name).toBe(DecodeStatus.TCP);
        const wrapped = wrapRecords([rec], w);
        expect(wrapped.records, name).toHaveLength(1);
        const { st, p, dec } = decodeOne(wrapped.records[0].data);
        expect(st, name).toBe(DecodeStatus.TCP);
        expect(inner(p), name).toEqual(inner(want));
        const names = w === 'ip6' && want.ipVersion === 6 ? ['6in6'] : w === 'ipip' && want.ipVersion === 6 ? ['6in4'] : NAMES[w];
        expect(encapNames(p.tunnels).sort(), name).toEqual([...names].sort());
        expect(dec.encapsulations(), name).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
        expect(dec.counters(), name).toEqual({});
      }
    });
  }

  it('a non-IP frame inside an Ethernet-carrying tunnel is non-IP, still counted as tunnelled', () => {
    const { st, dec } = decodeOne(wrapRecords([plain(P.ETH_ARP)], 'vxlan').records[0].data);
    expect(st).toBe(DecodeStatus.NON_IP);
    expect(dec.encapsulations()).toEqual({ vxlan: 1 });
  });

  it('VXLAN on 8472 and 4789 by default; other ports only when asked for', () => {
    const d8472 = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'vxlan-8472').records[0].data;
    const d4789 = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'vxlan').records[0].data;
    expect(decodeOne(d8472).st).toBe(DecodeStatus.TCP);
    const only8472 = new Decoder({ vxlanPorts: [8472] });
    expect(decodeOne(d4789, only8472).st).toBe(DecodeStatus.UDP);
    expect(decodeOne(d8472, only8472).st).toBe(DecodeStatus.TCP);
  });

  it('UDP to a tunnel port that does not hold that header is plain UDP', () => {
    // Outer Ethernet / IPv4 / UDP (offsets 14, 34) / VXLAN flags byte at 42, Geneve version at 42.
    const vx = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'vxlan').records[0].data;
    vx[42] = 0x00; // I flag clear: not a VNI (RFC 7348 §5)
    const r = decodeOne(vx);
    expect(r.st).toBe(DecodeStatus.UDP);
    expect(r.p).toMatchObject({ dstPort: 4789, tunnels: 0 });
    const gn = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'geneve').records[0].data;
    gn[42] |= 0x40; // version 1
    expect(decodeOne(gn).st).toBe(DecodeStatus.UDP);
  });

  it('GRE version 1 (PPTP) and RFC 1701 routing are other IP; a cut header is malformed', () => {
    const g = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'gre').records[0].data;
    const v1 = Buffer.from(g);
    v1[35] = 0x01;
    expect(decodeOne(v1).st).toBe(DecodeStatus.OTHER_IP);
    const routed = Buffer.from(g);
    routed[34] |= 0x40;
    expect(decodeOne(routed).st).toBe(DecodeStatus.OTHER_IP);
    // Key flag set: 8 bytes of GRE; 6 captured.
    const cut = decodeOne(g, new Decoder(), { captured: 34 + 6 });
    expect(cut.st).toBe(DecodeStatus.MALFORMED);
    expect(cut.dec.counters()).toEqual({ 'gre-truncated': 1 });
  });

  it('ERSPAN: a header of the wrong version is malformed; type III carries IP when its frame type says so', () => {
    const e2 = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'erspan2').records[0].data;
    e2[34 + 8] = 0x20; // ERSPAN header after GRE (4) + sequence (4): version 2 under 0x88BE
    const bad = decodeOne(e2);
    expect(bad.st).toBe(DecodeStatus.MALFORMED);
    expect(bad.dec.counters()).toEqual({ 'erspan-bad-version': 1 });

    // Type III without platform sub-header, frame type 2 (IP), built from the Ethernet one.
    const e3 = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'erspan3').records[0].data;
    const h = 34 + 8; // ERSPAN III header
    const ipOnly = Buffer.concat([e3.subarray(0, h + 12), e3.subarray(h + 12 + 8 + 14)]);
    ipOnly[h + 10] = 2 << 2; // FT = 2
    ipOnly[h + 11] &= 0xfe; // O = 0
    ipOnly.writeUInt16BE(ipOnly.length - 14, 16); // outer total length
    const r = decodeOne(ipOnly);
    expect(r.st).toBe(DecodeStatus.TCP);
    expect(r.p.payloadLength).toBe(16);
    expect(encapNames(r.p.tunnels).sort()).toEqual(['erspan-3', 'gre']);
  });

  it('an MPLS pseudowire without control word is not mistaken for one', () => {
    // Label (bottom of stack) then an Ethernet frame whose destination MAC starts with 0x00.
    const frame = bytesOf(P.ETH_IPV4_TCP_USER);
    expect(frame[0] >> 4).toBe(0);
    const data = Buffer.concat([hex('02000000000b02000000000a 8847 00010140'), frame]);
    expect(decodeOne(data).st).toBe(DecodeStatus.NON_IP);
  });

  it(`nesting stops at MAX_TUNNEL_DEPTH (${MAX_TUNNEL_DEPTH}): deeper is malformed, counted`, () => {
    const nest = (n: number): Buffer => {
      let recs = [plain(P.ETH_IPV4_TCP_USER)];
      for (let i = 0; i < n; i++) {
        const w = wrapRecords(recs, i % 2 === 0 ? 'vxlan' : 'gre');
        recs = [{ ...recs[0], linkType: 1, data: w.records[0].data, capturedLength: w.records[0].data.length, originalLength: w.records[0].data.length }];
      }
      return recs[0].data;
    };
    const ok = decodeOne(nest(MAX_TUNNEL_DEPTH));
    expect(ok.st).toBe(DecodeStatus.TCP);
    expect(ok.p.payloadLength).toBe(16);
    const deep = decodeOne(nest(MAX_TUNNEL_DEPTH + 1));
    expect(deep.st).toBe(DecodeStatus.MALFORMED);
    expect(deep.dec.counters()).toEqual({ 'tunnel-too-deep': 1 });
  });

  it('outer IPv4 fragments are reassembled, in either order; the packet is counted once', () => {
    const big = bytesOf(P.ETH_IPV4_TCP_USER);
    for (const reverse of [false, true]) {
      const w = wrapRecords([plain(P.ETH_IPV4_TCP_USER)], 'erspan3', { fragmentMtu: 60, reverseFragments: reverse });
      expect(w.records.length).toBeGreaterThan(2);
      expect(w.frameOf.slice(1)).toEqual(w.records.map(() => 1));
      const dec = new Decoder();
      const p = newPacket();
      const sts = w.records.map((r, i) => dec.decode(record(LinkType.ETHERNET, r.data, { frame: i + 1 }), p));
      expect(sts.slice(0, -1).every((s) => s === DecodeStatus.FRAGMENT_PENDING)).toBe(true);
      expect(sts[sts.length - 1]).toBe(DecodeStatus.TCP);
      expect(p).toMatchObject({ reassembled: true, srcPort: big.readUInt16BE(34), payloadLength: 16, frame: w.records.length });
      expect(dec.encapsulations()).toEqual({ gre: 1, 'erspan-3': 1 });
      expect(dec.counters()).toEqual({ 'frag-reassembled': 1 });
    }
  });

  it('property-style: every cut of every wrapped packet never throws, and MALFORMED is counted by one malformed reason', () => {
    for (const w of WRAPPINGS) {
      for (const [, hb] of packets) {
        const data = wrapRecords([plain(hb)], w).records[0].data;
        for (let cut = 0; cut <= data.length; cut++) {
          const { st, p, dec } = decodeOne(data, new Decoder(), { captured: cut });
          const malformed = Object.entries(dec.counters())
            .filter(([n]) => reasonKind(n as ReasonName) === 'malformed')
            .reduce((a, [, n]) => a + n, 0);
          expect(malformed, `${w} cut ${cut}`).toBe(st === DecodeStatus.MALFORMED ? 1 : 0);
          if (st === DecodeStatus.TCP) expect(p.payloadOff + p.payloadLength).toBeLessThanOrEqual(p.capEnd);
        }
      }
    }
  });
});
