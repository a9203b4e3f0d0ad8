/**
 * `--jobs N`: the cores of one machine. N threads (the main one and N-1 workers) each run one
 * shard of the same inputs (src/scale/shard.ts: every thread reads every input from the page cache
 * and keeps its host pairs) into a partial result in a private temporary folder; the main thread
 * then merges them (merge.ts) exactly as `ftp-pcap merge` does, so `--jobs`, `--shard` + `merge`
 * and one process give one answer. Not the default: a shard costs nearly what the whole run does
 * (docs/performance.md).
 */
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalyzeOptions } from '../pipeline.js';
import type { ReportSink, ReportTail } from '../report/analysis.js';
import type { ProgressInput } from '../capture/index.js';
import v8, { getHeapStatistics } from 'node:v8';
import { Out } from '../report/out.js';
import { mergePartials, type MergeOptions } from './merge.js';
import { analyzeShard } from './run-shard.js';
import { threadCpuSeconds, type WorkerJob, type WorkerMessage } from './worker-job.js';

export interface JobsStats {
  /** Peak V8 heap of each worker (bytes): RSS is the process's, shared by every thread. */
  workerPeakHeap: number[];
  /** CPU seconds of each worker thread (null where Node cannot say: before 23.9). */
  workerCpuSeconds: (number | null)[];
  /** Seconds spent in the workers (wall, until the last one finished) and in the merge. */
  shardSeconds: number;
  mergeSeconds: number;
}

export type JobsOptions = Omit<AnalyzeOptions, 'onProgress' | 'filter'> &
  MergeOptions & {
    onProgress?: (rs: readonly ProgressInput[]) => void;
    /** The worker script (tests running from src/ point at the built one). */
    workerUrl?: URL;
  };

/** Temporary folders of runs in progress: a signal (main.ts) removes them, as it removes a
 * half-written -o file; partial results of a large archive can be gigabytes. */
const running = new Set<string>();

export function removeJobFolders(): void {
  for (const dir of running) rmSync(dir, { recursive: true, force: true });
  running.clear();
}

export async function analyzeJobs(paths: readonly string[], opts: JobsOptions, jobs: number, sink: ReportSink, stats?: JobsStats): Promise<ReportTail> {
  const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-jobs-'));
  running.add(dir);
  const workers: Worker[] = [];
  const shardOpts: WorkerJob['opts'] = { ...(opts.ports ? { ports: [...opts.ports] } : {}), showPasswords: opts.showPasswords === true, timeline: opts.timeline === true, version: opts.version ?? '0.0.0', boundsShare: jobs };
  // No Maglev (Node 22+'s mid-tier compiler) in a split run: its code and compile zones cost
  // ~8 MB in each thread, measured with both floods of test/hostile/short-sessions.test.ts on
  // Node 24 -j 2 (peak RSS 154-159 MB with it, 144-148 MB without), for a few percent of speed.
  // The flag is process-wide and read when code is compiled, so it holds for the workers to come.
  v8.setFlagsFromString('--no-maglev');
  try {
    const t0 = performance.now();
    // The main thread runs shard 0 itself: it would only wait otherwise, and every thread is an
    // isolate of its own (~10 MB on Node 20, ~16 MB on Node 24, before its heap).
    const spawned = [...Array(jobs).keys()].slice(1).map(
      (index) =>
        new Promise<string>((resolve, reject) => {
          const file = join(dir, `shard-${index}-of-${jobs}.ndjson`);
          const job: WorkerJob = { paths: [...paths], opts: shardOpts, shard: { index, count: jobs }, file };
          const w = new Worker(opts.workerUrl ?? new URL('./worker.js', import.meta.url), { workerData: job });
          workers.push(w);
          w.on('message', (m: WorkerMessage) => {
            if ('done' in m && stats) {
              stats.workerPeakHeap[index] = m.peakHeap;
              stats.workerCpuSeconds[index] = m.cpuSeconds;
            }
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve(file) : reject(new Error(`worker ${index + 1} of ${jobs} stopped with exit code ${code}`))));
        }),
    );
    // A worker that fails while this thread still runs its shard is reported once this shard ends.
    for (const p of spawned) p.catch(() => undefined);
    const own = join(dir, `shard-0-of-${jobs}.ndjson`);
    const cpu0 = threadCpuSeconds();
    let peakHeap = 0;
    const out = new Out(own, false);
    try {
      await analyzeShard(
        paths,
        {
          ...shardOpts,
          // Every thread reads every input: this one's reading is the progress.
          onProgress: (rs) => {
            peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
            opts.onProgress?.(rs);
          },
        },
        { index: 0, count: jobs },
        out,
      );
    } finally {
      out.close();
    }
    if (stats) {
      stats.workerPeakHeap[0] = Math.max(peakHeap, getHeapStatistics().used_heap_size);
      const cpu1 = threadCpuSeconds();
      stats.workerCpuSeconds[0] = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    }
    const files = [own, ...(await Promise.all(spawned))];
    const t1 = performance.now();
    const tail = mergePartials(files, opts, sink);
    if (stats) {
      stats.shardSeconds = (t1 - t0) / 1000;
      stats.mergeSeconds = (performance.now() - t1) / 1000;
    }
    return tail;
  } finally {
    for (const w of workers) void w.terminate();
    rmSync(dir, { recursive: true, force: true });
    running.delete(dir);
  }
}
