import type { Command } from 'commander';
import { formatCaptureError } from '../../capture/index.js';
import { analyzeTo } from '../../pipeline.js';
import type { ReportTail } from '../../report/analysis.js';
import { FORMATS, FORMAT_NAMES } from '../../report/formats.js';
import { Out } from '../../report/out.js';
import type { SessionReport, Severity } from '../../ftp/model.js';
import { Exit, UsageError } from '../errors.js';
import { VERSION } from '../version.js';

interface AnalyzeCliOptions {
  format: string;
  output?: string;
  ports?: string;
  showPasswords?: boolean;
  failOn?: string;
  session?: string;
  onlyFailed?: boolean;
  bruteForce?: string;
}

const SEVERITIES: Severity[] = ['info', 'warning', 'error'];
const FAILED = new Set(['no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed']);

function parsePorts(s: string | undefined): number[] {
  if (!s) return [];
  return s.split(',').map((p) => {
    const n = Number(p.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--ports: "${p}" is not a TCP port`);
    return n;
  });
}

/** --session / --only-failed keep a subset of sessions (the summary counts those only). */
function sessionFilter(opts: AnalyzeCliOptions): (s: SessionReport) => boolean {
  const ids = opts.session ? new Set(opts.session.split(',').map((x) => Number(x.trim()))) : null;
  return (s) => (!ids || ids.has(s.id)) && (!opts.onlyFailed || s.dataConnections.some((d) => FAILED.has(d.outcome)) || s.findings.some((f) => f.severity === 'error'));
}

function parseCount(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--brute-force: "${s}" is not a positive count`);
  return n;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('per FTP session: active or passive data connections, who opened each one to whom, and a diagnosis of every failed or blocked one')
    .argument('<capture...>', "pcap, pcapng or gzip-compressed capture files ('-' reads stdin); several are merged in time order")
    .option('-f, --format <format>', `output format: ${FORMAT_NAMES().join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('--ports <list>', 'extra FTP control ports, comma-separated (21 always counts; any port is found by its 220 banner)')
    .option('--show-passwords', 'show passwords in the report (redacted by default, except anonymous ones)')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity (info, warning, error) is reported')
    .option('--session <ids>', 'only these session ids (comma-separated)')
    .option('--only-failed', 'only sessions with a failed data connection or an error finding')
    .option('--brute-force <n>', 'failed logins from one client that make a brute-force finding (default 5)')
    .action(async (paths: string[], opts: AnalyzeCliOptions) => {
      const makeSink = FORMATS[opts.format];
      if (!Object.hasOwn(FORMATS, opts.format) || !makeSink) throw new UsageError(`--format must be one of ${FORMAT_NAMES().join(', ')}, not "${opts.format}"`);
      if (opts.failOn !== undefined && !SEVERITIES.includes(opts.failOn as Severity)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not "${opts.failOn}"`);
      const ports = parsePorts(opts.ports);
      const bruteForce = parseCount(opts.bruteForce);
      const min = opts.failOn ? SEVERITIES.indexOf(opts.failOn as Severity) : Infinity;
      let hit = false;
      const filter = sessionFilter(opts);
      const out = new Out(opts.output);
      const sink = makeSink(out, { tty: (!opts.output || opts.output === '-') && Boolean(process.stdout.isTTY) });
      let tail: ReportTail;
      try {
        tail = await analyzeTo(paths, {
          ports,
          showPasswords: opts.showPasswords === true,
          version: VERSION,
          ...(bruteForce !== null ? { bruteForce } : {}),
          filter: (s) => {
            if (!filter(s)) return false;
            if (s.findings.some((f) => SEVERITIES.indexOf(f.severity) >= min)) hit = true;
            return true;
          },
        }, sink);
        out.close();
      } catch (e) {
        out.abort();
        throw e;
      }
      let code: number = Exit.OK;
      if (hit || tail.findings.some((f) => SEVERITIES.indexOf(f.severity) >= min)) code = Exit.FINDINGS;
      for (const i of tail.inputs) {
        for (const e of i.errors) {
          process.stderr.write(`ftp-pcap: ${formatCaptureError({ ...e, kind: e.kind as never, file: i.path })}\n`);
          code = Exit.INPUT;
        }
      }
      process.exitCode = code;
    });
}
