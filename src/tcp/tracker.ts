/**
 * TcpTracker: every TCP connection of a capture, by 4-tuple, with its lifecycle, byte accounting
 * and (for the connections someone follows) in-order byte delivery.
 *
 * Driving it: for each record, `decode()` the packet; when it returns DecodeStatus.TCP call
 * `tracker.packet(p)`; at the end of the capture call `tracker.finish()` once.
 *
 * Events: `TcpEvents` (tracker-api.ts: which, in what order, what a callback may do).
 *
 * Subscribing: `follow(tuple, sink)` (by 4-tuple: the live connection on it, or the next one
 * that appears), `attach(c, sink)` (from `opened`), or the `inspect` hook (by first bytes).
 * Connections nobody follows are counted, never buffered.
 *
 * Originator when no SYN was seen: the receiver of a SYN+ACK or of a first RST+ACK (the answer to a
 * SYN the capture lacks); otherwise, for mid-stream traffic,
 * the sender of the first packet, unless it sends from a port below 1024 other than 20 to a port
 * at or above 1024 (a server answering; port 20 is active-mode FTP data, which the server opens).
 *
 * Memory: connections live in three LRU lists by class (closed or reset / unanswered SYN /
 * live), each with its idle timeout in capture time (limits.ts); past TCP_MAX_CONNECTIONS the
 * idlest of the first non-empty class in that order is evicted, past TCP_MAX_CLOSED_CONNECTIONS
 * the idlest closed or reset one. Packets of connections nobody
 * follows allocate nothing.
 */
import { TcpFlag, type Packet } from '../decode/packet.js';
import { parseIp } from '../decode/address.js';
import { Conn, isPow10, type Connection, type ConnectionSummary, type RemovalReason } from './connection.js';
import { addressWords, endpointHash, flowHash, type FourTuple } from './flow.js';
import { ReassemblyBudget } from './budget.js';
import type { Direction, SegmentInfo, StreamSink } from './stream.js';
import { EndpointState, promotesPeer, step } from './state.js';
import { matches, PendingFollows, type PendingFollow } from './follows.js';
import { rejectionOf } from './icmp-rejection.js';
import { DEFAULT_TRACKER_LIMITS, type TcpCounters, type TcpEvents, type TcpTrackerOptions, type TrackerLimits } from './tracker-api.js';

/** LRU classes, in eviction order. */
const CLASS_DONE = 0;
const CLASS_ATTEMPT = 1;
const CLASS_LIVE = 2;

class MutableSegmentInfo implements SegmentInfo {
  frame = 0;
  tsSec = 0;
  tsNsec = 0;
  ack = 0;
  hasAck = false;
}

const { SYN, ACK, FIN, RST } = TcpFlag;

/** Recycled Conn objects kept: enough for a burst of evictions, small next to the table. */
const POOL_MAX = 1024;

/** Endpoint.onceBits above the once-letters (a 1, d 2, q 4, i 8): a last seq is recorded. */
const SEEN_S = 16;
const SEEN_H = 32;
const SEEN_F = 64;
const SEEN_R = 128;

export class TcpTracker {
  readonly limits: TrackerLimits;
  private readonly budget: ReassemblyBudget;
  private readonly events: TcpEvents;
  private readonly table = new Map<number, Conn>();
  private readonly lruHead: (Conn | null)[] = [null, null, null];
  private readonly lruTail: (Conn | null)[] = [null, null, null];
  /** Connections in each LRU list. */
  private readonly lruCount = [0, 0, 0];
  private readonly timeouts: number[];
  private readonly pending: PendingFollows;
  private readonly at = new MutableSegmentInfo();
  private clockSec = -Infinity;
  private nextId = 1;
  private count = 0;
  private peak = 0;
  private packets = 0;
  private connections = 0;
  private evictedIdle = 0;
  private evictedCapacity = 0;
  private portReuse = 0;
  private synRetransmits = 0;
  private synRetransmitFramesUnlisted = 0;
  private followsDropped = 0;
  private finished = false;
  /** Removed connections kept for reuse (a SYN flood then allocates nothing), at most POOL_MAX. */
  private pool: Conn | null = null;
  private pooled = 0;

  constructor(options: TcpTrackerOptions = {}) {
    this.limits = { ...DEFAULT_TRACKER_LIMITS, ...options.limits };
    this.budget = new ReassemblyBudget(this.limits);
    this.events = options.events ?? {};
    this.pending = new PendingFollows(this.limits.maxPendingFollows);
    this.timeouts = [this.limits.closedTimeoutSec, this.limits.attemptTimeoutSec, this.limits.idleTimeoutSec];
  }

  get counters(): TcpCounters {
    return {
      ...this.budget.counters,
      packets: this.packets,
      connections: this.connections,
      liveConnections: this.count,
      peakConnections: this.peak,
      evictedIdle: this.evictedIdle,
      evictedCapacity: this.evictedCapacity,
      portReuse: this.portReuse,
      synRetransmits: this.synRetransmits,
      synRetransmitFramesUnlisted: this.synRetransmitFramesUnlisted,
      followsDropped: this.followsDropped,
    };
  }

  /** Out-of-order bytes and ranges held right now (for bound tests and `info`). */
  get buffered(): { readonly bytes: number; readonly segments: number } {
    return { bytes: this.budget.bytes, segments: this.budget.segments };
  }

  /** The capture clock of a packet that is not this tracker's (another shard's, src/scale/):
   * connections time out at the same moments as if it had been. */
  clock(sec: number): void {
    if (sec > this.clockSec) this.tick(sec);
  }

  /** One decoded TCP segment (decode() returned DecodeStatus.TCP). */
  packet(p: Packet): void {
    this.packets++;
    if (p.tsSec > this.clockSec) this.tick(p.tsSec);
    const v = p.ipVersion === 6 ? 6 : 4;
    let s0 = p.src4 | 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d0 = p.dst4 | 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    if (v === 6) {
      const a = p.src;
      const b = p.dst;
      s0 = a.readInt32BE(0);
      s1 = a.readInt32BE(4);
      s2 = a.readInt32BE(8);
      s3 = a.readInt32BE(12);
      d0 = b.readInt32BE(0);
      d1 = b.readInt32BE(4);
      d2 = b.readInt32BE(8);
      d3 = b.readInt32BE(12);
    }
    const sp = p.srcPort;
    const dp = p.dstPort;
    const h = flowHash(endpointHash(s0, s1, s2, s3, sp), endpointHash(d0, d1, d2, d3, dp), v);
    let c = this.table.get(h) ?? null;
    let dir: Direction = 0;
    while (c !== null) {
      if (c.ipVersion === v) {
        if (c.origPort === sp && c.respPort === dp && c.o0 === s0 && c.r0 === d0 && (v === 4 || (c.o1 === s1 && c.o2 === s2 && c.o3 === s3 && c.r1 === d1 && c.r2 === d2 && c.r3 === d3))) {
          dir = 0;
          break;
        }
        if (c.origPort === dp && c.respPort === sp && c.o0 === d0 && c.r0 === s0 && (v === 4 || (c.o1 === d1 && c.o2 === d2 && c.o3 === d3 && c.r1 === s1 && c.r2 === s2 && c.r3 === s3))) {
          dir = 1;
          break;
        }
      }
      c = c.hashNext;
    }
    const flags = p.flags;
    if (c !== null && ((flags & SYN) !== 0 ? this.startsNew(c, dir, flags, p.seq | 0) : (flags & (RST | ACK)) === (RST | ACK) && this.answersAnotherSyn(c, dir, p.ack | 0))) {
      this.portReuse++;
      this.remove(c, 'port-reuse');
      c = null;
    }
    if (c === null) {
      let flipped: boolean;
      if ((flags & SYN) !== 0) flipped = (flags & ACK) !== 0;
      // A RST+ACK before anything else answers a SYN the capture lacks (RFC 9293 §3.10.7.1: a
      // closed port, or a firewall rejecting with a reset): its sender is the responder.
      else if ((flags & (RST | ACK)) === (RST | ACK)) flipped = true;
      else flipped = sp < 1024 && sp !== 20 && dp >= 1024;
      if (this.count >= this.limits.maxConnections) this.evictOne();
      c = this.pool;
      if (c !== null) {
        this.pool = c.hashNext;
        this.pooled--;
      }
      else c = new Conn(this.budget);
      if (flipped) c.init(this.nextId++, h, v, d0, d1, d2, d3, dp, s0, s1, s2, s3, sp);
      else c.init(this.nextId++, h, v, s0, s1, s2, s3, sp, d0, d1, d2, d3, dp);
      dir = flipped ? 1 : 0;
      this.insert(c, p, flipped);
    }
    this.track(c, dir, p);
  }

  /**
   * An ICMP destination unreachable quoting a TCP segment (decode() returned DecodeStatus.ICMP
   * with p.icmpQuote; p's addresses, ports and seq are the quoted segment's). Recorded as the
   * rejection of the tracked connection on that 4-tuple when the quoted sequence number is one
   * its sender used (from its ISN to the next byte it would send): a stale or forged message
   * about an earlier connection on the same ports is not believed (RFC 5927 §4.1). The first
   * one counts. Returns whether it was recorded. A quoted SYN of a connection not tracked (the
   * capture lost the SYN) is tracked as that SYN first.
   */
  icmp(p: Packet): boolean {
    if (!p.icmpQuote) return false;
    if (p.tsSec > this.clockSec) this.tick(p.tsSec);
    const r = rejectionOf(this.table, p);
    if (r !== 'no-connection') return r === 'recorded';
    // A quoted SYN (the flags were quoted) proves the SYN was sent even when the capture lost it:
    // it is tracked as that SYN, then rejected.
    if ((p.flags & (SYN | ACK | RST | FIN)) !== SYN) return false;
    this.packet(p);
    return rejectionOf(this.table, p) === 'recorded';
  }

  /** End of capture: every connection still tracked is flushed, ended and removed (by id). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const all: Conn[] = [];
    for (let k = 0; k < 3; k++) for (let c = this.lruHead[k]; c !== null; c = c.lruNext) all.push(c);
    all.sort((a, b) => a.id - b.id);
    for (const c of all) this.remove(c, 'end-of-capture');
    for (const f of this.pending.drain()) f.sink.end();
  }

  /**
   * Follows the connection on this 4-tuple (either direction): the live one if there is one and
   * nobody follows it yet, else the next one that appears. Returns false when the tuple is not
   * valid IP text. A waiting subscription that never matches ends at finish().
   */
  follow(tuple: FourTuple, sink: StreamSink): boolean {
    const a = parseIp(tuple.srcIp);
    const b = parseIp(tuple.dstIp);
    const aw = a === undefined ? null : addressWords(a);
    const bw = b === undefined ? null : addressWords(b);
    if (aw === null || bw === null || aw.version !== bw.version) return false;
    const h = flowHash(endpointHash(aw.w[0], aw.w[1], aw.w[2], aw.w[3], tuple.srcPort), endpointHash(bw.w[0], bw.w[1], bw.w[2], bw.w[3], tuple.dstPort), aw.version);
    const f: PendingFollow = { hash: h, version: aw.version, a: aw.w, aPort: tuple.srcPort, b: bw.w, bPort: tuple.dstPort, sink };
    for (let c = this.table.get(h) ?? null; c !== null; c = c.hashNext) {
      if (matches(f, c) && c.sink === null && !c.followed) {
        this.attach(c, sink);
        return true;
      }
    }
    const dropped = this.pending.add(f);
    if (dropped !== null) {
      this.followsDropped++;
      dropped.sink.end();
    }
    return true;
  }

  /**
   * Follows a live connection (typically from `opened`). Returns false when it is already
   * followed or was removed. A connection already reset or finished both ways ends the sink at once.
   */
  attach(conn: Connection, sink: StreamSink): boolean {
    const c = conn as Conn;
    if (c.removed || c.followed) return false;
    c.sink = sink;
    c.followed = true;
    if (c.orig.done && c.resp.done) this.endSink(c);
    return true;
  }

  // --- internals

  private tick(sec: number): void {
    this.clockSec = sec;
    this.budget.now = sec;
    this.budget.expire(sec);
    for (let k = 0; k < 3; k++) {
      const limit = sec - this.timeouts[k];
      let c = this.lruHead[k];
      while (c !== null && c.lastSec < limit) {
        this.evictedIdle++;
        this.remove(c, 'idle');
        c = this.lruHead[k];
      }
    }
  }

  /** Does a SYN (or SYN+ACK) on an existing connection start a new one? */
  private startsNew(c: Conn, dir: Direction, flags: number, seq: number): boolean {
    const me = c.endpoint(dir);
    const closedBoth = c.orig.state === EndpointState.CLOSED && c.resp.state === EndpointState.CLOSED;
    if ((flags & ACK) === 0) {
      // A SYN retransmission keeps the ISN (also after a RST: stacks that retry a refused SYN).
      if (me.sentSyn) return seq !== me.isn || closedBoth;
      // Simultaneous open: the peer's SYN crossed ours (RFC 9293 §3.5).
      if (me.state === EndpointState.INACTIVE && me.peer.state === EndpointState.SYN_SENT && !c.resetFired) return false;
      return true;
    }
    if (c.finished) return !(me.sentSynAck && seq === me.isn && !closedBoth);
    // Only this side captured (the peer never seen): a SYN-ACK with another ISN after its own FIN
    // answers a new SYN on the same 4-tuple (a client reusing its data port).
    return me.sentSynAck && seq !== me.isn && me.state === EndpointState.CLOSED && me.peer.state === EndpointState.INACTIVE;
  }

  /**
   * Only the responder captured, and it has sent RSTs alone: a RST+ACK acknowledging another ISN
   * than its first RST did answers another SYN on the same 4-tuple (curl reusing its source port
   * after a refused EPSV, a scanner): a new connection. A SPAN duplicate acknowledges the same.
   */
  private answersAnotherSyn(c: Conn, dir: Direction, ack: number): boolean {
    const me = c.endpoint(dir);
    return dir === 1 && c.orig.packets === 0 && me.rstFrame !== 0 && me.rstAck !== ack && me.bytes === 0 && c.synAckFrame === 0;
  }

  private insert(c: Conn, p: Packet, flipped: boolean): void {
    c.hashNext = this.table.get(c.hash) ?? null;
    this.table.set(c.hash, c);
    this.count++;
    if (this.count > this.peak) this.peak = this.count;
    this.connections++;
    c.firstSec = p.tsSec;
    c.firstNsec = p.tsNsec;
    c.firstFrame = p.frame;
    c.midStream = (p.flags & SYN) === 0;
    c.flipped = flipped;
    if (flipped) c.history = '^';
    if (this.pending.size > 0) {
      const sink = this.pending.take(c);
      if (sink !== null) this.attach(c, sink);
    }
    this.events.opened?.(c);
  }

  private track(c: Conn, dir: Direction, p: Packet): void {
    const flags = p.flags;
    const me = c.endpoint(dir);
    const peer = dir === 0 ? c.resp : c.orig;
    const frame = p.frame;
    c.lastSec = p.tsSec;
    c.lastNsec = p.tsNsec;
    c.lastFrame = frame;
    me.packets++;
    const at = this.at;
    at.frame = frame;
    at.tsSec = p.tsSec;
    at.tsNsec = p.tsNsec;
    at.ack = p.ack | 0;
    at.hasAck = (flags & (ACK | RST)) === ACK;
    const ev = this.events;

    if (p.payloadLength > 0 && !me.inspected && !c.followed && ev.inspect !== undefined) {
      me.inspected = true;
      const sink = ev.inspect(c, dir, p.buf.subarray(p.payloadOff, p.payloadOff + p.payloadLength));
      if (sink !== null) this.attach(c, sink);
    }

    // Handshake facts and state.
    const syn = (flags & SYN) !== 0;
    // int32, as everywhere in tcp/ (reassembly.ts)
    const seq = p.seq | 0;
    if (syn) {
      if ((flags & ACK) === 0) {
        if (!me.sentSyn) {
          me.sentSyn = true;
          me.isn = seq;
          me.synFrame = frame;
          if (dir === 0 && c.synAt === 0) {
            c.synSec = p.tsSec;
            c.synNsec = p.tsNsec;
          }
        } else if (seq === me.isn) {
          this.synRetransmits++;
          if (dir === 0 && !c.noteSynRetransmit(frame, p.tsSec, p.tsNsec)) this.synRetransmitFramesUnlisted++;
        }
        // Another ISN would have started a new connection: s is written once per direction.
        if ((me.onceBits & SEEN_S) === 0) {
          me.onceBits |= SEEN_S;
          c.letter(dir, 'S', 's');
        }
      } else {
        if (!me.sentSynAck) {
          me.sentSynAck = true;
          me.isn = seq;
          if (me.synFrame === 0) me.synFrame = frame;
          if (c.synAckFrame === 0) {
            c.synAckFrame = frame;
            c.synAckSec = p.tsSec;
            c.synAckNsec = p.tsNsec;
          }
        }
        if ((me.onceBits & SEEN_H) === 0 || seq !== me.lastH) {
          me.onceBits |= SEEN_H;
          me.lastH = seq;
          c.letter(dir, 'H', 'h');
        }
      }
    }
    const prev = me.state;
    const next = step(prev, peer.state, flags);
    me.state = next;
    if (promotesPeer(next, peer.state)) peer.state = EndpointState.ESTABLISHED;

    // wire >= captured always (a decoder that leaves payloadWireLength 0 still gets its bytes counted)
    const wire = p.payloadWireLength > p.payloadLength ? p.payloadWireLength : p.payloadLength;
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;
    if ((flags & (SYN | FIN | RST)) === 0 && (flags & ACK) !== 0 && wire === 0 && (me.onceBits & 1) === 0) {
      me.onceBits |= 1;
      c.letter(dir, 'A', 'a');
    }
    if (wire > 0 && (me.onceBits & 2) === 0) {
      me.onceBits |= 2;
      c.letter(dir, 'D', 'd');
    }
    if (syn && (fin || rst) && (me.onceBits & 4) === 0) {
      me.onceBits |= 4;
      c.letter(dir, 'Q', 'q');
    } else if (fin && rst && (me.onceBits & 8) === 0) {
      me.onceBits |= 8;
      c.letter(dir, 'I', 'i');
    }

    const retrans = me.segment(seq, syn, fin, p.buf, p.payloadOff, p.payloadLength, wire, at);
    if (retrans > 0 && isPow10(++me.tCount)) {
      c.letter(dir, 'T', 't');
    }
    // The ACK field speaks about the peer's stream: bytes it covers were received. Not believed
    // from a segment outside the window, nor from an endpoint's first packet after a SYN (it
    // must be the SYN-ACK; anything else is likely a late packet of the previous connection on
    // a reused 4-tuple).
    if ((flags & (ACK | RST)) === ACK && retrans !== -1 && (me.packets > 1 || c.midStream || syn) && me.plausible(seq)) {
      const ack = p.ack | 0;
      peer.acked(ack);
      me.noteAck(ack, p.tsSec, p.tsNsec);
      // The originator acknowledges after its SYN only a SYN-ACK it received (RFC 9293 §3.10.7.3):
      // proof of the handshake's second step, also when the capture lacks it (one-way capture).
      if (dir === 0 && !syn && me.sentSyn && c.synAckProofFrame === 0) c.synAckProofFrame = frame;
    }
    if (p.window === 0 && !rst && !syn && isPow10(++me.wCount)) {
      c.letter(dir, 'W', 'w');
    }
    if (fin) {
      if (me.finFrame === 0) {
        me.finFrame = frame;
        me.finSec = p.tsSec;
        me.finNsec = p.tsNsec;
      }
      const finSeq = (seq + (syn ? 1 : 0) + wire) | 0;
      if ((me.onceBits & SEEN_F) === 0 || finSeq !== me.lastF) {
        me.onceBits |= SEEN_F;
        me.lastF = finSeq;
        c.letter(dir, 'F', 'f');
      }
    }
    if (rst) {
      if (me.rstFrame === 0) {
        me.rstFrame = frame;
        me.rstAck = p.ack | 0;
        me.rstSec = p.tsSec;
        me.rstNsec = p.tsNsec;
      }
      if ((me.onceBits & SEEN_R) === 0 || seq !== me.lastR) {
        me.onceBits |= SEEN_R;
        me.lastR = seq;
        c.letter(dir, 'R', 'r');
      }
    }

    if (!c.establishedFired && c.orig.state === EndpointState.ESTABLISHED && c.resp.state === EndpointState.ESTABLISHED && (c.orig.sentSyn || c.resp.sentSynAck)) {
      c.establishedFired = true;
      c.establishedFrame = frame;
      c.establishedSec = p.tsSec;
      c.establishedNsec = p.tsNsec;
      ev.established?.(c);
    }
    if (rst) {
      // The sender's stream ends here (what waits is flushed); the other direction may still
      // deliver bytes already in flight (a server's "226 ABOR successful" after the client's RST).
      if (!me.done) me.abort();
      if (!c.resetFired) {
        c.resetFired = true;
        ev.reset?.(c, dir);
      }
    }
    if (!c.closedFired && c.orig.state === EndpointState.CLOSED && c.resp.state === EndpointState.CLOSED) {
      c.closedFired = true;
      ev.closed?.(c);
    }
    if (c.sink !== null && c.orig.done && c.resp.done) this.endSink(c);
    this.touch(c);
  }

  private classOf(c: Conn): number {
    if (c.finished) return CLASS_DONE;
    if (c.resp.packets === 0 && c.orig.sentSyn && c.orig.offset === 0 && c.orig.rangeBytes === 0) return CLASS_ATTEMPT;
    return CLASS_LIVE;
  }

  /** Moves c to the tail of its class's LRU list. */
  private touch(c: Conn): void {
    const k = this.classOf(c);
    if (c.lruClass === k && c.lruNext === null) return;
    this.unlinkLru(c);
    c.lruClass = k;
    const tail = this.lruTail[k];
    c.lruPrev = tail;
    c.lruNext = null;
    if (tail !== null) tail.lruNext = c;
    else this.lruHead[k] = c;
    this.lruTail[k] = c;
    // Past TCP_MAX_CLOSED_CONNECTIONS the idlest closed or reset connection leaves early.
    if (++this.lruCount[k] > this.limits.maxClosedConnections && k === CLASS_DONE) {
      const oldest = this.lruHead[k];
      if (oldest !== null && oldest !== c) {
        this.evictedCapacity++;
        this.remove(oldest, 'capacity');
      }
    }
  }

  private unlinkLru(c: Conn): void {
    const k = c.lruClass;
    if (k < 0) return;
    if (c.lruPrev !== null) c.lruPrev.lruNext = c.lruNext;
    else this.lruHead[k] = c.lruNext;
    if (c.lruNext !== null) c.lruNext.lruPrev = c.lruPrev;
    else this.lruTail[k] = c.lruPrev;
    c.lruPrev = c.lruNext = null;
    c.lruClass = -1;
    this.lruCount[k]--;
  }

  private evictOne(): void {
    for (let k = 0; k < 3; k++) {
      const c = this.lruHead[k];
      if (c !== null) {
        this.evictedCapacity++;
        this.remove(c, 'capacity');
        return;
      }
    }
  }

  /**
   * Stops following a live connection (its follower is done with it: an FTP session finalized
   * while its control connection is still here): the sink is ended, nothing more is delivered.
   */
  detach(conn: Connection): void {
    const c = conn as Conn;
    if (!c.removed) this.endSink(c);
  }

  private endSink(c: Conn): void {
    const sink = c.sink;
    if (sink === null || c.sinkEnded) return;
    c.sinkEnded = true;
    c.sink = null;
    // Nothing is delivered any more: the retransmission-check buffers (2 x
    // TCP_RETRANSMIT_CHECK_BYTES) go back now, not when the connection leaves (a reset one stays
    // TCP_CLOSED_TIMEOUT_SEC: a flood of short sessions held thousands of them). Retransmissions
    // after this are counted, not compared.
    c.orig.releaseRecent();
    c.resp.releaseRecent();
    sink.end();
  }

  private remove(c: Conn, reason: RemovalReason): void {
    if (c.removed) return;
    c.orig.finish();
    c.resp.finish();
    c.orig.leaveFifo();
    c.resp.leaveFifo();
    this.endSink(c);
    // Unlink from the hash chain.
    const head = this.table.get(c.hash) ?? null;
    if (head === c) {
      if (c.hashNext === null) this.table.delete(c.hash);
      else this.table.set(c.hash, c.hashNext);
    } else {
      for (let x = head; x !== null; x = x.hashNext) {
        if (x.hashNext === c) {
          x.hashNext = c.hashNext;
          break;
        }
      }
    }
    c.hashNext = null;
    this.unlinkLru(c);
    this.count--;
    c.removed = true;
    const gone = this.events.gone;
    if (gone !== undefined) gone(c, reason);
    const ev = this.events.removed;
    if (ev !== undefined) ev(c.summary(reason), reason);
    c.orig.releaseRecent();
    c.resp.releaseRecent();
    // Recycle: nobody may hold a Connection past `removed` (documented on TcpEvents).
    if (this.pooled < POOL_MAX) {
      this.pooled++;
      c.hashNext = this.pool;
      this.pool = c;
    }
  }
}

/**
 * Every connection of a stream of decoded TCP packets, as summaries, in the order they leave the
 * tracker (the ones still open at the end last, by start). `packets` may yield the same reused
 * Packet object each time (only packets decode() classified as TCP).
 */
export function* connectionsOf(packets: Iterable<Packet>, options: Omit<TcpTrackerOptions, 'events'> = {}): Generator<ConnectionSummary> {
  const out: ConnectionSummary[] = [];
  const tracker = new TcpTracker({ ...options, events: { removed: (s) => out.push(s) } });
  for (const p of packets) {
    tracker.packet(p);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  tracker.finish();
  yield* out;
}
