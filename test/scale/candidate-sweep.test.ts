/**
 * A connection one session took, swept out of the candidate pool while still in the TCP tracker,
 * must not reach the merge as an orphan: the merge would give it to a pending session between the
 * same hosts as an unmatched data connection (a duplicate of a connection another session reports).
 * The capture is real (test/scale/data/README.md); the sweep, which a busy capture makes every few
 * thousand candidates, is brought forward with the analyzer's candidateSweepFrom.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.js';
import { analyzeShard } from '../../src/scale/run-shard.js';
import { mergePartials } from '../../src/scale/merge.js';
import { CollectSink, type AnalysisReport } from '../../src/report/analysis.js';
import { Out } from '../../src/report/out.js';

const capture = 'test/scale/data/many-swept-taken.pcap';
/** Sweep at every new candidate. */
const opts = { candidateSweepFrom: 1 };

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-sweep-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function partials(n: number): Promise<string[]> {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = join(dir, `part-${i}-of-${n}.ndjson`);
    const out = new Out(path);
    await analyzeShard([capture], opts, { index: i, count: n }, out);
    out.close();
    parts.push(path);
  }
  return parts;
}

const lines = (parts: string[], kind: 'p' | 'o'): string[] => parts.flatMap((p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.startsWith(`{"${kind}":`)));

describe('a taken connection swept from the candidate pool before it left the tracker', () => {
  it('one process: the sweep changes no answer, and the second session has its three connections', async () => {
    const swept = await analyze([capture], opts);
    expect(swept).toEqual(await analyze([capture]));
    const first = swept.sessions.find((s) => s.client.port === 46413);
    const second = swept.sessions.find((s) => s.client.port === 54823);
    expect(first?.dataConnections).toMatchObject([
      { mode: 'passive', from: { port: 15597 }, announced: { port: 33192 } },
      { mode: 'passive', from: { port: 57251 }, announced: { port: 39589 } },
    ]);
    expect(second?.dataConnections).toMatchObject([
      { mode: 'extended-passive', from: { ip: '192.0.2.120', port: 28915 }, to: { ip: '198.51.100.20', port: 34866 } },
      { mode: 'extended-passive', from: { port: 16413 } },
      { mode: 'active', to: { port: 39273 } },
    ]);
  });

  it('2 shards merged = one process; the taken connections are no orphans', async () => {
    const whole = await analyze([capture], opts);
    const parts = await partials(2);
    // The first session waits for the merge (another shard's session reused its passive port)...
    expect(lines(parts, 'p').some((l) => l.includes('"port":46413'))).toBe(true);
    const sink = new CollectSink();
    mergePartials(parts, {}, sink);
    const merged = sink.report as AnalysisReport;
    // Not the second session's connections again, as the first one's unmatched ones.
    expect(merged.sessions.find((s) => s.client.port === 46413)?.dataConnections).toHaveLength(2);
    expect(merged).toEqual(whole);
    // The connections the second session took are no orphans for the merge to replay.
    expect(lines(parts, 'o').filter((l) => l.includes('"port":28915') || l.includes('"port":16413') || l.includes('"port":39273'))).toEqual([]);
  });
});
