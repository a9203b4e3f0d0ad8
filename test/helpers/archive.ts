/**
 * Archives made at test time from a lab capture, the way a tap rotates its files (`tcpdump -C`,
 * dumpcap's ring buffer): the capture's own records, cut into many small classic pcap files that
 * each start with the original's file header. Our own code, so the tests need no editcap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** [start, end) byte ranges of the records of a little-endian microsecond or nanosecond pcap. */
export function pcapRecords(pcap: Buffer): [number, number][] {
  const magic = pcap.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a little-endian pcap');
  const out: [number, number][] = [];
  for (let off = 24; off + 16 <= pcap.length; ) {
    const end = off + 16 + pcap.readUInt32LE(off + 8);
    out.push([off, end]);
    off = end;
  }
  return out;
}

export interface CutOptions {
  /** File name of the n-th file (0-based). */
  name: (n: number) => string;
  /** Records in the n-th file; cycled (default: one per file). */
  sizes?: number[];
  /** Which records (by index in the original) go into this set; default all. */
  pick?: (index: number) => boolean;
}

/** Writes the cut files into `dir` and returns their paths in order. */
export function cutPcap(pcap: Buffer, dir: string, opts: CutOptions): string[] {
  mkdirSync(dir, { recursive: true });
  const header = pcap.subarray(0, 24);
  const records = pcapRecords(pcap).filter((_, i) => (opts.pick ? opts.pick(i) : true));
  const sizes = opts.sizes ?? [1];
  const paths: string[] = [];
  for (let i = 0, n = 0; i < records.length; n++) {
    const take = sizes[n % sizes.length];
    const part = records.slice(i, i + take);
    i += take;
    const p = join(dir, opts.name(n));
    writeFileSync(p, Buffer.concat([header, ...part.map(([s, e]) => pcap.subarray(s, e))]));
    paths.push(p);
  }
  return paths;
}
