import { it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutationArb, mutate } from './targets.js';
import { analyze } from '../../src/pipeline.js';
import { analyzeShard } from '../../src/scale/run-shard.js';
import { mergePartials } from '../../src/scale/merge.js';
import { CollectSink, type AnalysisReport } from '../../src/report/analysis.js';
import { Out } from '../../src/report/out.js';
const dir = mkdtempSync(join(tmpdir(), 'robust-fz-'));
const SEEDS = ['fixtures/06-client-nat-outside.pcap', 'fixtures/05-pasv-nat-client.pcap', 'fixtures/16-bounce.pcap', 'fixtures/11-concurrent.pcap', 'fixtures/03-active-blocked.pcap', 'fixtures/08-missing-file.pcap'].map((p) => readFileSync(p));
let k = 0;
it('search', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }), async (s, muts) => {
    const f = join(dir, `m${k++}.pcap`);
    writeFileSync(f, mutate(SEEDS[s], muts, true));
    let whole: AnalysisReport;
    try { whole = await analyze([f]); } catch { return true; }
    for (const n of [2, 3]) {
      const parts: string[] = [];
      for (let i = 0; i < n; i++) { const p = join(dir, `p${i}`); const o = new Out(p); await analyzeShard([f], {}, { index: i, count: n }, o); o.close(); parts.push(p); }
      const sink = new CollectSink(); mergePartials(parts, {}, sink);
      if (JSON.stringify(sink.report) !== JSON.stringify(whole)) { writeFileSync('/var/tmp/robust/fuzz-diff.pcap', readFileSync(f)); console.log('DIFF seed', s, 'n', n, JSON.stringify(muts).slice(0, 300)); return false; }
    }
    return true;
  }), { numRuns: 400, seed: 14 });
}, 600_000);
