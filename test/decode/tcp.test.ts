import { describe, it, expect } from 'vitest';
import { LinkType } from '../../src/capture/record.js';
import {
  Decoder,
  DecodeStatus,
  TcpFlag,
  newPacket,
  packetTcpOptions,
  parseTcpOptions,
} from '../../src/decode/index.js';
import { TcpView } from '../../src/decode/tcp.js';
import { bytesOf, handBuilt, record } from './helpers.js';
import * as P from './packets.js';

// P.RAW_IPV4: IPv4 0..20, TCP 20..40 (data offset at 32, flags at 33), payload 40..56.
const DATA_OFF = 32;

function run(b: Buffer, o: Parameters<typeof record>[2] = {}) {
  const dec = new Decoder();
  const p = newPacket();
  const st = dec.decode(record(LinkType.RAW, b, o), p);
  return { st, dec, p };
}

describe('TCP header', () => {
  it('view reads ports, unsigned seq/ack, flags, window', () => {
    const b = bytesOf(P.RAW_IPV4);
    const t = new TcpView();
    expect(t.reset(b, 20, 39)).toBe(false);
    expect(t.reset(b, 20, b.length)).toBe(true);
    expect(t).toMatchObject({ srcPort: 50000, dstPort: 21, seq: 4294967280, ack: 2147483649, headerLength: 20, flags: TcpFlag.PSH | TcpFlag.ACK, window: 502 });
  });

  it('hand-built SYN: flags, options on demand', () => {
    const dec = new Decoder();
    const p = newPacket();
    expect(dec.decode(handBuilt(P.ETH_IPV4_TCP_SYN), p)).toBe(DecodeStatus.TCP);
    expect(p.flags).toBe(TcpFlag.SYN);
    expect(p.seq).toBe(0x9abcdef0);
    expect(p.tcpHeaderLength).toBe(40);
    expect(p.payloadLength).toBe(0);
    expect(packetTcpOptions(p)).toEqual({
      mss: 1460,
      sackPermitted: true,
      sackBlocks: [],
      timestamp: { value: 0x01020304, echo: 0 },
      windowScale: 7,
      malformed: false,
    });
  });

  it('hand-built all eight flag bits', () => {
    const b = bytesOf(P.RAW_IPV4);
    b[33] = 0xff;
    expect(run(b).p.flags).toBe(0xff);
  });

  it('hand-built data offset 4 and data offset past the segment → tcp-bad-data-offset', () => {
    const b = bytesOf(P.RAW_IPV4);
    b[DATA_OFF] = 0x40;
    expect(run(b).dec.counters()).toEqual({ 'tcp-bad-data-offset': 1 });
    b[DATA_OFF] = 0xf0; // 60 bytes, the segment has 36
    const { st, dec } = run(b);
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'tcp-bad-data-offset': 1 });
  });

  it('hand-built segment shorter than 20 bytes on the wire → tcp-truncated', () => {
    const b = bytesOf(P.RAW_IPV4);
    b.writeUInt16BE(20 + 19, 2);
    expect(run(b).dec.counters()).toEqual({ 'tcp-truncated': 1 });
  });

  it('hand-built TCP header cut by the snap length → tcp-header-snap-cut', () => {
    const { st, dec } = run(bytesOf(P.RAW_IPV4), { captured: 30 });
    expect(st).toBe(DecodeStatus.MALFORMED);
    expect(dec.counters()).toEqual({ 'tcp-header-snap-cut': 1 });
  });

  it('hand-built options cut by the snap length: header kept, payload absent, options parsed as far as present', () => {
    const b = bytesOf(P.ETH_IPV4_TCP_SYN);
    const dec = new Decoder();
    const p = newPacket();
    // 14 + 20 + 20 fixed + 6 option bytes (MSS and SACK-permitted) present.
    expect(dec.decode(record(LinkType.ETHERNET, b, { captured: 60 }), p)).toBe(DecodeStatus.TCP);
    expect(p.tcpHeaderLength).toBe(40);
    expect(p.payloadLength).toBe(0);
    expect(p.payloadWireLength).toBe(0);
    expect(dec.counters()).toEqual({ 'tcp-options-snap-cut': 1 });
    const o = packetTcpOptions(p);
    expect(o.mss).toBe(1460);
    expect(o.sackPermitted).toBe(true);
    expect(o.timestamp).toBeUndefined();
    expect(o.malformed).toBe(false);
  });
});

describe('parseTcpOptions', () => {
  it('hand-built SACK blocks with unsigned edges', () => {
    // NOP NOP SACK(len 18) [0xfffffff0, 0x00000010) [0x80000000, 0x80000100)
    const b = Buffer.from('01010512fffffff0000000108000000080000100', 'hex');
    expect(parseTcpOptions(b, 0, b.length)).toEqual({
      sackPermitted: false,
      sackBlocks: [
        { left: 0xfffffff0, right: 0x10 },
        { left: 0x80000000, right: 0x80000100 },
      ],
      malformed: false,
    });
  });

  it('EOL stops, unknown kinds are skipped by length', () => {
    // TCP-AO-like unknown kind 29 len 4, MSS 536, EOL, then garbage
    const b = Buffer.from('1d04abcd02040218' + '00' + 'ffff', 'hex');
    expect(parseTcpOptions(b, 0, b.length)).toEqual({ mss: 536, sackPermitted: false, sackBlocks: [], malformed: false });
  });

  it('hand-built malformed lists never throw and keep what came before', () => {
    const cases: [string, Partial<{ mss: number; windowScale: number }>][] = [
      ['020405b40301', { mss: 1460 }], // window scale with length 1
      ['020405b40308', { mss: 1460 }], // length past the end
      ['020405b403', { mss: 1460 }], // kind without length byte
      ['0203050301', {}], // MSS with length 3, then window scale cut
      ['0502', {}], // SACK with no block
      ['080a0102', {}], // timestamps cut
    ];
    for (const [h, want] of cases) {
      const b = Buffer.from(h, 'hex');
      const o = parseTcpOptions(b, 0, b.length);
      expect(o.malformed, h).toBe(true);
      expect(o.mss, h).toBe(want.mss);
    }
  });

  it('reads only within [off, off + len) even when the buffer goes on', () => {
    const b = Buffer.from('ffff' + '020405b4' + '0303' + '07', 'hex');
    const o = parseTcpOptions(b, 2, 4);
    expect(o).toEqual({ mss: 1460, sackPermitted: false, sackBlocks: [], malformed: false });
    expect(parseTcpOptions(b, 2, 7).windowScale).toBe(7);
  });
});
