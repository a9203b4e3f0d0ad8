#!/usr/bin/env node
// Long fuzzing runs, outside `npm test`: `npm run fuzz -- --minutes N [--targets pcap,tcp]`.
// Runs test/fuzz/fuzz.test.ts under vitest with FUZZ_MS (each target gets N minutes / targets),
// then prints the inputs executed per target and in all. A counterexample fails its target and is
// printed with FUZZ_SEED/FUZZ_PATH to replay it; minimise it and add it under
// test/fuzz/regressions/ with the fix.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const minutes = Number(opt('minutes', '1'));
if (!(minutes > 0)) {
  process.stderr.write('usage: npm run fuzz -- --minutes N [--targets pcap,pcapng,decode,tcp,ftp,pipeline]\n');
  process.exit(2);
}
const targets = opt('targets', 'pcap,pcapng,decode,tcp,ftp,pipeline').split(',');
const perTarget = Math.floor((minutes * 60_000) / targets.length);
process.stdout.write(`fuzzing ${targets.join(', ')} for ${minutes} min (${(perTarget / 1000).toFixed(0)} s each)\n`);

const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/fuzz/fuzz.test.ts'], {
  env: { ...process.env, FUZZ_MS: String(perTarget), FUZZ_TARGETS: targets.join(',') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (b) => {
  out += b;
  process.stdout.write(b);
});
child.on('close', (code) => {
  const rows = [...out.matchAll(/\[fuzz\] (\w+): (\d+) inputs in ([\d.]+) s[^\n]*/g)];
  let total = 0;
  process.stdout.write('\ntarget     inputs      per second  result\n');
  for (const m of rows) {
    total += Number(m[2]);
    process.stdout.write(`${m[1].padEnd(10)} ${m[2].padStart(10)}  ${String(Math.round(Number(m[2]) / Number(m[3]))).padStart(10)}  ${m[0].includes('FAILED') ? 'FAILED' : 'ok'}\n`);
  }
  process.stdout.write(`${'all'.padEnd(10)} ${String(total).padStart(10)}\n`);
  process.exit(code ?? 1);
});
