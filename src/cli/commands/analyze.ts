import type { Command } from 'commander';
import type { ProgressInput } from '../../capture/index.js';
import { analyzeTo } from '../../pipeline.js';
import { analyzeJobs } from '../../scale/jobs.js';
import { analyzeShard } from '../../scale/run-shard.js';
import { parseShard } from '../../scale/shard.js';
import { MAX_JOBS } from '../../limits.js';
import { UsageError } from '../errors.js';
import { buildFilter } from '../filters.js';
import { exitFor, reportOptions, writeReport, type ReportCliOptions } from '../report.js';
import { CAPTURE_ARGS_HELP, endProgress, exitCodesHelp, streamInput, resolveInputs, startProgress, withOutput } from '../run.js';
import { VERSION } from '../version.js';
import { Extractor } from '../../ftp/extract.js';
import { termSafe } from '../../report/escape.js';
import { EvidenceWriter } from '../../evidence/index.js';
import { atAction, collectAt, parsePoints } from './at.js';

/** The options of `analyze`, as commander hands them over. */
interface AnalyzeCliOptions extends ReportCliOptions {
  ports?: string;
  showPasswords?: boolean;
  jobs?: string;
  shard?: string;
  hash?: boolean;
  listings?: boolean;
  extract?: string;
  extractMaxBytes?: string;
  evidence?: string;
  evidenceAll?: boolean;
  at?: string[];
}

/** `--extract-max-bytes`: a byte count, with an optional k, M, G or T suffix (powers of 1024). */
function parseBytes(s: string | undefined): number | null {
  if (s === undefined) return null;
  const m = /^(\d+)([kKmMgGtT]?)$/.exec(s.trim());
  const n = m ? Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--extract-max-bytes: "${s}" is not a byte count (e.g. 500M)`);
  return n;
}

/** `--hash`, `--listings`, `--extract DIR`: the transferred files; null when none is asked
 * for. They follow every data connection's bytes in one process: not with --jobs or --shard
 * (a worker has no share of another's bytes to hash, and one extract folder has one writer). */
function transferOptions(opts: AnalyzeCliOptions): { hash: boolean; listings: boolean; extract: Extractor | null } | null {
  const maxBytes = parseBytes(opts.extractMaxBytes);
  if (maxBytes !== null && opts.extract === undefined) throw new UsageError('--extract-max-bytes needs --extract DIR');
  if (!opts.hash && !opts.listings && opts.extract === undefined) return null;
  const which = [opts.hash && '--hash', opts.listings && '--listings', opts.extract !== undefined && '--extract'].filter(Boolean).join(', ');
  if (opts.shard !== undefined) throw new UsageError(`--shard: ${which} follow${which.includes(',') ? '' : 's'} the bytes of data connections in one process; leave --shard out`);
  if (opts.jobs !== undefined && opts.jobs !== '1') throw new UsageError(`--jobs: ${which} follow${which.includes(',') ? '' : 's'} the bytes of data connections in one thread: use --jobs 1 or leave --jobs out`);
  return { hash: opts.hash === true, listings: opts.listings === true, extract: opts.extract !== undefined ? new Extractor(opts.extract, maxBytes ?? undefined) : null };
}

/** `--evidence DIR` (`--evidence-all`): a capture file per session kept, written by one process
 * that saw every frame (not with --jobs or --shard: a worker sees a share of the connections). */
function evidenceOptions(opts: AnalyzeCliOptions): EvidenceWriter | null {
  if (opts.evidenceAll && opts.evidence === undefined) throw new UsageError('--evidence-all needs --evidence DIR');
  if (opts.evidence === undefined) return null;
  if (opts.shard !== undefined) throw new UsageError('--shard: --evidence writes each session\'s frames from one process that reads them all; leave --shard out');
  if (opts.jobs !== undefined && opts.jobs !== '1') throw new UsageError('--jobs: --evidence writes each session\'s frames from one thread that reads them all: use --jobs 1 or leave --jobs out');
  const filter = buildFilter(opts);
  return new EvidenceWriter(opts.evidence, { all: opts.evidenceAll === true, keep: (s) => filter.session(s) !== null });
}

function parsePorts(s: string | undefined): number[] {
  if (!s) return [];
  return s.split(',').map((p) => {
    const n = Number(p.trim());
    if (p.trim() === '' || !Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--ports: "${p}" is not a TCP port`);
    return n;
  });
}

/**
 * `--jobs` absent: one thread. Measured here (docs/performance.md), a shard costs nearly what the
 * whole run does: every thread reads and decodes every packet (many.pcap: 0.73 s of 2.27 s),
 * checks the other shards' control segments and writes its sessions as partial results, and the
 * merge adds 0.73 s; bulk.pcap is one host pair, one shard. With those parts, three shards on four
 * free cores would still take ~2.4 s against 2.27 s, so the split wins nowhere it was measured,
 * and the default is the plain path. `--jobs N` remains for archives of many host pairs on many
 * cores, where the user measures it.
 */
function parseJobs(s: string | undefined, paths: readonly string[]): number {
  if (s === undefined) return 1;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS) throw new UsageError(`--jobs: "${s}" is not a count of worker threads from 1 to ${MAX_JOBS}`);
  const once = n > 1 ? streamInput(paths) : null;
  if (once === '-') throw new UsageError('--jobs: stdin (-) is read once, by one thread: use --jobs 1, or save the capture to a file');
  if (once !== null) throw new UsageError(`--jobs: ${termSafe(once)} is a pipe or device, read once, by one thread: use --jobs 1, or save the capture to a file`);
  return n;
}

export function registerAnalyze(program: Command): void {
  reportOptions(
    program
      .command('analyze')
      .description('per FTP session: active or passive data connections, who opened each one to whom, and a diagnosis of every failed or blocked one')
      .argument('[capture...]', CAPTURE_ARGS_HELP),
  )
    .option('--ports <list>', 'extra FTP control ports, comma-separated (21, and 990 for implicit FTPS, always count; any port is found by its 220 banner)')
    .option('--show-passwords', 'show passwords in the report (redacted by default, except anonymous ones)')
    .option('-j, --jobs <n>', 'threads, each analysing the connections of a share of the host pairs (default 1, the plain single-threaded path: see docs/performance.md for when more pay)')
    .option('--shard <i/N>', 'analyse only shard i (0-based) of N of these inputs and write a partial result for `ftp-pcap merge` (a Kubernetes Indexed Job: --shard $JOB_COMPLETION_INDEX/N)')
    .option('--hash', "follow each data connection's bytes: per transfer its size, SHA-256 and whether it is complete (`file` in the report; one thread)")
    .option('--listings', 'parse LIST/NLST/MLSD listings into entries (implies --hash)')
    .option('--extract <dir>', 'write transferred files into DIR (created if needed), with safe names and DIR/manifest.json (implies --hash)')
    .option('--extract-max-bytes <n>', 'bytes --extract writes at most, over all files (default 4G; k, M, G suffixes)')
    .option('--evidence <dir>', "write a capture file per failed session into DIR (created if needed): its control and data connections' frames, as captured, with DIR/index.json (one thread)")
    .option('--evidence-all', 'with --evidence: a file for every session the filters keep, not only failed ones')
    .option('--at <name=file>', 'a capture of the same traffic taken at another point of the path (twice or more, instead of <capture...>): each analysed alone, then compared: where each data connection\'s packets stopped, NAT between the points, the clocks\' offset', collectAt)
    .addHelpText('after', exitCodesHelp(true))
    .action(async (args: string[], opts: AnalyzeCliOptions) => {
      const ports = parsePorts(opts.ports);
      const showPasswords = opts.showPasswords === true;
      if (opts.at !== undefined) {
        const extra = [args.length > 0 && '<capture...>', opts.shard !== undefined && '--shard', opts.jobs !== undefined && opts.jobs !== '1' && '--jobs', opts.evidence !== undefined && '--evidence', opts.extract !== undefined && '--extract'].filter(Boolean);
        if (extra.length) throw new UsageError(`--at names every capture and analyses each in one thread: leave out ${extra.join(', ')}`);
        return atAction(await parsePoints(opts.at), { ...opts, ports, showPasswords });
      }
      if (args.length === 0) throw new UsageError("missing required argument 'capture' (see --help)");
      const { paths, skipped } = await resolveInputs(args);
      const files = transferOptions(opts);
      const evidence = evidenceOptions(opts);
      // A shard's partial result does not carry skipped-file counts: `merge` reports none.
      if (opts.shard !== undefined) return shardAction(paths, opts, ports);
      const jobs = files || evidence ? 1 : parseJobs(opts.jobs, paths);
      // A live feed (stdin) gets each session out as soon as it is written, not 64 KiB later.
      const live = paths.includes('-');
      const progress = startProgress(paths, opts.quiet);
      await writeReport(
        opts,
        progress,
        async (sink, report) => {
          let readers: readonly ProgressInput[] = [];
          const onProgress = progress
            ? (rs: readonly ProgressInput[]) => {
                readers = rs;
                progress.update(rs);
              }
            : undefined;
          const common = { ports, showPasswords, version: VERSION, skippedFiles: skipped, ...report, ...files, ...(evidence ? { evidence } : {}) };
          const tail = jobs > 1 ? await analyzeJobs(paths, { ...common, ...(onProgress ? { onProgress } : {}) }, jobs, sink) : await analyzeTo(paths, { ...common, ...(onProgress ? { onProgress } : {}) }, sink);
          return { tail, readers };
        },
        live,
        paths,
      );
    });
}

/** `analyze --shard i/N`: a partial result, whatever the format options (the merge formats it). */
async function shardAction(paths: string[], opts: AnalyzeCliOptions, ports: number[]): Promise<void> {
  const shard = parseShard(opts.shard ?? '');
  if (!shard) throw new UsageError(`--shard: "${opts.shard}" is not i/N with 0 <= i < N (0-based: a Kubernetes Indexed Job's $JOB_COMPLETION_INDEX/N)`);
  if (opts.jobs) throw new UsageError('--shard and --jobs: a shard is one process of its own; run the shards side by side (GNU parallel, xargs -P, an Indexed Job) and merge them');
  const reportOnly = [opts.format !== 'text' && '--format', opts.session && '--session', opts.onlyFailed && '--only-failed', opts.host && '--host', opts.minSeverity && '--min-severity', opts.failOn && '--fail-on', opts.ladder && '--ladder', opts.bruteForce && '--brute-force', opts.overview !== undefined && (opts.overview ? '--overview' : '--no-overview'), opts.overviewOnly && '--overview-only', opts.sessions && '--sessions', opts.rules && '--rules'].filter(Boolean);
  if (reportOnly.length) throw new UsageError(`--shard writes a partial result: ${reportOnly.join(', ')} belong${reportOnly.length === 1 ? 's' : ''} to \`ftp-pcap merge\``);
  const progress = startProgress(paths, opts.quiet);
  let readers: readonly ProgressInput[] = [];
  const counters = await withOutput(opts.output, progress, async (out) => {
    // Timelines are recorded so that the merge can draw any format, html and --ladder included.
    const c = await analyzeShard(
      paths,
      {
        ports,
        showPasswords: opts.showPasswords === true,
        version: VERSION,
        timeline: true,
        ...(progress
          ? {
              onProgress: (rs: readonly ProgressInput[]) => {
                readers = rs;
                progress.update(rs);
              },
            }
          : {}),
      },
      shard,
      out,
    );
    endProgress(progress, readers);
    return c;
  }, paths);
  exitFor(counters, undefined, -1);
}
