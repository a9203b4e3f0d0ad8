#!/usr/bin/env node
// What allocates, by function: the whole analysis of FILE in this process (dist/, JSON to
// /dev/null) under V8's sampling heap profiler with collected objects included (every allocation
// sampled, not only what is live at the end). Prints MB allocated by function (self), top N;
// writes the .heapprofile (Chrome DevTools, Memory tab) to OUT if given.
//   node --max-semi-space-size=2 test/bench/alloc-profile.mjs FILE [N=30] [OUT]
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { analyzeTo } from '../../dist/pipeline.js';
import { JsonSink } from '../../dist/report/analysis.js';
import { Out } from '../../dist/report/out.js';

const [file, nArg, outFile] = process.argv.slice(2);
if (!file) {
  console.error('usage: node test/bench/alloc-profile.mjs FILE [N] [OUT]');
  process.exit(2);
}
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const out = new Out('/dev/null');
await analyzeTo([file], {}, new JsonSink(out));
out.close();
const { profile } = await session.post('HeapProfiler.stopSampling');
if (outFile) writeFileSync(outFile, JSON.stringify(profile));
const self = new Map();
const walk = (n) => {
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
  self.set(k, (self.get(k) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c);
};
walk(profile.head);
let all = 0;
for (const v of self.values()) all += v;
console.log(`${file}: ~${(all / 1e6).toFixed(0)} MB allocated (sampled every 32 KiB), by function:`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(nArg ?? 30))) console.log(`${(v / 1e6).toFixed(1).padStart(8)} MB  ${k}`);
