/**
 * One shard of a run (`analyze --shard i/N`, or one `--jobs` worker): the pipeline over the
 * shard's host pairs, written as a partial result (src/scale/partial.ts) for `merge`.
 */
import type { Out } from '../report/out.js';
import { countersOf, runStages, type AnalyzeOptions, type RunCounters } from '../pipeline.js';
import { shardOf, type ShardSpec } from './shard.js';
import { factsOf } from '../ftp/model.js';
import { controlPorts } from '../ftp/analyzer.js';
import { ShardBook } from './shard-hooks.js';
import { encodePending, encodeRecord, PARTIAL_FORMAT, PARTIAL_VERSION, type PartialHeader, type PartialOptions } from './partial.js';

export async function analyzeShard(paths: readonly string[], opts: AnalyzeOptions, shard: ShardSpec, out: Out): Promise<RunCounters> {
  const options: PartialOptions = { ports: [...(opts.ports ?? [])], showPasswords: opts.showPasswords === true, timeline: opts.timeline === true };
  const header: PartialHeader = { partial: PARTIAL_FORMAT, version: PARTIAL_VERSION, tool: opts.version ?? '0.0.0', shard: [shard.index, shard.count], options };
  out.write(encodeRecord({ kind: 'header', header }));
  const run = await runStages(
    paths,
    {
      ...opts,
      ...(shard.count > 1 ? { inShard: (pkt) => shardOf(pkt, shard.count) === shard.index } : {}),
      shard: new ShardBook(controlPorts(opts.ports), {
        pending: (p) => out.write(encodeRecord({ kind: 'pending', pending: encodePending(p, options.showPasswords) })),
        orphan: (c) => out.write(encodeRecord({ kind: 'orphan', connection: c })),
      }),
    },
    (s, start, batch) => out.write(encodeRecord({ kind: 'session', key: [batch, start, s.client.port], facts: factsOf(s), report: s })),
  );
  const counters = countersOf(run);
  out.write(encodeRecord({ kind: 'end', counters }));
  return counters;
}
