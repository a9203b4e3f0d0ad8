/**
 * Format coverage beyond what the real captures give: hand-built files (named as such) for the byte
 * orders, pcapng sections and block kinds, timestamp resolutions; stdin; gzip; merging.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readAll, findFiles } from '../helpers/capture.js';
import { NgBuilder, pcapFile, pcapToBigEndian } from '../helpers/build.js';
import { ticksToSecNsec, isoTime } from '../../src/capture/index.js';

const LOOPBACK = 'test/capture/data/loopback-pyftpdlib-curl.pcap';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-formats-'));
});
const put = (name: string, b: Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
};
const payload = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('classic pcap', () => {
  it('reads a big-endian file (hand-built: the real loopback capture byte-swapped) like its original', async () => {
    const be = put('hand-built-big-endian.pcap', pcapToBigEndian(readFileSync(LOOPBACK)));
    const [a, b] = await Promise.all([readAll([LOOPBACK]), readAll([be])]);
    expect(b.errors).toEqual([]);
    expect(b.records.length).toBe(103);
    expect(b.records.map((r) => [r.tsSec, r.tsNsec, r.capturedLength, r.data.toString('hex')])).toEqual(
      a.records.map((r) => [r.tsSec, r.tsNsec, r.capturedLength, r.data.toString('hex')]),
    );
  });

  it('keeps nanosecond fractions of a nanosecond pcap in both byte orders (hand-built)', async () => {
    for (const le of [true, false]) {
      const f = put(`hand-built-nano-${le}.pcap`, pcapFile({ le, nano: true, records: [{ sec: 1795698454, frac: 123456789, data: payload(60, 1) }] }));
      const { records, errors, formats } = await readAll([f]);
      expect(errors).toEqual([]);
      expect(formats).toEqual(['pcap-nsec']);
      expect(records[0]).toMatchObject({ tsSec: 1795698454, tsNsec: 123456789 });
    }
  });

  it('reads records larger than one read chunk boundary and a record split across chunks', async () => {
    // 1500 records of 1000 bytes = 1.5 MB: several 1 MiB chunks, records straddling each boundary.
    const records = Array.from({ length: 1500 }, (_, i) => ({ sec: 1000 + i, frac: i, data: payload(1000, i & 0xff) }));
    const f = put('hand-built-many.pcap', pcapFile({ records }));
    const r = await readAll([f]);
    expect(r.errors).toEqual([]);
    expect(r.records.length).toBe(1500);
    expect(r.records.every((x, i) => x.tsSec === 1000 + i && x.data.length === 1000 && x.data[999] === (i & 0xff) && x.frame === i + 1)).toBe(true);
    expect(r.records[1].fileOffset).toBe(24 + 16 + 1000);
  });
});

describe('pcapng (hand-built)', () => {
  it('reads two sections in opposite byte orders with per-interface resolution and offset', async () => {
    const ng = new NgBuilder()
      .shb(true, 'a section comment')
      .idb(1, { snaplen: 262144, name: 'veth0' }) // default resolution: microseconds
      .idb(101, { tsresol: 9, name: 'raw-nano' }) // 10^-9
      .other(4, Buffer.alloc(8)) // name resolution block: skipped
      .epb(0, 1795698454123456n, payload(60, 0xaa), 60, 'a packet comment')
      .epb(1, 1795698454123456789n, payload(40, 0x45), 1500)
      .other(5, Buffer.alloc(12)) // interface statistics: skipped
      .other(0x40000bad, Buffer.from('custom block with copy bit')) // custom: skipped
      .shb(false)
      .idb(113, { tsresol: 0x80 | 20, tsoffset: 100 }) // 2^-20 s ticks, +100 s
      .epb(0, (1000n << 20n) + (1n << 19n), payload(30, 0x11)) // 1000.5 s + 100 s offset
      .spb(payload(50, 0x22))
      .opb(0, 5n << 20n, payload(20, 0x33))
      .build();
    const f = put('hand-built-two-sections.pcapng', ng);
    const { records, errors, formats } = await readAll([f]);
    expect(errors).toEqual([]);
    expect(formats).toEqual(['pcapng']);
    expect(records.map((r) => [r.frame, r.linkType, r.interfaceId, r.tsSec, r.tsNsec, r.capturedLength, r.originalLength])).toEqual([
      [1, 1, 0, 1795698454, 123456000, 60, 60],
      [2, 101, 1, 1795698454, 123456789, 40, 1500],
      // Interface ids are numbered within their section (tshark's frame.interface_id: 0 again).
      [3, 113, 0, 1100, 500000000, 30, 30],
      [4, 113, 0, 0, 0, 50, 50],
      [5, 113, 0, 105, 0, 20, 20],
    ]);
    expect(records[2].data.equals(payload(30, 0x11))).toBe(true);
  });

  it('cuts a simple packet block at the interface snap length', async () => {
    const f = put('hand-built-spb.pcapng', new NgBuilder().shb(true).idb(1, { snaplen: 64 }).spb(payload(100, 7), 100).build());
    const { records } = await readAll([f]);
    expect(records[0]).toMatchObject({ capturedLength: 64, originalLength: 100 });
  });
});

describe('timestamps', () => {
  it('splits 64-bit tick counts exactly at every resolution', () => {
    const out = { sec: 0, nsec: 0 };
    const cases: [bigint, number, number, number][] = [
      [1795698454999999999n, 1e9, 1795698454, 999999999],
      [1795698454999999n, 1e6, 1795698454, 999999000],
      [1795698454999n, 1e3, 1795698454, 999000000],
      [17956984549999999999n, 1e10, 1795698454, 999999999],
      [1795698454999999999999n, 1e12, 1795698454, 999999999],
      [(1795698454n << 30n) + (1n << 29n), 2 ** 30, 1795698454, 500000000],
    ];
    for (const [ticks, per, sec, nsec] of cases) {
      ticksToSecNsec(Number(ticks >> 32n), Number(ticks & 0xffffffffn), per, out);
      expect(out).toMatchObject({ sec: sec, nsec: nsec });
    }
  });
  it('formats ISO 8601 UTC with nanoseconds', () => {
    expect(isoTime(1795698454, 123)).toBe('2026-11-26T13:07:34.000000123Z');
  });
});

describe('inputs', () => {
  it('reads stdin ("-"), plain and gzip-compressed', async () => {
    const raw = readFileSync(LOOPBACK);
    const plain = await readAll(['-'], raw);
    const gz = await readAll(['-'], gzipSync(raw));
    expect(plain.errors).toEqual([]);
    expect(gz.errors).toEqual([]);
    expect(plain.records.length).toBe(103);
    expect(gz.records.map((r) => r.data.toString('hex'))).toEqual(plain.records.map((r) => r.data.toString('hex')));
  });

  it('merges rotated files (editcap -c 40 of the loopback capture), given in any order, into the original stream', async () => {
    const parts = findFiles('test/capture/data', (n) => n.startsWith('rotated_'));
    expect(parts.length).toBe(3);
    const whole = await readAll([LOOPBACK]);
    const merged = await readAll([parts[2], parts[0], parts[1]]);
    expect(merged.errors).toEqual([]);
    expect(merged.records.map((r) => [r.frame, r.tsSec, r.tsNsec, r.data.toString('hex')])).toEqual(
      whole.records.map((r) => [r.frame, r.tsSec, r.tsNsec, r.data.toString('hex')]),
    );
  });

  it('interleaves two overlapping captures by timestamp, ties in input order (hand-built)', async () => {
    const a = put('hand-built-a.pcap', pcapFile({ records: [1, 3, 5].map((s) => ({ sec: s, frac: 0, data: payload(20, s) })) }));
    const b = put('hand-built-b.pcap', pcapFile({ nano: true, records: [2, 3, 4].map((s) => ({ sec: s, frac: 0, data: payload(20, 0x10 + s) })) }));
    const { records } = await readAll([a, b]);
    expect(records.map((r) => [r.frame, r.tsSec, r.input])).toEqual([
      [1, 1, 0],
      [2, 2, 1],
      [3, 3, 0],
      [4, 3, 1],
      [5, 4, 1],
      [6, 5, 0],
    ]);
  });
});
