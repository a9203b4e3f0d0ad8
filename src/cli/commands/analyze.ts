import type { Command } from 'commander';
import { formatCaptureError } from '../../capture/index.js';
import { analyze } from '../../pipeline.js';
import { renderJson, renderText, type AnalysisReport } from '../../report/analysis.js';
import type { Severity } from '../../ftp/model.js';
import { writeOutput } from '../output.js';
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
}

const FORMATS = ['text', 'json'] as const;
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

/** --session / --only-failed keep a subset of sessions; the summary is recomputed by the caller. */
function filterSessions(r: AnalysisReport, opts: AnalyzeCliOptions): AnalysisReport {
  let sessions = r.sessions;
  if (opts.session) {
    const ids = new Set(opts.session.split(',').map((x) => Number(x.trim())));
    sessions = sessions.filter((s) => ids.has(s.id));
  }
  if (opts.onlyFailed) sessions = sessions.filter((s) => s.dataConnections.some((d) => FAILED.has(d.outcome)) || s.findings.some((f) => f.severity === 'error'));
  return { ...r, sessions };
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('per FTP session: active or passive data connections, who opened each one to whom, and a diagnosis of every failed or blocked one')
    .argument('<capture...>', "pcap, pcapng or gzip-compressed capture files ('-' reads stdin); several are merged in time order")
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('--ports <list>', 'extra FTP control ports, comma-separated (21 always counts; any port is found by its 220 banner)')
    .option('--show-passwords', 'show passwords in the report (redacted by default, except anonymous ones)')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity (info, warning, error) is reported')
    .option('--session <ids>', 'only these session ids (comma-separated)')
    .option('--only-failed', 'only sessions with a failed data connection or an error finding')
    .action(async (paths: string[], opts: AnalyzeCliOptions) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      if (opts.failOn !== undefined && !SEVERITIES.includes(opts.failOn as Severity)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, not "${opts.failOn}"`);
      const full = await analyze(paths, { ports: parsePorts(opts.ports), showPasswords: opts.showPasswords === true, version: VERSION });
      const report = filterSessions(full, opts);
      writeOutput(opts.format === 'json' ? renderJson(report) : renderText(report), opts.output);
      let code: number = Exit.OK;
      if (opts.failOn) {
        const min = SEVERITIES.indexOf(opts.failOn as Severity);
        const hit = [...report.sessions.flatMap((s) => s.findings), ...report.findings].some((f) => SEVERITIES.indexOf(f.severity) >= min);
        if (hit) code = Exit.FINDINGS;
      }
      for (const i of report.inputs) {
        for (const e of i.errors) {
          process.stderr.write(`ftp-pcap: ${formatCaptureError({ ...e, kind: e.kind as never, file: i.path })}\n`);
          code = Exit.INPUT;
        }
      }
      process.exitCode = code;
    });
}
