/**
 * One `--jobs` worker thread: runs its shard (run-shard.ts) into a partial result file and says
 * when it is done, with its peak heap; the main thread, which runs shard 0 and reports progress,
 * merges the files (merge.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { Out } from '../report/out.js';
import { analyzeShard } from './run-shard.js';
import { threadCpuSeconds, type WorkerJob, type WorkerMessage } from './worker-job.js';

async function run(job: WorkerJob): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('ftp-pcap: worker.js runs inside a worker thread only');
  let peakHeap = 0;
  const sample = (): void => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  };
  const out = new Out(job.file, false);
  await analyzeShard(job.paths, { ...job.opts, onProgress: sample }, job.shard, out);
  out.close();
  sample();
  port.postMessage({ done: true, peakHeap, cpuSeconds: threadCpuSeconds() } satisfies WorkerMessage);
}

await run(workerData as WorkerJob);
