/**
 * `--jobs N`: the main thread and N-1 worker threads (the built dist/scale/worker.js: `npm test`
 * builds first), one shard each, merged by the main thread — the same report as one thread, for
 * every lab capture.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze } from '../../src/pipeline.js';
import { analyzeJobs, type JobsStats } from '../../src/scale/jobs.js';
import { CollectSink, type AnalysisReport } from '../../src/report/analysis.js';
import { cliBatch, type CliResult } from '../helpers/cli.js';
import { readAll } from '../helpers/capture.js';
import { toPcap, variantRecords } from '../helpers/variants.js';

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[]; sessions?: { client: { ip: string } }[] }[] };
const workerUrl = pathToFileURL(resolve('dist/scale/worker.js'));

async function jobs(files: string[], n: number, stats?: JobsStats): Promise<AnalysisReport> {
  const sink = new CollectSink();
  await analyzeJobs(files, { workerUrl }, n, sink, stats);
  return sink.report as AnalysisReport;
}

describe('--jobs 2 = --jobs 1', () => {
  for (const c of manifest.captures) {
    const files = (c.parts ?? [c]).map((p) => join('fixtures', p.file));
    it(c.file, async () => {
      expect(await jobs(files, 2)).toEqual(await analyze(files));
    });
  }

  it('reports each worker and the merge in its stats', async () => {
    const stats: JobsStats = { workerPeakHeap: [], workerCpuSeconds: [], shardSeconds: 0, mergeSeconds: 0 };
    const files = ['fixtures/11-concurrent.pcap'];
    expect(await jobs(files, 3, stats)).toEqual(await analyze(files));
    expect(stats.workerPeakHeap).toHaveLength(3);
    for (const h of stats.workerPeakHeap) expect(h).toBeGreaterThan(1 << 20);
    expect(stats.shardSeconds).toBeGreaterThan(0);
  });

  it('a worker that fails while the main thread runs shard 0: the run fails naming it, nothing unhandled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-jobs-test-'));
    try {
      const failing = join(dir, 'failing-worker.mjs');
      writeFileSync(failing, 'process.exit(3);\n');
      const sink = new CollectSink();
      await expect(analyzeJobs(['fixtures/11-concurrent.pcap'], { workerUrl: pathToFileURL(failing) }, 3, sink)).rejects.toThrow(/worker [23] of 3 stopped with exit code 3/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a capture cut short: the same report of what came before, complete false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-jobs-test-'));
    try {
      const bytes = readFileSync('fixtures/11-concurrent.pcap');
      const cut = join(dir, 'cut.pcap');
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
      const whole = await analyze([cut]);
      expect(whole.complete).toBe(false);
      expect(whole.sessions.length).toBeGreaterThan(0);
      expect(await jobs([cut], 2)).toEqual(whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--jobs 2 = --jobs 1 on one-sided captures (test/helpers/variants.ts)', () => {
  // A half announcement's connection to a third address is another host pair, so another shard:
  // the session waits for the merge, which replays the other shard's orphans from its initiator.
  const cases: [string, 'client-side' | 'server-side'][] = [
    ['16-bounce.pcap', 'server-side'],
    ['06-client-nat-outside.pcap', 'server-side'],
    ['07-ipv6.pcap', 'server-side'],
    ['15-long-modes.pcap', 'client-side'],
    ['05-pasv-nat-client.pcap', 'client-side'],
  ];
  for (const [file, side] of cases) {
    it(`${file} ${side}`, async () => {
      const c = manifest.captures.find((x) => x.file === file);
      const { records } = await readAll([join('fixtures', file)]);
      const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-jobs-test-'));
      try {
        const path = join(dir, 'one-sided.pcap');
        writeFileSync(path, toPcap(variantRecords(records, side, new Set((c?.sessions ?? []).map((s) => s.client.ip)))) as Buffer);
        const one = await analyze([path], { ports: [21] });
        expect(one.sessions.length).toBeGreaterThan(0);
        const sink = new CollectSink();
        await analyzeJobs([path], { workerUrl, ports: [21] }, 2, sink);
        expect(sink.report).toEqual(one);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('analyze --jobs 2 in every format, as a user runs it', () => {
  // 16-bounce: a session whose data connection runs to a third host, so in another shard.
  const file = 'fixtures/16-bounce.pcap';
  const formats = [['-f', 'text'], ['-f', 'json'], ['-f', 'ndjson'], ['-f', 'ocsf'], ['-f', 'xml'], ['-f', 'html'], ['--ladder', '--session', '1']];
  // Each command line as the user types it, all in one process (cliBatch: the CLI loaded once).
  let runs: CliResult[] = [];
  beforeAll(() => {
    runs = cliBatch(formats.flatMap((args) => [['analyze', ...args, '--jobs', '1', file], ['analyze', ...args, '--jobs', '2', file]]));
  }, 120_000);
  formats.forEach((args, i) => {
    it(args.join(' '), () => {
      const [one, two] = [runs[2 * i], runs[2 * i + 1]];
      expect(one.code).toBe(0);
      expect(two.stderr).toBe('');
      expect(two.code).toBe(0);
      expect(two.stdout).toBe(one.stdout);
    });
  });
});
