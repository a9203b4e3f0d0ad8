/**
 * gzip input read as `gzip -d` reads it (RFC 1952): a file is one or more members, each a header,
 * a deflate stream and an 8-byte trailer (CRC-32, length mod 2^32), decompressed one after the
 * other into one stream. After the last member, zero bytes are padding (tape blocks) and anything
 * else is trailing garbage: gzip warns ("decompression OK, trailing garbage ignored") and keeps
 * what it decompressed; so does this source, recording the warning with its compressed offset.
 *
 * Node's Gunzip stream cannot do this: it takes any non-zero byte after a member for the next
 * header and destroys the stream on the "incorrect header check" that follows, discarding the
 * output of the write that held the member's end (every record of a small file). Here the headers
 * and trailers are parsed in JavaScript and only the deflate data goes to zlib (InflateRaw, which
 * stops at the end of its stream and counts the bytes it consumed in `bytesWritten`).
 *
 * Errors are thrown as GzipError with the compressed byte offset where the bad member data starts
 * (the decompressed offset is the reader's, which counts in the other stream).
 */
import * as zlib from 'node:zlib';
import { GZIP_STEP_BYTES, MAX_GZIP_HEADER_BYTES } from '../limits.js';
import type { ByteSource } from './source.js';

export class GzipError extends Error {
  constructor(
    message: string,
    /** Byte offset in the compressed file. */
    readonly compressedOffset: number,
  ) {
    super(message);
  }
}

/** A warning about an input that was still read (trailing garbage after the last member). */
export interface SourceWarning {
  readonly offset: number;
  readonly message: string;
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;
const DEFLATE = 8;
const EMPTY = Buffer.alloc(0);

/** Length of the member header at the start of `b`, 0 if more bytes are needed, or an error text. */
export function gzipHeaderLength(b: Buffer): number | string {
  if (b.length < 10) return 0;
  if (b[0] !== 0x1f || b[1] !== 0x8b) return 'not a gzip member header';
  if (b[2] !== DEFLATE) return `unknown compression method ${b[2]}`;
  const flags = b[3];
  if (flags & FRESERVED) return `reserved header flags 0x${flags.toString(16)}`;
  let p = 10;
  if (flags & FEXTRA) {
    if (b.length < p + 2) return 0;
    p += 2 + b.readUInt16LE(p);
    if (b.length < p) return 0;
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (!(flags & f)) continue;
    const nul = b.indexOf(0, p);
    if (nul < 0) return 0;
    p = nul + 1;
  }
  if (flags & FHCRC) p += 2;
  return b.length < p ? 0 : p;
}

type State = 'member' | 'header' | 'body' | 'trailer' | 'done';

const crc32: ((data: Buffer, value?: number) => number) | undefined = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

export class GunzipSource implements ByteSource {
  /** Compressed bytes consumed. */
  get rawBytes(): number {
    return this.pendAt;
  }
  warning: SourceWarning | null = null;

  private state: State = 'header';
  /** Compressed bytes read but not consumed yet, and the file offset of pend[0]. */
  private pend: Buffer = EMPTY;
  private pendAt = 0;
  private inputDone = false;
  private readonly out: Buffer[] = [];
  private inflater: zlib.InflateRaw | null = null;
  private crc = 0;
  private size = 0;
  private failure: Error | null = null;

  constructor(
    private readonly input: AsyncIterator<Buffer>,
    first: Buffer | null,
    private readonly closeInput: () => void,
  ) {
    if (first) this.pend = first;
  }

  async read(keep: Buffer | null): Promise<Buffer | null> {
    for (;;) {
      const next = this.out.shift();
      if (next) return keep && keep.length ? Buffer.concat([keep, next]) : next;
      if (this.state === 'done') return null;
      await this.step();
    }
  }

  async close(): Promise<void> {
    this.state = 'done';
    this.inflater?.destroy();
    this.inflater = null;
    this.closeInput();
  }

  /** Appends the next compressed chunk to `pend`; false at the end of the input. */
  private async pull(): Promise<boolean> {
    if (this.inputDone) return false;
    const r = await this.input.next();
    if (r.done) {
      this.inputDone = true;
      return false;
    }
    this.pend = this.pend.length ? Buffer.concat([this.pend, r.value]) : r.value;
    return true;
  }

  private consume(n: number): void {
    this.pend = this.pend.subarray(n);
    this.pendAt += n;
  }

  private fail(message: string, offset = this.pendAt): never {
    this.state = 'done';
    throw new GzipError(message, offset);
  }

  private async step(): Promise<void> {
    switch (this.state) {
      case 'member': {
        // After a member: another member, zero padding, or trailing garbage.
        let z = 0;
        while (z < this.pend.length && this.pend[z] === 0) z++;
        this.consume(z);
        if (this.pend.length === 0) {
          if (!(await this.pull())) this.state = 'done';
          return;
        }
        if (this.pend.length < 2 && (await this.pull())) return;
        if (this.pend.length >= 2 && this.pend[0] === 0x1f && this.pend[1] === 0x8b) {
          this.state = 'header';
          return;
        }
        this.warning = { offset: this.pendAt, message: 'trailing garbage after the compressed data ignored' };
        this.state = 'done';
        return;
      }
      case 'header': {
        const n = gzipHeaderLength(this.pend);
        if (typeof n === 'string') this.fail(`invalid compressed data: ${n}`);
        if (n === 0) {
          if (this.pend.length > MAX_GZIP_HEADER_BYTES) this.fail(`gzip member header longer than ${MAX_GZIP_HEADER_BYTES} bytes`);
          if (!(await this.pull())) this.fail('compressed data cut short in a member header');
          return;
        }
        this.consume(n);
        this.startMember();
        return;
      }
      case 'body': {
        if (this.pend.length === 0 && !(await this.pull())) this.fail('unexpected end of compressed data');
        await this.inflateStep();
        return;
      }
      case 'trailer': {
        if (this.pend.length < 8) {
          if (!(await this.pull())) this.fail('compressed data cut short in a member trailer');
          return;
        }
        const crc = this.pend.readUInt32LE(0);
        const size = this.pend.readUInt32LE(4);
        if (crc32 && crc !== this.crc) this.fail('invalid compressed data: CRC-32 mismatch');
        if (size !== this.size % 0x100000000) this.fail('invalid compressed data: length mismatch');
        this.consume(8);
        this.state = 'member';
        return;
      }
      default:
        return;
    }
  }

  private startMember(): void {
    const inf = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    inf.on('data', (b: Buffer) => {
      this.out.push(b);
      if (crc32) this.crc = crc32(b, this.crc);
      this.size += b.length;
    });
    inf.on('error', (e: Error) => (this.failure = e));
    this.inflater = inf;
    this.crc = 0;
    this.size = 0;
    this.state = 'body';
  }

  /** Hands the next GZIP_STEP_BYTES to the inflater; at the deflate stream's end, moves to the trailer. */
  private async inflateStep(): Promise<void> {
    const inf = this.inflater as zlib.InflateRaw;
    const piece = this.pend.subarray(0, Math.min(this.pend.length, GZIP_STEP_BYTES));
    const before = inf.bytesWritten;
    await new Promise<void>((resolve) => {
      // The callback comes after zlib processed the piece (its output was emitted as 'data'). On
      // a zlib error the stream is destroyed and the callback may never come: 'error' ends the wait.
      const onError = (): void => resolve();
      inf.once('error', onError);
      inf.write(piece, () => {
        inf.off('error', onError);
        resolve();
      });
    });
    if (this.failure) {
      const e = this.failure as Error & { code?: string };
      this.fail(`invalid compressed data: ${e.message}`, this.pendAt);
    }
    const used = inf.bytesWritten - before;
    this.consume(used);
    if (used < piece.length) {
      // zlib left input over: the deflate stream ended inside this piece.
      inf.destroy();
      this.inflater = null;
      this.state = 'trailer';
    }
  }
}
