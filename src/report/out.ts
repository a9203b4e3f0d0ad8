/**
 * Where a report goes: stdout (no path, or `-`), or the user's path, which is written the way the
 * user means it whatever it names:
 *
 * - a regular file, or a name not yet taken: written whole or not at all, so a SIEM shipper or a
 *   CI step never picks up half a report. The report goes to a temporary file in the same folder
 *   (same file system: the rename is atomic) under an unpredictable name, `.NAME.<48 random
 *   bits>.tmp`, created with O_CREAT|O_EXCL|O_NOFOLLOW (a file or link planted there beforehand
 *   makes the open fail, never redirects it), fsync'ed, renamed over the target at `close()`; the
 *   folder is fsync'ed after the rename so the new name survives a crash. The old file's
 *   permission bits are kept (a mode-600 report stays 600: reports hold user names, passwords
 *   with --show-passwords), and its owner when running as root; a new file gets 0666 less the
 *   umask, as `>` would give it. A replacement's temporary file is created 0600 and given the old
 *   mode before its first byte is written: never looser than the target's, even for a moment.
 * - a symbolic link: followed to its final target (at most OUTPUT_MAX_SYMLINK_HOPS links), which is
 *   written as above; the link itself stays (`report.json -> reports/today.json` updates today's
 *   file). A dangling link creates its target.
 * - a character or block device, a FIFO: written directly, never replaced nor truncated (a device
 *   is opened without O_TRUNC; `-o /dev/null` must leave /dev/null a device). A FIFO with no
 *   reader is refused rather than waited for (an open(2) that blocks would make the process
 *   deaf to signals). Nothing is removed on abort: what was written has been read.
 * - a folder, a socket, an empty path: refused with one line naming the path.
 *
 * `abort()` (an exception, or the CLI's SIGINT/SIGTERM handler through `abortOpenOutputs()`)
 * removes the temporary file: the target is either the previous file or the complete new one.
 * Every failure (no such folder, read-only file system, no space left...) is one Error whose
 * message names the user's path, never the temporary file.
 *
 * Writes are buffered and synchronous: a streaming report never holds more than one buffer of text
 * (64 KiB); `flush()` pushes it out early (a live feed from stdin flushes after each session).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsc,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OUTPUT_MAX_SYMLINK_HOPS, OUTPUT_TEMP_ATTEMPTS } from '../limits.js';
import { code, describe } from '../errno.js';

const FLUSH_AT = 64 * 1024;
/** Characters of the target's name kept in the temporary file's name (NAME_MAX is 255 bytes). */
const TEMP_NAME_KEEP = 100;

/** Outs with a temporary file not yet renamed or removed: what a signal handler must clean. */
const pending = new Set<Out>();

/** Removes every temporary file still being written (on SIGINT/SIGTERM or a fatal error). */
export function abortOpenOutputs(): void {
  for (const o of [...pending]) o.abort();
}

/** The temporary file's name for a target named `name`: hidden, unpredictable, `.tmp`. */
export type TempNamer = (name: string) => string;
export const randomTempName: TempNamer = (name) => `.${name.slice(0, TEMP_NAME_KEEP)}.${randomBytes(6).toString('hex')}.tmp`;

/** What `-o PATH` names, once links are followed. */
export type OutputTarget =
  | { readonly kind: 'stdout' }
  /** A regular file (`old`) or a new name (`old` null) at `file`: replaced atomically. */
  | { readonly kind: 'replace'; readonly file: string; readonly old: Stats | null }
  /** A device or FIFO (or a file only a /proc link reaches), opened through `path` as given
   * (links followed by open(2)). */
  | { readonly kind: 'direct'; readonly path: string; readonly type: 'fifo' | 'device' | 'in-place'; readonly st: Stats };

/** A failure writing the user's path: one line, naming that path. */
export class OutputError extends Error {}

const fail = (path: string, why: string): OutputError => new OutputError(`${path}: cannot write (${why})`);

/** Where `path` goes, by what it names now. Throws an OutputError for what cannot take a report. */
export function outputTarget(path: string | undefined): OutputTarget {
  if (path === undefined || path === '-') return { kind: 'stdout' };
  if (path === '') throw new OutputError(`-o "": an empty file name ('-o -' is stdout)`);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw fail(path, describe(e));
    // A new name, or a dangling link whose target is to be created.
    return { kind: 'replace', file: finalPath(path), old: null };
  }
  if (st.isFile()) {
    const file = finalPath(path);
    let old: Stats | null = null;
    try {
      old = lstatSync(file);
    } catch {
      // see below
    }
    // A /proc magic link (/dev/stdout onto a deleted file) can name a path that is not that file:
    // write through the open(2) of the path itself then, truncated, in place.
    if (old === null || !old.isFile() || old.ino !== st.ino || old.dev !== st.dev) return { kind: 'direct', path, type: 'in-place', st };
    return { kind: 'replace', file, old };
  }
  if (st.isDirectory()) throw fail(path, 'is a directory');
  if (st.isFIFO()) return { kind: 'direct', path, type: 'fifo', st };
  if (st.isCharacterDevice() || st.isBlockDevice()) return { kind: 'direct', path, type: 'device', st };
  if (st.isSocket()) throw fail(path, 'is a socket');
  throw fail(path, 'not a file, device or FIFO');
}

/** The path a chain of symbolic links at `path` ends at (the path itself when it is no link). */
function finalPath(path: string): string {
  let p = path;
  for (let hops = 0; ; hops++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch (e) {
      if (code(e) === 'ENOENT') return p;
      throw fail(path, describe(e));
    }
    if (!st.isSymbolicLink()) return p;
    if (hops >= OUTPUT_MAX_SYMLINK_HOPS) throw fail(path, 'too many levels of symbolic links');
    p = resolve(dirname(p), readlinkSync(p));
  }
}

/** Refuses an output that is one of the inputs (same device and inode, or the same path): the
 * report would overwrite the capture it is read from. */
export function refuseInputAsOutput(path: string | undefined, inputs: readonly string[]): void {
  if (path === undefined || path === '-' || path === '') return;
  let out: Stats | null = null;
  try {
    out = statSync(path);
  } catch {
    // not there yet: only the same path could be an input (one that will fail to open)
  }
  const full = resolve(path);
  for (const input of inputs) {
    if (input === '-') continue;
    let same = resolve(input) === full;
    if (!same && out !== null) {
      try {
        const st = statSync(input);
        same = st.dev === out.dev && st.ino === out.ino;
      } catch {
        // an input that cannot be opened is no file the report could overwrite
      }
    }
    if (same) throw new OutputError(`-o ${path}: is also an input (${input}); the report would overwrite the capture, choose another file`);
  }
}

export class Out {
  /** Text written and not yet pushed, encoded in place: no joined string, no Buffer per flush. */
  private readonly buf = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  private readonly fd: number;
  /** The temporary file while a file is being written; null for stdout, a device, or once closed. */
  private tmp: string | null = null;
  /** The file the temporary file replaces at close. */
  private readonly file: string | null = null;
  /** The reader went away (`ftp-pcap ... | head`): further output is dropped. */
  private broken = false;
  /** The user's name for the output, in error messages. */
  private readonly label: string;
  /** The descriptor was closed (a file or device; stdout is never closed). */
  private closed = false;

  /** @param durable sync to disk at close (a report); a `--jobs` worker's partial result lives
   * in a temporary folder for a moment and needs no fsync.
   * @param tempName the temporary file's name (random; a test forces one to plant a link there). */
  constructor(
    path?: string,
    private readonly durable = true,
    tempName: TempNamer = randomTempName,
  ) {
    const target = outputTarget(path);
    this.label = path === undefined || path === '-' ? 'stdout' : path;
    if (target.kind === 'stdout') {
      this.fd = 1;
      return;
    }
    if (target.kind === 'direct') {
      this.fd = openDirect(this.label, target);
      return;
    }
    // A new file is created with the mode a new file gets (0666 less the umask, by the kernel);
    // a replacement 0600, then given the old file's mode before its first byte.
    const made = createTemp(this.label, target.file, tempName, target.old === null ? 0o666 : 0o600);
    this.fd = made.fd;
    this.tmp = made.tmp;
    this.file = target.file;
    pending.add(this);
    try {
      if (target.old !== null) keepAccess(made.fd, target.old);
    } catch (e) {
      this.abort();
      throw fail(this.label, describe(e));
    }
  }

  /** Writing to stdout rather than a file. */
  get toStdout(): boolean {
    return this.fd === 1;
  }

  write(s: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
    if (s.length * 3 > FLUSH_AT - this.used) {
      this.flush();
      if (s.length * 3 > FLUSH_AT) {
        this.push(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
  }

  /** Bytes as they are (a spooled report copied in place): after the text written so far, with
   * no string made of them. */
  writeBytes(data: Uint8Array): void {
    this.flush();
    this.push(data);
  }

  flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.push(this.buf, n);
  }

  private push(data: Uint8Array, length = data.length): void {
    if (this.broken) return;
    let off = 0;
    while (off < length) {
      try {
        off += writeSync(this.fd, data, off, length - off);
      } catch (e) {
        const c = code(e);
        // stdout may be a non-blocking pipe: wait for the reader rather than lose output.
        if (c === 'EAGAIN') continue;
        if (c === 'EPIPE') {
          this.broken = true;
          return;
        }
        throw fail(this.label, describe(e));
      }
    }
  }

  /** Flushes and, for a file, syncs it to disk and moves it into place. */
  close(): void {
    this.flush();
    const tmp = this.tmp;
    if (!tmp || !this.file) {
      if (this.fd !== 1 && !this.closed) {
        this.closed = true;
        closeSync(this.fd);
      }
      return;
    }
    try {
      if (this.durable) fsyncSync(this.fd);
      closeSync(this.fd);
      this.closed = true;
      // The path was a regular file (or free) when the run began; something may have put a device,
      // a FIFO or a link there since (another program recreating /dev/null): never rename over it.
      const now = lstatOrNull(this.file);
      if (now === null || now.isFile()) renameSync(tmp, this.file);
      else if (now.isCharacterDevice() || now.isBlockDevice() || now.isFIFO()) copyInto(tmp, this.file, now);
      else throw new Error(`it became ${kindOf(now)} while the report was written; not replaced`);
    } catch (e) {
      this.abort();
      throw fail(this.label, describe(e));
    }
    this.tmp = null;
    pending.delete(this);
    if (this.durable) syncDir(dirname(this.file));
  }

  /** Gives up: a file being written is removed, so no partial report is left behind. */
  abort(): void {
    const tmp = this.tmp;
    if (!tmp) {
      if (this.toStdout) this.flush();
      else if (!this.closed) {
        this.closed = true;
        try {
          closeSync(this.fd);
        } catch {
          // already closed
        }
      }
      return;
    }
    this.tmp = null;
    pending.delete(this);
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing left to clean
    }
  }
}

/** A new temporary file beside `file`, created exclusively (never through a link). */
function createTemp(label: string, file: string, tempName: TempNamer, mode: number): { fd: number; tmp: string } {
  const dir = dirname(file);
  const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
  let last: unknown = null;
  for (let i = 0; i < OUTPUT_TEMP_ATTEMPTS; i++) {
    const tmp = join(dir, tempName(basename(file)));
    try {
      return { fd: openSync(tmp, flags, mode), tmp };
    } catch (e) {
      last = e;
      // EEXIST: a name taken (by chance, or planted): draw another. ELOOP: a link was planted.
      if (code(e) !== 'EEXIST' && code(e) !== 'ELOOP') throw fail(label, describeFolderError(e, dir));
    }
  }
  throw fail(label, `no free temporary name in ${dir} after ${OUTPUT_TEMP_ATTEMPTS} attempts (${describe(last)})`);
}

/** The old file's permission bits (and owner, as root) on the temporary file. chown first: it
 * clears set-id bits, which a report never needs anyway (only the 0777 bits are kept). */
function keepAccess(fd: number, old: Stats): void {
  if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
  fchmodSync(fd, old.mode & 0o777);
}

/**
 * Opens a device or FIFO to write in place: no O_TRUNC, no O_CREAT. A FIFO is opened non-blocking
 * first, which fails at once (ENXIO) when nobody reads it, then blocking (immediate: a reader is
 * there) so that writes wait for the reader. The open file is checked to be what was stat'ed: a
 * swap between the two (a regular file put there) is refused rather than overwritten in place.
 */
function openDirect(label: string, t: Extract<OutputTarget, { kind: 'direct' }>): number {
  let fd: number;
  try {
    if (t.type === 'fifo') {
      const probe = openSync(t.path, fsc.O_WRONLY | fsc.O_NONBLOCK);
      try {
        fd = openSync(t.path, fsc.O_WRONLY);
      } finally {
        closeSync(probe);
      }
    } else {
      fd = openSync(t.path, fsc.O_WRONLY | (t.type === 'in-place' ? fsc.O_TRUNC : 0));
    }
  } catch (e) {
    if (t.type === 'fifo' && code(e) === 'ENXIO') throw fail(label, 'a FIFO nobody is reading');
    throw fail(label, describe(e));
  }
  const now = fstatSync(fd);
  if (now.dev !== t.st.dev || now.ino !== t.st.ino) {
    closeSync(fd);
    throw fail(label, 'it changed while being opened');
  }
  return fd;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function kindOf(st: Stats): string {
  return st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'something other than a file';
}

/** The finished temporary file's bytes written into a device or FIFO that took the target's
 * place during the run (opened as `-o` opens one, checked to be the node seen), then the temporary
 * file removed. */
function copyInto(tmp: string, target: string, st: Stats): void {
  const src = openSync(tmp, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  let dst = -1;
  try {
    dst = openDirect(target, { kind: 'direct', path: target, type: st.isFIFO() ? 'fifo' : 'device', st });
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(src, buf); n > 0; n = readSync(src, buf)) {
      for (let off = 0; off < n; ) off += writeSync(dst, buf, off, n - off);
    }
  } finally {
    closeSync(src);
    if (dst >= 0) closeSync(dst);
  }
  unlinkSync(tmp);
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

/** Creating a file in `dir` failed: ENOENT means the folder is missing, or (it exists) that this
 * file system makes no files there (/proc, /sys). */
function describeFolderError(e: unknown, dir: string): string {
  if (code(e) !== 'ENOENT') return describe(e);
  try {
    if (statSync(dir).isDirectory()) return 'this directory takes no new files';
  } catch {
    // missing indeed
  }
  return 'no such directory';
}
