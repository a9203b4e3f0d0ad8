/**
 * Report filters of `ftp-pcap analyze`, applied to each session as it streams past:
 *
 * - `--session ID[,ID]`: only these sessions;
 * - `--only-failed`: only sessions with a failed or blocked data connection or an error finding;
 * - `--host IP` (repeatable or comma-separated): only sessions whose control connection has this
 *   address at either end, compared as addresses (IPv6 in any text form);
 * - `--min-severity LEVEL`: findings below LEVEL are left out (the sessions stay).
 *
 * The summary counts what the report shows, and `--fail-on` looks at the findings shown. Findings
 * that span sessions (brute-force, from one client) follow `--min-severity` and `--host` (shown when
 * the host is their client, or is the other end of a shown session of that client: a brute force
 * against a server shows when filtering on the server); `--session` leaves them out, as they belong
 * to no one session.
 */
import { MAX_EVENT_CLIENT_SPANS } from '../limits.js';
import { formatIp, parseIp } from '../decode/address.js';
import type { Finding, SessionFacts, SessionReport, Severity } from '../ftp/model.js';
import { FAILED_OUTCOMES } from '../ftp/model.js';
import { SummaryBuilder, type AnalysisReport, type ReportSink, type ReportTail } from '../report/analysis.js';
import type { ComparedPoints } from '../report/comparison.js';
import { UsageError } from './errors.js';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];
const FAILED = FAILED_OUTCOMES;

export interface FilterOptions {
  /** `--session`: ids, comma-separated. */
  session?: string;
  onlyFailed?: boolean;
  /** `--host`: each value may hold several addresses, comma-separated. */
  host?: readonly string[];
  minSeverity?: string;
}

export interface ReportFilter {
  /** The session as the report shows it (findings below --min-severity removed), or null. */
  session<T extends SessionFacts>(s: T): T | null;
  /** It may change a session it shows (--min-severity), not only leave it out. */
  readonly rewrites: boolean;
  /** Whether a finding that spans sessions is shown, given the clients of the sessions shown. */
  cross(f: Finding & { client: string }, shownClients: ReadonlySet<string>): boolean;
}

/** A severity option's value, checked (`--fail-on`, `--min-severity`). */
export function parseSeverity(option: string, value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${SEVERITIES.join(', ')}, not "${value}"`);
  return value as Severity;
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Whether `ip` is a dotted quad as formatIp writes it (no leading zeros, each part <= 255): the
 * form every report address of an IPv4 host has, recognised without parsing it into bytes. */
function isCanonicalIpv4(ip: string): boolean {
  let parts = 0;
  let i = 0;
  while (i <= ip.length) {
    const start = i;
    let v = 0;
    while (i < ip.length) {
      const c = ip.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const n = i - start;
    if (n === 0 || n > 3 || v > 255 || (n > 1 && ip.charCodeAt(start) === 48)) return false;
    parts++;
    if (i === ip.length) return parts === 4;
    if (ip.charCodeAt(i) !== 46 || parts === 4) return false;
    i++;
  }
  return false;
}

/** Canonical text of an address (`2001:DB8::0:1` and `2001:db8::1` are one host). */
function canonical(ip: string): string {
  if (isCanonicalIpv4(ip)) return ip;
  const b = parseIp(ip);
  return b ? formatIp(b) : ip;
}

function parseHosts(values: readonly string[] | undefined): Set<string> | null {
  if (!values || values.length === 0) return null;
  const out = new Set<string>();
  for (const v of values) {
    for (const part of v.split(',')) {
      const text = part.trim();
      const b = parseIp(text);
      if (!b) throw new UsageError(`--host: "${part}" is not an IPv4 or IPv6 address`);
      out.add(formatIp(b));
    }
  }
  return out;
}

function parseIds(s: string | undefined): Set<number> | null {
  if (s === undefined) return null;
  const ids = new Set<number>();
  for (const part of s.split(',')) {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--session: "${part}" is not a session id`);
    ids.add(n);
  }
  return ids;
}

export function buildFilter(opts: FilterOptions): ReportFilter {
  const ids = parseIds(opts.session);
  const hosts = parseHosts(opts.host);
  const min = parseSeverity('--min-severity', opts.minSeverity);
  const minRank = min ? severityRank(min) : 0;
  const shownFinding = (f: Pick<Finding, 'severity'>): boolean => severityRank(f.severity) >= minRank;
  return {
    rewrites: minRank > 0,
    session(s) {
      if (ids && !ids.has(s.id)) return null;
      if (hosts && !hosts.has(canonical(s.client.ip)) && !hosts.has(canonical(s.server.ip))) return null;
      if (opts.onlyFailed && !s.dataConnections.some((d) => FAILED.has(d.outcome)) && !s.findings.some((f) => f.severity === 'error')) return null;
      if (minRank === 0 || s.findings.every(shownFinding)) return s;
      return { ...s, findings: s.findings.filter(shownFinding) };
    },
    cross(f, shownClients) {
      if (ids) return false;
      if (hosts && !hosts.has(canonical(f.client)) && !shownClients.has(canonical(f.client))) return false;
      return shownFinding(f);
    },
  };
}

/**
 * A sink between the pipeline and a format's sink: applies the filter to each session as it is
 * finalized, counts the summary of what is shown, and remembers the worst severity shown (for
 * `--fail-on`). `afterSession` runs after each session is written (a live feed flushes there).
 */
export class FilteredSink implements ReportSink {
  private readonly summary = new SummaryBuilder();
  private readonly clients = new Set<string>();
  /** Sessions whose client was not remembered (MAX_EVENT_CLIENT_SPANS): `limits.event-client-spans-skipped`. */
  private clientsSkipped = 0;
  /** Rank of the most severe finding shown, -1 for none. */
  worst = -1;

  readonly sessionText?: (facts: SessionFacts, json: string) => void;

  constructor(
    private readonly inner: ReportSink,
    private readonly filter: ReportFilter,
    private readonly afterSession: () => void = () => undefined,
  ) {
    const text = inner.sessionText;
    if (text && !filter.rewrites) {
      this.sessionText = (facts, json) => {
        if (!this.filter.session(facts)) return;
        this.shown(facts);
        text(facts, json);
        this.afterSession();
      };
    }
  }

  /** `s` is shown; `original` is it before --min-severity took findings out. */
  private shown(s: SessionFacts, original: SessionFacts = s): void {
    this.summary.add(s);
    // Bounded like the NDJSON and OCSF writers' client spans (a flood from a million sources): past
    // the bound only clients already kept or with a failed login, the only ones a cross-session
    // finding names. The writers see the sessions shown here and keep the same clients, so this
    // count stands for theirs too.
    const client = canonical(s.client.ip);
    if (this.clients.size < MAX_EVENT_CLIENT_SPANS || this.clients.has(client) || original.findings.some((f) => f.code === 'login-failed')) this.clients.add(client);
    else this.clientsSkipped++;
    this.note(s.findings);
  }

  begin(tool: AnalysisReport['tool']): void {
    this.inner.begin(tool);
  }

  points(p: ComparedPoints): void {
    this.inner.points?.(p);
  }

  session(s: SessionReport, json?: string): void {
    const shown = this.filter.session(s);
    if (!shown) return;
    this.shown(shown, s);
    // The text of the session as given holds only while the filter left it as it was.
    this.inner.session(shown, shown === s ? json : undefined);
    this.afterSession();
  }

  end(tail: ReportTail): void {
    const findings = tail.findings.filter((f) => this.filter.cross(f, this.clients));
    this.summary.addCross(findings);
    this.note(findings);
    const limits = this.clientsSkipped > 0 ? { ...tail.limits, 'event-client-spans-skipped': this.clientsSkipped } : tail.limits;
    this.inner.end({ ...tail, findings, summary: this.summary.summary, limits });
  }

  private note(findings: readonly Pick<Finding, 'severity'>[]): void {
    for (const f of findings) this.worst = Math.max(this.worst, severityRank(f.severity));
  }
}
