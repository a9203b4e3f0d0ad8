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
import { CORRELATE_AFTER_SEC, CORRELATE_BEFORE_SEC } from '../limits.js';
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

  private pick(e: Expectation, target: Endpoint): ConnectionSummary[] {
    const l = this.byResp.get(key(target.ip, target.port));
    if (!l) return [];
    return l.filter((c) => !this.used.has(c.id) && startOf(c) >= e.from && startOf(c) <= e.to);
  }

  match(e: Expectation): Match | null {
    const at = e.announcement.at.sec + e.announcement.at.nsec / 1e9;
    for (const [target, usedFallback] of [[e.target, false], ...(e.fallback ? [[e.fallback, true]] : [])] as [Endpoint, boolean][]) {
      const found = this.pick(e, target);
      if (found.length === 0) continue;
      const score = (c: ConnectionSummary): number => (c.orig.ip === e.initiatorIp ? 0 : 2) + (startOf(c) >= at - 0.001 ? 0 : 1);
      const best = [...found].sort((a, b) => score(a) - score(b) || startOf(a) - startOf(b))[0];
      this.used.add(best.id);
      // Retries: other connections from the same initiator address to the same endpoint, before the next announcement.
      let retries = 0;
      for (const c of found) {
        if (c !== best && c.orig.ip === best.orig.ip && !this.used.has(c.id)) {
          this.used.add(c.id);
          retries++;
        }
      }
      return { conn: best, usedFallback, retries };
    }
    return null;
  }

  /** Unused candidates between two hosts within [from, to]. */
  between(a: string, b: string, from: number, to: number): ConnectionSummary[] {
    const l = this.byPair.get(pairKey(a, b)) ?? [];
    return l.filter((c) => !this.used.has(c.id) && startOf(c) >= from && startOf(c) <= to);
  }
}
