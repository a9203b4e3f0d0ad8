/**
 * Facts about a session or data connection that the event formats (ECS ndjson.ts, OCSF ocsf.ts)
 * both write: IP family, ECS network.direction, the Community ID flow key, durations, the time an
 * event carries, the file a transfer moved, and per-client spans for cross-session findings.
 *
 * Contract: pure functions of the report model (trackClient updates the map it is given); the
 * same inputs give the same text in every format, so a SIEM joining ECS and OCSF events (or
 * Zeek's and Suricata's, by community_id) sees one flow.
 */
import { createHash } from 'node:crypto';
import { parseIp } from '../decode/address.js';
import { isPrivateAddress } from '../ftp/announce.js';
import type { DataConnectionReport, Finding, SessionReport } from '../ftp/model.js';

/** Transfer commands by what they do with a file (RFC 959 §4.1.3, RFC 3659 §7). */
const DOWNLOADS = new Set(['RETR']);
const UPLOADS = new Set(['STOR', 'STOU', 'APPE']);

export function isV6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * ECS network.direction, as Elasticsearch's network_direction processor computes it with the
 * internal networks private (RFC 1918, fc00::/7), shared (100.64.0.0/10, RFC 6598), link-local
 * and loopback: the addresses not reachable from the Internet (isPrivateAddress).
 */
export function networkDirection(src: string, dst: string): 'internal' | 'inbound' | 'outbound' | 'external' {
  const s = isPrivateAddress(src);
  const d = isPrivateAddress(dst);
  return s && d ? 'internal' : s ? 'outbound' : d ? 'inbound' : 'external';
}

/**
 * Community ID v1 of a TCP flow (github.com/corelight/community-id-spec, seed 0): the flow key Zeek,
 * Suricata and Elastic's community_id processor write, so a SIEM joins these events with theirs.
 * SHA-1 over seed, the two addresses, protocol 6, a pad byte and the two ports, the lower
 * (address, port) end first; base64, prefixed "1:". Null when an end or port is unknown.
 */
export function communityId(src: string, sport: number | undefined, dst: string, dport: number | undefined): string | null {
  const a = parseIp(src);
  const b = parseIp(dst);
  if (!a || !b || a.length !== b.length || sport === undefined || dport === undefined) return null;
  const c = Buffer.compare(a, b);
  const swap = c > 0 || (c === 0 && sport > dport);
  const [ip1, p1, ip2, p2] = swap ? [b, dport, a, sport] : [a, sport, b, dport];
  const tail = Buffer.alloc(6);
  tail.writeUInt8(6, 0);
  tail.writeUInt16BE(p1, 2);
  tail.writeUInt16BE(p2, 4);
  return `1:${createHash('sha1').update(Buffer.alloc(2)).update(ip1).update(ip2).update(tail).digest('base64')}`;
}

/** Nanoseconds between two report times (ISO 8601 with 9 fractional digits). */
export function durationNs(start: string, end: string): number {
  const ms = Date.parse(end) - Date.parse(start);
  const frac = (t: string): number => Number((/\.(\d+)Z$/.exec(t)?.[1] ?? '0').padEnd(9, '0').slice(3, 9));
  return Math.max(0, ms * 1e6 + frac(end) - frac(start));
}

/** The time a data connection's event carries: its TCP start, else its session's start. */
export function dataTime(s: SessionReport, d: DataConnectionReport): string {
  return d.tcp?.start ?? s.start;
}

/** The time a finding's event carries: that of the data connection it concerns, else the session's. */
export function findingTime(s: SessionReport, f: Finding): string {
  const d = f.dataConnection !== undefined ? s.dataConnections[f.dataConnection - 1] : undefined;
  return d ? dataTime(s, d) : s.start;
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 && i < path.length - 1 ? path.slice(i + 1) : path;
}

/** The file a transfer moved, when the command names one. */
export function transferFile(d: DataConnectionReport): { path: string; name: string } | null {
  if (!d.command || !(DOWNLOADS.has(d.command) || UPLOADS.has(d.command))) return null;
  const path = d.path ?? d.argument;
  if (!path) return null;
  return { path, name: basename(path) };
}

/** Per-client first/last session time and servers, for findings that span sessions. `servers` is
 * an array searched in turn (at most MAX_SPAN_SERVERS): up to MAX_EVENT_CLIENT_SPANS of these
 * live until the end, and a Set of one address costs several times an array of one. */
export interface ClientSpan {
  first: string;
  last: string;
  servers: string[];
}
const MAX_SPAN_SERVERS = 16;

export function trackClient(spans: Map<string, ClientSpan>, s: SessionReport): void {
  const c = spans.get(s.client.ip);
  if (!c) {
    spans.set(s.client.ip, { first: s.start, last: s.end, servers: [s.server.ip] });
    return;
  }
  if (s.start < c.first) c.first = s.start;
  if (s.end > c.last) c.last = s.end;
  if (c.servers.length < MAX_SPAN_SERVERS && !c.servers.includes(s.server.ip)) c.servers.push(s.server.ip);
}
