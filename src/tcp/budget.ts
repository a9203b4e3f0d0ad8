/**
 * What every direction of every connection shares (ReassemblyBudget): the bounds a Half checks
 * (ReassemblyLimits, defaults from limits.ts; tests lower them to cross them cheaply), the global
 * totals of bytes and ranges held out of order, the capture clock, the FIFO of halves holding an
 * open gap (oldest gap first), and the counters the `limits` report prints.
 *
 * Contract: `expire(now)` skips every gap open longer than gapTimeoutSec; `enforceGlobal()` skips
 * the oldest gaps until both totals are back under maxBytesTotal / maxSegmentsTotal. Skipping is
 * the Half's own `flush()` (reassembly.ts): the budget only chooses which half and counts why.
 */
import {
  TCP_GAP_TIMEOUT_SEC,
  TCP_MAX_ACK_SKIP,
  TCP_MAX_OOO_BYTES_PER_CONNECTION,
  TCP_MAX_OOO_BYTES_TOTAL,
  TCP_MAX_OOO_SEGMENTS_PER_DIRECTION,
  TCP_MAX_OOO_SEGMENTS_TOTAL,
  TCP_MAX_SEQ_JUMP,
  TCP_RETRANSMIT_CHECK_BYTES,
} from '../limits.js';
import type { Half } from './reassembly.js';

export interface ReassemblyLimits {
  /** Out-of-order payload bytes kept per connection (both directions). */
  maxBytesPerConnection: number;
  /** Out-of-order payload bytes kept by all connections together. */
  maxBytesTotal: number;
  /** Out-of-order ranges per direction (kept or only counted). */
  maxSegmentsPerDirection: number;
  /** Out-of-order ranges held by all connections together. */
  maxSegmentsTotal: number;
  /** Capture seconds a gap may stay open while later bytes wait. */
  gapTimeoutSec: number;
  /** A segment further than this from the next expected byte is outside any window. */
  maxSeqJump: number;
  /** Delivered bytes kept per followed direction to compare retransmissions with. */
  retransmitCheckBytes: number;
  /** An acknowledgement further than this past the next expected byte skips nothing. */
  maxAckSkip: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxBytesPerConnection: TCP_MAX_OOO_BYTES_PER_CONNECTION,
  maxBytesTotal: TCP_MAX_OOO_BYTES_TOTAL,
  maxSegmentsPerDirection: TCP_MAX_OOO_SEGMENTS_PER_DIRECTION,
  maxSegmentsTotal: TCP_MAX_OOO_SEGMENTS_TOTAL,
  gapTimeoutSec: TCP_GAP_TIMEOUT_SEC,
  maxSeqJump: TCP_MAX_SEQ_JUMP,
  retransmitCheckBytes: TCP_RETRANSMIT_CHECK_BYTES,
  maxAckSkip: TCP_MAX_ACK_SKIP,
};

/** Counters of the reassembly as a whole (names appear in the `limits` report). */
export interface ReassemblyCounters {
  /** Gaps skipped because the peer acknowledged past them (capture loss). */
  gapsAcked: number;
  /** Gaps skipped after TCP_GAP_TIMEOUT_SEC. */
  gapsTimedOut: number;
  /** Gaps skipped because a connection crossed TCP_MAX_OOO_BYTES_PER_CONNECTION. */
  gapsConnectionCap: number;
  /** Gaps skipped because all connections crossed TCP_MAX_OOO_BYTES_TOTAL (oldest gap first). */
  gapsGlobalCap: number;
  /** Gaps skipped because of TCP_MAX_OOO_SEGMENTS_PER_DIRECTION / _TOTAL. */
  gapsSegmentCap: number;
  /** Gaps skipped when a connection ended (FIN/RST, removal, end of capture). */
  gapsAtEnd: number;
  /** Bytes skipped in gaps the capture missed, with proof (acknowledged, snap cut). */
  missedBytes: number;
  /** Bytes skipped in gaps without that proof (timeout, bound, end): never seen, never acknowledged. */
  unseenBytes: number;
  /** Segments ignored as outside any window (TCP_MAX_SEQ_JUMP). */
  outOfWindowSegments: number;
  /** Bytes seen twice with different content (first copy kept). */
  conflictingBytes: number;
  /** Acknowledgements too far ahead to skip a gap (TCP_MAX_ACK_SKIP): ignored. */
  acksImplausible: number;
  /** Retransmitted bytes of a followed stream older than the TCP_RETRANSMIT_CHECK_BYTES it keeps:
   * counted as retransmitted, never compared (a conflicting copy among them goes unnoticed). */
  retransmitBytesUnchecked: number;
}

/** State shared by every Half: the global bounds, the FIFO of halves holding a gap, counters. */
export class ReassemblyBudget {
  bytes = 0;
  segments = 0;
  /** Capture time (seconds) of the packet being processed. */
  now = 0;
  fifoHead: Half | null = null;
  fifoTail: Half | null = null;
  readonly counters: ReassemblyCounters = {
    gapsAcked: 0,
    gapsTimedOut: 0,
    gapsConnectionCap: 0,
    gapsGlobalCap: 0,
    gapsSegmentCap: 0,
    gapsAtEnd: 0,
    missedBytes: 0,
    unseenBytes: 0,
    outOfWindowSegments: 0,
    conflictingBytes: 0,
    acksImplausible: 0,
    retransmitBytesUnchecked: 0,
  };
  constructor(readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {}

  /** Skips gaps whose wait passed the timeout (FIFO order is gap-open order). */
  expire(now: number): void {
    const limit = now - this.limits.gapTimeoutSec;
    while (this.fifoHead !== null && this.fifoHead.gapSince < limit) {
      this.counters.gapsTimedOut++;
      this.fifoHead.flush();
    }
  }

  enforceGlobal(): void {
    const l = this.limits;
    while ((this.bytes > l.maxBytesTotal || this.segments > l.maxSegmentsTotal) && this.fifoHead !== null) {
      if (this.bytes > l.maxBytesTotal) this.counters.gapsGlobalCap++;
      else this.counters.gapsSegmentCap++;
      this.fifoHead.flush();
    }
  }
}
