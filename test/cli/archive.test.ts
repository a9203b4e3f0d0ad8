/**
 * Directories and globs on the command line, as a user runs them (issue 10): the committed
 * dumpcap ring buffer (fixtures/rotated/) given three ways, archives cut at test time from a lab
 * capture (test/helpers/archive.ts), a damaged file in the middle, files that are not captures,
 * nothing to read.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cliServer } from '../helpers/cli.js';
import { cutPcap, pcapRecords } from '../helpers/archive.js';
import { measure, noStackTrace } from '../hostile/gen.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import type { SessionReport } from '../../src/ftp/model.js';

const ROTATED = 'fixtures/rotated';
const SOURCE = 'fixtures/11-concurrent.pcap';
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ftp-pcap-cli-archive-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// The command lines in one process, asked one at a time (cliServer: the CLI loaded once); the
// bounded-memory run below is a process of its own, measured.
const cli = cliServer().run;

const json = async (args: string[]): Promise<{ code: number | null; report: AnalysisReport; stderr: string }> => {
  const r = await cli(['analyze', '--format', 'json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as AnalysisReport, stderr: r.stderr };
};

/** A session without what depends on where and when it was captured (frames, times). */
function essence(s: SessionReport) {
  return {
    client: s.client,
    server: s.server,
    user: s.user,
    login: s.login,
    tls: s.tls,
    mode: s.mode,
    findings: s.findings.map((f) => f.code),
    data: s.dataConnections.map((d) => [d.mode, d.initiator, d.announced?.command, d.announced?.ip, d.announced?.port, d.from, d.to, d.command, d.argument, d.bytes, d.expectedBytes, d.replies, d.outcome, d.firewallRule]),
  };
}

describe('the rotated fixture set', () => {
  const files = readdirSync(ROTATED)
    .sort()
    .map((f) => join(ROTATED, f));

  it('gives the same report as a directory, as a glob and as the file list', async () => {
    const list = await json(files);
    const dir = await json([ROTATED]);
    const glob = await json([`${ROTATED}/*_0000?.pcap`]);
    const deep = await json([`fixtures/**/14-formats-rotated_*`]);
    expect(list.code).toBe(0);
    expect(list.report.inputs.map((i) => i.path)).toEqual(files);
    expect(list.report.sessions.length).toBe(1);
    for (const other of [dir, glob, deep]) {
      expect(other.code).toBe(0);
      expect(other.stderr).toBe('');
      expect(other.report).toEqual(list.report);
    }
    // The other commands take the same arguments.
    for (const cmd of [
      ['info', '--format', 'json'],
      ['connections', '--format', 'ndjson'],
    ]) {
      const a = await cli([...cmd, ...files]);
      const b = await cli([...cmd, ROTATED]);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
  });

  it('holds the same session as 14-formats.pcap, captured on the same router port while dumpcap rotated', async () => {
    // Not cut from it: a second capture of the same traffic at the same time (fixtures/README.md),
    // so frames and microseconds differ; the session, its transfers and outcomes do not.
    const whole = await json(['fixtures/14-formats.pcap']);
    const dir = await json([ROTATED]);
    expect(dir.report.sessions.map(essence)).toEqual(whole.report.sessions.map(essence));
    expect(dir.report.summary).toEqual(whole.report.summary);
  });
});

describe('an archive of hundreds of small files', () => {
  let dir = '';
  beforeAll(() => {
    dir = join(tmp, 'archive');
    cutPcap(readFileSync(SOURCE), dir, { name: (n) => `ring_${String(n).padStart(5, '0')}_20261126.pcap`, sizes: [1, 2] });
  });

  it.skipIf(!existsSync('/usr/bin/time'))('is analysed like the capture it was cut from, in bounded memory', async () => {
    expect(readdirSync(dir).length).toBeGreaterThan(600);
    const m = await measure(['analyze', '--format', 'json', dir]);
    expect(m.code).toBe(0);
    expect(m.stderr).toBe('');
    const report = JSON.parse(m.stdout) as AnalysisReport;
    const whole = (await json([SOURCE])).report;
    expect(report.sessions).toEqual(whole.sessions);
    expect(report.inputs.length).toBe(readdirSync(dir).length);
    // Every file open at once would be 643 x (fd + 2.5 MiB of buffers).
    expect(m.rssMb).toBeLessThan(150);
  });

  it('is summarised by info in one line per file', async () => {
    const r = await cli(['info', dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const files = readdirSync(dir).length;
    expect(lines[0]).toBe(`Files:             ${files} (one line each; --format json has every detail)`);
    expect(lines[1]).toMatch(/^ {2}\S+ring_00000_20261126\.pcap {2}pcap {2}1 packets {2}2026-\S+Z \.\. 2026-\S+Z$/);
    expect(lines.length).toBeLessThan(files + 40);
    expect(r.stdout).toContain(`All inputs:        ${files} files, ${pcapRecords(readFileSync(SOURCE)).length} packets`);
  });

  it('reports a damaged file in the middle in one line with its byte offset, and analyses the others', async () => {
    const damaged = join(tmp, 'damaged');
    const paths = cutPcap(readFileSync(SOURCE), damaged, { name: (n) => `cap_${String(n).padStart(3, '0')}.pcap`, sizes: [40] });
    const victim = paths[12];
    const recs = pcapRecords(readFileSync(victim));
    const [start, end] = recs[recs.length - 1];
    truncateSync(victim, end - 10);
    const caplen = end - start - 16;
    const r = await cli(['analyze', '--format', 'json', damaged]);
    expect(r.code).toBe(2);
    expect(noStackTrace(r.stderr)).toBe(true);
    expect(r.stderr).toBe(`ftp-pcap: ${victim}: trailing partial record (${caplen - 10} of ${caplen} bytes) (byte offset ${start})\n`);
    const report = JSON.parse(r.stdout) as AnalysisReport;
    expect(report.complete).toBe(false);
    expect(report.inputs.filter((i) => !i.complete).map((i) => i.path)).toEqual([victim]);
    expect(report.inputs.reduce((n, i) => n + i.packets, 0)).toBe(pcapRecords(readFileSync(SOURCE)).length - 1);
    expect(report.sessions.length).toBe(5);
  });

  it('skips files that are not captures, and hidden ones, and counts them', async () => {
    const mixed = join(tmp, 'mixed');
    cutPcap(readFileSync(SOURCE), mixed, { name: (n) => `cap_${n}`, sizes: [100] });
    writeFileSync(join(mixed, 'SHA256SUMS'), 'e3b0c442  cap_0\n');
    writeFileSync(join(mixed, 'README.txt'), 'tap eth3, rotated hourly\n');
    writeFileSync(join(mixed, '.cap_9.12345.tmp'), readFileSync(join(mixed, 'cap_0')));
    const r = await json([mixed]);
    expect(r.code).toBe(0);
    expect(r.report.skippedFiles).toEqual({ 'not-a-capture': 2, hidden: 1 });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object);
    expect(validate(r.report), JSON.stringify(validate.errors)).toBe(true);
    expect(r.report.sessions).toEqual((await json([SOURCE])).report.sessions);
    const text = await cli(['analyze', mixed]);
    expect(text.stdout).toContain('Files skipped in the directories and globs given: 2 not-a-capture, 1 hidden\n');
    // --jobs: the workers read the expanded list; the main thread's counts reach the merged tail.
    const jobs = await json(['--jobs', '2', mixed]);
    expect(jobs.code).toBe(0);
    expect(jobs.report).toEqual(r.report);
    const info = JSON.parse((await cli(['info', '--format', 'json', mixed])).stdout) as { skippedFiles: unknown };
    expect(info.skippedFiles).toEqual({ 'not-a-capture': 2, hidden: 1 });
    // A file named on the command line is read whatever it holds: the reader says what is wrong.
    const named = await cli(['analyze', join(mixed, 'README.txt')]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/README\.txt: not a pcap, pcapng or gzip file/);
  });
});

describe('nothing to read', () => {
  it('an empty directory is a one-line error, exit 2, for every command', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    appendFileSync(join(empty, 'notes.txt'), 'nothing captured yet\n');
    for (const cmd of ['analyze', 'info', 'connections']) {
      const r = await cli([cmd, empty]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`ftp-pcap: ${empty}: no capture files in this directory (skipped: 1 not-a-capture)\n`);
    }
  });

  it('a glob that matches nothing is a one-line error, exit 2', async () => {
    const r = await cli(['analyze', `${tmp}/nothing-*.pcap`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ftp-pcap: ${tmp}/nothing-*.pcap: no capture files match\n`);
  });
});
