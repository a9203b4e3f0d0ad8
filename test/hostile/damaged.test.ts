/**
 * Every error path on damaged input (hand-built from the lab capture 01-passive): a pcap cut
 * inside a record, a pcapng cut inside a block, a pcapng with a corrupt block length, a gzip cut
 * short, a gzip with corrupt deflate data. For analyze in every format, info and connections:
 * exactly one line on stderr naming the file and the byte offset, exit 2, and the report of
 * everything before the damage still written (`"complete": false` where the format has it; a last
 * event saying so in NDJSON and OCSF).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cli, cliBatch, type CliResult } from '../helpers/cli.js';
import { tempDir } from './gen.js';
import { NgBuilder } from '../helpers/build.js';

let tmp: { dir: string; cleanup: () => void };
const LAB = readFileSync('fixtures/01-passive.pcap');

/** Byte offset of record `n` (0-based) of a little-endian pcap. */
function recordOffset(pcap: Buffer, n: number): number {
  let p = 24;
  for (let i = 0; i < n; i++) p += 16 + pcap.readUInt32LE(p + 8);
  return p;
}

interface Damaged {
  name: string;
  file: string;
  /** The byte offset the error line and the incomplete events must name (for gzip, with the stream
   * it counts in: without the word a reader cannot tell which offset it is). */
  offset: RegExp;
}

const cases: Damaged[] = [];

beforeAll(() => {
  tmp = tempDir();
  const cut = recordOffset(LAB, 400) + 30;
  const pcapCut = join(tmp.dir, 'cut.pcap');
  writeFileSync(pcapCut, LAB.subarray(0, cut));
  cases.push({ name: 'pcap cut inside a record', file: pcapCut, offset: new RegExp(`byte offset ${recordOffset(LAB, 400)}\\)`) });

  // The same packets as pcapng, cut inside block 401, and with block 401's length corrupted.
  const ng = new NgBuilder().shb(true).idb(1, { snaplen: 262144 });
  let p = 24;
  while (p + 16 <= LAB.length) {
    const len = LAB.readUInt32LE(p + 8);
    ng.epb(0, BigInt(LAB.readUInt32LE(p)) * 1_000_000n + BigInt(LAB.readUInt32LE(p + 4)), LAB.subarray(p + 16, p + 16 + len), LAB.readUInt32LE(p + 12));
    p += 16 + len;
  }
  const ngBuf = ng.build();
  let q = 0;
  const blocks: number[] = [];
  while (q < ngBuf.length) {
    blocks.push(q);
    q += ngBuf.readUInt32LE(q + 4);
  }
  const b401 = blocks[402]; // SHB, IDB, then EPBs
  writeFileSync(join(tmp.dir, 'cut.pcapng'), ngBuf.subarray(0, b401 + 20));
  cases.push({ name: 'pcapng cut inside a block', file: join(tmp.dir, 'cut.pcapng'), offset: new RegExp(`byte offset ${b401}\\)`) });
  const bad = Buffer.from(ngBuf);
  bad.writeUInt32LE(7, b401 + 4);
  writeFileSync(join(tmp.dir, 'badlen.pcapng'), bad);
  cases.push({ name: 'pcapng with a corrupt block length', file: join(tmp.dir, 'badlen.pcapng'), offset: new RegExp(`byte offset ${b401}\\)`) });

  const gz = gzipSync(LAB);
  writeFileSync(join(tmp.dir, 'cut.pcap.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  cases.push({ name: 'gzip cut short', file: join(tmp.dir, 'cut.pcap.gz'), offset: /(compressed|decompressed) byte offset \d+\)/ });
  const corrupt = Buffer.from(gz);
  for (let i = Math.floor(gz.length * 0.5); i < Math.floor(gz.length * 0.5) + 64; i++) corrupt[i] ^= 0x5a;
  writeFileSync(join(tmp.dir, 'corrupt.pcap.gz'), corrupt);
  cases.push({ name: 'gzip with corrupt deflate data', file: join(tmp.dir, 'corrupt.pcap.gz'), offset: /(compressed|decompressed) byte offset \d+\)/ });
});

afterAll(() => tmp.cleanup());

function oneLine(stderr: string, c: Damaged): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toContain(c.file);
  expect(lines[0]).toMatch(c.offset);
  expect(stderr).not.toMatch(/\n\s+at |TypeError|RangeError/);
}

const FORMATS = ['text', 'json', 'ndjson', 'ocsf', 'xml', 'html'];

describe('hostile (hand-built): damaged inputs, every command and format', () => {
  // Every format on every damaged file, all in one process (cliBatch: the CLI loaded once, each
  // run's exit code what main() returns to bin/ftp-pcap); info and connections below run as
  // processes of their own, so the exit status of a real process is checked for every damage.
  const runs = new Map<string, CliResult>();
  beforeAll(() => {
    const args = FORMATS.flatMap((format) => cases.map((c) => ['analyze', '--format', format, c.file]));
    cliBatch(args).forEach((r, i) => runs.set(args[i].join(' '), r));
  }, 120_000);

  it.each(FORMATS)('analyze --format %s: one line naming file and offset, exit 2, the report before the damage', (format) => {
    for (const c of cases) {
      const r = runs.get(['analyze', '--format', format, c.file].join(' '));
      if (r === undefined) throw new Error(`no run for ${format} ${c.file}`);
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(2);
      oneLine(r.stderr, c);
      if (format === 'json') {
        const j = JSON.parse(r.stdout) as { complete: boolean; inputs: { complete: boolean; packets: number; errors: { offset: number }[] }[]; sessions: unknown[] };
        expect(j.complete, c.name).toBe(false);
        expect(j.inputs[0].complete).toBe(false);
        expect(j.inputs[0].packets).toBeGreaterThan(0);
        expect(j.inputs[0].errors).toHaveLength(1);
      } else if (format === 'ndjson' || format === 'ocsf') {
        // The last event says the capture is incomplete, with the file and the byte offset.
        const lines = r.stdout.trim().split('\n');
        expect(lines.length, c.name).toBeGreaterThan(1);
        const last = JSON.parse(lines[lines.length - 1]) as { message: string; event?: { action: string }; file?: { path: string }; class_uid?: number; status_detail?: string };
        expect(last.message).toContain(c.file);
        expect(last.message).toMatch(c.offset);
        if (format === 'ndjson') expect({ action: last.event?.action, path: last.file?.path }).toEqual({ action: 'capture-incomplete', path: c.file });
        else expect(last).toMatchObject({ class_uid: 6008, status_detail: expect.stringMatching(c.offset) });
      } else if (format === 'xml') {
        expect(r.stdout).toMatch(/<complete>false<\/complete>/);
      } else if (format === 'text') {
        expect(r.stdout.length).toBeGreaterThan(0);
      }
    }
  }, 60_000);

  it('info and connections: one line, exit 2, the report before the damage', () => {
    for (const c of cases) {
      const i = cli(['info', '--format', 'json', c.file]);
      expect(i.code, `${c.name}: ${i.stderr}`).toBe(2);
      oneLine(i.stderr, c);
      expect(i.stdout).toMatch(/"complete": false/);
      const n = cli(['connections', c.file]);
      expect(n.code, `${c.name}: ${n.stderr}`).toBe(2);
      oneLine(n.stderr, c);
      expect(n.stdout.split('\n').length).toBeGreaterThan(1);
    }
  }, 60_000);
});
