/**
 * One direction of a TCP connection: its place in sequence space, its out-of-order buffer, its
 * byte accounting, and in-order delivery to the connection's stream sink (when someone follows it).
 *
 * Sequence numbers are held as signed 32-bit values (`| 0`), not unsigned: V8 keeps int32 fields
 * unboxed (a Smi), while a value >= 2^31 in a field makes it a boxed double in every connection.
 * seqDiff is the same either way (sequence.ts); callers pass `p.seq | 0`.
 *
 * Invariants (checked by test/tcp/reassembly.test.ts):
 * - `next` is the sequence number of the next byte to deliver; `offset` is its stream offset
 *   (bytes delivered + skipped since the first byte, a plain number: streams may exceed 4 GiB).
 * - `ooo` holds ranges strictly after `next` once drained, sorted, never overlapping: a range is
 *   DATA (a copy of the bytes, only for a followed connection), UNKEPT (seen, bytes not kept: the
 *   connection is only counted) or MISSING (the snap length cut it: known to exist, never seen).
 * - Every sequence-space byte is accounted once: delivered or counted (`offset` moves past it), or
 *   skipped as a gap (`missedBytes`, or `unseenBytes` when nothing proves the capture lost it); a byte seen again is `retransBytes` (and `conflictBytes` when
 *   both copies are known and differ — a buffered copy, or the last TCP_RETRANSMIT_CHECK_BYTES
 *   delivered of a followed stream: the first copy wins, RFC 9293 §3.10.7.4 leaves it open and
 *   Zeek, gopacket and Wireshark keep the first too).
 *
 * A gap is skipped — reported as `gap(dir, offset, length)` — when the peer acknowledges past it,
 * when it stays open longer than TCP_GAP_TIMEOUT_SEC of capture time, when a buffer bound is
 * crossed, or when the connection ends. Its bytes count as `missedBytes` (the capture missed them)
 * only with proof: an ACK past them (the receiver had them; also when the ACK comes after the
 * skip) or a snap-length cut. Otherwise they are `unseenBytes`: lost on the network and not (yet)
 * retransmitted, or simply unprovable (a capture of one direction only).
 *
 * Around it: stream.ts (Direction, SegmentInfo, StreamSink: the consumer's side), budget.ts (the
 * bounds and counters all halves share, the FIFO of open gaps), half-fields.ts (the compact memory
 * layout Half extends).
 */
import { seqDiff, seqMin } from './sequence.js';
import type { ReassemblyBudget } from './budget.js';
import { HalfFields, Seg } from './half-fields.js';
import type { Direction, SegmentInfo, StreamOwner } from './stream.js';

const KIND_DATA = 0;
const KIND_UNKEPT = 1;
const KIND_MISSING = 2;

/** What a skipped gap was: never seen and unproven, missed by the capture, cut by the snap length. */
const GAP_UNSEEN = 0;
const GAP_MISSED = 1;
const GAP_CUT = 2;

/** Retransmission-check buffers start this small and double up to TCP_RETRANSMIT_CHECK_BYTES as
 * the stream delivers: a control connection's first minutes are a few hundred bytes, and an FTP
 * session held until it is reported would otherwise keep 2 x 4 KiB (a flood of short sessions:
 * thousands at once). */
const RECENT_MIN = 256;
/** Deliveries up to this many bytes are remembered by a loop rather than Buffer.copy. */
const SMALL_COPY = 128;

/** Retransmission-check buffers of removed connections and of grown streams, by size (each a
 * power of two from RECENT_MIN, or the bound's own size), taken again by the next stream that
 * needs that size: every followed connection (an FTP session's control connection, both
 * directions) would otherwise allocate its own, and its doublings, outside the heap (22,000 on the
 * many-sessions benchmark). At most RECENT_FREE_BYTES are kept per size. */
const RECENT_FREE = new Map<number, Buffer[]>();
const RECENT_FREE_BYTES = 256 * 1024;

/** Largest DATA range merging makes (Half.put). */
const MERGE_MAX_BYTES = 64 * 1024;

const EMPTY = Buffer.alloc(0);

/** A retransmission-check buffer of at least `len` bytes: the next power of two from RECENT_MIN,
 * at most `full` (the bound's size). Its own memory, not a slice of Node's shared pool: a pool
 * slice kept by a long connection would keep the whole 8 KiB pool chunk. */
function recentBuffer(len: number, full: number): Buffer {
  let size = RECENT_MIN;
  while (size < len) size *= 2;
  if (size > full) size = full;
  return RECENT_FREE.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

/** A retransmission-check buffer no stream uses any more, kept for the next one of its size. */
function freeRecent(b: Buffer): void {
  let list = RECENT_FREE.get(b.length);
  if (list === undefined) RECENT_FREE.set(b.length, (list = []));
  if ((list.length + 1) * b.length <= RECENT_FREE_BYTES) list.push(b);
}

export class Half extends HalfFields {
  /** The other direction of the same connection (set by the connection). */
  peer: Half = this;
  next = 0;
  offset = 0;
  finSeq = 0;
  retransBytes = 0;
  missedBytes = 0;
  unseenBytes = 0;

  constructor(
    readonly dir: Direction,
    readonly owner: StreamOwner,
    readonly budget: ReassemblyBudget,
  ) {
    super();
  }

  /** Back to the state of a new Half (connections are recycled: see tracker.ts). */
  resetHalf(): void {
    this.bits = 0;
    this.next = 0;
    this.offset = 0;
    this.finSeq = 0;
    this.x = null;
    this.retransBytes = 0;
    this.missedBytes = 0;
    this.unseenBytes = 0;
    this.e = null;
  }

  /** The connection left the tracker: its retransmission-check buffer goes back for reuse. */
  releaseRecent(): void {
    const e = this.e;
    if (e === null || e.recent === null) return;
    freeRecent(e.recent);
    e.recent = null;
    e.recentLen = 0;
    this.dropExtraIfBlank();
  }

  /** Payload bytes in sequence space (delivered, counted, skipped or waiting), as Zeek's orig_bytes. */
  get bytes(): number {
    return this.offset + this.rangeBytes;
  }

  /**
   * A segment sent in this direction. `capLen` payload bytes are at buf[off..]; `wireLen` >= capLen
   * were on the wire. SYN and FIN each take one sequence number (RFC 9293 §3.4). Returns the payload
   * bytes that were already seen (retransmitted), or -1 when the segment lies outside any window
   * (ignored, counted).
   */
  segment(seq: number, syn: boolean, fin: boolean, buf: Buffer, off: number, capLen: number, wireLen: number, at: SegmentInfo): number {
    const s = syn ? (seq + 1) | 0 : seq;
    if (!this.started) {
      this.started = true;
      this.next = s;
    }
    let retrans = 0;
    if (wireLen > 0 || fin) {
      const rel = seqDiff(s, this.next);
      const jump = this.budget.limits.maxSeqJump;
      if (rel > jump || rel < -jump) {
        this.outOfWindow++;
        this.budget.counters.outOfWindowSegments++;
        return -1;
      }
      if (wireLen > 0) retrans = this.add(s, buf, off, capLen, wireLen, at);
      if (fin && !this.finSeen) {
        this.finSeen = true;
        this.finSeq = (s + wireLen) | 0;
        // Bytes beyond the FIN cannot exist; a range past it (a bogus segment) is dropped.
        this.trimAfterFin();
      }
      this.checkDone();
      if (this.inFifo && this.budget.now - this.gapSince > this.budget.limits.gapTimeoutSec) {
        this.budget.counters.gapsTimedOut++;
        this.flush();
      }
    }
    return retrans;
  }

  /** A segment from this direction with this sequence number could belong to the stream
   * (within TCP_MAX_SEQ_JUMP of the next expected byte): its ACK field is then believed. */
  plausible(seq: number): boolean {
    if (!this.started) return true;
    const d = seqDiff(seq, this.next);
    const jump = this.budget.limits.maxSeqJump;
    return d <= jump && d >= -jump;
  }

  /** The peer acknowledged everything before `ack`: bytes before it the capture lacks are missed. */
  acked(ack: number): void {
    if (!this.started) return;
    let lim = ack;
    if (this.finSeen && seqDiff(ack, this.finSeq) > 0) lim = this.finSeq;
    // Gaps skipped earlier without proof (timeout, bound) that this ACK covers: the receiver had
    // those bytes, so the capture missed them.
    if (this.unproven > 0 && seqDiff(ack, this.unprovenEnd) >= 0) {
      this.missedBytes += this.unproven;
      this.unseenBytes -= this.unproven;
      this.budget.counters.missedBytes += this.unproven;
      this.budget.counters.unseenBytes -= this.unproven;
      this.unproven = 0;
    }
    const d = seqDiff(lim, this.next);
    if (d <= 0) return;
    if (d > this.budget.limits.maxAckSkip) {
      this.budget.counters.acksImplausible++;
      return;
    }
    this.budget.counters.gapsAcked++;
    this.skipTo(lim, true);
    this.checkDone();
  }

  /** Delivers everything buffered, skipping the gaps before it (unseen until an ACK proves the
   * receiver had them: see `acked`). */
  flush(): void {
    const ooo = this.ooo;
    if (ooo !== null && ooo.length > 0) this.skipTo(ooo[ooo.length - 1].end, false);
    this.leaveFifo();
    this.checkDone();
  }

  /**
   * This direction's sender reset the connection: what waits is flushed (gaps skipped) and its
   * stream ends here; later bytes from it are not delivered (counted as retransmitted when old).
   * The other direction goes on: bytes already in flight towards the resetting side still come.
   */
  abort(): void {
    this.finish();
    // A FIN seen earlier but not reached: the bytes before it were sent and the capture missed them.
    if (this.finSeen && this.started) {
      const d = seqDiff(this.finSeq, this.next);
      if (d > 0 && d <= this.budget.limits.maxSeqJump) this.skipTo(this.finSeq, false);
    }
    // Nothing after this point of the stream is delivered (later segments are beyond the "FIN").
    this.finSeen = true;
    this.finSeq = this.next;
    this.done = true;
  }

  /**
   * Flush at the end of the connection (counted as a gap at end when there was one). Gaps still
   * open then are `unseenBytes`, not `missedBytes`: nobody acknowledged them, and the sender may
   * simply not have retransmitted them yet (a capture that ends mid-transfer on a lossy link).
   */
  finish(): void {
    if (this.ooo !== null && this.ooo.length > 0) {
      this.budget.counters.gapsAtEnd++;
      this.flush();
    }
  }

  private add(s: number, buf: Buffer, off: number, capLen: number, wireLen: number, at: SegmentInfo): number {
    let e = (s + wireLen) | 0;
    if (this.finSeen && seqDiff(e, this.finSeq) > 0) {
      e = this.finSeq;
      wireLen = seqDiff(e, s);
      if (wireLen <= 0) return 0;
      if (capLen > wireLen) capLen = wireLen;
    }
    const next = this.next;
    if (seqDiff(e, next) <= 0) {
      this.retransBytes += wireLen;
      if (this.recentLen > 0) this.compareOld(s, buf, off, capLen);
      return wireLen;
    }
    let retrans = 0;
    const behind = seqDiff(next, s);
    if (behind > 0) {
      if (this.recentLen > 0) this.compareOld(s, buf, off, capLen < behind ? capLen : behind);
      retrans = behind;
      this.retransBytes += behind;
      s = next;
      off += behind;
      capLen = capLen > behind ? capLen - behind : 0;
      wireLen -= behind;
    }
    const ooo = this.ooo;
    if ((ooo === null || ooo.length === 0) && s === next) {
      // In order, nothing waiting: deliver straight from the packet (no copy).
      if (capLen > 0) {
        const sink = this.owner.sink;
        if (sink !== null) {
          sink.data(this.dir, buf.subarray(off, off + capLen), this.offset, at);
          this.remember(buf, off, capLen);
        }
        this.offset += capLen;
        this.next = (next + capLen) | 0;
      }
      if (capLen < wireLen) this.gap(wireLen - capLen, GAP_CUT);
      return retrans;
    }
    const capEnd = (s + capLen) | 0;
    if (capLen > 0) retrans += this.insert(s, capEnd, buf, off, KIND_DATA, at);
    if (capLen < wireLen) retrans += this.insert(capEnd, e, EMPTY, 0, KIND_MISSING, at);
    this.retransBytes += retrans - (behind > 0 ? behind : 0);
    this.drain();
    this.enforceCaps();
    return retrans;
  }

  /** Inserts [s, e) into ooo where not already covered; returns the bytes that were. */
  private insert(s: number, e: number, buf: Buffer, off: number, kind: number, at: SegmentInfo): number {
    if (kind === KIND_DATA && this.owner.sink === null) kind = KIND_UNKEPT;
    const ooo = this.rare().segs;
    if (ooo.length === 0) this.enterFifo();
    let i = ooo.length;
    while (i > 0 && seqDiff(ooo[i - 1].end, s) > 0) i--;
    let overlap = 0;
    while (seqDiff(e, s) > 0) {
      if (i >= ooo.length || seqDiff(ooo[i].seq, e) >= 0) {
        this.put(ooo, i, s, e, kind, buf, off, at);
        break;
      }
      const en = ooo[i];
      if (seqDiff(en.seq, s) > 0) {
        const n = seqDiff(en.seq, s);
        i += this.put(ooo, i, s, en.seq, kind, buf, off, at);
        off += n;
        s = en.seq;
        continue;
      }
      const ovEnd = seqMin(en.end, e);
      const n = seqDiff(ovEnd, s);
      overlap += n;
      if (kind === KIND_DATA && en.kind === KIND_DATA && en.data !== null) {
        const from = seqDiff(s, en.seq);
        let differ = 0;
        for (let k = 0; k < n; k++) if (buf[off + k] !== en.data[from + k]) differ++;
        if (differ > 0) {
          this.conflictBytes += differ;
          this.budget.counters.conflictingBytes += differ;
        }
      }
      off += n;
      s = ovEnd;
      i++;
    }
    return overlap;
  }

  /** Puts a new range at index i (or extends its left neighbour); returns how many entries it added. */
  private put(ooo: Seg[], i: number, s: number, e: number, kind: number, buf: Buffer, off: number, at: SegmentInfo): number {
    const len = seqDiff(e, s);
    this.rangeBytes += len;
    if (kind !== KIND_DATA && i > 0) {
      const left = ooo[i - 1];
      if (left.kind === kind && left.end === s) {
        left.end = e;
        return 0;
      }
    }
    // Contiguous DATA ranges are one hole's worth of waiting bytes, not many holes: once the
    // direction holds half its TCP_MAX_OOO_SEGMENTS_PER_DIRECTION, a range that continues its left
    // neighbour joins it (up to MERGE_MAX_BYTES). A followed bulk transfer recovering from a loss
    // has hundreds of segments in flight behind one hole (bulk.pcap: ~500 at 1448 bytes), which
    // the range cap would otherwise flush as a gap although the retransmission comes. Below half
    // the cap nothing merges: every range keeps its own frame (a control stream's command frames).
    if (kind === KIND_DATA && i > 0 && ooo.length >= this.budget.limits.maxSegmentsPerDirection >> 1) {
      const left = ooo[i - 1];
      if (left.kind === KIND_DATA && left.end === s && left.data !== null && left.data.length + len <= MERGE_MAX_BYTES) {
        this.append(left, buf, off, len);
        left.end = e;
        return 0;
      }
    }
    let data: Buffer | null = null;
    if (kind === KIND_DATA) {
      data = Buffer.allocUnsafe(len);
      buf.copy(data, 0, off, off + len);
      this.keptBytes += len;
      this.budget.bytes += len;
    }
    const seg = new Seg(s, e, kind, data, at.frame, at.tsSec, at.tsNsec);
    if (i === ooo.length) ooo.push(seg);
    else ooo.splice(i, 0, seg);
    this.budget.segments++;
    return 1;
  }

  /** Appends len bytes to a DATA range, in a buffer grown geometrically (each byte copied O(1)
   * times); its whole size is counted against the bounds, slack included. */
  private append(left: Seg, buf: Buffer, off: number, len: number): void {
    const old = left.data as Buffer;
    const need = old.length + len;
    let back = left.backing;
    if (back === null || need > back.length) {
      back = Buffer.allocUnsafe(Math.min(MERGE_MAX_BYTES, Math.max(need, old.length * 2)));
      old.copy(back, 0);
      const grow = back.length - left.acct;
      left.acct = back.length;
      left.backing = back;
      this.keptBytes += grow;
      this.budget.bytes += grow;
    }
    buf.copy(back, old.length, off, off + len);
    left.data = back.subarray(0, need);
  }

  /** Delivers the ranges that now start at (or before) next. */
  private drain(): void {
    const ooo = this.ooo;
    if (ooo === null) return;
    let moved = false;
    while (ooo.length > 0) {
      const en = ooo[0];
      if (seqDiff(en.seq, this.next) > 0) break;
      ooo.shift();
      moved = true;
      const len = seqDiff(en.end, en.seq);
      this.rangeBytes -= len;
      this.budget.segments--;
      if (en.data !== null) {
        this.keptBytes -= en.acct;
        this.budget.bytes -= en.acct;
      }
      const skip = seqDiff(this.next, en.seq);
      if (skip >= len) continue;
      const n = len - skip;
      const sink = this.owner.sink;
      if (en.kind === KIND_MISSING) {
        this.gap(n, GAP_CUT);
        continue;
      }
      if (sink !== null) {
        if (en.kind === KIND_DATA && en.data !== null) {
          sink.data(this.dir, skip === 0 ? en.data : en.data.subarray(skip), this.offset, en);
          this.remember(en.data, skip, n);
        } else {
          // Seen while nobody followed the connection: not missed by the capture, but not kept.
          sink.gap(this.dir, this.offset, n);
          this.recentLen = 0;
        }
      }
      this.offset += n;
      this.next = en.end;
    }
    if (ooo.length === 0) this.leaveFifo();
    else if (moved) {
      // A new front gap: its wait starts now.
      this.leaveFifo();
      this.enterFifo();
    }
  }

  /** Moves next to `target`, delivering buffered ranges and skipping gaps on the way. */
  private skipTo(target: number, proven: boolean): void {
    while (seqDiff(target, this.next) > 0) {
      const ooo = this.ooo;
      if (ooo !== null && ooo.length > 0 && seqDiff(ooo[0].seq, this.next) <= 0) {
        this.drain();
        continue;
      }
      let gapEnd = target;
      if (ooo !== null && ooo.length > 0 && seqDiff(ooo[0].seq, target) < 0) gapEnd = ooo[0].seq;
      this.gap(seqDiff(gapEnd, this.next), proven ? GAP_MISSED : GAP_UNSEEN);
    }
    this.drain();
  }

  /** Keeps the tail of what was just delivered (followed streams). */
  private remember(buf: Buffer, off: number, n: number): void {
    const size = this.budget.limits.retransmitCheckBytes;
    if (size <= 0) return;
    let r = this.recent;
    if (n >= size) {
      if (r === null || r.length < size) {
        if (r !== null) freeRecent(r);
        r = this.recent = recentBuffer(size, size);
      }
      buf.copy(r, 0, off + n - size, off + n);
      this.recentLen = size;
      return;
    }
    const had = this.recentLen;
    const keep = Math.min(had, size - n);
    if (r === null || r.length < keep + n) {
      // Grown geometrically: each byte is copied O(1) times on the way to full size.
      const grown = recentBuffer(Math.max(keep + n, r === null ? 0 : 2 * r.length), size);
      if (r !== null) {
        if (keep > 0) r.copy(grown, 0, had - keep, had);
        freeRecent(r);
      }
      r = this.recent = grown;
    } else if (keep > 0 && keep < had) r.copyWithin(0, had - keep, had);
    // A control stream delivers a line or two at a time: copied byte by byte, as Buffer.copy from
    // an offset makes a view object per call.
    if (n <= SMALL_COPY) for (let i = 0; i < n; i++) r[keep + i] = buf[off + i];
    else buf.copy(r, keep, off, off + n);
    this.recentLen = keep + n;
  }

  /** Counts bytes of a retransmission (n bytes at seq s, all before next) that differ from what
   * was delivered, where that is still known. */
  private compareOld(s: number, buf: Buffer, off: number, n: number): void {
    const r = this.recent;
    if (r === null) return;
    let idx = this.recentLen - seqDiff(this.next, s);
    let k = 0;
    if (idx < 0) {
      k = -idx;
      idx = 0;
      // Older than the bytes kept. Only a full buffer makes that the bound's doing: a shorter one
      // was emptied by a gap, and what came before a gap is not this bound's to compare.
      if (this.recentLen === this.budget.limits.retransmitCheckBytes) this.budget.counters.retransmitBytesUnchecked += k < n ? k : n;
    }
    let differ = 0;
    for (; k < n && idx < this.recentLen; k++, idx++) if (buf[off + k] !== r[idx]) differ++;
    if (differ > 0) {
      this.conflictBytes += differ;
      this.budget.counters.conflictingBytes += differ;
    }
  }

  /** The capture missed n bytes at next. */
  private gap(n: number, kind: number): void {
    this.recentLen = 0;
    if (kind !== GAP_UNSEEN) {
      this.missedBytes += n;
      this.budget.counters.missedBytes += n;
      if (kind === GAP_CUT) this.cutBytes += n;
    } else {
      this.unseenBytes += n;
      this.budget.counters.unseenBytes += n;
      this.unproven += n;
      this.unprovenEnd = (this.next + n) | 0;
    }
    const sink = this.owner.sink;
    if (sink !== null) sink.gap(this.dir, this.offset, n);
    this.owner.noteGap(this.dir);
    this.offset += n;
    this.next = (this.next + n) | 0;
  }

  private trimAfterFin(): void {
    const ooo = this.ooo;
    if (ooo === null) return;
    while (ooo.length > 0) {
      const last = ooo[ooo.length - 1];
      if (seqDiff(last.end, this.finSeq) <= 0) break;
      if (seqDiff(last.seq, this.finSeq) < 0) {
        // Keep the part before the FIN.
        const cut = seqDiff(last.end, this.finSeq);
        this.rangeBytes -= cut;
        last.end = this.finSeq;
        if (last.data !== null) {
          last.data = last.data.subarray(0, last.data.length - cut);
          last.acct -= cut;
          this.keptBytes -= cut;
          this.budget.bytes -= cut;
        }
        break;
      }
      ooo.pop();
      const len = seqDiff(last.end, last.seq);
      this.rangeBytes -= len;
      this.budget.segments--;
      if (last.data !== null) {
        this.keptBytes -= last.acct;
        this.budget.bytes -= last.acct;
      }
    }
    if (ooo.length === 0) this.leaveFifo();
  }

  private checkDone(): void {
    if (this.finSeen && !this.done && this.next === this.finSeq) this.done = true;
  }

  private enforceCaps(): void {
    const ooo = this.ooo;
    const l = this.budget.limits;
    if (ooo !== null && ooo.length > l.maxSegmentsPerDirection) {
      this.budget.counters.gapsSegmentCap++;
      this.flush();
    } else if (this.keptBytes + this.peer.keptBytes > l.maxBytesPerConnection) {
      this.budget.counters.gapsConnectionCap++;
      this.flush();
    }
    this.budget.enforceGlobal();
  }

  private enterFifo(): void {
    if (this.inFifo) return;
    const b = this.budget;
    this.inFifo = true;
    this.gapSince = b.now;
    this.fifoPrev = b.fifoTail;
    this.fifoNext = null;
    if (b.fifoTail !== null) b.fifoTail.fifoNext = this;
    else b.fifoHead = this;
    b.fifoTail = this;
  }

  leaveFifo(): void {
    if (!this.inFifo) return;
    const b = this.budget;
    this.inFifo = false;
    if (this.fifoPrev !== null) this.fifoPrev.fifoNext = this.fifoNext;
    else b.fifoHead = this.fifoNext;
    if (this.fifoNext !== null) this.fifoNext.fifoPrev = this.fifoPrev;
    else b.fifoTail = this.fifoPrev;
    this.fifoPrev = this.fifoNext = null;
    // No range left: drop the out-of-order state (drain re-enters at once when ranges remain).
    if (this.x !== null && this.x.segs.length === 0) this.x = null;
  }
}
