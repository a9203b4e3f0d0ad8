/**
 * The bound on FTP sessions held at once. A session is held from its control connection's first
 * byte until it is finalized, which happens FINALIZE_GRACE_SEC of capture time after that
 * connection ended: memory follows the sessions inside that grace, and nothing in the capture
 * bounds how many there are (a scanner or a password spray on a fleet of port-21 servers opens
 * thousands a second; 100,000 sessions at one timestamp never see the grace pass). Past a bound
 * the analyzer finalizes a session early, as the TCP tracker evicts connections at its capacity:
 *
 * - past MAX_SESSIONS_IN_GRACE ended sessions, the one that ended first (the next due anyway);
 * - past MAX_SESSIONS_HELD sessions in all, an ended one first, else the oldest live one (its
 *   control connection is then no longer followed: the report says what it held so far).
 *
 * Each is counted (`limits.ftp-sessions-finalized-early`): what it costs is what the grace was
 * for, a data connection or a reply arriving after the session was finalized is not seen by it
 * (the connection is reported as unexplained or not at all, the session's transfer without it).
 */
import { MAX_SESSIONS_HELD, MAX_SESSIONS_IN_GRACE } from '../limits.js';

/** The bounds (tests pass small ones). */
export interface SessionBounds {
  /** Sessions held at once, live and ended. */
  readonly held: number;
  /** Of those, sessions whose control connection ended, waiting for FINALIZE_GRACE_SEC. */
  readonly ended: number;
}

export const DEFAULT_SESSION_BOUNDS: SessionBounds = { held: MAX_SESSIONS_HELD, ended: MAX_SESSIONS_IN_GRACE };

/** Sessions held, in the order they were followed and (of the ended ones) in the order they
 * ended: a Set keeps insertion order, so the oldest of each is its first entry (O(1)). */
export class SessionPressure<S> {
  private readonly held = new Set<S>();
  private readonly inGrace = new Set<S>();

  constructor(private readonly bounds: SessionBounds = DEFAULT_SESSION_BOUNDS) {}

  /** A session is followed. */
  add(s: S): void {
    this.held.add(s);
  }

  /** Its control connection ended (closed, reset or gone): it waits for its grace. */
  ended(s: S): void {
    if (this.held.has(s)) this.inGrace.add(s);
  }

  /** It was finalized (in its time or early). */
  gone(s: S): void {
    this.held.delete(s);
    this.inGrace.delete(s);
  }

  /** The session to finalize early now, or null while within the bounds. */
  victim(): S | null {
    if (this.inGrace.size <= this.bounds.ended && this.held.size <= this.bounds.held) return null;
    const v = first(this.inGrace) ?? first(this.held);
    return v ?? null;
  }
}

function first<S>(set: Set<S>): S | undefined {
  for (const s of set) return s;
  return undefined;
}
