/**
 * A shard's partial result (`analyze --shard i/N -o FILE`, and each `--jobs` worker): NDJSON, one
 * record per line, so that it streams both ways and stays readable with jq.
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
 * Passwords: a pending session's password and PASS line are redacted here unless --show-passwords
 * was given, as in a report: a partial result on shared storage holds no more than the report.
 */
import type { ConnectionSummary } from '../tcp/index.js';
import { isAnonymous, type PendingSession } from '../ftp/analyzer.js';
import { FtpSession, TimelineLog, type AnnouncementRec, type TimelineRec, type TransferRec } from '../ftp/session.js';
import { redactCommand } from '../ftp/commands.js';
import type { SessionFacts, SessionReport } from '../ftp/model.js';
import type { RunCounters } from '../pipeline.js';

export const PARTIAL_FORMAT = 'ftp-pcap';
/** 2: pending sessions carry loginAttemptCount, droppedReplies and droppedSizes. 3: and the
 * control channel's protection (mechanism, clearAgainFrame, protectedCommands); connection
 * summaries carry their ICMP rejection. */
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

export type PartialRecord = { s: SessionKey; f: SessionFacts; r: SessionReport } | { p: PendingJson } | { o: ConnectionSummary } | { end: RunCounters };

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
    timeline: { entries: TimelineRec[]; dropped: number; droppedAfter: number } | null;
  };
}


export function encodePending(p: PendingSession, showPasswords: boolean): PendingJson {
  const f = p.session;
  const show = showPasswords || isAnonymous(f.user);
  const fields = Object.fromEntries(SESSION_FIELDS.map((k) => [k, f[k]])) as SessionFields;
  if (!show && fields.password !== null) fields.password = '********';
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
      timeline: timeline && f.timeline ? { entries: show ? timeline.entries : timeline.entries.map((r) => (r.client ? { ...r, text: redactCommand(r.head, r.text) } : r)), dropped: f.timeline.dropped, droppedAfter: timeline.droppedAfter } : null,
    },
  };
}

export function decodePending(j: PendingJson): PendingSession {
  const f = new FtpSession();
  const { announcements, transfers, timeline, ...fields } = j.session;
  Object.assign(f, fields);
  const as: AnnouncementRec[] = announcements.map((a) => ({ ...a, transfer: null }));
  const ts: TransferRec[] = transfers.map((t) => ({ ...t, announcement: t.announcement === null ? null : (as[t.announcement] ?? null) }));
  announcements.forEach((a, i) => {
    as[i].transfer = a.transfer === null ? null : (ts[a.transfer] ?? null);
  });
  f.announcements.push(...as);
  f.transfers.push(...ts);
  if (timeline) f.timeline = TimelineLog.restore(timeline.entries, timeline.dropped, timeline.droppedAfter);
  return { batch: j.batch, start: j.start, end: j.end ?? Infinity, client: j.client, server: j.server, control: j.control, taken: j.taken, session: f };
}
