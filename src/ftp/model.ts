/**
 * The FTP stage's records (docs/design.md §3, §4): what a session's control channel said, and what the
 * correlator and diagnosis made of its data connections. Names and string values are the report
 * contract: they appear verbatim in JSON, NDJSON and XML.
 */

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** Data connection mode, from the announcement that set it up (docs/design.md §3). */
export type DataMode = 'active' | 'passive' | 'extended-active' | 'extended-passive' | 'long-active' | 'long-passive' | 'unknown';
export type SessionMode = Exclude<DataMode, 'unknown'> | 'mixed' | 'none' | 'unknown';
export type Initiator = 'client' | 'server';
export type Outcome = 'completed' | 'no-answer' | 'refused' | 'not-attempted' | 'reset' | 'aborted' | 'truncated' | 'failed' | 'unused' | 'incomplete';
export type TransferDirection = 'download' | 'upload' | 'listing';
export type Severity = 'info' | 'warning' | 'error';
export type LoginOutcome = 'success' | 'failed' | 'none' | 'unknown';
export type CapturePoint = 'near-client' | 'near-server' | 'unknown';

export const OUTCOMES: readonly Outcome[] = ['completed', 'no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed', 'unused', 'incomplete'];
/** The outcomes of a failed or blocked data connection (each raises a finding). */
export const FAILED_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed']);
export const DATA_MODES: readonly DataMode[] = ['active', 'passive', 'extended-active', 'extended-passive', 'long-active', 'long-passive', 'unknown'];

export type FindingCode =
  | 'data-no-answer'
  | 'data-refused'
  | 'data-not-attempted'
  | 'data-reset'
  | 'transfer-aborted'
  | 'transfer-truncated'
  | 'transfer-failed'
  | 'pasv-address-mismatch'
  | 'port-address-mismatch'
  | 'ftp-bounce'
  | 'privileged-data-port'
  | 'active-source-port'
  | 'cleartext-credentials'
  | 'login-failed'
  | 'brute-force'
  | 'anonymous-login'
  | 'control-encrypted'
  | 'control-refused'
  | 'capture-gap'
  | 'unmatched-data-connection'
  | 'one-sided-capture';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly message: string;
  readonly frames: readonly number[];
  /** The data connection it concerns, when it concerns one. */
  readonly dataConnection?: number;
}

/** Time as capture seconds + nanoseconds (exact), with a float for comparisons. */
export interface Instant {
  readonly sec: number;
  readonly nsec: number;
}

export function instantValue(i: Instant): number {
  return i.sec + i.nsec / 1e9;
}

/** One data connection of a session, as the report shows it (docs/design.md §4). */
export interface DataConnectionReport {
  id: number;
  mode: DataMode;
  initiator: Initiator;
  announced: { command: string; ip: string | null; port: number; frame: number; replyCode: number | null } | null;
  from: Endpoint | null;
  to: Endpoint | null;
  /** The TCP connection's state and history (Zeek-like), when one was seen. */
  tcp: {
    state: string;
    history: string;
    synFrame: number | null;
    synRetransmits: number;
    synAckFrame: number | null;
    rstFrame: number | null;
    firstFrame: number;
    lastFrame: number;
    start: string;
    end: string;
    /** Only when the capture holds one direction of this connection alone: the side (of the
     * control session) whose segments it holds; the outcome is read from what that side proves. */
    capturedSide?: 'client' | 'server';
    /** Only with a timeline (`--format html`, `--ladder`): the handshake and teardown packets in
     * time order, each from the side (of the control session) that sent it. */
    events?: TcpEvent[];
  } | null;
  command: string | null;
  argument: string | null;
  path: string | null;
  direction: TransferDirection | null;
  bytes: number | null;
  expectedBytes: number | null;
  missedBytes: number;
  replies: number[];
  replyText: string | null;
  outcome: Outcome;
  firewallRule: string;
  diagnosis: string;
  /** A Wireshark display filter selecting this connection's packets (src/ftp/wireshark.ts); null
   * when neither a connection nor an endpoint to expect one at is known. */
  wiresharkFilter: string | null;
  /** Only when an ICMP/ICMPv6 destination unreachable quoted one of the connection's segments:
   * the device that rejected it (nftables/iptables `reject`, a router), the message's type and
   * code, the code in words ("administratively prohibited") and its frame. */
  rejectedBy?: RejectedBy;
  /** Only with `analyze --at`: where its packets went between the capture points, the verdict
   * and the sentence of the report's `comparison` section (src/report/comparison.ts). */
  acrossPoints?: { path: string; sentence: string };
  /** Only with `--hash`, `--extract` or `--listings`: what the transfer carried (null when the
   * connection carried no transfer, or its bytes were not followed). */
  file?: FileReport | null;
}

/** Why a transfer's bytes are not the whole file: the capture missed bytes (a hole, or the
 * connection was picked up mid-stream: no hash), fewer bytes than announced, or no 2xx final reply
 * (aborted, reset, failed, the capture ended: the data connection's `outcome` says which). */
export type FileIncomplete = 'capture-gap' | 'short' | 'not-confirmed';

/** The payload of one transfer, in the transfer's direction. */
export interface FileReport {
  /** `file` (RETR, STOR, APPE, STOU) or `listing` (LIST, NLST, MLSD). */
  kind: 'file' | 'listing';
  /** Bytes that arrived, in order (the bytes the capture missed are not counted). */
  size: number;
  /** SHA-256 (hex) of those bytes, as they crossed the network (TYPE A: CRLF line ends); null
   * when the capture missed bytes inside or before them: no file has that hash. */
  sha256: string | null;
  /** Where in the remote file the bytes start (REST). */
  offset: number;
  complete: boolean;
  /** Null when complete. */
  incomplete: FileIncomplete | null;
  /** Bytes in holes the capture missed. */
  missedBytes: number;
  /** With `--extract`: the name written in the folder (null: not written; see the manifest). */
  extracted?: string | null;
  /** With `--listings`, for a listing: the entries parsed (LIST, MLSD) or the names (NLST). */
  listing?: ListingReport;
}

export interface ListingEntry {
  name: string;
  type: 'file' | 'dir' | 'link' | 'other' | null;
  size: number | null;
  /** MLSD `modify` as ISO 8601 UTC; LIST's date text as the server wrote it. */
  modified: string | null;
  /** MLSD `perm` or the LIST mode string (`-rw-r--r--`). */
  perm: string | null;
}

export interface ListingReport {
  format: 'mlsd' | 'unix' | 'dos' | 'names';
  entries: ListingEntry[];
  /** Entries past LISTING_MAX_ENTRIES, and lines that could not be read (too long, unknown). */
  dropped: number;
  unparsed: number;
}

/** A data connection's TCP event, for ladder diagrams: the first SYN, its retransmissions (listed
 * up to TCP_MAX_SYN_RETRANSMIT_FRAMES), the SYN-ACK, each direction's first FIN and RST. */
export interface TcpEvent {
  /** `icmp-unreachable`: an ICMP/ICMPv6 destination unreachable quoting the connection, sent by
   * a device between the two sides (or the far side itself) back to the segment's sender. */
  kind: 'syn' | 'syn-retransmit' | 'syn-ack' | 'fin' | 'rst' | 'icmp-unreachable';
  /** The session side that sent it (the initiator sends the SYNs); for `icmp-unreachable`, the
   * side it travelled from (the far side of the quoted segment's sender). */
  from: Initiator;
  frame: number;
  time: string;
  /** icmp-unreachable only: the rejecting device's address and the code in words. */
  by?: string;
  reason?: string;
}

/** One command or reply of the control channel, in arrival order (`--format html`, `--ladder`). */
export interface TimelineEntry {
  time: string;
  frame: number;
  from: Initiator;
  /** The command line (password redacted unless --show-passwords) or the reply (`226 Done`,
   * lines of a multi-line reply joined by \n), cut at MAX_TIMELINE_TEXT_CHARS. */
  text: string;
  /** The reply code (replies only). */
  code?: number;
}

export interface SessionTimeline {
  entries: TimelineEntry[];
  /** Entries left out between the first and the last ones (MAX_TIMELINE_ENTRIES); they were
   * after entries[droppedAfter - 1]. */
  dropped: number;
  droppedAfter: number;
}

/** What the summary, the filters and the brute-force count read of a session: a merge of shards
 * (src/scale/merge.ts) parses only this when the report's text can be copied as it is. */
export interface SessionFacts {
  id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly user: string | null;
  readonly dataConnections: readonly Pick<DataConnectionReport, 'outcome' | 'mode'>[];
  readonly findings: readonly Pick<Finding, 'code' | 'severity' | 'frames'>[];
}

/** The facts of a report, as a shard writes them next to it (login-failed frames only: the one
 * finding whose frames a count across sessions lists). */
export function factsOf(s: SessionReport): SessionFacts {
  return {
    id: s.id,
    client: s.client,
    server: s.server,
    user: s.user,
    dataConnections: s.dataConnections.map((d) => ({ outcome: d.outcome, mode: d.mode })),
    findings: s.findings.map((f) => ({ code: f.code, severity: f.severity, frames: f.code === 'login-failed' ? f.frames : [] })),
  };
}

export interface SessionReport {
  id: number;
  client: Endpoint;
  server: Endpoint;
  start: string;
  end: string;
  banner: string | null;
  user: string | null;
  password: string | null;
  login: LoginOutcome;
  loginAttempts: number;
  tls: boolean;
  mode: SessionMode;
  /** The capture saw the start of the control connection (its SYN or the banner). */
  midStream: boolean;
  /** Where the capture was taken, from the control connection's handshake timing: near the client
   * (SYN→SYN-ACK is the round trip, SYN-ACK→ACK ~0), near the server (the reverse), or unknown. */
  capturePoint: CapturePoint;
  commands: number;
  controlState: string;
  dataConnections: DataConnectionReport[];
  findings: Finding[];
  /** A Wireshark display filter selecting the session's packets: control and data connections. */
  wiresharkFilter: string;
  /** Only when asked for (`--format html`, `--ladder`): the control channel's commands and replies. */
  timeline?: SessionTimeline;
  /** Only with `--evidence DIR`: the name (in DIR) of the capture file holding this session's frames. */
  evidence?: string;
}

/** The ICMP message that rejected a data connection (DataConnectionReport.rejectedBy). */
export interface RejectedBy {
  ip: string;
  protocol: 'icmp' | 'icmpv6';
  type: number;
  code: number;
  reason: string;
  frame: number;
}
