/**
 * FTP replies (RFC 959 §4.2): reply lines in, complete replies out.
 *
 * A reply is `ddd<SP>text` on one line, or a multi-line reply: `ddd-text` first, any lines, and
 * the last line `ddd<SP>text` with the same code (§4.2: "the last line will begin with the same
 * code, followed immediately by Space"). Inner lines may start with digits, even with another
 * reply code or the same code and a hyphen (Microsoft servers prefix every inner line with
 * `211-`); none of them ends the reply. RFC 959's own example:
 *
 *     123-First line
 *     Second line
 *       234 A line beginning with numbers
 *     123 The last line
 *
 * Contract of `ReplyAssembler`: one per server-to-client direction, created once; `push()` every
 * line in order (as `LineSplitter` delivers them); `gap()` where the capture missed bytes; `end()`
 * once. Each complete reply is delivered synchronously to the callback.
 */
import { MAX_REPLY_LINES, MAX_REPLY_TEXT_CHARS } from '../limits.js';

/**
 * Whether `len` bytes at `off` start a 220 reply — "220" then a space or a hyphen (RFC 959 §4.2)
 * — the greeting an FTP server opens its control connection with (RFC 959 §5.4). SMTP greets the
 * same way: the client's first command tells them apart.
 */
export function startsWithGreeting(b: Uint8Array, off: number, len: number): boolean {
  return len >= 4 && b[off] === 0x32 && b[off + 1] === 0x32 && b[off + 2] === 0x30 && (b[off + 3] === 0x20 || b[off + 3] === 0x2d);
}

/** One reply line: its code, whether it ends a reply (space or nothing after the code). */
export interface ReplyLine {
  readonly code: number;
  /** `ddd text` or `ddd` alone: a one-line reply or the last line of a multi-line one. */
  readonly final: boolean;
  /** The text after `ddd ` / `ddd-`. */
  readonly text: string;
}

export interface Reply {
  readonly code: number;
  /** Text of all kept lines joined with "\n", without the code prefixes of the first and last
   * line (nor `ddd-` on inner lines that repeat the code). Bounded: see `droppedLines`. */
  readonly text: string;
  /** Lines the reply had (kept or not). */
  readonly lines: number;
  /** Frame of the first line. */
  readonly frame: number;
  /** Frame of the last line. */
  readonly endFrame: number;
  readonly multiline: boolean;
  /** False when a multi-line reply was cut short by a gap or the end of the stream. */
  readonly complete: boolean;
  /** Lines left out of `text` to stay within MAX_REPLY_LINES / MAX_REPLY_TEXT_CHARS. */
  readonly droppedLines: number;
}

/** Reply class from the first digit (RFC 959 §4.2.1): 1 positive preliminary, 2 positive
 * completion, 3 positive intermediate, 4 transient negative, 5 permanent negative, 6 protected
 * (RFC 2228 §4: 631-633 wrap an encrypted reply). */
export type ReplyClass = 1 | 2 | 3 | 4 | 5 | 6;

export function replyClass(code: number): ReplyClass {
  const c = Math.floor(code / 100);
  return (c < 1 ? 1 : c > 6 ? 6 : c) as ReplyClass;
}

const ZERO = 0x30;

/**
 * A reply line, or null if the line is not one: three digits (the first 1-6) followed by a
 * space, a hyphen or the end of the line.
 */
export function parseReplyLine(line: string): ReplyLine | null {
  const code = replyLineCode(line);
  if (code < 0) return null;
  if (line.length === 3) return { code, final: true, text: '' };
  return { code, final: line.charCodeAt(3) === SPACE, text: line.slice(4) };
}

const SPACE = 0x20;
const HYPHEN = 0x2d;

/** The code of a reply line (as parseReplyLine reads it), -1 if the line is not one. */
function replyLineCode(line: string): number {
  if (line.length < 3) return -1;
  const a = line.charCodeAt(0) - ZERO;
  const b = line.charCodeAt(1) - ZERO;
  const c = line.charCodeAt(2) - ZERO;
  if (a < 1 || a > 6 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  if (line.length > 3) {
    const sep = line.charCodeAt(3);
    if (sep !== SPACE && sep !== HYPHEN) return -1;
  }
  return a * 100 + b * 10 + c;
}

export type ReplyCallback = (reply: Reply) => void;
export type GarbageCallback = (line: string, frame: number) => void;

export interface ReplyCounters {
  replies: number;
  /** Lines outside a multi-line reply that are not reply lines. */
  garbage: number;
  /** Empty lines outside a multi-line reply (ignored). */
  emptyLines: number;
  /** Lines of multi-line replies left out of their text (bounds). */
  droppedLines: number;
  /** Multi-line replies cut short by a gap or the end of the stream. */
  incomplete: number;
}

export interface ReplyAssemblerOptions {
  readonly maxLines?: number;
  readonly maxTextChars?: number;
}

export class ReplyAssembler {
  readonly counters: ReplyCounters = { replies: 0, garbage: 0, emptyLines: 0, droppedLines: 0, incomplete: 0 };

  private readonly maxLines: number;
  private readonly maxChars: number;
  // The multi-line reply in progress (code < 0: none).
  private code = -1;
  private parts: string[] = [];
  private chars = 0;
  private lineCount = 0;
  private dropped = 0;
  private frame = 0;
  private lastFrame = 0;

  constructor(
    private readonly onReply: ReplyCallback,
    private readonly onGarbage?: GarbageCallback,
    options: ReplyAssemblerOptions = {},
  ) {
    this.maxLines = Math.max(2, options.maxLines ?? MAX_REPLY_LINES);
    this.maxChars = Math.max(1, options.maxTextChars ?? MAX_REPLY_TEXT_CHARS);
  }

  /** A multi-line reply is open (its last line not seen yet). */
  get inReply(): boolean {
    return this.code >= 0;
  }

  push(line: string, frame: number): void {
    if (this.code >= 0) {
      this.inner(line, frame);
      return;
    }
    // parseReplyLine's test, without its object: most replies are one line.
    const code = replyLineCode(line);
    if (code < 0) {
      if (line === '') {
        this.counters.emptyLines++;
        return;
      }
      this.counters.garbage++;
      this.onGarbage?.(line, frame);
      return;
    }
    const text = line.length === 3 ? '' : line.slice(4);
    if (line.length === 3 || line.charCodeAt(3) === SPACE) {
      this.deliver({ code, text, lines: 1, frame, endFrame: frame, multiline: false, complete: true, droppedLines: 0 });
      return;
    }
    this.code = code;
    this.parts = [text];
    this.chars = text.length;
    this.lineCount = 1;
    this.dropped = 0;
    this.frame = frame;
    this.lastFrame = frame;
  }

  /** The capture missed bytes: an open multi-line reply is delivered as incomplete (its last
   * line is probably among the missed bytes; waiting for it would swallow later replies). */
  gap(): void {
    this.flushIncomplete();
  }

  /** End of the stream: an open multi-line reply is delivered as incomplete. */
  end(): void {
    this.flushIncomplete();
  }

  private inner(line: string, frame: number): void {
    this.lineCount++;
    this.lastFrame = frame;
    const code = this.code;
    // The last line: same code, then a space or nothing (RFC 959 §4.2).
    const last =
      line.length >= 3 &&
      line.charCodeAt(0) - ZERO === Math.floor(code / 100) &&
      line.charCodeAt(1) - ZERO === Math.floor(code / 10) % 10 &&
      line.charCodeAt(2) - ZERO === code % 10 &&
      (line.length === 3 || line[3] === ' ');
    if (last) {
      // The last line is always kept (it often carries the point: "226 ... (N bytes)").
      this.parts.push(line.slice(4));
      const text = this.parts.join('\n');
      const reply: Reply = {
        code,
        text,
        lines: this.lineCount,
        frame: this.frame,
        endFrame: frame,
        multiline: true,
        complete: true,
        droppedLines: this.dropped,
      };
      this.reset();
      this.deliver(reply);
      return;
    }
    // Microsoft style: every inner line repeats "ddd-".
    const t = line.length >= 4 && line[3] === '-' && line.startsWith(String(code)) ? line.slice(4) : line;
    if (this.parts.length >= this.maxLines - 1 || this.chars + t.length + 1 > this.maxChars) {
      this.dropped++;
      this.counters.droppedLines++;
      return;
    }
    this.parts.push(t);
    this.chars += t.length + 1;
  }

  private flushIncomplete(): void {
    if (this.code < 0) return;
    const reply: Reply = {
      code: this.code,
      text: this.parts.join('\n'),
      lines: this.lineCount,
      frame: this.frame,
      endFrame: this.lastFrame,
      multiline: true,
      complete: false,
      droppedLines: this.dropped,
    };
    this.counters.incomplete++;
    this.reset();
    this.deliver(reply);
  }

  private deliver(r: Reply): void {
    this.counters.replies++;
    this.onReply(r);
  }

  private reset(): void {
    this.code = -1;
    this.parts = [];
    this.chars = 0;
    this.lineCount = 0;
    this.dropped = 0;
  }
}
