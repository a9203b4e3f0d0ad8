/**
 * Real captures (test/decode/data, recipe in make.sh) decoded field by field and compared with
 * tshark's view of the same files, recorded next to them (CI has no tshark).
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Decoder, DecodeStatus, formatIp, newPacket, packetTcpOptions } from '../../src/decode/index.js';
import { readPcap, readTsharkFields } from './helpers.js';

const data = (name: string): string => fileURLToPath(new URL(`./data/${name}`, import.meta.url));

// Columns of the TCP dumps, in make.sh's order.
const F = {
  frame: 0, len: 1, capLen: 2, ipSrc: 3, ipDst: 4, ip6Src: 5, ip6Dst: 6, sport: 7, dport: 8,
  seq: 9, ack: 10, flags: 11, window: 12, hdrLen: 13, tcpLen: 14, mss: 15, wscale: 16,
  tsval: 17, tsecr: 18,
} as const;

const TCP_CAPTURES = [
  { file: 'lo-ipv4', linkType: 1, ip: 4 },
  { file: 'lo-ipv6', linkType: 1, ip: 6 },
  { file: 'any-sll', linkType: 113, ip: 4 },
  { file: 'any-sll2', linkType: 276, ip: 6 },
  { file: 'lo-snap80', linkType: 1, ip: 4 },
] as const;

describe('real captures against tshark', () => {
  for (const c of TCP_CAPTURES) {
    it(`${c.file}: every field tshark shows`, () => {
      const pcap = readPcap(data(`${c.file}.pcap`));
      const rows = readTsharkFields(data(`${c.file}.tshark.txt`));
      expect(pcap.linkType).toBe(c.linkType);
      expect(pcap.records.length).toBe(rows.length);
      expect(rows.length).toBeGreaterThan(10);
      const dec = new Decoder();
      const p = newPacket();
      let snapCut = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const rec = pcap.records[i];
        expect(rec.frame).toBe(Number(r[F.frame]));
        expect(rec.originalLength).toBe(Number(r[F.len]));
        expect(rec.capturedLength).toBe(Number(r[F.capLen]));
        expect(dec.decode(rec, p)).toBe(DecodeStatus.TCP);
        expect(p.ipVersion).toBe(c.ip);
        if (c.ip === 4) {
          expect(formatIp(p.src)).toBe(r[F.ipSrc]);
          expect(formatIp(p.dst)).toBe(r[F.ipDst]);
          expect(p.src4).toBe(0x7f000001);
        } else {
          expect(formatIp(p.src)).toBe(r[F.ip6Src]);
          expect(formatIp(p.dst)).toBe(r[F.ip6Dst]);
        }
        expect(p.protocol).toBe(6);
        expect(p.srcPort).toBe(Number(r[F.sport]));
        expect(p.dstPort).toBe(Number(r[F.dport]));
        expect(p.seq).toBe(Number(r[F.seq]));
        expect(p.ack).toBe(Number(r[F.ack]));
        expect(p.flags).toBe(Number(r[F.flags]));
        expect(p.window).toBe(Number(r[F.window]));
        expect(p.tcpHeaderLength).toBe(Number(r[F.hdrLen]));
        expect(p.payloadWireLength).toBe(Number(r[F.tcpLen]));
        // What is present: the captured bytes after the headers, never past the record.
        const present = rec.offset + rec.capturedLength - p.payloadOff;
        expect(p.payloadLength).toBe(Math.min(Number(r[F.tcpLen]), present));
        if (p.payloadLength < p.payloadWireLength) snapCut++;
        expect(p.payloadOff + p.payloadLength).toBeLessThanOrEqual(rec.offset + rec.capturedLength);
        const o = packetTcpOptions(p);
        expect(o.mss ?? '').toBe(r[F.mss] === '' ? '' : Number(r[F.mss]));
        expect(o.windowScale ?? '').toBe(r[F.wscale] === '' ? '' : Number(r[F.wscale]));
        expect(o.timestamp?.value ?? '').toBe(r[F.tsval] === '' ? '' : Number(r[F.tsval]));
        expect(o.timestamp?.echo ?? '').toBe(r[F.tsecr] === '' ? '' : Number(r[F.tsecr]));
      }
      if (c.file === 'lo-snap80') expect(snapCut).toBeGreaterThan(0);
      expect(dec.counters()).toEqual({});
      expect(dec.statuses().tcp).toBe(rows.length);
    });
  }

  it('lo-ipv4: the FTP control payloads read as text', () => {
    const pcap = readPcap(data('lo-ipv4.pcap'));
    const dec = new Decoder();
    const p = newPacket();
    const lines: string[] = [];
    for (const rec of pcap.records) {
      dec.decode(rec, p);
      if (p.payloadLength > 0 && (p.srcPort === 2121 || p.dstPort === 2121)) {
        lines.push(p.buf.toString('latin1', p.payloadOff, p.payloadOff + p.payloadLength));
      }
    }
    const text = lines.join('');
    expect(text).toMatch(/^220 /);
    expect(text).toContain('USER anonymous\r\n');
    expect(text).toContain('RETR hello.txt\r\n');
    expect(text).toMatch(/PORT 127,0,0,1,\d+,\d+\r\n/);
  });

  it('eth-frag: IPv4 and IPv6 fragments reassembled as tshark does', () => {
    const pcap = readPcap(data('eth-frag.pcap'));
    const rows = readTsharkFields(data('eth-frag.tshark.txt'));
    expect(pcap.records.length).toBe(rows.length);
    const dec = new Decoder();
    const p = newPacket();
    let whole = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const st = dec.decode(pcap.records[i], p);
      const v6 = r[3] !== '';
      expect(formatIp(p.src)).toBe(v6 ? r[3] : r[1]);
      expect(formatIp(p.dst)).toBe(v6 ? r[4] : r[2]);
      const more = v6 ? r[8] : r[5];
      if (more === '1') {
        expect(st).toBe(DecodeStatus.FRAGMENT_PENDING);
        continue;
      }
      expect(st).toBe(DecodeStatus.UDP);
      expect(p.reassembled).toBe(true);
      expect(p.srcPort).toBe(Number(r[9]));
      expect(p.dstPort).toBe(Number(r[10]));
      expect(p.payloadWireLength).toBe(Number(r[11]) - 8);
      expect(p.payloadLength).toBe(Number(r[11]) - 8);
      // make.sh sent bytes 0..255 repeated.
      for (let k = 0; k < p.payloadLength; k++) expect(p.buf[p.payloadOff + k]).toBe(k & 0xff);
      whole++;
    }
    expect(whole).toBe(2);
    expect(dec.counters()).toEqual({ 'frag-reassembled': 2 });
  });
});
