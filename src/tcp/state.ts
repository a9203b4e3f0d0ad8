/**
 * Connection state as a table (STYLE.md §3): each direction's endpoint has a state, one `step`
 * moves it per segment, and the connection's Zeek-like `conn_state` is a pure function of the two
 * endpoints (`connState`). Written from Zeek's documented definitions (conn.log `conn_state`,
 * scripts/base/protocols/conn/main.zeek), not from its code.
 *
 * Endpoint states (the sender of a direction; "originator" = who sent the first SYN):
 *   INACTIVE      nothing seen from it
 *   SYN_SENT      it sent a SYN (no ACK)
 *   SYN_ACK_SENT  it sent a SYN+ACK
 *   PARTIAL       it sent segments, but its SYN was never seen (mid-stream pickup)
 *   ESTABLISHED   the handshake completed (or a missed SYN-ACK is implied by traffic both ways)
 *   CLOSED        it sent a FIN
 *   RESET         it sent a RST
 *
 * conn_state mapping (o = originator, r = responder; "o quiet" = o is INACTIVE or PARTIAL):
 *
 * | state  | Zeek's definition                                                   | condition here                                  |
 * |--------|---------------------------------------------------------------------|-------------------------------------------------|
 * | REJ    | connection attempt rejected                                         | r RESET, o SYN_SENT/SYN_ACK_SENT, or both RESET with no payload |
 * | RSTRH  | responder sent a SYN ACK followed by a RST, never saw a SYN from o  | r RESET, o quiet                                |
 * | RSTR   | responder sent a RST                                                | r RESET otherwise                               |
 * | RSTOS0 | originator sent a SYN followed by a RST, never saw a SYN-ACK        | o RESET, r quiet, o sent a SYN, r no SYN-ACK    |
 * | OTH    | (o RESET, r quiet, no SYN from o)                                   | o RESET, r quiet otherwise                      |
 * | RSTO   | connection established, originator aborted (sent a RST)             | o RESET, r not quiet                            |
 * | SF     | normal establishment and termination                                | both CLOSED                                     |
 * | SH     | originator sent a SYN followed by a FIN, never saw a SYN ACK        | o CLOSED, r quiet                               |
 * | S2     | established, close attempt by originator seen (no reply)            | o CLOSED, r not quiet                           |
 * | SHR    | responder sent a SYN ACK followed by a FIN, never saw a SYN         | r CLOSED, o quiet                               |
 * | S3     | established, close attempt by responder seen (no reply)             | r CLOSED, o not quiet                           |
 * | S0     | connection attempt seen, no reply                                   | o SYN_SENT, r INACTIVE                          |
 * | S1     | connection established, not terminated                              | both ESTABLISHED                                |
 * | OTH    | no SYN seen, just midstream traffic                                 | anything else                                   |
 *
 * The rows are tried top to bottom, RST first (a reset decides the state whatever else was seen),
 * then FINs, then the handshake, as Zeek does.
 */
import { TcpFlag } from '../decode/packet.js';

export const EndpointState = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;
export type EndpointState = (typeof EndpointState)[keyof typeof EndpointState];

export const ENDPOINT_STATE_NAMES = [
  'inactive',
  'syn-sent',
  'syn-ack-sent',
  'partial',
  'established',
  'closed',
  'reset',
] as const;
export type EndpointStateName = (typeof ENDPOINT_STATE_NAMES)[number];

export const CONN_STATES = [
  'S0',
  'S1',
  'SF',
  'REJ',
  'S2',
  'S3',
  'RSTO',
  'RSTR',
  'RSTOS0',
  'RSTRH',
  'SH',
  'SHR',
  'OTH',
] as const;
export type ConnState = (typeof CONN_STATES)[number];

/** What connState reads of one endpoint. */
export interface EndpointFacts {
  readonly state: EndpointState;
  /** It sent a SYN without ACK. */
  readonly sentSyn: boolean;
  /** It sent a SYN+ACK. */
  readonly sentSynAck: boolean;
  /** Payload bytes it sent (sequence space). */
  readonly bytes: number;
}

const S = EndpointState;

function quiet(s: EndpointState): boolean {
  return s === S.INACTIVE || s === S.PARTIAL;
}

/** Zeek-like conn_state of a connection: a pure function of its two endpoints. */
export function connState(o: EndpointFacts, r: EndpointFacts): ConnState {
  const os = o.state;
  const rs = r.state;
  if (rs === S.RESET) {
    if (os === S.SYN_SENT || os === S.SYN_ACK_SENT || (os === S.RESET && o.bytes === 0 && r.bytes === 0)) return 'REJ';
    return quiet(os) ? 'RSTRH' : 'RSTR';
  }
  if (os === S.RESET) {
    if (quiet(rs)) return o.sentSyn && !r.sentSynAck ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (os === S.CLOSED && rs === S.CLOSED) return 'SF';
  if (os === S.CLOSED) return quiet(rs) ? 'SH' : 'S2';
  if (rs === S.CLOSED) return quiet(os) ? 'SHR' : 'S3';
  if (os === S.SYN_SENT && rs === S.INACTIVE) return 'S0';
  if (os === S.ESTABLISHED && rs === S.ESTABLISHED) return 'S1';
  return 'OTH';
}

/**
 * One endpoint's next state when it sends a segment with `flags`, given its peer's state.
 * Non-SYN traffic completes a handshake: from SYN_SENT/SYN_ACK_SENT once the peer has answered
 * (or also sent a SYN: simultaneous open, RFC 9293 §3.5 figure 8), and from INACTIVE when the peer
 * is waiting in SYN_SENT/SYN_ACK_SENT (the capture missed this endpoint's SYN-ACK or SYN).
 * `promotesPeer` says when the peer moves to ESTABLISHED with it.
 */
export function step(self: EndpointState, peer: EndpointState, flags: number): EndpointState {
  if ((flags & TcpFlag.RST) !== 0 || self === S.RESET) return S.RESET;
  if ((flags & TcpFlag.FIN) !== 0 || self === S.CLOSED) return S.CLOSED;
  if ((flags & TcpFlag.SYN) !== 0) {
    if ((flags & TcpFlag.ACK) !== 0) return self === S.INACTIVE || self === S.SYN_SENT ? S.SYN_ACK_SENT : self;
    return self === S.INACTIVE ? S.SYN_SENT : self;
  }
  switch (self) {
    case S.INACTIVE:
      return peer === S.SYN_SENT || peer === S.SYN_ACK_SENT ? S.ESTABLISHED : S.PARTIAL;
    case S.SYN_SENT:
      return peer === S.INACTIVE ? S.SYN_SENT : S.ESTABLISHED;
    case S.SYN_ACK_SENT:
      return peer === S.SYN_SENT || peer === S.SYN_ACK_SENT || peer === S.ESTABLISHED ? S.ESTABLISHED : S.SYN_ACK_SENT;
    default:
      return self;
  }
}

/** After `step` moved an endpoint to ESTABLISHED: does its peer, still in a SYN state, follow? */
export function promotesPeer(next: EndpointState, peer: EndpointState): boolean {
  return next === S.ESTABLISHED && (peer === S.SYN_SENT || peer === S.SYN_ACK_SENT);
}
