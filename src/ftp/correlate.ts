/**
 * The correlator (DESIGN.md §2.4): each announcement is an expected data connection; it is matched
 * with the TCP connection that followed it.
 *
 * An expectation names the endpoint that will be connected to: the client's announced address and
 * port for active modes (PORT, EPRT, LPRT: the server connects), the announced address and port for
 * passive modes (PASV, LPSV: the client connects), or the control connection's server address for
 * EPSV. Clients that ignore a 227 address (NAT, curl's default) connect to the control server's
 * address instead: that is the fallback, and the report says which address was really used.
 *
 * Order is not guaranteed (a data SYN can be read before the reply that announces it), so a
 * candidate may start up to CORRELATE_BEFORE_SEC before its announcement. Candidates are tried in
 * this order of preference: the expected initiator's address, then started after the
 * announcement, then the earliest. Each TCP connection serves at most one expectation; further
 * connections to the same endpoint within the window are counted as retries of it.
 */
import type { ConnectionSummary } from '../tcp/index.js';
import { ANNOUNCE_SLACK_SEC, CORRELATE_AFTER_SEC, CORRELATE_BEFORE_SEC } from '../limits.js';
import type { Endpoint, Initiator } from './model.js';
import type { AnnouncementRec } from './session.js';

export interface Expectation {
  readonly announcement: AnnouncementRec;
  readonly initiator: Initiator;
  /** Endpoint that should be connected to (announced, or server address for EPSV). */
  readonly target: Endpoint;
  /** For passive modes whose announced address differs from the control server's. */
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
  /** More connections to the same endpoint in the window (client retries). */
  readonly retries: number;
}

export function startOf(c: ConnectionSummary): number {
  return c.startSec + c.startNsec / 1e9;
}

export function isActiveKind(kind: string): boolean {
  return kind === 'active' || kind === 'extended-active' || kind === 'long-active';
}

/** Builds the expectations of one session's announcements. `until` is the session's end. */
export function expectationsOf(announcements: readonly AnnouncementRec[], client: Endpoint, server: Endpoint, until: number): Expectation[] {
  return announcements.map((a, i) => {
    const at = a.at.sec + a.at.nsec / 1e9;
    const next = announcements[i + 1];
    const nextAt = next ? next.at.sec + next.at.nsec / 1e9 : Math.max(until, at);
    const active = isActiveKind(a.kind);
    const ip = a.ip ?? server.ip;
    return {
      announcement: a,
      initiator: active ? 'server' : 'client',
      target: { ip: active ? (a.ip ?? client.ip) : ip, port: a.port },
      fallback: !active && ip !== server.ip ? { ip: server.ip, port: a.port } : null,
      initiatorIp: active ? server.ip : client.ip,
      from: at - CORRELATE_BEFORE_SEC,
      to: Math.max(nextAt, at) + CORRELATE_AFTER_SEC,
      next: Math.max(nextAt, at),
    };
  });
}

const key = (ip: string, port: number): string => `${ip}|${port}`;
const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Candidates indexed by responder endpoint, each list in start order. */
export class CandidateIndex {
  private readonly byResp = new Map<string, ConnectionSummary[]>();
  /** The host-pair index (DESIGN.md §2.4): connections by unordered address pair. */
  private readonly byPair = new Map<string, ConnectionSummary[]>();
  readonly used = new Set<number>();

  constructor(candidates: readonly ConnectionSummary[]) {
    const add = (m: Map<string, ConnectionSummary[]>, k: string, c: ConnectionSummary) => {
      let l = m.get(k);
      if (!l) m.set(k, (l = []));
      l.push(c);
    };
    for (const c of candidates) {
      add(this.byResp, key(c.resp.ip, c.resp.port), c);
      add(this.byPair, pairKey(c.orig.ip, c.resp.ip), c);
    }
    const byStart = (a: ConnectionSummary, b: ConnectionSummary) => startOf(a) - startOf(b) || a.id - b.id;
    for (const l of this.byResp.values()) l.sort(byStart);
    for (const l of this.byPair.values()) l.sort(byStart);
  }

  /**
   * Matches every expectation (of all sessions) with the connections that followed. Connection-
   * centric: each connection, in start order, goes to the expectation that best explains it among
   * those naming its responder endpoint within their window: the expected initiator's address
   * first, then the announced endpoint before the fallback, then the most recent announcement at or
   * before its start (a client connects right after the 227; sessions that reuse the same passive
   * port one after another must not take each other's connections), then the earliest after it
   * (reordered reply). A connection that finds only expectations already matched with a failed
   * attempt (no SYN-ACK) is a retry of it, if it starts before that session's next announcement.
   */
  correlate(expectations: readonly Expectation[]): Map<Expectation, Match> {
    const byTarget = new Map<string, { e: Expectation; fallback: boolean }[]>();
    const add = (k: string, v: { e: Expectation; fallback: boolean }) => {
      let l = byTarget.get(k);
      if (!l) byTarget.set(k, (l = []));
      l.push(v);
    };
    for (const e of expectations) {
      add(key(e.target.ip, e.target.port), { e, fallback: false });
      if (e.fallback) add(key(e.fallback.ip, e.fallback.port), { e, fallback: true });
    }
    const out = new Map<Expectation, { conn: ConnectionSummary; usedFallback: boolean; retries: number }>();
    const all = [...this.byResp.entries()].filter(([k]) => byTarget.has(k)).flatMap(([, l]) => l);
    all.sort((a, b) => startOf(a) - startOf(b) || a.id - b.id);
    for (const c of all) {
      if (this.used.has(c.id)) continue;
      const start = startOf(c);
      const options = (byTarget.get(key(c.resp.ip, c.resp.port)) ?? []).filter(({ e }) => start >= e.from && start <= e.to);
      if (options.length === 0) continue;
      const open = options.filter(({ e }) => !out.has(e));
      if (open.length > 0) {
        const at = (e: Expectation) => e.announcement.at.sec + e.announcement.at.nsec / 1e9;
        const rank = ({ e, fallback }: { e: Expectation; fallback: boolean }): [number, number] => {
          const d = start - at(e);
          // After the announcement; just before it (clock skew between interfaces); well before it
          // (a reordered or retransmitted reply).
          const when = d >= 0 ? 0 : d >= -ANNOUNCE_SLACK_SEC ? 1 : 2;
          // Lower is better: initiator address, announced endpoint before fallback, then timing.
          const cls = (c.orig.ip === e.initiatorIp ? 0 : 12) + (fallback ? 3 : 0) + when;
          // Among equals: the nearest announcement.
          return [cls, Math.abs(d)];
        };
        const best = open.map((o) => ({ o, r: rank(o) })).sort((x, y) => x.r[0] - y.r[0] || x.r[1] - y.r[1])[0].o;
        out.set(best.e, { conn: c, usedFallback: best.fallback, retries: 0 });
        this.used.add(c.id);
        continue;
      }
      // A retry of a failed attempt by the same initiator.
      for (const { e } of options) {
        const m = out.get(e);
        if (m && m.conn.synAckFrame === null && m.conn.orig.ip === c.orig.ip && start < e.next) {
          m.retries++;
          this.used.add(c.id);
          break;
        }
      }
    }
    return out;
  }

  /** Unused candidates between two hosts within [from, to]. */
  between(a: string, b: string, from: number, to: number): ConnectionSummary[] {
    const l = this.byPair.get(pairKey(a, b)) ?? [];
    return l.filter((c) => !this.used.has(c.id) && startOf(c) >= from && startOf(c) <= to);
  }
}
