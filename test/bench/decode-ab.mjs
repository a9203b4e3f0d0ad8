#!/usr/bin/env node
// A/B of two builds of src/decode (test/bench/decode-micro.mjs's plain packets) in ONE process, their
// rounds interleaved, CPU time per packet: on a shared, loaded machine the two builds then see
// the same load, where two runs of decode-micro.mjs minutes apart do not. Not part of `npm test`.
//
//   git stash; npx tsc -p tsconfig.json --outDir /tmp/base; git stash pop
//   npx tsc -p tsconfig.json --outDir /tmp/new
//   node test/bench/decode-ab.mjs /tmp/base /tmp/new [kinds,comma,separated] [rounds]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { frame } from './frames.mjs';
const builds = {};
const dirs = { base: process.argv[2], new: process.argv[3] };
if (!dirs.base || !dirs.new) throw new Error('usage: decode-ab.mjs BASE_DIST NEW_DIST [kinds] [rounds]');
for (const name of ['base', 'new']) {
  const d = resolve(dirs[name]);
  builds[name] = {
    ...(await import(pathToFileURL(`${d}/decode/index.js`).href)),
    ...(await import(pathToFileURL(`${d}/capture/record.js`).href)),
  };
}
const N = 1 << 17;
const kinds = (process.argv[4] ?? 'eth-ipv4-tcp,eth-vlan-ipv4-tcp,eth-ipv6-tcp').split(',');
for (const kind of kinds) {
  const frames = []; for (let i = 0; i < 4096; i++) frames.push(frame(kind, i));
  const len = frames[0].length;
  const chunk = Buffer.alloc(N * (16 + len)); const offs = new Int32Array(N);
  for (let i = 0; i < N; i++) { const o = i * (16 + len) + 16; frames[i & 4095].copy(chunk, o); offs[i] = o; }
  const st = {};
  for (const [name, b] of Object.entries(builds)) {
    const rec = new b.CaptureRecord(); rec.buf = chunk; rec.linkType = 1; rec.capturedLength = len; rec.originalLength = len;
    st[name] = { dec: new b.Decoder(), p: b.newPacket(), rec, TCP: b.DecodeStatus.TCP, times: [] };
  }
  const round = (s) => {
    const t0 = process.cpuUsage();
    let check = 0;
    for (let i = 0; i < N; i++) { s.rec.offset = offs[i]; s.rec.frame = i + 1; if (s.dec.decode(s.rec, s.p) === s.TCP) check += s.p.srcPort; }
    const d = process.cpuUsage(t0);
    return { ns: ((d.user + d.system) * 1000) / N, check };
  };
  for (let r = 0; r < 5; r++) for (const s of Object.values(st)) round(s);
  const R = Number(process.argv[5] ?? 40);
  for (let r = 0; r < R; r++) for (const name of (r & 1 ? ['new', 'base'] : ['base', 'new'])) st[name].times.push(round(st[name]).ns);
  const sum = {};
  for (const [name, s] of Object.entries(st)) { const t = s.times.sort((a, b) => a - b); sum[name] = { min: t[0], p25: t[t.length >> 2], med: t[t.length >> 1] }; }
  const f = (x) => x.toFixed(1).padStart(6);
  console.log(`${kind.padEnd(18)} base min ${f(sum.base.min)} p25 ${f(sum.base.p25)} med ${f(sum.base.med)} | new min ${f(sum.new.min)} p25 ${f(sum.new.p25)} med ${f(sum.new.med)} | new/base p25 ${(sum.new.p25 / sum.base.p25).toFixed(3)} med ${(sum.new.med / sum.base.med).toFixed(3)}`);
}
