/**
 * What the main thread and a `--jobs` worker thread (worker.ts) tell each other: the job going in,
 * one message coming out. Apart from worker.ts, which runs its job when loaded.
 */
import type { AnalyzeOptions } from '../pipeline.js';
import type { ShardSpec } from './shard.js';

export interface WorkerJob {
  paths: string[];
  opts: Pick<AnalyzeOptions, 'ports' | 'showPasswords' | 'timeline' | 'version' | 'boundsShare'>;
  shard: ShardSpec;
  file: string;
}

export type WorkerMessage = { done: true; peakHeap: number; cpuSeconds: number | null };

/** This thread's CPU time (Node 23.9+ has process.threadCpuUsage; null before). */
export function threadCpuSeconds(): number | null {
  const f = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (typeof f !== 'function') return null;
  const u = f.call(process);
  return (u.user + u.system) / 1e6;
}
