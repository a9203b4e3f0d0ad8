#!/usr/bin/env node
// A/B of two builds stage by stage, in ONE process, rounds interleaved (both builds see the same
// load): read; read + decode; read + decode + TCP tracker (no FTP); the whole analysis into a JSON
// sink writing to /dev/null. CPU milliseconds per stage (process.cpuUsage: the collector's threads
// included), median of the rounds; the differences between stages say what each stage costs.
//   node test/bench/stages-ab.mjs BASE_DIST NEW_DIST FILE [rounds=3]
// (a checkout's dist/, e.g. ../base/dist and dist). Not part of `npm test`.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [baseDir, newDir, file, roundsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node test/bench/stages-ab.mjs BASE_DIST NEW_DIST FILE [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const load = async (d) => {
  const u = (p) => pathToFileURL(`${resolve(d)}/${p}`).href;
  return {
    ...(await import(u('capture/index.js'))),
    ...(await import(u('decode/index.js'))),
    ...(await import(u('tcp/index.js'))),
    pipeline: await import(u('pipeline.js')),
    report: await import(u('report/analysis.js')),
    Out: (await import(u('report/out.js'))).Out,
  };
};
const builds = { base: await load(baseDir), new: await load(newDir) };

const stages = {
  read: async (b) => b.readCaptures([file], () => {}, {}),
  'read+decode': async (b) => {
    const d = new b.Decoder();
    const p = b.newPacket();
    await b.readCaptures([file], (r) => void d.decode(r, p), {});
  },
  'read+decode+tcp': async (b) => {
    const d = new b.Decoder();
    const p = b.newPacket();
    const t = new b.TcpTracker({});
    await b.readCaptures([file], (r) => {
      if (d.decode(r, p) === b.DecodeStatus.TCP) t.packet(p);
    }, {});
    t.finish();
  },
  'analyze json': async (b) => {
    const out = new b.Out('/dev/null');
    await b.pipeline.analyzeTo([file], {}, new b.report.JsonSink(out));
    out.close();
  },
};

const times = {};
for (let r = 0; r < rounds; r++) {
  for (const [stage, run] of Object.entries(stages)) {
    for (const name of r & 1 ? ['new', 'base'] : ['base', 'new']) {
      globalThis.gc?.();
      const t0 = process.cpuUsage();
      await run(builds[name]);
      const d = process.cpuUsage(t0);
      ((times[stage] ??= { base: [], new: [] })[name]).push((d.user + d.system) / 1000);
    }
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${file}, ${rounds} rounds, node ${process.version}, CPU ms (median)`);
for (const [stage, t] of Object.entries(times)) {
  console.log(`${stage.padEnd(16)} base ${med(t.base).toFixed(0).padStart(6)}  new ${med(t.new).toFixed(0).padStart(6)}  new/base ${(med(t.new) / med(t.base)).toFixed(2)}`);
}
