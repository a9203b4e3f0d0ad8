/**
 * Several inputs read as one stream in timestamp order (rotated captures from `tcpdump -C/-G`,
 * dumpcap ring buffers), numbered 1.. as one capture. With one input this is a plain loop.
 *
 * The callback gets the reused record; its bytes are valid only during the call. An input that
 * fails stops at its damage (its error kept on its reader); the others go on.
 */
import type { Readable } from 'node:stream';
import { CaptureRecord } from './record.js';
import { CaptureReader } from './reader.js';
import { Step } from './window.js';

export interface ReadOptions {
  stdin?: Readable;
  /** Called after each refill of an input, for progress reporting. */
  onProgress?: (readers: readonly CaptureReader[]) => void;
}

export type RecordSink = (rec: CaptureRecord) => void;

/** Advances one reader to its next record (refilling as needed). Returns false at end or error. */
async function advance(r: CaptureReader, rec: CaptureRecord, opts: ReadOptions, all: CaptureReader[]): Promise<boolean> {
  for (;;) {
    const s = r.next(rec);
    if (s === Step.RECORD) return true;
    if (s !== Step.NEED_MORE) return false;
    await r.fill();
    opts.onProgress?.(all);
  }
}

export async function readCaptures(paths: readonly string[], sink: RecordSink, opts: ReadOptions = {}): Promise<CaptureReader[]> {
  const readers = paths.map((p, i) => new CaptureReader(p, i, opts.stdin));
  try {
    for (const r of readers) await r.open();
    let frame = 0;
    if (readers.length === 1) {
      const r = readers[0];
      const rec = new CaptureRecord();
      for (;;) {
        const s = r.next(rec);
        if (s === Step.RECORD) {
          rec.frame = ++frame;
          sink(rec);
        } else if (s === Step.NEED_MORE) {
          await r.fill();
          opts.onProgress?.(readers);
        } else break;
      }
      return readers;
    }
    // k-way merge; k is small (a directory of rotated files), so a linear scan beats a heap.
    const recs = readers.map(() => new CaptureRecord());
    const live: boolean[] = [];
    for (let i = 0; i < readers.length; i++) live.push(await advance(readers[i], recs[i], opts, readers));
    for (;;) {
      let best = -1;
      for (let i = 0; i < readers.length; i++) {
        if (!live[i]) continue;
        if (best < 0) {
          best = i;
          continue;
        }
        const a = recs[i];
        const b = recs[best];
        if (a.tsSec < b.tsSec || (a.tsSec === b.tsSec && a.tsNsec < b.tsNsec)) best = i;
      }
      if (best < 0) break;
      const rec = recs[best];
      rec.frame = ++frame;
      sink(rec);
      // Stay synchronous while the reader's chunk has records: a promise per record would cost
      // more than reading it.
      const s = readers[best].next(rec);
      live[best] = s === Step.RECORD || (s === Step.NEED_MORE && (await advance(readers[best], rec, opts, readers)));
    }
    return readers;
  } finally {
    for (const r of readers) await r.close();
  }
}
