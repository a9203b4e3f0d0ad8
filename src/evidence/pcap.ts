/**
 * Capture files written back: classic pcap with nanosecond timestamps (magic 0xa1b23c4d, one link
 * type) or pcapng (one Section Header Block, an Interface Description Block per interface with
 * if_tsresol = 9, Enhanced Packet Blocks). Formats: https://www.tcpdump.org/manpages/pcap-savefile.5.txt
 * and draft-ietf-opsawg-pcapng (§4.1 SHB, §4.2 IDB, §4.3 EPB). Little-endian, as written here.
 */
import { closeSync, writeSync } from 'node:fs';

const PCAP_NSEC_MAGIC = 0xa1b23c4d;
const SNAP_LENGTH = 262144;
const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_IF_TSRESOL = 9;
const WRITE_BYTES = 64 * 1024;

/** The write buffer, shared: a file is written whole, synchronously, before the next one starts. */
const SHARED = Buffer.allocUnsafe(WRITE_BYTES);

/** A file being written through the shared buffer (one at a time); `bytes` counts what was handed to it. */
export class BlockWriter {
  private readonly buf = SHARED;
  private fill = 0;
  bytes = 0;
  constructor(private fd: number) {}

  /** Room for `n` bytes at the returned offset of `this.out` (flushing first when needed). */
  reserve(n: number): number {
    if (this.fill + n > this.buf.length) this.flush();
    const at = this.fill;
    this.fill += n;
    this.bytes += n;
    return at;
  }

  get out(): Buffer {
    return this.buf;
  }

  /** Bytes too big for the buffer go straight to the file. */
  raw(b: Buffer, from: number, to: number): void {
    if (to - from > this.buf.length - this.fill) {
      this.flush();
      if (to - from > this.buf.length) {
        let done = from;
        while (done < to) done += writeSync(this.fd, b, done, to - done);
        this.bytes += to - from;
        return;
      }
    }
    b.copy(this.buf, this.fill, from, to);
    this.fill += to - from;
    this.bytes += to - from;
  }

  flush(): void {
    let done = 0;
    while (done < this.fill) done += writeSync(this.fd, this.buf, done, this.fill - done);
    this.fill = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

export function pcapHeader(w: BlockWriter, linkType: number): void {
  const b = w.out;
  const o = w.reserve(24);
  b.writeUInt32LE(PCAP_NSEC_MAGIC, o);
  b.writeUInt16LE(2, o + 4);
  b.writeUInt16LE(4, o + 6);
  b.writeInt32LE(0, o + 8);
  b.writeUInt32LE(0, o + 12);
  b.writeUInt32LE(SNAP_LENGTH, o + 16);
  b.writeUInt32LE(linkType, o + 20);
}

export function pcapRecord(w: BlockWriter, tsSec: number, tsNsec: number, origLen: number, data: Buffer, at: number, capLen: number): void {
  const b = w.out;
  const o = w.reserve(16);
  b.writeUInt32LE(tsSec >>> 0, o);
  b.writeUInt32LE(tsNsec, o + 4);
  b.writeUInt32LE(capLen, o + 8);
  b.writeUInt32LE(origLen, o + 12);
  w.raw(data, at, at + capLen);
}

export function pcapngHeader(w: BlockWriter, linkTypes: readonly number[]): void {
  const b = w.out;
  let o = w.reserve(28);
  b.writeUInt32LE(BLOCK_SHB, o);
  b.writeUInt32LE(28, o + 4);
  b.writeUInt32LE(BYTE_ORDER_MAGIC, o + 8);
  b.writeUInt16LE(1, o + 12);
  b.writeUInt16LE(0, o + 14);
  // section length unknown (-1)
  b.writeInt32LE(-1, o + 16);
  b.writeInt32LE(-1, o + 20);
  b.writeUInt32LE(28, o + 24);
  for (const lt of linkTypes) {
    o = w.reserve(32);
    b.writeUInt32LE(BLOCK_IDB, o);
    b.writeUInt32LE(32, o + 4);
    b.writeUInt16LE(lt, o + 8);
    b.writeUInt16LE(0, o + 10);
    b.writeUInt32LE(SNAP_LENGTH, o + 12);
    // if_tsresol = 9 (nanoseconds), padded to 4 bytes; then opt_endofopt
    b.writeUInt16LE(OPT_IF_TSRESOL, o + 16);
    b.writeUInt16LE(1, o + 18);
    b.writeUInt32LE(9, o + 20);
    b.writeUInt32LE(0, o + 24);
    b.writeUInt32LE(32, o + 28);
  }
}

const PAD = Buffer.alloc(4);

export function pcapngRecord(w: BlockWriter, iface: number, tsSec: number, tsNsec: number, origLen: number, data: Buffer, at: number, capLen: number): void {
  const padded = (capLen + 3) & ~3;
  const total = 32 + padded;
  const b = w.out;
  const o = w.reserve(28);
  const ts = BigInt(Math.trunc(tsSec)) * 1_000_000_000n + BigInt(tsNsec);
  b.writeUInt32LE(BLOCK_EPB, o);
  b.writeUInt32LE(total, o + 4);
  b.writeUInt32LE(iface, o + 8);
  b.writeUInt32LE(Number(ts >> 32n), o + 12);
  b.writeUInt32LE(Number(ts & 0xffffffffn), o + 16);
  b.writeUInt32LE(capLen, o + 20);
  b.writeUInt32LE(origLen, o + 24);
  w.raw(data, at, at + capLen);
  if (padded > capLen) w.raw(PAD, 0, padded - capLen);
  const t = w.reserve(4);
  b.writeUInt32LE(total, t);
}
