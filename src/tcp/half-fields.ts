/**
 * How one direction's state is laid out in memory: HalfFields, the base class of Half
 * (reassembly.ts, which owns what the values mean). A tracked connection's size is what bounds
 * memory (TCP_MAX_CONNECTIONS of them, two halves each), so:
 * - booleans are bits of one field, `bits` (HALF_FIRST_FREE_BIT and above belong to subclasses);
 * - the out-of-order state (OutOfOrder: the ranges, their byte counts, the gap FIFO links) exists
 *   only while a gap is open: Half drops it when the last range leaves;
 * - rarely used values (HalfExtra: history counts, snap-cut and unproven bytes, conflicts, the
 *   retransmission-check buffer) are allocated on their first write.
 * Reading a part that is absent gives its zero (0 or null); writing allocates it. Nothing here
 * knows sequence numbers or the budget.
 */
import type { Half } from './reassembly.js';
import type { SegmentInfo } from './stream.js';

/** A Half's rarely used values (see HalfFields.e). A new field must be added to
 * HalfFields.dropExtraIfBlank's check (the object is dropped when every field is blank). */
class HalfExtra {
  // history bookkeeping of Endpoint (connection.ts): t/g/w counts
  tCount = 0;
  gCount = 0;
  wCount = 0;
  cutBytes = 0;
  unproven = 0;
  unprovenEnd = 0;
  conflictBytes = 0;
  outOfWindow = 0;
  recent: Buffer | null = null;
  recentLen = 0;
}

/** A Half's out-of-order part (see HalfFields.x). */
class OutOfOrder {
  segs: Seg[] = [];
  keptBytes = 0;
  rangeBytes = 0;
  gapSince = 0;
  fifoPrev: Half | null = null;
  fifoNext: Half | null = null;
}

export class Seg implements SegmentInfo {
  /** DATA bytes held for this range, as counted in keptBytes and the budget (a merged range's
   * buffer may be larger than its data: see Half.append). */
  acct: number;
  /** A merged range's buffer, with room to grow; `data` is a view of its start. */
  backing: Buffer | null = null;
  constructor(
    public seq: number,
    public end: number,
    public readonly kind: number,
    public data: Buffer | null,
    public readonly frame: number,
    public readonly tsSec: number,
    public readonly tsNsec: number,
  ) {
    this.acct = data === null ? 0 : data.length;
  }
}

const HALF_STARTED = 1;
const HALF_FIN_SEEN = 2;
const HALF_DONE = 4;
const HALF_IN_FIFO = 8;
/** First bit free for subclasses' booleans. */
export const HALF_FIRST_FREE_BIT = 16;

export class HalfFields {
  /** Booleans packed in one field (a tracked connection's size is the bound on memory):
   * STARTED, FIN_SEEN, DONE, IN_FIFO here; Endpoint adds its own above them. */
  bits = 0;

  get started(): boolean {
    return (this.bits & HALF_STARTED) !== 0;
  }
  set started(v: boolean) {
    this.bits = v ? this.bits | HALF_STARTED : this.bits & ~HALF_STARTED;
  }
  get finSeen(): boolean {
    return (this.bits & HALF_FIN_SEEN) !== 0;
  }
  set finSeen(v: boolean) {
    this.bits = v ? this.bits | HALF_FIN_SEEN : this.bits & ~HALF_FIN_SEEN;
  }
  /** Every byte up to the FIN was delivered or skipped. */
  get done(): boolean {
    return (this.bits & HALF_DONE) !== 0;
  }
  set done(v: boolean) {
    this.bits = v ? this.bits | HALF_DONE : this.bits & ~HALF_DONE;
  }
  get inFifo(): boolean {
    return (this.bits & HALF_IN_FIFO) !== 0;
  }
  set inFifo(v: boolean) {
    this.bits = v ? this.bits | HALF_IN_FIFO : this.bits & ~HALF_IN_FIFO;
  }

  /** The out-of-order state, allocated while a gap is open (most connections never have one:
   * keeping these fields out of every Half keeps a tracked connection small). */
  protected x: OutOfOrder | null = null;

  protected rare(): OutOfOrder {
    let x = this.x;
    if (x === null) x = this.x = new OutOfOrder();
    return x;
  }
  /** Ranges after next, sorted, not overlapping; null when there is none. */
  get ooo(): Seg[] | null {
    return this.x === null ? null : this.x.segs;
  }
  /** DATA bytes held in ooo. */
  get keptBytes(): number {
    return this.x === null ? 0 : this.x.keptBytes;
  }
  set keptBytes(v: number) {
    this.rare().keptBytes = v;
  }
  /** Sequence-space bytes covered by ooo ranges. */
  get rangeBytes(): number {
    return this.x === null ? 0 : this.x.rangeBytes;
  }
  set rangeBytes(v: number) {
    this.rare().rangeBytes = v;
  }
  /** Capture second the front gap opened. */
  get gapSince(): number {
    return this.x === null ? 0 : this.x.gapSince;
  }
  set gapSince(v: number) {
    this.rare().gapSince = v;
  }
  get fifoPrev(): Half | null {
    return this.x === null ? null : this.x.fifoPrev;
  }
  set fifoPrev(v: Half | null) {
    this.rare().fifoPrev = v;
  }
  get fifoNext(): Half | null {
    return this.x === null ? null : this.x.fifoNext;
  }
  set fifoNext(v: Half | null) {
    this.rare().fifoNext = v;
  }

  /** Rarely used values, allocated on first use (most connections never need them). */
  protected e: HalfExtra | null = null;

  protected extra(): HalfExtra {
    let e = this.e;
    if (e === null) e = this.e = new HalfExtra();
    return e;
  }
  /** The retransmission-check buffer is gone (the stream is no longer delivered): the extra
   * object goes too when nothing else in it was ever written (a followed connection that saw no
   * rare event: a flood of short sessions would otherwise keep one per direction until expiry). */
  protected dropExtraIfBlank(): void {
    const e = this.e;
    if (e === null || e.recent !== null || e.recentLen !== 0) return;
    if (e.tCount === 0 && e.gCount === 0 && e.wCount === 0 && e.cutBytes === 0 && e.unproven === 0 && e.unprovenEnd === 0 && e.conflictBytes === 0 && e.outOfWindow === 0) this.e = null;
  }
  /** Endpoint's history bookkeeping (rare events: kept in the extra object). */
  get tCount(): number {
    return this.e === null ? 0 : this.e.tCount;
  }
  set tCount(v: number) {
    this.extra().tCount = v;
  }
  get gCount(): number {
    return this.e === null ? 0 : this.e.gCount;
  }
  set gCount(v: number) {
    this.extra().gCount = v;
  }
  get wCount(): number {
    return this.e === null ? 0 : this.e.wCount;
  }
  set wCount(v: number) {
    this.extra().wCount = v;
  }
  /** Of missedBytes, those the snap length cut off segments that were captured. */
  get cutBytes(): number {
    return this.e === null ? 0 : this.e.cutBytes;
  }
  set cutBytes(v: number) {
    this.extra().cutBytes = v;
  }
  /** Of unseenBytes, those an ACK up to unprovenEnd would show the capture missed. */
  get unproven(): number {
    return this.e === null ? 0 : this.e.unproven;
  }
  set unproven(v: number) {
    this.extra().unproven = v;
  }
  get unprovenEnd(): number {
    return this.e === null ? 0 : this.e.unprovenEnd;
  }
  set unprovenEnd(v: number) {
    this.extra().unprovenEnd = v;
  }
  get conflictBytes(): number {
    return this.e === null ? 0 : this.e.conflictBytes;
  }
  set conflictBytes(v: number) {
    this.extra().conflictBytes = v;
  }
  get outOfWindow(): number {
    return this.e === null ? 0 : this.e.outOfWindow;
  }
  set outOfWindow(v: number) {
    this.extra().outOfWindow = v;
  }
  /** Followed streams only: the last bytes delivered (ending at next), to compare retransmissions
   * with (TCP_RETRANSMIT_CHECK_BYTES); recentLen = 0 after a gap. */
  get recent(): Buffer | null {
    return this.e === null ? null : this.e.recent;
  }
  set recent(v: Buffer | null) {
    this.extra().recent = v;
  }
  get recentLen(): number {
    return this.e === null ? 0 : this.e.recentLen;
  }
  set recentLen(v: number) {
    // Emptied after a gap: nothing to write when there is no extra object (it reads as 0).
    if (v === 0 && this.e === null) return;
    this.extra().recentLen = v;
  }
}
