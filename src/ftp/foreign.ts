/**
 * A shard's knowledge of other shards' announcements (src/scale/). A session's data connection is
 * in the session's shard when it runs between the session's two hosts; a session of another shard
 * may still claim that connection, when its own announcement names the same endpoint with an
 * address of neither of its hosts (two taps side by side: the outside session of a client behind a
 * NAT without an FTP helper announces the inside address, whose connection the inside session sees
 * as its own), and one process gives the connection to the announcement that explains it best
 * (`rank` in correlate.ts). A session here whose connection such an endpoint names therefore leaves
 * as pending, and the merge weighs both, as one process does.
 *
 * Their addresses are FTP hosts too (`onHost`): a connection to one that no session here takes is
 * kept as an orphan for the merge (a connection from a host the capture altered, to the announced
 * address, is matched by no shard's session alone).
 *
 * The endpoints come from the other shards' control segments (`foreign`): PORT, EPRT, LPRT commands
 * and 227, 228, 229 replies read from each segment alone (an announcement is one short line; one
 * split across segments is not seen, and its connection is decided in this shard).
 */
import type { Packet } from '../decode/index.js';
import { formatIp } from '../decode/address.js';
import { MAX_SHARD_FOREIGN_TARGETS } from '../limits.js';
import { parseAnnouncementCommand, parseAnnouncementReply, isAnnounceError } from './announce.js';
import { endpointKey } from './correlate.js';

/** Bytes of a segment read for announcements: a PORT/EPRT command or a 227/229 reply is short. */
const SCAN_BYTES = 512;

export class ForeignTargets {
  /** Announced endpoints (endpointKey), oldest first. */
  private readonly seen = new Set<string>();

  constructor(private readonly onHost: (ip: string) => void = () => undefined) {}

  /** A segment to or from a control port of another shard's traffic. */
  note(p: Packet): void {
    if (p.payloadLength < 8) return;
    const text = p.buf.toString('latin1', p.payloadOff, p.payloadOff + Math.min(p.payloadLength, SCAN_BYTES));
    for (const line of text.split('\n')) {
      const t = line.trimEnd();
      const reply = /^(22[789])[ -](.*)$/.exec(t);
      const command = reply ? null : /^([A-Za-z]{4}) (.*)$/.exec(t);
      const r = reply ? parseAnnouncementReply(Number(reply[1]), reply[2]) : command ? parseAnnouncementCommand(command[1], command[2]) : null;
      if (r === null || isAnnounceError(r)) continue;
      // EPSV names no address: the replying server's (RFC 2428 §3).
      const ip = r.ip ?? formatIp(p.src);
      this.add(endpointKey(ip, r.port));
      this.onHost(ip);
    }
  }

  private add(key: string): void {
    this.seen.delete(key);
    this.seen.add(key);
    if (this.seen.size > MAX_SHARD_FOREIGN_TARGETS) for (const k of this.seen) return void this.seen.delete(k);
  }

  /** Whether another shard's session announced this endpoint. */
  has(ip: string, port: number): boolean {
    return this.seen.size > 0 && this.seen.has(endpointKey(ip, port));
  }
}

/**
 * The reverse: endpoints this shard's open sessions announced that another shard's connections
 * touch. One process weighs every connection to an announced endpoint (the first one in time is
 * taken, even from an unexpected host: a capture that altered an address); a session here sees only
 * those of its shard, so one that another shard's connection touched leaves as pending and the
 * merge weighs them all. A port number is checked first (cheap, per packet of other shards); only
 * a packet to or from an announced port has its endpoints formatted.
 */
export class ContestedTargets {
  /** Announced ports of open sessions, with their counts. */
  private readonly ports = new Map<number, number>();
  /** Endpoints (endpointKey) another shard's packet touched, oldest first. */
  private readonly touched = new Set<string>();

  announce(port: number): void {
    this.ports.set(port, (this.ports.get(port) ?? 0) + 1);
  }

  release(port: number): void {
    const n = (this.ports.get(port) ?? 1) - 1;
    if (n <= 0) this.ports.delete(port);
    else this.ports.set(port, n);
  }

  /** A TCP packet of another shard; `announced` says whether an open session announced a key. */
  note(p: Packet, announced: (key: string) => boolean): void {
    if (this.ports.size === 0) return;
    // Both ends, without an array per packet: this runs for every packet of the other shards.
    if (this.ports.has(p.dstPort)) this.touch(endpointKey(formatIp(p.dst), p.dstPort), announced);
    if (this.ports.has(p.srcPort)) this.touch(endpointKey(formatIp(p.src), p.srcPort), announced);
  }

  private touch(key: string, announced: (key: string) => boolean): void {
    if (!announced(key)) return;
    this.touched.delete(key);
    this.touched.add(key);
    if (this.touched.size > MAX_SHARD_FOREIGN_TARGETS) for (const k of this.touched) return void this.touched.delete(k);
  }

  has(key: string): boolean {
    return this.touched.size > 0 && this.touched.has(key);
  }
}
