/**
 * The FTP stage's entry (docs/design.md §2.4): it routes the TCP tracker's events. It follows
 * control connections (port 21, --ports, or any port whose server spoke first with a 220 banner
 * and whose client then sent an FTP command), keeps the connections that touch an FTP host as
 * correlation candidates, and finalizes each session once its control connection is gone and
 * FINALIZE_GRACE_SEC of capture time has passed, handing the report on at once. Memory therefore
 * follows the sessions open at a time, not the length of the capture.
 *
 * The jobs it hands out: the control channel to ControlSink (control.ts, session.ts); candidates
 * and matching to CandidatePool (correlate.ts); the report to sessionReport (session-report.ts,
 * with findings.ts and diagnose.ts); data bytes to TransferFiles (payload.ts); everything a shard
 * must know to ShardHooks (shard.ts, implemented in src/scale/).
 *
 * Driving it: `const a = new FtpAnalyzer(opts, onSession); const t = new TcpTracker({ events:
 * a.events }); a.bind(t)`; for each TCP packet `a.advance(p.tsSec)` then `t.packet(p)`; at the end
 * `t.finish()` then `a.finish()`. Reports come out in session start order (a bounded reorder buffer).
 */
import type { Connection, ConnectionSummary, ConnRecord, Direction, RemovalReason, SegmentInfo, StreamSink, TcpEvents, TcpTracker } from '../tcp/index.js';
import { FINALIZE_GRACE_SEC } from '../limits.js';
import { ControlSink, newControlCounters, type ControlCounters } from './control.js';
import { CandidatePool, endOf, expectationsOf, startOf, type Expectation, type Match, type PoolSession } from './correlate.js';
import { capturePointOf, controlSeenOf, type ControlSeen } from './diagnose.js';
import type { CapturePoint, Endpoint, SessionReport } from './model.js';
import { TimelineLog, type AnnouncementRec } from './session.js';
import type { Packet } from '../decode/index.js';
import { startsWithGreeting } from './replies.js';
import { TransferFiles, type PendingFile } from './payload.js';
import { connectionsOf, sessionReport, strayPairs, type FinalizedSession } from './session-report.js';
import { ReplayedControl, type ControlState, type PendingSession, type ShardHooks } from './shard.js';
import type { Extractor } from './extract.js';
import { SessionPressure, type SessionBounds } from './pressure.js';

export type { PendingSession, ShardHooks } from './shard.js';
export type { CrossFinding } from './bruteforce.js';
export { isAnonymous } from './session-report.js';

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
  /** Candidates held before the pool's first stale sweep (default CANDIDATE_SWEEP_FROM; tests lower it). */
  candidateSweepFrom?: number;
}

/** The control ports followed: 21, 990 (implicit FTPS, IANA "ftps", recognised by its TLS
 * handshake: control.ts) and `extra` (--ports). */
export function controlPorts(extra: readonly number[] = []): Set<number> {
  return new Set([21, 990, ...extra]);
}

/** One control connection followed as FTP. */
interface Session extends PoolSession {
  readonly connId: number;
  readonly sink: ControlState;
  /** The live control connection (until the tracker removes it: Connections are recycled). */
  conn: Connection | null;
  /** Set when the control connection left the tracker: its numbers (ConnRecord; a replay's
   * summary), the summary made from them at finalization. */
  summary: { summary(): ConnectionSummary } | null;
  /** When it closed (FINs both ways), was reset, or left the tracker; Infinity while open. */
  end: number;
  /** Hosts this session keeps in the candidate filter (released at finalization). */
  readonly hosts: string[];
  finalized: boolean;
  capturePoint: CapturePoint;
  /** The sides of the control connection the capture holds (set at finalization). */
  controlSeen: ControlSeen;
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

/** The batch of the sessions finalized when the capture ends (after every frame number). */
export const END_OF_CAPTURE = Number.MAX_SAFE_INTEGER;
/** The batch of the byte-less sessions the tracker's finish() lets go, before END_OF_CAPTURE: the
 * tracker removes connections in the order they began, so this batch is written in chunks (a SYN
 * flood leaves 32,768 of them; held whole they were 50 MB) and still comes out in start order. */
const CLOSING_BATCH = END_OF_CAPTURE - 1;
const CLOSING_CHUNK = 512;

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
  /** The candidate data connections and the open sessions' announcements (correlate.ts). */
  private readonly pool: CandidatePool;
  private clock = -Infinity;
  private nextSweep = -Infinity;
  /** The sessions finalized while the current packet was processed (flushReady). */
  private ready: Ready[] = [];
  /** The other of two arrays `ready` swaps with as it is flushed (no array per flush). */
  private spare: Ready[] = [];
  /** With --hash, --extract or --listings: the transferred files (null: data bytes only counted). */
  private readonly files: TransferFiles | null;
  /** The frame number of the packet being processed (END_OF_CAPTURE at the end of the capture). */
  private batch = 0;
  private nextId = 1;
  private readonly shard: ShardHooks | null;
  /** With a shard: candidates the pool let go while their connection was still in the tracker. */
  private readonly leftPoolLive = new Set<number>();
  /** Replay: sessions by their merge key, and the next synthetic ids. */
  private readonly replayed = new Map<number, Session>();
  private replayIds = 0;
  /** The bound on sessions held at once. */
  private readonly pressure: SessionPressure<Session>;

  constructor(
    private readonly opts: AnalyzerOptions = {},
    private readonly onSession: (s: SessionReport, start: number, batch: number) => void = () => undefined,
  ) {
    this.ports = controlPorts(opts.ports);
    this.shard = opts.shard ?? null;
    this.pressure = new SessionPressure(opts.sessionBounds);
    const extract = opts.extract ?? null;
    this.files = opts.hash || opts.listings || extract ? new TransferFiles({ listings: opts.listings === true, extract }, this.counters) : null;
    this.pool = new CandidatePool(this.counters, (c, untaken) => {
      // A shard's connection that no session here took may be another shard's data connection.
      if (untaken) this.shard?.orphan(this.pool.summaryOf(c));
      if (this.shard && c.live !== null) this.leftPoolLive.add(c.id);
      this.files?.drop(c.id);
    }, opts.candidateSweepFrom);
    this.events = {
      opened: (c) => this.opened(c),
      inspect: (c, dir, first) => this.inspect(c, dir, first),
      gone: (c, why) => this.removed(c, why),
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
    // Connections no session claimed leave (a shard's as orphans), their spools with them.
    this.pool.finish();
    this.files?.finish();
  }

  /** A TCP packet of another shard (`--shard`): see ShardHooks.foreign. */
  foreign(p: Packet): void {
    this.shard?.foreign(p, this.pool);
  }

  // --- detection

  private hold(ip: string, s: Session): void {
    s.hosts.push(ip);
    this.hosts.set(ip, (this.hosts.get(ip) ?? 0) + 1);
  }

  /** A session for control connection `connId`: registered with the pool and the host filter. */
  private register(connId: number, sink: ControlState, client: Endpoint, server: Endpoint, start: number, conn: Connection | null, summary: { summary(): ConnectionSummary } | null): Session {
    const s: Session = { connId, sink, client, server, start, conn, summary, end: Infinity, announcements: sink.session.announcements, hosts: [], targets: [], finalized: false, capturePoint: 'unknown', controlSeen: 'both', cache: null };
    this.sessions.set(connId, s);
    this.pool.open(s);
    this.pressure.add(s);
    this.hold(client.ip, s);
    this.hold(server.ip, s);
    this.counters.controlConnections++;
    this.shard?.ftpHost(client.ip);
    this.shard?.ftpHost(server.ip);
    return s;
  }

  private follow(c: Connection | ConnectionSummary, clientDir: Direction, confirmed: boolean, start = this.clock): ControlSink {
    const [o, r] = 'origIp' in c ? [{ ip: c.origIp, port: c.origPort }, { ip: c.respIp, port: c.respPort }] : [c.orig, c.resp];
    let session: Session | null = null;
    const sink = new ControlSink(clientDir, confirmed, (a) => session && this.announced(session, a), this.control, 'acknowledged' in c ? (d, ack) => c.acknowledged(d, ack) : null);
    if (this.opts.timeline) sink.session.timeline = new TimelineLog();
    // A Connection's own start is not exposed; the capture clock is when it was seen first.
    session = this.register(c.id, sink, clientDir === 0 ? o : r, clientDir === 0 ? r : o, start, 'origIp' in c ? c : null, null);
    return sink;
  }

  private opened(c: Connection): void {
    // By port: the responder listens on a control port; a connection picked up mid-stream may
    // have its originator guessed the wrong way round, so the originator's port counts too.
    // The session is made at its first byte (or, for one that never carries any, when it leaves
    // the tracker): a SYN flood to port 21 costs a small proxy per attempt, not a session each.
    if (this.ports.has(c.respPort)) this.tracker?.attach(c, this.deferred(c, 0));
    else if (c.midStream && this.ports.has(c.origPort)) this.tracker?.attach(c, this.deferred(c, 1));
    else if (this.hosts.has(c.origIp) || this.hosts.has(c.respIp)) this.pool.add(c, this.clock);
  }

  private inspect(c: Connection, dir: Direction, first: Buffer): StreamSink | null {
    if (this.sessions.has(c.id)) return null;
    // Any port, by content: the listener speaks first with a 220 reply (RFC 959 §5.4: the
    // connection greeting); the client must then send an FTP command to confirm it.
    if (startsWithGreeting(first, 0, first.length)) {
      this.pool.forget(c.id);
      return this.follow(c, dir === 1 ? 0 : 1, false);
    }
    // --hash: a candidate data connection's bytes from its first one on (a SYN flood carries none
    // and costs nothing).
    if (this.files !== null && this.pool.has(c.id)) return this.files.follow(c.id, c.midStream);
    return null;
  }

  /** A new announcement: its target goes into the index, its address into the host filter. */
  private announced(s: Session, a: AnnouncementRec): void {
    const before = s.targets.length;
    const target = this.pool.announce(s, a);
    if (this.shard) for (let i = before; i < s.targets.length; i++) this.shard.announced(target.port);
    this.shard?.ftpHost(target.ip);
    if (!s.hosts.includes(target.ip)) this.hold(target.ip, s);
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

  /** A connection left the tracker: the sessions and candidates that hold it keep its numbers
   * (ConnRecord); no summary is made for the others (most data connections of a finalized
   * session, summarised then). */
  private removed(c: Connection, why: RemovalReason): void {
    // A candidate's fate is told once, as it leaves the pool (onDrop: taken, or an orphan). One swept
    // out while its connection was still in the tracker (taken by a finalized session, or an orphan
    // already) is not also `gone` when the connection leaves: as an orphan, a connection another
    // session took would be replayed by the merge, and a pending session between the same two hosts
    // would report it as its own unmatched data connection.
    const decided = this.leftPoolLive.size !== 0 && this.leftPoolLive.delete(c.id);
    let s: ConnRecord | null = null;
    if (c.followed && c.bytes === 0 && !this.sessions.has(c.id) && !this.pool.has(c.id)) {
      // A control connection by port that never carried a byte: its session now, finalized below.
      const clientDir = this.ports.has(c.respPort) ? 0 : c.midStream && this.ports.has(c.origPort) ? 1 : -1;
      if (clientDir !== -1) this.follow(c, clientDir, true, startOf((s = c.record(why))));
    }
    const session = this.sessions.get(c.id);
    if (session) {
      s ??= c.record(why);
      session.summary = s;
      session.conn = null;
      if (session.end === Infinity) session.end = endOf(s);
      this.pressure.ended(session);
      session.sink.end();
      // It never carried a byte (a SYN flood to port 21, a scan): nothing can come for it any
      // more, so it is finalized now rather than FINALIZE_GRACE_SEC later — a flood must not pile
      // up 100,000s of sessions waiting for their grace.
      if (s.orig.bytes === 0 && s.resp.bytes === 0 && !session.finalized) {
        this.finalize(session);
        if (this.batch === CLOSING_BATCH && this.ready.length >= CLOSING_CHUNK) this.flushReady();
      }
      return;
    }
    if (!this.pool.ended(c, why) && !decided) this.shard?.gone(c.summary(why));
  }

  // --- replay (a merge of shards, src/scale/merge.ts): pending sessions and orphans as events in
  // capture order, with advance() between them, as the capture would have fed them.

  /** A pending session's control connection starts; `key` names it in the calls that follow. */
  replayStart(key: number, p: PendingSession): void {
    this.replayed.set(key, this.register(-++this.replayIds, new ReplayedControl(p.session), p.client, p.server, p.start, null, { summary: () => p.control }));
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
    this.pool.addSummary(c, ++this.replayIds);
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
    // Reports leave as they are made, not a sweep's ~150 together: held together, their sessions
    // and connection summaries outlive the young generation (promoted, to die in the old one).
    // Flushed only where the next session starts later and nothing else waits, so that the
    // order flushReady sorts in (start, then client port) is kept.
    const alone = this.ready.length === 0;
    for (let i = 0; i < due.length; i++) {
      this.finalize(due[i]);
      if (alone && i + 1 < due.length && due[i + 1].start > due[i].start) this.flushReady();
    }
    this.pool.prune(this.oldestOpen());
  }

  /** The start (capture seconds) of the oldest session not finalized yet, Infinity when none: a
   * connection that began CORRELATE_BEFORE_SEC before it can be claimed by no session (`prune`). */
  oldestOpen(): number {
    let oldest = Infinity;
    for (const s of this.sessions.values()) if (!s.finalized && s.start < oldest) oldest = s.start;
    return oldest;
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
    // Its connection may stay in the tracker (TCP_CLOSED_TIMEOUT_SEC): unfollowed, it holds no buffers.
    if (s.conn) this.tracker?.detach(s.conn);
    if (s.conn) this.shard?.finalizedLive(s.connId);
    s.sink.settle?.();
    // Still in the tracker (closed a moment ago): its summary as it stands.
    const summary = s.summary?.summary() ?? s.conn?.summary() ?? null;
    const confirmed = s.sink.confirmed && summary !== null;
    if (!confirmed || summary === null) {
      this.counters.unconfirmedControl++;
      this.release(s);
      s.sink.dispose();
      return;
    }
    s.capturePoint = capturePointOf(summary.handshake);
    s.controlSeen = controlSeenOf(summary, s.client);
    const end = s.end;
    const expectations = expectationsOf(s.sink.session.announcements, s.client, s.server, end);
    const retries: ConnectionSummary[] = [];
    const matches = this.pool.correlate(s, expectations, retries);
    const leftovers = this.pool.leftovers(s);
    // One side of the control connection: its half announcements may name a third address.
    const halves = s.sink.session.halfAnnouncements.length > 0 && s.controlSeen !== 'both';
    const strays = halves ? this.pool.strays(s, s.controlSeen === 'client' ? s.client.ip : s.server.ip) : [];
    this.release(s);
    const paired = halves ? strayPairs({ controlSeen: s.controlSeen, server: s.server, session: s.sink.session }, leftovers, strays) : null;
    // A half announcement with no connection in this shard: its initiator's connection to a third
    // address may be in another shard (a host pair of its own).
    if ((this.shard !== null && paired?.unpaired === true) || this.shard?.waits(expectations, matches, s.targets, connectionsOf(matches, leftovers))) {
      const taken = [...[...matches.values()].map((m) => m.conn), ...retries, ...leftovers];
      this.shard.pending({ start: s.start, end, client: s.client, server: s.server, control: summary, session: s.sink.session, taken, batch: this.batch });
      s.sink.dispose();
      s.conn = null;
      return;
    }
    // The connections to third addresses its half announcements explain are taken now, before
    // another session's finalization could see them (the report itself may be made later).
    const took = paired?.took ?? [];
    for (const c of took) this.pool.take(c.id);
    const r: Ready = { start: s.start, clientPort: s.client.port, input: { client: s.client, server: s.server, capturePoint: s.capturePoint, controlSeen: s.controlSeen, session: s.sink.session }, summary, expectations, matches, leftovers, strays: took, report: null, files: [] };
    // With --hash, --extract or --listings the report takes the data bytes followed so far: it is
    // made now, before the packet's bytes go on. Otherwise it is made as it leaves (flushReady),
    // one report at a time: a second's batch of reports held together would outlive the young
    // generation and be promoted, to die in the old one.
    if (this.files !== null) {
      r.report = this.report(r);
      r.files = this.files.takeFiles();
    }
    s.sink.dispose();
    s.conn = null;
    this.ready.push(r);
  }

  private report(r: Ready): SessionReport {
    const ctx = { showPasswords: this.opts.showPasswords === true, timeline: this.opts.timeline === true, files: this.files };
    const { report, folded } = sessionReport(ctx, r.input, r.summary, r.expectations, r.matches, r.leftovers, r.strays);
    this.counters.findingsFolded += folded;
    return report;
  }

  private release(s: Session): void {
    if (this.shard) for (const { key } of s.targets) this.shard.released(Number(key.slice(key.lastIndexOf('|') + 1)));
    this.pool.close(s);
    for (const ip of s.hosts) {
      const n = (this.hosts.get(ip) ?? 1) - 1;
      if (n <= 0) this.hosts.delete(ip);
      else this.hosts.set(ip, n);
    }
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
    const ready = this.ready;
    this.ready = this.spare;
    this.spare = ready;
    ready.sort(byStartThenClientPort);
    for (const r of ready) {
      const report = r.report ?? this.report(r);
      report.id = this.nextId++;
      this.files?.keep(r.files, report.id);
      this.onSession(report, r.start, batch);
    }
    ready.length = 0;
  }
}

/** A finalized session waiting to leave: what its report is made of (or the report, made already). */
interface Ready {
  readonly start: number;
  readonly clientPort: number;
  readonly input: FinalizedSession;
  readonly summary: ConnectionSummary;
  readonly expectations: readonly Expectation[];
  readonly matches: ReadonlyMap<Expectation, Match>;
  readonly leftovers: readonly ConnectionSummary[];
  /** Connections to third addresses its half announcements took (strayPairs). */
  readonly strays: readonly ConnectionSummary[];
  report: SessionReport | null;
  files: PendingFile[];
}

const byStartThenClientPort = (a: Ready, b: Ready): number => a.start - b.start || a.clientPort - b.clientPort;

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
