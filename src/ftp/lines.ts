/**
 * Control-channel lines: one direction of an FTP control connection in, text lines out.
 *
 * Contract. One `LineSplitter` per direction of a control connection, created once; then
 * `push()` 0..n times with the reassembled bytes in stream order, `gap()` wherever the capture
 * missed bytes, and `end()` exactly once. Bytes passed to `push()` are valid only during the
 * call: the splitter copies what it keeps (at most `MAX_CONTROL_LINE_BYTES` of one line).
 * Lines are delivered synchronously through the callback given to the constructor, with one
 * `LineInfo` per splitter rewritten for each line (valid only during the call).
 *
 * What a line is:
 * - LF ends a line; a CR right before it is stripped (RFC 959 §4.2 says CRLF, but bare LF is
 *   common in scripted clients and some servers). CR NUL is a bare CR (RFC 854). Any other CR
 *   stays in the line.
 * - Telnet commands (RFC 854, which RFC 959 §4 makes the control channel's transport):
 *   IAC IAC is one 0xFF data byte; IAC WILL/WONT/DO/DONT <option> is dropped (three bytes);
 *   IAC <command 240..250> (IP, DM, AO, AYT, EC, EL, GA, NOP, SB, SE...) is dropped (two bytes).
 *   Clients send IAC IP, then IAC DM as urgent data (the Synch) before ABOR (RFC 959 §4.1.3);
 *   the DM often arrives in the next segment: `fff4ff` | `f2 ABOR\r\n` in fixtures/08-abort.pcap.
 *   IAC followed by a byte below 240 is not a Telnet command: the IAC is dropped and the byte kept
 *   (a client that sends a raw latin1 'ÿ' unescaped loses only that byte).
 *   Sequences split across pushes are handled: the state lives in the splitter.
 * - A line's `frame` and `offset` are those of its first data byte (Telnet commands before it
 *   do not count: ABOR after IAC IP / IAC DM is dated by the segment carrying "ABOR").
 * - A line longer than `MAX_CONTROL_LINE_BYTES` is cut there and delivered once with
 *   `truncated: true`; the rest of it, up to the next LF, is skipped without being kept.
 * - `gap(length)`: the partial line held is discarded (counted); the next line delivered is
 *   flagged `afterGap`, since its beginning may be among the missed bytes (or may not: gaps of
 *   whole segments usually end at a line boundary, so it is delivered and the consumer decides).
 * - `end()`: a final line without LF is delivered with `unterminated: true`.
 *
 * Lines are text as text.ts reads the wire: UTF-8 where valid (RFC 2640), every other byte kept as
 * an escaped byte (U+DC00+b), which the report layer shows as `\xNN`.
 */
import { MAX_CONTROL_LINE_BYTES } from '../limits.js';
import { wireString } from './text.js';

export interface LineInfo {
  /** Frame number of the segment holding the line's first data byte. */
  readonly frame: number;
  /** Stream offset of the line's first data byte. */
  readonly offset: number;
  /** Cut at `maxLineBytes`; the rest of the line was skipped. */
  readonly truncated: boolean;
  /** Flushed by `end()` without a terminating LF. */
  readonly unterminated: boolean;
  /** First line after a gap: its start may have been missed. */
  readonly afterGap: boolean;
}

/** `info` is one object per splitter, rewritten for each line: valid only during the call. */
export type LineCallback = (line: string, info: LineInfo) => void;

type MutableLineInfo = { -readonly [K in keyof LineInfo]: LineInfo[K] };

/** Anomalies counted under stable names (reported in the JSON `limits`/problems sections). */
export interface LineCounters {
  /** Lines delivered (truncated and unterminated ones included). */
  lines: number;
  /** Lines cut at the length bound. */
  truncated: number;
  /** Partial lines discarded because of a gap. */
  discardedByGap: number;
  /** Final lines delivered by `end()` without LF. */
  unterminated: number;
  /** Telnet command sequences dropped (IAC IP, IAC DM, IAC DO x...). */
  telnetCommands: number;
}

export interface LineSplitterOptions {
  /** Stream offset of the first byte pushed (a connection picked up mid-stream: > 0). */
  readonly startOffset?: number;
  /** The connection was picked up mid-stream: the first line is flagged `afterGap` (its start
   * may precede the capture). */
  readonly midStream?: boolean;
  /** Longest line kept; defaults to `MAX_CONTROL_LINE_BYTES`. */
  readonly maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const IAC = 0xff;
const WILL = 0xfb;
const DONT = 0xfe;
const FIRST_COMMAND = 0xf0; // SE; 240..250 are two-byte commands, 251..254 take an option byte

// Telnet decoder states.
const T_DATA = 0;
const T_IAC = 1;
const T_OPTION = 2;

const INITIAL_CAPACITY = 256;
/** The line buffer until a line spans two pushes (most never do: whole lines are read in place). */
const EMPTY = Buffer.alloc(0);
/** Runs up to this many bytes are copied byte by byte, longer ones with Buffer#copy. */
const SHORT_RUN = 128;

/** Grown line buffers given back by splitters, reused by the next that needs one. */
const LARGE_FREE: Buffer[] = [];
const LARGE_FREE_MAX = 64;

function grow(size: number): Buffer {
  for (let i = LARGE_FREE.length - 1; i >= 0; i--) {
    if (LARGE_FREE[i].length >= size) {
      const b = LARGE_FREE[i];
      LARGE_FREE.splice(i, 1);
      return b;
    }
  }
  return Buffer.allocUnsafe(size);
}

export class LineSplitter {
  readonly counters: LineCounters = { lines: 0, truncated: 0, discardedByGap: 0, unterminated: 0, telnetCommands: 0 };

  private readonly max: number;
  private buf: Buffer;
  private len = 0;
  /** A line has started (at least one data byte, possibly only a pending CR). */
  private started = false;
  private lineFrame = 0;
  private lineOffset = 0;
  /** A CR was the last data byte: stripped if LF follows, kept otherwise. */
  private pendingCr = false;
  /** Past the length bound: data bytes are dropped until LF. */
  private skipping = false;
  private afterGap = false;
  private telnet = T_DATA;
  /** Where the IAC that began the current Telnet sequence was (an escaped 0xFF starts there). */
  private iacFrame = 0;
  private iacOffset = 0;
  /** Stream offset of the next byte pushed. */
  private streamOffset: number;
  private ended = false;
  /** Handed to `onLine` for every line (no object per line). */
  private readonly info: MutableLineInfo = { frame: 0, offset: 0, truncated: false, unterminated: false, afterGap: false };

  constructor(
    private readonly onLine: LineCallback,
    options: LineSplitterOptions = {},
  ) {
    this.max = Math.max(1, options.maxLineBytes ?? MAX_CONTROL_LINE_BYTES);
    this.streamOffset = options.startOffset ?? 0;
    this.afterGap = options.midStream ?? false;
    this.buf = EMPTY;
  }

  /** Stream offset of the next byte expected. */
  get offset(): number {
    return this.streamOffset;
  }

  /** Feed `len` bytes of `buf` from `off`, carried by frame `frame`. */
  push(buf: Buffer, off: number, len: number, frame: number): void {
    if (this.ended) return;
    const base = this.streamOffset - off;
    const stop = off + len;
    for (let i = off; i < stop; i++) {
      if (this.telnet === T_DATA && !this.pendingCr) {
        // Fast path: a run of plain bytes (no IAC, CR or LF) is copied, or skipped, at once.
        let j = i;
        while (j < stop) {
          const c = buf[j];
          if (c === IAC || c === LF || c === CR) break;
          j++;
        }
        // A whole line within this push (the usual case: one command or reply per segment) is read
        // where it lies, nothing copied.
        if (!this.started && !this.skipping && j < stop && j - i <= this.max) {
          if (buf[j] === LF) {
            this.emitFrom(buf, i, j, frame, base + i);
            i = j;
            continue;
          }
          if (buf[j] === CR && j + 1 < stop && buf[j + 1] === LF) {
            this.emitFrom(buf, i, j, frame, base + i);
            i = j + 1;
            continue;
          }
        }
        if (j > i) {
          if (!this.skipping) this.appendRun(buf, i, j, frame, base + i);
          i = j;
          if (i === stop) break;
        }
      }
      const b = buf[i];
      switch (this.telnet) {
        case T_DATA:
          if (b === IAC) {
            this.telnet = T_IAC;
            this.iacFrame = frame;
            this.iacOffset = base + i;
          } else {
            this.data(b, frame, base + i);
          }
          break;
        case T_IAC:
          if (b === IAC) {
            this.telnet = T_DATA;
            this.data(IAC, this.iacFrame, this.iacOffset);
          } else if (b >= WILL && b <= DONT) {
            this.telnet = T_OPTION;
          } else if (b >= FIRST_COMMAND) {
            this.telnet = T_DATA;
            this.counters.telnetCommands++;
          } else {
            // Not a Telnet command: a stray 0xFF. Keep the byte after it.
            this.telnet = T_DATA;
            this.data(b, frame, base + i);
          }
          break;
        default: // T_OPTION: the option code of WILL/WONT/DO/DONT
          this.telnet = T_DATA;
          this.counters.telnetCommands++;
          break;
      }
    }
    this.streamOffset += len;
  }

  /**
   * The capture missed `length` bytes here. A partial line before the gap is delivered, marked
   * truncated: its head is real, and a reply's code or a command's verb is all the session needs
   * (a snap length cuts `150 Opening ... for medium.bin` before its size, not before its code).
   * The next line is flagged `afterGap`: its start may have been lost.
   */
  gap(length: number): void {
    if (this.ended) return;
    if (this.started && !this.skipping) {
      this.counters.discardedByGap++;
      this.counters.truncated++;
      this.emit(true, false);
    }
    this.resetLine();
    this.skipping = false;
    this.telnet = T_DATA;
    this.afterGap = true;
    this.streamOffset += length;
  }

  /** The stream is over: deliver a final line that had no LF. Further calls are ignored. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (!this.started) return;
    if (this.pendingCr) {
      this.pendingCr = false;
      this.append(CR);
      if (this.skipping) return; // that CR overflowed the bound: the line went out truncated
    }
    this.counters.unterminated++;
    this.emit(false, true);
  }

  private data(b: number, frame: number, offset: number): void {
    if (b === LF) {
      if (this.skipping) {
        this.skipping = false;
        this.resetLine();
        return;
      }
      if (!this.started) {
        this.lineFrame = frame;
        this.lineOffset = offset;
      }
      this.emit(false, false);
      return;
    }
    if (this.skipping) return;
    if (!this.started) {
      this.started = true;
      this.lineFrame = frame;
      this.lineOffset = offset;
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      this.append(CR);
      if (b === NUL) return; // CR NUL: a bare CR (RFC 854)
      if (this.skipping) return;
    }
    if (b === CR) {
      this.pendingCr = true;
      return;
    }
    this.append(b);
  }

  private append(b: number): void {
    if (this.skipping) return;
    if (this.len === this.max) {
      // Cut here: deliver what fits once, skip the rest up to LF.
      this.counters.truncated++;
      this.emit(true, false);
      this.skipping = true;
      return;
    }
    if (this.len === this.buf.length) {
      const bigger = grow(this.buf.length === 0 ? Math.min(INITIAL_CAPACITY, this.max) : Math.min(this.max, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }

  /** Plain data bytes buf[from..to) (no IAC, CR or LF), not skipping, no CR pending. */
  private appendRun(buf: Buffer, from: number, to: number, frame: number, offset: number): void {
    if (!this.started) {
      this.started = true;
      this.lineFrame = frame;
      this.lineOffset = offset;
    }
    const room = this.max - this.len;
    const n = Math.min(room, to - from);
    if (this.len + n > this.buf.length) {
      let size = Math.max(this.buf.length, Math.min(INITIAL_CAPACITY, this.max));
      while (size < this.len + n) size *= 2;
      const bigger = grow(Math.min(this.max, size));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    if (n <= SHORT_RUN) {
      // A command or reply line is tens of bytes: a loop beats Buffer#copy's call overhead.
      const dst = this.buf;
      let at = this.len;
      for (let k = from; k < from + n; k++) dst[at++] = buf[k];
    } else {
      buf.copy(this.buf, this.len, from, from + n);
    }
    this.len += n;
    // One byte more than fits: cut (as append() does at the same byte).
    if (to - from > room) this.append(buf[from + n]);
  }

  /** A whole line read in place: `buf[from..to)`, its first byte at stream offset `offset`. */
  private emitFrom(buf: Buffer, from: number, to: number, frame: number, offset: number): void {
    const info = this.info;
    info.frame = frame;
    info.offset = offset;
    info.truncated = false;
    info.unterminated = false;
    info.afterGap = this.afterGap;
    this.afterGap = false;
    this.counters.lines++;
    this.onLine(wireString(buf, from, to), info);
  }

  private emit(truncated: boolean, unterminated: boolean): void {
    const line = wireString(this.buf, 0, this.len);
    const info = this.info;
    info.frame = this.lineFrame;
    info.offset = this.lineOffset;
    info.truncated = truncated;
    info.unterminated = unterminated;
    info.afterGap = this.afterGap;
    this.afterGap = false;
    this.resetLine();
    this.counters.lines++;
    this.onLine(line, info);
  }

  private resetLine(): void {
    // A long line grew the buffer: give it back for other sessions' long lines (a spray of
    // sessions with 4 KiB user names would otherwise allocate and drop 8 KiB each).
    if (this.buf.length > INITIAL_CAPACITY) {
      if (LARGE_FREE.length < LARGE_FREE_MAX) LARGE_FREE.push(this.buf);
      this.buf = EMPTY;
    }
    this.len = 0;
    this.started = false;
    this.pendingCr = false;
  }
}
