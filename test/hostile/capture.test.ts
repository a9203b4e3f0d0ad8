/**
 * Hand-built hostile captures against the capture and decode stages: a snap length of 68 bytes,
 * timestamps going backwards, a pcapng with 10,000 interfaces, and zip-bomb-like gzip files (a
 * few hundred KB that inflate to hundreds of MB of zeros: as garbage, and after a valid pcap
 * header, where the zeros read as an endless run of empty records). Built from the lab capture
 * 01-passive (real vsftpd/curl traffic) where a real conversation is needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL, gzipZeros, measure, noStackTrace, report, tempDir } from './gen.js';
import { NgBuilder, pcapFile, type HandRecord } from '../helpers/build.js';

let tmp: { dir: string; cleanup: () => void };
const LAB = 'fixtures/01-passive.pcap';
const ZERO_MB = FULL ? 4096 : 192;

/** The records of a little-endian microsecond pcap. */
function records(pcap: Buffer): HandRecord[] {
  const out: HandRecord[] = [];
  for (let p = 24; p + 16 <= pcap.length; ) {
    const len = pcap.readUInt32LE(p + 8);
    out.push({ sec: pcap.readUInt32LE(p), frac: pcap.readUInt32LE(p + 4), data: pcap.subarray(p + 16, p + 16 + len), orig: pcap.readUInt32LE(p + 12) });
    p += 16 + len;
  }
  return out;
}

interface Report {
  sessions: { user: string | null; dataConnections: { outcome: string }[]; findings: { code: string }[] }[];
  inputs: { complete: boolean; packets: number; outOfOrderTimestamps: number; interfaces: unknown[]; errors: { kind: string; offset: number }[] }[];
  problems: Record<string, number>;
  limits: Record<string, number>;
}

let labSessions = 0;

beforeAll(async () => {
  tmp = tempDir();
  const lab = readFileSync(LAB);
  const recs = records(lab);
  writeFileSync(join(tmp.dir, 'snap68.pcap'), pcapFile({ snaplen: 68, records: recs.map((r) => ({ ...r, data: r.data.subarray(0, 68), orig: r.orig })) }));
  // Backwards: the records keep their order, their timestamps are reversed (each earlier than
  // the one before); and a second file where every 7th record jumps a day back.
  const times = recs.map((r) => [r.sec, r.frac] as const).reverse();
  writeFileSync(join(tmp.dir, 'backwards.pcap'), pcapFile({ records: recs.map((r, i) => ({ ...r, sec: times[i][0], frac: times[i][1] })) }));
  writeFileSync(join(tmp.dir, 'jumps.pcap'), pcapFile({ records: recs.map((r, i) => (i % 7 === 3 ? { ...r, sec: r.sec - 86400 } : r)) }));
  // 10,000 interfaces, the lab packets spread over all of them.
  const ng = new NgBuilder().shb(true);
  for (let i = 0; i < 10_000; i++) ng.idb(1, { snaplen: 262144, name: `if${i}` });
  recs.forEach((r, i) => ng.epb(i % 10_000, BigInt(r.sec) * 1_000_000n + BigInt(r.frac), r.data, r.orig));
  writeFileSync(join(tmp.dir, 'ifaces.pcapng'), ng.build());
  // 100,000 sections of one interface each (with a 200-byte name), a packet in the last.
  const many = new NgBuilder();
  for (let i = 0; i < 100_000; i++) many.shb(true).idb(1, { name: `if${i}-${'x'.repeat(200)}` });
  many.epb(0, 1n, recs[0].data);
  writeFileSync(join(tmp.dir, 'sections.pcapng'), many.build());
  const header = lab.subarray(0, 24);
  await gzipZeros(join(tmp.dir, 'zeros.gz'), Buffer.alloc(0), ZERO_MB * 1024 * 1024);
  await gzipZeros(join(tmp.dir, 'header-zeros.pcap.gz'), header, ZERO_MB * 1024 * 1024);
  // The lab capture, then a gigabyte-scale run of zeros: the sessions before it must be reported.
  await gzipZeros(join(tmp.dir, 'lab-zeros.pcap.gz'), lab, ZERO_MB * 1024 * 1024);
  const { analyze } = await import('../../src/pipeline.js');
  labSessions = (await analyze([LAB])).sessions.length;
}, 120_000);

afterAll(() => tmp.cleanup());

describe('hostile (hand-built): capture stage', () => {
  it('a snap length of 68 bytes: no payload, sessions seen by their handshakes only, gaps counted', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'snap68.pcap')]);
    report('snaplen-68', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.inputs[0].complete).toBe(true);
    // 68 bytes hold Ethernet, IPv4, TCP and 14 payload bytes: "220 (vsFTPd 3." and "USER ftplab\r\n".
    for (const s of r.sessions) expect(s.findings.some((f) => f.code === 'capture-gap')).toBe(true);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(10);
  }, 60_000);

  it('timestamps going backwards: read in file order, counted, sessions still reported', async () => {
    for (const f of ['backwards.pcap', 'jumps.pcap']) {
      const m = await measure(['analyze', '--format', 'json', join(tmp.dir, f)]);
      report(`timestamps-${f}`, m);
      expect(noStackTrace(m.stderr)).toBe(true);
      expect(m.code).toBe(0);
      const r = JSON.parse(m.stdout) as Report;
      expect(r.inputs[0].outOfOrderTimestamps).toBeGreaterThan(0);
      expect(r.sessions.length).toBeGreaterThan(0);
      expect(m.rssMb).toBeLessThan(150);
      expect(m.seconds).toBeLessThan(10);
    }
  }, 60_000);

  it('a pcapng with 10,000 interfaces: every interface listed, the sessions as in the pcap', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'ifaces.pcapng')]);
    report('pcapng-10000-interfaces', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.inputs[0].interfaces).toHaveLength(10_000);
    expect(r.sessions).toHaveLength(labSessions);
    const i = await measure(['info', join(tmp.dir, 'ifaces.pcapng')]);
    report('pcapng-10000-interfaces info', i);
    expect(i.code).toBe(0);
    expect(noStackTrace(i.stderr)).toBe(true);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds + i.seconds).toBeLessThan(15);
  }, 60_000);

  it('a pcapng of 100,000 sections, one interface each: 10,000 listed (MAX_LISTED_INTERFACES), bounded', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'sections.pcapng')]);
    report('pcapng-100000-sections', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.inputs[0].interfaces).toHaveLength(10_000);
    expect(r.limits['pcapng-interfaces-unlisted']).toBe(90_000);
    expect(r.inputs[0].packets).toBe(1);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(15);
  }, 60_000);

  it(`gzip of ${ZERO_MB} MB of zeros: not a capture, one line, exit 2, at once`, async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'zeros.gz')]);
    report('gzip-zeros', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/zeros\.gz: not a pcap, pcapng or gzip file .*byte offset 0/);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(5);
  }, 60_000);

  it(`a pcap header then ${ZERO_MB} MB of zeros, gzipped: streamed as empty records, bounded`, async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'header-zeros.pcap.gz')]);
    report('gzip-header-zeros', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.inputs[0].packets).toBe((ZERO_MB * 1024 * 1024) / 16);
    expect(r.problems['ethernet-truncated']).toBe(r.inputs[0].packets);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(FULL ? 300 : 20);
  }, 400_000);

  it('a lab capture followed by a run of zeros, gzipped: its sessions reported', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'lab-zeros.pcap.gz')]);
    report('gzip-lab-then-zeros', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(labSessions);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(FULL ? 300 : 20);
  }, 400_000);
});
