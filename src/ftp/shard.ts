/**
 * What the FTP stage asks of a shard (`--shard`, `--jobs`): the interface src/scale/ implements,
 * and the pieces of a session a merge restores.
 *
 * A shard sees the connections of its host pairs only. A data connection between other hosts than
 * its control connection's (a 227 naming a private address behind NAT, PORT from behind a client
 * NAT, a bounce to a third host) may then be in another shard: the sessions that could be missing
 * one leave as `pending` instead of a report, and the connections no session here took that could
 * be another shard's leave as `orphan`s. The merge replays both through an FtpAnalyzer
 * (`replay*`, with a ReplayedControl standing in for each pending session's control channel).
 *
 * Contract: the analyzer calls `ftpHost` for every address of a control connection and of an
 * announced endpoint, `announced` and `released` for the port of each target it indexes and drops,
 * `foreign` for every TCP packet of another shard, `waits` once per confirmed
 * session at finalization (and `pending` when it said yes, instead of reporting the session),
 * `finalizedLive` for a control connection finalized while still in the tracker, `orphan` for each
 * candidate no session took, and `gone` for each other connection leaving the tracker that is
 * neither a session's nor a candidate, now or earlier (a candidate is told once, as it leaves the
 * pool, whether its connection is still open or not). Nothing else of the analyzer knows about
 * shards.
 */
import type { ConnectionSummary } from '../tcp/index.js';
import type { Packet } from '../decode/index.js';
import type { Expectation, Match } from './correlate.js';
import type { Endpoint } from './model.js';
import type { AnnouncementRec, FtpSession } from './session.js';

export interface ShardHooks {
  /** An address of an FTP control connection or of an endpoint it announced. */
  ftpHost(ip: string): void;
  /** A TCP packet of another shard: its FTP hosts, the endpoints it announces, and whether it
   * touches an endpoint an open session here announced (`open.hasTarget`, by endpointKey). */
  foreign(p: Packet, open: { hasTarget(key: string): boolean }): void;
  /** An open session announced an endpoint at this port (once per target and fallback). */
  announced(port: number): void;
  /** A finalized session's announced endpoint at this port claims nothing any more. */
  released(port: number): void;
  /** Whether a finalized session's report must wait for the merge: another shard may hold a
   * better connection for one of its expectations, another shard's connection touched one of its
   * `targets`, or another shard's session announced the endpoint of one of the connections it
   * took (`taken`: matched and leftovers). */
  waits(expectations: readonly Expectation[], matches: ReadonlyMap<Expectation, Match>, targets: readonly { readonly key: string }[], taken: readonly ConnectionSummary[]): boolean;
  /** A session `waits` kept back. */
  pending(p: PendingSession): void;
  /** A candidate data connection no session here took. */
  orphan(c: ConnectionSummary): void;
  /** A control connection whose session was finalized while it was still in the tracker. */
  finalizedLive(id: number): void;
  /** A connection neither followed as a session nor kept as a candidate left the tracker. */
  gone(c: ConnectionSummary): void;
}

/** A finalized session whose report waits for the merge: its control channel as parsed, its
 * control connection, and the connections it took in its shard. */
export interface PendingSession {
  readonly start: number;
  readonly end: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly control: ConnectionSummary;
  readonly session: FtpSession;
  readonly taken: ConnectionSummary[];
  /** The frame during which it was finalized (its place in the report: the analyzer's flushReady). */
  readonly batch: number;
}

/** What the analyzer reads of a control channel: the live ControlSink, or a session restored by a
 * merge (ReplayedControl). */
export interface ControlState {
  readonly session: FtpSession;
  readonly confirmed: boolean;
  end(): void;
  dispose(): void;
  /** Everything that is known is applied (a replayed session's remaining announcements). */
  settle?(): void;
}

/** A pending session restored by a merge: its announcements are revealed in capture order, as the
 * control channel made them. */
export class ReplayedControl implements ControlState {
  readonly confirmed = true;
  private readonly all: AnnouncementRec[];
  constructor(readonly session: FtpSession) {
    this.all = session.announcements.splice(0);
  }
  reveal(): AnnouncementRec | null {
    const a = this.all[this.session.announcements.length];
    if (a) this.session.announcements.push(a);
    return a ?? null;
  }
  settle(): void {
    while (this.session.announcements.length < this.all.length) this.reveal();
  }
  end(): void {}
  dispose(): void {}
}
