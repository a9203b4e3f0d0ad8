/**
 * The shard side of the FTP stage (ShardHooks, src/ftp/shard.ts): which hosts are FTP hosts, which
 * sessions wait for the merge, and which connections leave as orphans.
 *
 * FTP hosts are the addresses of every FTP control connection seen, this shard's or not (a packet
 * of another shard is read for them: `foreign`), and of every announced endpoint: a connection
 * touching one may be another shard's data connection. Past MAX_SHARD_FTP_HOSTS addresses the set
 * stops growing and every untaken connection is an orphan (more orphans, the same answers).
 */
import type { ConnectionSummary } from '../tcp/index.js';
import type { Packet } from '../decode/index.js';
import { formatIp } from '../decode/address.js';
import { MAX_SHARD_FTP_HOSTS } from '../limits.js';
import type { Expectation, Match } from '../ftp/correlate.js';
import { startsWithGreeting } from '../ftp/replies.js';
import type { PendingSession, ShardHooks } from '../ftp/shard.js';
import { ContestedTargets, ForeignTargets } from '../ftp/foreign.js';

export class ShardBook implements ShardHooks {
  private readonly ftpHosts = new Set<string>();
  /** IPv4 addresses already noted from foreign packets, by number. */
  private readonly ftpHosts4 = new Set<number>();
  private ftpHostsFull = false;
  /** Control connections finalized while still in the tracker (not orphans when they leave). */
  private readonly finalizedControl = new Set<number>();
  /** Endpoints other shards' sessions announced. */
  private readonly foreignTargets = new ForeignTargets((ip) => this.ftpHost(ip));
  /** This shard's announced endpoints that other shards' connections touched. */
  private readonly contestedTargets = new ContestedTargets();

  constructor(
    /** The control ports the analyzer follows (controlPorts). */
    private readonly ports: ReadonlySet<number>,
    private readonly out: { pending(p: PendingSession): void; orphan(c: ConnectionSummary): void },
  ) {}

  ftpHost(ip: string): void {
    if (this.ftpHosts.has(ip) || this.ftpHostsFull) return;
    if (this.ftpHosts.size >= MAX_SHARD_FTP_HOSTS) this.ftpHostsFull = true;
    else this.ftpHosts.add(ip);
  }

  /**
   * A TCP packet of another shard. A segment to or from a control port (a session picked up
   * mid-stream has no SYN) or one that starts like a 220 greeting is enough — a superset of the
   * sessions: an SMTP greeting adds hosts too, which costs orphans, not answers.
   */
  foreign(p: Packet, open: { hasTarget(key: string): boolean }): void {
    this.contestedTargets.note(p, (key) => open.hasTarget(key));
    const port = this.ports.has(p.dstPort) || this.ports.has(p.srcPort);
    if (!port && !startsWithGreeting(p.buf, p.payloadOff, p.payloadLength)) return;
    if (port) this.foreignTargets.note(p);
    // IPv4 pairs already noted are skipped by number: a flood to port 21 must not format an
    // address per packet.
    if (p.ipVersion === 4) {
      const known = this.ftpHosts4.has(p.src4) && this.ftpHosts4.has(p.dst4);
      if (known) return;
      if (this.ftpHosts4.size < MAX_SHARD_FTP_HOSTS) {
        this.ftpHosts4.add(p.src4);
        this.ftpHosts4.add(p.dst4);
      }
    }
    this.ftpHost(formatIp(p.src));
    this.ftpHost(formatIp(p.dst));
  }

  announced(port: number): void {
    this.contestedTargets.announce(port);
  }

  released(port: number): void {
    this.contestedTargets.release(port);
  }

  waits(expectations: readonly Expectation[], matches: ReadonlyMap<Expectation, Match>, targets: readonly { readonly key: string }[], taken: readonly ConnectionSummary[]): boolean {
    return (
      targets.some((t) => this.contestedTargets.has(t.key)) ||
      expectations.some((e) => crossShard(e, matches.get(e))) ||
      taken.some((c) => this.foreignTargets.has(c.resp.ip, c.resp.port))
    );
  }

  pending(p: PendingSession): void {
    this.out.pending(p);
  }

  orphan(c: ConnectionSummary): void {
    this.out.orphan(c);
  }

  finalizedLive(id: number): void {
    this.finalizedControl.add(id);
  }

  gone(c: ConnectionSummary): void {
    if (!this.finalizedControl.delete(c.id) && (this.ftpHostsFull || this.ftpHosts.has(c.orig.ip) || this.ftpHosts.has(c.resp.ip))) this.out.orphan(c);
  }
}

/**
 * An expectation that another shard may explain better: nothing matched it, or only a connection
 * to the fallback address or from another host than the expected one (the connection to the
 * announced endpoint, or from the expected host, can be between two other hosts).
 */
function crossShard(e: Expectation, m: Match | undefined): boolean {
  return !m || m.usedFallback || m.conn.orig.ip !== e.initiatorIp;
}
