/**
 * Directory listings from a data connection's bytes (`--listings`), parsed as they stream past.
 *
 * A line is read as an MLSD entry (RFC 3659 §7.2: `fact=value;...; name`), an `ls -l` line (what
 * vsftpd, proftpd, pure-ftpd and pyftpdlib send for LIST: `-rw-r--r-- 1 ftp ftp 1234 Jan 02 03:04
 * small.txt`; LIST's format is not standardised, RFC 959 §4.1.3, so this is best effort), an
 * MS-DOS/IIS line (`01-02-26  03:04AM  <DIR>  sub`), or else a bare name (NLST). Lines are latin1
 * like the control channel (FTP predates UTF-8; RFC 2640). The listing is the server's text and
 * untrusted: lines longer than LISTING_MAX_LINE_BYTES are skipped, entries past
 * LISTING_MAX_ENTRIES only counted, names cut at MAX_REPORT_FIELD_CHARS; a NUL byte means the
 * bytes are no listing at all (a binary file), and parsing stops.
 */
import { LISTING_MAX_ENTRIES, LISTING_MAX_LINE_BYTES, MAX_REPORT_FIELD_CHARS } from '../limits.js';
import type { ListingEntry, ListingReport } from './model.js';
import { wireString } from './text.js';

const UNIX = /^([-dlbcpsD])([-rwxsStTlL]{9})[+@.]?\s+\d+\s+(?:\S+\s+){1,2}(\d+)\s+([A-Za-z]{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;
const DOS = /^(\d{2}-\d{2}-\d{2,4}\s+\d{1,2}:\d{2}(?:[AP]M)?)\s+(<DIR>|\d+)\s+(.+)$/i;
const MLSD = /^((?:[A-Za-z0-9.!-]+=[^;]*;)+) (.*)$/;

export class ListingParser {
  private readonly entries: ListingEntry[] = [];
  private readonly formats = { mlsd: 0, unix: 0, dos: 0, names: 0 };
  private carry: Buffer | null = null;
  private skipping = false;
  private binary = false;
  dropped = 0;
  unparsed = 0;

  push(bytes: Buffer): void {
    if (this.binary) return;
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(10, start);
      if (nl < 0) break;
      this.piece(bytes, start, nl, true);
      start = nl + 1;
      if (this.binary) return;
    }
    if (start < bytes.length) this.piece(bytes, start, bytes.length, false);
  }

  /** The capture missed bytes: the line in progress is lost. */
  hole(): void {
    if (this.carry !== null || this.skipping) this.unparsed++;
    this.carry = null;
    this.skipping = true;
  }

  report(): ListingReport {
    if (this.carry !== null && this.carry.length > 0 && !this.skipping) this.line(this.carry, 0, this.carry.length);
    this.carry = null;
    const f = this.formats;
    const format = f.mlsd >= f.unix && f.mlsd >= f.dos && f.mlsd > 0 ? 'mlsd' : f.unix >= f.dos && f.unix > 0 ? 'unix' : f.dos > 0 ? 'dos' : 'names';
    return { format, entries: this.entries, dropped: this.dropped, unparsed: this.unparsed };
  }

  /** bytes[from, to) is part of a line; `eol`: the line ends there. */
  private piece(bytes: Buffer, from: number, to: number, eol: boolean): void {
    if (this.skipping) {
      if (eol) this.skipping = false;
      return;
    }
    const have = this.carry === null ? 0 : this.carry.length;
    if (have + (to - from) > LISTING_MAX_LINE_BYTES) {
      this.unparsed++;
      this.carry = null;
      this.skipping = !eol;
      return;
    }
    if (!eol) {
      this.carry = this.carry === null ? Buffer.from(bytes.subarray(from, to)) : Buffer.concat([this.carry, bytes.subarray(from, to)]);
      return;
    }
    if (this.carry !== null) {
      const whole = Buffer.concat([this.carry, bytes.subarray(from, to)]);
      this.carry = null;
      this.line(whole, 0, whole.length);
    } else this.line(bytes, from, to);
  }

  private line(buf: Buffer, from: number, to: number): void {
    const nul = buf.indexOf(0, from);
    if (nul >= 0 && nul < to) {
      this.binary = true;
      return;
    }
    if (to > from && buf[to - 1] === 13) to--;
    if (to === from) return;
    if (this.entries.length >= LISTING_MAX_ENTRIES) {
      this.dropped++;
      return;
    }
    const text = wireString(buf, from, to);
    const e = parseListingLine(text);
    if (e === null) {
      this.unparsed++;
      return;
    }
    if (e === SKIP) return;
    this.formats[e.format]++;
    this.entries.push(e.entry);
  }
}

const SKIP = Symbol('skip');

/** One listing line as an entry (and the format it was read as); SKIP for lines that list
 * nothing (`total 12`, MLSD's cdir/pdir); null for none. Exported for tests. */
export function parseListingLine(text: string): { format: 'mlsd' | 'unix' | 'dos' | 'names'; entry: ListingEntry } | typeof SKIP | null {
  let m = UNIX.exec(text);
  if (m) {
    const t = m[1];
    let name = m[5];
    // `name -> target` for a symbolic link: the name is what is listed.
    if (t === 'l') {
      const arrow = name.indexOf(' -> ');
      if (arrow > 0) name = name.slice(0, arrow);
    }
    return { format: 'unix', entry: entry(name, t === '-' ? 'file' : t === 'd' || t === 'D' ? 'dir' : t === 'l' ? 'link' : 'other', Number(m[3]), m[4].replace(/\s+/g, ' '), t + m[2]) };
  }
  if (/^total \d+$/.test(text)) return SKIP;
  m = MLSD.exec(text);
  if (m) {
    const facts = new Map<string, string>();
    for (const f of m[1].split(';')) {
      const eq = f.indexOf('=');
      if (eq > 0) facts.set(f.slice(0, eq).toLowerCase(), f.slice(eq + 1));
    }
    const type = (facts.get('type') ?? '').toLowerCase();
    // RFC 3659 §7.5.1: cdir is the listed directory itself, pdir its parent: not entries of it.
    if (type === 'cdir' || type === 'pdir') return SKIP;
    const size = facts.get('size');
    return {
      format: 'mlsd',
      entry: entry(
        m[2],
        type === 'file' ? 'file' : type === 'dir' ? 'dir' : type.startsWith('os.unix=slink') || type.startsWith('os.unix=symlink') ? 'link' : type === '' ? null : 'other',
        size !== undefined && /^\d+$/.test(size) ? Number(size) : null,
        mlsdTime(facts.get('modify')),
        facts.get('perm') ?? null,
      ),
    };
  }
  m = DOS.exec(text);
  if (m) {
    const dir = m[2].toUpperCase() === '<DIR>';
    return { format: 'dos', entry: entry(m[3], dir ? 'dir' : 'file', dir ? null : Number(m[2]), m[1].replace(/\s+/g, ' '), null) };
  }
  return { format: 'names', entry: entry(text, null, null, null, null) };
}

function entry(name: string, type: ListingEntry['type'], size: number | null, modified: string | null, perm: string | null): ListingEntry {
  return {
    name: name.length > MAX_REPORT_FIELD_CHARS ? `${name.slice(0, MAX_REPORT_FIELD_CHARS)}…` : name,
    type,
    size: size !== null && Number.isSafeInteger(size) ? size : null,
    modified: modified !== null && modified.length > 64 ? modified.slice(0, 64) : modified,
    perm: perm !== null && perm.length > 32 ? perm.slice(0, 32) : perm,
  };
}

/** RFC 3659 §2.3 time-val `YYYYMMDDHHMMSS[.sss]` (UTC) as ISO 8601; null when malformed. */
function mlsdTime(v: string | undefined): string | null {
  if (v === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?$/.exec(v);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`;
}
