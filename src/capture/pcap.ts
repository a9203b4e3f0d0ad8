/**
 * Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html, and
 * draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte header and the packet.
 * Both byte orders, microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic.
 */
import type { CaptureRecord } from './record.js';
import type { CaptureError } from './errors.js';
import { MAX_RECORD_BYTES } from '../limits.js';
import { Step, type Window } from './window.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
  /** FCS length in bytes announced in the link-type field's upper bits (0 when absent). */
  fcsLength: number;
}

/** Recognises a classic pcap magic in the first 4 bytes (either byte order). */
export function pcapMagic(b: Buffer): { littleEndian: boolean; nanosecond: boolean } | null {
  if (b.length < 4) return null;
  const be = b.readUInt32BE(0);
  const le = b.readUInt32LE(0);
  if (be === PCAP_MAGIC_US) return { littleEndian: false, nanosecond: false };
  if (be === PCAP_MAGIC_NS) return { littleEndian: false, nanosecond: true };
  if (le === PCAP_MAGIC_US) return { littleEndian: true, nanosecond: false };
  if (le === PCAP_MAGIC_NS) return { littleEndian: true, nanosecond: true };
  return null;
}

export class PcapParser {
  header: PcapHeader | null = null;
  error: CaptureError | null = null;
  private le = true;
  private nsMul = 1000;

  constructor(private readonly file: string) {}

  readonly format = 'pcap';
  interfaces(): { linkType: number; snapLength: number; name: string | null }[] {
    return this.header ? [{ linkType: this.header.linkType, snapLength: this.header.snapLength, name: null }] : [];
  }

  next(w: Window, rec: CaptureRecord): Step {
    if (!this.header) {
      if (w.available < FILE_HEADER) return w.eof ? this.fail(w, 'truncated-file-header', 'file header cut short') : Step.NEED_MORE;
      const m = pcapMagic(w.buf.subarray(w.pos, w.pos + 4));
      if (!m) return this.fail(w, 'unknown-format', 'not a pcap file');
      const le = m.littleEndian;
      const dv = w.dv;
      const p = w.pos;
      const linkField = dv.getUint32(p + 20, le);
      const h: PcapHeader = {
        littleEndian: le,
        nanosecond: m.nanosecond,
        versionMajor: dv.getUint16(p + 4, le),
        versionMinor: dv.getUint16(p + 6, le),
        snapLength: dv.getUint32(p + 16, le),
        // The upper bits may carry an FCS length (pcap-savefile(5) "LinkType and additional information").
        linkType: linkField & 0x0fffffff,
        fcsLength: linkField & 0x04000000 ? ((linkField >>> 28) & 0xf) * 2 : 0,
      };
      if (h.versionMajor !== 2) return this.fail(w, 'bad-file-header', `unsupported pcap version ${h.versionMajor}.${h.versionMinor}`);
      this.header = h;
      this.le = le;
      this.nsMul = m.nanosecond ? 1 : 1000;
      w.pos += FILE_HEADER;
    }
    const avail = w.end - w.pos;
    if (avail < RECORD_HEADER) {
      if (!w.eof) return Step.NEED_MORE;
      if (avail === 0) return Step.END;
      return this.fail(w, 'truncated-record', `trailing partial record header (${avail} of 16 bytes)`);
    }
    const dv = w.dv;
    const p = w.pos;
    const le = this.le;
    const caplen = dv.getUint32(p + 8, le);
    // Only the record limit bounds a record, not the header's snap length: some capture tools
    // write a small or stale snap length and longer records, and libpcap and Wireshark read them
    // (wiretap's libpcap.c checks the packet size against the link type's maximum only).
    if (caplen > MAX_RECORD_BYTES) {
      return this.fail(w, 'record-too-long', `record length ${caplen} exceeds the record limit ${MAX_RECORD_BYTES}`);
    }
    if (avail < RECORD_HEADER + caplen) {
      if (!w.eof) return Step.NEED_MORE;
      return this.fail(w, 'truncated-record', `trailing partial record (${avail - RECORD_HEADER} of ${caplen} bytes)`);
    }
    rec.tsSec = dv.getUint32(p, le);
    rec.tsNsec = dv.getUint32(p + 4, le) * this.nsMul;
    rec.capturedLength = caplen;
    rec.originalLength = dv.getUint32(p + 12, le);
    rec.linkType = this.header.linkType;
    rec.interfaceId = 0;
    rec.buf = w.buf;
    rec.offset = p + RECORD_HEADER;
    rec.fileOffset = w.base + p;
    w.pos = p + RECORD_HEADER + caplen;
    return Step.RECORD;
  }

  private fail(w: Window, kind: CaptureError['kind'], message: string): Step {
    this.error = { kind, file: this.file, offset: w.offset, message };
    return Step.ERROR;
  }
}
