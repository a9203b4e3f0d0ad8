/**
 * `--evidence DIR`: one capture file per session kept (by default those with a failed data
 * connection or an error finding; every one with `--evidence-all`), holding exactly the frames of
 * its control connection and of every data connection correlated with it (SYN retransmissions,
 * RSTs and whatever else shares its 4-tuple within the connection's frames), in capture order,
 * with the original link types, timestamps (nanoseconds) and lengths. `DIR/index.json` maps
 * sessions to files; the report's sessions name theirs (`evidence`).
 *
 * Lifecycle: `begin()` before the first record; `record()` for every decoded record, BEFORE the
 * analyzer's clock moves with it (a session finalized at that moment then has all its frames
 * spooled); `session()` for every finalized session, before it is reported; `finish()` at the end,
 * or `abort()` on a failure or a signal (`abortOpenEvidence`).
 *
 * Streaming: every TCP connection's frames are spooled (src/evidence/spool.ts, bounded memory,
 * spilling to `DIR/.ftp-pcap-evidence.PID/`) from its first frame; a finalized session takes the
 * frames its report names (control connection: its 4-tuple between its first and last packet's
 * times; data connections: their 4-tuple between their first and last frames, extended to any
 * frame a finding about them names), and connections that began too long before the oldest open
 * session (CORRELATE_BEFORE_SEC + EVIDENCE_LEAD_SEC) are dropped, as the analyzer drops them.
 *
 * Output: classic pcap (nanosecond) when the session's frames come from one interface, pcapng
 * (an interface block per interface seen, in order of first use) when from several interfaces or
 * link types. Files are written to a temporary name created O_EXCL|O_NOFOLLOW, then linked to
 * their final name (link(2) never replaces a file: a name taken gets `-2`, `-3`...), so a reader
 * never sees half a file and nothing is written through a symlink.
 */
import { closeSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureRecord } from '../capture/index.js';
import type { Packet } from '../decode/index.js';
import { DecodeStatus } from '../decode/index.js';
import { CORRELATE_BEFORE_SEC, EVIDENCE_FRAGMENT_BYTES, EVIDENCE_LEAD_SEC, EVIDENCE_MAX_TOTAL_BYTES } from '../limits.js';
import type { SessionReport } from '../ftp/model.js';
import { FAILED_OUTCOMES } from '../ftp/model.js';
import { endpointsKey, packetKey } from './key.js';
import { FrameSpool, SPOOL_LIMITS, type ConnSpool, type SpoolCursor, type SpoolLimits } from './spool.js';
import { createExclusive } from '../ftp/extract.js';
import { randomTempName } from '../report/out.js';
import { BlockWriter, pcapHeader, pcapRecord, pcapngHeader, pcapngRecord } from './pcap.js';

export const INDEX_NAME = 'index.json';
/** Attempts at a free file name before giving up on the run (a folder full of hostile names). */
const MAX_SUFFIX = 100;

/** One entry of `DIR/index.json`. */
export interface EvidenceEntry {
  session: number;
  /** The file's name in DIR; null when the size bound kept it from being written. */
  file: string | null;
  format: 'pcap' | 'pcapng';
  frames: number;
  bytes: number;
  /** Every frame the session's report names was still spooled (false past a bound of
   * src/limits.ts: the `limits` section says which). */
  complete: boolean;
  client: string;
  server: string;
}

/** A fragment's frame held until its datagram is whole. */
interface HeldFrame {
  tsSec: number;
  tsNsec: number;
  iface: number;
  origLen: number;
  bytes: Buffer;
}

/** What selects a session's frames in one connection's spool. */
interface Claim {
  key: string;
  /** Frame numbers, inclusive (data connections). */
  lo: number;
  hi: number;
  /** Times (sec, nsec), inclusive (the control connection: the report has its times). */
  from: [number, number] | null;
  to: [number, number] | null;
}

/** What tells the oldest open session's start (the FTP analyzer). */
export interface OpenSessions {
  oldestOpen(): number;
}

export interface EvidenceOptions {
  /** Every session, not only those with a failed data connection or an error finding. */
  all?: boolean;
  /** The report's filters (--session, --host, --only-failed): a session they leave out gets no file. */
  keep?: (s: SessionReport) => boolean;
  /** The spool's bounds (default: src/limits.ts). */
  spoolLimits?: SpoolLimits;
  /** Fragment frame bytes held until their datagram is whole (default: EVIDENCE_FRAGMENT_BYTES). */
  fragmentBytes?: number;
}

/** Evidence writers not finished yet (for signal handlers). */
const open = new Set<EvidenceWriter>();

/** Removes the spool folders and temporary files of unfinished runs (SIGINT, a fault). */
export function abortOpenEvidence(): void {
  for (const e of [...open]) e.abort();
}

/** A session the default keeps: a failed data connection or an error finding (as --only-failed). */
export function isFailedSession(s: SessionReport): boolean {
  return s.dataConnections.some((d) => FAILED_OUTCOMES.has(d.outcome)) || s.findings.some((f) => f.severity === 'error');
}

export class EvidenceWriter {
  private readonly spoolDir: string;
  private indexTmp = '';
  private spool: FrameSpool | null = null;
  private indexFd = -1;
  private entries = 0;
  private written = 0;
  private total = 0;
  private tmp: string | null = null;
  private clock: OpenSessions | null = null;
  private nextSweep = -Infinity;
  /** Interfaces: (input, interface, link type) → index; their link types. */
  private readonly ifaces = new Map<string, number>();
  private readonly linkTypes: number[] = [];
  private lastIfaceKey = '';
  private lastIface = -1;
  /** IP fragments of datagrams not yet whole, by frame, oldest first (EVIDENCE_FRAGMENT_BYTES). */
  private readonly held = new Map<number, HeldFrame>();
  private heldBytes = 0;
  private fragmentsDropped = 0;
  filesSkipped = 0;
  finished = false;

  constructor(
    readonly dir: string,
    private readonly opts: EvidenceOptions = {},
  ) {
    this.spoolDir = join(dir, `.ftp-pcap-evidence.${process.pid}`);
  }

  /** Creates DIR (if needed), the private spool folder and the temporary index. Throws a one-line
   * Error when DIR cannot be used (it already holds an index: an earlier run's files). */
  begin(tool: { name: string; version: string }): void {
    mkdirSync(this.dir, { recursive: true });
    if (existsSync(join(this.dir, INDEX_NAME))) throw new Error(`--evidence ${this.dir}: the folder already holds an ${INDEX_NAME} (an earlier run); choose an empty folder`);
    // Not recursive: fails on anything already there, a symlink included.
    mkdirSync(this.spoolDir, { mode: 0o700 });
    this.spool = new FrameSpool(this.spoolDir, this.opts.spoolLimits ?? SPOOL_LIMITS);
    this.indexFd = this.temp(INDEX_NAME);
    this.indexTmp = this.tmp as string;
    this.tmp = null;
    open.add(this);
    writeSync(this.indexFd, `{\n  "tool": ${JSON.stringify(tool)},\n  "sessions": [`);
  }

  /** Tells the writer how to find the oldest open session (connections before it are dropped). */
  bind(clock: OpenSessions): void {
    this.clock = clock;
  }

  /** One decoded record: spooled under its connection when it has one. */
  record(rec: CaptureRecord, pkt: Packet, status: DecodeStatus): void {
    const spool = this.spool;
    if (spool === null) return;
    if (rec.tsSec >= this.nextSweep) {
      // Once a capture second: connections no session can claim any more leave.
      this.nextSweep = rec.tsSec + 1;
      const oldest = Math.min(this.clock?.oldestOpen() ?? Infinity, rec.tsSec);
      spool.dropBefore(oldest - CORRELATE_BEFORE_SEC - 1 - EVIDENCE_LEAD_SEC);
    }
    // A fragment is held until its datagram is whole: then its connection is known.
    if (status === DecodeStatus.FRAGMENT_PENDING) {
      this.hold(rec);
      return;
    }
    // An ICMP error quoting a segment carries the quoted segment's addresses and ports: it is
    // spooled with that connection (the rejection of its SYN belongs in its evidence).
    const wanted = status === DecodeStatus.TCP || pkt.icmpQuote;
    const key = wanted ? packetKey(pkt) : '';
    // A reassembled packet's earlier fragments go with it (outer fragments of a tunnel too): the
    // file must let a reader rebuild the packet.
    if (pkt.reassembled) {
      for (const f of pkt.fragmentFrames) {
        const h = this.held.get(f);
        if (h === undefined) continue;
        this.held.delete(f);
        this.heldBytes -= h.bytes.length;
        if (wanted) spool.add(key, f, h.tsSec, h.tsNsec, h.iface, h.origLen, h.bytes, 0, h.bytes.length);
      }
    }
    if (!wanted) return;
    spool.add(key, rec.frame, rec.tsSec, rec.tsNsec, this.ifaceOf(rec), rec.originalLength, rec.buf, rec.offset, rec.capturedLength);
  }

  /** A fragment's frame, copied (the record's bytes are the reader's), the oldest dropped past the bound. */
  private hold(rec: CaptureRecord): void {
    const n = rec.capturedLength;
    const max = this.opts.fragmentBytes ?? EVIDENCE_FRAGMENT_BYTES;
    while (this.heldBytes + n > max && this.held.size > 0) {
      const [frame, h] = this.held.entries().next().value as [number, HeldFrame];
      this.held.delete(frame);
      this.heldBytes -= h.bytes.length;
      this.fragmentsDropped++;
    }
    if (n > max) {
      this.fragmentsDropped++;
      return;
    }
    this.held.set(rec.frame, { tsSec: rec.tsSec, tsNsec: rec.tsNsec, iface: this.ifaceOf(rec), origLen: rec.originalLength, bytes: Buffer.from(rec.buf.subarray(rec.offset, rec.offset + n)) });
    this.heldBytes += n;
  }

  private ifaceOf(rec: CaptureRecord): number {
    const k = `${rec.input}:${rec.interfaceId}:${rec.linkType}`;
    if (k === this.lastIfaceKey) return this.lastIface;
    let i = this.ifaces.get(k);
    if (i === undefined) {
      i = this.linkTypes.length;
      this.ifaces.set(k, i);
      this.linkTypes.push(rec.linkType);
    }
    this.lastIfaceKey = k;
    this.lastIface = i;
    return i;
  }

  /**
   * A finalized session: its file written when it is kept (`s.evidence` set to its name), and
   * the frames it claimed released either way.
   */
  session(s: SessionReport): void {
    const spool = this.spool;
    if (spool === null) return;
    const claims = claimsOf(s);
    const kept = (this.opts.all === true || isFailedSession(s)) && (this.opts.keep?.(s) ?? true);
    if (kept) this.write(s, spool, claims);
    // Frames claimed leave the spool; a connection with frames after them (the 4-tuple reused
    // later) stays, for the sweep or the next session.
    for (const c of claims) {
      const sp = spool.get(c.key);
      if (sp === undefined) continue;
      if (c.to !== null ? !after(sp, c.to) : sp.lastFrame <= c.hi) spool.drop(sp);
    }
  }

  private write(s: SessionReport, spool: FrameSpool, claims: readonly Claim[]): void {
    const entry: EvidenceEntry = { session: s.id, file: null, format: 'pcap', frames: 0, bytes: 0, complete: true, client: endpointText(s.client), server: endpointText(s.server) };
    // One cursor per connection, its claims together (a 4-tuple reused within one session).
    const byKey = new Map<string, { sp: ConnSpool; claims: Claim[] }>();
    for (const c of claims) {
      const sp = spool.get(c.key);
      if (sp === undefined || sp.lost > 0 || (c.from !== null ? before(c.from, sp) : sp.firstFrame > c.lo)) entry.complete = false;
      if (sp === undefined) continue;
      const g = byKey.get(c.key);
      if (g) g.claims.push(c);
      else byKey.set(c.key, { sp, claims: [c] });
    }
    if (this.total >= EVIDENCE_MAX_TOTAL_BYTES) {
      this.filesSkipped++;
      this.index(entry);
      return;
    }
    this.writeFile(s, entry, spool, [...byKey.values()]);
    this.index(entry);
    if (entry.file !== null) s.evidence = entry.file;
  }

  /** The session's frames, merged in frame order, into a temporary file linked into place. */
  private writeFile(s: SessionReport, entry: EvidenceEntry, spool: FrameSpool, groups: readonly { sp: ConnSpool; claims: Claim[] }[]): void {
    // The interfaces its connections' frames came from decide the format and the interface blocks.
    const ifaces: number[] = [];
    for (const g of groups) for (const i of g.sp.ifaces) if (!ifaces.includes(i)) ifaces.push(i);
    ifaces.sort((a, b) => a - b);
    const ng = ifaces.length > 1;
    entry.format = ng ? 'pcapng' : 'pcap';
    const name = fileName(s, ng ? 'pcapng' : 'pcap');
    const w = new BlockWriter(this.temp(name));
    const tmp = this.tmp as string;
    try {
      if (ng) pcapngHeader(w, ifaces.map((i) => this.linkTypes[i]));
      else pcapHeader(w, this.linkTypes[ifaces[0] ?? -1] ?? 1);
      const cursors = groups.map((g) => ({ c: spool.cursor(g.sp), claims: g.claims, live: true }));
      for (const k of cursors) k.live = advance(k.c, k.claims);
      for (;;) {
        let best: (typeof cursors)[number] | null = null;
        for (const k of cursors) if (k.live && (best === null || k.c.cur.frame < best.c.cur.frame)) best = k;
        if (best === null) break;
        const f = best.c.cur;
        if (ng) pcapngRecord(w, ifaces.indexOf(f.iface), f.tsSec, f.tsNsec, f.origLen, f.buf, f.at, f.capLen);
        else pcapRecord(w, f.tsSec, f.tsNsec, f.origLen, f.buf, f.at, f.capLen);
        entry.frames++;
        best.live = advance(best.c, best.claims);
      }
    } finally {
      w.close();
    }
    entry.bytes = w.bytes;
    this.total += w.bytes;
    entry.file = this.place(tmp, name);
    unlinkSync(tmp);
    this.tmp = null;
    this.written++;
  }

  /** A new temporary file in DIR under a random name (created O_EXCL|O_NOFOLLOW), kept in `tmp`. */
  private temp(name: string): number {
    const t = createExclusive(this.dir, () => randomTempName(name));
    if ('error' in t) throw new Error(`--evidence ${this.dir}: cannot create a temporary file (${t.error})`);
    this.tmp = t.path;
    return t.fd;
  }

  /** Links `tmp` to the first free variant of `name` in DIR (never over an existing file). */
  private place(tmp: string, name: string): string {
    const dot = name.lastIndexOf('.');
    for (let i = 1; i <= MAX_SUFFIX; i++) {
      const candidate = i === 1 ? name : `${name.slice(0, dot)}-${i}${name.slice(dot)}`;
      try {
        linkSync(tmp, join(this.dir, candidate));
        return candidate;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    throw new Error(`--evidence ${this.dir}: ${MAX_SUFFIX} variants of ${name} already exist; choose an empty folder`);
  }

  private index(entry: EvidenceEntry): void {
    writeSync(this.indexFd, `${this.entries++ === 0 ? '' : ','}\n    ${JSON.stringify(entry)}`);
  }

  /** The report's `limits` entries of this run (only those hit). */
  limits(): Record<string, number> {
    const out: Record<string, number> = {};
    const sp = this.spool;
    if (sp && sp.framesDropped > 0) out['evidence-frames-dropped'] = sp.framesDropped;
    if (sp && sp.connectionsDropped > 0) out['evidence-connections-dropped'] = sp.connectionsDropped;
    if (this.filesSkipped > 0) out['evidence-files-skipped'] = this.filesSkipped;
    if (this.fragmentsDropped > 0) out['evidence-fragments-dropped'] = this.fragmentsDropped;
    return out;
  }

  /** The index into place, the spool folder removed. */
  finish(): void {
    if (this.finished || this.spool === null) return;
    this.finished = true;
    writeSync(this.indexFd, `${this.entries === 0 ? '' : '\n  '}],\n  "filesWritten": ${this.written},\n  "totalBytes": ${this.total},\n  "filesSkipped": ${this.filesSkipped}\n}\n`);
    closeSync(this.indexFd);
    this.indexFd = -1;
    renameSync(this.indexTmp, join(this.dir, INDEX_NAME));
    this.spool.close();
    rmSync(this.spoolDir, { recursive: true, force: true });
    open.delete(this);
  }

  /** An interrupted run: spool folder, temporary file and index removed (files already written stay). */
  abort(): void {
    try {
      this.spool?.close();
    } catch {
      // best effort on the way out
    }
    if (this.indexFd >= 0) {
      try {
        closeSync(this.indexFd);
      } catch {
        // best effort
      }
      this.indexFd = -1;
    }
    if (this.tmp !== null) rmSync(this.tmp, { force: true });
    if (this.indexTmp !== '') rmSync(this.indexTmp, { force: true });
    rmSync(this.spoolDir, { recursive: true, force: true });
    open.delete(this);
  }
}

/** `192.0.2.10:21`, `[2001:db8::1]:21`. */
function endpointText(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Moves `c` to its next frame that a claim selects; false at the end. */
function advance(c: SpoolCursor, claims: readonly Claim[]): boolean {
  while (c.next()) {
    const f = c.cur;
    for (const cl of claims) {
      if (f.frame < cl.lo || f.frame > cl.hi) continue;
      if (cl.from !== null && (f.tsSec < cl.from[0] || (f.tsSec === cl.from[0] && f.tsNsec < cl.from[1]))) continue;
      if (cl.to !== null && (f.tsSec > cl.to[0] || (f.tsSec === cl.to[0] && f.tsNsec > cl.to[1]))) continue;
      return true;
    }
  }
  return false;
}

/** The spool began after time `t` (its first frames were dropped or never seen). */
function before(t: readonly [number, number], sp: ConnSpool): boolean {
  return sp.firstSec > t[0] || (sp.firstSec === t[0] && sp.firstNsec > t[1]);
}

/** The spool holds frames after time `t`. */
function after(sp: ConnSpool, t: readonly [number, number]): boolean {
  return sp.lastSec > t[0] || (sp.lastSec === t[0] && sp.lastNsec > t[1]);
}

/** `2026-11-26T13:07:28.123456789Z` → [seconds, nanoseconds] (the report's times, isoTimeNs). */
export function parseIsoNs(iso: string): [number, number] | null {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}Z`);
  if (!Number.isFinite(ms)) return null;
  return [Math.floor(ms / 1000), Number((m[2] ?? '').padEnd(9, '0'))];
}

/**
 * The frames a session's report names, per connection: the control connection between its first
 * and last packets' times, each data connection between its first and last frames, extended to the
 * frames its findings name, and a rejected one to the session's end (the ICMP errors after its
 * last SYN).
 */
export function claimsOf(s: SessionReport): Claim[] {
  const out: Claim[] = [];
  const ctl = endpointsKey(s.client, s.server);
  const from = parseIsoNs(s.start);
  const to = parseIsoNs(s.end);
  if (ctl !== null) out.push({ key: ctl, lo: 0, hi: Infinity, from, to });
  for (const d of s.dataConnections) {
    if (d.tcp === null || d.from === null || d.to === null) continue;
    const key = endpointsKey(d.from, d.to);
    if (key === null) continue;
    // A SYN rejected by ICMP: every error quoting it (a retried SYN draws another) until the
    // session ends, though they come after the connection's last TCP frame.
    if (d.rejectedBy !== undefined) {
      out.push({ key, lo: d.tcp.firstFrame, hi: Infinity, from: null, to });
      continue;
    }
    let hi = d.tcp.lastFrame;
    for (const f of s.findings) if (f.dataConnection === d.id) for (const n of f.frames) if (n > hi) hi = n;
    out.push({ key, lo: d.tcp.firstFrame, hi, from: null, to: null });
  }
  return out;
}

/** `s0003-192.0.2.10-40004-198.51.100.20-21.pcap`: the session and its control connection's ends
 * (IPv6 colons as underscores: Windows forbids `:` in names). */
export function fileName(s: SessionReport, ext: 'pcap' | 'pcapng'): string {
  const ip = (x: string): string => x.replace(/:/g, '_').replace(/[^0-9A-Za-z._]/g, '');
  return `s${String(s.id).padStart(4, '0')}-${ip(s.client.ip)}-${s.client.port}-${ip(s.server.ip)}-${s.server.port}.${ext}`;
}
