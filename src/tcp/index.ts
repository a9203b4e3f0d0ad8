/**
 * Stage 3, tcp (docs/design.md §2): connection tracking and stream reassembly.
 *
 * Entry: `TcpTracker` (feed it `packet(p)` for each decoded TCP segment, then `finish()`), or
 * `connectionsOf(packets)` for the summaries alone. Hands on: `StreamSink` calls for followed
 * connections, `TcpEvents` for all, `ConnectionSummary` records.
 *
 * Files: sequence.ts (32-bit sequence arithmetic), flow.ts (numeric flow keys), state.ts
 * (endpoint states, conn_state table), stream.ts (the StreamSink contract), reassembly.ts (one
 * direction: ordering, gaps), budget.ts (bounds and counters all directions share),
 * half-fields.ts (a direction's compact memory layout), connection.ts (a connection, its history
 * and summary), tracker.ts (the table, lifecycle, eviction), tracker-api.ts (its events, options,
 * bounds, counters), follows.ts (subscriptions waiting for their connection), icmp-rejection.ts
 * (ICMP unreachable: believed or not), conn-log.ts (conn.log line and JSON).
 */
export { TcpTracker, connectionsOf } from './tracker.js';
export {
  DEFAULT_TRACKER_LIMITS,
  type TcpEvents,
  type TcpTrackerOptions,
  type TcpCounters,
  type TrackerLimits,
} from './tracker-api.js';
export type {
  Connection,
  CaptureTime,
  ConnectionSummary,
  ConnRecord,
  DirectionSummary,
  EndpointAddress,
  EndpointPair,
  IcmpRejection,
  RemovalReason,
} from './connection.js';
export type { Direction, SegmentInfo, StreamSink } from './stream.js';
export type { ReassemblyCounters } from './budget.js';
export type { FourTuple } from './flow.js';
export { CONN_STATES, connState, ENDPOINT_STATE_NAMES, type ConnState, type EndpointFacts, type EndpointStateName } from './state.js';
export {
  connLogLine,
  connectionJson,
  CONN_LOG_HEADER,
  isoTimeNs,
  durationText,
  type ConnectionJson,
  type DirectionJson,
} from './conn-log.js';
export { seqDiff, seqAdd, seqLt, seqLeq, seqGt, seqGeq } from './sequence.js';
