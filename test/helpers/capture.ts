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
