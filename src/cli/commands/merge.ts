import type { Command } from 'commander';
import { mergePartials } from '../../scale/merge.js';
import { exitCodesHelp } from '../run.js';
import { VERSION } from '../version.js';
import { reportOptions, writeReport, type ReportCliOptions } from '../report.js';

export function registerMerge(program: Command): void {
  reportOptions(
    program
      .command('merge')
      .description('combine the partial results of `analyze --shard i/N` (all N of them, in any order) into the report one process would have written, in any format')
      .argument('<partial...>', 'partial result files, one per shard'),
  )
    .addHelpText('after', exitCodesHelp(true))
    .action(async (paths: string[], opts: ReportCliOptions) => {
      await writeReport(opts, null, async (sink, report) => {
        const tail = mergePartials(paths, { version: VERSION, ...report }, sink);
        return { tail, readers: [] };
      }, false, paths);
    });
}
