/**
 * The reader's view of its input: the current chunk, the read position in it, and the chunk's
 * offset in the file. Parsers read fixed-size headers in place through `dv`; when a record needs
 * more bytes than the chunk holds they return NEED_MORE and the driver refills (keeping only the
 * unconsumed tail), as msgpack-javascript's decoder does with its MORE_DATA sentinel.
 */
import type { ByteSource } from './source.js';

export class Window {
  buf: Buffer = Buffer.alloc(0);
  dv: DataView = new DataView(this.buf.buffer, this.buf.byteOffset, 0);
  pos = 0;
  end = 0;
  /** File offset of buf[0]. */
  base = 0;
  /** The source has no more bytes. */
  eof = false;

  constructor(readonly source: ByteSource) {}

  get available(): number {
    return this.end - this.pos;
  }

  /** File offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Reads more bytes, keeping the unconsumed tail. Sets eof when nothing more came. */
  async refill(): Promise<void> {
    if (this.eof) return;
    const keep = this.pos < this.end ? this.buf.subarray(this.pos, this.end) : null;
    const next = await this.source.read(keep);
    if (!next) {
      this.eof = true;
      return;
    }
    this.base += this.pos;
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.length);
    this.pos = 0;
    this.end = next.length;
  }
}

/** Results of a parser's next(): a record was filled, more bytes are needed, end of input, or an
 * error (stored on the parser). Numbers, not strings: this is checked once per packet. */
export const Step = { RECORD: 1, NEED_MORE: 0, END: -1, ERROR: -2 } as const;
export type Step = (typeof Step)[keyof typeof Step];
