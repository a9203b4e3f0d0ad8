/**
 * Byte sources under the capture readers: a file read in large chunks, or a stream (stdin, gunzip).
 *
 * Contract of `read(keep)`: returns a buffer that begins with the bytes of `keep` (the unconsumed
 * tail of the previous chunk: at most one partial record) followed by newly read bytes, or null
 * when the source has nothing more. Only `keep` is ever copied, so a record that straddles two
 * chunks is the only copy the reader makes (docs/design.md §2).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { GunzipSource, type SourceWarning } from './gunzip.js';
import type { Readable } from 'node:stream';
import { READ_CHUNK_BYTES } from '../limits.js';
import { openFifo } from './fifo.js';

export interface ByteSource {
  read(keep: Buffer | null): Promise<Buffer | null>;
  close(): Promise<void>;
  /** Bytes consumed from the underlying file (compressed bytes for gzip input). */
  readonly rawBytes: number;
  /** Set once the source ended with something skipped (gzip: trailing garbage). */
  readonly warning?: SourceWarning | null;
}

/** Space kept free at the head of each read buffer for the previous chunk's unconsumed tail (at
 * most one record: a record header plus the record limit). A larger tail (a huge pcapng block)
 * falls back to a joined copy. */
const KEEP_RESERVE = 16 + 256 * 1024;

/**
 * Read buffers of closed FileSources, taken again by the next FileSource of the same size. A
 * directory of a thousand rotated files then allocates a few buffers instead of a thousand pairs
 * (2.5 GB the kernel must zero and the collector must find: measured +40 MB peak RSS and ~15%
 * slower on 1,004 files). Safe by CaptureRecord's contract: no one holds a view of a record once
 * the next one is read, and a source is closed only after its last record.
 */
const spare = new Map<number, Buffer[]>();
/** Spare bytes kept per buffer size: a few open files' worth of 1 MiB reads, every probe's small ones. */
const SPARE_BYTES_PER_SIZE = 8 * 1024 * 1024;

function takeBuffer(size: number): Buffer {
  return spare.get(size)?.pop() ?? Buffer.allocUnsafe(size);
}

function giveBack(b: Buffer): void {
  let list = spare.get(b.length);
  if (!list) spare.set(b.length, (list = []));
  if ((list.length + 1) * b.length <= SPARE_BYTES_PER_SIZE) list.push(b);
}

/**
 * A regular file read with positional reads of 1 MiB (measured 2-3x faster than Node's 64 KiB
 * stream default) into two buffers used in turn, reading ahead: while the reader parses one
 * buffer, the next chunk is already being read into the other, so disk/page-cache copies overlap
 * parsing. The previous chunk's tail is copied into the reserved head of the next buffer. Reading
 * a file of any size allocates nothing after the first two buffers, which is why record views die
 * at the next record (CaptureRecord's contract).
 */
export class FileSource implements ByteSource {
  rawBytes = 0;
  private readonly bufs: Buffer[];
  /** Head room for the previous chunk's tail: KEEP_RESERVE, less for a small chunk (a probe). */
  private readonly reserve: number;
  private turn = 0;
  private ahead: Promise<number> | null = null;
  private eof = false;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    private readonly chunk: number,
  ) {
    this.reserve = Math.min(KEEP_RESERVE, chunk);
    this.bufs = [takeBuffer(this.reserve + chunk), takeBuffer(this.reserve + chunk)];
  }

  static async open(path: string, chunk = READ_CHUNK_BYTES): Promise<FileSource> {
    return new FileSource(await open(path, 'r'), chunk);
  }

  /** Reads an already opened regular file (the handle is the source's to close). */
  static of(fh: FileHandle, chunk = READ_CHUNK_BYTES): FileSource {
    return new FileSource(fh, chunk);
  }

  private readInto(i: number): Promise<number> {
    return this.fh.read(this.bufs[i], this.reserve, this.chunk, null).then((r) => r.bytesRead);
  }

  async read(keep: Buffer | null): Promise<Buffer | null> {
    if (this.eof) return null;
    const i = this.turn ^ 1;
    const n = await (this.ahead ?? this.readInto(i));
    this.ahead = null;
    if (n === 0) {
      this.eof = true;
      return null;
    }
    this.rawBytes += n;
    this.turn = i;
    const buf = this.bufs[i];
    const kept = keep ? keep.length : 0;
    let out: Buffer;
    const r = this.reserve;
    if (kept <= r) {
      if (keep) keep.copy(buf, r - kept);
      out = buf.subarray(r - kept, r + n);
    } else {
      out = Buffer.concat([keep as Buffer, buf.subarray(r, r + n)]);
    }
    // The other buffer's bytes are dead now (its tail was just copied): read ahead into it. A short
    // read means the end of the file is near; the next call finds 0 there.
    this.ahead = this.readInto(i ^ 1);
    // An unobserved rejection would crash the process; read() observes it when it awaits.
    this.ahead.catch(() => undefined);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The read ahead writes into a buffer: it must be over before the buffer is handed on.
    if (this.ahead) await this.ahead.catch(() => undefined);
    this.ahead = null;
    await this.fh.close();
    for (const b of this.bufs) giveBack(b);
  }
}

/** Any Node readable stream of Buffers (stdin, a gunzip stream). Its chunks arrive in buffers
 * of the stream's choosing, so a kept tail is joined with the next chunk. */
export class StreamSource implements ByteSource {
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer | null;
  rawBytesFn: () => number;

  constructor(
    private readonly stream: Readable,
    first: Buffer | null = null,
    rawBytes?: () => number,
  ) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.pending = first && first.length ? first : null;
    let n = 0;
    this.rawBytesFn = rawBytes ?? (() => n);
    if (!rawBytes) stream.on('data', (b: Buffer) => (n += b.length));
  }

  get rawBytes(): number {
    return this.rawBytesFn();
  }

  async read(keep: Buffer | null): Promise<Buffer | null> {
    let next: Buffer | null = this.pending;
    this.pending = null;
    if (!next) {
      const r = await this.it.next();
      if (r.done) return null;
      next = r.value;
    }
    return keep && keep.length ? Buffer.concat([keep, next]) : next;
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

/** Reads the first bytes of a stream without losing them. */
async function peekStream(stream: Readable): Promise<{ first: Buffer | null; it: Readable }> {
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    return { first: chunk as Buffer, it: stream };
  }
  return { first: null, it: stream };
}

export interface OpenedSource {
  source: ByteSource;
  gzip: boolean;
}

function isGzip(first: Buffer | null): boolean {
  return first !== null && first.length >= 2 && first[0] === GZIP_MAGIC0 && first[1] === GZIP_MAGIC1;
}

/**
 * A stream (stdin, a pipe, a FIFO, a character device) as a source: gzip detected by its first
 * bytes and decompressed member by member (gunzip.ts), anything else handed on as it comes.
 */
async function streamSource(stream: Readable): Promise<OpenedSource> {
  const { first } = await peekStream(stream);
  if (isGzip(first)) {
    const it = stream.iterator({ destroyOnReturn: true }) as AsyncIterator<Buffer>;
    return { source: new GunzipSource(it, first, () => stream.destroy()), gzip: true };
  }
  return { source: new StreamSource(stream, first), gzip: false };
}

/**
 * Opens a path (or '-' for stdin), detecting gzip by its magic bytes and decompressing it as a
 * stream: a compressed capture is never inflated to disk or memory whole. A path that is not a
 * regular file (a FIFO, /dev/stdin, a process substitution's /dev/fd/N, a character device) cannot
 * be read at positions: it is read as a stream, as stdin is. `fstat` on the opened descriptor
 * decides, not the name.
 */
export async function openSource(path: string, stdin: Readable = process.stdin, chunk = READ_CHUNK_BYTES): Promise<OpenedSource> {
  if (path === '-') return streamSource(stdin);
  // A FIFO is read as a stream, like stdin, opened without blocking (fifo.ts).
  const fifo = openFifo(path);
  if (fifo) return streamSource(fifo);
  const fh = await open(path, 'r');
  let regular: boolean;
  try {
    regular = (await fh.stat()).isFile();
  } catch (e) {
    await fh.close();
    throw e;
  }
  if (!regular) {
    // The handle is the stream's: a FIFO opened twice could meet two different writers.
    return streamSource(fh.createReadStream({ highWaterMark: chunk }));
  }
  const head = Buffer.alloc(2);
  const { bytesRead } = await fh.read(head, 0, 2, 0);
  if (bytesRead === 2 && isGzip(head)) {
    return streamSource(fh.createReadStream({ highWaterMark: chunk, start: 0 }));
  }
  return { source: FileSource.of(fh, chunk), gzip: false };
}
