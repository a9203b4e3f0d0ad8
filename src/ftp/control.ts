/**
 * The StreamSink of one FTP control connection: bytes → lines (LineSplitter, per direction) →
 * commands and replies (parsers) → the session state machine. After a successful AUTH (234) the
 * channel is TLS: parsing stops, the session is marked, its hosts stay tracked (RFC 4217).
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

/** Commands that make a "220 ..." speaker an FTP server (SMTP shares 220, HELP, NOOP, QUIT). */
const DISPOSED = new FtpSession();

const CONFIRMING = new Set(['USER', 'PASS', 'AUTH', 'FEAT', 'SYST', 'OPTS', 'PASV', 'EPSV', 'PORT', 'EPRT', 'LPRT', 'LPSV', 'TYPE', 'CWD', 'PWD', 'XPWD', 'LIST', 'NLST', 'MLSD', 'RETR', 'STOR', 'SIZE', 'MDTM', 'CLNT', 'HOST', 'PBSZ', 'PROT', 'ACCT']);

export class ControlSink implements StreamSink {
  private state: FtpSession | null = new FtpSession();
  /** The session's state; after `dispose()` an empty one (the report was already made). */
  get session(): FtpSession {
    return this.state ?? DISPOSED;
  }
  /** The client sent an FTP command (or the port says FTP): not SMTP or another 220 speaker. */
  confirmed: boolean;
  /** Bytes the capture missed, per direction (client→server, server→client), and where. */
  readonly missed: [number, number] = [0, 0];
  readonly gapOffsets: { dir: 'client' | 'server'; offset: number; length: number }[] = [];
  ended = false;
  private commands: LineSplitter | null;
  private replies: LineSplitter | null;
  private assembler: ReplyAssembler | null;
  private now: Instant = { sec: 0, nsec: 0 };
  private announced = 0;

  /**
   * @param clientDir the TCP direction (0 = originator's bytes) in which the client speaks
   * @param onAnnounce called with each new announcement (the correlator's indexes)
   */
  constructor(
    private readonly clientDir: Direction,
    confirmed: boolean,
    private readonly onAnnounce: (a: AnnouncementRec) => void,
  ) {
    this.confirmed = confirmed;
    this.commands = new LineSplitter((line, info) => this.commandLine(line, info));
    this.replies = new LineSplitter((line, info) => this.replyLine(line, info));
    this.assembler = new ReplyAssembler((r) => this.reply(r));
  }

  /** The session was reported: drop the parsing state now rather than when the TCP tracker lets
   * go of the connection (seconds later), and ignore what still arrives. */
  dispose(): void {
    this.state = null;
    this.commands = null;
    this.replies = null;
    this.assembler = null;
  }

  data(dir: Direction, bytes: Buffer, _offset: number, at: SegmentInfo): void {
    if (this.session.tls || !this.commands || !this.replies) return;
    this.now = { sec: at.tsSec, nsec: at.tsNsec };
    if (dir === this.clientDir) this.commands.push(bytes, 0, bytes.length, at.frame);
    else this.replies.push(bytes, 0, bytes.length, at.frame);
  }

  gap(dir: Direction, offset: number, length: number): void {
    const side = dir === this.clientDir ? 0 : 1;
    this.missed[side] += length;
    if (this.gapOffsets.length < 16) this.gapOffsets.push({ dir: side === 0 ? 'client' : 'server', offset, length });
    if (this.session.tls || !this.commands || !this.replies || !this.assembler) return;
    if (side === 0) this.commands.gap(length);
    else {
      this.replies.gap(length);
      this.assembler.gap();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.session.tls) {
      this.commands?.end();
      this.replies?.end();
      this.assembler?.end();
    }
  }

  private commandLine(line: string, info: LineInfo): void {
    if (this.session.tls) return;
    const c = parseCommandLine(line);
    if (!c) return;
    if (!this.confirmed && CONFIRMING.has(c.verb)) this.confirmed = true;
    this.session.command(c.verb, c.arg, info.frame, this.now);
    this.noteAnnouncements();
  }

  private replyLine(line: string, info: LineInfo): void {
    if (this.session.tls) return;
    this.assembler?.push(line, info.frame);
  }

  private reply(r: Reply): void {
    this.session.reply({ code: r.code, text: r.text, frame: r.frame }, this.now);
    this.noteAnnouncements();
  }

  private noteAnnouncements(): void {
    const a = this.session.announcements;
    while (this.announced < a.length) this.onAnnounce(a[this.announced++]);
  }
}
