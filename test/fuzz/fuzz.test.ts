/**
 * The fuzz targets (targets.ts) as a smoke in `npm test`: a few seconds each, a random seed each
 * run (printed with any counterexample: `FUZZ_SEED=n FUZZ_PATH=p` replays it). `npm run fuzz --
 * --minutes N` runs the same file with FUZZ_MS set: each target for that long.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TARGETS, type TargetName } from './targets.js';

/** Per-target budget: FUZZ_MS for long runs; the smoke shares ~15 s among the six. */
const SMOKE_MS: Record<TargetName, number> = { pcap: 2500, pcapng: 2500, decode: 2000, tcp: 2500, ftp: 2000, pipeline: 3500 };
const LONG_MS = Number(process.env.FUZZ_MS ?? 0);
const ONLY = process.env.FUZZ_TARGETS ? process.env.FUZZ_TARGETS.split(',') : null;

describe('fuzz (fast-check, structure-aware)', () => {
  for (const name of Object.keys(TARGETS) as TargetName[]) {
    if (ONLY && !ONLY.includes(name)) continue;
    const ms = LONG_MS > 0 ? LONG_MS : SMOKE_MS[name];
    it(`${name}: no exception, bounds hold`, async () => {
      const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
      const params: fc.Parameters<unknown> = {
        seed,
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: ms,
        markInterruptAsFailure: false,
        ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
      };
      const started = Date.now();
      const out = await fc.check(TARGETS[name] as fc.IAsyncProperty<unknown[]>, params as fc.Parameters<unknown[]>);
      const secs = (Date.now() - started) / 1000;
      process.stdout.write(`[fuzz] ${name}: ${out.numRuns} inputs in ${secs.toFixed(1)} s (${Math.round(out.numRuns / secs)}/s), seed ${seed}${out.failed ? ', FAILED' : ''}\n`);
      if (out.failed) {
        process.stdout.write(`[fuzz] ${name}: counterexample (seed ${out.seed}, path ${out.counterexamplePath}): ${fc.stringify(out.counterexample).slice(0, 2000)}\n`);
        expect.fail(`${name}: ${out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance)} (FUZZ_SEED=${out.seed} FUZZ_PATH=${out.counterexamplePath})`);
      }
      expect(out.numRuns).toBeGreaterThan(0);
    }, ms + 120_000);
  }
});
