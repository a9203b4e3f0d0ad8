import type { Command } from 'commander';
import { readCaptures, formatCaptureError, type CaptureRecord } from '../../capture/index.js';
import { Decoder } from '../../decode/index.js';
import { newPacket } from '../../decode/packet.js';
import { InfoCollector, buildInfoReport, renderInfoText, type InfoReport } from '../../report/info.js';
import { writeOutput } from '../output.js';
import { Exit, UsageError } from '../errors.js';
import { VERSION } from '../version.js';

export interface InfoOptions {
  format: 'text' | 'json';
  output?: string;
}

/** Reads the captures once and builds the info model (exported for tests and the benchmark). */
export async function runInfo(paths: string[]): Promise<InfoReport> {
  const decoder = new Decoder();
  const pkt = newPacket();
  const collector = new InfoCollector();
  const readers = await readCaptures(paths, (rec: CaptureRecord) => {
    collector.packet(decoder.decode(rec, pkt), pkt);
  });
  decoder.finish();
  return buildInfoReport(VERSION, readers, collector, decoder.counters());
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('summarise captures: format, link types, counts, time span, TCP server ports and FTP control ports, decode problems')
    .argument('<capture...>', "pcap, pcapng or gzip-compressed capture files ('-' reads stdin); several are merged in time order")
    .option('-f, --format <format>', 'text or json', 'text')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .action(async (paths: string[], opts: InfoOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, not "${opts.format}"`);
      const report = await runInfo(paths);
      writeOutput(opts.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderInfoText(report), opts.output);
      let code: number = Exit.OK;
      for (const i of report.inputs) {
        for (const e of i.errors) {
          process.stderr.write(`ftp-pcap: ${formatCaptureError({ ...e, kind: e.kind as never, file: i.path })}\n`);
          code = Exit.INPUT;
        }
      }
      process.exitCode = code;
    });
}
