/**
 * IP fragment reassembly, shared by IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5).
 *
 * Contract: the decoder calls `add()` once per fragment with a key naming the datagram (IPv4:
 * src, dst, protocol, id; IPv6: src, dst, id), the fragment's byte offset within the fragmentable
 * part, its payload bytes and whether it is the last. The bytes are copied (they outlive the
 * capture record). When the datagram is complete `add()` returns a buffer the reassembler owns
 * holding the whole fragmentable part; otherwise null.
 *
 * Bounds (src/limits.ts): pending datagrams, pending bytes, fragments per datagram and a timeout
 * measured in capture time, so a capture with time going backwards or a fragment flood cannot
 * make it grow. Every drop is counted under a `frag-*` reason, never silent.
 *
 * Overlap policy: the first copy of a byte wins (like BSD "first" and Windows; Linux takes the
 * last). Anything overlapping is counted, and a mismatch in the overlapped bytes too, since that
 * is how fragment-based IDS evasion looks (RFC 5722 forbids overlap for IPv6 altogether).
 */
import {
  FRAG_TIMEOUT_SEC,
  MAX_FRAG_BYTES,
  MAX_FRAG_DATAGRAMS,
  MAX_FRAGS_PER_DATAGRAM,
} from '../limits.js';
import { Reason } from './reasons.js';

export interface FragmentLimits {
  maxDatagrams: number;
  maxBytes: number;
  timeoutSec: number;
  maxFragsPerDatagram: number;
}

export const DEFAULT_FRAGMENT_LIMITS: Readonly<FragmentLimits> = {
  maxDatagrams: MAX_FRAG_DATAGRAMS,
  maxBytes: MAX_FRAG_BYTES,
  timeoutSec: FRAG_TIMEOUT_SEC,
  maxFragsPerDatagram: MAX_FRAGS_PER_DATAGRAM,
};

/** The largest fragmentable part: both IPv4 total length and IPv6 payload length are 16 bits. */
const MAX_DATAGRAM = 65535;

/** One held fragment: bytes [start, end) of the fragmentable part. */
interface Piece {
  start: number;
  end: number;
  data: Buffer;
}

/** An incomplete datagram. Invariant: `pieces` sorted by start, pairwise disjoint. */
interface Pending {
  firstSeen: number;
  pieces: Piece[];
  /** Total length once the last fragment (MF = 0) is seen, else -1. */
  end: number;
  bytes: number;
  /** Protocol / next header of the offset-0 fragment (RFC 8200 §4.5: only its value counts),
   * -1 until seen. */
  nextHeader: number;
  /** Capture frame numbers of the fragments added, in arrival order (at most maxFragsPerDatagram). */
  frames: number[];
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  private heldBytes = 0;
  /** Next header of the datagram `add()` last completed. */
  nextHeader = -1;
  /** Frame numbers of the fragments of the datagram `add()` last completed, the completing one
   * last (evidence files hold every fragment of a packet they hold). */
  frames: readonly number[] = [];
  /** The last `add()` returned null because the fragment itself was malformed (counted),
   * rather than because the datagram is still incomplete. */
  rejected = false;

  constructor(
    private readonly limits: FragmentLimits,
    /** The decoder's counter array, indexed by Reason. */
    private readonly counts: Float64Array,
  ) {}

  /** Datagrams currently pending. */
  get pendingDatagrams(): number {
    return this.pending.size;
  }

  /** Fragment bytes currently held. */
  get pendingBytes(): number {
    return this.heldBytes;
  }

  /**
   * Adds a fragment. `now` is capture time in seconds. Returns the reassembled fragmentable
   * part (a fresh buffer, `nextHeader` set) when this fragment completes the datagram, else null.
   * A malformed fragment is counted and dropped (null).
   */
  add(
    key: string,
    now: number,
    start: number,
    buf: Buffer,
    off: number,
    len: number,
    last: boolean,
    nextHeader: number,
    frame = 0,
  ): Buffer | null {
    const c = this.counts;
    this.rejected = true;
    if (!last && (len & 7) !== 0) {
      c[Reason['frag-bad-length']]++;
      return null;
    }
    let end = start + len;
    if (end > MAX_DATAGRAM) {
      c[Reason['frag-too-long']]++;
      return null;
    }
    this.rejected = false;
    this.expire(now);

    let d = this.pending.get(key);
    if (d === undefined) {
      d = { firstSeen: now, pieces: [], end: -1, bytes: 0, nextHeader: -1, frames: [] };
      this.pending.set(key, d);
      if (this.pending.size > this.limits.maxDatagrams) this.dropOldest(d);
    }
    if (start === 0 && d.nextHeader < 0) d.nextHeader = nextHeader;
    if (d.frames.length < this.limits.maxFragsPerDatagram) d.frames.push(frame);

    if (last) {
      if (d.end < 0) {
        // A piece already held beyond this end contradicts it: keep the first word (the pieces).
        const tail = d.pieces.length > 0 ? d.pieces[d.pieces.length - 1].end : 0;
        if (tail > end) c[Reason['frag-inconsistent-end']]++;
        else d.end = end;
      } else if (d.end !== end) {
        c[Reason['frag-inconsistent-end']]++;
        end = Math.min(end, d.end);
      }
    } else if (d.end >= 0 && end > d.end) {
      c[Reason['frag-inconsistent-end']]++;
      end = d.end;
    }

    if (end > start) this.insert(key, d, start, end, buf, off);
    if (!this.pending.has(key)) return null; // dropped by a limit while inserting

    if (d.end >= 0 && d.bytes === d.end && d.nextHeader >= 0) return this.complete(key, d);
    return null;
  }

  /** Drops every datagram older than the timeout at capture time `now`. */
  expire(now: number): void {
    if (this.pending.size === 0) return;
    const limit = now - this.limits.timeoutSec;
    // Map iteration is insertion order = order of first fragment, so the oldest come first.
    for (const [key, d] of this.pending) {
      if (d.firstSeen >= limit) break;
      this.remove(key, d);
      this.counts[Reason['frag-expired']]++;
    }
  }

  /** End of capture: counts what is still pending as `frag-incomplete-at-end` and frees it. */
  finish(): void {
    this.counts[Reason['frag-incomplete-at-end']] += this.pending.size;
    this.pending.clear();
    this.heldBytes = 0;
  }

  /** Copies the parts of [start, end) not yet held; the first copy of a byte wins. */
  private insert(key: string, d: Pending, start: number, end: number, buf: Buffer, off: number): void {
    const pieces = d.pieces;
    let overlap = false;
    let mismatch = false;
    let pos = start;
    let i = 0;
    while (i < pieces.length && pieces[i].end <= pos) i++;
    while (pos < end) {
      const next = i < pieces.length ? pieces[i] : undefined;
      if (next !== undefined && next.start <= pos) {
        // [pos, min(end, next.end)) is already held: compare, keep the old bytes.
        const stop = Math.min(end, next.end);
        overlap = true;
        if (!mismatch) {
          mismatch =
            buf.compare(next.data, pos - next.start, stop - next.start, off + pos - start, off + stop - start) !== 0;
        }
        pos = stop;
        i++;
        continue;
      }
      const stop = next !== undefined && next.start < end ? next.start : end;
      if (pieces.length >= this.limits.maxFragsPerDatagram) {
        this.remove(key, d);
        this.counts[Reason['frag-dropped-limit']]++;
        return;
      }
      const n = stop - pos;
      while (this.heldBytes + n > this.limits.maxBytes && this.pending.size > 0) {
        const dropped = this.dropOldest(undefined);
        if (dropped === d) return;
      }
      const data = Buffer.allocUnsafe(n);
      buf.copy(data, 0, off + pos - start, off + stop - start);
      pieces.splice(i, 0, { start: pos, end: stop, data });
      d.bytes += n;
      this.heldBytes += n;
      i++;
      pos = stop;
    }
    if (overlap) this.counts[Reason['frag-overlap']]++;
    if (mismatch) this.counts[Reason['frag-overlap-mismatch']]++;
  }

  private complete(key: string, d: Pending): Buffer {
    const out = Buffer.allocUnsafe(d.end);
    for (const p of d.pieces) p.data.copy(out, p.start);
    this.nextHeader = d.nextHeader;
    this.frames = d.frames;
    this.remove(key, d);
    this.counts[Reason['frag-reassembled']]++;
    return out;
  }

  /** Drops the oldest pending datagram other than `keep` (if `keep` is the only one, it). */
  private dropOldest(keep: Pending | undefined): Pending | undefined {
    let victim: string | undefined;
    let vd: Pending | undefined;
    for (const [key, d] of this.pending) {
      if (d === keep && this.pending.size > 1) continue;
      victim = key;
      vd = d;
      break;
    }
    if (victim === undefined || vd === undefined) return undefined;
    this.remove(victim, vd);
    this.counts[Reason['frag-dropped-limit']]++;
    return vd;
  }

  private remove(key: string, d: Pending): void {
    this.heldBytes -= d.bytes;
    this.pending.delete(key);
  }
}
