import type { Command } from 'commander';
import type { CaptureReader } from '../../capture/index.js';
import { DecodeStatus } from '../../decode/index.js';
import { TcpTracker } from '../../tcp/index.js';
import { readPackets } from '../../pipeline.js';
import { CONNECTION_FORMATS as FORMATS, ConnectionsWriter, type ConnectionFormat } from '../../report/connections.js';
import { Exit, UsageError } from '../errors.js';
import { MemoryGovernor } from '../../memory.js';
import { CAPTURE_ARGS_HELP, endProgress, exitCodesHelp, reportInputErrors, reportInputWarnings, resolveInputs, startProgress, withOutput } from '../run.js';

/**
 * `ftp-pcap connections`: one record per TCP connection, like Zeek's conn.log, written as each
 * connection leaves the tracker (closed and timed out, evicted, or at the end of the capture), so
 * memory stays bounded whatever the capture's size.
 */
export function registerConnections(program: Command): void {
  program
    .command('connections')
    .description("one line per TCP connection, like Zeek's conn.log: start, duration, initiator and responder, state, history, bytes, missed bytes, packets")
    .argument('<capture...>', CAPTURE_ARGS_HELP)
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('-o, --output <file>', "write to a file (atomically) instead of stdout; '-' is stdout")
    .option('-q, --quiet', 'no progress display on stderr')
    .addHelpText('after', exitCodesHelp(false))
    .action(async (args: string[], opts: { format: string; output?: string; quiet?: boolean }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      // Files skipped in a directory are not counted here: a conn.log has no summary to hold them.
      const { paths } = await resolveInputs(args);
      const progress = startProgress(paths, opts.quiet);
      // A live feed (stdin) gets each record out as its connection ends, not 64 KiB later.
      const live = paths.includes('-');
      const readers = await withOutput(opts.output, progress, async (out) => {
        const writer = new ConnectionsWriter(out, opts.format as ConnectionFormat, live);
        writer.begin();
        const governor = new MemoryGovernor();
        const tracker = new TcpTracker({
          events: {
            removed: (s) => {
              writer.connection(s);
              // A summary and its line are garbage of ~1 KB: a flood removes one per packet.
              governor.tick(16);
            },
          },
        });
        const { readers: rs } = await readPackets(
          paths,
          (status, pkt) => {
            if (status === DecodeStatus.TCP) tracker.packet(pkt);
            else if (pkt.icmpQuote) tracker.icmp(pkt);
          },
          progress ? { onProgress: (all: readonly CaptureReader[]) => progress.update(all) } : {},
          governor,
        );
        endProgress(progress, rs);
        tracker.finish();
        writer.end();
        return rs;
      }, paths);
      reportInputWarnings(readers);
      const errors = readers.flatMap((r) => (r.error ? [r.error] : []));
      process.exitCode = reportInputErrors(errors) ? Exit.INPUT : Exit.OK;
    });
}
