/**
 * The bytes of candidate data connections, for `--hash`, `--extract` and `--listings`.
 *
 * A `DataPayload` is the StreamSink of one candidate data connection, attached at its first
 * payload byte (the analyzer's `inspect` hook). It cannot know yet what the connection is for:
 * correlation happens when the session is finalized, seconds later, and the transfer command may
 * even come after the connection (passive clients connect before RETR). So each direction that
 * carries bytes streams them into its own SHA-256 (node:crypto, ~1.6 GB/s here, no copy), and with
 * `--extract` into a spool file, with `--listings` into a listing parser; the analyzer `take()`s
 * the direction the transfer used when it writes the report, and `discard()`s the payload of a
 * connection no session claimed. Nothing keeps a file's bytes in memory.
 *
 * Lifecycle (StreamSink): `data()`/`gap()` in stream order per direction, `end()` once; `take()`
 * or `discard()` once, possibly before `end()` (a data connection that outlives its session's
 * finalization): after it, bytes are ignored.
 *
 * A hole (a `gap()`, or a first byte after offset 0: the first segments were cut by the snap
 * length, or the connection was picked up mid-stream) leaves the hash without meaning — no file
 * has those bytes — so the result says so rather than hand out a wrong hash.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Direction, SegmentInfo, StreamSink } from '../tcp/index.js';
import { ListingParser } from './listing.js';
import type { ListingReport } from './model.js';

/** Where `--extract` spools a direction's bytes (src/ftp/extract.ts). */
export interface SpoolTarget {
  /** Bytes at stream offset `offset` (valid during the call only). */
  write(offset: number, bytes: Buffer): void;
  /** Writes what is queued and closes the file (the extractor then keeps or deletes it). */
  close(): void;
}

export interface PayloadOptions {
  /** Parse each direction as a listing too (`--listings`). */
  readonly listings: boolean;
  /** A spool per direction that carries bytes (`--extract`); null: hash only. */
  readonly spool: ((dir: Direction) => SpoolTarget) | null;
}

/** What one direction carried, once taken. */
export interface PayloadResult {
  /** Bytes delivered in order. */
  readonly size: number;
  /** Hex SHA-256 of those bytes; null when a hole lies before or among them. */
  readonly sha256: string | null;
  /** Bytes the capture missed (holes, and bytes before the first one seen). */
  readonly missedBytes: number;
  readonly spool: SpoolTarget | null;
  readonly listing: ListingReport | null;
}

class DirectionPayload {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  /** Stream offset of the next byte expected. */
  next = 0;
  missed = 0;
  holed = false;
  constructor(
    readonly spool: SpoolTarget | null,
    readonly listing: ListingParser | null,
  ) {}
}

export class DataPayload implements StreamSink {
  private readonly dirs: [DirectionPayload | null, DirectionPayload | null] = [null, null];
  private closed = false;

  constructor(
    private readonly opts: PayloadOptions,
    /** The connection was picked up mid-stream: its offset 0 is not the transfer's first byte. */
    private readonly midStream: boolean,
  ) {}

  private dir(d: Direction): DirectionPayload {
    let p = this.dirs[d];
    if (p === null) {
      p = this.dirs[d] = new DirectionPayload(this.opts.spool?.(d) ?? null, this.opts.listings ? new ListingParser() : null);
      if (this.midStream) p.holed = true;
    }
    return p;
  }

  data(d: Direction, bytes: Buffer, offset: number, _at: SegmentInfo): void {
    if (this.closed) return;
    const p = this.dir(d);
    if (offset !== p.next) {
      // Bytes before these were never delivered nor reported as a gap (cut by the snap length
      // before the first captured byte): a hole all the same.
      if (offset > p.next) p.missed += offset - p.next;
      p.holed = true;
    }
    p.hash.update(bytes);
    p.spool?.write(offset, bytes);
    p.listing?.push(bytes);
    p.size += bytes.length;
    p.next = offset + bytes.length;
  }

  gap(d: Direction, offset: number, length: number): void {
    if (this.closed) return;
    const p = this.dir(d);
    p.missed += length;
    p.holed = true;
    p.next = offset + length;
    p.listing?.hole();
  }

  end(): void {
    // Nothing to do: a direction's bytes are final when the session takes them (a data connection
    // still open then is reported with what it carried so far).
  }

  /** The result of direction `d` (null when it carried nothing); the other direction's spool is
   * closed and handed back for deletion through `others`. Once: later bytes are ignored. */
  take(d: Direction | null): { result: PayloadResult | null; others: SpoolTarget[] } {
    this.closed = true;
    const others: SpoolTarget[] = [];
    let result: PayloadResult | null = null;
    for (const k of [0, 1] as const) {
      const p = this.dirs[k];
      if (p === null) continue;
      p.spool?.close();
      const digest = p.hash.digest('hex');
      if (k === d) result = { size: p.size, sha256: p.holed ? null : digest, missedBytes: p.missed, spool: p.spool, listing: p.listing?.report() ?? null };
      else if (p.spool) others.push(p.spool);
    }
    this.dirs[0] = this.dirs[1] = null;
    return { result, others };
  }
}
