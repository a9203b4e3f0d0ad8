/**
 * The lab's captures (fixtures/*.pcap, every link type and VLAN variant the lab makes) decoded
 * packet by packet and compared with tshark's view, recorded by data/fixtures-tshark.sh (CI has
 * no tshark). A capture the lab has remade since (another sha256) is skipped until that script
 * is rerun; one that is gone is skipped too.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import { readPcap } from './helpers.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

interface Recorded {
  file: string;
  sha256: string;
  rows: string[][];
}

function recorded(): Recorded[] {
  const text = gunzipSync(readFileSync(here('./data/fixtures.tshark.txt.gz'))).toString('utf8');
  const out: Recorded[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const [file, sha256] = line.slice(1).split(' ');
      out.push({ file, sha256, rows: [] });
    } else if (line.length > 0) {
      out[out.length - 1].rows.push(line.split('|'));
    }
  }
  return out;
}

const C = {
  frame: 0, len: 1, capLen: 2, sTag: 3, cTag: 4, ipSrc: 5, ipDst: 6, ip6Src: 7, ip6Dst: 8,
  sport: 9, dport: 10, seq: 11, ack: 12, flags: 13, tcpLen: 14, usport: 15, udport: 16,
} as const;

const first = (s: string): string => s.split(',')[0];

describe('lab captures against tshark', () => {
  for (const r of recorded()) {
    const path = here(`../../fixtures/${r.file}`);
    const present = existsSync(path);
    const same = present && createHash('sha256').update(readFileSync(path)).digest('hex') === r.sha256;
    it.skipIf(!same)(`${r.file}${same ? '' : ' (remade or gone: rerun test/decode/data/fixtures-tshark.sh)'}`, () => {
      const pcap = readPcap(path);
      expect(pcap.records.length).toBe(r.rows.length);
      const dec = new Decoder();
      const p = newPacket();
      let tcp = 0;
      for (let i = 0; i < r.rows.length; i++) {
        const row = r.rows[i];
        const rec = pcap.records[i];
        const st = dec.decode(rec, p);
        const where = `${r.file} frame ${row[C.frame]}`;
        expect(rec.originalLength, where).toBe(Number(row[C.len]));
        const tags = [row[C.sTag], row[C.cTag]].filter((t) => t !== '').join(',');
        expect(p.vlanIds.join(','), where).toBe(tags);
        const v4 = row[C.ipSrc] !== '';
        const v6 = row[C.ip6Src] !== '';
        if (!v4 && !v6) {
          expect(st, where).toBe(DecodeStatus.NON_IP);
          continue;
        }
        expect(p.ipVersion, where).toBe(v4 ? 4 : 6);
        expect(formatIp(p.src), where).toBe(first(v4 ? row[C.ipSrc] : row[C.ip6Src]));
        expect(formatIp(p.dst), where).toBe(first(v4 ? row[C.ipDst] : row[C.ip6Dst]));
        // An ICMP error quotes an inner header: tshark lists both, the packet is ICMP.
        const quoted = row[C.ipSrc].includes(',') || row[C.ip6Src].includes(',');
        if (row[C.sport] !== '' && !quoted) {
          expect(st, where).toBe(DecodeStatus.TCP);
          tcp++;
          expect(p.srcPort, where).toBe(Number(row[C.sport]));
          expect(p.dstPort, where).toBe(Number(row[C.dport]));
          expect(p.seq, where).toBe(Number(row[C.seq]));
          expect(p.ack, where).toBe(Number(row[C.ack]));
          expect(p.flags, where).toBe(Number(row[C.flags]));
          expect(p.payloadWireLength, where).toBe(Number(row[C.tcpLen]));
        } else if (row[C.usport] !== '' && !quoted) {
          expect(st, where).toBe(DecodeStatus.UDP);
          expect(p.srcPort, where).toBe(Number(row[C.usport]));
          expect(p.dstPort, where).toBe(Number(row[C.udport]));
        } else {
          expect(st, where).not.toBe(DecodeStatus.TCP);
          expect(st, where).not.toBe(DecodeStatus.MALFORMED);
        }
      }
      expect(tcp).toBeGreaterThan(0);
      expect(dec.counters()).toEqual({});
    });
  }
});
