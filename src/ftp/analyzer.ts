/**
 * The FTP stage's entry (DESIGN.md §2.4): it listens to the TCP tracker's events, follows control
 * connections (port 21, --ports, or any port whose server spoke first with a 220 banner and whose
 * client then sent an FTP command), keeps the connections that touch an FTP host as correlation
 * candidates, and finalizes each session — correlation, diagnosis, report — once its control
 * connection is gone and FINALIZE_GRACE_SEC of capture time has passed, handing the report on at
 * once. Memory therefore follows the sessions open at a time, not the length of the capture.
 *
 * Driving it: `const a = new FtpAnalyzer(opts, onSession); const t = new TcpTracker({ events:
 * a.events }); a.bind(t)`; for each TCP packet `a.advance(p.tsSec)` then `t.packet(p)`; at the end
 * `t.finish()` then `a.finish()`. Reports come out in session start order (a bounded reorder buffer).
 */
import type { Connection, ConnectionSummary, Direction, DirectionSummary, SegmentInfo, StreamSink, TcpEvents, TcpTracker } from '../tcp/index.js';
import { isoTimeNs } from '../tcp/index.js';
import { CORRELATE_AFTER_SEC, CORRELATE_BEFORE_SEC, MAX_SHARD_FTP_HOSTS, FINALIZE_GRACE_SEC, MAX_CORRELATE_RIVALS, MAX_DATA_CANDIDATES, MAX_SPECULATIVE_CANDIDATES, MAX_REPORT_FIELD_CHARS, MESSAGE_USER_CHARS, MAX_FINDINGS_PER_CODE } from '../limits.js';
import { ControlSink, newControlCounters, type ControlCounters } from './control.js';
import { endOf, endpointKey, expectationsOf, inWindow, isActiveKind, pairKey, rank, startOf, targetsOf, type Expectation, type Match } from './correlate.js';
import { capturePointOf, controlAckOf, encryptedMessage, rejectedByOf, diagnosis, finding, firewallRule, outcomeFinding, outcomeOf, type ControlSeen, type DataFacts } from './diagnose.js';
import { isPrivateAddress } from './announce.js';
import type { CapturePoint, DataConnectionReport, DataMode, Endpoint, Finding, SessionMode, SessionReport, SessionTimeline, TcpEvent, TimelineEntry } from './model.js';
import { FtpSession, TimelineLog, halfModeOf, type AnnouncementRec, type HalfAnnouncement, type TransferRec } from './session.js';
import { detach, redactCommand } from './commands.js';
import type { CaptureTime } from '../tcp/index.js';
import type { Packet } from '../decode/index.js';
import { TcpFlag } from '../decode/index.js';
import { formatIp } from '../decode/address.js';
import { TimeIndex } from './timeindex.js';
import { dataFilter, sessionFilter } from './wireshark.js';
import { DataPayload, type PayloadOptions, type PayloadResult, type SpoolTarget } from './payload.js';
import type { Extractor, ManifestEntry } from './extract.js';
import type { FileReport } from './model.js';
import { SessionPressure, type SessionBounds } from './pressure.js';
import { ContestedTargets, ForeignTargets } from './foreign.js';

export interface AnalyzerOptions {
  /** Control ports besides 21. */
  ports?: readonly number[];
  showPasswords?: boolean;
  /** Failed logins from one client that make a brute-force finding (default BRUTE_FORCE_FAILURES). */
  bruteForce?: number;
  /** Record each session's commands and replies and its data connections' TCP event times
   * (`timeline`, `tcp.events`: for `--format html` and `--ladder`); off, nothing is kept. */
  timeline?: boolean;
  /** Set when this analyzer sees one shard of the traffic (`--shard`, `--jobs`): see ShardHooks. */
  shard?: ShardHooks;
  /** Follow every candidate data connection's bytes into a SHA-256 and report each transfer's
   * `file` (`--hash`; implied by `extract` and `listings`). Off, data bytes are only counted. */
  hash?: boolean;
  /** Parse listings into entries (`--listings`). */
  listings?: boolean;
  /** Write transferred files out (`--extract DIR`). The caller begins and finishes it. */
  extract?: Extractor | null;
  /** Sessions held at once (src/ftp/pressure.ts; default MAX_SESSIONS_HELD, MAX_SESSIONS_IN_GRACE). */
  sessionBounds?: SessionBounds;
}

/** SHA-256 of no bytes: a transfer that carried none (an empty file) has it. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A file transfer waiting for its session id to be written out (flushReady). */
interface PendingFile {
  readonly report: FileReport;
  readonly spool: SpoolTarget | null;
  readonly entry: Omit<ManifestEntry, 'name' | 'writtenBytes' | 'cut' | 'session'>;
}

/**
 * A shard (src/scale/) sees the connections of its host pairs only. A data connection between
 * other hosts than its control connection's (a 227 naming a private address behind NAT, PORT from
 * behind a client NAT, a bounce to a third host) may then be in another shard: the sessions that
 * could be missing one leave as `pending` instead of a report, and the connections no session here
 * took that could be another shard's leave as `orphan`s. The merge replays both (`replay*`).
 */
export interface ShardHooks {
  pending(p: PendingSession): void;
  orphan(c: ConnectionSummary): void;
}

/** A finalized session whose report waits for the merge: its control channel as parsed, its
 * control connection, and the connections it took in its shard. */
export interface PendingSession {
  readonly start: number;
  readonly end: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly control: ConnectionSummary;
  readonly session: FtpSession;
  readonly taken: ConnectionSummary[];
  /** The frame during which it was finalized (its place in the report: flushReady). */
  readonly batch: number;
}

/** What the analyzer reads of a control channel: the live ControlSink, or a session restored by a
 * merge (ReplayedControl). */
interface ControlState {
  readonly session: FtpSession;
  readonly confirmed: boolean;
  end(): void;
  dispose(): void;
  /** Everything that is known is applied (a replayed session's remaining announcements). */
  settle?(): void;
}

/** One control connection followed as FTP. */
interface Session {
  readonly connId: number;
  readonly sink: ControlState;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly start: number;
  /** The live control connection (until the tracker removes it: Connections are recycled). */
  conn: Connection | null;
  /** Set when the control connection left the tracker. */
  summary: ConnectionSummary | null;
  /** When it closed (FINs both ways), was reset, or left the tracker; Infinity while open. */
  end: number;
  /** Hosts this session keeps in the candidate filter (released at finalization). */
  readonly hosts: string[];
  /** Its announcements' entries in the target index. */
  readonly targets: { key: string; entry: TargetEntry }[];
  finalized: boolean;
  capturePoint: CapturePoint;
  /** The sides of the control connection the capture holds (set at finalization). */
  controlSeen: ControlSeen;
  /** Expectations as last computed, valid while the announcement count and end are unchanged. */
  cache: { n: number; end: number; map: Map<AnnouncementRec, Expectation> } | null;
}

interface TargetEntry {
  readonly session: Session;
  readonly announcement: AnnouncementRec;
  readonly fallback: boolean;
  /** The announcement's capture time (TimeIndex order). */
  readonly time: number;
  dead: boolean;
}

export interface AnalyzerCounters {
  controlConnections: number;
  /** 220 speakers whose client never sent an FTP command (SMTP and the like): not reported. */
  unconfirmedControl: number;
  candidates: number;
  candidatesDropped: number;
  /** Findings folded into a summary finding past MAX_FINDINGS_PER_CODE in one session. */
  findingsFolded: number;
  /** Connections matched (or left unmatched) without weighing every announcement naming their
   * endpoint: the walk stopped at MAX_CORRELATE_RIVALS with more left. */
  rivalsCut: number;
  /** Listing entries past LISTING_MAX_ENTRIES (`--listings`). */
  listingEntriesDropped: number;
  /** Sessions finalized before their grace at MAX_SESSIONS_HELD / MAX_SESSIONS_IN_GRACE. */
  sessionsFinalizedEarly: number;
}

export type { CrossFinding } from './bruteforce.js';

/** The batch of the sessions finalized when the capture ends (after every frame number). */
export const END_OF_CAPTURE = Number.MAX_SAFE_INTEGER;
/** The batch of the byte-less sessions the tracker's finish() lets go, before END_OF_CAPTURE: the
 * tracker removes connections in the order they began, so this batch is written in chunks (a SYN
 * flood leaves 32,768 of them; held whole they were 50 MB) and still comes out in start order. */
const CLOSING_BATCH = END_OF_CAPTURE - 1;
const CLOSING_CHUNK = 512;

/** A connection as the correlator sees it: a final summary, or a live connection summarised on demand. */
interface Candidate {
  readonly id: number;
  readonly start: number;
  /** = start (TimeIndex order). */
  readonly time: number;
  dead: boolean;
  readonly origIp: string;
  readonly respKey: string;
  readonly pair: string;
  summary: ConnectionSummary | null;
  live: Connection | null;
  /** Added while no open session's announcement or host pair could claim it. */
  readonly speculative: boolean;
  /** Its correlation stopped at MAX_CORRELATE_RIVALS once (counted once, whichever session's
   * finalization weighed it). */
  rivalsCut: boolean;
}

export class FtpAnalyzer {
  readonly events: TcpEvents;
  readonly counters: AnalyzerCounters = { controlConnections: 0, unconfirmedControl: 0, candidates: 0, candidatesDropped: 0, findingsFolded: 0, rivalsCut: 0, listingEntriesDropped: 0, sessionsFinalizedEarly: 0 };
  /** Lines, replies, commands and announcements the control channels dropped at their bounds. */
  readonly control: ControlCounters = newControlCounters();
  private tracker: TcpTracker | null = null;
  private readonly ports: Set<number>;
  /** Sessions not finalized yet, by control connection id. */
  private readonly sessions = new Map<number, Session>();
  /** Reference counts of the addresses that make a connection a candidate. */
  private readonly hosts = new Map<string, number>();
  /** Candidates by id, by responder endpoint and by host pair (the host-pair index, DESIGN.md §2.4). */
  private readonly candidates = new Map<number, Candidate>();
  private readonly byResp = new TimeIndex<Candidate>();
  private readonly byPair = new TimeIndex<Candidate>();
  /** Announcements of unfinalized sessions by the endpoint they name. */
  private readonly byTarget = new TimeIndex<TargetEntry>();
  /** Unfinalized sessions by host pair (concurrent sessions between the same two hosts). */
  private readonly sessionsByPair = new Map<string, Set<Session>>();
  private readonly used = new Set<number>();
  /** Candidate count and capture time of the next and last stale-candidate sweep (addCandidate). */
  private staleAt = 1024;
  /** Candidates held that were speculative when added (MAX_SPECULATIVE_CANDIDATES). */
  private speculative = 0;
  private staleClock = -Infinity;
  private clock = -Infinity;
  private nextSweep = -Infinity;
  /** Reports of the sessions finalized while the current packet was processed (flushReady). */
  private readonly ready: { report: SessionReport; start: number; files: PendingFile[] }[] = [];
  /** With --hash: how candidate data connections' bytes are followed (null: only counted). */
  private readonly payloadOpts: PayloadOptions | null;
  /** Payloads of candidate connections, by connection id, until their session's report. */
  private readonly payloads = new Map<number, DataPayload>();
  /** Files of the session being reported, waiting for its id (finalize → flushReady). */
  private files: PendingFile[] = [];
  /** The frame number of the packet being processed (END_OF_CAPTURE at the end of the capture). */
  private batch = 0;
  private nextId = 1;
  /** Shard mode: the addresses of every FTP control connection seen, this shard's or not (orphans
   * touch one), and whether that set overflowed (then every untaken connection is an orphan). */
  private readonly ftpHosts = new Set<string>();
  private readonly ftpHosts4 = new Set<number>();
  private ftpHostsFull = false;
  /** Shard mode: control connections finalized while still in the tracker (not orphans). */
  private readonly finalizedControl = new Set<number>();
  /** Replay: sessions by their merge key, and the next synthetic ids. */
  private readonly replayed = new Map<number, Session>();
  private replayIds = 0;
  /** The bound on sessions held at once. */
  private readonly pressure: SessionPressure<Session>;
  /** Shard mode: endpoints other shards' sessions announced. */
  private readonly foreignTargets = new ForeignTargets((ip) => this.noteFtpHost(ip));
  /** Shard mode: this shard's announced endpoints that other shards' connections touched. */
  private readonly contestedTargets = new ContestedTargets();

  constructor(
    private readonly opts: AnalyzerOptions = {},
    private readonly onSession: (s: SessionReport, start: number, batch: number) => void = () => undefined,
  ) {
    // 990: implicit FTPS (IANA "ftps"), recognised by its TLS handshake (control.ts).
    this.ports = new Set([21, 990, ...(opts.ports ?? [])]);
    this.pressure = new SessionPressure(opts.sessionBounds);
    const extract = opts.extract ?? null;
    this.payloadOpts = opts.hash || opts.listings || extract ? { listings: opts.listings === true, spool: extract ? () => extract.spool() : null } : null;
    this.events = {
      opened: (c) => this.opened(c),
      inspect: (c, dir, first) => this.inspect(c, dir, first),
      removed: (s) => this.removed(s),
      closed: (c) => this.ended(c),
      reset: (c) => this.ended(c),
    };
  }

  bind(tracker: TcpTracker): void {
    this.tracker = tracker;
  }

  /** The capture clock (seconds) and the frame being processed: called for every TCP packet before
   * the tracker sees it. Cheap when nothing is due. */
  advance(sec: number, frame = this.batch): void {
    if (this.ready.length !== 0) this.flushReady();
    this.batch = frame;
    this.clock = sec;
    for (let v = this.pressure.victim(); v !== null; v = this.pressure.victim()) this.finalizeEarly(v);
    if (sec < this.nextSweep) return;
    this.nextSweep = sec + 1;
    this.sweep(false);
  }

  /** The capture has ended: call before the tracker's finish(), whose removals finalize sessions
   * of the end-of-capture batch. */
  closing(): void {
    this.flushReady();
    this.batch = CLOSING_BATCH;
  }

  /** End of capture (after the tracker's finish()): every session is finalized. */
  finish(): void {
    this.batch = END_OF_CAPTURE;
    this.sweep(true);
    this.flushReady();
    if (this.opts.shard) for (const c of [...this.candidates.values()]) this.dropCandidate(c, true);
    // Connections no session claimed: their spools go.
    for (const p of this.payloads.values()) this.dropPayload(p);
    this.payloads.clear();
  }

  // --- detection

  private hold(ip: string, s: Session): void {
    s.hosts.push(ip);
    this.hosts.set(ip, (this.hosts.get(ip) ?? 0) + 1);
  }

  private follow(c: Connection | ConnectionSummary, clientDir: Direction, confirmed: boolean, start = this.clock): ControlSink {
    const [o, r] = 'origIp' in c ? [{ ip: c.origIp, port: c.origPort }, { ip: c.respIp, port: c.respPort }] : [c.orig, c.resp];
    const client = clientDir === 0 ? o : r;
    const server = clientDir === 0 ? r : o;
    let session: Session | null = null;
    const sink = new ControlSink(clientDir, confirmed, (a) => session && this.announced(session, a), this.control);
    if (this.opts.timeline) sink.session.timeline = new TimelineLog();
    // A Connection's own start is not exposed; the capture clock is when it was seen first.
    const s: Session = { connId: c.id, sink, client, server, start, conn: 'origIp' in c ? c : null, summary: null, end: Infinity, hosts: [], targets: [], finalized: false, capturePoint: 'unknown', controlSeen: 'both', cache: null };
    session = s;
    this.sessions.set(c.id, s);
    this.pressure.add(s);
    const pk = pairKey(client.ip, server.ip);
    let ps = this.sessionsByPair.get(pk);
    if (!ps) this.sessionsByPair.set(pk, (ps = new Set()));
    ps.add(s);
    this.hold(client.ip, s);
    this.hold(server.ip, s);
    this.counters.controlConnections++;
    if (this.opts.shard) {
      this.noteFtpHost(client.ip);
      this.noteFtpHost(server.ip);
    }
    return sink;
  }

  // --- shards (src/scale/)

  private noteFtpHost(ip: string): void {
    if (this.ftpHosts.has(ip) || this.ftpHostsFull) return;
    if (this.ftpHosts.size >= MAX_SHARD_FTP_HOSTS) this.ftpHostsFull = true;
    else this.ftpHosts.add(ip);
  }

  /**
   * A TCP packet of another shard: only its FTP hosts matter here, so that connections to them are
   * kept as orphans. A segment to or from a control port (a session picked up mid-stream has no
   * SYN) or one that starts like a 220 greeting is enough — a superset of the sessions: an SMTP
   * greeting adds hosts too, which costs orphans, not answers.
   */
  foreign(p: Packet): void {
    this.contestedTargets.note(p, (key) => this.byTarget.has(key));
    const port = this.ports.has(p.dstPort) || this.ports.has(p.srcPort);
    const b = p.buf;
    const o = p.payloadOff;
    if (!port && !(p.payloadLength >= 4 && b[o] === 0x32 && b[o + 1] === 0x32 && b[o + 2] === 0x30 && (b[o + 3] === 0x20 || b[o + 3] === 0x2d))) return;
    if (port) this.foreignTargets.note(p);
    // IPv4 pairs already noted are skipped by number: a flood to port 21 must not format an
    // address per packet.
    if (p.ipVersion === 4) {
      const known = this.ftpHosts4.has(p.src4) && this.ftpHosts4.has(p.dst4);
      if (known) return;
      if (this.ftpHosts4.size < MAX_SHARD_FTP_HOSTS) {
        this.ftpHosts4.add(p.src4);
        this.ftpHosts4.add(p.dst4);
      }
    }
    this.noteFtpHost(formatIp(p.src));
    this.noteFtpHost(formatIp(p.dst));
  }

  private isOrphan(origIp: string, respIp: string): boolean {
    return this.ftpHostsFull || this.ftpHosts.has(origIp) || this.ftpHosts.has(respIp);
  }

  private opened(c: Connection): void {
    // By port: the responder listens on a control port; a connection picked up mid-stream may
    // have its originator guessed the wrong way round, so the originator's port counts too.
    // The session is made at its first byte (or, for one that never carries any, when it leaves
    // the tracker): a SYN flood to port 21 costs a small proxy per attempt, not a session each.
    if (this.ports.has(c.respPort)) this.tracker?.attach(c, this.deferred(c, 0));
    else if (c.midStream && this.ports.has(c.origPort)) this.tracker?.attach(c, this.deferred(c, 1));
    else if (this.hosts.has(c.origIp) || this.hosts.has(c.respIp)) this.addCandidate(c);
  }

  private inspect(c: Connection, dir: Direction, first: Buffer): StreamSink | null {
    if (this.sessions.has(c.id)) return null;
    // Any port, by content: the listener speaks first with a 220 reply (RFC 959 §5.4: the
    // connection greeting); the client must then send an FTP command to confirm it.
    if (first.length >= 4 && first[0] === 0x32 && first[1] === 0x32 && first[2] === 0x30 && (first[3] === 0x20 || first[3] === 0x2d)) {
      const cand = this.candidates.get(c.id);
      if (cand) this.dropCandidate(cand);
      return this.follow(c, dir === 1 ? 0 : 1, false);
    }
    // --hash: a candidate data connection's bytes from its first one on (a SYN flood carries none
    // and costs nothing).
    if (this.payloadOpts !== null && this.candidates.has(c.id)) {
      const p = new DataPayload(this.payloadOpts, c.midStream);
      this.payloads.set(c.id, p);
      return p;
    }
    return null;
  }

  private dropPayload(p: DataPayload): void {
    const { others } = p.take(null);
    for (const t of others) this.opts.extract?.discard(t);
  }

  /** A new announcement: its target goes into the index, its address into the host filter. */
  private announced(s: Session, a: AnnouncementRec): void {
    const { target, fallback } = targetsOf(a, s.client, s.server);
    const time = a.at.sec + a.at.nsec / 1e9;
    const add = (e: Endpoint, isFallback: boolean) => {
      const key = endpointKey(e.ip, e.port);
      const entry: TargetEntry = { session: s, announcement: a, fallback: isFallback, time, dead: false };
      this.byTarget.add(key, entry);
      s.targets.push({ key, entry });
      if (this.opts.shard) this.contestedTargets.announce(e.port);
    };
    add(target, false);
    if (fallback) add(fallback, true);
    if (this.opts.shard) this.noteFtpHost(target.ip);
    if (!s.hosts.includes(target.ip)) this.hold(target.ip, s);
  }

  // --- candidates

  private addCandidate(c: Connection): void {
    // A flood of connections to an FTP host (a SYN flood while a session is open) must not keep
    // them all: now and then (amortised O(1); at a cap once a capture second) those no session
    // can claim any more leave.
    const n = this.candidates.size;
    const full = n >= MAX_DATA_CANDIDATES || this.speculative >= MAX_SPECULATIVE_CANDIDATES;
    if ((n >= this.staleAt && !full) || (full && this.clock >= this.staleClock + 1)) {
      this.pruneStale();
      this.staleClock = this.clock;
      this.staleAt = Math.max(1024, this.candidates.size * 2);
    }
    const respKey = endpointKey(c.respIp, c.respPort);
    const pair = pairKey(c.origIp, c.respIp);
    // Speculative: only an announcement still to come (a reordered 227) could claim it.
    const speculative = !this.sessionsByPair.has(pair) && !this.byTarget.has(respKey);
    if (this.candidates.size >= MAX_DATA_CANDIDATES || (speculative && this.speculative >= MAX_SPECULATIVE_CANDIDATES)) {
      this.counters.candidatesDropped++;
      return;
    }
    const cand: Candidate = { id: c.id, start: this.clock, time: this.clock, dead: false, origIp: c.origIp, respKey, pair, summary: null, live: c, speculative, rivalsCut: false };
    if (speculative) this.speculative++;
    this.counters.candidates++;
    this.candidates.set(c.id, cand);
    this.byResp.add(cand.respKey, cand);
    this.byPair.add(cand.pair, cand);
  }

  /** Drops candidates no session can claim: started before any future announcement's window
   * (CORRELATE_BEFORE_SEC), named by no announcement of an open session, and not between the hosts
   * of an open session (leftovers). */
  private pruneStale(): void {
    const limit = this.clock - CORRELATE_BEFORE_SEC - 1;
    for (const c of this.candidates.values()) {
      if (c.start < limit && !this.sessionsByPair.has(c.pair) && !this.byTarget.has(c.respKey)) this.dropCandidate(c, true);
    }
  }

  private dropCandidate(cand: Candidate, orphan = false): void {
    // A shard's connection that no session here took may be another shard's data connection.
    if (orphan && this.opts.shard && !this.used.has(cand.id) && this.candidates.has(cand.id)) this.opts.shard.orphan(this.summaryOf(cand));
    if (cand.speculative && this.candidates.has(cand.id)) this.speculative--;
    this.candidates.delete(cand.id);
    this.byResp.kill(cand.respKey, cand);
    this.byPair.kill(cand.pair, cand);
    this.used.delete(cand.id);
    const p = this.payloads.get(cand.id);
    if (p !== undefined) {
      this.payloads.delete(cand.id);
      this.dropPayload(p);
    }
  }

  /** A control connection closed or was reset: its session is finalized FINALIZE_GRACE_SEC later
   * (a reply after a RST still arrives: vsftpd's 226 after lftp's RST). */
  private ended(c: Connection): void {
    const s = this.sessions.get(c.id);
    if (s && s.end === Infinity) {
      s.end = this.clock;
      this.pressure.ended(s);
    }
  }

  /** A control connection by port whose session starts with its first byte or gap. */
  private deferred(c: Connection, clientDir: Direction): StreamSink {
    return new DeferredControl((start) => this.follow(c, clientDir, true, start), this.clock);
  }

  private removed(s: ConnectionSummary): void {
    if (s.followed && s.origSent.bytes === 0 && s.respSent.bytes === 0 && !this.sessions.has(s.id) && !this.candidates.has(s.id)) {
      // A control connection by port that never carried a byte: its session now, finalized below.
      if (this.ports.has(s.resp.port)) this.follow(s, 0, true, startOf(s));
      else if (s.midStream && this.ports.has(s.orig.port)) this.follow(s, 1, true, startOf(s));
    }
    const session = this.sessions.get(s.id);
    if (session) {
      session.summary = s;
      session.conn = null;
      if (session.end === Infinity) session.end = endOf(s);
      this.pressure.ended(session);
      session.sink.end();
      // It never carried a byte (a SYN flood to port 21, a scan): nothing can come for it any
      // more, so it is finalized now rather than FINALIZE_GRACE_SEC later — a flood must not pile
      // up 100,000s of sessions waiting for their grace.
      if (s.origSent.bytes === 0 && s.respSent.bytes === 0 && !session.finalized) {
        this.finalize(session);
        if (this.batch === CLOSING_BATCH && this.ready.length >= CLOSING_CHUNK) this.flushReady();
      }
      return;
    }
    const cand = this.candidates.get(s.id);
    if (!cand) {
      if (this.opts.shard && !this.finalizedControl.delete(s.id) && this.isOrphan(s.orig.ip, s.resp.ip)) this.opts.shard.orphan(s);
      return;
    }
    // The Connection object is recycled after this event: keep the final summary only.
    cand.summary = s;
    cand.live = null;
  }

  private summaryOf(c: Candidate): ConnectionSummary {
    if (c.summary) return c.summary;
    // Still open at finalization (a data connection outliving its control connection): its state now.
    return (c.live as Connection).summary();
  }

  // --- replay (a merge of shards, src/scale/merge.ts): pending sessions and orphans as events in
  // capture order, with advance() between them, as the capture would have fed them.

  /** A pending session's control connection starts; `key` names it in the calls that follow. */
  replayStart(key: number, p: PendingSession): void {
    const sink = new ReplayedControl(p.session);
    const s: Session = { connId: -++this.replayIds, sink, client: p.client, server: p.server, start: p.start, conn: null, summary: p.control, end: Infinity, hosts: [], targets: [], finalized: false, capturePoint: 'unknown', controlSeen: 'both', cache: null };
    this.replayed.set(key, s);
    this.sessions.set(s.connId, s);
    this.pressure.add(s);
    const pk = pairKey(p.client.ip, p.server.ip);
    let ps = this.sessionsByPair.get(pk);
    if (!ps) this.sessionsByPair.set(pk, (ps = new Set()));
    ps.add(s);
    this.hold(p.client.ip, s);
    this.hold(p.server.ip, s);
    this.counters.controlConnections++;
  }

  /** The pending session's next announcement is made. */
  replayAnnouncement(key: number): void {
    const s = this.replayed.get(key);
    if (!s || s.finalized) return;
    const a = (s.sink as ReplayedControl).reveal();
    if (a) this.announced(s, a);
  }

  /** Its control connection ends (closed, reset or gone). */
  replayEnd(key: number, end: number): void {
    const s = this.replayed.get(key);
    if (s && s.end === Infinity) {
      s.end = end;
      this.pressure.ended(s);
    }
  }

  /** A connection some shard kept (taken by a pending session, or an orphan), as it ended. */
  replayConnection(c: ConnectionSummary): void {
    const respKey = endpointKey(c.resp.ip, c.resp.port);
    const pair = pairKey(c.orig.ip, c.resp.ip);
    const id = ++this.replayIds;
    const summary = { ...c, id };
    const start = startOf(c);
    const cand: Candidate = { id, start, time: start, dead: false, origIp: c.orig.ip, respKey, pair, summary, live: null, speculative: false, rivalsCut: false };
    this.counters.candidates++;
    this.candidates.set(id, cand);
    this.byResp.add(respKey, cand);
    this.byPair.add(pair, cand);
  }

  // --- finalization

  private sweep(all: boolean): void {
    const due: Session[] = [];
    for (const s of this.sessions.values()) {
      if (s.finalized) continue;
      if (all || this.clock >= s.end + FINALIZE_GRACE_SEC) due.push(s);
    }
    if (due.length === 0) return;
    due.sort((a, b) => a.start - b.start || a.connId - b.connId);
    for (const s of due) this.finalize(s);
    this.prune();
  }

  /** The start (capture seconds) of the oldest session not finalized yet, Infinity when none: a
   * connection that began CORRELATE_BEFORE_SEC before it can be claimed by no session (`prune`). */
  oldestOpen(): number {
    let oldest = Infinity;
    for (const s of this.sessions.values()) if (!s.finalized && s.start < oldest) oldest = s.start;
    return oldest;
  }

  /** Candidates no open session can claim any more leave memory. */
  private prune(): void {
    let oldest = Infinity;
    for (const s of this.sessions.values()) if (!s.finalized && s.start < oldest) oldest = s.start;
    const limit = oldest - CORRELATE_BEFORE_SEC - 1;
    for (const c of this.candidates.values()) {
      if (c.summary !== null && (c.start < limit || this.used.has(c.id))) this.dropCandidate(c, true);
    }
  }

  /** A session finalized at a bound of SessionPressure, before its grace (counted). */
  private finalizeEarly(s: Session): void {
    this.counters.sessionsFinalizedEarly++;
    if (s.end === Infinity) s.end = this.clock;
    this.finalize(s);
  }

  private finalize(s: Session): void {
    s.finalized = true;
    this.sessions.delete(s.connId);
    this.pressure.gone(s);
    // Its control connection may stay in the tracker a while (TCP_CLOSED_TIMEOUT_SEC): it is no
    // longer followed, so that it holds no buffers for a session that is gone.
    if (s.conn) this.tracker?.detach(s.conn);
    if (this.opts.shard && s.conn) this.finalizedControl.add(s.connId);
    s.sink.settle?.();
    // Still in the tracker (closed a moment ago): its summary as it stands.
    const summary = s.summary ?? s.conn?.summary() ?? null;
    const confirmed = s.sink.confirmed && summary !== null;
    if (!confirmed || summary === null) {
      this.counters.unconfirmedControl++;
      this.release(s);
      s.sink.dispose();
      return;
    }
    s.capturePoint = capturePointOf(summary.handshake);
    s.controlSeen = controlSeenOf(summary, s.client);
    s.summary = summary;
    const end = s.end;
    const expectations = expectationsOf(s.sink.session.announcements, s.client, s.server, end);
    const retries: ConnectionSummary[] = [];
    const matches = this.correlate(s, expectations, retries);
    const leftovers = this.leftovers(s);
    this.release(s);
    const contested = (c: ConnectionSummary): boolean => this.foreignTargets.has(c.resp.ip, c.resp.port);
    const touched = s.targets.some((t) => this.contestedTargets.has(t.key));
    if (this.opts.shard && (touched || expectations.some((e) => crossShard(e, matches.get(e))) || [...matches.values()].some((m) => contested(m.conn)) || leftovers.some(contested))) {
      const taken = [...[...matches.values()].map((m) => m.conn), ...retries, ...leftovers];
      this.opts.shard.pending({ start: s.start, end, client: s.client, server: s.server, control: summary, session: s.sink.session, taken, batch: this.batch });
      s.sink.dispose();
      s.conn = null;
      return;
    }
    const report = this.report(s, summary, expectations, matches, leftovers);
    s.sink.dispose();
    s.conn = null;
    this.ready.push({ report, start: s.start, files: this.files });
    this.files = [];
  }

  private release(s: Session): void {
    for (const { key, entry } of s.targets) {
      this.byTarget.kill(key, entry);
      if (this.opts.shard) this.contestedTargets.release(Number(key.slice(key.lastIndexOf('|') + 1)));
    }
    this.sessionsByPair.get(pairKey(s.client.ip, s.server.ip))?.delete(s);
    if (this.sessionsByPair.get(pairKey(s.client.ip, s.server.ip))?.size === 0) this.sessionsByPair.delete(pairKey(s.client.ip, s.server.ip));
    for (const ip of s.hosts) {
      const n = (this.hosts.get(ip) ?? 1) - 1;
      if (n <= 0) this.hosts.delete(ip);
      else this.hosts.set(ip, n);
    }
  }

  /**
   * Matches this session's expectations with the connections that followed: each candidate
   * connection in one of its windows goes to the expectation that explains it best among every
   * open session's (`rank`); this session takes those it wins. A connection that finds only this
   * session's expectations already matched with a failed attempt (no SYN-ACK) is a retry of it.
   */
  private correlate(s: Session, expectations: Expectation[], retries: ConnectionSummary[]): Map<Expectation, Match> {
    const out = new Map<Expectation, Match>();
    const mine = new Map<AnnouncementRec, Expectation>(expectations.map((e) => [e.announcement, e]));
    const pool = new Map<number, Candidate>();
    for (const e of expectations) {
      for (const t of e.fallback ? [e.target, e.fallback] : [e.target]) {
        this.byResp.range(endpointKey(t.ip, t.port), e.from, e.to, (c) => {
          if (!this.used.has(c.id)) pool.set(c.id, c);
        });
      }
    }
    const cands = [...pool.values()].sort((a, b) => a.start - b.start || a.id - b.id);
    const expectationFor = (entry: TargetEntry): Expectation | undefined => (entry.session === s ? mine.get(entry.announcement) : this.expectations(entry.session).get(entry.announcement));
    const taken = new Set<Expectation>();
    for (const c of cands) {
      let best: { e: Expectation; fallback: boolean; r: [number, number] } | null = null;
      let retryOf: Expectation | null = null;
      const consider = (entry: TargetEntry): void => {
        const e = expectationFor(entry);
        if (!e || !inWindow(e, c.start)) return;
        if (taken.has(e)) {
          const m = out.get(e);
          if (m && entry.session === s && m.conn.synAckFrame === null && m.conn.orig.ip === c.origIp && c.start < e.next) retryOf = e;
          return;
        }
        const r = rank(e, entry.fallback, c.start, c.origIp);
        if (!best || r[0] < best.r[0] || (r[0] === best.r[0] && r[1] < best.r[1])) best = { e, fallback: entry.fallback, r };
      };
      // Announcements made before the connection, latest first: once one explains it perfectly
      // (rank 0), earlier ones are further away and later ones (a reordered reply) rank worse.
      // The bound is checked as the next entry comes, so a cut means one was left unweighed.
      let cut = false;
      let looked = 0;
      this.byTarget.before(c.respKey, c.start, (entry) => {
        if (best !== null && looked > MAX_CORRELATE_RIVALS) return (cut = true);
        consider(entry);
        if (best === null) return false;
        looked++;
        return (best as { r: [number, number] }).r[0] === 0;
      });
      if (best === null || (best as { r: [number, number] }).r[0] !== 0) {
        looked = 0;
        this.byTarget.after(c.respKey, c.start, c.start + CORRELATE_BEFORE_SEC, (entry) => {
          if (looked > MAX_CORRELATE_RIVALS) return (cut = true);
          consider(entry);
          looked++;
          return false;
        });
      }
      if (cut && !c.rivalsCut) {
        c.rivalsCut = true;
        this.counters.rivalsCut++;
      }
      const chosen = best as { e: Expectation; fallback: boolean; r: [number, number] } | null;
      if (chosen && mine.get(chosen.e.announcement) === chosen.e) {
        out.set(chosen.e, { conn: this.summaryOf(c), usedFallback: chosen.fallback, retries: 0 });
        taken.add(chosen.e);
        this.used.add(c.id);
      } else if (chosen) {
        // Another session explains it better: that session will claim it; nothing here may.
        taken.add(chosen.e);
      } else if (retryOf) {
        (out.get(retryOf) as Match).retries++;
        this.used.add(c.id);
        retries.push(this.summaryOf(c));
      }
    }
    return out;
  }

  /** Another open session's expectations (rivals in correlation), cached between its changes. */
  private expectations(o: Session): Map<AnnouncementRec, Expectation> {
    const n = o.sink.session.announcements.length;
    if (o.cache && o.cache.n === n && o.cache.end === o.end) return o.cache.map;
    const map = new Map(expectationsOf(o.sink.session.announcements, o.client, o.server, o.end).map((e) => [e.announcement, e]));
    o.cache = { n, end: o.end, map };
    return map;
  }

  /**
   * Connections between this session's two hosts that no announcement explains (all of them after
   * AUTH TLS), started while its control connection was open: this session's, unless a session
   * between the same hosts started later and was also open then (concurrent sessions).
   */
  private leftovers(s: Session): ConnectionSummary[] {
    const out: ConnectionSummary[] = [];
    const pair = pairKey(s.client.ip, s.server.ip);
    const rivals = this.sessionsByPair.get(pair);
    const w = this.byPair.window(pair, s.start, s.end + CORRELATE_AFTER_SEC);
    if (!w) return out;
    next: for (let i = w.lo; i < w.hi; i++) {
      const c = w.items[i];
      if (c.dead || this.used.has(c.id)) continue;
      // Another open session's announcement names its endpoint: that session will claim it.
      const t = this.byTarget.latest(c.respKey, c.start + CORRELATE_BEFORE_SEC);
      if (t && t.session !== s) continue;
      if (rivals) for (const o of rivals) if (o !== s && o.start > s.start && o.start <= c.start && c.start <= o.end + CORRELATE_AFTER_SEC) continue next;
      this.used.add(c.id);
      out.push(this.summaryOf(c));
    }
    return out;
  }

  /**
   * Reports leave as their sessions are finalized (as Zeek writes its logs, when a connection is
   * over), those finalized while one packet was processed sorted by start: an order that depends
   * only on the capture, so that shards (src/scale/) merge into the same report, and that holds no
   * report back behind a long session.
   */
  private flushReady(): void {
    if (this.ready.length === 0) return;
    const batch = this.batch;
    this.ready.sort((a, b) => a.start - b.start || a.report.client.port - b.report.client.port);
    for (const { report, start, files } of this.ready.splice(0)) {
      report.id = this.nextId++;
      for (const f of files) f.report.extracted = this.opts.extract?.keep(f.spool, { ...f.entry, session: report.id }) ?? null;
      this.onSession(report, start, batch);
    }
  }

  // --- the report

  private report(s: Session, ctl: ConnectionSummary, expectations: Expectation[], matches: Map<Expectation, Match>, leftovers: ConnectionSummary[]): SessionReport {
    const f = s.sink.session;
    const findings: Finding[] = [];
    const data: DataConnectionReport[] = [];

    for (const e of expectations) {
      const m = matches.get(e) ?? null;
      const a = e.announcement;
      // What was said: EPSV names no address (the control connection's server address is meant).
      const ip = a.ip ?? (isActiveKind(a.kind) ? s.client.ip : s.server.ip);
      data.push(this.dataReport(data.length + 1, a.kind, e.initiator, s, e.target, m, a.transfer, { command: a.command, ip, port: a.port, frame: a.frame, replyCode: a.replyCode }, findings));
      if (!isActiveKind(a.kind) && ip !== s.server.ip) {
        const why =
          ip === '0.0.0.0'
            ? `an unusable address (vsftpd's answer to PASV on an IPv6 control connection): clients must use the control connection's address, and old ones fail`
            : `the server is behind NAT without its public address configured (vsftpd pasv_address, pure-ftpd -P, proftpd MasqueradeAddress)`;
        findings.push(finding('pasv-address-mismatch', 'warning', `The ${a.replyCode} reply announced ${ip}:${a.port}, but the control connection goes to ${s.server.ip}: ${why}${m?.usedFallback ? '; the client ignored the announced address' : ''}.`, [a.frame], data.length));
      }
      if (isActiveKind(a.kind) && ip !== s.client.ip) {
        const bounce = ip !== s.server.ip && !isPrivateAddress(ip);
        findings.push(
          finding('port-address-mismatch', 'warning', `${a.command} announced ${ip}:${a.port}, but the control connection comes from ${s.client.ip}: ${bounce ? 'a third host' : 'the client is behind NAT without an FTP-aware gateway'}${m?.usedFallback ? `; the server connected to ${s.client.ip}:${a.port}, the control connection's client address` : ''}.`, [a.frame, m?.usedFallback ? m.conn.synFrame : null], data.length),
        );
        if (bounce) findings.push(finding('ftp-bounce', 'error', `${a.command} asked the server to connect to ${ip}:${a.port}, a host that is neither end of the control connection (RFC 2577 bounce)${a.replyCode !== null && a.replyCode >= 500 ? `; the server refused it (${a.replyCode})` : ''}.`, [a.frame], data.length));
      }
      if (a.port < 1024) findings.push(finding('privileged-data-port', 'warning', `${a.command} announced the privileged port ${a.port} (RFC 2577).`, [a.frame], data.length));
    }

    // One side of the control connection captured: the other half of each announcement (the
    // 227/229 reply, or the PORT/EPRT command) is missing, and with it the endpoint; the half that
    // was captured still gives the mode and the transfer of the next connection its initiator opens.
    const halves = s.controlSeen === 'both' ? [] : f.halfAnnouncements.filter((h) => !h.transfer?.announcement);
    const usedHalves = new Set<HalfAnnouncement>();
    for (const c of leftovers) {
      const initiator = c.orig.ip === s.server.ip ? 'server' : 'client';
      const half = halfFor(halves, usedHalves, initiator, startOf(c));
      if (half) usedHalves.add(half);
      const d = this.dataReport(data.length + 1, half ? halfModeOf(half, c.ipVersion) : 'unknown', initiator, s, null, { conn: c, usedFallback: false, retries: 0 }, half?.transfer ?? null, null, findings);
      data.push(d);
      if (half) continue;
      if (!f.tls) findings.push(finding('unmatched-data-connection', 'warning', `A connection ${c.orig.ip}:${c.orig.port} -> ${c.resp.ip}:${c.resp.port} between the session's hosts is explained by no announcement.`, [c.synFrame ?? c.firstFrame], d.id));
    }

    // Active-mode source port: state it, since firewall rules for "port 20" depend on it.
    const active = data.filter((d) => d.initiator === 'server' && d.from);
    if (active.length) {
      const from20 = active.filter((d) => d.from?.port === 20).length;
      const msg = from20 === active.length ? `The server opened its active data connections from port 20.` : from20 === 0 ? `The server opened its active data connections from ephemeral ports (${[...new Set(active.map((d) => d.from?.port))].slice(0, 5).join(', ')}), not port 20: a rule allowing only source port 20 would block them.` : `The server opened ${from20} of ${active.length} active data connections from port 20, the others from ephemeral ports.`;
      findings.push(finding('active-source-port', 'info', msg, active.map((d) => d.tcp?.synFrame ?? null)));
    }
    // An anonymous "password" is an e-mail address by convention (RFC 1635), not a secret.
    // Messages quote the user name shortened: a hostile 8 KiB name must not be copied into every finding.
    const who = JSON.stringify(clip(f.user ?? '', MESSAGE_USER_CHARS));
    if (f.password !== null && !f.tls && !isAnonymous(f.user)) findings.push(finding('cleartext-credentials', 'warning', `The password of ${who} crossed the network in clear text (no AUTH TLS).`, [f.passwordFrame]));
    if (f.failedLogins > 0) findings.push(finding('login-failed', 'warning', `${f.failedLogins} login attempt${f.failedLogins === 1 ? '' : 's'} failed${f.user ? ` (last user ${who})` : ''}.`, f.loginAttempts.filter((x) => x.code >= 400).map((x) => x.frame)));
    if (f.login === 'success' && isAnonymous(f.user)) findings.push(finding('anonymous-login', 'info', `Anonymous login accepted (user ${who}).`, [f.loginFrame]));
    if (f.tls) findings.push(finding('control-encrypted', 'info', encryptedMessage(f), [f.tlsFrame, f.clearAgainFrame]));
    const missed = ctl.origSent.missedBytes + ctl.respSent.missedBytes;
    if (missed > 0) findings.push(finding('capture-gap', 'warning', `The capture missed ${missed} bytes of the control connection: commands or replies may be missing.`, []));
    for (const d of data) {
      if (d.missedBytes > 0) findings.push(finding('capture-gap', 'warning', `The capture missed ${d.missedBytes} bytes of data connection ${d.id}.`, [d.tcp?.firstFrame ?? null], d.id));
    }

    const oneSided = oneSidedFinding(s.controlSeen, [...[...matches.values()].map((m) => m.conn), ...leftovers], ctl.firstFrame);
    if (oneSided) findings.push(oneSided);

    const modes = new Set(data.filter((d) => d.mode !== 'unknown').map((d) => d.mode));
    const mode: SessionMode = f.tls && modes.size === 0 ? 'unknown' : modes.size === 0 ? (data.length ? 'unknown' : 'none') : modes.size === 1 ? ([...modes][0] as SessionMode) : 'mixed';
    const order: Record<string, number> = { error: 0, warning: 1, info: 2 };
    findings.sort((a, b) => order[a.severity] - order[b.severity] || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
    this.foldFindings(findings);
    return {
      id: 0,
      client: s.client,
      server: s.server,
      start: isoTimeNs(ctl.startSec, ctl.startNsec),
      end: isoTimeNs(ctl.endSec, ctl.endNsec),
      banner: f.banner === null ? null : clip(f.banner, MAX_REPORT_FIELD_CHARS),
      user: f.user === null ? null : clip(f.user, MAX_REPORT_FIELD_CHARS),
      password: f.password === null ? null : this.opts.showPasswords || isAnonymous(f.user) ? f.password : '********',
      login: loginOf(f),
      loginAttempts: f.loginAttemptCount,
      tls: f.tls,
      mode,
      midStream: ctl.midStream && f.banner === null,
      capturePoint: s.capturePoint,
      commands: f.commands,
      controlState: ctl.state,
      dataConnections: data,
      findings,
      wiresharkFilter: sessionFilter(s.client, s.server, data),
      ...(f.timeline ? { timeline: this.timelineOf(f.timeline, isAnonymous(f.user)) } : {}),
    };
  }

  /** The recorded commands and replies as report entries (passwords redacted unless asked). */
  private timelineOf(log: TimelineLog, anonymous: boolean): SessionTimeline {
    const { entries, droppedAfter } = log.entries();
    const show = this.opts.showPasswords === true || anonymous;
    return {
      entries: entries.map((r): TimelineEntry => {
        const time = isoTimeNs(r.at.sec, r.at.nsec);
        if (!r.client) return { time, frame: r.frame, from: 'server', text: r.text === '' ? r.head : `${r.head} ${r.text}`, code: r.code ?? 0 };
        const arg = show ? r.text : redactCommand(r.head, r.text);
        return { time, frame: r.frame, from: 'client', text: arg === '' ? r.head : `${r.head} ${arg}` };
      }),
      dropped: log.dropped,
      droppedAfter: log.dropped > 0 ? droppedAfter : entries.length,
    };
  }

  /**
   * Past MAX_FINDINGS_PER_CODE findings of one code in a session (a PORT storm: 10,000 ftp-bounce
   * findings), the rest are folded into one finding that says how many: a hostile session must not
   * make a report of tens of megabytes. Counted as `findings-folded`.
   */
  private foldFindings(findings: Finding[]): void {
    const seen = new Map<string, number>();
    const folded = new Map<string, { n: number; first: Finding }>();
    let w = 0;
    for (const f of findings) {
      const n = (seen.get(f.code) ?? 0) + 1;
      seen.set(f.code, n);
      if (n <= MAX_FINDINGS_PER_CODE) findings[w++] = f;
      else {
        const e = folded.get(f.code);
        if (e) e.n++;
        else folded.set(f.code, { n: 1, first: f });
      }
    }
    findings.length = w;
    for (const [code, { n, first }] of folded) {
      this.counters.findingsFolded += n;
      findings.push(finding(first.code, first.severity, `${n} more ${code} findings in this session, left out (${MAX_FINDINGS_PER_CODE} are listed); the first of them: ${first.message}`, first.frames.slice(0, 8)));
    }
  }

  private dataReport(
    id: number,
    mode: DataMode,
    initiator: 'client' | 'server',
    s: Session,
    target: Endpoint | null,
    m: Match | null,
    transfer: TransferRec | null,
    announced: DataConnectionReport['announced'],
    findings: Finding[],
  ): DataConnectionReport {
    const c = m?.conn ?? null;
    // Which TCP direction carries the transfer: the server's bytes for downloads and listings.
    const serverIsOrig = initiator === 'server';
    const serverSent = c ? (serverIsOrig ? c.origSent : c.respSent) : null;
    const clientSent = c ? (serverIsOrig ? c.respSent : c.origSent) : null;
    const dir = transfer?.direction ?? null;
    const sent = dir === 'upload' ? clientSent : serverSent;
    const ackedData = (d: DirectionSummary | null, receiver: DirectionSummary | null): number | null => (d === null || receiver === null ? null : ackedDataOf(d, receiver));
    // A direction the capture lacks: what its receiver acknowledged.
    const carried = (d: DirectionSummary | null, receiver: DirectionSummary | null): number => (d === null ? 0 : !d.seen ? (ackedData(d, receiver) ?? 0) : d.bytes);
    const received = (d: DirectionSummary | null): DirectionSummary | null => (d === serverSent ? clientSent : serverSent);
    const bytes = c ? (dir ? carried(sent, received(sent)) : carried(serverSent, clientSent) + carried(clientSent, serverSent)) : null;
    const missedBytes = c ? (dir ? (sent?.missedBytes ?? 0) : (serverSent?.missedBytes ?? 0) + (clientSent?.missedBytes ?? 0)) : 0;
    const ackedBytes = c && dir ? ackedData(sent, received(sent)) : null;
    const facts: DataFacts = { capturePoint: s.capturePoint, mode, initiator, client: s.client, server: s.server, target, match: m, transfer, bytes, missedBytes, ackedBytes, expectedBytes: transfer?.expectedBytes ?? null, controlSeen: s.controlSeen, controlAckAt: s.controlSeen === 'client' && s.summary ? controlAckOf(s.summary, s.client) : null };
    const outcome = outcomeOf(facts);
    const text = diagnosis(facts, outcome);
    const f = outcomeFinding(outcome, id, text, [announced?.frame ?? null, c?.synFrame ?? null, ...(c?.synRetransmitFrames.slice(0, 4) ?? []), c?.synAckFrame ?? null, c?.origSent.rstFrame ?? null, c?.respSent.rstFrame ?? null, c?.rejection?.frame ?? null, transfer?.final?.frame ?? null]);
    if (f) findings.push(f);
    return {
      id,
      mode,
      initiator,
      announced,
      from: c ? { ip: c.orig.ip, port: c.orig.port } : null,
      to: c ? { ip: c.resp.ip, port: c.resp.port } : null,
      tcp: c
        ? {
            state: c.state,
            history: c.history,
            synFrame: c.synFrame,
            synRetransmits: c.synRetransmits,
            synAckFrame: c.synAckFrame,
            rstFrame: c.origSent.rstFrame ?? c.respSent.rstFrame,
            firstFrame: c.firstFrame,
            lastFrame: c.lastFrame,
            start: isoTimeNs(c.startSec, c.startNsec),
            end: isoTimeNs(c.endSec, c.endNsec),
            ...(halfCaptured(c) ? { capturedSide: (c.oneSided === 'orig') === (c.orig.ip !== s.server.ip) ? ('client' as const) : ('server' as const) } : {}),
            ...(this.opts.timeline ? { events: tcpEvents(c, initiator) } : {}),
          }
        : null,
      command: transfer && !transfer.inferred ? transfer.verb : null,
      argument: transfer && !transfer.inferred ? transfer.arg : null,
      path: transfer?.path ?? null,
      direction: dir,
      bytes,
      expectedBytes: transfer?.expectedBytes ?? null,
      missedBytes,
      // The reply to PORT/EPRT/LPRT belongs here when it is a failure (pyftpdlib connects at once
      // and answers the PORT itself with 421 "Active data channel timed out").
      replies: [...(announced && announced.replyCode !== null && announced.replyCode >= 400 && ['PORT', 'EPRT', 'LPRT'].includes(announced.command) ? [announced.replyCode] : []), ...(transfer ? transfer.replies.map((r) => r.code) : [])],
      replyText: transfer?.final ? transfer.final.text : null,
      outcome,
      firewallRule: firewallRule(facts),
      diagnosis: text,
      wiresharkFilter: dataFilter(c ? { from: c.orig, to: c.resp } : null, target),
      ...(c?.rejection ? { rejectedBy: rejectedByOf(c.rejection) } : {}),
      ...(this.payloadOpts !== null ? { file: this.fileOf(id, s, c, transfer, outcome, serverIsOrig, sent?.bytes ?? 0, sent?.missedBytes ?? 0) } : {}),
    };
  }

  /**
   * `--hash`: what the transfer's direction carried (null when the connection carried no transfer,
   * or its bytes were not followed). Complete means: no byte missed, at least the announced size,
   * and a 2xx final reply. With `--extract` a file transfer waits in `files` for its session id.
   */
  private fileOf(id: number, s: Session, c: ConnectionSummary | null, transfer: TransferRec | null, outcome: DataConnectionReport['outcome'], serverIsOrig: boolean, sentBytes: number, sentMissed: number): FileReport | null {
    const payload = c ? this.payloads.get(c.id) : undefined;
    if (c && payload) this.payloads.delete(c.id);
    if (!c || !transfer) {
      if (payload) this.dropPayload(payload);
      return null;
    }
    const clientIsOrig = !serverIsOrig;
    const dir = transfer.direction === 'upload' ? (clientIsOrig ? 0 : 1) : serverIsOrig ? 0 : 1;
    let r: PayloadResult | null = null;
    if (payload) {
      const { result, others } = payload.take(dir);
      for (const t of others) this.opts.extract?.discard(t);
      r = result;
    } else if (sentBytes > 0 || sentMissed > 0) {
      // Bytes nobody followed (the candidate was dropped at MAX_DATA_CANDIDATES): nothing to say.
      return null;
    }
    const size = r?.size ?? 0;
    const sha256 = r ? r.sha256 : c.midStream ? null : EMPTY_SHA256;
    const expected = transfer.expectedBytes;
    const incomplete = sha256 === null ? 'capture-gap' : expected !== null && size < expected ? 'short' : outcome !== 'completed' ? 'not-confirmed' : null;
    const kind = transfer.direction === 'listing' ? 'listing' : 'file';
    const file: FileReport = { kind, size, sha256, offset: transfer.restOffset, complete: incomplete === null, incomplete, missedBytes: r?.missedBytes ?? 0 };
    if (this.opts.listings && kind === 'listing') {
      file.listing = r?.listing ?? { format: 'names', entries: [], dropped: 0, unparsed: 0 };
      this.counters.listingEntriesDropped += file.listing.dropped;
    }
    const extract = this.opts.extract;
    if (extract) {
      // A transfer of which nothing arrived (refused, never answered) writes no empty file that
      // could pass for the real one; an empty file that completed is written.
      if (kind === 'file' && (size > 0 || file.complete || (r?.missedBytes ?? 0) > 0)) {
        file.extracted = null;
        this.files.push({
          report: file,
          spool: r?.spool ?? null,
          entry: {
            size,
            sha256,
            complete: file.complete,
            incomplete,
            missedBytes: file.missedBytes,
            offset: file.offset,
            dataConnection: id,
            command: transfer.verb,
            ftpPath: transfer.path ?? transfer.arg,
            direction: transfer.direction,
            client: endpointText(s.client),
            server: endpointText(s.server),
            time: isoTimeNs(c.startSec, c.startNsec),
          },
        });
      } else if (r?.spool) extract.discard(r.spool);
      if (kind === 'file' && file.extracted === undefined) file.extracted = null;
    }
    return file;
  }
}

/** The handshake and teardown packets of a data connection in time order, by session side. */
function tcpEvents(c: ConnectionSummary, initiator: 'client' | 'server'): TcpEvent[] {
  const other = initiator === 'client' ? 'server' : 'client';
  const out: { e: TcpEvent; t: number }[] = [];
  const add = (kind: TcpEvent['kind'], from: 'client' | 'server', frame: number | null, t: CaptureTime | null): void => {
    if (frame === null || t === null) return;
    out.push({ e: { kind, from, frame, time: isoTimeNs(t.sec, t.nsec) }, t: t.sec + t.nsec / 1e9 });
  };
  add('syn', initiator, c.synFrame, c.synTime);
  c.synRetransmitFrames.forEach((f, i) => add('syn-retransmit', initiator, f, c.synRetransmitTimes[i] ?? null));
  add('syn-ack', other, c.synAckFrame, c.synAckTime);
  add('fin', initiator, c.origSent.finFrame, c.origSent.finTime);
  add('fin', other, c.respSent.finFrame, c.respSent.finTime);
  add('rst', initiator, c.origSent.rstFrame, c.origSent.rstTime);
  add('rst', other, c.respSent.rstFrame, c.respSent.rstTime);
  const r = c.rejection;
  if (r !== null) {
    // Travels back to the quoted segment's sender: from the other side's direction.
    const to = r.quoted === 0 ? initiator : other;
    const e: TcpEvent = { kind: 'icmp-unreachable', from: to === 'client' ? 'server' : 'client', frame: r.frame, time: isoTimeNs(r.time.sec, r.time.nsec), by: r.from, reason: r.text };
    out.push({ e, t: r.time.sec + r.time.nsec / 1e9 });
  }
  return out.sort((a, b) => a.t - b.t || a.e.frame - b.e.frame).map((x) => x.e);
}

/** `ip:port`, `[v6]:port`. */
function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** A capture string cut to `max` characters (marked with an ellipsis), copied so that it does not
 * keep a large parent string alive. */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `${detach(s, max)}…`;
}

/** The half announcement (HalfAnnouncement) for a connection its initiator opened at `start`:
 * the latest unused one of the initiator's kind made before it; for active modes else the first
 * made up to CORRELATE_BEFORE_SEC after it (pyftpdlib connects on PORT and answers 200 once
 * connected). A passive client connects only after its PASV. */
function halfFor(halves: readonly HalfAnnouncement[], used: ReadonlySet<HalfAnnouncement>, initiator: 'client' | 'server', start: number): HalfAnnouncement | null {
  let before: HalfAnnouncement | null = null;
  for (const h of halves) {
    if (used.has(h) || isActiveKind(h.kind) !== (initiator === 'server')) continue;
    // A half whose transfer got its final reply before the connection started was another's.
    if (h.transfer?.final && h.transfer.final.at.sec + h.transfer.final.at.nsec / 1e9 < start) continue;
    const d = h.at.sec + h.at.nsec / 1e9 - start;
    if (d <= 0) before = h;
    else return before ?? (initiator === 'server' && d <= CORRELATE_BEFORE_SEC ? h : null);
  }
  return before;
}

/**
 * `login`: `unknown` where an attempt is there but its reply is not (USER/PASS or a 331 without a
 * 230/530 after it: the other side not captured, or the capture ended) and under an encrypted
 * control connection (RFC 4217: USER and PASS follow AUTH TLS, unreadable).
 */
function loginOf(f: FtpSession): SessionReport['login'] {
  if (f.login !== 'none') return f.login;
  return f.tls || f.user !== null || f.password !== null || f.loginAsked ? 'unknown' : 'none';
}

/** One direction of the connection captured alone, and shown talking to the other (a SYN-ACK, an
 * ACK): a SYN that got nothing, or a lone RST, is a whole story, not half of one. */
function halfCaptured(c: ConnectionSummary): boolean {
  return c.oneSided !== null && (c.synAckFrame !== null || c.synAckProofFrame !== null || c.origSent.highestAck !== null || c.respSent.highestAck !== null);
}

/** The `one-sided-capture` finding: which side of the session was captured, and what the report
 * infers of the other; null when both sides of the control and of every data connection were. */
function oneSidedFinding(seen: ControlSeen, conns: readonly ConnectionSummary[], frame: number): Finding | null {
  const half = conns.filter(halfCaptured);
  const n = half.length;
  if (seen === 'client')
    return finding('one-sided-capture', 'info', `Only the client's side of this session was captured (a one-way SPAN or tap, asymmetric routing): the server's replies are not in the capture, so modes are inferred from the client's PASV/EPSV/PORT/EPRT commands, deliveries from its ACKs, transfers' ends from its FINs and its next commands; what its side cannot show is incomplete, not a failure.`, [frame]);
  if (seen === 'server')
    return finding('one-sided-capture', 'info', `Only the server's side of this session was captured (a one-way SPAN or tap, asymmetric routing): the client's commands are not in the capture, so modes are inferred from the server's 227/229 replies and its 200 replies to PORT/EPRT, transfers from its 150/226 replies, deliveries from its ACKs; what its side cannot show is incomplete, not a failure.`, [frame]);
  if (n === 0) return null;
  return finding('one-sided-capture', 'info', `${n} data connection${n === 1 ? ' was' : 's were'} captured in one direction only: ${n === 1 ? 'its' : 'their'} outcome is read from the acknowledgements, FINs and resets of the side that was seen.`, half.map((c) => c.firstFrame).slice(0, 8));
}

/**
 * Data bytes of a direction its receiver acknowledged, without the FIN's sequence number: where the
 * sender's FIN was captured its place is known; where the sender's side was not captured, a
 * receiver that closed too had acknowledged the sender's FIN (stream mode marks the end of a file
 * by closing the connection, RFC 959 §3.4.1). Null when the receiver's ACKs were not captured.
 */
function ackedDataOf(d: DirectionSummary, receiver: DirectionSummary): number | null {
  if (d.ackedByPeer === null) return null;
  if (d.seen) return d.finFrame !== null ? Math.min(d.ackedByPeer, d.bytes) : d.ackedByPeer;
  return Math.max(0, d.ackedByPeer - (receiver.finFrame !== null ? 1 : 0));
}

/** The sides of a control connection the capture holds. */
function controlSeenOf(ctl: ConnectionSummary, client: Endpoint): ControlSeen {
  if (ctl.oneSided === null) return 'both';
  const clientIsOrig = ctl.orig.ip === client.ip && ctl.orig.port === client.port;
  return (ctl.oneSided === 'orig') === clientIsOrig ? 'client' : 'server';
}

/** An anonymous login: its "password" is an e-mail address by convention (RFC 1635), shown. */
export function isAnonymous(user: string | null): boolean {
  return user !== null && (user.toLowerCase() === 'anonymous' || user.toLowerCase() === 'ftp');
}

/** A StreamSink standing in for a control connection's ControlSink until its first byte or gap
 * (a plain object of four fields: 32,768 of them in a SYN flood cost ~2 MB, closures ~9 MB). */
class DeferredControl implements StreamSink {
  private real: ControlSink | null = null;
  constructor(
    private readonly make: (start: number) => ControlSink,
    private readonly start: number,
  ) {}
  private open(): ControlSink {
    return (this.real ??= this.make(this.start));
  }
  data(dir: Direction, bytes: Buffer, offset: number, at: SegmentInfo): void {
    this.open().data(dir, bytes, offset, at);
  }
  gap(dir: Direction, offset: number, length: number): void {
    this.open().gap(dir, offset, length);
  }
  end(): void {
    this.real?.end();
  }
}

/** A pending session restored by a merge: its announcements are revealed in capture order, as the
 * control channel made them. */
class ReplayedControl implements ControlState {
  readonly confirmed = true;
  private readonly all: AnnouncementRec[];
  constructor(readonly session: FtpSession) {
    this.all = session.announcements.splice(0);
  }
  reveal(): AnnouncementRec | null {
    const a = this.all[this.session.announcements.length];
    if (a) this.session.announcements.push(a);
    return a ?? null;
  }
  settle(): void {
    while (this.session.announcements.length < this.all.length) this.reveal();
  }
  end(): void {}
  dispose(): void {}
}

/**
 * A session's expectation that another shard may explain better: nothing matched it, or only a
 * connection to the fallback address or from another host than the expected one (the connection
 * to the announced endpoint, or from the expected host, can be between two other hosts).
 */
function crossShard(e: Expectation, m: Match | undefined): boolean {
  return !m || m.usedFallback || m.conn.orig.ip !== e.initiatorIp;
}
