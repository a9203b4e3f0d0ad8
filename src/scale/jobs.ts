/**
 * `--jobs N`: the cores of one machine. N worker threads each run one shard of the same inputs
 * (src/scale/shard.ts: every worker reads every input from the page cache and keeps its host
 * pairs; reading is the cheap part, TCP reassembly and FTP parsing the dear one) into a partial
 * result in a private temporary folder; the main thread then merges them (merge.ts) exactly as
 * `ftp-pcap merge` does, so `--jobs`, `--shard` + `merge` and one process give one answer.
 */
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalyzeOptions } from '../pipeline.js';
import type { ReportSink, ReportTail } from '../report/analysis.js';
import type { ProgressInput } from '../capture/index.js';
import { mergePartials, type MergeOptions } from './merge.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

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
  try {
    const t0 = performance.now();
    const files = await Promise.all(
      [...Array(jobs).keys()].map(
        (index) =>
          new Promise<string>((resolve, reject) => {
            const file = join(dir, `shard-${index}-of-${jobs}.ndjson`);
            const job: WorkerJob = {
              paths: [...paths],
              opts: { ...(opts.ports ? { ports: [...opts.ports] } : {}), showPasswords: opts.showPasswords === true, timeline: opts.timeline === true, version: opts.version ?? '0.0.0', boundsShare: jobs },
              shard: { index, count: jobs },
              file,
              // Every worker reads every input: the first one's reading is the progress.
              progress: index === 0 && opts.onProgress !== undefined,
            };
            const w = new Worker(opts.workerUrl ?? new URL('./worker.js', import.meta.url), { workerData: job });
            workers.push(w);
            w.on('message', (m: WorkerMessage) => {
              if ('progress' in m) opts.onProgress?.(m.progress);
              else if (stats) {
                stats.workerPeakHeap[index] = m.peakHeap;
                stats.workerCpuSeconds[index] = m.cpuSeconds;
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => (code === 0 ? resolve(file) : reject(new Error(`worker ${index + 1} of ${jobs} stopped with exit code ${code}`))));
          }),
      ),
    );
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
