/**
 * Damaged files (hand-built from the real loopback capture, named as such): each gives one error
 * with its kind and exact byte offset, and every record before the damage is still delivered.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readAll } from '../helpers/capture.js';
import { NgBuilder } from '../helpers/build.js';
import { formatCaptureError } from '../../src/capture/index.js';

const LOOPBACK = readFileSync('test/capture/data/loopback-pyftpdlib-curl.pcap');
const NG = readFileSync('test/capture/data/loopback-pyftpdlib-curl.pcapng');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-corrupt-'));
});
const put = (name: string, b: Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
};

/** Offsets of the record headers of the loopback pcap. */
function recordOffsets(b: Buffer): number[] {
  const out: number[] = [];
  for (let p = 24; p + 16 <= b.length; p += 16 + b.readUInt32LE(p + 8)) out.push(p);
  return out;
}
const offsets = recordOffsets(LOOPBACK);

async function expectError(name: string, bytes: Buffer, kind: string, offset: number, before: number) {
  const f = put(name, bytes);
  const { records, errors } = await readAll([f]);
  expect(errors.map((e) => [e.kind, e.offset])).toEqual([[kind, offset]]);
  expect(records.length).toBe(before);
  const line = formatCaptureError(errors[0]);
  expect(line).toContain(f);
  expect(line).toContain(`byte offset ${offset}`);
  expect(line).not.toContain('\n');
  return records;
}

describe('corrupt captures (hand-built)', () => {
  it('zero-length file', async () => {
    await expectError('hand-built-empty.pcap', Buffer.alloc(0), 'empty-file', 0, 0);
  });
  it('wrong magic', async () => {
    await expectError('hand-built-magic.pcap', Buffer.from('GIF89a this is not a capture at all......'), 'unknown-format', 0, 0);
  });
  it('truncated file header', async () => {
    await expectError('hand-built-short-header.pcap', LOOPBACK.subarray(0, 20), 'truncated-file-header', 0, 0);
  });
  it('truncated last record: the 50 records before it are kept', async () => {
    const cut = offsets[50] + 16 + 10; // 10 bytes into record 51's data
    const recs = await expectError('hand-built-cut.pcap', LOOPBACK.subarray(0, cut), 'truncated-record', offsets[50], 50);
    expect(recs[49].data.equals(LOOPBACK.subarray(offsets[49] + 16, offsets[50]))).toBe(true);
  });
  it('trailing partial record header', async () => {
    await expectError('hand-built-cut-header.pcap', LOOPBACK.subarray(0, offsets[7] + 5), 'truncated-record', offsets[7], 7);
  });
  it('absurd record length', async () => {
    const b = Buffer.from(LOOPBACK);
    b.writeUInt32LE(0x7fffffff, offsets[30] + 8);
    await expectError('hand-built-absurd.pcap', b, 'record-too-long', offsets[30], 30);
  });
  it('records longer than the header\'s snap length are read (as tshark does); only the record limit bounds them', async () => {
    const b = Buffer.from(LOOPBACK);
    b.writeUInt32LE(96, 16); // snap length 96, but most records are longer
    expect(offsets.filter((o) => b.readUInt32LE(o + 8) > 96).length).toBeGreaterThan(10);
    const { records, errors } = await readAll([put('hand-built-snap.pcap', b)]);
    expect(errors).toEqual([]);
    expect(records.length).toBe(offsets.length);
    expect(records.map((r) => r.data.length)).toEqual(offsets.map((o) => b.readUInt32LE(o + 8)));
  });
  it('pcapng block length mismatch', async () => {
    const b = Buffer.from(NG);
    // Walk the blocks to the 10th enhanced packet block and break its trailing length.
    let p = 0;
    let epbs = 0;
    while (p < b.length) {
      const type = b.readUInt32LE(p);
      const len = b.readUInt32LE(p + 4);
      if (type === 6 && ++epbs === 10) {
        b.writeUInt32LE(len + 4, p + len - 4);
        await expectError('hand-built-mismatch.pcapng', b, 'block-length-mismatch', p, 9);
        return;
      }
      p += len;
    }
    throw new Error('fixture has fewer than 10 packets');
  });
  it('pcapng block length not a multiple of 4', async () => {
    const ng = new NgBuilder().shb(true).idb(1).epb(0, 1n, Buffer.alloc(60)).build();
    const b = Buffer.concat([ng, ng.subarray(ng.length - 92)]); // append the EPB again...
    b.writeUInt32LE(90, ng.length + 4); // ...with a bad length
    await expectError('hand-built-badlen.pcapng', b, 'bad-block-length', ng.length, 1);
  });
  it('pcapng packet for an undescribed interface', async () => {
    const ng = new NgBuilder().shb(true).idb(1).epb(0, 1n, Buffer.alloc(60)).epb(3, 2n, Buffer.alloc(60)).build();
    await expectError('hand-built-iface.pcapng', ng, 'unknown-interface', ng.length - 92, 1);
  });
  it('pcapng cut in the middle of a block', async () => {
    const ng = new NgBuilder().shb(true).idb(1).epb(0, 1n, Buffer.alloc(60)).epb(0, 2n, Buffer.alloc(60)).build();
    await expectError('hand-built-cut.pcapng', ng.subarray(0, ng.length - 30), 'truncated-record', ng.length - 92, 1);
  });
  it('gzip file cut short: the records inflated before the cut are kept', async () => {
    // Big enough that inflating the first part yields records before the cut.
    const big = Buffer.concat([LOOPBACK, ...Array.from({ length: 20 }, () => LOOPBACK.subarray(24))]);
    const gz = gzipSync(big, { level: 1 });
    const f = put('hand-built-cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const { records, errors } = await readAll([f]);
    expect(errors.length).toBe(1);
    expect(['gzip', 'truncated-record']).toContain(errors[0].kind);
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(21 * 103);
    expect(formatCaptureError(errors[0])).toMatch(/byte offset \d+/);
  });
  it('missing file', async () => {
    const { errors } = await readAll([join(dir, 'does-not-exist.pcap')]);
    expect(errors.map((e) => [e.kind, e.message])).toEqual([['open-failed', 'no such file']]);
  });
  it('one damaged input among several: the others are read to their end', async () => {
    const good = put('good.pcap', LOOPBACK);
    const bad = put('hand-built-bad.pcap', LOOPBACK.subarray(0, offsets[10] + 3));
    const { records, errors } = await readAll([bad, good]);
    expect(errors.map((e) => e.kind)).toEqual(['truncated-record']);
    expect(records.length).toBe(103 + 10);
  });
});
