/**
 * The report model of `ftp-pcap analyze` (docs/design.md §4) and its writers: JSON (one document) and
 * text for terminals. Every other format (NDJSON, XML, HTML) is written from this same model.
 */
import { comparisonText, type ComparedPoints, type Comparison } from './comparison.js';
import type { InfoInput } from './inputs.js';
import type { Finding, SessionFacts, SessionReport, Outcome, DataMode, FileReport } from '../ftp/model.js';
import { OUTCOMES, DATA_MODES, FAILED_OUTCOMES } from '../ftp/model.js';
import { termSafe } from './escape.js';
import { offsetText } from '../capture/index.js';
import { endpointText } from '../tcp/conn-log.js';
import type { Out } from './out.js';
import { LIMITS_NOT_LOSS } from '../limits.js';
import pc from 'picocolors';

/** Colours for a terminal (picocolors: off when the output is not a TTY, NO_COLOR honoured). */
export type Paint = ReturnType<typeof pc.createColors>;
export const NO_PAINT: Paint = pc.createColors(false);
export function paintFor(stream: { isTTY?: boolean }): Paint {
  return pc.createColors(Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb');
}

export interface AnalysisReport {
  tool: { name: 'ftp-pcap'; version: string };
  inputs: InfoInput[];
  /** Every input read to its end. */
  complete: boolean;
  sessions: SessionReport[];
  /** Findings that span sessions (brute-force from one client). */
  findings: (Finding & { client: string })[];
  summary: {
    sessions: number;
    dataConnections: number;
    byOutcome: Record<Outcome, number>;
    byMode: Record<DataMode, number>;
    findings: Record<string, number>;
  };
  /** Anything dropped or skipped to stay within a bound (src/limits.ts), by name. */
  limits: Record<string, number>;
  /** Decode and parsing anomalies, by stable reason name. */
  problems: Record<string, number>;
  /**
   * Files found in the directories and globs given but not read, by reason (`not-a-capture`,
   * `hidden`, `duplicate`... src/capture/expand.ts); present only when some were.
   */
  skippedFiles?: Record<string, number>;
  /** Only with `analyze --at`: the capture points compared (src/report/comparison.ts). */
  comparison?: Comparison;
}

/** The report without its sessions: what is known only at the end of the capture. */
export type ReportTail = Omit<AnalysisReport, 'sessions' | 'tool'>;

/** Consumer of a streamed report: sessions one by one in report order, then the tail once. */
export interface ReportSink {
  begin(tool: AnalysisReport['tool']): void;
  /** `json`, when given, is exactly JSON.stringify(s) (a merge has it from the shard's partial
   * result): a JSON writer may use it instead of serialising `s` again. */
  session(s: SessionReport, json?: string): void;
  /** Present on sinks that can write a session from its JSON text alone (with its facts for the
   * summary): a merge then parses only the facts. */
  readonly sessionText?: (facts: SessionFacts, json: string) => void;
  /** `analyze --at` only: every capture point's sessions and the comparison, given once after
   * `begin` and before the first session, to a sink that draws a session as each point saw it. */
  points?(p: ComparedPoints): void;
  end(tail: ReportTail): void;
}

/** Counts for the `summary` section, kept as sessions stream past. */
export class SummaryBuilder {
  private readonly s: AnalysisReport['summary'] = {
    sessions: 0,
    dataConnections: 0,
    byOutcome: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    byMode: Object.fromEntries(DATA_MODES.map((m) => [m, 0])) as Record<DataMode, number>,
    findings: {},
  };

  add(session: SessionFacts): void {
    this.s.sessions++;
    for (const d of session.dataConnections) {
      this.s.dataConnections++;
      this.s.byOutcome[d.outcome]++;
      this.s.byMode[d.mode]++;
    }
    for (const f of session.findings) this.s.findings[f.code] = (this.s.findings[f.code] ?? 0) + 1;
  }

  addCross(findings: readonly Finding[]): void {
    for (const f of findings) this.s.findings[f.code] = (this.s.findings[f.code] ?? 0) + 1;
  }

  get summary(): AnalysisReport['summary'] {
    return this.s;
  }
}

/** Collects a streamed report into one AnalysisReport (tests, small captures). */
export class CollectSink implements ReportSink {
  private tool: AnalysisReport['tool'] = { name: 'ftp-pcap', version: '0.0.0' };
  private readonly sessions: SessionReport[] = [];
  report: AnalysisReport | null = null;
  begin(tool: AnalysisReport['tool']): void {
    this.tool = tool;
  }
  session(s: SessionReport): void {
    this.sessions.push(s);
  }
  end(tail: ReportTail): void {
    this.report = { tool: this.tool, ...tail, sessions: this.sessions };
  }
}

/**
 * JSON, streamed: the document of docs/design.md §4 with `sessions` written as they finish and the
 * sections known only at the end (inputs, summary, limits) after them. Key order carries no meaning
 * in JSON; consumers that want one object read the whole document.
 */
export class JsonSink implements ReportSink {
  private first = true;
  constructor(private readonly out: Out) {}
  begin(tool: AnalysisReport['tool']): void {
    this.out.write(`{\n  "tool": ${JSON.stringify(tool)},\n  "sessions": [`);
  }
  session(s: SessionReport, json?: string): void {
    // One session per line: a 100,000-session report stays cheap to write and to diff. Written in
    // two pieces: one string of both would be flattened again, a copy of the session's text.
    this.out.write(this.first ? '\n    ' : ',\n    ');
    this.out.write(json ?? JSON.stringify(s));
    this.first = false;
  }
  readonly sessionText = (_facts: SessionFacts, json: string): void => {
    this.out.write(this.first ? '\n    ' : ',\n    ');
    this.out.write(json);
    this.first = false;
  };
  end(tail: ReportTail): void {
    this.out.write(this.first ? '],\n' : '\n  ],\n');
    const keys = Object.keys(tail) as (keyof ReportTail)[];
    keys.forEach((k, i) => {
      this.out.write(`  ${JSON.stringify(k)}: ${JSON.stringify(tail[k], null, 2).replace(/\n/g, '\n  ')}${i < keys.length - 1 ? ',' : ''}\n`);
    });
    this.out.write('}\n');
  }
}

const FAILED = FAILED_OUTCOMES;
const SEV_MARK: Record<string, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

/** An endpoint as `ip:port` (`[v6]:port`), or `-` for none. */
export function endpointOrDash(e: { ip: string; port: number } | null): string {
  return e ? endpointText(e) : '-';
}

/** What the text report says when it holds no session. */
export const NO_SESSIONS_TEXT = 'No FTP control sessions found (port 21, --ports, or a 220 banner followed by an FTP command).\n\n';

/** A terminal report, streamed: per session a header, one block per data connection, findings;
 * then the inputs and the summary. */
export class TextSink implements ReportSink {
  private any = false;
  constructor(
    private readonly out: Out,
    private readonly paint: Paint = NO_PAINT,
    /** `--verbose`: each session's and data connection's Wireshark display filter too. */
    private readonly verbose = false,
  ) {}
  begin(): void {}
  session(s: SessionReport): void {
    this.any = true;
    this.out.write(sessionText(s, this.paint, this.verbose));
  }
  end(tail: ReportTail): void {
    if (!this.any) this.out.write(NO_SESSIONS_TEXT);
    this.out.write(tailText(tail, this.paint));
    if (tail.comparison) this.out.write(`${comparisonText(tail.comparison).join('\n')}\n`);
  }
}

/** Word-wraps at 100 columns: `indent` spaces before the first line, `cont` before the others. */
function wrap(text: string, indent: number, cont = indent): string[] {
  const width = 100;
  const lines: string[] = [];
  let line = ' '.repeat(indent);
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && visible(line) + 1 + visible(word) > width) {
      lines.push(line);
      line = ' '.repeat(cont) + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

// eslint-disable-next-line no-control-regex
const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

const paintOutcome = (p: Paint, o: Outcome, text: string): string => (FAILED.has(o) ? p.bold(p.red(text)) : o === 'completed' ? p.green(text) : p.yellow(text));
const paintSeverity = (p: Paint, sev: string, text: string): string => (sev === 'error' ? p.bold(p.red(text)) : sev === 'warning' ? p.yellow(text) : p.dim(text));

function sessionText(s: SessionReport, p: Paint = NO_PAINT, verbose = false): string {
  const out: string[] = [];
  const bad = s.dataConnections.filter((d) => FAILED.has(d.outcome)).length;
  out.push(p.bold(`Session ${s.id}  ${endpointOrDash(s.client)} -> ${endpointOrDash(s.server)}  mode ${s.mode}${s.tls ? '  TLS' : ''}`) + (bad ? p.red(`  ${bad} failed data connection${bad === 1 ? '' : 's'}`) : ''));
  const who = s.user === null ? (s.login === 'none' ? 'no login seen' : `login ${s.login}`) : `user "${termSafe(s.user, 40)}" login ${s.login}`;
  out.push(`  ${s.start}  ${who}${s.midStream ? '  (picked up mid-session)' : ''}${s.capturePoint !== 'unknown' ? `  captured ${s.capturePoint}` : ''}`);
  if (s.banner) out.push(`  banner "${termSafe(s.banner.split('\n')[0], 80)}"`);
  if (s.evidence !== undefined) out.push(`  evidence ${termSafe(s.evidence, 300)}`);
  if (verbose) out.push(`  wireshark: ${termSafe(s.wiresharkFilter, 4000)}`);
  for (const d of s.dataConnections) {
    const ann = d.announced ? `${d.announced.command} ${endpointOrDash({ ip: d.announced.ip ?? '?', port: d.announced.port })} (frame ${d.announced.frame})` : 'no announcement';
    const conn = d.from ? `${d.initiator} ${endpointOrDash(d.from)} -> ${endpointOrDash(d.to)}` : `${d.initiator} expected to connect, no connection seen`;
    const xfer = d.command ? `${d.command}${d.argument ? ` ${termSafe(d.argument, 80)}` : ''}` : '-';
    const bytes = d.bytes !== null ? `${d.bytes}${d.expectedBytes !== null ? `/${d.expectedBytes}` : ''} B` : '';
    out.push(`  [${d.id}] ${d.mode.padEnd(16)} ${paintOutcome(p, d.outcome, d.outcome.toUpperCase().padEnd(13))} ${xfer}  ${bytes}  replies ${d.replies.join(',') || '-'}`);
    out.push(`      ${ann}; ${conn}${d.tcp ? ` [${d.tcp.state} ${d.tcp.history}]` : ''}`);
    if (verbose && d.wiresharkFilter !== null) out.push(`      wireshark: ${termSafe(d.wiresharkFilter, 4000)}`);
    if (d.file) out.push(...fileText(d.file, p));
    if (FAILED.has(d.outcome) || d.outcome === 'incomplete') {
      out.push(...wrap(termSafe(d.diagnosis, 600), 6));
      if (!d.diagnosis.includes(d.firewallRule)) out.push(`      needed: ${d.firewallRule}`);
    }
  }
  for (const f of s.findings) {
    const frames = f.frames.length ? ` (frames ${f.frames.slice(0, 8).join(', ')}${f.frames.length > 8 ? ', ...' : ''})` : '';
    const d = f.dataConnection !== undefined ? s.dataConnections[f.dataConnection - 1] : undefined;
    // An outcome's finding repeats its connection's diagnosis, printed just above.
    const text = d && d.diagnosis === f.message ? `see [${d.id}] above` : termSafe(f.message, 600);
    out.push(...wrap(`${paintSeverity(p, f.severity, `${SEV_MARK[f.severity]} ${f.code}`)}: ${text}${frames}`, 2, 8));
  }
  out.push('');
  return out.join('\n') + '\n';
}

/** `--hash`/`--extract`/`--listings`: a transfer's payload, and its listing entries (the first
 * TEXT_LISTING_ENTRIES; the JSON has them all). Names are the server's text: termSafe. */
const TEXT_LISTING_ENTRIES = 20;
function fileText(f: FileReport, p: Paint): string[] {
  const state = f.complete ? p.green('complete') : p.yellow(`INCOMPLETE (${f.incomplete}${f.missedBytes > 0 ? `, ${f.missedBytes} B missed` : ''})`);
  const out = [`      ${f.kind} ${f.size} B${f.offset > 0 ? ` from offset ${f.offset}` : ''}  sha256 ${f.sha256 ?? '-'}  ${state}${f.extracted !== undefined ? `  -> ${f.extracted === null ? 'not written' : termSafe(f.extracted)}` : ''}`];
  if (f.listing) {
    for (const e of f.listing.entries.slice(0, TEXT_LISTING_ENTRIES)) {
      out.push(`        ${(e.type ?? '?').padEnd(5)} ${String(e.size ?? '-').padStart(12)}  ${e.modified !== null ? termSafe(e.modified, 40).padEnd(20) : '-'.padEnd(20)} ${termSafe(e.name, 120)}`);
    }
    const more = f.listing.entries.length - TEXT_LISTING_ENTRIES + f.listing.dropped;
    if (more > 0) out.push(`        ... ${more} more entries`);
  }
  return out;
}

function tailText(r: ReportTail, p: Paint = NO_PAINT): string {
  const out: string[] = [];
  for (const f of r.findings) out.push(`${paintSeverity(p, f.severity, `${SEV_MARK[f.severity]} ${f.code}`)}: ${termSafe(f.message, 400)}`);
  for (const i of r.inputs) {
    out.push(`${termSafe(i.path)}: ${i.format ?? 'unreadable'}${i.gzip ? ' (gzip)' : ''}, ${i.packets.toLocaleString('en-US')} packets, ${i.firstTime ?? '-'} .. ${i.lastTime ?? '-'}${i.complete ? '' : `  [INCOMPLETE: ${i.errors.map((e) => `${termSafe(e.message)} at ${offsetText(e)}`).join('; ')}]`}${(i.warnings ?? []).map((w) => `  [warning: ${termSafe(w.message)} at ${offsetText(w)}]`).join('')}`);
  }
  const sm = r.summary;
  const outcomes = Object.entries(sm.byOutcome).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  out.push(`Summary: ${sm.sessions} session${sm.sessions === 1 ? '' : 's'}, ${sm.dataConnections} data connection${sm.dataConnections === 1 ? '' : 's'}${outcomes ? ` (${outcomes})` : ''}`);
  out.push(...limitsText(r.limits));
  if (r.skippedFiles) out.push(`Files skipped in the directories and globs given: ${Object.entries(r.skippedFiles).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return out.join('\n') + '\n';
}

/**
 * The `limits` counters in words: those that lost something (a packet, bytes, a line, a candidate
 * connection left out of the analysis) apart from the ones that only count ordinary expiry or
 * details not listed (LIMITS_NOT_LOSS), which read as statistics.
 */
export function limitsText(limits: Record<string, number>): string[] {
  const lim = Object.entries(limits).filter(([, n]) => n > 0);
  const lost = lim.filter(([k]) => !Object.hasOwn(LIMITS_NOT_LOSS, k));
  const stats = lim.filter(([k]) => Object.hasOwn(LIMITS_NOT_LOSS, k));
  const out: string[] = [];
  if (lost.length) out.push(`Limits reached, something was left out of the analysis: ${lost.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (stats.length) out.push(`Statistics (nothing lost): ${stats.map(([k, n]) => `${k} ${n} (${LIMITS_NOT_LOSS[k]})`).join(', ')}`);
  return out;
}
