/** Test helpers for the capture stage: read a whole capture into plain copied records. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCaptures, type CaptureError } from '../../src/capture/index.js';

export interface PlainRecord {
  frame: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  capturedLength: number;
  originalLength: number;
  fileOffset: number;
  input: number;
  data: Buffer;
}

export interface ReadResult {
  records: PlainRecord[];
  errors: CaptureError[];
  formats: (string | null)[];
}

export async function readAll(paths: string[], stdin?: Buffer): Promise<ReadResult> {
  const records: PlainRecord[] = [];
  const readers = await readCaptures(
    paths,
    (r) => {
      records.push({
        frame: r.frame,
        tsSec: r.tsSec,
        tsNsec: r.tsNsec,
        linkType: r.linkType,
        interfaceId: r.interfaceId,
        capturedLength: r.capturedLength,
        originalLength: r.originalLength,
        fileOffset: r.fileOffset,
        input: r.input,
        data: Buffer.from(r.data),
      });
    },
    stdin ? { stdin: Readable.from([stdin]) } : {},
  );
  return {
    records,
    errors: readers.flatMap((r) => (r.error ? [r.error] : [])),
    formats: readers.map((r) => r.format),
  };
}

/** Every file under `dir` (recursively) whose name passes `filter`. */
export function findFiles(dir: string, filter: (name: string) => boolean): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...findFiles(p, filter));
    else if (filter(e)) out.push(p);
  }
  return out;
}

/** A classic pcap (either byte order) with `sec` seconds added to every record's timestamp, the
 * rest of its bytes untouched: a capture moved in time, to merge it into another one's seconds. */
export function shiftedPcap(pcap: Buffer, sec: number): Buffer {
  const out = Buffer.from(pcap);
  const le = out.readUInt32LE(0) === 0xa1b2c3d4 || out.readUInt32LE(0) === 0xa1b23c4d;
  let off = 24;
  while (off + 16 <= out.length) {
    const ts = le ? out.readUInt32LE(off) : out.readUInt32BE(off);
    if (le) out.writeUInt32LE(ts + sec, off);
    else out.writeUInt32BE(ts + sec, off);
    off += 16 + (le ? out.readUInt32LE(off + 8) : out.readUInt32BE(off + 8));
  }
  return out;
}
