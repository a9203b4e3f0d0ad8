import type { Command } from 'commander';
import type { CaptureError } from '../../capture/index.js';
import { analyzeTo } from '../../pipeline.js';
import { FORMATS, FORMAT_NAMES } from '../../report/formats.js';
import { LadderSink } from '../../report/ladder.js';
import { Exit, UsageError } from '../errors.js';
import { FilteredSink, buildFilter, parseSeverity, severityRank } from '../filters.js';
import type { ProgressInput } from '../progress.js';
import { endProgress, exitCodesHelp, reportInputErrors, startProgress, withOutput } from '../run.js';
import { VERSION } from '../version.js';

/** The options of `analyze`, as commander hands them over. */
interface AnalyzeCliOptions {
  format: string;
  output?: string;
  ports?: string;
  showPasswords?: boolean;
  failOn?: string;
  session?: string;
  onlyFailed?: boolean;
  host?: string[];
  minSeverity?: string;
  bruteForce?: string;
  quiet?: boolean;
  ladder?: boolean;
}

function parsePorts(s: string | undefined): number[] {
  if (!s) return [];
  return s.split(',').map((p) => {
    const n = Number(p.trim());
    if (p.trim() === '' || !Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--ports: "${p}" is not a TCP port`);
    return n;
  });
}

function parseCount(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--brute-force: "${s}" is not a positive count`);
  return n;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('per FTP session: active or passive data connections, who opened each one to whom, and a diagnosis of every failed or blocked one')
    .argument('<capture...>', "pcap, pcapng or gzip-compressed capture files ('-' reads stdin); several are merged in time order")
    .option('-f, --format <format>', `output format: ${FORMAT_NAMES().join(', ')}`, 'text')
    .option('-o, --output <file>', "write the report to a file (atomically) instead of stdout; '-' is stdout")
    .option('--ports <list>', 'extra FTP control ports, comma-separated (21 always counts; any port is found by its 220 banner)')
    .option('--show-passwords', 'show passwords in the report (redacted by default, except anonymous ones)')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity (info, warning, error) is reported; default: never')
    .option('--session <ids>', 'only these session ids (comma-separated)')
    .option('--only-failed', 'only sessions with a failed or blocked data connection or an error finding')
    .option('--host <ip>', 'only sessions with this address at either end of the control connection (repeatable, or comma-separated)', collect)
    .option('--min-severity <severity>', 'leave out findings below this severity (info, warning, error); the summary counts what is shown')
    .option('--brute-force <n>', 'failed logins from one client that make a brute-force finding (default 5)')
    .option('-q, --quiet', 'no progress display on stderr')
    .option('--ladder', 'with --session ID: draw that session as a text ladder diagram (commands, replies, data connections\' SYN/RST/FIN) within 100 columns')
    .addHelpText('after', exitCodesHelp(true))
    .action(async (paths: string[], opts: AnalyzeCliOptions) => {
      if (opts.ladder && opts.session === undefined) throw new UsageError('--ladder needs --session ID');
      const makeSink = opts.ladder ? (out: ConstructorParameters<typeof LadderSink>[0]) => new LadderSink(out) : Object.hasOwn(FORMATS, opts.format) ? FORMATS[opts.format] : undefined;
      if (!makeSink) throw new UsageError(`--format must be one of ${FORMAT_NAMES().join(', ')}, not "${opts.format}"`);
      const failOn = parseSeverity('--fail-on', opts.failOn);
      const filter = buildFilter(opts);
      const ports = parsePorts(opts.ports);
      const bruteForce = parseCount(opts.bruteForce);
      // A live feed (stdin) gets each session out as soon as it is written, not 64 KiB later.
      const live = paths.includes('-');
      const progress = startProgress(paths, opts.quiet);
      let readers: readonly ProgressInput[] = [];
      const { tail, worst } = await withOutput(opts.output, progress, async (out) => {
        const sink = new FilteredSink(makeSink(out, { tty: out.toStdout && Boolean(process.stdout.isTTY) }), filter, live ? () => out.flush() : undefined);
        const tail = await analyzeTo(
          paths,
          {
            ports,
            showPasswords: opts.showPasswords === true,
            version: VERSION,
            // Commands, replies and TCP event times, for ladder diagrams only (the fast path keeps none).
            timeline: opts.ladder === true || opts.format === 'html',
            ...(bruteForce !== null ? { bruteForce } : {}),
            ...(progress
              ? {
                  onProgress: (rs: readonly ProgressInput[]) => {
                    readers = rs;
                    progress.update(rs);
                  },
                }
              : {}),
          },
          sink,
        );
        endProgress(progress, readers);
        return { tail, worst: sink.worst };
      });
      const errors: CaptureError[] = tail.inputs.flatMap((i) => i.errors.map((e) => ({ ...e, kind: e.kind as CaptureError['kind'], file: i.path })));
      if (reportInputErrors(errors)) process.exitCode = Exit.INPUT;
      else if (failOn !== undefined && worst >= severityRank(failOn)) process.exitCode = Exit.FINDINGS;
      else process.exitCode = Exit.OK;
    });
}
