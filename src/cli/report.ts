/**
 * The report side of the commands that write an analysis report (`analyze`, `merge`): their
 * shared options, the format's sink behind the filters, the output, and the exit code.
 */
import type { Command } from 'commander';
import type { CaptureError, ProgressInput } from '../capture/index.js';
import { FORMATS, FORMAT_NAMES } from '../report/formats.js';
import { LadderSink } from '../report/ladder.js';
import type { ReportSink, ReportTail } from '../report/analysis.js';
import type { Out } from '../report/out.js';
import { Exit, UsageError } from './errors.js';
import { FilteredSink, buildFilter, parseSeverity, severityRank } from './filters.js';
import type { Progress } from './progress.js';
import { endProgress, reportInputErrors, reportInputWarnings, withOutput } from './run.js';
import { OverviewSink, type OverviewMode } from '../report/overview-sink.js';
import { OVERVIEW_AUTO_SESSIONS, RULE_SYNTAXES, type RuleSyntax } from '../report/overview.js';

export function parseCount(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--brute-force: "${s}" is not a positive count`);
  return n;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The report options shared by `analyze` and `merge`. */
export interface ReportCliOptions {
  format: string;
  output?: string;
  failOn?: string;
  session?: string;
  onlyFailed?: boolean;
  host?: string[];
  minSeverity?: string;
  bruteForce?: string;
  quiet?: boolean;
  ladder?: boolean;
  overview?: boolean;
  overviewOnly?: boolean;
  sessions?: string;
  rules?: string;
  verbose?: boolean;
}

/**
 * Writes a report (analyze, merge): the format's sink behind the filters, into -o or stdout, then
 * the exit code — 2 when an input was damaged (one stderr line each), 1 for --fail-on, else 0.
 */
export async function writeReport(
  opts: ReportCliOptions,
  progress: Progress | null,
  produce: (sink: ReportSink, report: { bruteForce?: number; timeline: boolean; flush?: () => void }, out: Out) => Promise<{ tail: ReportTail; readers: readonly ProgressInput[] }>,
  live = false,
  inputs: readonly string[] = [],
): Promise<void> {
  if (opts.ladder && opts.session === undefined) throw new UsageError('--ladder needs --session ID');
  const makeSink = opts.ladder ? (out: ConstructorParameters<typeof LadderSink>[0]) => new LadderSink(out) : Object.hasOwn(FORMATS, opts.format) ? FORMATS[opts.format] : undefined;
  if (!makeSink) throw new UsageError(`--format must be one of ${FORMAT_NAMES().join(', ')}, not "${opts.format}"`);
  const failOn = parseSeverity('--fail-on', opts.failOn);
  const filter = buildFilter(opts);
  const bruteForce = parseCount(opts.bruteForce);
  const { tail, worst } = await withOutput(opts.output, progress, async (out) => {
    const ctx = { tty: out.toStdout && Boolean(process.stdout.isTTY), verbose: opts.verbose === true };
    const mode = overviewMode(opts, live);
    const sink = new FilteredSink(mode ? new OverviewSink(out, opts.format, (o) => makeSink(o, ctx), mode, parseRules(opts.rules)) : makeSink(out, ctx), filter, live && !mode ? () => out.flush() : undefined);
    // Commands, replies and TCP event times, for ladder diagrams only (the fast path keeps none).
    const { tail, readers } = await produce(sink, { ...(bruteForce !== null ? { bruteForce } : {}), timeline: opts.ladder === true || opts.format === 'html' }, out);
    endProgress(progress, readers);
    return { tail, worst: sink.worst };
  }, inputs);
  exitFor(tail, failOn, worst);
}

/** `--overview`, `--no-overview`, `--overview-only`, `--sessions none`: whether the overview comes
 * first (null: never). Without them it comes when the report holds more than
 * OVERVIEW_AUTO_SESSIONS sessions, except for a live feed (stdin: each session is written as it
 * ends, and the overview would hold them back) and --ladder (one session). */
function overviewMode(opts: ReportCliOptions, live: boolean): OverviewMode | null {
  if (opts.sessions !== undefined && opts.sessions !== 'all' && opts.sessions !== 'none') throw new UsageError(`--sessions must be all or none, not "${opts.sessions}"`);
  const only = opts.overviewOnly === true || opts.sessions === 'none';
  if (opts.ladder) {
    if (only || opts.overview === true) throw new UsageError('--ladder draws one session: leave out --overview, --overview-only and --sessions none');
    return null;
  }
  if (only) {
    if (opts.overview === false) throw new UsageError('--no-overview with --overview-only or --sessions none leaves nothing to write');
    return 'only';
  }
  if (opts.overview === true || opts.rules !== undefined) return 'on';
  if (opts.overview === false || live) return null;
  return 'auto';
}

function parseRules(s: string | undefined): RuleSyntax | null {
  if (s === undefined) return null;
  if (!(RULE_SYNTAXES as readonly string[]).includes(s)) throw new UsageError(`--rules must be one of ${RULE_SYNTAXES.join(', ')}, not "${s}"`);
  return s as RuleSyntax;
}

export function exitFor(tail: Pick<ReportTail, 'inputs'>, failOn: ReturnType<typeof parseSeverity>, worst: number): void {
  const errors: CaptureError[] = tail.inputs.flatMap((i) => i.errors.map((e) => ({ ...e, kind: e.kind as CaptureError['kind'], file: i.path })));
  reportInputWarnings(tail.inputs);
  if (reportInputErrors(errors)) process.exitCode = Exit.INPUT;
  else if (failOn !== undefined && worst >= severityRank(failOn)) process.exitCode = Exit.FINDINGS;
  else process.exitCode = Exit.OK;
}

export function reportOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <format>', `output format: ${FORMAT_NAMES().join(', ')}`, 'text')
    .option('-o, --output <file>', "write the report to a file (atomically) instead of stdout; '-' is stdout")
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity (info, warning, error) is reported; default: never')
    .option('--session <ids>', 'only these session ids (comma-separated)')
    .option('--only-failed', 'only sessions with a failed or blocked data connection or an error finding')
    .option('--host <ip>', 'only sessions with this address at either end of the control connection (repeatable, or comma-separated)', collect)
    .option('--min-severity <severity>', 'leave out findings below this severity (info, warning, error); the summary counts what is shown')
    .option('--brute-force <n>', 'failed logins from one client that make a brute-force finding (default 5)')
    .option('-q, --quiet', 'no progress display on stderr')
    .option('--overview', `the overview first: failures grouped by cause, the firewall rules needed, the mix of modes, logins, hosts and a timeline (default: when more than ${OVERVIEW_AUTO_SESSIONS} sessions are reported, not for stdin)`)
    .option('--no-overview', 'never the overview')
    .option('--overview-only', 'the overview and the summary, without the sessions (text: the same as --sessions none)')
    .option('--sessions <all|none>', 'none: the overview alone, no session blocks')
    .option('--rules <syntax>', `also write each firewall rule of the overview in this syntax: ${RULE_SYNTAXES.join(', ')} (text to review, never applied; implies --overview)`)
    .option('--verbose', 'text report: each session\'s and data connection\'s Wireshark display filter too')
    .option('--ladder', 'with --session ID: draw that session as a text ladder diagram (commands, replies, data connections\' SYN/RST/FIN) within 100 columns');
}

