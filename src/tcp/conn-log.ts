/**
 * A connection summary as one conn.log-like text line and as a JSON object (pure functions; the
 * `connections` command prints them). Columns, tab-separated like Zeek's conn.log:
 *
 *   start  duration  orig_ip:port  resp_ip:port  state  history  orig_bytes  resp_bytes
 *   missed_bytes  orig_pkts  resp_pkts
 *
 * Times: start as ISO 8601 UTC with nanoseconds, duration in seconds with nanoseconds. Bytes are
 * payload bytes in sequence space (Zeek's orig_bytes/resp_bytes), missed both ways together (the
 * bytes the capture missed, with proof; unproven gaps are `unseenBytes`, in the JSON only).
 * IPv6 endpoints are written [addr]:port.
 */
import type { ConnectionSummary, DirectionSummary, EndpointAddress, IcmpRejection } from './connection.js';

/** ISO 8601 UTC with the full nanosecond fraction (`2026-11-26T13:01:46.123456789Z`). */
// Reports print thousands of times within the same second: the date part is formatted once per second.
let cachedSec = NaN;
let cachedDate = '';

export function isoTimeNs(sec: number, nsec: number): string {
  if (sec !== cachedSec) {
    cachedSec = sec;
    // Clamped to JavaScript's date range (a hostile pcapng timestamp lies beyond: RangeError).
    const iso = new Date(Math.min(Math.max(Math.floor(sec), -8.64e12), 8.64e12) * 1000).toISOString();
    cachedDate = iso.slice(0, iso.lastIndexOf('.'));
  }
  return `${cachedDate}.${String(nsec).padStart(9, '0')}Z`;
}

/** Duration between two (sec, nsec) instants as "S.NNNNNNNNN" (exact, no float rounding). */
export function durationText(s: ConnectionSummary): string {
  let sec = s.endSec - s.startSec;
  let nsec = s.endNsec - s.startNsec;
  if (nsec < 0) {
    nsec += 1_000_000_000;
    sec -= 1;
  }
  if (sec < 0) return '0.000000000';
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

export function endpointText(e: EndpointAddress): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export const CONN_LOG_HEADER = [
  'start',
  'duration',
  'orig',
  'resp',
  'state',
  'history',
  'orig_bytes',
  'resp_bytes',
  'missed_bytes',
  'orig_pkts',
  'resp_pkts',
].join('\t');

export function connLogLine(s: ConnectionSummary): string {
  return [
    isoTimeNs(s.startSec, s.startNsec),
    durationText(s),
    endpointText(s.orig),
    endpointText(s.resp),
    s.state,
    s.history === '' ? '-' : s.history,
    s.origSent.bytes,
    s.respSent.bytes,
    s.origSent.missedBytes + s.respSent.missedBytes,
    s.origSent.packets,
    s.respSent.packets,
  ].join('\t');
}

export interface DirectionJson {
  readonly packets: number;
  readonly bytes: number;
  readonly missedBytes: number;
  readonly unseenBytes: number;
  readonly snapCutBytes: number;
  readonly retransmittedBytes: number;
  readonly conflictingBytes: number;
  readonly state: string;
  readonly synFrame: number | null;
  readonly finFrame: number | null;
  readonly rstFrame: number | null;
}

export interface ConnectionJson {
  readonly id: number;
  readonly start: string;
  readonly end: string;
  readonly duration: number;
  readonly orig: EndpointAddress;
  readonly resp: EndpointAddress;
  readonly state: string;
  readonly history: string;
  readonly origBytes: number;
  readonly respBytes: number;
  readonly missedBytes: number;
  readonly origPackets: number;
  readonly respPackets: number;
  readonly midStream: boolean;
  readonly open: boolean;
  readonly removal: string;
  readonly frames: {
    readonly first: number;
    readonly last: number;
    readonly syn: number | null;
    readonly synRetransmits: readonly number[];
    /** Retransmissions past TCP_MAX_SYN_RETRANSMIT_FRAMES, not in `synRetransmits` (only when some are). */
    readonly synRetransmitsUnlisted?: number;
    readonly synAck: number | null;
    readonly established: number | null;
  };
  readonly origSent: DirectionJson;
  readonly respSent: DirectionJson;
  /** Only when an ICMP destination unreachable quoted the connection (ConnectionSummary.rejection). */
  readonly rejection?: IcmpRejection;
}

function directionJson(d: DirectionSummary): DirectionJson {
  return {
    packets: d.packets,
    bytes: d.bytes,
    missedBytes: d.missedBytes,
    unseenBytes: d.unseenBytes,
    snapCutBytes: d.snapCutBytes,
    retransmittedBytes: d.retransmittedBytes,
    conflictingBytes: d.conflictingBytes,
    state: d.state,
    synFrame: d.synFrame,
    finFrame: d.finFrame,
    rstFrame: d.rstFrame,
  };
}

/** The JSON object of one connection (also one NDJSON line). */
export function connectionJson(s: ConnectionSummary): ConnectionJson {
  return {
    id: s.id,
    start: isoTimeNs(s.startSec, s.startNsec),
    end: isoTimeNs(s.endSec, s.endNsec),
    duration: Number(durationText(s)),
    orig: { ip: s.orig.ip, port: s.orig.port },
    resp: { ip: s.resp.ip, port: s.resp.port },
    state: s.state,
    history: s.history,
    origBytes: s.origSent.bytes,
    respBytes: s.respSent.bytes,
    missedBytes: s.origSent.missedBytes + s.respSent.missedBytes,
    origPackets: s.origSent.packets,
    respPackets: s.respSent.packets,
    midStream: s.midStream,
    open: s.open,
    removal: s.removal,
    frames: {
      first: s.firstFrame,
      last: s.lastFrame,
      syn: s.synFrame,
      synRetransmits: s.synRetransmitFrames,
      ...(s.synRetransmits > s.synRetransmitFrames.length ? { synRetransmitsUnlisted: s.synRetransmits - s.synRetransmitFrames.length } : {}),
      synAck: s.synAckFrame,
      established: s.establishedFrame,
    },
    origSent: directionJson(s.origSent),
    respSent: directionJson(s.respSent),
    ...(s.rejection ? { rejection: s.rejection } : {}),
  };
}
