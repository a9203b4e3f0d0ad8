/**
 * pcapng (draft-ietf-opsawg-pcapng): blocks of type, total length, body, total length repeated.
 * Sections (SHB) each carry their own byte order and interface list; interfaces (IDB) carry link
 * type, snap length and timestamp resolution/offset; packets come in enhanced (EPB), simple (SPB)
 * and obsolete (OPB) packet blocks. Every other block type is skipped by its length.
 */
import type { CaptureRecord } from './record.js';
import type { CaptureError } from './errors.js';
import { MAX_LISTED_INTERFACES, MAX_PCAPNG_BLOCK_BYTES, MAX_PCAPNG_INTERFACES, MAX_RECORD_BYTES } from '../limits.js';
import { Step, type Window } from './window.js';
import { ticksPerSecond, ticksToSecNsec, type SecNsec } from './timestamp.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface PcapngInterface {
  linkType: number;
  snapLength: number;
  name: string | null;
  ticksPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp of the interface. */
  tsOffset: number;
}

export class PcapngParser {
  readonly format = 'pcapng';
  error: CaptureError | null = null;
  /** Interfaces of the current section. */
  private ifaces: PcapngInterface[] = [];
  /** Every interface seen, all sections (for `info`). */
  readonly allInterfaces: PcapngInterface[] = [];
  sections = 0;
  comments = 0;
  /** Interfaces past MAX_LISTED_INTERFACES over all sections, not listed in `allInterfaces`. */
  unlistedInterfaces = 0;
  private le = true;
  private ts: SecNsec = { sec: 0, nsec: 0 };

  constructor(private readonly file: string) {}

  interfaces(): { linkType: number; snapLength: number; name: string | null }[] {
    return this.allInterfaces;
  }

  next(w: Window, rec: CaptureRecord): Step {
    for (;;) {
      const avail = w.end - w.pos;
      if (avail < 12) {
        if (!w.eof) return Step.NEED_MORE;
        if (avail === 0) {
          if (this.sections === 0) return this.fail(w, 'truncated-file-header', 'file header cut short');
          return Step.END;
        }
        return this.fail(w, 'truncated-record', `trailing partial block (${avail} bytes)`);
      }
      const p = w.pos;
      const dv = w.dv;
      // The SHB type reads the same in both byte orders; its byte-order magic sets the section's.
      const rawType = dv.getUint32(p, true);
      if (rawType === PCAPNG_SHB) {
        const bom = dv.getUint32(p + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else return this.fail(w, 'bad-block', 'section header block with an invalid byte-order magic');
      } else if (this.sections === 0) {
        return this.fail(w, 'unknown-format', 'not a pcapng file (no section header block)');
      }
      const le = this.le;
      const type = dv.getUint32(p, le);
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_PCAPNG_BLOCK_BYTES) {
        return this.fail(w, 'bad-block-length', `block of type 0x${type.toString(16)} with invalid length ${len}`);
      }
      if (avail < len) {
        if (!w.eof) return Step.NEED_MORE;
        return this.fail(w, 'truncated-record', `trailing partial block (${avail} of ${len} bytes)`);
      }
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        return this.fail(w, 'block-length-mismatch', `block length ${len} but trailing length ${trailer}`);
      }
      switch (type) {
        case PCAPNG_SHB: {
          if (len < 28) return this.fail(w, 'bad-block', 'section header block too short');
          // Another major version is another format: "a tool that can read files with the previous
          // major version number will not be able to read" it (draft-ietf-opsawg-pcapng §4.1);
          // Wireshark refuses it too ("unknown SHB version"). The minor version is not checked.
          const major = dv.getUint16(p + 12, le);
          if (major !== 1) return this.fail(w, 'bad-file-header', `unsupported pcapng version ${major}.${dv.getUint16(p + 14, le)}`);
          this.sections++;
          this.ifaces = [];
          this.countComments(w, p + 24, p + len - 4);
          break;
        }
        case IDB: {
          if (len < 20) return this.fail(w, 'bad-block', 'interface description block too short');
          if (this.ifaces.length >= MAX_PCAPNG_INTERFACES) return this.fail(w, 'bad-block', `more than ${MAX_PCAPNG_INTERFACES} interfaces in one section`);
          const iface = this.parseIdb(w, p, len);
          this.ifaces.push(iface);
          // Every section may describe its own interfaces: a file of 1,000,000 one-interface
          // sections must not list them all. Past the bound they are counted, not listed.
          if (this.allInterfaces.length < MAX_LISTED_INTERFACES) this.allInterfaces.push(iface);
          else this.unlistedInterfaces++;
          break;
        }
        case EPB: {
          if (len < 32) return this.fail(w, 'bad-block', 'enhanced packet block too short');
          const id = dv.getUint32(p + 8, le);
          const iface = this.ifaces[id];
          if (!iface) return this.fail(w, 'unknown-interface', `packet for interface ${id}, but the section describes ${this.ifaces.length}`);
          const caplen = dv.getUint32(p + 20, le);
          if (caplen > len - 32 || caplen > MAX_RECORD_BYTES) {
            return this.fail(w, caplen > MAX_RECORD_BYTES ? 'record-too-long' : 'bad-block', `captured length ${caplen} does not fit the enhanced packet block of ${len} bytes`);
          }
          this.stamp(iface, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le), rec);
          rec.capturedLength = caplen;
          rec.originalLength = dv.getUint32(p + 24, le);
          this.emit(w, rec, iface, id, p, p + 28, len);
          return Step.RECORD;
        }
        case SPB: {
          if (len < 16) return this.fail(w, 'bad-block', 'simple packet block too short');
          const iface = this.ifaces[0];
          if (!iface) return this.fail(w, 'unknown-interface', 'simple packet block before any interface description');
          const orig = dv.getUint32(p + 8, le);
          // SPB has no captured length: it is the original length cut by the snap length and the block.
          let caplen = Math.min(orig, len - 16);
          if (iface.snapLength > 0) caplen = Math.min(caplen, iface.snapLength);
          // No timestamp in an SPB: the record carries none (0), as Wireshark shows it.
          rec.tsSec = 0;
          rec.tsNsec = 0;
          rec.capturedLength = caplen;
          rec.originalLength = orig;
          this.emit(w, rec, iface, 0, p, p + 12, len);
          return Step.RECORD;
        }
        case OPB: {
          if (len < 32) return this.fail(w, 'bad-block', 'packet block too short');
          const id = dv.getUint16(p + 8, le);
          const iface = this.ifaces[id];
          if (!iface) return this.fail(w, 'unknown-interface', `packet for interface ${id}, but the section describes ${this.ifaces.length}`);
          const caplen = dv.getUint32(p + 20, le);
          if (caplen > len - 32) return this.fail(w, 'bad-block', `captured length ${caplen} does not fit the packet block of ${len} bytes`);
          this.stamp(iface, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le), rec);
          rec.capturedLength = caplen;
          rec.originalLength = dv.getUint32(p + 24, le);
          this.emit(w, rec, iface, id, p, p + 28, len);
          return Step.RECORD;
        }
        default:
          // Name resolution, interface statistics, decryption secrets, custom blocks: not needed.
          break;
      }
      w.pos = p + len;
    }
  }

  private emit(w: Window, rec: CaptureRecord, iface: PcapngInterface, id: number, p: number, dataOff: number, len: number): void {
    rec.linkType = iface.linkType;
    // Numbered within the section, as tshark's frame.interface_id does.
    rec.interfaceId = id;
    rec.buf = w.buf;
    rec.offset = dataOff;
    rec.fileOffset = w.base + p;
    w.pos = p + len;
  }

  private stamp(iface: PcapngInterface, high: number, low: number, rec: CaptureRecord): void {
    ticksToSecNsec(high, low, iface.ticksPerSecond, this.ts);
    rec.tsSec = this.ts.sec + iface.tsOffset;
    rec.tsNsec = this.ts.nsec;
  }

  private parseIdb(w: Window, p: number, len: number): PcapngInterface {
    const dv = w.dv;
    const le = this.le;
    const iface: PcapngInterface = {
      linkType: dv.getUint16(p + 8, le),
      snapLength: dv.getUint32(p + 12, le),
      name: null,
      ticksPerSecond: 1_000_000,
      tsOffset: 0,
    };
    this.walkOptions(w, p + 16, p + len - 4, (code, off, olen) => {
      if (code === IF_TSRESOL && olen >= 1) iface.ticksPerSecond = ticksPerSecond(w.buf[off]);
      else if (code === IF_TSOFFSET && olen >= 8) {
        // Signed 64-bit seconds; any real offset fits a double.
        const hi = le ? dv.getInt32(off + 4, true) : dv.getInt32(off, false);
        const lo = le ? dv.getUint32(off, true) : dv.getUint32(off + 4, false);
        iface.tsOffset = hi * 4294967296 + lo;
      } else if (code === IF_NAME) iface.name = w.buf.toString('utf8', off, off + Math.min(olen, 256));
    });
    return iface;
  }

  private countComments(w: Window, from: number, to: number): void {
    this.walkOptions(w, from, to, (code) => {
      if (code === OPT_COMMENT) this.comments++;
    });
  }

  /** Options are tolerated, never fatal: a malformed option list just ends the walk. */
  private walkOptions(w: Window, from: number, to: number, fn: (code: number, off: number, len: number) => void): void {
    const dv = w.dv;
    let o = from;
    while (o + 4 <= to) {
      const code = dv.getUint16(o, this.le);
      const olen = dv.getUint16(o + 2, this.le);
      if (code === OPT_END) return;
      if (o + 4 + olen > to) return;
      fn(code, o + 4, olen);
      o += 4 + ((olen + 3) & ~3);
    }
  }

  private fail(w: Window, kind: CaptureError['kind'], message: string): Step {
    this.error = { kind, file: this.file, offset: w.offset, message };
    return Step.ERROR;
  }
}
