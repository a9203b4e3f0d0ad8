/**
 * The bytes of candidate data connections, for `--hash`, `--extract` and `--listings`, and the
 * transferred-file accounting made of them (`TransferFiles`).
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
import type { ConnectionSummary, Direction, SegmentInfo, StreamSink } from '../tcp/index.js';
import { isoTimeNs } from '../tcp/index.js';
import { endpointText } from '../tcp/conn-log.js';
import { ListingParser } from './listing.js';
import type { DataConnectionReport, Endpoint, FileReport, ListingReport } from './model.js';
import type { TransferRec } from './session.js';
import type { Extractor, ManifestEntry } from './extract.js';

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

/** SHA-256 of no bytes: a transfer that carried none (an empty file) has it. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A file transfer waiting for its session id to be written out (`keep`). */
export interface PendingFile {
  readonly report: FileReport;
  readonly spool: SpoolTarget | null;
  readonly entry: Omit<ManifestEntry, 'name' | 'writtenBytes' | 'cut' | 'session'>;
}

export interface TransferFilesOptions {
  /** Parse listings into entries (`--listings`). */
  readonly listings: boolean;
  /** Write transferred files out (`--extract DIR`). */
  readonly extract: Extractor | null;
}

/**
 * The transferred-file accounting of `--hash`, `--extract` and `--listings`: a DataPayload per
 * candidate data connection from its first byte (`follow`), until the report of the session that
 * took it asks for its transfer's `file` (`fileOf`) or nobody can take it any more (`drop`,
 * `finish`: its spools are deleted). With `--extract`, the files of the session being reported
 * wait (`takeFiles`) until the report has its id (`keep`): the manifest names the session.
 */
export class TransferFiles {
  private readonly payloads = new Map<number, DataPayload>();
  private files: PendingFile[] = [];
  private readonly payloadOpts: PayloadOptions;

  constructor(
    private readonly opts: TransferFilesOptions,
    /** Listing entries left out past LISTING_MAX_ENTRIES, added up. */
    private readonly counters: { listingEntriesDropped: number },
  ) {
    const extract = opts.extract;
    this.payloadOpts = { listings: opts.listings, spool: extract ? () => extract.spool() : null };
  }

  /** The sink that follows candidate connection `id`'s bytes. */
  follow(id: number, midStream: boolean): DataPayload {
    const p = new DataPayload(this.payloadOpts, midStream);
    this.payloads.set(id, p);
    return p;
  }

  /** Connection `id` can be taken by no session: its bytes go. */
  drop(id: number): void {
    const p = this.payloads.get(id);
    if (p === undefined) return;
    this.payloads.delete(id);
    this.discard(p);
  }

  /** The end of the capture: the connections no session claimed lose their spools. */
  finish(): void {
    for (const p of this.payloads.values()) this.discard(p);
    this.payloads.clear();
  }

  private discard(p: DataPayload): void {
    const { others } = p.take(null);
    for (const t of others) this.opts.extract?.discard(t);
  }

  /** The files of the session just reported, waiting for its id. */
  takeFiles(): PendingFile[] {
    const f = this.files;
    this.files = [];
    return f;
  }

  /** The reported session got its id: its files are written out under it. */
  keep(files: readonly PendingFile[], session: number): void {
    for (const f of files) f.report.extracted = this.opts.extract?.keep(f.spool, { ...f.entry, session }) ?? null;
  }

  /**
   * What the transfer's direction carried (null when the connection carried no transfer, or its
   * bytes were not followed). Complete means: no byte missed, at least the announced size, and a
   * 2xx final reply. With `--extract` a file transfer waits in `files` for its session id.
   */
  fileOf(id: number, s: { readonly client: Endpoint; readonly server: Endpoint }, c: ConnectionSummary | null, transfer: TransferRec | null, outcome: DataConnectionReport['outcome'], serverIsOrig: boolean, sentBytes: number, sentMissed: number): FileReport | null {
    const payload = c ? this.payloads.get(c.id) : undefined;
    if (c && payload) this.payloads.delete(c.id);
    if (!c || !transfer) {
      if (payload) this.discard(payload);
      return null;
    }
    const clientIsOrig = !serverIsOrig;
    const dir = transfer.direction === 'upload' ? (clientIsOrig ? 0 : 1) : serverIsOrig ? 0 : 1;
    let r: PayloadResult | null = null;
    if (payload) {
      const { result, others } = payload.take(dir);
      for (const t of others) this.opts.extract?.discard(t);
      r = result;
    } else if (sentBytes > 0 || sentMissed > 0) {
      // Bytes nobody followed (the candidate was dropped at MAX_DATA_CANDIDATES): nothing to say.
      return null;
    }
    const size = r?.size ?? 0;
    const sha256 = r ? r.sha256 : c.midStream ? null : EMPTY_SHA256;
    const expected = transfer.expectedBytes;
    const incomplete = sha256 === null ? 'capture-gap' : expected !== null && size < expected ? 'short' : outcome !== 'completed' ? 'not-confirmed' : null;
    const kind = transfer.direction === 'listing' ? 'listing' : 'file';
    const file: FileReport = { kind, size, sha256, offset: transfer.restOffset, complete: incomplete === null, incomplete, missedBytes: r?.missedBytes ?? 0 };
    if (this.opts.listings && kind === 'listing') {
      file.listing = r?.listing ?? { format: 'names', entries: [], dropped: 0, unparsed: 0 };
      this.counters.listingEntriesDropped += file.listing.dropped;
    }
    const extract = this.opts.extract;
    if (extract) {
      // A transfer of which nothing arrived (refused, never answered) writes no empty file that
      // could pass for the real one; an empty file that completed is written.
      if (kind === 'file' && (size > 0 || file.complete || (r?.missedBytes ?? 0) > 0)) {
        file.extracted = null;
        this.files.push({
          report: file,
          spool: r?.spool ?? null,
          entry: {
            size,
            sha256,
            complete: file.complete,
            incomplete,
            missedBytes: file.missedBytes,
            offset: file.offset,
            dataConnection: id,
            command: transfer.verb,
            ftpPath: transfer.path ?? transfer.arg,
            direction: transfer.direction,
            client: endpointText(s.client),
            server: endpointText(s.server),
            time: isoTimeNs(c.startSec, c.startNsec),
          },
        });
      } else if (r?.spool) extract.discard(r.spool);
      if (kind === 'file' && file.extracted === undefined) file.extracted = null;
    }
    return file;
  }
}
