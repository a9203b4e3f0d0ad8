/**
 * Inputs for the CLI tests that need a large capture: a real lab capture repeated, each copy an
 * hour after the one before (so its sessions are new sessions, not retransmissions), as one pcap.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** `copies` copies of the records of a little-endian microsecond pcap, shifted by an hour each. */
export function repeatedPcap(path: string, copies: number): Buffer {
  const src = readFileSync(path);
  if (src.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: expected a little-endian microsecond pcap`);
  const body = src.subarray(24);
  const out = Buffer.alloc(24 + body.length * copies);
  src.copy(out, 0, 0, 24);
  for (let c = 0; c < copies; c++) {
    const at = 24 + c * body.length;
    body.copy(out, at);
    for (let off = at; off < at + body.length; ) {
      out.writeUInt32LE(out.readUInt32LE(off) + c * 3600, off);
      off += 16 + out.readUInt32LE(off + 8);
    }
  }
  return out;
}

export function writeRepeatedPcap(path: string, from: string, copies: number): void {
  writeFileSync(path, repeatedPcap(from, copies));
}
