/**
 * Where a report goes: stdout, or a file written whole or not at all (a temporary file renamed into
 * place at the end, so a SIEM shipper never picks up half a report). Writes are buffered and
 * synchronous: a streaming report never holds more than one buffer of text.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const FLUSH_AT = 64 * 1024;

export class Out {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number;
  private readonly tmp: string | null;
  /** The reader went away (`ftp-pcap ... | head`): further output is dropped. */
  private broken = false;

  constructor(private readonly path?: string) {
    if (!path || path === '-') {
      this.fd = 1;
      this.tmp = null;
    } else {
      this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      this.fd = openSync(this.tmp, 'w');
    }
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

  /** Flushes and, for a file, moves it into place. */
  close(): void {
    this.flush();
    if (this.tmp && this.path) {
      closeSync(this.fd);
      renameSync(this.tmp, this.path);
    }
  }

  /** Gives up: a file being written is removed, so no partial report is left behind. */
  abort(): void {
    if (!this.tmp) {
      this.flush();
      return;
    }
    try {
      closeSync(this.fd);
      unlinkSync(this.tmp);
    } catch {
      // nothing left to clean
    }
  }
}
