/**
 * `--format ndjson`: the report as Elastic Common Schema events, one JSON object per line, for SIEM
 * shippers (Filebeat, Fluent Bit, Vector, Splunk HEC) that forward each line as it is written.
 *
 * Contract (docs/design.md §4): per finalized session, in this order and written as soon as the session
 * is finalized (streaming, so `tcpdump -w - | ftp-pcap analyze --format ndjson -` feeds a SIEM
 * live):
 *   1. one session event            event.dataset `ftp_pcap.session`
 *   2. one event per data connection event.dataset `ftp_pcap.data_connection`
 *   3. one alert per session finding event.dataset `ftp_pcap.finding`, event.kind `alert`
 * and at the end of the capture one alert per cross-session finding (brute-force), then, for each
 * input that could not be read to its end (damaged, cut short, unreadable), one event saying so
 * (event.dataset `ftp_pcap.capture`, event.action `capture-incomplete`): without it a SIEM would
 * take a report that stops at the damage for the whole capture (the CLI's exit status 2 and stderr
 * line reach no shipper). Nothing else: inputs, summary and limits are in the JSON and XML reports
 * only.
 *
 * ECS field names wherever one fits, everything else under `ftp.*` in snake_case (ECS naming), with
 * the vocabulary values of docs/design.md §3 verbatim (`no-answer`, `extended-passive`, ...). Absent
 * values are left out, never null. test/report/ndjson.test.ts checks every emitted field against
 * the ECS field definitions (test/vendor/ecs/ecs_flat.json); `@elastic/ecs` checks the shape here at
 * compile time.
 *
 * Choices a SIEM user should know:
 * - `source`/`destination` and `client`/`server` are TCP roles, as ECS defines them (client = the
 *   side that sent the SYN). For an active-mode data connection the FTP *server* is the TCP client;
 *   `ftp.initiator` says it in FTP terms and `ftp.control.*` names the control connection's ends.
 * - `network.direction` follows Elasticsearch's network_direction processor with
 *   internal_networks [private, loopback, link_local]: both ends internal → `internal`, internal →
 *   public `outbound`, public → internal `inbound`, both public `external`.
 * - Findings: `event.kind` alert, `rule.id`/`rule.name` the finding code (docs/design.md §3, what a
 *   SIEM rule matches), `rule.ruleset` ftp-pcap, `log.level` the severity word and
 *   `event.severity` Elastic Security's risk score for it: info 21, warning 47, error 73.
 * - `event.outcome`: a data connection's is success (completed), failure (no-answer, refused,
 *   not-attempted, reset, aborted, truncated, failed) or unknown (unused, incomplete), with
 *   `event.type` [connection, denied] for no-answer and refused (what a firewall did); a session's
 *   is failure when its control connection was refused, or its login or a data connection failed;
 *   a finding's failure for control-refused, the data-* and transfer-* codes, login-failed and
 *   brute-force.
 * - A cross-session finding (brute-force) carries its client as `source.ip`, the server as
 *   `destination.ip` when the client's sessions all went to one, and `event.start`/`event.end`
 *   spanning that client's sessions.
 * - `observer.*` names the tool (product, version); `ftp.session.password` is the report's, so
 *   redacted unless `--show-passwords`.
 * - `file.size` and `file.hash.sha256` only with `--hash`, and only for a transfer that carried the
 *   whole file (complete, from offset 0): after a REST, or with bytes missing, the bytes are not the
 *   file's, and are `ftp.data_connection.file.*` (size, sha256, complete...) alone. Without
 *   `--hash` the model counts the bytes moved on the connection: `ftp.data_connection.bytes`.
 * - `network.community_id` (Community ID v1) identifies the TCP connection an event is about, as
 *   Zeek, Suricata and Packetbeat write it; absent when a port is unknown (never attempted).
 * - The capture-incomplete event is an `event` with `event.outcome` failure, `error.type` the error
 *   kind (`truncated-record`...), `error.message` its text, `file.path`/`file.name` the input, and
 *   the byte offset in `ftp.capture.offset` (ECS has no field for an offset into a file); not
 *   `event.kind: pipeline_error`, which ECS keeps for failures of the ingest pipeline itself.
 * - `@timestamp` keeps the capture's full precision (nanoseconds); for an event that has no time of
 *   its own (a data connection never attempted, a finding) it is the time of the connection or
 *   session it concerns (docs/design.md §4 times).
 */
import { MAX_EVENT_CLIENT_SPANS } from '../limits.js';
import type { EcsEvent, Ecs } from '@elastic/ecs';
import type { AnalysisReport, ReportSink, ReportTail } from './analysis.js';
import type { InfoInput } from './inputs.js';
import { offsetText, type OffsetStream } from '../capture/index.js';
import type { DataConnectionReport, FileReport, Finding, FindingCode, Outcome, SessionReport, Severity } from '../ftp/model.js';
import type { Out } from './out.js';
import { endpointText } from '../tcp/conn-log.js';
import { isV6, networkDirection, communityId, durationNs, dataTime, findingTime, basename, transferFile, trackClient, type ClientSpan } from './event-facts.js';

/** The ECS version of the field definitions the events are checked against (test/vendor/ecs). */
export const ECS_VERSION = '9.5.0-dev';

/** Outcomes that mean the data connection or its transfer failed (docs/design.md §3). */
export { FAILED_OUTCOMES } from '../ftp/model.js';
import { FAILED_OUTCOMES } from '../ftp/model.js';

/** ECS event.outcome of a data connection: `unused` and `incomplete` are neither. */
export function outcomeOf(o: Outcome): 'success' | 'failure' | 'unknown' {
  return o === 'completed' ? 'success' : FAILED_OUTCOMES.has(o) ? 'failure' : 'unknown';
}

/** Elastic Security's default risk scores for low / medium / high. */
export const SEVERITY_SCORE: Record<Severity, number> = { info: 21, warning: 47, error: 73 };
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The most severe of some findings, or null for none. */
export function maxSeverity(findings: readonly Finding[]): Severity | null {
  let best: Severity | null = null;
  for (const f of findings) if (best === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best]) best = f.severity;
  return best;
}

/** Findings that report a failure (of a control or data connection, a transfer, a login). */
const FAILURE_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['control-refused', 'data-no-answer', 'data-refused', 'data-not-attempted', 'data-reset', 'transfer-aborted', 'transfer-truncated', 'transfer-failed', 'login-failed', 'brute-force']);
const SUCCESS_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['anonymous-login', 'control-encrypted']);
const AUTH_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['cleartext-credentials', 'login-failed', 'anonymous-login']);

/** The session is a control connection that was refused (its control-refused finding). */
export function controlRefused(s: SessionReport): boolean {
  return s.findings.some((f) => f.code === 'control-refused');
}

export function findingOutcome(code: FindingCode): 'success' | 'failure' | 'unknown' {
  return FAILURE_CODES.has(code) ? 'failure' : SUCCESS_CODES.has(code) ? 'success' : 'unknown';
}

function findingCategory(code: FindingCode): string[] {
  if (code === 'brute-force') return ['authentication', 'intrusion_detection'];
  if (code === 'ftp-bounce') return ['network', 'intrusion_detection'];
  if (AUTH_CODES.has(code)) return ['authentication'];
  return ['network'];
}

// ---- the event shape ----

interface EcsEndpoint {
  ip: string;
  port?: number;
}

/** The `ftp.*` namespace (snake_case, docs/design.md §3 values). */
export interface FtpFields {
  session?: {
    id: number;
    mode?: string;
    login?: string;
    login_attempts?: number;
    tls?: boolean;
    mid_stream?: boolean;
    capture_point?: string;
    commands?: number;
    control_state?: string;
    banner?: string;
    password?: string;
    data_connections?: number;
    failed_data_connections?: number;
    wireshark_filter?: string;
    evidence?: string;
  };
  control?: { client: EcsEndpoint; server: EcsEndpoint };
  data_connection?: {
    id: number;
    mode: string;
    initiator: string;
    outcome: string;
    direction?: string;
    command?: string;
    argument?: string;
    path?: string;
    bytes?: number;
    expected_bytes?: number;
    missed_bytes: number;
    reply_codes: number[];
    reply_text?: string;
    firewall_rule: string;
    diagnosis: string;
    wireshark_filter?: string;
    /** The ICMP message that rejected the connection (DataConnectionReport.rejectedBy). */
    rejected_by?: { ip: string; protocol: string; type: number; code: number; reason: string; frame: number };
    announcement?: { command: string; ip?: string; port: number; frame: number; reply_code?: number };
    tcp?: {
      state: string;
      history: string;
      syn_frame?: number;
      syn_retransmits: number;
      syn_ack_frame?: number;
      rst_frame?: number;
      first_frame: number;
      last_frame: number;
    };
    /** --hash / --extract / --listings: the transfer's payload (FileReport in snake_case). */
    file?: {
      kind: string;
      size: number;
      sha256?: string;
      offset: number;
      complete: boolean;
      incomplete?: string;
      missed_bytes: number;
      extracted?: string;
      listing?: { format: string; entries: { name: string; type?: string; size?: number; modified?: string; perm?: string }[]; dropped: number; unparsed: number };
    };
  };
  finding?: { code: string; severity: string; frames: number[]; client?: string };
  /** An input not read to its end (the capture-incomplete event). */
  capture?: { path: string; complete: false; error: string; offset: number; packets: number; last_time?: string };
}

/** ECS (compile-time checked by @elastic/ecs) plus the ftp namespace. ecs.version is our own. */
export type FtpEcsEvent = Omit<Ecs, 'ecs' | 'event'> & {
  ecs: { version: string };
  event: EcsEvent & { kind: 'event' | 'alert'; outcome: 'success' | 'failure' | 'unknown' };
  ftp: FtpFields;
};

const unique = (xs: (string | null | undefined)[]): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** A session's own facts in snake_case, shared by the ECS `ftp.session` and OCSF `unmapped` views
 * (absent values left undefined, so JSON omits them). */
export function sessionFacts(s: SessionReport) {
  return {
    mode: s.mode,
    login: s.login,
    login_attempts: s.loginAttempts,
    tls: s.tls,
    mid_stream: s.midStream,
    capture_point: s.capturePoint,
    commands: s.commands,
    control_state: s.controlState,
    banner: opt(s.banner),
    password: opt(s.password),
    wireshark_filter: s.wiresharkFilter,
    evidence: s.evidence,
  };
}

function control(s: SessionReport): FtpFields['control'] {
  return { client: { ...s.client }, server: { ...s.server } };
}

function netFields(src: EcsEndpoint, dst: EcsEndpoint | null | undefined, protocol: 'ftp' | 'ftp-data'): Ecs['network'] {
  const cid = dst ? communityId(src.ip, src.port, dst.ip, dst.port) : null;
  return {
    transport: 'tcp',
    iana_number: '6',
    protocol,
    type: isV6(src.ip) ? 'ipv6' : 'ipv4',
    ...(dst ? { direction: networkDirection(src.ip, dst.ip) } : {}),
    ...(cid ? { community_id: cid } : {}),
  };
}

const observer = (tool: AnalysisReport['tool']): Ecs['observer'] => ({ product: tool.name, vendor: tool.name, version: tool.version, type: 'packet-analyzer' });

export function sessionEvent(s: SessionReport, tool: AnalysisReport['tool']): FtpEcsEvent {
  const failed = s.dataConnections.filter((d) => FAILED_OUTCOMES.has(d.outcome)).length;
  const outcome = s.login === 'failed' || failed > 0 || controlRefused(s) ? 'failure' : s.login === 'success' ? 'success' : 'unknown';
  const counts = new Map<string, number>();
  for (const d of s.dataConnections) counts.set(d.outcome, (counts.get(d.outcome) ?? 0) + 1);
  const dcText = s.dataConnections.length === 0 ? 'no data connection' : `${s.dataConnections.length} data connection${s.dataConnections.length === 1 ? '' : 's'} (${[...counts].map(([o, n]) => `${o} ${n}`).join(', ')})`;
  const who = s.user === null ? (s.login === 'none' ? 'no login seen' : `login ${s.login}`) : `user ${JSON.stringify(s.user)} login ${s.login}`;
  return {
    '@timestamp': s.start,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['network'],
      type: ['connection', 'protocol'],
      action: 'ftp-session',
      outcome,
      module: 'ftp_pcap',
      dataset: 'ftp_pcap.session',
      start: s.start,
      end: s.end,
      duration: durationNs(s.start, s.end),
    },
    message: `FTP session ${endpointText(s.client)} -> ${endpointText(s.server)}, ${who}, mode ${s.mode}${s.tls ? ', TLS' : ''}, ${dcText}.`,
    source: { ...s.client },
    destination: { ...s.server },
    client: { ...s.client },
    server: { ...s.server },
    network: netFields(s.client, s.server, 'ftp'),
    ...(s.user !== null ? { user: { name: s.user } } : {}),
    ...(s.tls ? { tls: { established: true } } : {}),
    related: { ip: unique([s.client.ip, s.server.ip]), ...(s.user ? { user: [s.user] } : {}) },
    observer: observer(tool),
    ftp: {
      session: {
        id: s.id,
        ...sessionFacts(s),
        data_connections: s.dataConnections.length,
        failed_data_connections: failed,
      },
      control: control(s),
    },
  };
}


/** The TCP ends of a data connection: the ones seen, else the expected ones (no source port). */
export function dataEnds(s: SessionReport, d: DataConnectionReport): { src: EcsEndpoint; dst: EcsEndpoint | null } {
  if (d.from && d.to) return { src: { ...d.from }, dst: { ...d.to } };
  const src = { ip: d.initiator === 'client' ? s.client.ip : s.server.ip };
  if (!d.announced) return { src, dst: null };
  // EPSV carries no address (RFC 2428 §3): the control connection's other end is meant.
  const ip = d.announced.ip ?? (d.initiator === 'client' ? s.server.ip : s.client.ip);
  return { src, dst: { ip, port: d.announced.port } };
}

export function dataAction(d: DataConnectionReport): string {
  return d.direction ? `ftp-${d.direction}` : 'ftp-data-connection';
}

export function dataEvent(s: SessionReport, d: DataConnectionReport, tool: AnalysisReport['tool']): FtpEcsEvent {
  const { src, dst } = dataEnds(s, d);
  const file = transferFile(d);
  const user = s.user;
  const blocked = d.outcome === 'no-answer' || d.outcome === 'refused';
  const t = dataTime(s, d);
  return {
    '@timestamp': t,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['network'],
      type: blocked ? ['connection', 'denied'] : ['connection'],
      action: dataAction(d),
      outcome: outcomeOf(d.outcome),
      module: 'ftp_pcap',
      dataset: 'ftp_pcap.data_connection',
      ...(d.tcp ? { start: d.tcp.start, end: d.tcp.end, duration: durationNs(d.tcp.start, d.tcp.end) } : {}),
    },
    message: d.diagnosis,
    source: src,
    client: { ...src },
    ...(dst ? { destination: dst, server: { ...dst } } : {}),
    network: netFields(src, dst, 'ftp-data'),
    ...(user !== null ? { user: { name: user } } : {}),
    ...(file ? { file: { path: file.path, name: file.name, ...wholeFile(d) } } : {}),
    related: { ip: unique([src.ip, dst?.ip, s.client.ip, s.server.ip, d.announced?.ip, d.rejectedBy?.ip]), ...(user ? { user: [user] } : {}) },
    observer: observer(tool),
    ftp: {
      session: { id: s.id },
      control: control(s),
      data_connection: {
        id: d.id,
        mode: d.mode,
        initiator: d.initiator,
        outcome: d.outcome,
        direction: opt(d.direction),
        command: opt(d.command),
        argument: opt(d.argument),
        path: opt(d.path),
        bytes: opt(d.bytes),
        expected_bytes: opt(d.expectedBytes),
        missed_bytes: d.missedBytes,
        reply_codes: [...d.replies],
        reply_text: opt(d.replyText),
        firewall_rule: d.firewallRule,
        diagnosis: d.diagnosis,
        wireshark_filter: opt(d.wiresharkFilter),
        rejected_by: d.rejectedBy ? { ...d.rejectedBy } : undefined,
        announcement: d.announced
          ? { command: d.announced.command, ip: opt(d.announced.ip), port: d.announced.port, frame: d.announced.frame, reply_code: opt(d.announced.replyCode) }
          : undefined,
        tcp: d.tcp
          ? {
              state: d.tcp.state,
              history: d.tcp.history,
              syn_frame: opt(d.tcp.synFrame),
              syn_retransmits: d.tcp.synRetransmits,
              syn_ack_frame: opt(d.tcp.synAckFrame),
              rst_frame: opt(d.tcp.rstFrame),
              first_frame: d.tcp.firstFrame,
              last_frame: d.tcp.lastFrame,
            }
          : undefined,
        ...(d.file ? { file: fileFields(d.file) } : {}),
      },
    },
  };
}

/** ECS `file.size` and `file.hash.sha256`: for a transfer that carried the whole file only. */
function wholeFile(d: DataConnectionReport): { size?: number; hash?: { sha256: string } } {
  const f = d.file;
  if (!f || !f.complete || f.offset !== 0 || f.sha256 === null) return {};
  return { size: f.size, hash: { sha256: f.sha256 } };
}

function fileFields(f: FileReport): NonNullable<NonNullable<FtpFields['data_connection']>['file']> {
  return {
    kind: f.kind,
    size: f.size,
    sha256: opt(f.sha256),
    offset: f.offset,
    complete: f.complete,
    incomplete: opt(f.incomplete),
    missed_bytes: f.missedBytes,
    extracted: opt(f.extracted),
    ...(f.listing
      ? {
          listing: {
            format: f.listing.format,
            entries: f.listing.entries.map((e) => ({ name: e.name, type: opt(e.type), size: opt(e.size), modified: opt(e.modified), perm: opt(e.perm) })),
            dropped: f.listing.dropped,
            unparsed: f.listing.unparsed,
          },
        }
      : {}),
  };
}

function findingBase(f: Finding, tool: AnalysisReport['tool'], time: string): FtpEcsEvent {
  const blocked = f.code === 'data-no-answer' || f.code === 'data-refused';
  return {
    '@timestamp': time,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'alert',
      category: findingCategory(f.code),
      type: blocked ? ['info', 'denied'] : ['info'],
      action: f.code,
      outcome: findingOutcome(f.code),
      severity: SEVERITY_SCORE[f.severity],
      module: 'ftp_pcap',
      dataset: 'ftp_pcap.finding',
    },
    message: f.message,
    rule: { id: f.code, name: f.code, ruleset: 'ftp-pcap', category: findingCategory(f.code)[0] },
    log: { level: f.severity },
    observer: observer(tool),
    ftp: { finding: { code: f.code, severity: f.severity, frames: [...f.frames] } },
  };
}

export function findingEvent(s: SessionReport, f: Finding, tool: AnalysisReport['tool']): FtpEcsEvent {
  const d = f.dataConnection !== undefined ? s.dataConnections[f.dataConnection - 1] : undefined;
  const e = findingBase(f, tool, findingTime(s, f));
  // A finding about a data connection points at that connection's ends, others at the control
  // connection's.
  const { src, dst } = d ? dataEnds(s, d) : { src: { ...s.client }, dst: { ...s.server } };
  e.source = src;
  if (dst) e.destination = dst;
  e.network = netFields(src, dst, d ? 'ftp-data' : 'ftp');
  if (s.user !== null) e.user = { name: s.user };
  e.related = { ip: unique([src.ip, dst?.ip, s.client.ip, s.server.ip]), ...(s.user ? { user: [s.user] } : {}) };
  e.ftp.session = { id: s.id };
  e.ftp.control = control(s);
  if (d) e.ftp.data_connection = dataEvent(s, d, tool).ftp.data_connection;
  return e;
}

/** A finding that spans sessions (brute-force): placed at the first session of its client. */
export function crossFindingEvent(f: Finding & { client: string }, span: ClientSpan | undefined, tool: AnalysisReport['tool'], fallbackTime: string): FtpEcsEvent {
  const e = findingBase(f, tool, span?.first ?? fallbackTime);
  if (span) {
    e.event.start = span.first;
    e.event.end = span.last;
    e.event.duration = durationNs(span.first, span.last);
  }
  const servers = span ? [...span.servers] : [];
  e.source = { ip: f.client };
  if (servers.length === 1) e.destination = { ip: servers[0] };
  e.network = netFields({ ip: f.client }, servers.length === 1 ? { ip: servers[0] } : undefined, 'ftp');
  e.related = { ip: unique([f.client, ...servers]) };
  e.ftp.finding = { code: f.code, severity: f.severity, frames: [...f.frames], client: f.client };
  return e;
}

/** What an input's damage was: its first error (reading stops there), or an unnamed one. */
export function damageOf(i: InfoInput): { kind: string; offset: number; stream?: OffsetStream; message: string } {
  return i.errors[0] ?? { kind: 'unknown', offset: i.bytes, message: 'not read to its end' };
}

/** One line saying what a damaged input means for the events before it. */
export function damageMessage(i: InfoInput): string {
  const e = damageOf(i);
  return `Capture ${i.path === '-' ? 'from standard input' : i.path} is incomplete: ${e.message} (${offsetText(e)}); the events cover only its ${i.packets} packet${i.packets === 1 ? '' : 's'} before that point.`;
}

/** An input that could not be read to its end: the events before it cover only part of it. */
export function captureIncompleteEvent(i: InfoInput, tool: AnalysisReport['tool'], fallbackTime: string): FtpEcsEvent {
  const e = damageOf(i);
  return {
    '@timestamp': i.lastTime ?? fallbackTime,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['file'],
      type: ['error'],
      action: 'capture-incomplete',
      outcome: 'failure',
      severity: SEVERITY_SCORE.error,
      module: 'ftp_pcap',
      dataset: 'ftp_pcap.capture',
    },
    message: damageMessage(i),
    error: { type: e.kind, message: e.message },
    // Standard input (`-`) is no file.
    ...(i.path !== '-' ? { file: { path: i.path, name: basename(i.path) } } : {}),
    log: { level: 'error' },
    observer: observer(tool),
    ftp: { capture: { path: i.path, complete: false, error: e.kind, offset: e.offset, packets: i.packets, ...(i.lastTime ? { last_time: i.lastTime } : {}) } },
  };
}

/** One JSON line. JSON.stringify escapes control characters and lone surrogates (ES2019), so a
 * capture string can never split a line or make it invalid UTF-8. */
export function line(e: object): string {
  return `${JSON.stringify(e)}\n`;
}

/** Maps the report model to one format's events (ECS here, OCSF in ocsf.ts). */
export interface EventMapper {
  session(s: SessionReport, tool: AnalysisReport['tool']): object;
  data(s: SessionReport, d: SessionReport['dataConnections'][number], tool: AnalysisReport['tool']): object;
  finding(s: SessionReport, f: Finding, index: number, tool: AnalysisReport['tool']): object;
  cross(f: Finding & { client: string }, index: number, span: ClientSpan | undefined, tool: AnalysisReport['tool'], fallbackTime: string): object;
  /** An input not read to its end (`complete: false`), after everything else. */
  incomplete(input: InfoInput, tool: AnalysisReport['tool'], fallbackTime: string): object;
}

/** One event per line, streamed: a session's events when it is finalized, the cross-session
 * findings (brute-force) at the end, timed by the client's sessions, then one event per input not
 * read to its end. */
export class EventSink implements ReportSink {
  private tool: AnalysisReport['tool'] = { name: 'ftp-pcap', version: '0.0.0' };
  private readonly spans = new Map<string, ClientSpan>();
  private lastTime: string | null = null;
  constructor(
    private readonly out: Out,
    private readonly map: EventMapper,
  ) {}
  begin(tool: AnalysisReport['tool']): void {
    this.tool = tool;
  }
  /** One event, its line end written apart: one string of both would be flattened again, a copy. */
  private event(e: object): void {
    this.out.write(JSON.stringify(e));
    this.out.write('\n');
  }
  session(s: SessionReport): void {
    // Bounded (a SYN flood from a million sources is a million clients): past the bound only
    // clients already known or with a failed login (the only ones a cross-session finding names).
    // The analyze command's FilteredSink keeps the same clients and counts those it skips.
    if (this.spans.size < MAX_EVENT_CLIENT_SPANS || this.spans.has(s.client.ip) || s.findings.some((f) => f.code === 'login-failed')) trackClient(this.spans, s);
    this.lastTime = s.end;
    this.event(this.map.session(s, this.tool));
    for (const d of s.dataConnections) this.event(this.map.data(s, d, this.tool));
    s.findings.forEach((f, i) => this.event(this.map.finding(s, f, i, this.tool)));
  }
  end(tail: ReportTail): void {
    const fallback = this.lastTime ?? tail.inputs.find((i) => i.lastTime)?.lastTime ?? new Date(0).toISOString();
    tail.findings.forEach((f, i) => this.event(this.map.cross(f, i, this.spans.get(f.client), this.tool, fallback)));
    for (const i of tail.inputs) if (!i.complete) this.event(this.map.incomplete(i, this.tool, fallback));
  }
}

const ECS_EVENTS: EventMapper = {
  session: (s, tool) => sessionEvent(s, tool),
  data: (s, d, tool) => dataEvent(s, d, tool),
  finding: (s, f, _i, tool) => findingEvent(s, f, tool),
  cross: (f, _i, span, tool, fallback) => crossFindingEvent(f, span, tool, fallback),
  incomplete: (i, tool, fallback) => captureIncompleteEvent(i, tool, fallback),
};

/** `--format ndjson`: Elastic Common Schema events. */
export class NdjsonSink extends EventSink {
  constructor(out: Out) {
    super(out, ECS_EVENTS);
  }
}
