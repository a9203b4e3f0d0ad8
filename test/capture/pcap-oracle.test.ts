/**
 * pcap-parser 0.2.1 is the independent oracle for classic pcap (docs/design.md §2): for every classic
 * microsecond pcap among the real captures (the lab's under fixtures/, the loopback ones under
 * test/), our reader must yield exactly the records pcap-parser yields.
 */
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { openSync, readSync, closeSync } from 'node:fs';
import { readAll, findFiles } from '../helpers/capture.js';

const require = createRequire(import.meta.url);
interface OraclePacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
const pcapp = require('pcap-parser') as {
  parse(path: string): { on(ev: 'packet', fn: (p: OraclePacket) => void): void; on(ev: 'end', fn: () => void): void; on(ev: 'error', fn: (e: Error) => void): void };
};

function oracle(path: string): Promise<OraclePacket[]> {
  return new Promise((resolve, reject) => {
    const out: OraclePacket[] = [];
    const p = pcapp.parse(path);
    p.on('packet', (pkt) => out.push({ header: { ...pkt.header }, data: Buffer.from(pkt.data) }));
    p.on('end', () => resolve(out));
    p.on('error', reject);
  });
}

/** Classic microsecond pcap: the only kind pcap-parser reads. */
function isClassicMicro(path: string): boolean {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  return b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b2c3d4;
}

const files = [...findFiles('fixtures', (n) => n.endsWith('.pcap')), ...findFiles('test', (n) => n.endsWith('.pcap'))].filter(isClassicMicro);

describe('classic pcap reader agrees with pcap-parser', () => {
  it('has real captures to compare', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, async () => {
      const [ours, theirs] = await Promise.all([readAll([f]), oracle(f)]);
      expect(ours.errors).toEqual([]);
      expect(ours.records.length).toBe(theirs.length);
      for (let i = 0; i < theirs.length; i++) {
        const a = ours.records[i];
        const b = theirs[i];
        expect(a.frame).toBe(i + 1);
        expect(a.tsSec).toBe(b.header.timestampSeconds);
        expect(a.tsNsec).toBe(b.header.timestampMicroseconds * 1000);
        expect(a.capturedLength).toBe(b.header.capturedLength);
        expect(a.originalLength).toBe(b.header.originalLength);
        expect(a.data.equals(b.data)).toBe(true);
      }
    });
  }
});
