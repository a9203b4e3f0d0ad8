import type { Command } from 'commander';
import { readCaptures, type CaptureReader, type CaptureRecord } from '../../capture/index.js';
import { Decoder, DecodeStatus, newPacket } from '../../decode/index.js';
import { TcpTracker, connLogLine, connectionJson, CONN_LOG_HEADER } from '../../tcp/index.js';
import { Exit, UsageError } from '../errors.js';
import { MemoryGovernor } from '../../memory.js';
import { CAPTURE_ARGS_HELP, endProgress, exitCodesHelp, reportInputErrors, resolveInputs, startProgress, withOutput } from '../run.js';

const FORMATS = ['text', 'json', 'ndjson'] as const;

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
        let first = true;
        if (opts.format === 'text') out.write(`#${CONN_LOG_HEADER}\n`);
        if (opts.format === 'json') out.write('[');
        const governor = new MemoryGovernor();
        const tracker = new TcpTracker({
          events: {
            removed: (s) => {
              if (opts.format === 'text') out.write(`${connLogLine(s)}\n`);
              else if (opts.format === 'ndjson') out.write(`${JSON.stringify(connectionJson(s))}\n`);
              else out.write(`${first ? '\n' : ',\n'}  ${JSON.stringify(connectionJson(s))}`);
              first = false;
              if (live) out.flush();
              // A summary and its line are garbage of ~1 KB: a flood removes one per packet.
              governor.tick(16);
            },
          },
        });
        const decoder = new Decoder();
        const pkt = newPacket();
        const rs = await readCaptures(
          paths,
          (rec: CaptureRecord) => {
            governor.tick();
            if (decoder.decode(rec, pkt) === DecodeStatus.TCP) tracker.packet(pkt);
            else if (pkt.icmpQuote) tracker.icmp(pkt);
          },
          progress ? { onProgress: (all: readonly CaptureReader[]) => progress.update(all) } : {},
        );
        endProgress(progress, rs);
        decoder.finish();
        tracker.finish();
        if (opts.format === 'json') out.write(first ? ']\n' : '\n]\n');
        return rs;
      }, paths);
      const errors = readers.flatMap((r) => (r.error ? [r.error] : []));
      process.exitCode = reportInputErrors(errors) ? Exit.INPUT : Exit.OK;
    });
}
