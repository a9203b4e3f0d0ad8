/**
 * The recipes of docs/scale.md, run as written by the built executable: shards started
 * by GNU parallel and by `xargs -P`, then `ftp-pcap merge`, give byte for byte the report one
 * `ftp-pcap analyze` writes, in every format (`--jobs 2` = `--jobs 1` through the CLI: jobs.test.ts).
 *
 * The lab captures: 16-bounce (PORT to a third host) and 06-client-nat-outside (PORT naming the
 * client's private address, the data connection from the NAT's public one) put a data connection
 * between other hosts than its control connection, so with these shard counts it lands in another
 * shard than its session (checked: the partials hold pending sessions and orphan connections) and
 * only the merge joins them; 11-concurrent is the plain case, five sessions spread over the shards.
 *
 * GNU parallel: installed by .ci/run, so under CI=true its test runs and fails when it is missing;
 * elsewhere it is skipped, saying so, when `parallel --version` is not GNU parallel (moreutils
 * ships another program of that name).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { FORMAT_NAMES } from '../../src/report/formats.js';
import { Shell, q, recordsOf, type ShellResult } from '../helpers/shell.js';

interface Case {
  file: string;
  shards: number;
  /** A data connection lands in another shard than its session. */
  crosses: boolean;
}

const CASES: Case[] = [
  { file: 'fixtures/16-bounce.pcap', shards: 2, crosses: true },
  { file: 'fixtures/06-client-nat-outside.pcap', shards: 2, crosses: true },
  { file: 'fixtures/11-concurrent.pcap', shards: 2, crosses: false },
];
/** For xargs and the formats: 3 shards, which also part this capture's sessions from their data
 * (at 5 they do not: which host pairs share a shard depends on the count). */
const CROSSING: Case = { ...CASES[1], shards: 3 };

const gnuParallel = /GNU parallel/.test(spawnSync('parallel', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const inCi = process.env.CI === 'true';
if (!gnuParallel && !inCi) console.warn('GNU parallel recipe skipped: GNU parallel is not installed (apt-get install -y parallel)');

let sh: Shell;
/** `ftp-pcap analyze FILE -f FORMAT` by one process, once per file and format. */
const single = new Map<string, string>();

beforeAll(() => {
  sh = new Shell('ftp-pcap-recipes-');
});
afterAll(() => sh.dispose());

function onePass(file: string, format: string): string {
  const key = `${file} ${format}`;
  let out = single.get(key);
  if (out === undefined) {
    // --jobs 1: the plain single-threaded path, whatever the default.
    const r = sh.run(`ftp-pcap analyze --jobs 1 ${q(file)} -f ${format}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    out = r.stdout;
    single.set(key, out);
  }
  return out;
}

/** Checks the partials a recipe left in `dir`, merges them (the glob of docs/scale.md) and compares. */
function mergedEqualsOnePass(c: Case, dir: string): void {
  const parts = [...Array(c.shards).keys()].map((i) => sh.read(`${dir}/part-${i}.ndjson`));
  if (c.crosses) {
    expect(parts.reduce((n, p) => n + recordsOf(p, 'p'), 0)).toBeGreaterThan(0);
    expect(parts.reduce((n, p) => n + recordsOf(p, 'o'), 0)).toBeGreaterThan(0);
  }
  // Every shard holds some of the work for the plain case, or the test proves little.
  else expect(parts.filter((p) => recordsOf(p, 's') > 0).length).toBeGreaterThan(1);
  const merged = sh.run(`ftp-pcap merge ${q(sh.path(dir))}/part-*.ndjson -f json`);
  expect(merged.stderr).toBe('');
  expect(merged.code).toBe(0);
  expect(merged.stdout).toBe(onePass(c.file, 'json'));
}

describe.skipIf(!gnuParallel && !inCi)('GNU parallel: parallel ftp-pcap analyze F --shard {}/N -o DIR/part-{}.ndjson ::: 0 .. N-1, then merge', () => {
  for (const c of CASES) {
    it(`${c.file} in ${c.shards} shards = one process (byte for byte)`, () => {
      expect(gnuParallel, 'GNU parallel is not installed: .ci/run installs it with apt-get').toBe(true);
      const dir = `parallel-${c.shards}-${c.file.replace(/\W/g, '_')}`;
      const indexes = [...Array(c.shards).keys()].join(' ');
      const r = sh.run(`mkdir ${q(sh.path(dir))} && parallel ftp-pcap analyze ${q(c.file)} --shard {}/${c.shards} -o ${q(sh.path(dir))}/part-{}.ndjson ::: ${indexes}`);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      mergedEqualsOnePass(c, dir);
    });
  }
});

describe("xargs -P: printf '%s\n' 0 .. N-1 | xargs -P N -I{} ftp-pcap analyze F --shard {}/N -o DIR/part-{}.ndjson, then merge", () => {
  // One recipe run, read by every test below: each merges the same partials into another format.
  const c = CROSSING;
  const dir = 'xargs';
  const parts = (): string => `${q(sh.path(dir))}/part-*.ndjson`;
  // json is the first test; every other format, including one added later, after it.
  const formats = FORMAT_NAMES().filter((f) => f !== 'json');
  let shards: ShellResult = { code: null, stdout: '', stderr: '' };
  /** Per format: [merge of the partials, analyze of the capture], run at once to save time. */
  const outputs = new Map<string, [ShellResult, ShellResult]>();

  beforeAll(async () => {
    const indexes = [...Array(c.shards).keys()].join(' ');
    shards = sh.run(`mkdir ${q(sh.path(dir))} && printf '%s\\n' ${indexes} | xargs -P ${c.shards} -I{} ftp-pcap analyze ${q(c.file)} --shard {}/${c.shards} -o ${q(sh.path(dir))}/part-{}.ndjson`);
    // The partials in reverse order: merge takes them in any order.
    const files = [...Array(c.shards).keys()].map((i) => sh.path(`${dir}/part-${i}.ndjson`)).reverse();
    const runs = formats.map((f) => Promise.all([sh.start(['ftp-pcap', 'merge', ...files, '-f', f]), sh.start(['ftp-pcap', 'analyze', c.file, '-f', f])]));
    (await Promise.all(runs)).forEach((r, i) => outputs.set(formats[i], r));
  });

  it(`${c.file} in ${c.shards} shards = one process (byte for byte)`, () => {
    expect(shards.stderr).toBe('');
    expect(shards.code).toBe(0);
    mergedEqualsOnePass(c, dir);
  });

  it('the CLI offers the formats the README lists (each one compared below)', () => {
    expect(FORMAT_NAMES()).toEqual(expect.arrayContaining(['text', 'json', 'ndjson', 'ocsf', 'xml', 'html']));
  });

  for (const format of formats) {
    it(`merge -f ${format} = analyze -f ${format}, byte for byte`, () => {
      const [merged, whole] = outputs.get(format) ?? [shards, shards];
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(0);
      expect(whole.code).toBe(0);
      expect(whole.stdout.length).toBeGreaterThan(500);
      expect(merged.stdout).toBe(whole.stdout);
    });
  }
});
