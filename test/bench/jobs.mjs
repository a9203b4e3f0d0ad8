#!/usr/bin/env node
// Where --jobs spends its time: one process (--jobs 1) against N worker threads, in process.
//   node test/bench/jobs.mjs FILE [jobs=2] [runs=3]
// Uses the built dist/ (npm run build). Prints, best of runs: a worker's fixed cost, wall time and packets/s of the plain
// path and of --jobs N, split into the workers' part (read + decode all, tcp + ftp of their share,
// partial results written) and the merge (partials read, pending sessions replayed, report
// written), the peak heap of each worker and the process's peak RSS (all threads together).
import { analyzeTo } from '../../dist/pipeline.js';
import { analyzeJobs } from '../../dist/scale/jobs.js';
import { analyzeShard } from '../../dist/scale/run-shard.js';
import { JsonSink } from '../../dist/report/analysis.js';
import { Out } from '../../dist/report/out.js';
import { statSync } from 'node:fs';

const [file, jobsArg, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node test/bench/jobs.mjs FILE [jobs] [runs]');
  process.exit(2);
}
const jobs = Number(jobsArg ?? 2);
const runs = Number(runsArg ?? 3);
const mb = statSync(file).size / 1e6;

async function once(n) {
  const out = new Out('/dev/null');
  const stats = { workerPeakHeap: [], workerCpuSeconds: [], shardSeconds: 0, mergeSeconds: 0 };
  const t0 = performance.now();
  const tail = n === 1 ? await analyzeTo([file], {}, new JsonSink(out)) : await analyzeJobs([file], {}, n, new JsonSink(out), stats);
  out.close();
  return { s: (performance.now() - t0) / 1000, packets: tail.inputs.reduce((a, i) => a + i.packets, 0), stats };
}

// A worker's fixed cost: every packet read, decoded and hashed, its shard owning (nearly) none.
{
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const out = new Out('/dev/null');
    const t0 = performance.now();
    await analyzeShard([file], {}, { index: 999_999, count: 1_000_000 }, out);
    out.close();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  console.log(`read + decode + hash of every packet (a worker's fixed cost): ${best.toFixed(2)} s`);
}

for (const n of [1, jobs]) {
  let best = null;
  for (let i = 0; i < runs; i++) {
    const r = await once(n);
    if (!best || r.s < best.s) best = r;
  }
  const split = n === 1 ? '' : `  (workers ${best.stats.shardSeconds.toFixed(2)} s, merge ${best.stats.mergeSeconds.toFixed(2)} s, worker peak heap ${best.stats.workerPeakHeap.map((h) => (h / 1048576).toFixed(0)).join('/')} MB, worker cpu ${best.stats.workerCpuSeconds.map((c) => (c === null ? '?' : c.toFixed(2))).join('/')} s)`;
  console.log(`--jobs ${n}: ${best.s.toFixed(2)} s  ${(mb / best.s).toFixed(0)} MB/s  ${(best.packets / best.s / 1e6).toFixed(2)} M packets/s${split}  rss now ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
}
