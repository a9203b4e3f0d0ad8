/**
 * Progress on stderr while a large capture is read: one line redrawn in place —
 *
 *   ftp-pcap: 45%  123.4 MB of 274.0 MB  1,234,567 packets  310,000 packets/s  ETA 0:12
 *
 * — and, once the input is read, a one-line summary in its place. Shown only when stderr is a
 * terminal, the input is large (LARGE_INPUT bytes in all) or stdin, and `--quiet` is not given;
 * never on a pipe or a file, so scripts and CI logs never see it.
 *
 * Cost: `update()` is called once per refill of an input (a chunk of about a megabyte, never per
 * packet) and redraws at most REDRAWS_PER_SECOND times.
 *
 * Bytes: the readers count records and captured bytes; the bytes of the file read so far are
 * the parser's offset in the file. gzip files and stdin have no known total: their line shows the bytes and packets
 * read, without a percentage or ETA.
 *
 * Not cli-progress: its bar wants a known total (stdin has none), and its dependency would be one
 * more line in package.json for about sixty lines of code here.
 */
import type { ProgressInput } from '../capture/index.js';

export type { ProgressInput };

/** Inputs of at least this many bytes in all (or stdin) get a progress line. */
export const LARGE_INPUT = 64 * 1024 * 1024;
const REDRAWS_PER_SECOND = 10;

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

/** Whether to show progress: a terminal, not --quiet, and a large input or stdin. */
export function wantProgress(stream: ProgressStream, quiet: boolean, paths: readonly string[], totalFileBytes: number): boolean {
  if (quiet || !stream.isTTY) return false;
  return paths.includes('-') || totalFileBytes >= LARGE_INPUT;
}

/** File bytes read so far: the parser's offset (for gzip, in the decompressed stream). */
function bytesRead(r: ProgressInput): number {
  if (r.done && r.fileSize !== null && !r.gzip) return r.fileSize;
  return r.fileSize !== null && !r.gzip ? Math.min(r.bytesRead, r.fileSize) : r.bytesRead;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function formatDuration(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

export class Progress {
  private readonly started = performance.now();
  private lastDraw = -Infinity;
  private drawn = false;
  private readers: readonly ProgressInput[] = [];

  constructor(private readonly stream: ProgressStream) {}

  /** A refill happened: redraw if the last redraw is old enough. */
  update(readers: readonly ProgressInput[]): void {
    this.readers = readers;
    const now = performance.now();
    if (now - this.lastDraw < 1000 / REDRAWS_PER_SECOND) return;
    this.lastDraw = now;
    this.draw(this.line(now));
  }

  /** The line as it would be drawn now (exported for tests). */
  line(now = performance.now()): string {
    let packets = 0;
    let bytes = 0;
    let total = 0;
    let known = true;
    for (const r of this.readers) {
      packets += r.packets;
      bytes += bytesRead(r);
      if (r.fileSize === null || r.gzip) known = false;
      else total += r.fileSize;
    }
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? packets / secs : 0;
    const parts: string[] = [];
    if (known && total > 0) {
      const frac = Math.min(1, bytes / total);
      parts.push(`${Math.floor(frac * 100)}%`, `${formatBytes(bytes)} of ${formatBytes(total)}`);
    } else {
      parts.push(formatBytes(bytes));
    }
    parts.push(`${count(packets)} packets`, `${count(rate)} packets/s`);
    if (known && total > 0 && bytes > 0 && secs >= 1) {
      const eta = ((total - bytes) * secs) / bytes;
      parts.push(`ETA ${formatDuration(eta)}`);
    }
    return `ftp-pcap: ${parts.join('  ')}`;
  }

  /** Removes the line (before an error message, or on a signal). */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Replaces the line with a one-line summary of what was read. */
  finish(readers: readonly ProgressInput[]): void {
    this.readers = readers;
    this.clear();
    let packets = 0;
    let bytes = 0;
    for (const r of readers) {
      packets += r.packets;
      bytes += bytesRead(r);
    }
    const secs = (performance.now() - this.started) / 1000;
    const rate = secs > 0 ? packets / secs : 0;
    this.stream.write(`ftp-pcap: read ${count(packets)} packets (${formatBytes(bytes)}) in ${secs.toFixed(1)} s, ${count(rate)} packets/s\n`);
  }

  private draw(text: string): void {
    // A pseudo-terminal may report 0 columns: take the classic 80 then.
    const cols = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 80;
    const width = cols - 1;
    this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
    this.drawn = true;
  }
}

/** The progress display in use, if any: the signal handler clears its line before exiting. */
let current: Progress | null = null;

export function setCurrentProgress(p: Progress | null): void {
  current = p;
}

export function clearCurrentProgress(): void {
  current?.clear();
}
