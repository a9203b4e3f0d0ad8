/**
 * `--extract DIR`: the transferred files written out, with a manifest.
 *
 * Every candidate data connection that carries bytes is spooled (DataPayload, payload.ts) into
 * `DIR/.ftp-pcap-spool.XXXXXX/` until its session is finalized and says what it was: a file
 * transfer is then moved to a name derived from its FTP path (`keep`), anything else deleted
 * (`discard`).
 * Writes are gathered per file (4 KiB at first, doubled at each write(2) up to EXTRACT_WRITE_BYTES)
 * and written synchronously at their stream offset: the pipeline is one synchronous pass per read
 * chunk, so these buffers are the whole write queue — at most EXTRACT_MAX_OPEN_FILES large ones
 * (a spool closed for another gives its buffer back) and 4 KiB per other spool — and a hole the
 * capture missed stays a hole (zeros, sparse) at its place instead of shifting the rest of the file.
 *
 * Names come from the capture and are hostile until proven otherwise (`safeName`): the last path
 * segment only (no `..`, no absolute path, no drive letter, no directory to create), control and
 * format characters and the characters Windows forbids replaced, device names (CON, NUL.txt, COM1)
 * and leading dots defused, length bounded in bytes. A name already taken (in this run or by a file
 * already in DIR, never overwritten: link(2) fails on an existing name) gets `-2`, `-3`... then the
 * session and connection ids.
 *
 * The total written is bounded (EXTRACT_MAX_TOTAL_BYTES or --extract-max-bytes): a file is cut
 * where the bound falls, later files are not written; the manifest and the report's `limits` say
 * so. The manifest (`DIR/manifest.json`) is streamed one entry per file as it is kept (constant
 * memory) into a temporary file, renamed into place at the end; an interrupted run removes the
 * spool folder and the temporary manifest (`abortOpenExtractions`).
 *
 * Nothing planted in DIR beforehand can redirect a write: the spool folder is made by mkdtemp(3)
 * (a random name, mkdir(2) fails on anything already there, a link included), mode 0700; the
 * temporary manifest has a random name and is created O_EXCL|O_NOFOLLOW; spool files are created
 * O_EXCL|O_NOFOLLOW inside the spool folder; kept files are hard links (link(2) never follows nor
 * replaces the new name). DIR and its missing parents are made one mkdir(2) at a time, each tried
 * once: a file system that refuses (/proc) is one error line, not a retry loop.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsc, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXTRACT_MAX_NAME_CHARS, EXTRACT_MAX_OPEN_FILES, EXTRACT_MAX_SUFFIX, EXTRACT_MAX_TOTAL_BYTES, EXTRACT_WRITE_BYTES, OUTPUT_TEMP_ATTEMPTS } from '../limits.js';
import { code, describe } from '../errno.js';
import type { SpoolTarget } from './payload.js';
import type { FileIncomplete } from './model.js';
import { showBytes } from './text.js';

export const MANIFEST_NAME = 'manifest.json';
/** A spool's first write buffer (see Spool.write). */
const FIRST_WRITE_BYTES = 4 * 1024;
/** Spool files: created new (never through a link), reopened where they were. */
const SPOOL_CREATE = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
const SPOOL_REOPEN = fsc.O_WRONLY | fsc.O_NOFOLLOW;
/** Names whose next free suffix is remembered (a capture of 8,000 downloads of the same five
 * names must not try `-2` ... `-100` for each: 2.4 million failed link(2) calls). */
const NAME_HINTS = 4096;

/** One file of the manifest. */
export interface ManifestEntry {
  /** The name written in DIR; null when nothing was written (the size bound was reached). */
  name: string | null;
  /** Bytes in the file (less than `size` when the size bound cut it). */
  writtenBytes: number;
  /** The transfer's bytes that arrived, and their SHA-256 (null when the capture missed some). */
  size: number;
  sha256: string | null;
  complete: boolean;
  incomplete: FileIncomplete | null;
  missedBytes: number;
  /** REST offset: where in the remote file the bytes start. */
  offset: number;
  /** The size bound cut the file or kept it from being written. */
  cut: boolean;
  session: number;
  dataConnection: number;
  command: string;
  /** The FTP path (or the command's argument when the working directory was unknown), as sent. */
  ftpPath: string;
  direction: string;
  client: string;
  server: string;
  time: string | null;
}

/** Write buffers of closed spools, by size, for the next ones (thousands of small transfers
 * would otherwise make as many buffers of garbage outside the heap, which the GC sees late). */
const FREE_BUFFERS = new Map<number, Buffer[]>();
const FREE_BUFFERS_PER_SIZE = 16;

function takeBuffer(size: number): Buffer {
  return FREE_BUFFERS.get(size)?.pop() ?? Buffer.allocUnsafe(size);
}

function giveBuffer(b: Buffer): void {
  let list = FREE_BUFFERS.get(b.length);
  if (list === undefined) FREE_BUFFERS.set(b.length, (list = []));
  if (list.length < FREE_BUFFERS_PER_SIZE) list.push(b);
}

/** Extractions with files still open or a manifest not yet in place (for signal handlers). */
const open = new Set<Extractor>();

/** Removes the spool folders and temporary manifests of unfinished extractions (SIGINT, a fault). */
export function abortOpenExtractions(): void {
  for (const e of [...open]) e.abort();
}

export class Spool implements SpoolTarget {
  fd = -1;
  /** Bytes gathered, to be written at stream offset `at`. */
  buf: Buffer | null = null;
  fill = 0;
  at = 0;
  /** Bytes accepted within the size bound. */
  accepted = 0;
  /** The size bound cut this file. */
  cut = false;
  created = false;
  constructor(
    private readonly owner: Extractor,
    readonly path: string,
  ) {}

  write(offset: number, bytes: Buffer): void {
    if (this.cut) return;
    let n = bytes.length;
    const room = this.owner.room();
    if (n > room) {
      n = room;
      this.cut = true;
      this.owner.noteCut();
    }
    if (n === 0) return;
    this.owner.use(n);
    this.accepted += n;
    // Small first (most transfers are small: 24,000 spools of 256 KiB each are 6 GB of churn),
    // doubled at each flush up to EXTRACT_WRITE_BYTES.
    if (this.buf === null) this.buf = takeBuffer(FIRST_WRITE_BYTES);
    if (this.fill > 0 && offset !== this.at + this.fill) this.flush();
    let from = 0;
    while (from < n) {
      if (this.fill === 0) this.at = offset + from;
      const k = Math.min(n - from, this.buf.length - this.fill);
      bytes.copy(this.buf, this.fill, from, from + k);
      this.fill += k;
      from += k;
      if (this.fill === this.buf.length) this.flush();
    }
  }

  flush(): void {
    if (this.fill === 0 || this.buf === null) return;
    this.owner.ensureOpen(this);
    let done = 0;
    while (done < this.fill) done += writeSync(this.fd, this.buf, done, this.fill - done, this.at + done);
    this.at += this.fill;
    this.fill = 0;
    if (this.buf.length < EXTRACT_WRITE_BYTES) {
      const bigger = takeBuffer(Math.min(EXTRACT_WRITE_BYTES, this.buf.length * 2));
      giveBuffer(this.buf);
      this.buf = bigger;
    }
  }

  /** Gives the (flushed) buffer back. */
  dropBuffer(): void {
    if (this.buf !== null) giveBuffer(this.buf);
    this.buf = null;
  }

  close(): void {
    this.flush();
    this.dropBuffer();
    this.owner.closeFd(this);
  }
}

export class Extractor {
  /** Made by begin() (mkdtemp): empty until then. */
  private spoolDir = '';
  private manifestTmp = '';
  private manifestFd = -1;
  private nextSpool = 1;
  private used = 0;
  private entries = 0;
  private written = 0;
  /** Name → the next suffix to try (NAME_HINTS of them, oldest forgotten first). */
  private readonly hints = new Map<string, number>();
  /** Open spool files, least recently written first. */
  private readonly lru = new Set<Spool>();
  /** Files cut by the size bound, and transfers not written at all because of it. */
  filesCut = 0;
  finished = false;

  constructor(
    readonly dir: string,
    readonly maxBytes: number = EXTRACT_MAX_TOTAL_BYTES,
  ) {}

  /** Creates DIR (if needed), the spool folder and the temporary manifest. Throws a one-line
   * Error naming DIR when it cannot be used (not a folder, cannot be made, already holds a
   * manifest: an earlier run's files). */
  begin(tool: { name: string; version: string }): void {
    const fail = (why: string): Error => new Error(`--extract ${this.dir === '' ? '""' : this.dir}: ${why}`);
    if (this.dir === '') throw fail('an empty directory name');
    makeFolder(this.dir, fail);
    let held = true;
    try {
      lstatSync(join(this.dir, MANIFEST_NAME));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw fail(`cannot use the directory (${describe(e)})`);
      held = false;
    }
    if (held) throw fail(`the folder already holds a ${MANIFEST_NAME} (an earlier extraction); choose an empty folder`);
    try {
      this.spoolDir = mkdtempSync(join(this.dir, '.ftp-pcap-spool.'));
    } catch (e) {
      throw fail(`cannot write in the directory (${describe(e)})`);
    }
    open.add(this);
    const made = createExclusive(this.dir, () => `.${MANIFEST_NAME}.${randomBytes(6).toString('hex')}.tmp`);
    if ('error' in made) {
      this.abort();
      throw fail(`cannot write in the directory (${made.error})`);
    }
    this.manifestFd = made.fd;
    this.manifestTmp = made.path;
    writeSync(this.manifestFd, `{\n  "tool": ${JSON.stringify(tool)},\n  "maxBytes": ${this.maxBytes},\n  "files": [`);
  }

  /** A new spool (its file is created when its first bytes are written out). */
  spool(): Spool {
    return new Spool(this, join(this.spoolDir, String(this.nextSpool++)));
  }

  room(): number {
    return Math.max(0, this.maxBytes - this.used);
  }

  use(n: number): void {
    this.used += n;
  }

  noteCut(): void {
    this.filesCut++;
  }

  ensureOpen(s: Spool): void {
    if (s.fd >= 0) {
      // most recently written last
      this.lru.delete(s);
      this.lru.add(s);
      return;
    }
    if (this.lru.size >= EXTRACT_MAX_OPEN_FILES) {
      const oldest = this.lru.values().next().value;
      if (oldest !== undefined) {
        oldest.flush();
        // its buffer goes too: only open spools hold large ones (it starts small when it writes again)
        oldest.dropBuffer();
        this.closeFd(oldest);
      }
    }
    // 'r+' after the first time: the file is reopened where it was, never truncated.
    s.fd = openSync(s.path, s.created ? SPOOL_REOPEN : SPOOL_CREATE, 0o666);
    s.created = true;
    this.lru.add(s);
  }

  closeFd(s: Spool): void {
    if (s.fd < 0) return;
    closeSync(s.fd);
    s.fd = -1;
    this.lru.delete(s);
  }

  /** A spooled connection that was no file transfer: deleted, its bytes back under the bound. */
  discard(t: SpoolTarget): void {
    if (!(t instanceof Spool)) return;
    t.close();
    this.used -= t.accepted;
    if (t.created) unlinkSync(t.path);
  }

  /**
   * A file transfer: its spool (null when it carried no byte: an empty file) moved to a safe name
   * derived from `entry.ftpPath`, and an entry added to the manifest. Returns the name written
   * (null when the size bound left nothing to write).
   */
  keep(t: SpoolTarget | null, entry: Omit<ManifestEntry, 'name' | 'writtenBytes' | 'cut'>): string | null {
    const s = t instanceof Spool ? t : null;
    s?.close();
    // No spool: the transfer carried no byte (an empty file), unless the bound had no room left.
    const cut = s !== null ? s.cut : this.room() === 0 && entry.size > 0;
    if (s === null && cut) this.filesCut++;
    // The bound cut it before its first byte: nothing to write.
    const nothing = s !== null ? s.accepted === 0 && s.cut : cut;
    let name: string | null = null;
    if (!nothing) {
      // A spool's file exists once bytes were written out: one with no byte becomes an empty file.
      const src = s !== null && s.created ? s.path : join(this.spoolDir, `empty.${this.nextSpool++}`);
      if (s === null || !s.created) closeSync(openSync(src, SPOOL_CREATE, 0o666));
      name = this.place(src, safeName(entry.ftpPath), entry.session, entry.dataConnection);
      unlinkSync(src);
      this.written++;
    }
    const { session, dataConnection, ...rest } = entry;
    const full: ManifestEntry = { name, session, dataConnection, writtenBytes: s?.accepted ?? 0, cut, ...rest };
    writeSync(this.manifestFd, `${this.entries++ === 0 ? '' : ','}\n    ${JSON.stringify(full)}`);
    return name;
  }

  /** Links `src` to the first free variant of `name` in DIR (never over an existing file). */
  private place(src: string, name: string, session: number, dc: number): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let i = this.hints.get(name) ?? 1; i <= EXTRACT_MAX_SUFFIX + 1; i++) {
      const candidate = i === 1 ? name : i <= EXTRACT_MAX_SUFFIX ? `${stem}-${i}${ext}` : `${stem}-s${session}-d${dc}${ext}`;
      // The manifest takes its name at the end (rename would replace a file of that name).
      if (candidate.toLowerCase() === MANIFEST_NAME) continue;
      try {
        linkSync(src, join(this.dir, candidate));
        this.hint(name, Math.min(i + 1, EXTRACT_MAX_SUFFIX + 1));
        return candidate;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    // Every variant taken (a hostile run of names in DIR beforehand): a name from the spool's number.
    const fallback = `file-${process.pid}-${session}-${dc}-${Date.now()}`;
    linkSync(src, join(this.dir, fallback));
    return fallback;
  }

  private hint(name: string, next: number): void {
    this.hints.delete(name);
    if (this.hints.size >= NAME_HINTS) {
      const oldest = this.hints.keys().next().value;
      if (oldest !== undefined) this.hints.delete(oldest);
    }
    this.hints.set(name, next);
  }

  /** Closes every spool still open (connections nobody claimed by the end), writes the manifest's
   * tail and moves it into place, removes the spool folder. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const s of [...this.lru]) this.closeFd(s);
    writeSync(
      this.manifestFd,
      `${this.entries === 0 ? '' : '\n  '}],\n  "filesWritten": ${this.written},\n  "totalBytes": ${this.used},\n  "filesCut": ${this.filesCut}\n}\n`,
    );
    closeSync(this.manifestFd);
    this.manifestFd = -1;
    renameSync(this.manifestTmp, join(this.dir, MANIFEST_NAME));
    rmSync(this.spoolDir, { recursive: true, force: true });
    open.delete(this);
  }

  /** An interrupted run: spool folder and temporary manifest removed (files already kept stay). */
  abort(): void {
    for (const s of [...this.lru]) {
      try {
        this.closeFd(s);
      } catch {
        // closing is best effort on the way out
      }
    }
    if (this.manifestFd >= 0) {
      try {
        closeSync(this.manifestFd);
      } catch {
        // best effort
      }
      this.manifestFd = -1;
    }
    if (this.manifestTmp !== '') rmSync(this.manifestTmp, { force: true });
    if (this.spoolDir !== '') rmSync(this.spoolDir, { recursive: true, force: true });
    open.delete(this);
  }
}

/**
 * Makes `dir` and its missing parents, one mkdir(2) each, each tried once (Node's recursive mkdir
 * retries for ever where mkdir says ENOENT under a folder that exists, as in /proc). `dir` may be
 * an existing folder, or a link to one; anything else is refused.
 */
function makeFolder(dir: string, fail: (why: string) => Error): void {
  try {
    mkdirSync(dir);
    return;
  } catch (e) {
    const c = code(e);
    if (c === 'EEXIST') {
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        // a dangling link: not a folder
      }
      if (!isDir) throw fail('exists and is not a directory');
      return;
    }
    if (c !== 'ENOENT') throw fail(`cannot create the directory (${describe(e)})`);
  }
  const parent = dirname(dir);
  // The root, or `.`: nothing above to make; mkdir said the path cannot be.
  if (parent === dir) throw fail('cannot create the directory (no such file or directory)');
  makeFolder(parent, fail);
  try {
    mkdirSync(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') throw fail('cannot create the directory (this file system takes no new directories here)');
    throw fail(`cannot create the directory (${describe(e)})`);
  }
}

/** A new file in `dir` under a fresh random name (O_EXCL|O_NOFOLLOW: nothing planted there is
 * followed or reused), OUTPUT_TEMP_ATTEMPTS names at most. */
export function createExclusive(dir: string, name: () => string): { fd: number; path: string } | { error: string } {
  let last: unknown = null;
  for (let i = 0; i < OUTPUT_TEMP_ATTEMPTS; i++) {
    const path = join(dir, name());
    try {
      return { fd: openSync(path, SPOOL_CREATE, 0o666), path };
    } catch (e) {
      last = e;
      if (code(e) !== 'EEXIST' && code(e) !== 'ELOOP') break;
    }
  }
  return { error: describe(last) };
}

/** Windows device names (any case, with or without an extension: `NUL.txt` is the device too). */
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;
/** Characters no extracted name keeps: C0/C1 controls, format characters (bidi overrides),
 * line/paragraph separators, and what Windows forbids in a name (`<>:"/\|?*`). */
const BAD_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:"/\\|?*]/gu;
const MAX_NAME_BYTES = 200;

/**
 * A file name for DIR from an FTP path (hostile). The last segment (either separator) only: the
 * manifest keeps the whole path. The path is wire text (text.ts): UTF-8 as the client sent it
 * (RFC 2640); a byte that was not UTF-8 is shown as the reports show it, `\xNN`, whose backslash
 * a name cannot keep: `caf\xe9.txt` in a report is the file `caf_xe9.txt`.
 */
export function safeName(ftpPath: string): string {
  const parts = ftpPath.split(/[/\\]/).filter((p) => p !== '' && p !== '.' && p !== '..');
  let name = showBytes(parts.length > 0 ? parts[parts.length - 1] : '').replace(BAD_CHARS, '_');
  // Windows drops trailing dots and spaces (`a.txt.` is `a.txt`); a leading dot hides a file and a
  // leading dash reads as an option to the next shell command.
  name = name.replace(/[. ]+$/, '').replace(/^[.-]/, '_');
  if (name === '') name = 'unnamed';
  const dot = name.indexOf('.');
  if (DEVICE.test((dot >= 0 ? name.slice(0, dot) : name).trimEnd())) name = `_${name}`;
  return bound(name);
}

/** Cut to EXTRACT_MAX_NAME_CHARS characters and MAX_NAME_BYTES UTF-8 bytes, keeping a short
 * extension. */
function bound(name: string): string {
  const chars = [...name];
  if (chars.length <= EXTRACT_MAX_NAME_CHARS && Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
  const stem = ext.length > 0 ? [...name.slice(0, dot)] : chars;
  let n = Math.min(stem.length, EXTRACT_MAX_NAME_CHARS - ext.length - 1);
  while (n > 1 && Buffer.byteLength(stem.slice(0, n).join('') + '_' + ext.join('')) > MAX_NAME_BYTES) n--;
  return `${stem.slice(0, n).join('')}_${ext.join('')}`;
}
