/**
 * Command-line capture arguments to the list of files to read, in one place for every command:
 *
 * - `-` is stdin, as it is;
 * - an existing file is read as it is (damage or a wrong format is then the reader's error);
 * - a directory is every capture below it, recursively;
 * - an argument with a wildcard that names no existing file is a glob (glob.ts): every capture it
 *   matches, and every capture below a directory it matches.
 *
 * Files found in a directory or by a glob are recognised by their first bytes (pcap in either
 * byte order, micro- or nanosecond; pcapng; gzip of either), never by their name: rotated files
 * are named `x.pcap0`, `x_00001_2026...`, `x.pcap.1.gz`. Anything else found there is skipped and
 * counted by reason (`skipped`), not an error: archives hold checksums, READMEs, a file the tap
 * just created. Hidden names (a leading dot) are skipped like `ls` and the shell's `*` do, which
 * also keeps our own `-o` temporary files (`.NAME.PID.tmp`) out. Symbolic links are followed; a
 * directory reached twice (a link loop, or a link to a folder already walked) is walked once, and
 * a file reached twice (same device and inode: a link, symbolic or hard, or the same path given
 * twice) is read once. Entries come in name order, directory by
 * directory; the merge reorders by time anyway (merge.ts).
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlib, gunzipSync } from 'node:zlib';
import { pcapMagic } from './pcap.js';
import { PCAPNG_SHB } from './pcapng.js';
import { hasGlobMagic, parseGlob, type Segment } from './glob.js';
import { mapConcurrent } from './concurrent.js';

/** Why a file found in a directory or by a glob was not read (counted in the report by this name). */
export type SkipReason =
  | 'not-a-capture' // readable, but its first bytes are no capture's (or it is empty)
  | 'hidden' // a name starting with a dot
  | 'not-a-regular-file' // a FIFO, socket or device: reading one could block forever
  | 'broken-link' // a symbolic link to nothing (or in a loop of links)
  | 'unreadable-directory' // a directory below the one given that cannot be listed
  | 'duplicate'; // the same real file as an input already listed

/** Every reason, in the order reports list them. */
export const SKIP_REASONS: readonly SkipReason[] = ['not-a-capture', 'hidden', 'not-a-regular-file', 'broken-link', 'unreadable-directory', 'duplicate'];

export interface ExpandedInputs {
  /** Paths to read, `-` for stdin. */
  readonly paths: string[];
  /** Files left out, by reason (only reasons that occurred). */
  readonly skipped: Partial<Record<SkipReason, number>>;
  /** Arguments that gave nothing to read: one line each, for a usage error. */
  readonly empty: string[];
}

/** Bytes read to recognise a file: enough for a gzip header (with a file name) and the start of its data. */
const SNIFF_BYTES = 4096;
/** Files sniffed at once. */
const SNIFF_CONCURRENCY = 16;

const GZIP_MAGIC = 0x1f8b;

/** Whether these first bytes start a capture the reader reads. */
function captureMagic(head: Buffer): boolean {
  return pcapMagic(head) !== null || (head.length >= 4 && head.readUInt32LE(0) === PCAPNG_SHB);
}

/**
 * 'capture', 'not-a-capture', or 'unknown' when the file cannot be opened or its gzip stream not
 * inflated: those are read anyway, so the reader reports the problem with its offset instead of
 * an archive silently losing a file.
 */
export async function sniffCapture(path: string): Promise<'capture' | 'not-a-capture' | 'unknown'> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(b, 0, SNIFF_BYTES, 0);
      head = b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return 'unknown';
  }
  if (head.length >= 2 && head.readUInt16BE(0) === GZIP_MAGIC) {
    try {
      // Z_SYNC_FLUSH: inflate what the first bytes hold without wanting the end of the stream;
      // 4 KiB inflate to at most ~4 MB, so a bomb cannot hurt here.
      const inner = gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH });
      if (inner.length < 4) return 'unknown';
      return captureMagic(inner) ? 'capture' : 'not-a-capture';
    } catch {
      return 'unknown';
    }
  }
  return captureMagic(head) ? 'capture' : 'not-a-capture';
}

type Kind = 'file' | 'directory' | 'other' | 'missing';

async function kindOf(path: string): Promise<Kind> {
  try {
    const st = await stat(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

async function sortedEntries(dir: string): Promise<string[] | null> {
  try {
    // Code-unit order: the same on every machine; rotated names sort by their counter or date.
    return (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch {
    return null;
  }
}

class Expander {
  readonly paths: string[] = [];
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  private readonly seenFiles = new Set<string>();
  private readonly seenDirs = new Set<string>();
  private stdin = false;

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /**
   * Whether a path's file was not met before (and now is), by device and inode: hard links and
   * symbolic links to one file are one file. A path that cannot be stat'ed counts as itself.
   */
  async firstTime(path: string): Promise<boolean> {
    let real = `path:${path}`;
    try {
      const st = await stat(path, { bigint: true });
      real = `${st.dev}:${st.ino}`;
    } catch {
      // missing: the reader says so, with the path as given
    }
    if (this.seenFiles.has(real)) {
      this.skip('duplicate');
      return false;
    }
    this.seenFiles.add(real);
    return true;
  }

  /** Adds a path named by the user unless its real file is already listed. */
  async add(path: string): Promise<void> {
    if (await this.firstTime(path)) this.paths.push(path);
  }

  addStdin(): void {
    if (this.stdin) this.skip('duplicate');
    else this.paths.push('-');
    this.stdin = true;
  }

  /** A directory not walked yet (by real path); false for a loop or a second way to the same folder. */
  async enterDir(dir: string): Promise<boolean> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return false;
    }
    if (this.seenDirs.has(real)) return false;
    this.seenDirs.add(real);
    return true;
  }

  /**
   * Files found in a directory or by a glob: each real file once, sniffed (several at once), the
   * captures listed in their order. Returns how many were captures, including ones already listed
   * by another argument (`dir/ dir/*.pcap` is not an empty glob).
   */
  async addFound(found: string[]): Promise<number> {
    let captures = 0;
    const fresh: string[] = [];
    for (const f of found) {
      if (await this.firstTime(f)) fresh.push(f);
      else captures++;
    }
    const verdicts = await mapConcurrent(fresh, SNIFF_CONCURRENCY, sniffCapture);
    for (let i = 0; i < fresh.length; i++) {
      if (verdicts[i] === 'not-a-capture') this.skip('not-a-capture');
      else {
        captures++;
        this.paths.push(fresh[i]);
      }
    }
    return captures;
  }

  /** Every regular, non-hidden file below `dir`, recursively, in name order (not yet sniffed). */
  async walk(dir: string, out: string[]): Promise<boolean> {
    if (!(await this.enterDir(dir))) return false;
    const names = await sortedEntries(dir);
    if (names === null) {
      this.skip('unreadable-directory');
      return true;
    }
    for (const name of names) {
      if (name.startsWith('.')) {
        this.skip('hidden');
        continue;
      }
      await this.visit(join(dir, name), out);
    }
    return true;
  }

  private async visit(path: string, out: string[]): Promise<void> {
    const kind = await kindOf(path);
    if (kind === 'file') out.push(path);
    else if (kind === 'directory') await this.walk(path, out);
    else if (kind === 'other') this.skip('not-a-regular-file');
    // stat fails on a dangling link or a loop of links (ELOOP); the entry itself was listed.
    else this.skip('broken-link');
  }

  /** Files and directories matching `segments` below `dir` (segment by segment, `**` recursive). */
  async glob(dir: string, segments: readonly Segment[], out: string[], matchedDirs: Set<string> = new Set()): Promise<void> {
    const [seg, ...rest] = segments;
    if (seg === undefined) {
      // The whole pattern matched `dir` itself (a pattern ending in `/` or `**`).
      await this.visit(dir, out);
      return;
    }
    if (seg.kind === 'literal') {
      const p = join(dir, seg.name);
      if (rest.length === 0) {
        if ((await kindOf(p)) !== 'missing') await this.visit(p, out);
      } else if ((await kindOf(p)) === 'directory') await this.glob(p, rest, out, matchedDirs);
      return;
    }
    if (seg.kind === 'globstar') {
      // Zero directories, then each non-hidden subdirectory (once by real path: loops end).
      let real: string;
      try {
        real = await realpath(dir);
      } catch {
        return;
      }
      if (matchedDirs.has(real)) return;
      matchedDirs.add(real);
      await this.glob(dir, rest, out, matchedDirs);
      const names = await sortedEntries(dir);
      if (names === null) return;
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const p = join(dir, name);
        if ((await kindOf(p)) === 'directory') await this.glob(p, segments, out, matchedDirs);
      }
      return;
    }
    const names = await sortedEntries(dir);
    if (names === null) return;
    for (const name of names) {
      if (!seg.re.test(name)) continue;
      const p = join(dir, name);
      if (rest.length === 0) await this.visit(p, out);
      else if ((await kindOf(p)) === 'directory') await this.glob(p, rest, out, matchedDirs);
    }
  }
}

export async function expandInputs(args: readonly string[]): Promise<ExpandedInputs> {
  const x = new Expander();
  const empty: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      x.addStdin();
      continue;
    }
    const kind = await kindOf(arg);
    if (kind === 'file' || kind === 'other') {
      // Named by the user: read as it is, whatever it holds (the reader names what is wrong).
      await x.add(arg);
    } else if (kind === 'directory' || hasGlobMagic(arg)) {
      const before = { ...x.skipped };
      const found: string[] = [];
      // A directory walked already (named twice, or reached through a link): nothing new, no error.
      let walked = false;
      if (kind === 'directory') walked = !(await x.walk(arg, found));
      else {
        const { base, segments } = parseGlob(arg);
        await x.glob(base, segments, found);
      }
      if ((await x.addFound(found)) === 0 && !walked) {
        const what = kind === 'directory' ? 'no capture files in this directory' : 'no capture files match';
        empty.push(`${arg}: ${what}${skippedNote(before, x.skipped)}`);
      }
    } else {
      // Missing: the reader reports it ("no such file") with the others still read, as before.
      await x.add(arg);
    }
  }
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const k of SKIP_REASONS) if (x.skipped[k]) skipped[k] = x.skipped[k];
  return { paths: x.paths, skipped, empty };
}

/** What one argument skipped: the difference of the counts before and after it. */
function skippedNote(before: Partial<Record<SkipReason, number>>, after: Partial<Record<SkipReason, number>>): string {
  const parts: string[] = [];
  for (const k of SKIP_REASONS) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d > 0) parts.push(`${d} ${k}`);
  }
  return parts.length ? ` (skipped: ${parts.join(', ')})` : '';
}
