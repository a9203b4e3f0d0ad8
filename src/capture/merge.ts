/**
 * Several inputs read as one stream in timestamp order (rotated captures from `tcpdump -C/-G`,
 * dumpcap ring buffers, a directory of them), numbered 1.. as one capture. With one input this is
 * a plain loop.
 *
 * An archive has hundreds or thousands of files, and an open file costs an fd and two read
 * buffers (about 2.5 MiB, src/capture/source.ts). So the files are first probed for the time of
 * their first record (header and first record only, a small read), ranked by it (ties by path),
 * and each is opened only when the merge clock reaches that time and closed as soon as it is
 * exhausted. Invariant: every file whose first record is at or before the next record emitted is
 * open (so files whose time ranges overlap, two interfaces captured side by side, still interleave
 * by timestamp), and no other file is. A rotated set therefore has one or two files open at once.
 * Records with equal timestamps come in rank order, whatever the order of `paths`.
 *
 * The callback gets the reused record; its bytes are valid only during the call. An input that
 * fails stops at its damage (its error kept on its reader); the others go on. The returned readers
 * are in the order of `paths` (`inputs[]`, `rec.input`), each closed, its summary kept.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CaptureRecord } from './record.js';
import { CaptureReader } from './reader.js';
import { Step } from './window.js';
import { mapConcurrent } from './concurrent.js';

export interface ReadOptions {
  stdin?: Readable;
  /** Called after each refill of an input, for progress reporting. */
  onProgress?: (readers: readonly CaptureReader[]) => void;
  /** Filled in as the merge runs: how many inputs are open now and at most (tests, benchmarks). */
  stats?: MergeStats;
}

export interface MergeStats {
  open: number;
  peakOpen: number;
}

export type RecordSink = (rec: CaptureRecord) => void;

/** Read size of a probe: a pcap header and a full-size first frame, or a pcapng SHB and IDB (a larger first record takes more reads). */
const PROBE_CHUNK_BYTES = 16 * 1024;
/** Files probed at once. */
const PROBE_CONCURRENCY = 8;

/** A timestamp as one comparable pair; null when the input has no record to probe (stdin, empty, damaged). */
interface Start {
  sec: number;
  nsec: number;
}

/**
 * The time of an input's first record, read through a throwaway reader with a small read size.
 * Null for stdin and any other stream (a FIFO, /dev/stdin, a process substitution: none can be
 * read twice), and for an input with no record or damaged before its first: those are opened at
 * once, and the real reader reports the damage.
 */
export async function firstRecordTime(path: string): Promise<Start | null> {
  if (path === '-') return null;
  try {
    if (!(await stat(path)).isFile()) return null;
  } catch {
    return null;
  }
  const r = new CaptureReader(path, -1, undefined, PROBE_CHUNK_BYTES);
  try {
    await r.open();
    const rec = new CaptureRecord();
    for (;;) {
      const s = r.next(rec);
      if (s === Step.RECORD) return { sec: rec.tsSec, nsec: rec.tsNsec };
      if (s !== Step.NEED_MORE) return null;
      await r.fill();
    }
  } finally {
    await r.close();
  }
}

/** An open input in the merge: its reader, its current record, its rank (the tie-break). */
interface Head {
  readonly reader: CaptureReader;
  readonly rec: CaptureRecord;
  readonly rank: number;
}

const before = (a: Head, b: Head): boolean => {
  const x = a.rec;
  const y = b.rec;
  return x.tsSec < y.tsSec || (x.tsSec === y.tsSec && (x.tsNsec < y.tsNsec || (x.tsNsec === y.tsNsec && a.rank < b.rank)));
};

/** A binary min-heap of the open inputs by (current timestamp, rank). Usually one or two long. */
class HeadHeap {
  readonly items: Head[] = [];

  get size(): number {
    return this.items.length;
  }

  push(h: Head): void {
    const a = this.items;
    a.push(h);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** The top's record changed (advanced): restore the order. */
  siftDown(): void {
    const a = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l], a[m])) m = l;
      if (r < a.length && before(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }

  pop(): void {
    const a = this.items;
    const last = a.pop() as Head;
    if (a.length === 0) return;
    a[0] = last;
    this.siftDown();
  }
}

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
  const stats = opts.stats ?? { open: 0, peakOpen: 0 };
  const live = new Set<CaptureReader>();
  const open = async (r: CaptureReader): Promise<void> => {
    live.add(r);
    stats.open = live.size;
    if (stats.open > stats.peakOpen) stats.peakOpen = stats.open;
    await r.open();
  };
  const close = async (r: CaptureReader): Promise<void> => {
    live.delete(r);
    stats.open = live.size;
    await r.close();
  };
  try {
    let frame = 0;
    if (readers.length === 1) {
      const r = readers[0];
      await open(r);
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
      await close(r);
      return readers;
    }

    const starts = await mapConcurrent(paths, PROBE_CONCURRENCY, firstRecordTime);
    // Rank: by first record time, inputs without one first (opened at once), ties by path.
    const order = readers.map((_, i) => i);
    order.sort((a, b) => {
      const x = starts[a];
      const y = starts[b];
      if (x === null || y === null) return x === y ? cmpPath(paths[a], paths[b]) : x === null ? -1 : 1;
      if (x.sec !== y.sec) return x.sec - y.sec;
      if (x.nsec !== y.nsec) return x.nsec - y.nsec;
      return cmpPath(paths[a], paths[b]);
    });
    const heap = new HeadHeap();
    let next = 0;
    // The first record time of the next unopened input (-Infinity: open at once; Infinity: none left).
    let dueSec = -Infinity;
    let dueNsec = 0;
    const setDue = (): void => {
      const s = next < order.length ? starts[order[next]] : undefined;
      dueSec = s === undefined ? Infinity : s === null ? -Infinity : s.sec;
      dueNsec = s ? s.nsec : 0;
    };
    setDue();
    /** Opens the next input in rank order and puts it in the heap if it has a record. */
    const openNext = async (): Promise<void> => {
      const rank = next++;
      setDue();
      const r = readers[order[rank]];
      await open(r);
      const rec = new CaptureRecord();
      if (await advance(r, rec, opts, readers)) heap.push({ reader: r, rec, rank });
      else await close(r);
    };

    for (;;) {
      if (heap.size === 0) {
        if (next >= order.length) break;
        await openNext();
        continue;
      }
      const top = heap.items[0];
      const rec = top.rec;
      // An unopened input starting at or before this record joins the merge first (the invariant).
      if (dueSec < rec.tsSec || (dueSec === rec.tsSec && dueNsec <= rec.tsNsec)) {
        await openNext();
        continue;
      }
      rec.frame = ++frame;
      sink(rec);
      const r = top.reader;
      // Stay synchronous while the reader's chunk has records: a promise per record would cost
      // more than reading it.
      let s = r.next(rec);
      if (s === Step.NEED_MORE) s = (await advance(r, rec, opts, readers)) ? Step.RECORD : Step.END;
      if (s === Step.RECORD) {
        if (heap.size > 1) heap.siftDown();
      } else {
        heap.pop();
        await close(r);
      }
    }
    return readers;
  } finally {
    // Inputs are still open here only after an exception (a sink that threw).
    for (const r of [...live]) await close(r);
  }
}

/** Code-unit order: the same on every machine and locale (rotated names sort by their counter or date). */
function cmpPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
