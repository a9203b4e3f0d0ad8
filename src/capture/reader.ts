/**
 * One input (a path or '-') read as a stream of CaptureRecords: format detection, the format's
 * parser over a refilled Window, and the input's summary (docs/design.md §4 `inputs[]`).
 *
 * Driving it: `next(rec)` is synchronous and returns Step.RECORD, END, ERROR or NEED_MORE; on
 * NEED_MORE await `fill()` and ask again. Only the refill is asynchronous, so a chunk's thousands of
 * records cost no promise each, and the next read happens only when the consumer asks for it
 * (backpressure for free, memory bounded by one chunk).
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { CaptureRecord } from './record.js';
import type { CaptureError, CaptureWarning, OffsetStream } from './errors.js';
import { openSource, type ByteSource } from './source.js';
import { GzipError } from './gunzip.js';
import { READ_CHUNK_BYTES } from '../limits.js';
import { Window, Step } from './window.js';
import { PcapParser, pcapMagic } from './pcap.js';
import { PcapngParser, PCAPNG_SHB } from './pcapng.js';

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

export interface InterfaceInfo {
  linkType: number;
  snapLength: number;
  name: string | null;
}

interface Parser {
  next(w: Window, rec: CaptureRecord): Step;
  error: CaptureError | null;
  interfaces(): InterfaceInfo[];
}

export class CaptureReader {
  /** Records read from this input (not counting the one that failed). */
  packets = 0;
  /** Sum of captured lengths (capinfos' "data size"). */
  capturedBytes = 0;
  firstSec = -1;
  firstNsec = 0;
  lastSec = -1;
  lastNsec = 0;
  /** Records whose timestamp is earlier than their predecessor's in this file. */
  outOfOrder = 0;
  error: CaptureError | null = null;
  /** What was skipped in an input still read to its end (gzip trailing garbage). */
  warnings: CaptureWarning[] = [];
  format: CaptureFormat | null = null;
  gzip = false;
  byteOrder: 'little-endian' | 'big-endian' | null = null;
  fileSize: number | null = null;
  done = false;

  private window: Window | null = null;
  private parser: Parser | null = null;
  /** The parser's offset when the input was closed (its window, and the buffers, are gone then). */
  private closedAt = 0;

  /**
   * @param chunk read size: READ_CHUNK_BYTES for reading, smaller for a probe of the first record
   *   (src/capture/merge.ts), which should not allocate two megabytes per file of an archive.
   */
  constructor(
    readonly path: string,
    readonly index: number,
    private readonly stdin?: Readable,
    private readonly chunk = READ_CHUNK_BYTES,
  ) {}

  /** Opens the input and identifies its format. Errors (missing file, unknown magic) land in `error`. */
  async open(): Promise<void> {
    let source: ByteSource;
    try {
      if (this.path !== '-') {
        // A FIFO or device has no size to count progress against.
        const st = await stat(this.path);
        this.fileSize = st.isFile() ? st.size : null;
      }
      const opened = await openSource(this.path, this.stdin, this.chunk);
      source = opened.source;
      this.gzip = opened.gzip;
    } catch (e) {
      this.setError('open-failed', 0, describeIoError(e));
      return;
    }
    const w = new Window(source);
    this.window = w;
    try {
      while (w.available < 4 && !w.eof) await w.refill();
    } catch (e) {
      this.readFailed(w, e);
      return;
    }
    if (w.available === 0) {
      this.setError('empty-file', 0, 'file is empty');
      return;
    }
    const head = w.buf.subarray(w.pos, w.pos + 4);
    const m = pcapMagic(head);
    if (m) {
      this.format = m.nanosecond ? 'pcap-nsec' : 'pcap';
      this.byteOrder = m.littleEndian ? 'little-endian' : 'big-endian';
      this.parser = new PcapParser(this.path);
    } else if (head.length === 4 && head.readUInt32LE(0) === PCAPNG_SHB) {
      this.format = 'pcapng';
      this.parser = new PcapngParser(this.path);
    } else {
      this.setError('unknown-format', 0, `not a pcap, pcapng or gzip file (starts with ${head.toString('hex')})`);
    }
  }

  /** Holds its file and read buffers (between open() and close()). */
  get isOpen(): boolean {
    return this.window !== null;
  }

  /** Bytes of the (decompressed) input consumed by the parser so far: exact progress. */
  get bytesRead(): number {
    return this.window ? this.window.offset : this.closedAt;
  }

  /** Interfaces (link types, snap lengths) seen so far. */
  interfaces(): InterfaceInfo[] {
    return this.parser ? this.parser.interfaces() : [];
  }

  next(rec: CaptureRecord): Step {
    const w = this.window;
    const parser = this.parser;
    if (!w || !parser || this.done) return this.error ? Step.ERROR : Step.END;
    const s = parser.next(w, rec);
    if (s === Step.RECORD) {
      rec.input = this.index;
      this.packets++;
      this.capturedBytes += rec.capturedLength;
      const sec = rec.tsSec;
      const nsec = rec.tsNsec;
      if (this.firstSec < 0) {
        this.firstSec = sec;
        this.firstNsec = nsec;
      } else if (sec < this.lastSec || (sec === this.lastSec && nsec < this.lastNsec)) {
        this.outOfOrder++;
      }
      this.lastSec = sec;
      this.lastNsec = nsec;
      return s;
    }
    if (s === Step.ERROR) {
      const e = parser.error;
      this.error = e && this.gzip ? { ...e, stream: 'decompressed' } : e;
      this.done = true;
    } else if (s === Step.END) {
      this.done = true;
    } else if (w.eof) {
      // A parser must not ask for more once the source is exhausted; treat it as a cut file.
      this.setError('truncated-record', w.offset, 'file ends inside a record');
      return Step.ERROR;
    }
    if (this.parser instanceof PcapParser && this.parser.header) {
      this.byteOrder = this.parser.header.littleEndian ? 'little-endian' : 'big-endian';
    }
    return s;
  }

  async fill(): Promise<void> {
    const w = this.window;
    if (!w) return;
    try {
      await w.refill();
    } catch (e) {
      this.readFailed(w, e);
      return;
    }
    const warning = w.source.warning;
    if (w.eof && warning && this.warnings.length === 0) {
      this.warnings.push({ kind: 'trailing-garbage', file: this.path, offset: warning.offset, stream: 'compressed', message: warning.message });
    }
  }

  /** A read that threw: a corrupt or cut gzip member (with its compressed offset), or an I/O error. */
  private readFailed(w: Window, e: unknown): void {
    if (e instanceof GzipError) this.setError('gzip', e.compressedOffset, e.message, 'compressed');
    else this.setError('open-failed', w.offset, `read failed: ${describeIoError(e)}`, this.gzip ? 'decompressed' : undefined);
  }

  /**
   * Closes the file and lets go of the window and its read buffers; the summary (counts, times,
   * interfaces, error) stays. A merge of a thousand files keeps a thousand readers for `inputs[]`,
   * so a closed reader must not hold its two megabytes.
   */
  async close(): Promise<void> {
    const w = this.window;
    if (!w) return;
    this.closedAt = w.offset;
    this.window = null;
    this.done = true;
    await w.source.close().catch(() => undefined);
  }

  /** pcapng section count and comments, when the format has them. */
  get pcapng(): PcapngParser | null {
    return this.parser instanceof PcapngParser ? this.parser : null;
  }

  private setError(kind: CaptureError['kind'], offset: number, message: string, stream: OffsetStream | undefined = this.gzip ? 'decompressed' : undefined): void {
    this.error = { kind, file: this.path, offset, message, ...(stream ? { stream } : {}) };
    this.done = true;
  }
}

function describeIoError(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e) {
    const code = String((e as { code: unknown }).code);
    const known: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      Z_BUF_ERROR: 'unexpected end of compressed data',
      Z_DATA_ERROR: 'invalid compressed data',
    };
    if (known[code]) return known[code];
    return code;
  }
  return e instanceof Error ? e.message : String(e);
}
