/**
 * ICMP/ICMPv6 destination unreachable quoting TCP (src/decode/icmp.ts) and the tracker's use of it
 * (TcpTracker.icmp), on the real lab captures of fixtures/lab/scenarios/22-icmp-reject.sh. The
 * expected values are what tshark shows for those frames (check-truth.py reads them the same way):
 *   client side  #19  192.0.2.1 -> 192.0.2.10  ICMP 3/3  quoting 192.0.2.10:40130 -> 198.51.100.20:30100
 *                #42  192.0.2.1                ICMP 3/13 quoting 192.0.2.10:40132 -> 198.51.100.21:30101
 *                #97  2001:db8:c::1            ICMPv6 1/4 quoting [2001:db8:c::10]:40134 -> [2001:db8:5::20]:30110
 *                #120 2001:db8:c::1            ICMPv6 1/1 quoting [2001:db8:c::10]:40135 -> [2001:db8:5::21]:30111
 * Variants (a copy of a real frame with one byte changed) are named as such.
 */
import { describe, it, expect } from 'vitest';
import { Decoder, DecodeStatus, formatIp, icmpCodeText, newPacket, type Packet } from '../../src/decode/index.js';
import { TcpTracker, connectionJson } from '../../src/tcp/index.js';
import type { ConnectionSummary } from '../../src/tcp/index.js';
import type { CaptureRecord } from '../../src/capture/record.js';
import { readPcap } from './helpers.js';

const CLIENT = 'fixtures/22-icmp-reject-client.pcap';

function quoteOf(p: Packet) {
  return {
    sender: formatIp(p.icmpSender),
    type: p.icmpType,
    code: p.icmpCode,
    src: formatIp(p.src),
    srcPort: p.srcPort,
    dst: formatIp(p.dst),
    dstPort: p.dstPort,
    seq: p.seq,
  };
}

/** A record over a private copy of `rec`'s bytes, `edit`ed (a variant of a real frame). */
function variant(rec: CaptureRecord, edit: (b: Buffer) => void, captured = rec.capturedLength): CaptureRecord {
  const b = Buffer.from(rec.buf.subarray(rec.offset, rec.offset + rec.capturedLength));
  edit(b);
  return Object.assign(Object.create(Object.getPrototypeOf(rec) as object) as CaptureRecord, rec, { buf: b, offset: 0, capturedLength: captured, originalLength: captured });
}

describe('ICMP destination unreachable quoting TCP', () => {
  const pcap = readPcap(CLIENT);
  const frame = (n: number): CaptureRecord => pcap.records[n - 1];

  it('real frames: sender, type, code and the quoted segment', () => {
    const dec = new Decoder();
    const p = newPacket();
    const got = [19, 42, 97, 120].map((n) => {
      expect(dec.decode(frame(n), p)).toBe(DecodeStatus.ICMP);
      expect(p.icmpQuote).toBe(true);
      return quoteOf(p);
    });
    expect(got).toMatchObject([
      { sender: '192.0.2.1', type: 3, code: 3, src: '192.0.2.10', srcPort: 40130, dst: '198.51.100.20', dstPort: 30100 },
      { sender: '192.0.2.1', type: 3, code: 13, src: '192.0.2.10', srcPort: 40132, dst: '198.51.100.21', dstPort: 30101 },
      { sender: '2001:db8:c::1', type: 1, code: 4, src: '2001:db8:c::10', srcPort: 40134, dst: '2001:db8:5::20', dstPort: 30110 },
      { sender: '2001:db8:c::1', type: 1, code: 1, src: '2001:db8:c::10', srcPort: 40135, dst: '2001:db8:5::21', dstPort: 30111 },
    ]);
    // The quoted sequence number is the SYN's (frame 18 for frame 19).
    dec.decode(frame(18), p);
    const synSeq = p.seq;
    dec.decode(frame(19), p);
    expect(p.seq).toBe(synSeq);
    // Every other packet of the capture leaves icmpQuote false (TCP, neighbour discovery, MLD).
    const quotes = pcap.records.filter((r) => (dec.decode(r, p), p.icmpQuote)).map((r) => r.frame);
    expect(quotes).toEqual([19, 23, 42, 97, 100, 120, 123]);
  });

  it('variants of a real frame that are not a rejection are not taken', () => {
    const dec = new Decoder();
    const p = newPacket();
    const f19 = frame(19);
    const icmpAt = 14 + 20; // Ethernet, then the outer IPv4 header (no options)
    // type 3 code 4: fragmentation needed (path MTU discovery, RFC 1191), not a rejection
    expect(dec.decode(variant(f19, (b) => (b[icmpAt + 1] = 4)), p)).toBe(DecodeStatus.ICMP);
    expect(p.icmpQuote).toBe(false);
    // type 11 (time exceeded) quoting the same SYN
    dec.decode(variant(f19, (b) => (b[icmpAt] = 11)), p);
    expect(p.icmpQuote).toBe(false);
    // the quoted protocol is UDP
    dec.decode(variant(f19, (b) => (b[icmpAt + 8 + 9] = 17)), p);
    expect(p.icmpQuote).toBe(false);
    // cut one byte short of the quoted sequence number
    dec.decode(variant(f19, () => {}, icmpAt + 8 + 20 + 7), p);
    expect(p.icmpQuote).toBe(false);
    // and exactly at it: taken
    dec.decode(variant(f19, () => {}, icmpAt + 8 + 20 + 8), p);
    expect(p.icmpQuote).toBe(true);
  });

  it('codes in words', () => {
    expect(icmpCodeText(4, 13)).toBe('ICMP administratively prohibited');
    expect(icmpCodeText(4, 3)).toBe('ICMP port unreachable');
    expect(icmpCodeText(6, 1)).toBe('ICMPv6 administratively prohibited');
    expect(icmpCodeText(6, 4)).toBe('ICMPv6 port unreachable');
    expect(icmpCodeText(6, 99)).toBe('ICMPv6 destination unreachable code 99');
  });
});

describe('TcpTracker.icmp', () => {
  const pcap = readPcap(CLIENT);

  function track(edit?: (rec: CaptureRecord) => CaptureRecord): ConnectionSummary[] {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    const dec = new Decoder();
    const p = newPacket();
    for (const r0 of pcap.records) {
      const r = edit ? edit(r0) : r0;
      const st = dec.decode(r, p);
      if (st === DecodeStatus.TCP) t.packet(p);
      else if (p.icmpQuote) t.icmp(p);
    }
    t.finish();
    return out;
  }

  it('records the rejection on the quoted connection, with the quoted direction', () => {
    const byPort = new Map(track().map((s) => [s.orig.port, s]));
    expect(byPort.get(40130)?.rejection).toMatchObject({ from: '192.0.2.1', version: 4, type: 3, code: 3, text: 'ICMP port unreachable', frame: 19, quoted: 0 });
    expect(byPort.get(40135)?.rejection).toMatchObject({ from: '2001:db8:c::1', version: 6, type: 1, code: 1, frame: 120, quoted: 0 });
    // The control connections were never quoted.
    expect(byPort.get(40120)?.rejection).toBeNull();
    // `ftp-pcap connections` carries it (only where there is one).
    expect(connectionJson(byPort.get(40132)!)).toMatchObject({ rejection: { from: '192.0.2.1', code: 13, frame: 42 } });
    expect(connectionJson(byPort.get(40120)!)).not.toHaveProperty('rejection');
  });

  it('a quoted SYN the capture lost (frame 18 left out) is tracked from the quote, then rejected', () => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (x) => out.push(x) } });
    const dec = new Decoder();
    const p = newPacket();
    for (const r of pcap.records) {
      if (r.frame === 18) continue;
      if (dec.decode(r, p) === DecodeStatus.TCP) t.packet(p);
      else if (p.icmpQuote) t.icmp(p);
    }
    t.finish();
    const c = out.find((x) => x.orig.port === 40130);
    expect(c).toMatchObject({ state: 'S0', synFrame: 19, synRetransmits: 0, rejection: { from: '192.0.2.1', code: 3, frame: 19, quoted: 0 } });
    // The IPv6 connection's second ICMP (frame 100, quoting the retransmitted SYN) adds no SYN.
    expect(out.find((x) => x.orig.port === 40134)).toMatchObject({ synRetransmits: 1, rejection: { frame: 97 } });
  });

  it('an ICMP message quoting a sequence number the SYN did not use is not believed (variant)', () => {
    // Variant: frame 19's quoted sequence number + 1024 (its third byte + 4).
    const seqAt = 14 + 20 + 8 + 20 + 4;
    const summaries = track((r) => (r.frame === 19 ? variant(r, (b) => (b[seqAt + 2] = (b[seqAt + 2] + 4) & 0xff)) : r));
    const c = summaries.find((s) => s.orig.port === 40130);
    expect(c?.rejection).toBeNull();
    expect(c?.state).toBe('S0');
  });
});
