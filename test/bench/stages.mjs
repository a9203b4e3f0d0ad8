#!/usr/bin/env node
// Where the time goes, in one process: read only, read + decode, read + decode + info collector.
//   node test/bench/stages.mjs FILE [runs]
// Uses the built dist/ (npm run build). Prints ns/packet and packets/s per stage (best of runs).
import { readCaptures } from '../../dist/capture/index.js';
import { Decoder, newPacket } from '../../dist/decode/index.js';
import { InfoCollector } from '../../dist/report/info.js';

const file = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
if (!file) {
  console.error('usage: node test/bench/stages.mjs FILE [runs]');
  process.exit(2);
}

const stages = {
  read: () => {
    let n = 0;
    return { sink: () => void n++, count: () => n };
  },
  'read+decode': () => {
    const d = new Decoder();
    const p = newPacket();
    let n = 0;
    return { sink: (r) => { d.decode(r, p); n++; }, count: () => n };
  },
  'read+decode+info': () => {
    const d = new Decoder();
    const p = newPacket();
    const c = new InfoCollector();
    let n = 0;
    return { sink: (r) => { c.packet(d.decode(r, p), p); n++; }, count: () => n };
  },
};

for (const [name, make] of Object.entries(stages)) {
  let best = Infinity;
  let packets = 0;
  for (let i = 0; i < runs; i++) {
    const s = make();
    const t0 = process.hrtime.bigint();
    await readCaptures([file], s.sink);
    const ns = Number(process.hrtime.bigint() - t0);
    packets = s.count();
    best = Math.min(best, ns);
  }
  console.log(`${name.padEnd(18)} ${(best / packets).toFixed(0).padStart(5)} ns/packet  ${(packets / (best / 1e9) / 1e6).toFixed(2)} M packets/s  (${packets} packets, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB)`);
}
