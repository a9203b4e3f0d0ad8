/**
 * `--format ocsf`: the report as Open Cybersecurity Schema Framework events (schema 1.9.0-dev,
 * test/vendor/ocsf), one JSON object per line, streamed like `--format ndjson`: per finalized
 * session one FTP Activity for the session, one per data connection, one Detection Finding per
 * finding; at the end one Detection Finding per cross-session finding (brute-force).
 *
 * FTP Activity (class_uid 4008 = Network Activity 4 x 1000 + 8, extends network, base_event):
 * - a data connection: `activity_id` from its transfer command (RETR Get 2, STOR/STOU/APPE Put 1,
 *   LIST/NLST/MLSD List 6, another command Other 99 with the command as `activity_name`, none
 *   Unknown 0); `type` its mode (docs/design.md §3 words: active, passive, extended-passive...);
 *   `port` the announced port; `command`, `codes` (reply codes), `command_responses` (the final
 *   reply's text), `name` (the command's argument), `file` for a file transfer; `src_endpoint` /
 *   `dst_endpoint` the TCP ends (src = who sent the SYN: the server in active mode), or the
 *   expected ends when it was never attempted; `connection_info` (tcp, Zeek-like `flag_history`,
 *   `community_uid` = Community ID v1, as in ECS `network.community_id`);
 *   `traffic.bytes` / `bytes_missed`; `status_id` Success (completed), Failure (no-answer, refused,
 *   not-attempted, reset, aborted, truncated, failed) or Other (unused, incomplete; `status` names
 *   it), `status_code` the outcome word, `status_detail` the diagnosis.
 * - a session: `activity_id` Other (99), `activity_name` "Session": the control connection, with
 *   Failure when it was refused (control-refused), its login failed or one of its data
 *   connections failed.
 * - `severity_id`: the most severe finding about the event (info → Informational 1, warning →
 *   Medium 3, error → High 4), Informational without one.
 * - `observables`: the endpoints' IPs, the user name and the file name (type ids 2, 4, 7).
 * - ftp-pcap's own fields (session and data connection ids, initiator, firewall rule, announcement,
 *   TCP state) under `unmapped.ftp_pcap`, as OCSF asks for source data without an attribute.
 *
 * Findings are Detection Findings (class_uid 2004), not FTP Activities with a failure status:
 * - a finding is a conclusion about traffic, not a piece of traffic: half of them report no
 *   failure at all (anonymous-login, control-encrypted, active-source-port, cleartext-credentials);
 * - the failure a data-* or transfer-* finding reports is already an FTP Activity with status
 *   Failure; a second FTP Activity would count the transfer twice in every SIEM dashboard;
 * - brute-force spans many sessions, so there is no one activity it could be;
 * - a Detection Finding carries what a SIEM rule matches on: a stable identifier
 *   (`finding_info.analytic.uid` and `finding_info.types` = the finding code, as ECS `rule.id`),
 *   a severity, `is_alert`, and `evidences` with the endpoints.
 *
 * An input that could not be read to its end (damaged, cut short, unreadable) adds, after
 * everything else, one Application Error (class_uid 6008, activity General Error): the class OCSF
 * gives to errors of the application that generates the events, `message` the error with its byte
 * offset, `status_code` the error kind, the path and offset under `unmapped.ftp_pcap`. A SIEM then
 * knows the activities before it cover only part of the capture (the CLI's exit status 2 and
 * stderr line reach no shipper).
 *
 * Times: `time` is epoch milliseconds (timestamp_t) and, with the `datetime` profile, `time_dt`
 * keeps the capture's full precision. A finding's `time` is the capture time of what it concerns
 * (OCSF calls it the finding's creation time: a live sensor would have created it then), so the
 * output is the same on every run. `metadata.correlation_uid` ties a session's events together.
 */
import type { AnalysisReport } from './analysis.js';
import type { DataConnectionReport, Finding, FindingCode, SessionReport, Severity } from '../ftp/model.js';
import type { Out } from './out.js';
import { endpointText } from '../tcp/conn-log.js';
import { isPrivateAddress } from '../ftp/announce.js';
import type { InfoInput } from './inputs.js';
import { offsetText } from '../capture/index.js';
import { EventSink, FAILED_OUTCOMES, damageMessage, damageOf, sessionFacts, dataEnds, maxSeverity, type EventMapper } from './ndjson.js';
import { communityId, dataTime, findingTime, isV6, networkDirection, transferFile, type ClientSpan } from './event-facts.js';

/** The OCSF schema version the events follow (test/vendor/ocsf/version.json). */
export const OCSF_VERSION = '1.9.0-dev';

const FTP_ACTIVITY = { category_uid: 4, category_name: 'Network Activity', class_uid: 4008, class_name: 'FTP Activity' } as const;
const DETECTION_FINDING = { category_uid: 2, category_name: 'Findings', class_uid: 2004, class_name: 'Detection Finding' } as const;
const APPLICATION_ERROR = { category_uid: 6, category_name: 'Application Activity', class_uid: 6008, class_name: 'Application Error' } as const;

/** FTP Activity activity_id (events/network/ftp_activity.json), by transfer command. */
const ACTIVITY: Record<string, { id: number; name: string }> = {
  STOR: { id: 1, name: 'Put' },
  STOU: { id: 1, name: 'Put' },
  APPE: { id: 1, name: 'Put' },
  RETR: { id: 2, name: 'Get' },
  LIST: { id: 6, name: 'List' },
  NLST: { id: 6, name: 'List' },
  MLSD: { id: 6, name: 'List' },
};

const SEVERITY_ID: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: 'Informational' },
  warning: { id: 3, name: 'Medium' },
  error: { id: 4, name: 'High' },
};

/** finding_info.title per code: a short phrase (the message says the specifics). */
const TITLES: Record<FindingCode, string> = {
  'data-no-answer': 'FTP data connection got no answer',
  'data-refused': 'FTP data connection refused',
  'data-not-attempted': 'FTP data connection never attempted',
  'data-reset': 'FTP data connection reset',
  'transfer-aborted': 'FTP transfer aborted',
  'transfer-truncated': 'FTP transfer truncated',
  'transfer-failed': 'FTP transfer failed',
  'pasv-address-mismatch': 'FTP passive reply announces another address than the server',
  'port-address-mismatch': 'FTP PORT/EPRT announces another address than the client',
  'ftp-bounce': 'FTP bounce: data connection to a third host',
  'privileged-data-port': 'FTP data connection to a privileged port',
  'active-source-port': 'FTP active data connection source port',
  'cleartext-credentials': 'FTP credentials in clear text',
  'login-failed': 'FTP login failed',
  'brute-force': 'FTP brute-force login attempts',
  'anonymous-login': 'FTP anonymous login',
  'control-encrypted': 'FTP control channel encrypted (AUTH TLS)',
  'control-refused': 'FTP control connection refused',
  'capture-gap': 'Capture missed bytes of an FTP connection',
  'unmatched-data-connection': 'Connection between FTP hosts that no announcement explains',
  'one-sided-capture': 'Only one direction of an FTP session captured',
};

interface OcsfEndpoint {
  ip: string;
  port?: number;
}

/** The attributes ftp-pcap emits (a subset of FTP Activity / Detection Finding). Checked against
 * the schema data in test/report/ocsf.test.ts. */
export interface OcsfEvent {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  time: number;
  time_dt: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code?: string;
  status_detail?: string;
  message: string;
  metadata: {
    product: { name: string; vendor_name: string; version: string };
    version: string;
    profiles: string[];
    event_code: string;
    correlation_uid?: string;
    log_name: string;
  };
  actor?: { user: { name: string } };
  src_endpoint?: OcsfEndpoint;
  dst_endpoint?: OcsfEndpoint;
  connection_info?: { protocol_name: 'tcp'; protocol_num: 6; protocol_ver_id: 4 | 6; direction_id: number; direction: string; flag_history?: string; community_uid?: string };
  app_protocol_name?: string;
  // FTP Activity
  type?: string;
  port?: number;
  command?: string;
  codes?: number[];
  command_responses?: string[];
  name?: string;
  file?: { name: string; path: string; type_id: 1; type: 'Regular File'; size?: number; hashes?: { algorithm_id: 3; algorithm: 'SHA-256'; value: string }[] };
  traffic?: { bytes: number; bytes_missed: number };
  // Detection Finding
  finding_info?: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    analytic: { uid: string; name: string; type_id: 1; type: 'Rule' };
    data_sources: string[];
    first_seen_time?: number;
    first_seen_time_dt?: string;
    last_seen_time?: number;
    last_seen_time_dt?: string;
  };
  is_alert?: boolean;
  evidences?: { src_endpoint?: OcsfEndpoint; dst_endpoint?: OcsfEndpoint; connection_info?: OcsfEvent['connection_info'] }[];
  observables?: { name: string; type_id: number; type: string; value: string }[];
  unmapped?: { ftp_pcap: Record<string, unknown> };
}

/** OCSF observable type ids (dictionary.json types: ip_t 2, username_t 4, file_name_t 7). */
const OBSERVABLE = { ip: { type_id: 2, type: 'IP Address' }, user: { type_id: 4, type: 'User Name' }, file: { type_id: 7, type: 'File Name' } } as const;

/** The event's IPs, user name and file name as `observables`, for IOC extraction without parsing
 * the event (FTP Activity only: a finding's addresses are in its evidences). */
function withObservables(e: OcsfEvent): OcsfEvent {
  const obs: NonNullable<OcsfEvent['observables']> = [];
  if (e.src_endpoint) obs.push({ name: 'src_endpoint.ip', ...OBSERVABLE.ip, value: e.src_endpoint.ip });
  if (e.dst_endpoint) obs.push({ name: 'dst_endpoint.ip', ...OBSERVABLE.ip, value: e.dst_endpoint.ip });
  if (e.actor) obs.push({ name: 'actor.user.name', ...OBSERVABLE.user, value: e.actor.user.name });
  if (e.file) obs.push({ name: 'file.name', ...OBSERVABLE.file, value: e.file.name });
  if (obs.length) e.observables = obs;
  return e;
}

/** Epoch milliseconds of a report time (ISO 8601, nanoseconds). */
export function epochMs(t: string): number {
  return Date.parse(t);
}

/** OCSF connection_info.direction_id (Inbound 1, Outbound 2, Lateral 3, Local 4, Unknown 0). */
function direction(src: string, dst: string | undefined): { direction_id: number; direction: string } {
  if (dst === undefined) return { direction_id: 0, direction: 'Unknown' };
  const loop = (ip: string): boolean => ip === '::1' || ip.startsWith('127.');
  if (loop(src) && loop(dst)) return { direction_id: 4, direction: 'Local' };
  if (!isPrivateAddress(src) && !isPrivateAddress(dst)) return { direction_id: 0, direction: 'Unknown' };
  const d = networkDirection(src, dst);
  return d === 'inbound' ? { direction_id: 1, direction: 'Inbound' } : d === 'outbound' ? { direction_id: 2, direction: 'Outbound' } : { direction_id: 3, direction: 'Lateral' };
}

function connectionInfo(src: OcsfEndpoint, dst: OcsfEndpoint | null | undefined, history?: string): NonNullable<OcsfEvent['connection_info']> {
  const cid = dst ? communityId(src.ip, src.port, dst.ip, dst.port) : null;
  return {
    protocol_name: 'tcp',
    protocol_num: 6,
    protocol_ver_id: isV6(src.ip) ? 6 : 4,
    ...direction(src.ip, dst?.ip),
    ...(history ? { flag_history: history } : {}),
    ...(cid ? { community_uid: cid } : {}),
  };
}

function metadata(tool: AnalysisReport['tool'], eventCode: string, correlation: string | undefined, user: boolean): OcsfEvent['metadata'] {
  return {
    product: { name: tool.name, vendor_name: tool.name, version: tool.version },
    version: OCSF_VERSION,
    // datetime: the *_dt siblings of timestamps; host: `actor` (the FTP user).
    profiles: user ? ['datetime', 'host'] : ['datetime'],
    event_code: eventCode,
    ...(correlation ? { correlation_uid: correlation } : {}),
    log_name: 'ftp-pcap analyze',
  };
}

/** A session's identity across runs: its control connection and start time. */
export function correlationUid(s: SessionReport): string {
  return `ftp:${endpointText(s.client)}-${endpointText(s.server)}@${s.start}`;
}

function severity(findings: readonly Finding[]): { severity_id: number; severity: string } {
  const s = SEVERITY_ID[maxSeverity(findings) ?? 'info'];
  return { severity_id: s.id, severity: s.name };
}

const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
/** A model object under `unmapped`, in the snake_case of the rest of the event, nulls left out. */
const snake = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(strip(o)).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v as unknown]));

export function sessionActivity(s: SessionReport, tool: AnalysisReport['tool']): OcsfEvent {
  return withObservables(sessionEvent(s, tool));
}

function sessionEvent(s: SessionReport, tool: AnalysisReport['tool']): OcsfEvent {
  const failed = s.dataConnections.filter((d) => FAILED_OUTCOMES.has(d.outcome));
  let status: Pick<OcsfEvent, 'status_id' | 'status' | 'status_code' | 'status_detail'>;
  const refused = s.findings.find((f) => f.code === 'control-refused');
  if (refused) status = { status_id: 2, status: 'Failure', status_code: 'control-refused', status_detail: refused.message };
  else if (s.login === 'failed') status = { status_id: 2, status: 'Failure', status_code: 'login-failed', status_detail: `Login failed (${s.loginAttempts} attempt${s.loginAttempts === 1 ? '' : 's'}).` };
  else if (failed.length > 0) status = { status_id: 2, status: 'Failure', status_code: 'data-connection-failed', status_detail: `${failed.length} of ${s.dataConnections.length} data connections failed: ${failed.map((d) => `[${d.id}] ${d.outcome}`).join(', ')}.` };
  else if (s.login === 'success') status = { status_id: 1, status: 'Success' };
  else status = { status_id: 0, status: 'Unknown' };
  return {
    activity_id: 99,
    activity_name: 'Session',
    ...FTP_ACTIVITY,
    type_uid: FTP_ACTIVITY.class_uid * 100 + 99,
    type_name: 'FTP Activity: Other',
    time: epochMs(s.start),
    time_dt: s.start,
    ...severity(s.findings),
    ...status,
    message: `FTP session ${s.client.ip}:${s.client.port} -> ${s.server.ip}:${s.server.port}, ${s.user === null ? (s.login === 'none' ? 'no login seen' : `login ${s.login}`) : `user ${JSON.stringify(s.user)} login ${s.login}`}, mode ${s.mode}, ${s.dataConnections.length} data connection(s).`,
    metadata: metadata(tool, 'session', correlationUid(s), s.user !== null),
    ...(s.user !== null ? { actor: { user: { name: s.user } } } : {}),
    src_endpoint: { ...s.client },
    dst_endpoint: { ...s.server },
    connection_info: connectionInfo(s.client, s.server),
    app_protocol_name: 'ftp',
    type: s.mode,
    unmapped: {
      ftp_pcap: strip({
        session_id: s.id,
        start: s.start,
        end: s.end,
        ...sessionFacts(s),
        data_connections: s.dataConnections.length,
      }),
    },
  };
}

function dataStatus(d: DataConnectionReport): Pick<OcsfEvent, 'status_id' | 'status'> {
  if (d.outcome === 'completed') return { status_id: 1, status: 'Success' };
  if (FAILED_OUTCOMES.has(d.outcome)) return { status_id: 2, status: 'Failure' };
  return { status_id: 99, status: d.outcome };
}

export function dataActivity(s: SessionReport, d: DataConnectionReport, tool: AnalysisReport['tool']): OcsfEvent {
  return withObservables(dataEvent(s, d, tool));
}

function dataEvent(s: SessionReport, d: DataConnectionReport, tool: AnalysisReport['tool']): OcsfEvent {
  const act = d.command ? (ACTIVITY[d.command] ?? { id: 99, name: d.command }) : { id: 0, name: 'Unknown' };
  const { src, dst } = dataEnds(s, d);
  const file = transferFile(d);
  const t = dataTime(s, d);
  const captions: Record<number, string> = { 0: 'Unknown', 1: 'Put', 2: 'Get', 6: 'List', 99: 'Other' };
  const what = d.command ? `${d.command}${d.argument ? ` ${d.argument}` : ''}` : 'no transfer command';
  return {
    activity_id: act.id,
    activity_name: act.name,
    ...FTP_ACTIVITY,
    type_uid: FTP_ACTIVITY.class_uid * 100 + act.id,
    type_name: `FTP Activity: ${captions[act.id]}`,
    time: epochMs(t),
    time_dt: t,
    ...severity(s.findings.filter((f) => f.dataConnection === d.id)),
    ...dataStatus(d),
    status_code: d.outcome,
    status_detail: d.diagnosis,
    message: `${d.mode} data connection ${src.ip}${src.port !== undefined ? `:${src.port}` : ''} -> ${dst ? `${dst.ip}:${dst.port}` : '?'} (${what}): ${d.outcome}`,
    metadata: metadata(tool, 'data-connection', correlationUid(s), s.user !== null),
    ...(s.user !== null ? { actor: { user: { name: s.user } } } : {}),
    src_endpoint: src,
    ...(dst ? { dst_endpoint: dst } : {}),
    connection_info: connectionInfo(src, dst, d.tcp?.history),
    app_protocol_name: 'ftp-data',
    type: d.mode,
    ...(d.announced ? { port: d.announced.port } : dst?.port !== undefined ? { port: dst.port } : {}),
    ...(d.command ?? d.announced ? { command: d.command ?? d.announced?.command } : {}),
    codes: [...d.replies],
    ...(d.replyText !== null ? { command_responses: [d.replyText] } : {}),
    ...(d.argument ? { name: d.argument } : {}),
    ...(file ? { file: { name: file.name, path: file.path, type_id: 1 as const, type: 'Regular File' as const, ...wholeFile(d) } } : {}),
    ...(d.bytes !== null ? { traffic: { bytes: d.bytes, bytes_missed: d.missedBytes } } : {}),
    unmapped: {
      ftp_pcap: strip({
        session_id: s.id,
        data_connection_id: d.id,
        initiator: d.initiator,
        outcome: d.outcome,
        direction: d.direction,
        path: d.path,
        expected_bytes: d.expectedBytes,
        firewall_rule: d.firewallRule,
        wireshark_filter: d.wiresharkFilter,
        ...(d.rejectedBy ? { rejected_by: snake(d.rejectedBy) } : {}),
        announcement: d.announced ? snake(d.announced) : null,
        tcp: d.tcp ? snake(d.tcp) : null,
        ...(d.file ? { file: snake(d.file) } : {}),
      }),
    },
  };
}

/** `file.size` and `file.hashes` (SHA-256, algorithm_id 3): for a transfer that carried the whole
 * file only (complete, from offset 0); the rest is `unmapped.ftp_pcap.file`. */
function wholeFile(d: DataConnectionReport): { size?: number; hashes?: { algorithm_id: 3; algorithm: 'SHA-256'; value: string }[] } {
  const f = d.file;
  if (!f || !f.complete || f.offset !== 0 || f.sha256 === null) return {};
  return { size: f.size, hashes: [{ algorithm_id: 3, algorithm: 'SHA-256', value: f.sha256 }] };
}

function findingEvent(f: Finding, tool: AnalysisReport['tool'], uid: string, time: string, correlation: string | undefined, user: string | null): OcsfEvent {
  const sev = SEVERITY_ID[f.severity];
  return {
    activity_id: 1,
    activity_name: 'Create',
    ...DETECTION_FINDING,
    type_uid: DETECTION_FINDING.class_uid * 100 + 1,
    type_name: 'Detection Finding: Create',
    time: epochMs(time),
    time_dt: time,
    severity_id: sev.id,
    severity: sev.name,
    status_id: 1,
    status: 'New',
    message: f.message,
    metadata: metadata(tool, f.code, correlation, user !== null),
    ...(user !== null ? { actor: { user: { name: user } } } : {}),
    finding_info: {
      uid,
      title: TITLES[f.code],
      desc: f.message,
      types: [f.code],
      analytic: { uid: f.code, name: f.code, type_id: 1, type: 'Rule' },
      data_sources: ['packet capture'],
    },
    is_alert: f.severity !== 'info',
  };
}

export function sessionFinding(s: SessionReport, f: Finding, index: number, tool: AnalysisReport['tool']): OcsfEvent {
  const d = f.dataConnection !== undefined ? s.dataConnections[f.dataConnection - 1] : undefined;
  const corr = correlationUid(s);
  const e = findingEvent(f, tool, `${corr}#${index + 1}`, findingTime(s, f), corr, s.user);
  const { src, dst } = d ? dataEnds(s, d) : { src: { ...s.client }, dst: { ...s.server } };
  e.evidences = [{ src_endpoint: src, ...(dst ? { dst_endpoint: dst } : {}), connection_info: connectionInfo(src, dst, d?.tcp?.history) }];
  e.unmapped = { ftp_pcap: strip({ session_id: s.id, data_connection_id: f.dataConnection, frames: [...f.frames] }) };
  return e;
}

export function crossFinding(f: Finding & { client: string }, index: number, span: ClientSpan | undefined, tool: AnalysisReport['tool'], fallback: string): OcsfEvent {
  const t = span?.first ?? fallback;
  const e = findingEvent(f, tool, `ftp:${f.client}#${f.code}-${index + 1}`, t, undefined, null);
  if (e.finding_info && span) {
    e.finding_info.first_seen_time = epochMs(span.first);
    e.finding_info.first_seen_time_dt = span.first;
    e.finding_info.last_seen_time = epochMs(span.last);
    e.finding_info.last_seen_time_dt = span.last;
  }
  const servers = span ? [...span.servers] : [];
  e.evidences = [{ src_endpoint: { ip: f.client }, ...(servers.length === 1 ? { dst_endpoint: { ip: servers[0] } } : {}) }];
  e.unmapped = { ftp_pcap: { client: f.client, servers, frames: [...f.frames] } };
  return e;
}

/** An input not read to its end (events/application/application_error.json: General Error). */
export function captureIncomplete(i: InfoInput, tool: AnalysisReport['tool'], fallback: string): OcsfEvent {
  const e = damageOf(i);
  const t = i.lastTime ?? fallback;
  return {
    activity_id: 1,
    activity_name: 'General Error',
    ...APPLICATION_ERROR,
    type_uid: APPLICATION_ERROR.class_uid * 100 + 1,
    type_name: 'Application Error: General Error',
    time: epochMs(t),
    time_dt: t,
    severity_id: SEVERITY_ID.error.id,
    severity: SEVERITY_ID.error.name,
    status_id: 2,
    status: 'Failure',
    status_code: e.kind,
    status_detail: `${e.message} (${offsetText(e)})`,
    message: damageMessage(i),
    metadata: metadata(tool, 'capture-incomplete', undefined, false),
    unmapped: { ftp_pcap: strip({ path: i.path, complete: false, error: e.kind, offset: e.offset, packets: i.packets, last_time: i.lastTime }) },
  };
}

const OCSF_EVENTS: EventMapper = {
  session: (s, tool) => sessionActivity(s, tool),
  data: (s, d, tool) => dataActivity(s, d, tool),
  finding: (s, f, i, tool) => sessionFinding(s, f, i, tool),
  cross: (f, i, span, tool, fallback) => crossFinding(f, i, span, tool, fallback),
  incomplete: (i, tool, fallback) => captureIncomplete(i, tool, fallback),
};

/** `--format ocsf`: FTP Activity and Detection Finding events (and Application Error for a damaged input). */
export class OcsfSink extends EventSink {
  constructor(out: Out) {
    super(out, OCSF_EVENTS);
  }
}
