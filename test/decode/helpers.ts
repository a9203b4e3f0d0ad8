/**
 * Test helpers for the decode stage: build CaptureRecords from hand-built bytes, and read
 * classic pcap files (a deliberately tiny reader so these tests do not depend on src/capture).
 */
import { readFileSync } from 'node:fs';
import { CaptureRecord } from '../../src/capture/record.js';
import type { HandBuilt } from './packets.js';

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

export interface RecordOptions {
  /** Bytes kept (snap length cut): defaults to all. */
  captured?: number;
  /** Wire length: defaults to the full byte length. */
  original?: number;
  tsSec?: number;
  tsNsec?: number;
  frame?: number;
}

/**
 * A record whose bytes sit at a non-zero offset inside a larger buffer followed by 0xEE filler,
 * as in the reader's chunk: a decoder reading past the record's end sees garbage, not zeros.
 */
export function record(linkType: number, bytes: Buffer, o: RecordOptions = {}): CaptureRecord {
  const captured = o.captured ?? bytes.length;
  const lead = 7;
  const chunk = Buffer.alloc(lead + bytes.length + 64, 0xee);
  bytes.copy(chunk, lead);
  // What a snap length cut is not in the capture: fill it with garbage as well.
  chunk.fill(0xee, lead + captured, lead + bytes.length);
  const rec = new CaptureRecord();
  rec.linkType = linkType;
  rec.buf = chunk;
  rec.offset = lead;
  rec.capturedLength = captured;
  rec.originalLength = o.original ?? bytes.length;
  rec.tsSec = o.tsSec ?? 1_700_000_000;
  rec.tsNsec = o.tsNsec ?? 0;
  rec.frame = o.frame ?? 1;
  return rec;
}

export function handBuilt(p: HandBuilt, o: RecordOptions = {}): CaptureRecord {
  return record(p.linkType, hex(p.hex), o);
}

/** Bytes of a hand-built packet, to be changed by a test before `record()`. */
export function bytesOf(p: HandBuilt): Buffer {
  return hex(p.hex);
}

export interface PcapFile {
  linkType: number;
  records: CaptureRecord[];
}

/** Reads a classic pcap (either byte order, micro- or nanosecond); records share the file buffer. */
export function readPcap(path: string): PcapFile {
  const buf = readFileSync(path);
  const magicLe = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = buf.readUInt32BE(0);
    if (magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d) throw new Error(`${path}: not a classic pcap`);
    le = false;
    nano = magicBe === 0xa1b23c4d;
  }
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const records: CaptureRecord[] = [];
  let off = 24;
  let frame = 1;
  while (off + 16 <= buf.length) {
    const rec = new CaptureRecord();
    rec.linkType = linkType;
    rec.tsSec = u32(off);
    rec.tsNsec = nano ? u32(off + 4) : u32(off + 4) * 1000;
    rec.capturedLength = u32(off + 8);
    rec.originalLength = u32(off + 12);
    rec.buf = buf;
    rec.offset = off + 16;
    rec.frame = frame++;
    rec.fileOffset = off;
    records.push(rec);
    off += 16 + rec.capturedLength;
  }
  return { linkType, records };
}

/** Parses a tshark `-T fields -E separator=|` dump into rows of strings. */
export function readTsharkFields(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('|'));
}
