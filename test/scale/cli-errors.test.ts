/**
 * What a user gets wrong with shards, through the built executable: `merge` given an incomplete or
 * mismatched set of partial results, and `analyze --shard`/`--jobs` given a bad value. Each is exit
 * 2 with exactly one line on stderr (naming the file, for merge), nothing on stdout and no -o file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Shell, linesOf, recordsOf } from '../helpers/shell.js';

const CAPTURE = 'fixtures/16-bounce.pcap';
const N = 3;

let sh: Shell;
/** part(i): the partial result of shard i/3 of 16-bounce. */
const part = (i: number): string => sh.path(`part-${i}.ndjson`);

beforeAll(async () => {
  sh = new Shell('ftp-pcap-shard-errors-');
  const runs = await Promise.all([
    ...[...Array(N).keys()].map((i) => sh.start(['ftp-pcap', 'analyze', CAPTURE, '--shard', `${i}/${N}`, '-o', part(i)])),
    // Shard 1/3 of another capture.
    sh.start(['ftp-pcap', 'analyze', 'fixtures/01-passive.pcap', '--shard', `1/${N}`, '-o', sh.path('other-1.ndjson')]),
  ]);
  for (const r of runs) expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
});
afterAll(() => sh.dispose());

/** `ftp-pcap merge FILES -f json -o report.json`: exit 2, one stderr line naming `blame`, no report. */
let reports = 0;
async function refused(files: string[], blame: string): Promise<string> {
  const report = sh.path(`report-${++reports}.json`);
  const r = await sh.start(['ftp-pcap', 'merge', ...files, '-f', 'json', '-o', report]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = linesOf(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ftp-pcap: /);
  expect(lines[0]).toContain(`${blame}:`);
  expect(existsSync(report)).toBe(false);
  return lines[0];
}

describe.concurrent('merge refuses partial results that do not make one run', () => {
  it('a missing shard: names it', async () => {
    expect(await refused([part(0), part(2)], part(0))).toContain('shard 1/3 missing');
  });

  it('the same shard twice', async () => {
    const copy = sh.path('copy-of-part-1.ndjson');
    copyFileSync(part(1), copy);
    expect(await refused([part(0), part(1), copy, part(2)], copy)).toContain('shard 1/3 given twice');
  });

  it('a partial cut in the middle of a record: names the byte offset', async () => {
    const text = readFileSync(part(1));
    // The cut falls inside a pending-session record (16-bounce's shard 1/3 holds two).
    expect(recordsOf(text.toString('utf8'), 'p')).toBeGreaterThan(0);
    const cut = sh.path('cut-1.ndjson');
    writeFileSync(cut, text.subarray(0, text.length >> 1));
    expect(await refused([part(0), cut, part(2)], cut)).toMatch(/byte offset \d+/);
  });

  it('a partial cut at a line boundary, before its end record (a shard that did not finish)', async () => {
    const lines = readFileSync(part(1), 'utf8').split('\n');
    const cut = sh.path('noend-1.ndjson');
    writeFileSync(cut, lines.slice(0, -2).join('\n') + '\n');
    const line = await refused([part(0), cut, part(2)], cut);
    expect(line).toContain('cut short');
    expect(line).toMatch(/byte offset \d+/);
  });

  it('a file that is not a partial result: a capture, a line of an NDJSON report', async () => {
    const ndjson = sh.path('report-line.ndjson');
    writeFileSync(ndjson, '{"@timestamp":"2026-11-26T13:30:10.098262000Z","event":{"kind":"event","dataset":"ftp_pcap.session"}}\n');
    const lines = await Promise.all([CAPTURE, ndjson].map((other) => refused([part(0), other, part(2)], other)));
    for (const line of lines) expect(line).toMatch(/not an? .*partial result/);
  });

  it('partials of different inputs', async () => {
    expect(await refused([part(0), sh.path('other-1.ndjson'), part(2)], sh.path('other-1.ndjson'))).toContain('other inputs');
  });

  it('a partial made with other options (--ports)', async () => {
    const ports = sh.path('ports-1.ndjson');
    expect(await sh.start(['ftp-pcap', 'analyze', CAPTURE, '--shard', `1/${N}`, '--ports', '2121', '-o', ports])).toMatchObject({ code: 0 });
    expect(await refused([part(0), ports, part(2)], ports)).toContain('other options');
  });

  it('a partial made by another ftp-pcap version', async () => {
    const older = sh.path('older-1.ndjson');
    const text = readFileSync(part(1), 'utf8');
    expect(text).toMatch(/^\{"partial":"ftp-pcap","version":\d+,"tool":"[^"]+"/);
    writeFileSync(older, text.replace(/"tool":"[^"]+"/, '"tool":"0.0.1"'));
    expect(await refused([part(0), older, part(2)], older)).toContain('made by ftp-pcap 0.0.1');
  });

  it('a partial of another shard count', async () => {
    const two = sh.path('of-two-1.ndjson');
    expect(await sh.start(['ftp-pcap', 'analyze', CAPTURE, '--shard', '1/2', '-o', two])).toMatchObject({ code: 0 });
    expect(await refused([part(0), two, part(2)], two)).toContain('shard 1/2 does not belong');
  });
});

// Shards of two different captures given under the same relative path (two pods, two snapshots of
// an archive) must not merge into a report of neither: check() compares size, bytes and times too.
describe('partials of different captures with the same path and packet count', () => {
  const partial = (i: number): string => sh.path(`same-name-${i}.ndjson`);
  interface InputSeen {
    path: string;
    packets: number;
    bytes: number;
    fileSize: number;
  }
  const inputsOf = (file: string): InputSeen[] => (JSON.parse(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) ?? '') as { end: { inputs: InputSeen[] } }).end.inputs;

  beforeAll(() => {
    // 06-client-nat-inside and 14-formats-sll: 123 packets each, both as "capture.pcap".
    const sources = ['fixtures/06-client-nat-inside.pcap', 'fixtures/14-formats-sll.pcap'];
    sources.forEach((src, i) => {
      const dir = sh.path(`same-name-${i}`);
      mkdirSync(dir);
      copyFileSync(src, `${dir}/capture.pcap`);
      expect(sh.run(`cd '${dir}' && ftp-pcap analyze capture.pcap --shard ${i}/2 -o '${partial(i)}'`)).toEqual({ code: 0, stdout: '', stderr: '' });
    });
  });

  it('the two partials agree on path and packets, and say their inputs differ in size', () => {
    const [a, b] = [inputsOf(partial(0)), inputsOf(partial(1))];
    expect(a.map((x) => [x.path, x.packets])).toEqual([['capture.pcap', 123]]);
    expect(b.map((x) => [x.path, x.packets])).toEqual([['capture.pcap', 123]]);
    expect(a[0].fileSize).not.toBe(b[0].fileSize);
    expect(a[0].bytes).not.toBe(b[0].bytes);
  });

  it('merge refuses them', async () => {
    await refused([partial(0), partial(1)], partial(1));
  });
});

describe.concurrent('analyze: bad --shard and --jobs values are usage errors (exit 2, one line, nothing read)', () => {
  const cases: [string[], RegExp][] = [
    [[CAPTURE, '--shard', '3/3'], /^ftp-pcap: --shard: "3\/3" is not i\/N/],
    [[CAPTURE, '--shard', 'x'], /^ftp-pcap: --shard: "x" is not i\/N/],
    [[CAPTURE, '--shard', '0/2', '--format', 'json'], /^ftp-pcap: --shard .*--format belongs to `ftp-pcap merge`/],
    [[CAPTURE, '--jobs', '0'], /^ftp-pcap: --jobs: "0" is not a count/],
    [['--jobs', '2', '-'], /^ftp-pcap: --jobs: stdin \(-\) is read once/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const out = sh.path(`usage-${args.join('_').replace(/\W/g, '')}.out`);
      const r = await sh.start(['ftp-pcap', 'analyze', ...args, ...(args.includes('--shard') ? ['-o', out] : [])]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(linesOf(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }
});
