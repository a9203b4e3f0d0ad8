/**
 * Archives: directories and globs expanded (src/capture/expand.ts), and the merge that opens a file
 * only when its time comes and closes it when exhausted (src/capture/merge.ts). Archives of many
 * files are cut at test time from the lab capture 11-concurrent.pcap (964 records, five sessions
 * side by side, no two records with the same timestamp), so the result has a known answer: the
 * original capture.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expandInputs, readCaptures, type MergeStats } from '../../src/capture/index.js';
import { analyze } from '../../src/pipeline.js';
import { readAll } from '../helpers/capture.js';
import { cutPcap, pcapRecords } from '../helpers/archive.js';
import { pcapFile } from '../helpers/build.js';

const SOURCE = 'fixtures/11-concurrent.pcap';
const ROTATED = 'fixtures/rotated';
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ftp-pcap-archive-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fdCount = (): number => readdirSync('/proc/self/fd').length;
const hasProc = (() => {
  try {
    return fdCount() > 0;
  } catch {
    return false;
  }
})();

describe('merge: files opened when the merge reaches them, closed when exhausted', () => {
  it('keeps open exactly the files whose first record is at or before the current one (hand-built, given in reverse order)', async () => {
    const rec = (sec: number, fill: number) => ({ sec, frac: 0, data: Buffer.alloc(40, fill) });
    const a = join(tmp, 'hand-built-a.pcap');
    const b = join(tmp, 'hand-built-b.pcap');
    const c = join(tmp, 'hand-built-c.pcap');
    writeFileSync(a, pcapFile({ records: [1, 2, 3].map((s) => rec(s, 0xa)) }));
    // b overlaps a (two interfaces side by side), c starts after both have ended.
    writeFileSync(b, pcapFile({ nano: true, records: [rec(2, 0xb), { sec: 2, frac: 500_000_000, data: Buffer.alloc(40, 0xb) }, rec(4, 0xb), rec(6, 0xb)] }));
    writeFileSync(c, pcapFile({ records: [10, 11].map((s) => rec(s, 0xc)) }));
    const stats: MergeStats = { open: 0, peakOpen: 0 };
    const seen: [number, number, number, number][] = [];
    const readers = await readCaptures([c, b, a], (r) => seen.push([r.frame, r.tsSec + r.tsNsec / 1e9, r.input, stats.open]), { stats });
    expect(seen).toEqual([
      // [frame, time, input (argument order: c=0, b=1, a=2), files open]
      [1, 1, 2, 1],
      // b starts at 2 too: opened for it; a's record wins the tie (a ranks first: same time, path order)
      [2, 2, 2, 2],
      [3, 2, 1, 2],
      [4, 2.5, 1, 2],
      [5, 3, 2, 2],
      // a is exhausted and closed before b's 4 s record
      [6, 4, 1, 1],
      [7, 6, 1, 1],
      // c opened only now, after b closed
      [8, 10, 0, 1],
      [9, 11, 0, 1],
    ]);
    expect(stats).toEqual({ open: 0, peakOpen: 2 });
    expect(readers.map((r) => [r.path, r.packets])).toEqual([
      [c, 2],
      [b, 4],
      [a, 3],
    ]);
  });

  it('reads an archive of 600+ one- and two-record files cut from a lab capture with at most two open, into the original stream', async () => {
    const dir = join(tmp, 'cut');
    const files = cutPcap(readFileSync(SOURCE), dir, { name: (n) => `tap_${String(n).padStart(5, '0')}.pcap`, sizes: [1, 2] });
    expect(files.length).toBeGreaterThan(600);
    const { paths } = await expandInputs([dir]);
    expect(paths).toEqual(files);
    const stats: MergeStats = { open: 0, peakOpen: 0 };
    const baseline = hasProc ? fdCount() : 0;
    let peakFds = 0;
    const got: string[] = [];
    const readers = await readCaptures(
      paths,
      (r) => {
        got.push(`${r.frame} ${r.tsSec}.${r.tsNsec} ${Buffer.from(r.data).toString('hex')}`);
        // The file descriptors the process really holds, not only our counter.
        if (hasProc && r.frame % 7 === 0) peakFds = Math.max(peakFds, fdCount() - baseline);
      },
      { stats },
    );
    const whole = await readAll([SOURCE]);
    expect(got).toEqual(whole.records.map((r) => `${r.frame} ${r.tsSec}.${r.tsNsec} ${r.data.toString('hex')}`));
    expect(stats.peakOpen).toBeLessThanOrEqual(2);
    if (hasProc) expect(peakFds).toBeLessThanOrEqual(2);
    expect(readers.every((r) => r.error === null && r.done)).toBe(true);
    // Kept for inputs[], but without their files and buffers (643 x 2.5 MiB otherwise).
    expect(readers.filter((r) => r.isOpen)).toEqual([]);
    expect(readers.reduce((n, r) => n + r.packets, 0)).toBe(whole.records.length);
  });

  it('interleaves two overlapping rotated sets (even and odd records, as two interfaces) into the original stream with at most three open', async () => {
    const pcap = readFileSync(SOURCE);
    const dir = join(tmp, 'two-if');
    cutPcap(pcap, dir, { name: (n) => `eth0_${String(n).padStart(4, '0')}.pcap`, sizes: [3], pick: (i) => i % 2 === 0 });
    cutPcap(pcap, dir, { name: (n) => `eth1_${String(n).padStart(4, '0')}.pcap`, sizes: [3], pick: (i) => i % 2 === 1 });
    const { paths } = await expandInputs([dir]);
    // Name order puts every eth0 file before every eth1 file: the merge must not read them so.
    expect(paths[0]).toContain('eth0_0000');
    const stats: MergeStats = { open: 0, peakOpen: 0 };
    const got: string[] = [];
    await readCaptures(paths, (r) => got.push(`${r.tsSec}.${r.tsNsec} ${Buffer.from(r.data).toString('hex')}`), { stats });
    const whole = await readAll([SOURCE]);
    expect(got).toEqual(whole.records.map((r) => `${r.tsSec}.${r.tsNsec} ${r.data.toString('hex')}`));
    expect(stats.peakOpen).toBeGreaterThanOrEqual(2);
    expect(stats.peakOpen).toBeLessThanOrEqual(3);
  });

  it('analyses the cut archive as the original: the same sessions, each crossing dozens of file boundaries', async () => {
    const dir = join(tmp, 'cut'); // made by the test above
    const { paths } = await expandInputs([dir]);
    const stats: MergeStats = { open: 0, peakOpen: 0 };
    const [cut, whole] = await Promise.all([analyze(paths, { mergeStats: stats }), analyze([SOURCE])]);
    expect(whole.sessions.length).toBe(5);
    expect(cut.sessions).toEqual(whole.sessions);
    expect(cut.summary).toEqual(whole.summary);
    expect(cut.findings).toEqual(whole.findings);
    expect(cut.inputs.length).toBe(paths.length);
    expect(cut.complete).toBe(true);
    // A session is one session over many files: its control connection's frames span files.
    const offsets = pcapRecords(readFileSync(SOURCE)).length;
    expect(offsets).toBe(cut.inputs.reduce((n, i) => n + i.packets, 0));
    for (const s of cut.sessions) {
      const firstFile = fileOfFrame(cut.inputs, Date.parse(s.start));
      const lastFile = fileOfFrame(cut.inputs, Date.parse(s.end));
      expect(lastFile - firstFile).toBeGreaterThan(20);
    }
    expect(stats.peakOpen).toBeLessThanOrEqual(2);
  });
});

/** Index of the input whose time range holds `ms` (the cut files do not overlap). */
function fileOfFrame(inputs: { firstTime: string | null; lastTime: string | null }[], ms: number): number {
  return inputs.findIndex((i) => i.firstTime !== null && i.lastTime !== null && Date.parse(i.firstTime) <= ms && ms <= Date.parse(i.lastTime));
}

describe('expandInputs', () => {
  let root = '';
  beforeAll(() => {
    root = join(tmp, 'tree');
    mkdirSync(join(root, 'day1', 'eth0'), { recursive: true });
    mkdirSync(join(root, 'day2'), { recursive: true });
    const rotated = readdirSync(ROTATED).sort();
    writeFileSync(join(root, 'day1', 'eth0', 'cap.0'), readFileSync(join(ROTATED, rotated[0])));
    writeFileSync(join(root, 'day1', 'cap.1.gz'), gzipSync(readFileSync(join(ROTATED, rotated[1]))));
    writeFileSync(join(root, 'day2', 'cap.ng'), readFileSync('fixtures/14-formats-2if.pcapng'));
    writeFileSync(join(root, 'day2', 'cap.nsec'), readFileSync('fixtures/14-formats-nsec.pcap'));
    writeFileSync(join(root, 'day2', 'cap.be'), readFileSync('fixtures/14-formats-be.pcap'));
    writeFileSync(join(root, 'day2', 'cap.be.ng'), readFileSync('fixtures/14-formats-be.pcapng'));
    // Not captures, whatever their names say.
    writeFileSync(join(root, 'SHA256SUMS'), 'abc  day1/cap.0\n');
    writeFileSync(join(root, 'day1', 'notes.pcap'), 'not a capture at all\n');
    writeFileSync(join(root, 'day1', 'log.gz'), gzipSync('a log line\n'));
    writeFileSync(join(root, 'day2', 'empty.pcap'), '');
    writeFileSync(join(root, 'day2', '.cap.pcap.1234.tmp'), readFileSync(join(ROTATED, rotated[2])));
    mkdirSync(join(root, '.snapshot'));
    writeFileSync(join(root, '.snapshot', 'cap.0'), readFileSync(join(ROTATED, rotated[0])));
    // A loop back to the root, a second way to day2, a link to a file already listed, a dangling link.
    symlinkSync('..', join(root, 'day1', 'up'));
    symlinkSync(join(root, 'day2'), join(root, 'day2-again'));
    symlinkSync(join(root, 'day1', 'eth0', 'cap.0'), join(root, 'latest.pcap'));
    symlinkSync(join(root, 'gone.pcap'), join(root, 'dangling.pcap'));
    try {
      execFileSync('mkfifo', [join(root, 'day2', 'live.fifo')]);
    } catch {
      // no mkfifo: the FIFO case goes untested here
    }
  });

  it('finds every capture below a directory by its magic number (pcap us/ns/big-endian, pcapng both orders, gzip), each real file once', async () => {
    const x = await expandInputs([root]);
    const rel = x.paths.map((p) => p.slice(root.length + 1));
    expect(rel).toEqual(['day1/cap.1.gz', 'day1/eth0/cap.0', 'day2/cap.be', 'day2/cap.be.ng', 'day2/cap.ng', 'day2/cap.nsec']);
    const fifo = readdirSync(join(root, 'day2')).includes('live.fifo');
    expect(x.skipped).toEqual({
      'not-a-capture': 4,
      hidden: 2,
      'broken-link': 1,
      duplicate: 1,
      ...(fifo ? { 'not-a-regular-file': 1 } : {}),
    });
    expect(x.empty).toEqual([]);
    // Read together (gzip and pcapng probed for their first record too), in time order.
    const stats: MergeStats = { open: 0, peakOpen: 0 };
    const times: number[] = [];
    const readers = await readCaptures(x.paths, (r) => times.push(r.tsSec * 1e9 + r.tsNsec), { stats });
    expect(readers.map((r) => r.error)).toEqual(x.paths.map(() => null));
    expect(times.length).toBe(readers.reduce((n, r) => n + r.packets, 0));
    // The merged stream goes back in time only where a file itself does (14-formats-2if.pcapng once:
    // dumpcap wrote its two interfaces' packets slightly out of order).
    const backwards = times.filter((t, i) => i > 0 && t < times[i - 1]).length;
    expect(backwards).toBeLessThanOrEqual(readers.reduce((n, r) => n + r.outOfOrder, 0));
    expect(stats.open).toBe(0);
  });

  it('expands a glob with **, ? and [...], skipping non-captures it matches and hidden names', async () => {
    const x = await expandInputs([`${root}/**/cap.[0-9]*`, `${root}/day?/cap.*`, `${root}/day1/*.?z`]);
    expect(x.paths.map((p) => p.slice(root.length + 1))).toEqual(['day1/cap.1.gz', 'day1/eth0/cap.0', 'day2/cap.be', 'day2/cap.be.ng', 'day2/cap.ng', 'day2/cap.nsec']);
    expect(x.skipped).toEqual({ duplicate: 2, 'not-a-capture': 1 });
    expect(x.empty).toEqual([]);
  });

  it('names an argument that gives nothing to read: an empty directory, a glob without a capture', async () => {
    mkdirSync(join(tmp, 'empty-dir'));
    const x = await expandInputs([join(tmp, 'empty-dir'), `${root}/*.txt`, `${root}/day1/*.pcap`, SOURCE]);
    expect(x.empty).toEqual([`${join(tmp, 'empty-dir')}: no capture files in this directory`, `${root}/*.txt: no capture files match`, `${root}/day1/*.pcap: no capture files match (skipped: 1 not-a-capture)`]);
    expect(x.paths).toEqual([SOURCE]);
  });

  it('passes named files, missing ones and stdin through as they are, once each', async () => {
    const x = await expandInputs(['-', join(root, 'SHA256SUMS'), 'no/such.pcap', '-', join(root, 'latest.pcap'), join(root, 'day1', 'eth0', 'cap.0')]);
    expect(x.paths).toEqual(['-', join(root, 'SHA256SUMS'), 'no/such.pcap', join(root, 'latest.pcap')]);
    expect(x.skipped).toEqual({ duplicate: 2 });
  });
});
