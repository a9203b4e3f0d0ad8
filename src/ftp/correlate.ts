/**
 * Correlation (docs/design.md §2.4): each announcement is an expected data connection; it is
 * matched with the TCP connection that followed it.
 *
 * An expectation names the endpoint that will be connected to: the client's announced address and
 * port for active modes (PORT, EPRT, LPRT: the server connects), the announced address and port for
 * passive modes (PASV, LPSV: the client connects), or the control connection's server address for
 * EPSV. Clients that ignore a 227 address (NAT, curl's default) connect to the control server's
 * address instead: that is the fallback, and the report says which address was really used.
 *
 * Order is not guaranteed (a data SYN can be read before the reply that announces it), so a
 * connection may start up to CORRELATE_BEFORE_SEC before its announcement. Each connection goes
 * to the expectation that explains it best (`rank`) across every session still open, so that
 * sessions reusing one passive port take their connections in turn.
 *
 * `CandidatePool` holds the connections that may be data connections (candidates: those touching
 * an FTP host), indexed by responder endpoint and host pair, and the announcements of the open
 * sessions by the endpoint they name. Its contract with the analyzer:
 * - a session is `open`ed when its control connection is followed, `announce`d into as its control
 *   channel announces, and `close`d once (at finalization, after `correlate` and `leftovers`);
 * - a candidate is `add`ed when its connection opens (or `addSummary` for one that ended: a merge's
 *   replay), `ended` when it leaves the tracker, and dropped by `prune`, `pruneStale` or `finish`;
 * - `correlate(s)` gives session `s` the connections it explains best, `leftovers(s)` the unexplained
 *   ones between its hosts; each connection goes to one session at most (`taken`).
 * Every candidate leaves through `onDrop` (untaken: no session claimed it), exactly once.
 */
import type { Connection, ConnectionSummary, RemovalReason } from '../tcp/index.js';
import { ANNOUNCE_SLACK_SEC, CANDIDATE_SWEEP_FROM, CORRELATE_AFTER_SEC, CORRELATE_BEFORE_SEC, MAX_CORRELATE_RIVALS, MAX_DATA_CANDIDATES, MAX_SPECULATIVE_CANDIDATES } from '../limits.js';
import { TimeIndex } from './timeindex.js';
import type { Endpoint, Initiator } from './model.js';
import type { AnnouncementRec, HalfAnnouncement } from './session.js';

export interface Expectation {
  readonly announcement: AnnouncementRec;
  readonly initiator: Initiator;
  /** Endpoint that should be connected to (announced, or server address for EPSV). */
  readonly target: Endpoint;
  /** The control connection's peer address at the announced port, when the announced address
   * differs from it (targetsOf). */
  readonly fallback: Endpoint | null;
  /** Address the initiator is expected to connect from. */
  readonly initiatorIp: string;
  /** Window in capture seconds. */
  readonly from: number;
  readonly to: number;
  /** The next announcement of the session (or its end): retries of a failed attempt start before it. */
  readonly next: number;
}

export interface Match {
  readonly conn: ConnectionSummary;
  /** The connection went to the fallback (control server address), not the announced one. */
  readonly usedFallback: boolean;
  /** More connections to the same endpoint before the next announcement (the initiator retrying). */
  retries: number;
}

export function startOf(c: { readonly startSec: number; readonly startNsec: number }): number {
  return c.startSec + c.startNsec / 1e9;
}

export function endOf(c: { readonly endSec: number; readonly endNsec: number }): number {
  return c.endSec + c.endNsec / 1e9;
}

export function isActiveKind(kind: string): boolean {
  return kind === 'active' || kind === 'extended-active' || kind === 'long-active';
}

export const endpointKey = (ip: string, port: number): string => `${ip}|${port}`;
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Where an announcement's data connection should go: the target, and the fallback when the
 * announced address is not the peer's. Passive: the control connection's server address (a client
 * that ignores a 227 address behind NAT). Active: the control connection's client address (a
 * client behind NAT without an FTP-aware gateway, whose server connects back to the address it
 * sees; a replay rewritten by `tcpreplay --unique-ip`, headers changed and PORT payloads not).
 */
export function targetsOf(a: AnnouncementRec, client: Endpoint, server: Endpoint): { target: Endpoint; fallback: Endpoint | null } {
  if (isActiveKind(a.kind)) {
    const ip = a.ip ?? client.ip;
    return { target: { ip, port: a.port }, fallback: ip !== client.ip ? { ip: client.ip, port: a.port } : null };
  }
  const ip = meantAddress(a.ip, server.ip);
  return { target: { ip, port: a.port }, fallback: ip !== server.ip ? { ip: server.ip, port: a.port } : null };
}

/**
 * The address a passive reply means: EPSV names none, and vsftpd answers PASV over IPv6 with
 * `227 Entering Passive Mode (0,0,0,0,p1,p2)` — both mean the control connection's server address.
 */
export function meantAddress(announced: string | null, serverIp: string): string {
  return announced === null || announced === '0.0.0.0' ? serverIp : announced;
}

/**
 * The expectations of one session's announcements. `until` is the session's end (Infinity while
 * its control connection is open).
 */
export function expectationsOf(announcements: readonly AnnouncementRec[], client: Endpoint, server: Endpoint, until: number): Expectation[] {
  return announcements.map((a, i) => {
    const at = a.at.sec + a.at.nsec / 1e9;
    const next = announcements[i + 1];
    const nextAt = next ? next.at.sec + next.at.nsec / 1e9 : Math.max(until, at);
    const active = isActiveKind(a.kind);
    const { target, fallback } = targetsOf(a, client, server);
    return {
      announcement: a,
      initiator: active ? 'server' : 'client',
      target,
      fallback,
      initiatorIp: active ? server.ip : client.ip,
      from: at - CORRELATE_BEFORE_SEC,
      to: Math.max(nextAt, at) + CORRELATE_AFTER_SEC,
      next: Math.max(nextAt, at),
    };
  });
}

/**
 * How well an expectation explains a connection that started at `start` from `origIp` (lower is
 * better, compared as a pair): the expected initiator's address first, then the announced endpoint
 * before the fallback, then timing — after the announcement; just before it (clock skew between
 * interfaces); well before it (a reordered or retransmitted reply) — and among equals the nearest
 * announcement, since a client connects right after the 227.
 */
export function rank(e: Expectation, fallback: boolean, start: number, origIp: string): [number, number] {
  const at = e.announcement.at.sec + e.announcement.at.nsec / 1e9;
  const d = start - at;
  const when = d >= 0 ? 0 : d >= -ANNOUNCE_SLACK_SEC ? 1 : 2;
  return [(origIp === e.initiatorIp ? 0 : 12) + (fallback ? 3 : 0) + when, Math.abs(d)];
}

export function inWindow(e: Expectation, start: number): boolean {
  return start >= e.from && start <= e.to;
}

/** A connection as correlation sees it: its final numbers, or a live connection; summarised (a new
 * object) as a session takes it. */
export interface Candidate {
  readonly id: number;
  readonly start: number;
  /** = start (TimeIndex order). */
  readonly time: number;
  dead: boolean;
  readonly origIp: string;
  readonly respKey: string;
  readonly pair: string;
  /** Once it left the tracker: its numbers (a ConnRecord: a summary is made when a session takes
   * it), or a replay's summary. */
  final: { summary(): ConnectionSummary } | null;
  live: Connection | null;
  /** Added while no open session's announcement or host pair could claim it. */
  readonly speculative: boolean;
  /** Its correlation stopped at MAX_CORRELATE_RIVALS once (counted once, whichever session's
   * finalization weighed it). */
  rivalsCut: boolean;
  /** A session took it (correlate, leftovers, take): no other session may. */
  taken: boolean;
}

/** What correlation reads of a session. */
export interface PoolSession {
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Capture seconds. */
  readonly start: number;
  /** When its control connection ended; Infinity while open. */
  readonly end: number;
  /** Its announcements so far (the control channel appends to this array). */
  readonly announcements: readonly AnnouncementRec[];
  /** Its announcements' entries in the target index. */
  readonly targets: { key: string; entry: TargetEntry }[];
  /** Expectations as last computed, valid while the announcement count and end are unchanged. */
  cache: { n: number; end: number; map: Map<AnnouncementRec, Expectation> } | null;
}

export interface TargetEntry {
  readonly session: PoolSession;
  readonly announcement: AnnouncementRec;
  readonly fallback: boolean;
  /** The announcement's capture time (TimeIndex order). */
  readonly time: number;
  dead: boolean;
}

export interface PoolCounters {
  candidates: number;
  candidatesDropped: number;
  /** Connections matched (or left unmatched) without weighing every announcement naming their
   * endpoint: the walk stopped at MAX_CORRELATE_RIVALS with more left. */
  rivalsCut: number;
}

export class CandidatePool {
  /** Candidates by id, by responder endpoint and by host pair (the host-pair index, docs/design.md §2.4). */
  private readonly candidates = new Map<number, Candidate>();
  private readonly byResp = new TimeIndex<Candidate>();
  private readonly byPair = new TimeIndex<Candidate>();
  /** Candidates by originator address: a one-sided session's initiator connecting to a third
   * address (`strays`). */
  private readonly byOrig = new TimeIndex<Candidate>();
  /** Announcements of open sessions by the endpoint they name. */
  private readonly byTarget = new TimeIndex<TargetEntry>();
  /** Open sessions by host pair (concurrent sessions between the same two hosts). */
  private readonly sessionsByPair = new Map<string, Set<PoolSession>>();
  /** Candidate count and capture time of the next and last stale-candidate sweep (add). */
  private staleAt: number;
  private staleClock = -Infinity;
  /** Candidates held that were speculative when added (MAX_SPECULATIVE_CANDIDATES). */
  private speculative = 0;

  constructor(
    private readonly counters: PoolCounters,
    /** A candidate leaves; `untaken`: dropped as no session's, none having claimed it. */
    private readonly onDrop: (c: Candidate, untaken: boolean) => void = () => undefined,
    /** CANDIDATE_SWEEP_FROM unless a test lowers it. */
    private readonly sweepFrom = CANDIDATE_SWEEP_FROM,
  ) {
    this.staleAt = sweepFrom;
  }

  has(id: number): boolean {
    return this.candidates.has(id);
  }

  /** Whether an open session's announcement names this endpoint (endpointKey). */
  hasTarget(key: string): boolean {
    return this.byTarget.has(key);
  }

  get(id: number): Candidate | undefined {
    return this.candidates.get(id);
  }

  open(s: PoolSession): void {
    const pk = pairKey(s.client.ip, s.server.ip);
    let ps = this.sessionsByPair.get(pk);
    if (!ps) this.sessionsByPair.set(pk, (ps = new Set()));
    ps.add(s);
  }

  /** A new announcement of `s`: its target (and fallback) go into the index; the target returned. */
  announce(s: PoolSession, a: AnnouncementRec): Endpoint {
    const { target, fallback } = targetsOf(a, s.client, s.server);
    const time = a.at.sec + a.at.nsec / 1e9;
    const add = (e: Endpoint, isFallback: boolean) => {
      const key = endpointKey(e.ip, e.port);
      const entry: TargetEntry = { session: s, announcement: a, fallback: isFallback, time, dead: false };
      this.byTarget.add(key, entry);
      s.targets.push({ key, entry });
    };
    add(target, false);
    if (fallback) add(fallback, true);
    return target;
  }

  /** Session `s` is finalized: its announcements claim nothing any more. */
  close(s: PoolSession): void {
    for (const { key, entry } of s.targets) this.byTarget.kill(key, entry);
    const pk = pairKey(s.client.ip, s.server.ip);
    const ps = this.sessionsByPair.get(pk);
    ps?.delete(s);
    if (ps?.size === 0) this.sessionsByPair.delete(pk);
  }

  /** A connection touching an FTP host opened at capture time `clock`. */
  add(c: Connection, clock: number): void {
    // A flood of connections to an FTP host (a SYN flood while a session is open) must not keep
    // them all: now and then (amortised O(1); at a cap once a capture second) those no session
    // can claim any more leave.
    const n = this.candidates.size;
    const full = n >= MAX_DATA_CANDIDATES || this.speculative >= MAX_SPECULATIVE_CANDIDATES;
    if ((n >= this.staleAt && !full) || (full && clock >= this.staleClock + 1)) {
      this.pruneStale(clock);
      this.staleClock = clock;
      this.staleAt = Math.max(this.sweepFrom, this.candidates.size * 2);
    }
    const respKey = endpointKey(c.respIp, c.respPort);
    const pair = pairKey(c.origIp, c.respIp);
    // Speculative: only an announcement still to come (a reordered 227) could claim it.
    const speculative = !this.sessionsByPair.has(pair) && !this.byTarget.has(respKey);
    if (this.candidates.size >= MAX_DATA_CANDIDATES || (speculative && this.speculative >= MAX_SPECULATIVE_CANDIDATES)) {
      this.counters.candidatesDropped++;
      return;
    }
    const cand: Candidate = { id: c.id, start: clock, time: clock, dead: false, origIp: c.origIp, respKey, pair, final: null, live: c, speculative, rivalsCut: false, taken: false };
    this.index(cand);
  }

  /** A connection that ended (a merge's replay), under a fresh `id`. */
  addSummary(c: ConnectionSummary, id: number): void {
    const start = startOf(c);
    const s = { ...c, id };
    const cand: Candidate = { id, start, time: start, dead: false, origIp: c.orig.ip, respKey: endpointKey(c.resp.ip, c.resp.port), pair: pairKey(c.orig.ip, c.resp.ip), final: { summary: () => s }, live: null, speculative: false, rivalsCut: false, taken: false };
    this.index(cand);
  }

  private index(cand: Candidate): void {
    if (cand.speculative) this.speculative++;
    this.counters.candidates++;
    this.candidates.set(cand.id, cand);
    this.byResp.add(cand.respKey, cand);
    this.byPair.add(cand.pair, cand);
    this.byOrig.add(cand.origIp, cand);
  }

  /** Candidate `c` left the tracker (the Connection object is recycled): one a session took
   * (summarised then) leaves; another keeps its numbers. False when it is no candidate. */
  ended(c: Connection, why: RemovalReason): boolean {
    const cand = this.candidates.get(c.id);
    if (!cand) return false;
    // Not live any more as it leaves (onDrop sees a connection that is gone).
    cand.live = null;
    if (cand.taken) {
      this.drop(cand, true);
      return true;
    }
    cand.final = c.record(why);
    return true;
  }

  /** Drops candidates no session can claim: started before any future announcement's window
   * (CORRELATE_BEFORE_SEC), named by no announcement of an open session, and not between the hosts
   * of an open session (leftovers). */
  private pruneStale(clock: number): void {
    const limit = clock - CORRELATE_BEFORE_SEC - 1;
    for (const c of this.candidates.values()) {
      if (c.start < limit && !this.sessionsByPair.has(c.pair) && !this.byTarget.has(c.respKey)) this.drop(c, true);
    }
  }

  /** Ended candidates no open session can claim any more leave: `oldest` is the start of the
   * oldest open session (Infinity when none). */
  prune(oldest: number): void {
    const limit = oldest - CORRELATE_BEFORE_SEC - 1;
    for (const c of this.candidates.values()) {
      if (c.final !== null && (c.start < limit || c.taken)) this.drop(c, true);
    }
  }

  /** Every candidate leaves (the end of the capture), those no session took as untaken. */
  finish(): void {
    for (const c of [...this.candidates.values()]) this.drop(c, true);
  }

  /** Candidate `id` is no data connection (it turned out to be a control connection). */
  forget(id: number): void {
    const c = this.candidates.get(id);
    if (c) this.drop(c, false);
  }

  private drop(cand: Candidate, orphan: boolean): void {
    if (!this.candidates.has(cand.id)) return;
    this.onDrop(cand, orphan && !cand.taken);
    if (cand.speculative) this.speculative--;
    this.candidates.delete(cand.id);
    this.byResp.kill(cand.respKey, cand);
    this.byPair.kill(cand.pair, cand);
    this.byOrig.kill(cand.origIp, cand);
  }

  summaryOf(c: Candidate): ConnectionSummary {
    if (c.final) return c.final.summary();
    // Still open at finalization (a data connection outliving its control connection): its state now.
    return (c.live as Connection).summary();
  }

  /**
   * Matches this session's expectations with the connections that followed: each candidate
   * connection in one of its windows goes to the expectation that explains it best among every
   * open session's (`rank`); this session takes those it wins. A connection that finds only this
   * session's expectations already matched with a failed attempt (no SYN-ACK) is a retry of it.
   */
  correlate(s: PoolSession, expectations: Expectation[], retries: ConnectionSummary[]): Map<Expectation, Match> {
    const out = new Map<Expectation, Match>();
    const mine = new Map<AnnouncementRec, Expectation>(expectations.map((e) => [e.announcement, e]));
    const pool = new Map<number, Candidate>();
    for (const e of expectations) {
      for (const t of e.fallback ? [e.target, e.fallback] : [e.target]) {
        this.byResp.range(endpointKey(t.ip, t.port), e.from, e.to, (c) => {
          if (!c.taken) pool.set(c.id, c);
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
        c.taken = true;
      } else if (chosen) {
        // Another session explains it better: that session will claim it; nothing here may.
        taken.add(chosen.e);
      } else if (retryOf) {
        (out.get(retryOf) as Match).retries++;
        c.taken = true;
        retries.push(this.summaryOf(c));
      }
    }
    return out;
  }

  /** Another open session's expectations (rivals in correlation), cached between its changes. */
  private expectations(o: PoolSession): Map<AnnouncementRec, Expectation> {
    const n = o.announcements.length;
    if (o.cache && o.cache.n === n && o.cache.end === o.end) return o.cache.map;
    const map = new Map(expectationsOf(o.announcements, o.client, o.server, o.end).map((e) => [e.announcement, e]));
    o.cache = { n, end: o.end, map };
    return map;
  }

  /**
   * Connections `ip` (one of session `s`'s hosts) opened to a third address while `s` was open,
   * that nothing else can claim: not taken, not to `s`'s other host (`leftovers`), named by no
   * open session's announcement, not between the hosts of an open session. With one side of the
   * control connection captured, a half announcement's connection to an address only the other
   * half names (a 227 announcing another address than the server's, a PORT naming a third host)
   * is among them. Nothing is taken: `take` takes what the session uses.
   */
  strays(s: PoolSession, ip: string): ConnectionSummary[] {
    const out: ConnectionSummary[] = [];
    const peer = ip === s.client.ip ? s.server.ip : s.client.ip;
    const w = this.byOrig.window(ip, s.start - CORRELATE_BEFORE_SEC, s.end + CORRELATE_AFTER_SEC);
    if (!w) return out;
    for (let i = w.lo; i < w.hi; i++) {
      const c = w.items[i];
      if (c.dead || c.taken || c.pair === pairKey(ip, peer) || this.sessionsByPair.has(c.pair)) continue;
      const t = this.byTarget.latest(c.respKey, c.start + CORRELATE_BEFORE_SEC);
      if (t && t.session !== s) continue;
      out.push(this.summaryOf(c));
    }
    return out;
  }

  /** Session `s` uses candidate `id` (one of its `strays`). */
  take(id: number): void {
    const c = this.candidates.get(id);
    if (c) c.taken = true;
  }

  /**
   * Connections between this session's two hosts that no announcement explains (all of them after
   * AUTH TLS), started while its control connection was open: this session's, unless a session
   * between the same hosts started later and was also open then (concurrent sessions).
   */
  leftovers(s: PoolSession): ConnectionSummary[] {
    const out: ConnectionSummary[] = [];
    const pair = pairKey(s.client.ip, s.server.ip);
    const rivals = this.sessionsByPair.get(pair);
    const w = this.byPair.window(pair, s.start, s.end + CORRELATE_AFTER_SEC);
    if (!w) return out;
    next: for (let i = w.lo; i < w.hi; i++) {
      const c = w.items[i];
      if (c.dead || c.taken) continue;
      // Another open session's announcement names its endpoint: that session will claim it.
      const t = this.byTarget.latest(c.respKey, c.start + CORRELATE_BEFORE_SEC);
      if (t && t.session !== s) continue;
      if (rivals) for (const o of rivals) if (o !== s && o.start > s.start && o.start <= c.start && c.start <= o.end + CORRELATE_AFTER_SEC) continue next;
      c.taken = true;
      out.push(this.summaryOf(c));
    }
    return out;
  }
}

/**
 * Half announcements (`used`: those a connection between the session's hosts answered) not
 * answered by a connection between the session's hosts, each paired with
 * the connection its initiator opened to a third address (`strays`: all from the initiator's host,
 * the side captured), or with none. In order, each takes the earliest stray not taken that started
 * after it (an active one from CORRELATE_BEFORE_SEC before it: pyftpdlib connects on PORT/EPRT and
 * answers once connected; one whose reply says the server tried, from the half before it), before
 * the next half announcement and before its transfer's final reply. A refused one (the server's 500/501 to the command) takes none; one superseded by the
 * next before any transfer command, with no connection, is left out. The frames that show a
 * pair: the half (PASV sent, or the server's 200), then the initiator's SYN to that address.
 */
export function halfPairs(halves: readonly HalfAnnouncement[], used: ReadonlySet<HalfAnnouncement>, strays: readonly ConnectionSummary[]): { half: HalfAnnouncement; conn: ConnectionSummary | null }[] {
  const taken = new Set<ConnectionSummary>();
  const out: { half: HalfAnnouncement; conn: ConnectionSummary | null }[] = [];
  halves.forEach((half, i) => {
    if (used.has(half)) return;
    if (half.refused) return out.push({ half, conn: null });
    const at = half.at.sec + half.at.nsec / 1e9;
    const prev = halves[i - 1];
    const from = half.tried ? (prev ? prev.at.sec + prev.at.nsec / 1e9 : -Infinity) : isActiveKind(half.kind) ? at - CORRELATE_BEFORE_SEC : at;
    const next = halves[i + 1];
    const final = half.transfer?.final ?? null;
    const to = Math.min(next ? next.at.sec + next.at.nsec / 1e9 : Infinity, final ? final.at.sec + final.at.nsec / 1e9 : Infinity);
    const conn = strays.find((c) => !taken.has(c) && startOf(c) >= from && startOf(c) < to) ?? null;
    if (conn) taken.add(conn);
    // Superseded: another announcement followed before any transfer command (a client trying LPSV,
    // then PASV when the server refused it): no data connection was expected from this one.
    if (conn === null && half.transfer === null && !half.tried && next !== undefined) return;
    out.push({ half, conn });
  });
  return out;
}
