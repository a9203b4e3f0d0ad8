import type { Command } from 'commander';
import type { CaptureError, CaptureReader, ExpandedInputs } from '../../capture/index.js';
import { readPackets } from '../../pipeline.js';
import { InfoCollector, buildInfoReport, renderInfoText, type InfoReport } from '../../report/info.js';
import { Exit, UsageError } from '../errors.js';
import type { Progress } from '../progress.js';
import { CAPTURE_ARGS_HELP, endProgress, exitCodesHelp, reportInputErrors, reportInputWarnings, resolveInputs, startProgress, withOutput } from '../run.js';
import { VERSION } from '../version.js';

export interface InfoOptions {
  format: 'text' | 'json';
  output?: string;
  quiet?: boolean;
}

/** Reads the captures once and builds the info model (exported for tests and the benchmark). */
export async function runInfo(paths: string[], progress: Progress | null = null, skipped: ExpandedInputs['skipped'] = {}): Promise<InfoReport> {
  const collector = new InfoCollector();
  const { readers, decoder } = await readPackets(paths, (status, pkt) => collector.packet(status, pkt), progress ? { onProgress: (rs: readonly CaptureReader[]) => progress.update(rs) } : {});
  endProgress(progress, readers);
  return buildInfoReport(VERSION, readers, collector, decoder.counters(), skipped);
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('summarise captures: format, link types, counts, time span, TCP server ports and FTP control ports, decode problems')
    .argument('<capture...>', CAPTURE_ARGS_HELP)
    .option('-f, --format <format>', 'text or json', 'text')
    .option('-o, --output <file>', "write the report to a file (atomically) instead of stdout; '-' is stdout")
    .option('-q, --quiet', 'no progress display on stderr')
    .addHelpText('after', exitCodesHelp(false))
    .action(async (args: string[], opts: InfoOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, not "${opts.format}"`);
      const { paths, skipped } = await resolveInputs(args);
      const progress = startProgress(paths, opts.quiet);
      const report = await withOutput(opts.output, progress, async (out) => {
        const r = await runInfo(paths, progress, skipped);
        out.write(opts.format === 'json' ? JSON.stringify(r, null, 2) + '\n' : renderInfoText(r));
        return r;
      }, paths);
      const errors: CaptureError[] = report.inputs.flatMap((i) => i.errors.map((e) => ({ ...e, kind: e.kind as CaptureError['kind'], file: i.path })));
      reportInputWarnings(report.inputs);
      process.exitCode = reportInputErrors(errors) ? Exit.INPUT : Exit.OK;
    });
}
