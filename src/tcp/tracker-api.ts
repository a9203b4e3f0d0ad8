/**
 * What TcpTracker offers and takes (tracker.ts): its events, options, bounds and counters.
 *
 * Events (`TcpEvents`, all optional, for ALL connections, in this order per connection):
 *   opened(c)        its first packet (a SYN, or any segment when picked up mid-stream), before
 *                    that packet is counted: addresses, ports, id and midStream are set
 *   inspect(c, d, b) the first payload of each direction, until a hook returns a sink: return a
 *                    StreamSink to follow the connection from this byte on (FTP on any port);
 *                    `b` is a view valid only during the call
 *   established(c)   the handshake completed (SYN, SYN+ACK, ACK; simultaneous open too)
 *   reset(c, d)      the first RST, sent in direction d (that direction's stream ends; the other
 *                    one still delivers bytes in flight, and ends with its FIN, RST or removal)
 *   closed(c)        FINs seen both ways
 *   removed(s, why)  it left the tracker, with its final summary: `idle` or `capacity` (evicted),
 *                    `port-reuse` (a new SYN on its 4-tuple), `end-of-capture` (finish())
 *   gone(c, why)     the same moment, just before `removed`, with the Connection itself: for a
 *                    consumer that keeps few connections, which asks those for c.record(why) (or
 *                    c.summary(why)) and builds nothing for the others
 * `opened`, `gone` and `removed` come exactly once per connection; the others at most once. A followed
 * connection's sink gets `end()` before `removed`, at the latest. Callbacks must not call
 * `packet()`; they may call `follow`/`attach`. A `Connection` is valid until its `gone` and `removed` events
 * return: the object is then recycled for another connection (a SYN flood allocates nothing);
 * keep its summary or the fields you need, never the object.
 */
import {
  TCP_ATTEMPT_TIMEOUT_SEC,
  TCP_CLOSED_TIMEOUT_SEC,
  TCP_IDLE_TIMEOUT_SEC,
  TCP_MAX_CLOSED_CONNECTIONS,
  TCP_MAX_CONNECTIONS,
  TCP_MAX_PENDING_FOLLOWS,
} from '../limits.js';
import { DEFAULT_REASSEMBLY_LIMITS, type ReassemblyCounters, type ReassemblyLimits } from './budget.js';
import type { Connection, ConnectionSummary, RemovalReason } from './connection.js';
import type { Direction, StreamSink } from './stream.js';

export interface TcpEvents {
  opened?(c: Connection): void;
  inspect?(c: Connection, dir: Direction, firstBytes: Buffer): StreamSink | null;
  established?(c: Connection): void;
  reset?(c: Connection, dir: Direction): void;
  closed?(c: Connection): void;
  gone?(c: Connection, reason: RemovalReason): void;
  removed?(summary: ConnectionSummary, reason: RemovalReason): void;
}

export interface TrackerLimits extends ReassemblyLimits {
  maxConnections: number;
  /** Of maxConnections, those closed or reset (at least 1). */
  maxClosedConnections: number;
  idleTimeoutSec: number;
  attemptTimeoutSec: number;
  closedTimeoutSec: number;
  maxPendingFollows: number;
}

export const DEFAULT_TRACKER_LIMITS: TrackerLimits = {
  ...DEFAULT_REASSEMBLY_LIMITS,
  maxConnections: TCP_MAX_CONNECTIONS,
  maxClosedConnections: TCP_MAX_CLOSED_CONNECTIONS,
  idleTimeoutSec: TCP_IDLE_TIMEOUT_SEC,
  attemptTimeoutSec: TCP_ATTEMPT_TIMEOUT_SEC,
  closedTimeoutSec: TCP_CLOSED_TIMEOUT_SEC,
  maxPendingFollows: TCP_MAX_PENDING_FOLLOWS,
};

export interface TcpTrackerOptions {
  events?: TcpEvents;
  /** Bounds (defaults from limits.ts); tests lower them to cross them cheaply. */
  limits?: Partial<TrackerLimits>;
}

/** Counters of everything the tracker did or dropped (stable names for the `limits` report). */
export interface TcpCounters extends ReassemblyCounters {
  packets: number;
  connections: number;
  /** Connections tracked at the moment, and the most at once. */
  liveConnections: number;
  peakConnections: number;
  evictedIdle: number;
  evictedCapacity: number;
  portReuse: number;
  synRetransmits: number;
  /** SYN retransmissions past TCP_MAX_SYN_RETRANSMIT_FRAMES in one connection: counted in its
   * `synRetransmits`, their frames not listed. */
  synRetransmitFramesUnlisted: number;
  followsDropped: number;
}
