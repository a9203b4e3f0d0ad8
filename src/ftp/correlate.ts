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
 * connection may start up to CORRELATE_BEFORE_SEC before its announcement. Each connection goes
 * to the expectation that explains it best (`rank`); the analyzer applies it across every session
 * still open, so that sessions reusing one passive port take their connections in turn.
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
