/**
 * Frames kept per connection until a session claims them or no session can (`--evidence`).
 *
 * Lifecycle: `add()` once per frame attributed to a connection, in capture order; the bytes are
 * the capture record's view, copied at once (they are valid only during the call). `claim()`
 * reads a connection's frames back in order; `drop()` forgets a connection and releases its bytes.
 *
 * Each frame is a 28-byte header (FRAME_HEADER) followed by its captured bytes. A connection keeps
 * its newest frames in one growing buffer (at most EVIDENCE_CONNECTION_MEMORY_BYTES, and
 * EVIDENCE_MEMORY_BYTES over all); older ones move to disk as one extent appended to the current
 * segment file (EVIDENCE_SEGMENT_BYTES). A segment counts the extents still wanted and is deleted
 * when none is: disk use follows the connections still spooled, not the length of the capture.
 * Files are created with O_EXCL|O_NOFOLLOW inside a private folder (mode 0700): never through a
 * symlink, never over an existing file.
 */
import { closeSync, constants, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EVIDENCE_CONNECTION_MEMORY_BYTES, EVIDENCE_MAX_CONNECTIONS, EVIDENCE_MAX_SPOOL_BYTES, EVIDENCE_MEMORY_BYTES, EVIDENCE_SEGMENT_BYTES } from '../limits.js';

/** frame (f64), tsSec (f64), tsNsec, interface, captured length, original length (u32 each). */
export const FRAME_HEADER = 32;
/** A segment's write buffer: appends are gathered into one write(2). */
const SEGMENT_WRITE_BYTES = 1024 * 1024;
/** A new connection's first buffer (a SYN with its header fits). */
const FIRST_BYTES = 256;

/** Buffers of dropped or spilled connections and of finished reads, by size (powers of two), for
 * the next ones: thousands of short connections would otherwise leave as many buffers of garbage
 * outside the heap, which the collector sees late (measured on many.pcap: +30 MB of RSS). */
const FREE = new Map<number, Buffer[]>();
const FREE_MAX_BYTES = 4 * 1024 * 1024;
let freeBytes = 0;

function pow2(n: number): number {
  return n <= FIRST_BYTES ? FIRST_BYTES : 2 ** Math.ceil(Math.log2(n));
}

/** A buffer of at least `n` bytes (exactly a power of two), from the free list when one is there. */
function take(n: number): Buffer {
  const size = pow2(n);
  const b = FREE.get(size)?.pop();
  if (b !== undefined) {
    freeBytes -= size;
    return b;
  }
  // Outside Node's 8 KiB pool: a small buffer kept for long must not hold a whole slab.
  return Buffer.allocUnsafeSlow(size);
}

function give(b: Buffer): void {
  if (freeBytes + b.length > FREE_MAX_BYTES || b.length !== pow2(b.length)) return;
  let list = FREE.get(b.length);
  if (list === undefined) FREE.set(b.length, (list = []));
  list.push(b);
  freeBytes += b.length;
}

/** O_EXCL|O_NOFOLLOW: a new file, never an existing one nor through a symlink. */
export const CREATE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** One frame as stored: its header fields, and its bytes at `buf[at, at + capLen)`. */
export interface SpooledFrame {
  frame: number;
  tsSec: number;
  tsNsec: number;
  iface: number;
  capLen: number;
  origLen: number;
  buf: Buffer;
  at: number;
}

class Segment {
  fd: number;
  /** Bytes appended (logical size); `written` of them are on disk, the rest in `buf`. */
  size = 0;
  written = 0;
  buf: Buffer | null = Buffer.allocUnsafe(SEGMENT_WRITE_BYTES);
  /** Extents still wanted. */
  refs = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, CREATE_FLAGS, 0o600);
  }

  flush(): void {
    if (this.buf === null || this.size === this.written) return;
    const n = this.size - this.written;
    let done = 0;
    while (done < n) done += writeSync(this.fd, this.buf, done, n - done, this.written + done);
    this.written = this.size;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.buf = null;
  }
}

/** The frames of one connection (canonical key, both directions). */
export class ConnSpool {
  firstFrame = 0;
  firstSec = 0;
  firstNsec = 0;
  lastFrame = 0;
  lastSec = 0;
  lastNsec = 0;
  /** Interfaces its frames came from (one, nearly always). */
  readonly ifaces: number[] = [];
  /** Frames not kept (the disk bound): an evidence file claiming this connection is incomplete. */
  lost = 0;
  mem: Buffer | null = null;
  fill = 0;
  /** On disk: segment, offset, length, per extent, oldest first. */
  readonly extents: (Segment | number)[] = [];
  constructor(readonly key: string) {}
}

/** The spool's bounds (src/limits.ts; tests cross them with small ones). */
export interface SpoolLimits {
  memoryBytes: number;
  connectionMemoryBytes: number;
  segmentBytes: number;
  maxSpoolBytes: number;
  maxConnections: number;
}

export const SPOOL_LIMITS: SpoolLimits = {
  memoryBytes: EVIDENCE_MEMORY_BYTES,
  connectionMemoryBytes: EVIDENCE_CONNECTION_MEMORY_BYTES,
  segmentBytes: EVIDENCE_SEGMENT_BYTES,
  maxSpoolBytes: EVIDENCE_MAX_SPOOL_BYTES,
  maxConnections: EVIDENCE_MAX_CONNECTIONS,
};

export class FrameSpool {
  private readonly spools = new Map<string, ConnSpool>();
  private readonly segments: Segment[] = [];
  private current: Segment | null = null;
  private nextSegment = 1;
  private memBytes = 0;
  private diskBytes = 0;
  framesDropped = 0;
  connectionsDropped = 0;

  constructor(
    private readonly dir: string,
    private readonly limits: SpoolLimits = SPOOL_LIMITS,
  ) {}

  /** Bytes held in memory and in the spool files (tests). */
  get usage(): { memory: number; disk: number; segments: number } {
    return { memory: this.memBytes, disk: this.diskBytes, segments: this.segments.length };
  }

  get size(): number {
    return this.spools.size;
  }

  get(key: string): ConnSpool | undefined {
    return this.spools.get(key);
  }

  /** Spools one frame of connection `key` (bytes copied from `buf[off, off + capLen)`). */
  add(key: string, frame: number, tsSec: number, tsNsec: number, iface: number, origLen: number, buf: Buffer, off: number, capLen: number): void {
    let s = this.spools.get(key);
    if (s === undefined) {
      if (this.spools.size >= this.limits.maxConnections) {
        const oldest = this.spools.values().next().value;
        if (oldest !== undefined) {
          this.drop(oldest);
          this.connectionsDropped++;
        }
      }
      s = new ConnSpool(key);
      s.firstFrame = frame;
      s.firstSec = tsSec;
      s.firstNsec = tsNsec;
      this.spools.set(key, s);
    }
    s.lastFrame = frame;
    s.lastSec = tsSec;
    s.lastNsec = tsNsec;
    if (s.ifaces[s.ifaces.length - 1] !== iface && !s.ifaces.includes(iface)) s.ifaces.push(iface);
    const need = FRAME_HEADER + capLen;
    // Full: grow (doubling up to the per-connection bound), or move what it holds to disk.
    if (s.mem !== null && s.fill + need > s.mem.length && s.fill + need > Math.min(s.mem.length * 2, this.limits.connectionMemoryBytes) && !this.spill(s)) {
      s.lost++;
      this.framesDropped++;
      return;
    }
    if (s.mem === null || s.fill + need > s.mem.length) {
      const bigger = take(Math.max(need + s.fill, s.mem === null ? FIRST_BYTES : Math.min(s.mem.length * 2, this.limits.connectionMemoryBytes)));
      if (s.mem !== null) {
        s.mem.copy(bigger, 0, 0, s.fill);
        this.memBytes -= s.mem.length;
        give(s.mem);
      }
      s.mem = bigger;
      this.memBytes += bigger.length;
    }
    const m = s.mem;
    let o = s.fill;
    m.writeDoubleLE(frame, o);
    m.writeDoubleLE(tsSec, o + 8);
    m.writeUInt32LE(tsNsec, o + 16);
    m.writeUInt32LE(iface, o + 20);
    m.writeUInt32LE(capLen, o + 24);
    m.writeUInt32LE(origLen, o + 28);
    o += FRAME_HEADER;
    buf.copy(m, o, off, off + capLen);
    s.fill = o + capLen;
    if (this.memBytes > this.limits.memoryBytes) this.relieve();
  }

  /** Moves the oldest connections' in-memory frames to disk until half the memory bound is used;
   * a connection whose frames cannot go to disk (the disk bound) is dropped whole. */
  private relieve(): void {
    for (const s of this.spools.values()) {
      if (this.memBytes <= this.limits.memoryBytes / 2) return;
      if (s.mem === null) continue;
      if (!this.spill(s)) {
        this.drop(s);
        this.connectionsDropped++;
        continue;
      }
      this.memBytes -= s.mem.length;
      give(s.mem);
      s.mem = null;
    }
  }

  /** Appends `s`'s in-memory frames to the current segment; false when the disk bound is reached. */
  private spill(s: ConnSpool): boolean {
    if (s.mem === null || s.fill === 0) return true;
    if (this.diskBytes + s.fill > this.limits.maxSpoolBytes) return false;
    let seg = this.current;
    if (seg === null || (seg.size > 0 && seg.size + s.fill > this.limits.segmentBytes)) {
      if (seg !== null) {
        seg.flush();
        seg.buf = null;
        if (seg.refs === 0) this.remove(seg);
      }
      seg = this.current = new Segment(join(this.dir, `seg${this.nextSegment++}`));
      this.segments.push(seg);
    }
    const off = seg.size;
    let from = 0;
    while (from < s.fill) {
      const b = seg.buf as Buffer;
      const used = seg.size - seg.written;
      if (used === b.length) {
        seg.flush();
        continue;
      }
      const k = Math.min(s.fill - from, b.length - used);
      s.mem.copy(b, used, from, from + k);
      seg.size += k;
      from += k;
    }
    seg.refs++;
    this.diskBytes += s.fill;
    s.extents.push(seg, off, s.fill);
    s.fill = 0;
    return true;
  }

  private remove(seg: Segment): void {
    seg.close();
    unlinkSync(seg.path);
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
  }

  /** Forgets a connection: its memory back, its extents released (a segment nobody wants is deleted). */
  drop(s: ConnSpool): void {
    if (this.spools.get(s.key) === s) this.spools.delete(s.key);
    if (s.mem !== null) {
      this.memBytes -= s.mem.length;
      give(s.mem);
    }
    s.mem = null;
    s.fill = 0;
    for (let i = 0; i < s.extents.length; i += 3) {
      const seg = s.extents[i] as Segment;
      this.diskBytes -= s.extents[i + 2] as number;
      if (--seg.refs === 0 && seg !== this.current) this.remove(seg);
    }
    s.extents.length = 0;
  }

  /** Drops connections that began before (sec) — in first-frame order, which is the map's. */
  dropBefore(sec: number): void {
    for (const s of this.spools.values()) {
      if (s.firstSec >= sec) return;
      this.drop(s);
    }
  }

  /** A cursor over `s`'s frames, oldest first (disk extents, then memory). */
  cursor(s: ConnSpool): SpoolCursor {
    return new SpoolCursor(s);
  }

  /** Removes every segment file (end of run, or an interrupted one). */
  close(): void {
    for (const seg of [...this.segments]) {
      try {
        this.remove(seg);
      } catch {
        // best effort on the way out
      }
    }
    this.current = null;
    this.spools.clear();
    this.memBytes = 0;
    this.diskBytes = 0;
  }
}

/** Reads a connection's frames back in order, one extent at a time (memory: one extent). */
export class SpoolCursor {
  private ext = 0;
  private chunk: Buffer | null = null;
  private pos = 0;
  private end = 0;
  private inMem = false;
  readonly cur: SpooledFrame = { frame: 0, tsSec: 0, tsNsec: 0, iface: 0, capLen: 0, origLen: 0, buf: Buffer.alloc(0), at: 0 };

  constructor(private readonly s: ConnSpool) {}

  /** Moves to the next frame (`cur`); false at the end. */
  next(): boolean {
    while (this.chunk === null || this.pos >= this.end) {
      if (!this.load()) return false;
    }
    const b = this.chunk;
    const o = this.pos;
    const c = this.cur;
    c.frame = b.readDoubleLE(o);
    c.tsSec = b.readDoubleLE(o + 8);
    c.tsNsec = b.readUInt32LE(o + 16);
    c.iface = b.readUInt32LE(o + 20);
    c.capLen = b.readUInt32LE(o + 24);
    c.origLen = b.readUInt32LE(o + 28);
    c.buf = b;
    c.at = o + FRAME_HEADER;
    this.pos = c.at + c.capLen;
    return true;
  }

  private load(): boolean {
    const s = this.s;
    if (this.ext < s.extents.length) {
      const seg = s.extents[this.ext] as Segment;
      const off = s.extents[this.ext + 1] as number;
      const len = s.extents[this.ext + 2] as number;
      this.ext += 3;
      seg.flush();
      if (this.chunk !== null && !this.inMem) give(this.chunk);
      const b = take(len);
      let done = 0;
      while (done < len) {
        const n = readSync(seg.fd, b, done, len - done, off + done);
        if (n === 0) throw new Error(`evidence spool ${seg.path}: short read`);
        done += n;
      }
      this.chunk = b;
      this.pos = 0;
      this.end = len;
      return true;
    }
    if (this.chunk !== null && !this.inMem) give(this.chunk);
    this.chunk = null;
    if (!this.inMem && s.mem !== null && s.fill > 0) {
      this.inMem = true;
      this.chunk = s.mem;
      this.pos = 0;
      this.end = s.fill;
      return true;
    }
    return false;
  }
}
