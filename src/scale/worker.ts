/**
 * One `--jobs` worker thread: runs its shard (run-shard.ts) into a partial result file and says
 * when it is done, with its peak heap; the main thread merges the files (merge.ts). Progress goes
 * to the main thread as byte counts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { Out } from '../report/out.js';
import { analyzeShard } from './run-shard.js';
import type { AnalyzeOptions } from '../pipeline.js';
import type { ShardSpec } from './shard.js';
import type { ProgressInput } from '../capture/index.js';

export interface WorkerJob {
  paths: string[];
  opts: Pick<AnalyzeOptions, 'ports' | 'showPasswords' | 'timeline' | 'version' | 'boundsShare'>;
  shard: ShardSpec;
  file: string;
  progress: boolean;
}

export type WorkerMessage = { progress: ProgressInput[] } | { done: true; peakHeap: number; cpuSeconds: number | null };

/** This thread's CPU time (Node 23.9+ has process.threadCpuUsage; null before). */
function threadCpuSeconds(): number | null {
  const f = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (typeof f !== 'function') return null;
  const u = f.call(process);
  return (u.user + u.system) / 1e6;
}

async function run(job: WorkerJob): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('ftp-pcap: worker.js runs inside a worker thread only');
  let peakHeap = 0;
  const out = new Out(job.file, false);
  const sample = (): void => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  };
  await analyzeShard(
    job.paths,
    {
      ...job.opts,
      onProgress: (rs) => {
        sample();
        if (job.progress) port.postMessage({ progress: rs.map((r) => ({ path: r.path, packets: r.packets, capturedBytes: r.capturedBytes, format: r.format, gzip: r.gzip, fileSize: r.fileSize, done: r.done, bytesRead: r.bytesRead })) } satisfies WorkerMessage);
      },
    },
    job.shard,
    out,
  );
  out.close();
  sample();
  port.postMessage({ done: true, peakHeap, cpuSeconds: threadCpuSeconds() } satisfies WorkerMessage);
}

await run(workerData as WorkerJob);
