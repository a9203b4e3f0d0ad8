#!/usr/bin/env node
// The top of a V8 CPU profile (node --cpu-prof; test/bench/run.mjs --profile): self and inclusive
// milliseconds by function (name, file under dist/, line), the collector as its own row.
//   node test/bench/profile-top.mjs FILE.cpuprofile [rows=40]
import { readFileSync, readdirSync } from 'node:fs';
const f = process.argv[2];
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const self = new Map(); const total = new Map();
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
let all = 0;
for (const n of p.nodes) {
  const t = (dt.get(n.id) ?? 0) / 1000; all += t;
  const k = key(n); self.set(k, (self.get(k) ?? 0) + t);
  // inclusive: add to every distinct ancestor key
  const seen = new Set(); let cur = n.id;
  while (cur !== undefined) { const kk = key(byId.get(cur)); if (!seen.has(kk)) { seen.add(kk); total.set(kk, (total.get(kk) ?? 0) + t); } cur = parent.get(cur); }
}
const N = Number(process.argv[3] ?? 40);
console.log(`total ${all.toFixed(0)} ms`);
console.log('--- self');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(v.toFixed(0).padStart(6), k);
console.log('--- inclusive');
for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(v.toFixed(0).padStart(6), k);
