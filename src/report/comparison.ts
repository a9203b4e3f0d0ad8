/**
 * The `comparison` section of a report made from captures of the same traffic taken at several
 * points of the path (`analyze --at NAME=FILE ...`): which sessions each point saw, where each data
 * connection's packets stopped, the address translations between points and the clock offset
 * between each pair of taps. Computed by src/compare/; names and string values are the report
 * contract (JSON, NDJSON, text, HTML).
 */
import type { Endpoint, SessionReport } from '../ftp/model.js';
import { termSafe } from './escape.js';

/**
 * Where a data connection's packets went, along the points ordered from the client's side to the
 * server's:
 *   crossed            the handshake (or the far side's refusal) was seen at every point
 *   dropped-between    the initiator's SYNs reached one point and not the next
 *   rejected-between   the same, with an ICMP destination unreachable coming back at the near point
 *   answer-dropped-between  the SYNs crossed; the SYN-ACKs reached one point and not the next
 *   beyond-points      the SYNs crossed every point and no answer came back to any: lost beyond the
 *                      last point, or the responder never answered
 *   not-attempted      no point saw a SYN
 *   unknown            the points disagree in a way no single loss explains (a tap missed frames)
 */
export type PathVerdict = 'crossed' | 'dropped-between' | 'rejected-between' | 'answer-dropped-between' | 'beyond-points' | 'not-attempted' | 'unknown';

/** A connection's endpoints as one point saw them. */
export interface PointEndpoints {
  point: string;
  client: Endpoint;
  server: Endpoint;
}

/** An address translation between two points: the same connection with other endpoints. */
export interface Translation {
  /** Nearer the client. */
  from: PointEndpoints;
  to: PointEndpoints;
}

/** One data connection at one point. */
export interface PointFrames {
  point: string;
  /** The data connection's id in that point's session; null when its session there has none. */
  dataConnection: number | null;
  /** The initiator's SYNs (first and retransmissions) and the answers' SYN-ACKs, as captured there. */
  synFrames: number[];
  synAckFrames: number[];
  firstFrame: number | null;
  lastFrame: number | null;
}

export interface PathReport {
  /** The data connection's id in the session of the first point, when that point saw it. */
  dataConnection: number | null;
  initiator: 'client' | 'server';
  path: PathVerdict;
  /** The two points the packets stopped between (dropped/rejected/answer-dropped), near side first. */
  between: [string, string] | null;
  sentence: string;
  frames: PointFrames[];
  nat: Translation | null;
}

export interface SessionComparison {
  /** The session's id in the first point's report, null when that point did not see it. */
  session: number | null;
  /** The points that saw the control connection, with the session's id and endpoints there. */
  points: (PointEndpoints & { session: number })[];
  nat: Translation | null;
  dataConnections: PathReport[];
}

export interface ClockOffset {
  /** Seconds to add to `b`'s timestamps to put them on `a`'s clock (b's clock ahead: negative). */
  a: string;
  b: string;
  offsetSeconds: number | null;
  /** Matched packets the estimate rests on (SYNs and SYN-ACKs seen at both points). */
  samples: number;
}

export interface Comparison {
  /** The points in path order, from the client's side to the server's, with their files. */
  points: { name: string; file: string; sessions: number }[];
  /** How the path order was found: control handshakes' SYN→SYN-ACK times (the longer, the
   * nearer the client), the reports' capture-point guess, or the order given. */
  order: 'handshake-times' | 'capture-point' | 'as-given';
  offsets: ClockOffset[];
  sessions: SessionComparison[];
}

/** What a report writer needs to draw a session as every point saw it (`ReportSink.points`): the
 * comparison, and each point's sessions (index = `comparison.points`, path order). */
export interface ComparedPoints {
  readonly comparison: Comparison;
  readonly sessions: readonly (readonly SessionReport[])[];
  /** The point whose sessions the report holds (the first given), as an index of `sessions`. */
  readonly reportPoint: number;
}

const ep = (e: Endpoint): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

/** A translation in words: `client 10.0.0.10:40017 at inside is 203.0.113.1:40017 at outside`. */
export function translationText(t: Translation): string {
  const parts: string[] = [];
  if (ep(t.from.client) !== ep(t.to.client)) parts.push(`client ${ep(t.from.client)} at ${t.from.point} is ${ep(t.to.client)} at ${t.to.point}`);
  if (ep(t.from.server) !== ep(t.to.server)) parts.push(`server ${ep(t.from.server)} at ${t.from.point} is ${ep(t.to.server)} at ${t.to.point}`);
  return `NAT between ${t.from.point} and ${t.to.point}: ${parts.join('; ')}`;
}

/** The comparison as text lines (the text report's last section); every name from the command
 * line or the capture made safe for a terminal. */
export function comparisonText(c: Comparison): string[] {
  const out = ['', `capture points (client side first, by ${c.order}): ${c.points.map((p) => `${termSafe(p.name)}=${termSafe(p.file)} (${p.sessions} sessions)`).join(', ')}`];
  for (const o of c.offsets) out.push(`  clock offset ${termSafe(o.b)} -> ${termSafe(o.a)}: ${o.offsetSeconds === null ? 'unknown (no packet seen at both)' : `${(o.offsetSeconds * 1000).toFixed(3)} ms`} (${o.samples} packets)`);
  for (const s of c.sessions) {
    const first = s.points[0];
    out.push(`  session ${s.session ?? '-'} ${first ? `${ep(first.client)} -> ${ep(first.server)}` : ''} seen at ${s.points.map((p) => `${termSafe(p.point)} (session ${p.session})`).join(', ')}`);
    if (s.nat) out.push(`    ${termSafe(translationText(s.nat), 600)}`);
    for (const d of s.dataConnections) out.push(`    data ${d.dataConnection ?? '-'}: ${d.path}: ${termSafe(d.sentence, 800)}`);
  }
  return out;
}
