/**
 * Where a report goes: stdout (no path, or `-`), or a file written whole or not at all, so a SIEM
 * shipper or a CI step never picks up half a report.
 *
 * A file is written to a temporary file in the same folder (`.NAME.PID.tmp`: same file system, so
 * the rename is atomic), fsync'ed, then renamed over the target at `close()`; the folder is fsync'ed
 * after the rename so the new name survives a crash. `abort()` (an exception, or the CLI's
 * SIGINT/SIGTERM handler through `abortOpenOutputs()`) removes the temporary file: the target is
 * either the previous file or the complete new one, never a partial one.
 *
 * Writes are buffered and synchronous: a streaming report never holds more than one buffer of text
 * (64 KiB); `flush()` pushes it out early (a live feed from stdin flushes after each session).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const FLUSH_AT = 64 * 1024;

/** Outs with a temporary file not yet renamed or removed: what a signal handler must clean. */
const pending = new Set<Out>();

/** Removes every temporary file still being written (on SIGINT/SIGTERM or a fatal error). */
export function abortOpenOutputs(): void {
  for (const o of [...pending]) o.abort();
}

export class Out {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number;
  /** The temporary file while a file is being written; null for stdout or once closed. */
  private tmp: string | null;
  /** The reader went away (`ftp-pcap ... | head`): further output is dropped. */
  private broken = false;

  /** @param durable sync to disk at close (a report); a `--jobs` worker's partial result lives
   * in a temporary folder for a moment and needs no fsync. */
  constructor(
    private readonly path?: string,
    private readonly durable = true,
  ) {
    if (!path || path === '-') {
      this.fd = 1;
      this.tmp = null;
      return;
    }
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    try {
      this.fd = openSync(tmp, 'w');
    } catch (e) {
      throw new Error(`${path}: cannot write (${describe(e)})`);
    }
    this.tmp = tmp;
    pending.add(this);
  }

  /** Writing to stdout rather than a file. */
  get toStdout(): boolean {
    return this.fd === 1;
  }

  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const data = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.size = 0;
    if (this.broken) return;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // stdout may be a non-blocking pipe: wait for the reader rather than lose output.
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') {
          this.broken = true;
          return;
        }
        throw e;
      }
    }
  }

  /** Flushes and, for a file, syncs it to disk and moves it into place. */
  close(): void {
    this.flush();
    const tmp = this.tmp;
    if (!tmp || !this.path) return;
    if (this.durable) fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(tmp, this.path);
    this.tmp = null;
    pending.delete(this);
    if (this.durable) syncDir(dirname(this.path));
  }

  /** Gives up: a file being written is removed, so no partial report is left behind. */
  abort(): void {
    const tmp = this.tmp;
    if (!tmp) {
      if (this.toStdout) this.flush();
      return;
    }
    this.tmp = null;
    pending.delete(this);
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing left to clean
    }
  }
}

/** fsync of a folder makes a rename in it durable; some file systems refuse it, which is harmless. */
function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here (e.g. some network file systems): the rename itself is still atomic
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (e instanceof Error ? e.message : String(e));
}
