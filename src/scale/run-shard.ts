/**
 * One shard of a run (`analyze --shard i/N`, or one `--jobs` worker): the pipeline over the
 * shard's host pairs, written as a partial result (src/scale/partial.ts) for `merge`.
 */
import type { Out } from '../report/out.js';
import { countersOf, runStages, type AnalyzeOptions, type RunCounters } from '../pipeline.js';
import { shardOf, type ShardSpec } from './shard.js';
import { factsOf } from '../ftp/model.js';
import { encodePending, PARTIAL_FORMAT, PARTIAL_VERSION, type PartialHeader, type PartialOptions } from './partial.js';

export async function analyzeShard(paths: readonly string[], opts: AnalyzeOptions, shard: ShardSpec, out: Out): Promise<RunCounters> {
  const options: PartialOptions = { ports: [...(opts.ports ?? [])], showPasswords: opts.showPasswords === true, timeline: opts.timeline === true };
  const header: PartialHeader = { partial: PARTIAL_FORMAT, version: PARTIAL_VERSION, tool: opts.version ?? '0.0.0', shard: [shard.index, shard.count], options };
  out.write(`${JSON.stringify(header)}\n`);
  const run = await runStages(
    paths,
    {
      ...opts,
      ...(shard.count > 1 ? { inShard: (pkt) => shardOf(pkt, shard.count) === shard.index } : {}),
      shard: {
        pending: (p) => out.write(`{"p":${JSON.stringify(encodePending(p, options.showPasswords))}}\n`),
        orphan: (c) => out.write(`{"o":${JSON.stringify(c)}}\n`),
      },
    },
    (s, start, batch) => out.write(`{"s":[${batch},${start},${s.client.port}],"f":${JSON.stringify(factsOf(s))},"r":${JSON.stringify(s)}}\n`),
  );
  const counters = countersOf(run);
  out.write(`{"end":${JSON.stringify(counters)}}\n`);
  return counters;
}
