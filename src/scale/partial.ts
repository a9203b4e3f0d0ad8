/**
 * The partial-result codec. A shard's partial result (`analyze --shard i/N -o FILE`, and each
 * `--jobs` worker) is NDJSON, one record per line, so that it streams both ways and stays readable
 * with jq. `encodeRecord` writes every line, `decodeHeader` and `decodeRecord` read them back;
 * nothing else knows the format.
 *
 *   {"partial":"ftp-pcap", ...}     header: format version, shard, options that shape reports
 *   {"s":[batch,start,port],"f":{},"r":{}}  a session report, final, in report order (`s` is its
 *                                   sort key: the frame it was finalized in, its start, its client
 *                                   port; `f` its SessionFacts, what a merge reads of it when it can
 *                                   copy `r` as it is)
 *   {"p":{...}}                     a pending session (PendingSession, encoded below)
 *   {"o":{...}}                     an orphan connection (a ConnectionSummary)
 *   {"end":{...}}                   the raw counters of the run; a file without it is cut short
 *
 * A session line's keys are written in the order s, f, r, and neither the key nor the facts hold a
 * key `r`, so the decoder finds the report's JSON text without parsing it: a merge copies it as it
 * is (most of a partial's bytes) when the output format allows.
 *
 * Passwords: a pending session's password and PASS line are redacted here unless --show-passwords
 * was given, as in a report: a partial result on shared storage holds no more than the report.
 */
import type { ConnectionSummary } from '../tcp/index.js';
import { isAnonymous } from '../ftp/session-report.js';
import type { PendingSession } from '../ftp/shard.js';
import { FtpSession, TimelineLog, type AnnouncementRec, type HalfAnnouncement, type TimelineRec, type TransferRec } from '../ftp/session.js';
import { REDACTED, redactCommand } from '../ftp/commands.js';
import type { SessionFacts, SessionReport } from '../ftp/model.js';
import type { RunCounters } from '../pipeline.js';

export const PARTIAL_FORMAT = 'ftp-pcap';
/** The format's version: a merge reads partials of its own version only. 3: pending sessions carry
 * the control channel's protection and connection summaries their ICMP rejection. */
export const PARTIAL_VERSION = 3;

/** A session's place in the report (FtpAnalyzer.flushReady): [batch, start, client port]. */
export type SessionKey = [number, number, number];

export const keyBefore = (a: SessionKey, b: SessionKey): boolean => a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));

/** Options that change what a shard writes: every partial of one merge must agree on them. */
export interface PartialOptions {
  ports: number[];
  showPasswords: boolean;
  timeline: boolean;
}

export interface PartialHeader {
  partial: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  tool: string;
  shard: [number, number];
  options: PartialOptions;
}

/** A record as written. */
export type PartialRecord =
  | { kind: 'header'; header: PartialHeader }
  /** A final session: its place in the report, the facts a merge counts, its report. */
  | { kind: 'session'; key: SessionKey; facts: SessionFacts; report: SessionReport }
  | { kind: 'pending'; pending: PendingJson }
  /** A connection no session of the shard took, touching a host with an FTP control connection. */
  | { kind: 'orphan'; connection: ConnectionSummary }
  /** The run's raw counters; a file without this last record is cut short. */
  | { kind: 'end'; counters: RunCounters };

/** A record as read back: a session's facts and report stay JSON text until a consumer parses them. */
export type ReadRecord =
  | Exclude<PartialRecord, { kind: 'header' } | { kind: 'session' }>
  | { kind: 'session'; key: SessionKey; factsJson: string; reportJson: string }
  | { kind: 'invalid'; reason: string };

/** One line of a partial result, newline included. */
export function encodeRecord(r: PartialRecord): string {
  switch (r.kind) {
    case 'header':
      return `${JSON.stringify(r.header)}\n`;
    case 'session':
      return `{"s":${JSON.stringify(r.key)},"f":${JSON.stringify(r.facts)},"r":${JSON.stringify(r.report)}}\n`;
    case 'pending':
      return `{"p":${JSON.stringify(r.pending)}}\n`;
    case 'orphan':
      return `{"o":${JSON.stringify(r.connection)}}\n`;
    case 'end':
      return `{"end":${JSON.stringify(r.counters)}}\n`;
  }
}

const NOT_JSON = 'not a partial result line (JSON expected)';

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The kind of a record line after the header, from its first key (cheap: nothing is parsed); null for none. */
export function kindOf(line: string): Exclude<PartialRecord['kind'], 'header'> | null {
  if (line.startsWith('{"s":')) return 'session';
  if (line.startsWith('{"p":')) return 'pending';
  if (line.startsWith('{"o":')) return 'orphan';
  if (line.startsWith('{"end":')) return 'end';
  return null;
}

/** The first line of a partial result: its header, or why it is none this ftp-pcap reads. */
export function decodeHeader(line: string): PartialHeader | { invalid: string } {
  const h = parse<Partial<PartialHeader> | null>(line);
  if (h === undefined) return { invalid: NOT_JSON };
  if (h === null || typeof h !== 'object' || h.partial !== PARTIAL_FORMAT) return { invalid: 'not an ftp-pcap partial result (write one with `ftp-pcap analyze --shard i/N -o FILE`)' };
  if (h.version !== PARTIAL_VERSION) return { invalid: `partial result version ${String(h.version)}, this ftp-pcap reads version ${PARTIAL_VERSION}` };
  return h as PartialHeader;
}

/** A line after the header (without its newline). */
export function decodeRecord(line: string): ReadRecord {
  const kind = kindOf(line);
  if (kind === null) return { kind: 'invalid', reason: 'unknown partial result record' };
  if (kind === 'session') {
    const close = line.indexOf(']');
    const f = close < 0 ? -1 : line.indexOf(',"f":', close);
    const r = f < 0 ? -1 : line.indexOf(',"r":', f);
    const key = close < 0 ? undefined : parse<SessionKey>(line.slice(5, close + 1));
    if (!key || r < 0 || !line.endsWith('}')) return { kind: 'invalid', reason: NOT_JSON };
    return { kind, key, factsJson: line.slice(f + 5, r), reportJson: line.slice(r + 5, -1) };
  }
  const o = parse<{ p?: PendingJson; o?: ConnectionSummary; end?: RunCounters }>(line);
  if (o === undefined) return { kind: 'invalid', reason: NOT_JSON };
  if (kind === 'pending' && o.p) return { kind, pending: o.p };
  if (kind === 'orphan' && o.o) return { kind, connection: o.o };
  if (kind === 'end' && o.end) return { kind, counters: o.end };
  return { kind: 'invalid', reason: 'unknown partial result record' };
}

/** The FtpSession fields a report reads, with the announcement ↔ transfer links as indexes. */
const SESSION_FIELDS = [
  'banner',
  'bannerFrame',
  'user',
  'password',
  'passwordFrame',
  'login',
  'loginFrame',
  'loginAttempts',
  'loginAttemptCount',
  'failedLogins',
  'tls',
  'tlsFrame',
  'mechanism',
  'clearAgainFrame',
  'protectedCommands',
  'epsvAll',
  'commands',
  'cwd',
  'unmatchedReplies',
  'droppedCommands',
  'droppedAnnouncements',
  'droppedReplies',
  'droppedSizes',
  'badAnnouncements',
  'badAnnouncementCount',
] as const;
type SessionFields = Pick<FtpSession, (typeof SESSION_FIELDS)[number]>;

type AnnouncementJson = Omit<AnnouncementRec, 'transfer'> & { transfer: number | null };
type TransferJson = Omit<TransferRec, 'announcement'> & { announcement: number | null };
type HalfJson = Omit<HalfAnnouncement, 'transfer'> & { transfer: number | null };

export interface PendingJson {
  batch: number;
  start: number;
  /** null: still open when the capture ended (JSON has no Infinity). */
  end: number | null;
  client: PendingSession['client'];
  server: PendingSession['server'];
  control: ConnectionSummary;
  taken: ConnectionSummary[];
  session: SessionFields & {
    announcements: AnnouncementJson[];
    transfers: TransferJson[];
    /** One side of the control connection captured: its half announcements (absent in partial
     * results of an ftp-pcap that kept none). */
    halves?: HalfJson[];
    timeline: { entries: TimelineRec[]; dropped: number; droppedAfter: number } | null;
  };
}


export function encodePending(p: PendingSession, showPasswords: boolean): PendingJson {
  const f = p.session;
  const show = showPasswords || isAnonymous(f.user);
  const fields = Object.fromEntries(SESSION_FIELDS.map((k) => [k, f[k]])) as SessionFields;
  if (!show && fields.password !== null) fields.password = REDACTED;
  const tIndex = new Map<TransferRec, number>(f.transfers.map((t, i) => [t, i]));
  const aIndex = new Map<AnnouncementRec, number>(f.announcements.map((a, i) => [a, i]));
  const timeline = f.timeline ? f.timeline.entries() : null;
  return {
    batch: p.batch,
    start: p.start,
    end: Number.isFinite(p.end) ? p.end : null,
    client: p.client,
    server: p.server,
    control: p.control,
    taken: p.taken,
    session: {
      ...fields,
      announcements: f.announcements.map((a) => ({ ...a, transfer: a.transfer ? (tIndex.get(a.transfer) ?? null) : null })),
      transfers: f.transfers.map((t) => ({ ...t, announcement: t.announcement ? (aIndex.get(t.announcement) ?? null) : null })),
      halves: f.halfAnnouncements.map((h) => ({ ...h, transfer: h.transfer ? (tIndex.get(h.transfer) ?? null) : null })),
      timeline: timeline && f.timeline ? { entries: show ? timeline.entries : timeline.entries.map((r) => (r.client ? { ...r, text: redactCommand(r.head, r.text) } : r)), dropped: f.timeline.dropped, droppedAfter: timeline.droppedAfter } : null,
    },
  };
}

export function decodePending(j: PendingJson): PendingSession {
  const f = new FtpSession();
  const { announcements, transfers, halves, timeline, ...fields } = j.session;
  Object.assign(f, fields);
  const as: AnnouncementRec[] = announcements.map((a) => ({ ...a, transfer: null }));
  const ts: TransferRec[] = transfers.map((t) => ({ ...t, announcement: t.announcement === null ? null : (as[t.announcement] ?? null) }));
  announcements.forEach((a, i) => {
    as[i].transfer = a.transfer === null ? null : (ts[a.transfer] ?? null);
  });
  f.announcements.push(...as);
  f.transfers.push(...ts);
  f.halfAnnouncements.push(...(halves ?? []).map((h) => ({ ...h, transfer: h.transfer === null ? null : (ts[h.transfer] ?? null) })));
  if (timeline) f.timeline = TimelineLog.restore(timeline.entries, timeline.dropped, timeline.droppedAfter);
  return { batch: j.batch, start: j.start, end: j.end ?? Infinity, client: j.client, server: j.server, control: j.control, taken: j.taken, session: f };
}
