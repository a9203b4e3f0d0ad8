/**
 * IPv4 header view (RFC 791 §3.1). `reset()` checks once that the fixed header and the options
 * the IHL announces are present; after it returns OK no getter can read out of bounds.
 * Options are skipped, not parsed: nothing downstream needs them. The checksum is not verified:
 * captures taken on the sending host carry checksums the NIC fills in later (offload).
 */
import { Reason } from './reasons.js';
import { u32 } from './tcp.js';

export const OK = -1;

const VERSION_IHL = 0;
const TOTAL_LENGTH = 2;
const IDENTIFICATION = 4;
const FLAGS_FRAGMENT = 6;
const PROTOCOL = 9;
const SRC = 12;
const DST = 16;

export const IPV4_MIN_HEADER = 20;
/** More-fragments flag and the 13-bit fragment offset (in 8-byte units) of FLAGS_FRAGMENT. */
export const IPV4_MF = 0x2000;
export const IPV4_OFFSET_MASK = 0x1fff;

export class Ipv4View {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  private hl = 0;

  /** Checks the header at buf[off..end) (end = end of the captured bytes). Returns OK or the
   * Reason of the first failed check. */
  reset(buf: Buffer, off: number, end: number): number {
    if (end - off < IPV4_MIN_HEADER) return Reason['ipv4-truncated'];
    const b = buf[off + VERSION_IHL];
    if (b >> 4 !== 4) return Reason['ipv4-bad-version'];
    const hl = (b & 0x0f) << 2;
    if (hl < IPV4_MIN_HEADER) return Reason['ipv4-bad-header-length'];
    if (end - off < hl) return Reason['ipv4-truncated'];
    this.buf = buf;
    this.off = off;
    this.hl = hl;
    return OK;
  }

  /** IHL * 4, options included. */
  get headerLength(): number {
    return this.hl;
  }
  get totalLength(): number {
    const b = this.buf;
    const o = this.off + TOTAL_LENGTH;
    return (b[o] << 8) | b[o + 1];
  }
  get identification(): number {
    const b = this.buf;
    const o = this.off + IDENTIFICATION;
    return (b[o] << 8) | b[o + 1];
  }
  /** Flags (3 bits) and fragment offset (13 bits) as on the wire. */
  get flagsFragment(): number {
    const b = this.buf;
    const o = this.off + FLAGS_FRAGMENT;
    return (b[o] << 8) | b[o + 1];
  }
  get protocol(): number {
    return this.buf[this.off + PROTOCOL];
  }
  /** Addresses as unsigned 32-bit numbers. */
  get src4(): number {
    return u32(this.buf, this.off + SRC);
  }
  get dst4(): number {
    return u32(this.buf, this.off + DST);
  }
  /** Absolute offsets of the address bytes in the buffer. */
  get srcOffset(): number {
    return this.off + SRC;
  }
  get dstOffset(): number {
    return this.off + DST;
  }
}
