#!/usr/bin/env node
// How much of a run is the JIT warming up: the whole analysis of FILE (JSON to /dev/null) RUNS times
// in one process, each timed (wall and CPU of all threads). The first run is what the executable
// pays; later ones run code V8 has already optimized, so the difference is the warm-up: compiling
// (TurboFan's jobs, on a background thread) and running unoptimized code meanwhile.
//   node --max-semi-space-size=2 test/bench/warm.mjs FILE [runs=4]
// Uses the built dist/ (npm run build). Add --trace-opt to count the compile jobs of each run.
import { analyzeTo } from '../../dist/pipeline.js';
import { JsonSink } from '../../dist/report/analysis.js';
import { Out } from '../../dist/report/out.js';

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --max-semi-space-size=2 test/bench/warm.mjs FILE [runs]');
  process.exit(2);
}
for (let i = 0; i < Number(runsArg ?? 4); i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = new Out('/dev/null');
  await analyzeTo([file], {}, new JsonSink(out));
  out.close();
  const c = process.cpuUsage(c0);
  console.log(`run ${i + 1}: wall ${(performance.now() - t0).toFixed(0)} ms, CPU ${((c.user + c.system) / 1000).toFixed(0)} ms`);
}
