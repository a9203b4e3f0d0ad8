/**
 * The StreamSink of one FTP control connection: bytes → lines (LineSplitter, per direction) →
 * commands and replies (parsers) → the session state machine. After a successful AUTH TLS (234),
 * or when the first bytes of the connection are a TLS record (implicit FTPS, port 990), the
 * channel is TLS: the session is marked, its hosts stay tracked (RFC 4217), and each direction's
 * TLS records are walked (tlsrecords.ts) until cleartext follows a record boundary (CCC, RFC 4217
 * §6, or a TLS session closed while the dialogue went on in clear): from there it is read again.
 * RFC 2228 protection (AUTH GSSAPI, ENC/MIC/CONF) keeps the lines: session.ts marks it.
 *
 * Lifecycle: attached by the analyzer when a connection is recognised as FTP control; `data()`
 * per direction in order; `gap()` where the capture missed bytes; `end()` once.
 */
import type { Direction, SegmentInfo, StreamSink } from '../tcp/index.js';
import { LineSplitter, type LineInfo } from './lines.js';
import { ReplyAssembler, type Reply } from './replies.js';
import { parseCommandLine } from './commands.js';
import { FtpSession, type AnnouncementRec } from './session.js';
import type { Instant } from './model.js';
import { TlsRecords } from './tlsrecords.js';

/** Commands that make a "220 ..." speaker an FTP server (SMTP shares 220, HELP, NOOP, QUIT). */
const DISPOSED = new FtpSession();

const CONFIRMING = new Set(['USER', 'PASS', 'AUTH', 'FEAT', 'SYST', 'OPTS', 'PASV', 'EPSV', 'PORT', 'EPRT', 'LPRT', 'LPSV', 'TYPE', 'CWD', 'PWD', 'XPWD', 'LIST', 'NLST', 'MLSD', 'RETR', 'STOR', 'SIZE', 'MDTM', 'CLNT', 'HOST', 'PBSZ', 'PROT', 'ACCT']);

/**
 * What the control channels dropped to stay within their bounds, summed over every session (the
 * report's `limits`): lines cut at MAX_CONTROL_LINE_BYTES, reply lines past MAX_REPLY_LINES or
 * MAX_REPLY_TEXT_CHARS, commands forgotten past MAX_PENDING_COMMANDS, announcements past
 * MAX_SESSION_ANNOUNCEMENTS, transfer and login replies past MAX_TRANSFER_REPLIES, SIZE replies past
 * MAX_SIZE_CACHE. A sink adds its own when it is disposed or ends.
 */
export interface ControlCounters {
  linesTruncated: number;
  replyLinesDropped: number;
  pendingCommandsDropped: number;
  announcementsDropped: number;
  /** Transfer and login replies past MAX_TRANSFER_REPLIES, not listed. */
  repliesDropped: number;
  /** SIZE replies past MAX_SIZE_CACHE, not remembered. */
  sizesDropped: number;
}

export function newControlCounters(): ControlCounters {
  return { linesTruncated: 0, replyLinesDropped: 0, pendingCommandsDropped: 0, announcementsDropped: 0, repliesDropped: 0, sizesDropped: 0 };
}

export class ControlSink implements StreamSink {
  /** Created on first use: a SYN flood to port 21 makes a sink per attempt that never sees a byte,
   * and each must cost little (~100 bytes, not a session's parsers). */
  private state: FtpSession | null = null;
  private disposed = false;
  /** The session's state; after `dispose()` an empty one (the report was already made). */
  get session(): FtpSession {
    if (this.state) return this.state;
    if (this.disposed) return DISPOSED;
    return (this.state = new FtpSession());
  }
  /** The client sent an FTP command (or the port says FTP): not SMTP or another 220 speaker. */
  confirmed: boolean;
  /** Bytes the capture missed, per direction (client→server, server→client), and where. */
  readonly missed: [number, number] = [0, 0];
  readonly gapOffsets: { dir: 'client' | 'server'; offset: number; length: number }[] = [];
  ended = false;
  private commands: LineSplitter | null = null;
  private replies: LineSplitter | null = null;
  private assembler: ReplyAssembler | null = null;
  /** The capture time of the segment being read; its Instant is made only when a line of it
   * reaches the session (most segments carry one line, many none: no object per segment). */
  private nowSec = 0;
  private nowNsec = 0;
  private nowAt: Instant | null = null;
  private announced = 0;
  private counted = false;
  /** Per side (client, server): its bytes are TLS records now, walked by `walkers`. */
  private readonly enc: [boolean, boolean] = [false, false];
  private readonly walkers: [TlsRecords | null, TlsRecords | null] = [null, null];
  /** The session's TLS starts already applied to `enc`; a side's first byte was seen. */
  private tlsStarts = 0;
  private readonly started: [boolean, boolean] = [false, false];

  /**
   * @param clientDir the TCP direction (0 = originator's bytes) in which the client speaks
   * @param onAnnounce called with each new announcement (the correlator's indexes)
   * @param totals where this sink's dropped lines, commands and announcements are added up
   */
  constructor(
    private readonly clientDir: Direction,
    confirmed: boolean,
    private readonly onAnnounce: (a: AnnouncementRec) => void,
    private readonly totals: ControlCounters | null = null,
    /** Connection.acknowledged of the connection, where the sink follows a live one. */
    private readonly acknowledged: ((dir: Direction, ack: number) => number | null) | null = null,
  ) {
    this.confirmed = confirmed;
  }

  private commandSplitter(): LineSplitter {
    return (this.commands ??= new LineSplitter((line, info) => this.commandLine(line, info)));
  }

  private replySplitter(): LineSplitter {
    this.assembler ??= new ReplyAssembler((r) => this.reply(r));
    return (this.replies ??= new LineSplitter((line, info) => this.replyLine(line, info)));
  }

  /** The session was reported: drop the parsing state now rather than when the TCP tracker lets
   * go of the connection (seconds later), and ignore what still arrives. */
  dispose(): void {
    this.count();
    this.disposed = true;
    this.state = null;
    this.commands = null;
    this.replies = null;
    this.assembler = null;
  }

  /** Adds this sink's drops to the totals, once (at dispose; what arrives later is ignored). */
  private count(): void {
    if (this.counted || !this.totals) return;
    this.counted = true;
    const t = this.totals;
    t.linesTruncated += (this.commands?.counters.truncated ?? 0) - (this.commands?.counters.discardedByGap ?? 0);
    t.linesTruncated += (this.replies?.counters.truncated ?? 0) - (this.replies?.counters.discardedByGap ?? 0);
    t.replyLinesDropped += this.assembler?.counters.droppedLines ?? 0;
    if (this.state) {
      t.pendingCommandsDropped += this.state.droppedCommands;
      t.announcementsDropped += this.state.droppedAnnouncements;
      t.repliesDropped += this.state.droppedReplies;
      t.sizesDropped += this.state.droppedSizes;
    }
  }

  data(dir: Direction, bytes: Buffer, _offset: number, at: SegmentInfo): void {
    if (this.disposed) return;
    this.nowSec = at.tsSec;
    this.nowNsec = at.tsNsec;
    this.nowAt = null;
    const side = dir === this.clientDir ? 0 : 1;
    const s = this.session;
    if (!this.started[side]) {
      this.started[side] = true;
      // Implicit FTPS: a TLS handshake before any FTP line (curl ftps://, port 990).
      if (!s.tls && s.commands === 0 && s.banner === null && TlsRecords.looksLikeRecord(bytes, 0, bytes.length)) s.startTls('implicit TLS', at.frame);
    }
    this.syncTls();
    let from = 0;
    if (this.enc[side]) {
      const w = (this.walkers[side] ??= new TlsRecords());
      const i = w.push(bytes, 0, bytes.length);
      if (i < 0) return;
      this.enc[side] = false;
      this.walkers[side] = null;
      s.clearAgain(at.frame);
      if (w.heldClear) this.feed(side, w.heldClear, 0, at.frame);
      from = i;
    }
    if (side === 1 && this.acknowledged !== null) s.serverAcked = at.hasAck === true && at.ack !== undefined ? this.acknowledged(dir, at.ack) : null;
    this.feed(side, bytes, from, at.frame);
  }

  /** A TLS start the session recorded (234 to AUTH TLS, implicit TLS): both sides are TLS now. */
  private syncTls(): void {
    const s = this.session;
    if (s.encrypted && s.tlsStartCount !== this.tlsStarts) {
      this.tlsStarts = s.tlsStartCount;
      this.enc[0] = this.enc[1] = true;
      this.walkers[0] = this.walkers[1] = null;
    }
  }

  private feed(side: 0 | 1, bytes: Buffer, from: number, frame: number): void {
    if (from >= bytes.length) return;
    if (side === 0) this.commandSplitter().push(bytes, from, bytes.length, frame);
    else this.replySplitter().push(bytes, from, bytes.length, frame);
  }

  gap(dir: Direction, offset: number, length: number): void {
    const side = dir === this.clientDir ? 0 : 1;
    this.missed[side] += length;
    if (this.gapOffsets.length < 16) this.gapOffsets.push({ dir: side === 0 ? 'client' : 'server', offset, length });
    if (this.disposed) return;
    this.syncTls();
    if (this.enc[side]) {
      // Record boundaries cannot be found again past a gap: this side stays unreadable.
      (this.walkers[side] ??= new TlsRecords()).lost();
      return;
    }
    if (side === 0) this.commandSplitter().gap(length);
    else {
      this.replySplitter().gap(length);
      this.assembler?.gap();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.state) {
      if (!this.enc[0]) this.commands?.end();
      if (!this.enc[1]) {
        this.replies?.end();
        this.assembler?.end();
      }
    }
  }

  private commandLine(line: string, info: LineInfo): void {
    if (this.session.encrypted && this.enc[0]) return;
    const c = parseCommandLine(line);
    if (!c) return;
    if (!this.confirmed && CONFIRMING.has(c.verb)) this.confirmed = true;
    this.session.command(c.verb, c.arg, info.frame, this.now());
    this.noteAnnouncements();
  }

  private replyLine(line: string, info: LineInfo): void {
    if (this.session.encrypted && this.enc[1]) return;
    this.assembler?.push(line, info.frame);
  }

  private reply(r: Reply): void {
    this.session.reply(r, this.now());
    this.noteAnnouncements();
  }

  /** The current segment's time, one shared (readonly) Instant for all its lines. */
  private now(): Instant {
    return (this.nowAt ??= { sec: this.nowSec, nsec: this.nowNsec });
  }

  private noteAnnouncements(): void {
    const a = this.session.announcements;
    while (this.announced < a.length) this.onAnnounce(a[this.announced++]);
  }
}
