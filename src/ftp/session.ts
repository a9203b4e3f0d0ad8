/**
 * One FTP control session as a state machine over its commands and replies (RFC 959 §4-5).
 *
 * Fed in arrival order: `command()` for each client line, `reply()` for each complete server reply
 * (multi-line replies already joined). Commands wait in a bounded queue for their replies: a 1xx
 * reply is preliminary (the command stays pending), 2xx-5xx final (RFC 959 §4.2). It records what
 * the diagnosis needs: login, TLS, announcements (PORT/EPRT/LPRT at the command, PASV/EPSV/LPSV at
 * their reply), transfers with their replies, and the working directory so transfers carry full
 * paths. Nothing here knows about TCP; the correlator joins announcements to connections later.
 */
import { posix } from 'node:path';
import type { DataMode, Instant, TransferDirection } from './model.js';
import { MAX_PENDING_COMMANDS, MAX_TRANSFER_REPLIES, MAX_SESSION_ANNOUNCEMENTS, MAX_SIZE_CACHE, MAX_TIMELINE_TEXT_CHARS } from '../limits.js';
import { parsePortArg, parseEprtArg, parseLprtArg, parse227, parse228, parse229, parseTransferSize, type Announcement } from './announce.js';
import { COMMANDS, detach } from './commands.js';
import { TimelineLog, type TimelineRec } from './timeline.js';
import { directionOf150, refusedTransferOf } from './replytext.js';

export { TimelineLog, type TimelineRec };

/** AUTH arguments that start TLS on the control connection (RFC 4217 §4; TLS-C and TLS-P from
 * its drafts, still sent by old clients). */
const TLS_MECHANISMS = new Set(['TLS', 'SSL', 'TLS-C', 'TLS-P']);

export interface ReplyEvent {
  readonly code: number;
  readonly text: string;
  readonly frame: number;
}

export interface AnnouncementRec {
  readonly index: number;
  readonly kind: Exclude<DataMode, 'unknown'>;
  /** PORT, EPRT, LPRT (client's command) or PASV, EPSV, LPSV (answered by 227/229/228). */
  readonly command: string;
  /** Announced address; null for EPSV (the control connection's server address is meant). */
  readonly ip: string | null;
  readonly port: number;
  /** Frame of the PORT/EPRT/LPRT command, or of the 227/229/228 reply. */
  readonly frame: number;
  readonly at: Instant;
  /** Reply to PORT/EPRT/LPRT (200, or 5xx when refused; null if none seen); 227/229/228 for passive. */
  replyCode: number | null;
  replyFrame: number | null;
  transfer: TransferRec | null;
}

export interface ReplyRec {
  readonly code: number;
  readonly text: string;
  readonly frame: number;
  readonly at: Instant;
}

export interface TransferRec {
  readonly verb: string;
  readonly arg: string;
  readonly path: string | null;
  readonly direction: TransferDirection;
  readonly frame: number;
  readonly at: Instant;
  readonly announcement: AnnouncementRec | null;
  readonly replies: ReplyRec[];
  expectedBytes: number | null;
  readonly restOffset: number;
  /** The client sent ABOR while this transfer was pending. */
  abortFrame: number | null;
  final: ReplyRec | null;
  /** Started from a 150/125 reply whose command the capture lacks (only the server's side of the
   * control connection captured): verb and path unknown, direction guessed from the reply text. */
  readonly inferred: boolean;
  /** Frame of the client's next command after it (not ABOR): with the replies not captured, the
   * client going on is what shows the transfer ended. */
  nextCommandFrame: number | null;
}

interface Pending {
  readonly verb: string;
  readonly arg: string;
  readonly frame: number;
  readonly at: Instant;
  transfer: TransferRec | null;
  announcement: AnnouncementRec | null;
  /** For ABOR: the transfer it aborts (its reply joins that transfer's replies). */
  aborts: TransferRec | null;
  /** For PASV/EPSV/LPSV: a transfer command pipelined before the reply came (lftp sends PASV and
   * RETR in one segment); the announcement in the reply is that transfer's. */
  waiting: TransferRec | null;
}

/**
 * A data connection announced where the capture holds only one half of the announcement: a
 * PASV/EPSV/LPSV command (its 227/229/228 reply would carry the port), or a server's reply to a
 * PORT/EPRT/LPRT (the command carries the address): its 200, its refusal, or its word that it
 * tried and failed. Its mode is known, its endpoint is not: the report uses these only when one
 * side of the control connection was captured (session-report.ts, correlate.ts `halfPairs`).
 */
export interface HalfAnnouncement {
  readonly kind: Exclude<DataMode, 'unknown'>;
  /** The captured half names its command (PASV, `200 EPRT command successful`); false for a reply
   * that says only that an active connection was made (pyftpdlib `200 Active data connection
   * established.` answers PORT and EPRT alike): see halfModeOf. */
  readonly named: boolean;
  readonly frame: number;
  readonly at: Instant;
  /** The server refused the command (`500 Illegal PORT command.`, `501 Rejected data connection to
   * foreign address`): no data connection follows it. */
  readonly refused: boolean;
  /** The server's reply says it tried to connect and failed (pyftpdlib `425 Can't connect to
   * specified address.`, `421 Active data channel timed out.`): its connection, if captured,
   * started before the reply, by as long as the server's connect timeout. */
  readonly tried: boolean;
  /** The server's reply it was read from (cut to MAX_TIMELINE_TEXT_CHARS); null for a command. */
  readonly reply: { readonly code: number; readonly text: string } | null;
  /** For a reply: the bytes the client sent since the server's previous reply, as the server's
   * acknowledgements count them (the command it answers, unseen); null where they cannot. */
  readonly commandBytes: number | null;
  /** The next transfer started after it. */
  transfer: TransferRec | null;
  /** An active one, from the server's side: the server's next `425` with no transfer open (vsftpd
   * `425 Failed to establish connection.` answers the transfer command the capture lacks). */
  failure: { readonly frame: number; readonly at: Instant; readonly code: number; readonly text: string } | null;
}

export interface LoginAttempt {
  readonly user: string | null;
  readonly frame: number;
  readonly code: number;
}

/** A half announcement's mode for a connection of IP version `ipVersion`: the named command's, or
 * for a reply naming none, EPRT over IPv6 (PORT carries IPv4 addresses only, RFC 2428 §1; LPRT,
 * RFC 1639, is obsolete and no lab server implements it); over IPv4, where the reply reads the same
 * for PORT and EPRT, the command's length measured against the endpoint `target` the server
 * connected to (activeModeByLength), else `unknown`. */
export function halfModeOf(h: HalfAnnouncement, ipVersion: 4 | 6, target: { readonly ip: string; readonly port: number } | null = null): DataMode {
  if (h.named) return h.kind;
  if (ipVersion === 6) return 'extended-active';
  return target !== null && h.commandBytes !== null ? (activeModeByLength(h.commandBytes, target) ?? 'unknown') : 'unknown';
}

/**
 * The command an unnamed active reply answered, from the command's length as the server's ACKs
 * count it and the endpoint the server then connected to: `PORT h1,h2,h3,h4,p1,p2` and
 * `EPRT |1|h1.h2.h3.h4|port|` (RFC 959 §4.1.2, RFC 2428 §2, each ending in CRLF) for one IPv4
 * endpoint never have the same length: PORT is 9 + the address + the digits of p1 and p2, EPRT 12
 * + the address + the digits of the port, so equal lengths would need three digits more in p1 and
 * p2 than in the port, and they have at most one more (below 256, p1 is 0 and p2 the port; from
 * 256 on, p1 = port / 256 has at least two digits fewer than the port and p2 at most three).
 * Another length (two commands between the replies, a client that pads or leaves out the CR)
 * decides nothing.
 */
export function activeModeByLength(bytes: number, target: { readonly ip: string; readonly port: number }): 'active' | 'extended-active' | null {
  if (target.ip.includes(':')) return null;
  const digits = (n: number): number => String(n).length;
  const port = 9 + target.ip.length + digits(target.port >> 8) + digits(target.port & 255);
  const eprt = 12 + target.ip.length + digits(target.port);
  return bytes === port ? 'active' : bytes === eprt ? 'extended-active' : null;
}

/** The active-mode command a server's reply names (EPRT, LPRT, PORT), as a mode; null for none. */
function activeCommandOf(text: string): 'active' | 'extended-active' | 'long-active' | null {
  return /\bEPRT\b/i.test(text) ? 'extended-active' : /\bLPRT\b/i.test(text) ? 'long-active' : /\bPORT\b/i.test(text) ? 'active' : null;
}

const cut = (s: string): string => (s.length > MAX_TIMELINE_TEXT_CHARS ? s.slice(0, MAX_TIMELINE_TEXT_CHARS) : s);

export class FtpSession {
  /** Set (by the analyzer) when a timeline was asked for; null keeps the fast path. */
  timeline: TimelineLog | null = null;
  /** How far the server has acknowledged the client's bytes (Connection.acknowledged), set by
   * the control sink before each of the server's segments; null where unknown. */
  serverAcked: number | null = null;
  private lastReplyAcked: number | null = null;
  /** The client's bytes between the previous reply and the one being read (HalfAnnouncement). */
  private commandBytes: number | null = null;
  banner: string | null = null;
  bannerFrame: number | null = null;
  user: string | null = null;
  password: string | null = null;
  passwordFrame: number | null = null;
  login: 'success' | 'failed' | 'none' = 'none';
  /** A 331/332 asked for a password: a login was attempted, also when its commands were not
   * captured. */
  loginAsked = false;
  loginFrame: number | null = null;
  /** The first MAX_TRANSFER_REPLIES login replies (their frames go into the login-failed finding). */
  readonly loginAttempts: LoginAttempt[] = [];
  /** Every login reply, kept or not (the report's `loginAttempts`). */
  loginAttemptCount = 0;
  failedLogins = 0;
  /** The control channel was protected at some point (the report's `tls`): AUTH TLS/SSL (RFC
   * 4217), a TLS handshake as its first bytes (implicit FTPS), or an RFC 2228 mechanism (AUTH
   * GSSAPI / KERBEROS_V4 accepted, or ENC/MIC/CONF commands). */
  tls = false;
  tlsFrame: number | null = null;
  /** Which protection: the AUTH argument ("TLS", "SSL", "GSSAPI", "KERBEROS_V4"), "implicit TLS",
   * or "ENC/MIC/CONF" when protected commands appear without an AUTH seen. */
  mechanism: string | null = null;
  /** The channel carries TLS records now (unreadable); false again when cleartext resumes. */
  encrypted = false;
  /** Where cleartext resumed after TLS (CCC, RFC 4217 §6; or a TLS session closed while the
   * dialogue went on in clear): read again from there. */
  clearAgainFrame: number | null = null;
  /** TLS sessions started on the channel (a second AUTH TLS after CCC starts another). */
  tlsStartCount = 0;
  /** RFC 2228 §3 protected commands (ENC, MIC, CONF): their content cannot be read. */
  protectedCommands = 0;
  /** AUTH GSSAPI / KERBEROS_V4 answered 334 (ADAT exchange required, RFC 2228 §4). */
  private pendingMechanism: string | null = null;
  epsvAll = false;
  commands = 0;
  cwd: string | null = null;
  readonly announcements: AnnouncementRec[] = [];
  /** Bounded like the announcements (MAX_SESSION_ANNOUNCEMENTS). */
  readonly halfAnnouncements: HalfAnnouncement[] = [];
  readonly transfers: TransferRec[] = [];
  readonly unmatchedReplies: ReplyRec[] = [];
  droppedCommands = 0;
  droppedAnnouncements = 0;
  /** Replies of a transfer (or of its ABOR) and login replies not kept past MAX_TRANSFER_REPLIES. */
  droppedReplies = 0;
  /** SIZE replies not remembered past MAX_SIZE_CACHE: a later RETR of that file has no expected size from it. */
  droppedSizes = 0;
  /** Malformed announcements: `PORT 300,1,1,1,1,1`, a 227 without an address... (frame, text). */
  readonly badAnnouncements: { frame: number; text: string }[] = [];
  /** All malformed announcements, kept or not. */
  badAnnouncementCount = 0;

  private readonly pending: Pending[] = [];
  /** A reply other than a 120 greeting was seen. */
  private replied = false;
  private pendingUser: string | null = null;
  private restOffset = 0;
  private readonly sizes = new Map<string, number>();
  /** The latest announcement not yet used by a transfer. */
  private open: AnnouncementRec | null = null;
  /** The transfer whose data connection is (or was last) in progress, for ABOR. */
  private active: TransferRec | null = null;

  command(verb: string, arg: string, frame: number, at: Instant): void {
    this.commands++;
    this.timeline?.add({ at, frame, client: true, head: verb, text: cut(arg), code: null });
    const p: Pending = { verb, arg, frame, at, transfer: null, announcement: null, aborts: null, waiting: null };
    if (this.active && this.active.nextCommandFrame === null && verb !== 'ABOR') this.active.nextCommandFrame = frame;
    switch (verb) {
      case 'USER':
        this.pendingUser = arg;
        this.user = arg;
        break;
      case 'PASS':
        this.password = arg;
        this.passwordFrame = frame;
        break;
      case 'PORT':
      case 'EPRT':
      case 'LPRT': {
        const a = verb === 'PORT' ? parsePortArg(arg) : verb === 'EPRT' ? parseEprtArg(arg) : parseLprtArg(arg);
        if ('error' in a) this.noteBad(frame, `${verb} ${arg}`);
        else p.announcement = this.announce(a, verb, frame, at, null);
        break;
      }
      case 'PASV':
      case 'LPSV':
        this.halfAnnounce(verb === 'PASV' ? 'passive' : 'long-passive', frame, at);
        break;
      case 'EPSV':
        if (arg.toUpperCase() === 'ALL') this.epsvAll = true;
        else this.halfAnnounce('extended-passive', frame, at);
        break;
      case 'REST': {
        const n = Number(arg.trim());
        if (Number.isSafeInteger(n) && n >= 0) this.restOffset = n;
        break;
      }
      case 'ENC':
      case 'MIC':
      case 'CONF':
        // RFC 2228 §3: a protected command, base64 of an encrypted or signed command line.
        this.protectedCommands++;
        if (!this.tls) this.protect(this.pendingMechanism ?? 'ENC/MIC/CONF', frame);
        break;
      case 'ABOR':
        // RFC 959 §4.1.3: the server answers 426 for the transfer, then 226 for the ABOR; or only
        // 225/226 when no transfer was running (vsftpd: "225 No transfer to ABOR").
        // An ABOR right after a 426 (the client stopped reading, the server gave up first, then the
        // client aborts: vsftpd answers "225 No transfer to ABOR") still aborts that transfer.
        if (this.active && (!this.active.final || this.active.final.code === 426)) this.active.abortFrame = frame;
        p.aborts = this.active;
        break;
      default: {
        const info = COMMANDS[verb];
        if (info?.transfer) {
          // Pipelined after a PASV still unanswered: the coming 227 is this transfer's.
          const pasv = this.pendingPassive();
          p.transfer = this.startTransfer(verb, arg, info.transfer, frame, at, pasv !== null);
          if (pasv) pasv.waiting = p.transfer;
        }
      }
    }
    if (this.pending.length >= MAX_PENDING_COMMANDS) {
      this.pending.shift();
      this.droppedCommands++;
    }
    this.pending.push(p);
  }

  reply(r: ReplyEvent, at: Instant): void {
    this.commandBytes = this.serverAcked !== null && this.lastReplyAcked !== null ? this.serverAcked - this.lastReplyAcked : null;
    this.lastReplyAcked = this.serverAcked;
    const rec: ReplyRec = { code: r.code, text: r.text, frame: r.frame, at };
    this.timeline?.add({ at, frame: r.frame, client: false, head: String(r.code), text: cut(r.text), code: r.code });
    // The greeting answers no command, even when the client spoke first (lftp sends FEAT before
    // the banner has arrived).
    if (!this.replied && (r.code === 220 || r.code === 120)) {
      this.banner = r.text;
      this.bannerFrame = r.frame;
      if (r.code === 220) this.replied = true;
      return;
    }
    this.replied = true;
    const p = this.pending[0];
    if (!p) {
      this.unsolicited(rec);
      return;
    }
    if (r.code < 200) {
      if (p.transfer) this.transferReply(p.transfer, rec);
      return;
    }
    this.pending.shift();
    this.final(p, rec);
  }

  /** A reply no pending command explains: the banner, a timeout notice, or the capture missed the command. */
  private unsolicited(r: ReplyRec): void {
    if ((r.code === 220 || r.code === 120) && this.commands === 0) {
      if (r.code === 220 || this.banner === null) {
        this.banner = r.text;
        this.bannerFrame = r.frame;
      }
      return;
    }
    // Picked up mid-session: a passive reply still announces a data connection.
    if (r.code === 227 || r.code === 228 || r.code === 229) {
      this.passiveReply(r.code === 227 ? 'PASV' : r.code === 228 ? 'LPSV' : 'EPSV', r);
      return;
    }
    // pyftpdlib connects when it gets PORT/EPRT and answers "425 Can't connect to specified
    // address." when that fails: an active announcement whose connection was tried.
    if (this.commands === 0 && r.code === 425 && /connect to specified address/i.test(r.text)) {
      this.halfAnnounce('active', r.frame, r.at, false, false, true, r);
      return;
    }
    // The server's side alone: its refusal of an active-mode command, naming the command (vsftpd
    // "500 Illegal PORT command.", pyftpdlib "500 Command \"LPRT\" not understood.", "501 PORT
    // against the privileged port \"79\" refused.") or the address it will not connect to
    // (pyftpdlib "501 Rejected data connection to foreign address 203.0.113.99:25."), and
    // pyftpdlib's "421 Active data channel timed out." (it connects on PORT/EPRT and gave up).
    if (this.commands === 0 && r.code >= 400 && (!this.active || this.active.final)) {
      const named = activeCommandOf(r.text);
      if (named !== null || /data connection to foreign address|active data channel/i.test(r.text)) {
        const tried = /active data channel timed out/i.test(r.text);
        this.halfAnnounce(named ?? 'active', r.frame, r.at, named !== null, !tried, tried, r);
        return;
      }
    }
    if (this.active && !this.active.final && (r.code === 226 || r.code === 250 || r.code === 426 || r.code === 451 || r.code === 425)) {
      this.transferReply(this.active, r);
      return;
    }
    if (this.commands === 0 && r.code === 425) {
      const h = this.halfAnnouncements.at(-1);
      if (h && h.reply !== null && !h.refused && !h.tried && h.failure === null && (h.kind === 'active' || h.kind === 'extended-active' || h.kind === 'long-active')) {
        h.failure = { frame: r.frame, at: r.at, code: r.code, text: detach(r.text, MAX_TIMELINE_TEXT_CHARS) };
        return;
      }
    }
    // The server's side alone: a 200 naming PORT/EPRT/LPRT answers an active announcement (vsftpd
    // "200 PORT command successful. Consider using PASV.", pyftpdlib "200 Active data connection
    // established."), a 150/125 opens a transfer whose command was not captured.
    if (r.code === 200) {
      const named = activeCommandOf(r.text);
      if (named !== null || /active data connection/i.test(r.text)) {
        this.halfAnnounce(named ?? 'active', r.frame, r.at, named !== null, false, false, r);
        return;
      }
    }
    // The server's side alone (no command captured): its login replies still say how it went.
    if (this.commands === 0 && (r.code === 331 || r.code === 332)) {
      this.loginAsked = true;
      return;
    }
    if (this.commands === 0 && r.code === 230) {
      this.loggedIn(r);
      return;
    }
    if (this.commands === 0 && r.code === 530 && this.loginAsked && this.login !== 'success') {
      this.loginFailed(r);
      return;
    }
    // REST's reply names the offset (vsftpd "350 Restart position accepted (1000).", pyftpdlib
    // "350 Restarting at position 1000."): the next transfer starts there.
    if (r.code === 350) {
      const m = /(\d+)\D*$/.exec(r.text);
      const n = m ? Number(m[1]) : NaN;
      if (Number.isSafeInteger(n)) this.restOffset = n;
      return;
    }
    // The server acknowledging an ABOR after a transfer's 426 (vsftpd "226 ABOR successful.").
    if ((r.code === 225 || r.code === 226) && /\bABOR\b/i.test(r.text) && this.active && this.active.final?.code === 426) {
      if (this.active.abortFrame === null) this.active.abortFrame = r.frame;
      this.keepReply(this.active, r);
      return;
    }
    // The server's side alone: a refusal whose text answers only a transfer command (vsftpd's RETR
    // and STOR of a file it cannot open or create) is that transfer's final reply.
    const refused = this.commands === 0 && r.code >= 400 ? refusedTransferOf(r.text) : null;
    if (refused !== null) {
      this.transferReply(this.startTransfer('', '', refused, r.frame, r.at, false, true), r);
      return;
    }
    if ((r.code === 150 || r.code === 125) && this.pending.length === 0) {
      const t = this.startTransfer('', '', directionOf150(r.text), r.frame, r.at, false, true);
      this.transferReply(t, r);
      return;
    }
    if (this.unmatchedReplies.length < MAX_TRANSFER_REPLIES) this.unmatchedReplies.push(r);
  }

  private final(p: Pending, r: ReplyRec): void {
    if (p.transfer) {
      this.transferReply(p.transfer, r);
      return;
    }
    if (p.aborts) {
      this.keepReply(p.aborts, r);
      return;
    }
    if (p.announcement) {
      p.announcement.replyCode = r.code;
      p.announcement.replyFrame = r.frame;
      return;
    }
    switch (p.verb) {
      case 'USER':
        if (r.code === 230) this.loggedIn(r);
        else if (r.code >= 400) this.loginFailed(r);
        break;
      case 'PASS':
      case 'ACCT':
        if (r.code === 230 || r.code === 202) this.loggedIn(r);
        else if (r.code >= 400) this.loginFailed(r);
        break;
      case 'AUTH': {
        const mech = p.arg.trim().toUpperCase();
        if (TLS_MECHANISMS.has(mech)) {
          // RFC 4217 §4: 234 means the TLS handshake follows on this connection.
          if (r.code === 234) this.startTls(mech, r.frame);
        } else if (r.code === 334) this.pendingMechanism = mech;
        // RFC 2228 §4: 234 accepts a mechanism that needs no ADAT exchange; protected commands follow.
        else if (r.code === 234) this.protect(mech, r.frame);
        break;
      }
      case 'ADAT':
        // RFC 2228 §4: 235 ends the security data exchange; protected commands follow.
        if (r.code === 235) this.protect(this.pendingMechanism ?? 'ADAT', r.frame);
        break;
      case 'PASV':
      case 'EPSV':
      case 'LPSV':
        if (r.code === 227 || r.code === 228 || r.code === 229) {
          const rec = this.passiveReply(p.verb, r);
          if (rec && p.waiting) {
            rec.transfer = p.waiting;
            (p.waiting as { announcement: AnnouncementRec | null }).announcement = rec;
            this.open = null;
          }
        }
        break;
      case 'PWD':
      case 'XPWD':
        if (r.code === 257) {
          const m = /"((?:[^"]|"")*)"/.exec(r.text);
          if (m) this.cwd = m[1].replace(/""/g, '"');
        }
        break;
      case 'CWD':
      case 'XCWD':
        if (r.code === 250 || r.code === 200) this.cwd = p.arg.startsWith('/') ? posix.normalize(p.arg) : this.cwd !== null ? posix.join(this.cwd, p.arg) : null;
        break;
      case 'CDUP':
      case 'XCUP':
        if ((r.code === 250 || r.code === 200) && this.cwd !== null) this.cwd = posix.dirname(this.cwd);
        break;
      case 'SIZE':
        if (r.code === 213) {
          const n = Number(r.text.replace(/^213[ -]/, '').trim().split(/\s+/)[0]);
          const key = this.resolve(p.arg) ?? p.arg;
          const valid = Number.isSafeInteger(n) && n >= 0;
          // A file asked about again updates its size even when the cache is full.
          if (valid && (this.sizes.size < MAX_SIZE_CACHE || this.sizes.has(key))) this.sizes.set(key, n);
          else if (valid) this.droppedSizes++;
        }
        break;
      case 'REST':
        if (r.code !== 350) this.restOffset = 0;
        break;
      default:
        break;
    }
  }

  /** TLS records follow on the control connection (AUTH TLS accepted, or implicit FTPS). */
  startTls(mechanism: string, frame: number): void {
    this.protect(mechanism, frame);
    this.encrypted = true;
    this.tlsStartCount++;
  }

  /** Cleartext resumed after TLS at `frame` (CCC, or the TLS session closed). */
  clearAgain(frame: number): void {
    if (!this.encrypted) return;
    this.encrypted = false;
    this.clearAgainFrame ??= frame;
  }

  private protect(mechanism: string, frame: number): void {
    if (this.tls) return;
    this.tls = true;
    this.tlsFrame = frame;
    this.mechanism = mechanism;
  }

  private loggedIn(r: ReplyRec): void {
    this.login = 'success';
    this.loginFrame = r.frame;
    this.noteLoginReply(r);
  }

  private noteLoginReply(r: ReplyRec): void {
    this.loginAttemptCount++;
    if (this.loginAttempts.length < MAX_TRANSFER_REPLIES) this.loginAttempts.push({ user: this.pendingUser, frame: r.frame, code: r.code });
    else this.droppedReplies++;
  }

  /** Malformed announcements are kept like unmatched replies (the first MAX_TRANSFER_REPLIES, cut
   * to MAX_TIMELINE_TEXT_CHARS), counted beyond: 100,000 `PORT garbage` lines must not keep 100,000 lines. */
  private noteBad(frame: number, text: string): void {
    this.badAnnouncementCount++;
    if (this.badAnnouncements.length < MAX_TRANSFER_REPLIES) this.badAnnouncements.push({ frame, text: detach(text, MAX_TIMELINE_TEXT_CHARS) });
  }

  private loginFailed(r: ReplyRec): void {
    // 530 after USER or PASS; 421 "too many" closes the session; other 4xx/5xx as well.
    if (this.login !== 'success') this.login = 'failed';
    this.failedLogins++;
    this.loginFrame = r.frame;
    this.noteLoginReply(r);
  }

  private passiveReply(verb: string, r: ReplyRec): AnnouncementRec | null {
    const a = r.code === 227 ? parse227(r.text) : r.code === 229 ? parse229(r.text) : parse228(r.text);
    if ('error' in a) {
      this.noteBad(r.frame, r.text);
      return null;
    }
    const rec = this.announce(a, verb, r.frame, r.at, r.code);
    if (rec) rec.replyFrame = r.frame;
    return rec;
  }

  private announce(a: Announcement, command: string, frame: number, at: Instant, replyCode: number | null): AnnouncementRec | null {
    if (this.announcements.length >= MAX_SESSION_ANNOUNCEMENTS) {
      this.droppedAnnouncements++;
      return null;
    }
    const rec: AnnouncementRec = { index: this.announcements.length, kind: a.kind, command, ip: a.ip, port: a.port, frame, at, replyCode, replyFrame: null, transfer: null };
    this.announcements.push(rec);
    this.open = rec;
    return rec;
  }

  private resolve(arg: string): string | null {
    if (arg === '') return this.cwd;
    if (arg.startsWith('/')) return posix.normalize(arg);
    return this.cwd !== null ? posix.join(this.cwd, arg) : null;
  }

  /** The latest PASV/EPSV/LPSV still waiting for its reply with no transfer bound to it yet. */
  private pendingPassive(): Pending | null {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const q = this.pending[i];
      if ((q.verb === 'PASV' || q.verb === 'EPSV' || q.verb === 'LPSV') && q.arg.toUpperCase() !== 'ALL') return q.waiting ? null : q;
      if (COMMANDS[q.verb]?.transfer) return null;
    }
    return null;
  }

  private halfAnnounce(kind: HalfAnnouncement['kind'], frame: number, at: Instant, named = true, refused = false, tried = false, r: ReplyRec | null = null): void {
    const reply = r === null ? null : { code: r.code, text: detach(r.text, MAX_TIMELINE_TEXT_CHARS) };
    if (this.halfAnnouncements.length < MAX_SESSION_ANNOUNCEMENTS) this.halfAnnouncements.push({ kind, named, frame, at, refused, tried, reply, commandBytes: r === null ? null : this.commandBytes, transfer: null, failure: null });
  }

  private startTransfer(verb: string, arg: string, direction: TransferDirection, frame: number, at: Instant, deferred = false, inferred = false): TransferRec {
    const path = inferred ? null : this.resolve(arg);
    const known = direction === 'download' ? (this.sizes.get(path ?? arg) ?? null) : null;
    const t: TransferRec = {
      verb,
      arg,
      path,
      direction,
      frame,
      at,
      announcement: deferred ? null : this.open,
      replies: [],
      expectedBytes: known !== null ? Math.max(0, known - this.restOffset) : null,
      restOffset: this.restOffset,
      abortFrame: null,
      final: null,
      inferred,
      nextCommandFrame: null,
    };
    const half = this.halfAnnouncements[this.halfAnnouncements.length - 1];
    if (half && half.transfer === null && !half.refused) half.transfer = t;
    if (!deferred) {
      if (this.open) this.open.transfer = t;
      // One announcement serves one transfer (RFC 959 §3.2: the data connection closes after it).
      this.open = null;
    }
    this.restOffset = 0;
    this.active = t;
    // Kept for the session's own use (tests read them); a transfer that matters to the report is
    // reached through its announcement. Bounded like the announcements: 100,000 RETRs of 8 KiB
    // names would otherwise keep 800 MB.
    if (this.transfers.length < MAX_SESSION_ANNOUNCEMENTS) this.transfers.push(t);
    return t;
  }

  /** A transfer's replies are its report's `replies`: past the bound counted, not listed (its final
   * reply is kept in `final` all the same). */
  private keepReply(t: TransferRec, r: ReplyRec): void {
    if (t.replies.length < MAX_TRANSFER_REPLIES) t.replies.push(r);
    else this.droppedReplies++;
  }

  private transferReply(t: TransferRec, r: ReplyRec): void {
    this.keepReply(t, r);
    if (r.code === 150 || r.code === 125) {
      const n = parseTransferSize(r.text);
      // After REST the 150 still announces the whole file (vsftpd "(1234 bytes)" for a RETR
      // resumed at 1000 that sends 234): what crosses is the size less the offset.
      if (n !== null && t.direction === 'download') t.expectedBytes = Math.max(0, n - t.restOffset);
    }
    if (r.code >= 200 && !t.final) t.final = r;
  }
}
