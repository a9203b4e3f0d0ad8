/**
 * Diagnosis (DESIGN.md §3): the outcome of each expected data connection, the firewall rule its
 * traffic needed, a sentence a network engineer can act on, and the session's findings.
 *
 * Outcome rules (`outcomeOf`, one function for every data connection, announced or not; each
 * failure needs frames that show it, DESIGN.md §3; the lab's captures of vsftpd, pyftpdlib and
 * curl are the evidence, test/ftp/diagnose.test.ts the table):
 *   no TCP connection: the initiator's side was captured → not-attempted; else → incomplete
 *   SYN answered by RST (REJ), or only the responder's RST captured, or an ICMP destination
 *     unreachable quoting the SYN → refused
 *   only the initiator's side captured, its only SYN given up before a retransmission was due
 *     (GaveUp: its next announcement, its control connection's end, the server's 425) → refused
 *   SYNs retried, no SYN-ACK and no ACK of one, no payload: the responder's side was captured
 *     (its absence means something) → no-answer; else → incomplete
 *   SYN-ACK captured, the initiator's SYN sent again after it, never acknowledged, no payload
 *     (the answers were lost on the way back: lostSynAcks) → incomplete (no-answer means no
 *     SYN-ACK, DESIGN.md §3), with a diagnosis that names the lost SYN-ACKs
 *   ABOR sent for the transfer               → aborted  (vsftpd: 426 then 226/225)
 *   no transfer command used it: still open → incomplete; reset → reset (no announcement) ;
 *     closed → completed (no announcement: judged from TCP alone) or unused
 *   final reply 4xx/5xx other than 426       → failed   (550 after the client connected, 451 ...)
 *   connected, then a RST, final reply not 2xx → reset (curl killed mid-RETR: RST, then 426)
 *   final reply 426                          → aborted
 *   no final reply, the replies not captured (client side only): the data connection closed, the
 *     receiver acknowledged the announced size (when one was announced), the client sent its
 *     next command and acknowledged server bytes on the control connection after the data
 *     connection ended (the final reply) → completed; else incomplete
 *   no final reply, connection still open    → incomplete
 *   no final reply, fewer bytes than announced by the sender's FIN or the receiver's ACKs
 *     → truncated (a killed server's FIN); else incomplete
 *   final reply 2xx, fewer bytes than announced and the receiver did not acknowledge them all
 *     → truncated
 *   final reply 2xx                          → completed (bytes the capture missed: capture-gap)
 */
import type { CaptureTime, ConnectionSummary, IcmpRejection } from '../tcp/index.js';
import { isPrivateAddress } from './announce.js';
import type { CapturePoint, DataMode, Endpoint, Finding, Initiator, Outcome, RejectedBy, Severity } from './model.js';
import { CAPTURE_POINT_MIN_SEC, CAPTURE_POINT_RATIO, SYN_FIRST_RETRY_SEC } from '../limits.js';
import type { Match } from './correlate.js';
import type { HalfAnnouncement, TransferRec } from './session.js';

/** Where the capture was taken, from a handshake's timing (ConnectionSummary.handshake): the side
 * that answers at once is the near one. Below the ratios the capture is in between, or too noisy. */
export function capturePointOf(h: { synToSynAck: number; synAckToAck: number } | null): CapturePoint {
  if (!h || h.synToSynAck <= 0 || h.synAckToAck <= 0) return 'unknown';
  if (Math.max(h.synToSynAck, h.synAckToAck) < CAPTURE_POINT_MIN_SEC) return 'unknown';
  const r = h.synToSynAck / h.synAckToAck;
  if (r >= CAPTURE_POINT_RATIO) return 'near-client';
  if (r <= 1 / CAPTURE_POINT_RATIO) return 'near-server';
  return 'unknown';
}

export interface DataFacts {
  /** Where the capture was taken (the session's control connection shows it). */
  readonly capturePoint: CapturePoint;
  readonly mode: DataMode;
  readonly initiator: Initiator;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Endpoint the initiator was told to connect to (announced; EPSV: control server address). */
  readonly target: Endpoint | null;
  readonly match: Match | null;
  readonly transfer: TransferRec | null;
  /** Payload bytes in the transfer's direction, and bytes the capture missed there. */
  readonly bytes: number | null;
  readonly missedBytes: number;
  /** Data bytes of the transfer's direction the receiver acknowledged (its FIN left out); null
   * when the receiver's ACKs were not captured. */
  readonly ackedBytes: number | null;
  readonly expectedBytes: number | null;
  /** Which side of the control connection the capture holds: its replies prove a transfer's end,
   * and the absence of a side's packets means something only where that side was captured. */
  readonly controlSeen: ControlSeen;
  /** Only the client's side of the control connection captured: when the client last acknowledged
   * new bytes of the server's there (a reply, the server's FIN); null otherwise. */
  readonly controlAckAt: CaptureTime | null;
  /** Only one half of the announcement was captured (its PASV command, the server's reply to a
   * PORT): it names no endpoint. */
  readonly half?: HalfAnnouncement | null;
  /** Only the initiator's side captured: the initiator gave up its only SYN before a
   * retransmission was due (GaveUp). */
  readonly gaveUp?: GaveUp | null;
}

/**
 * The initiator's own packets show its only SYN was answered, where the answer travels the way
 * the capture does not hold: it gave the attempt up before its first retransmission was due
 * (SYN_FIRST_RETRY_SEC), without a byte, an ACK or a RST of its own on the connection. A TCP stack
 * abandons a connect that fast only on an answer that refuses it (a reset; an ICMP destination
 * unreachable, RFC 1122 §4.2.3.9, which Linux applies to a SYN-SENT socket over IPv4); a drop
 * leaves the SYN waiting and then retransmitted. What shows it: the client's next announcement
 * or the end of its control connection (not after a transfer command, whose refusal could end
 * the attempt too), or the server's reply that it could not connect (pyftpdlib `425 Can't connect
 * to specified address.`).
 */
export interface GaveUp {
  readonly frame: number;
  /** Seconds after the SYN. */
  readonly after: number;
  /** What the frame is: "its EPSV", "the end of its control connection", "425 Can't connect ...". */
  readonly what: string;
}

/** When the control connection's client last acknowledged new bytes of the server's. */
export function controlAckOf(ctl: ConnectionSummary, client: Endpoint): CaptureTime | null {
  const clientIsOrig = ctl.orig.ip === client.ip && ctl.orig.port === client.port;
  return (clientIsOrig ? ctl.origSent : ctl.respSent).highestAckTime;
}

/** The client's side shows the server answered after the data connection ended: its control ACKs
 * advanced after it acknowledged the last of a download (its ACK of the server's FIN), or after
 * its FIN ending an upload. Servers send the final reply once the data connection closed (vsftpd,
 * pyftpdlib): a server killed mid-transfer closes the data connection like a finished one, but
 * replies nothing after it (its control FIN, if any, comes before). */
function repliedAfterEnd(f: DataFacts, c: ConnectionSummary): boolean {
  if (f.controlAckAt === null) return false;
  const mine = f.initiator === 'client' ? c.origSent : c.respSent;
  const end = (f.transfer?.direction === 'upload' ? mine.finTime : mine.highestAckTime) ?? { sec: c.endSec, nsec: c.endNsec };
  return f.controlAckAt.sec > end.sec || (f.controlAckAt.sec === end.sec && f.controlAckAt.nsec >= end.nsec);
}

/** The side of a connection the capture holds shows that the other one spoke. */
function otherSideShown(c: ConnectionSummary): boolean {
  return c.origSent.bytes > 0 || c.respSent.bytes > 0 || c.synAckFrame !== null || c.synAckProofFrame !== null || c.origSent.highestAck !== null || c.respSent.highestAck !== null;
}

/** The sides of a session's control connection the capture holds. */
export type ControlSeen = 'both' | 'client' | 'server';

/**
 * The sides of a control connection the capture holds. One side is missing only where the side
 * that was captured shows the other spoke: a byte, an acknowledgement, its SYN-ACK (or the
 * originator's ACK of one). SYNs nobody answered, or a RST alone, show nothing of the kind: the
 * other side may have sent nothing (a port where no server listens, a firewall that rejects or
 * drops), so such a connection counts as `both`, claiming no one-way capture.
 */
export function controlSeenOf(ctl: ConnectionSummary, client: Endpoint): ControlSeen {
  if (ctl.oneSided === null || !otherSideShown(ctl)) return 'both';
  const clientIsOrig = ctl.orig.ip === client.ip && ctl.orig.port === client.port;
  return (ctl.oneSided === 'orig') === clientIsOrig ? 'client' : 'server';
}

/** The data connection's responder's packets can be in this capture: the control connection
 * shows that side (the data connection runs between the same hosts, or the capture saw it). */
function responderCaptured(f: DataFacts): boolean {
  return f.controlSeen === 'both' || f.controlSeen !== f.initiator;
}

/**
 * The initiator's SYNs sent again after the capture saw the responder's SYN-ACK, when the
 * initiator never acknowledged one and nothing else crossed: the answers did not reach it (RFC 9293
 * §3.10.7.3: a SYN-SENT endpoint that gets the SYN-ACK acknowledges it; it retransmits its SYN only
 * while no SYN-ACK came). Their frames; empty when that is not what the capture shows.
 */
export function lostSynAcks(c: ConnectionSummary): readonly number[] {
  const sa = c.synAckFrame;
  if (sa === null || c.synFrame === null || c.synAckProofFrame !== null || c.establishedFrame !== null) return [];
  if (c.origSent.bytes > 0 || c.respSent.bytes > 0 || hadReset(c) || c.origSent.highestAck !== null) return [];
  return c.synRetransmitFrames.filter((x) => x > sa);
}

function hadReset(c: ConnectionSummary): boolean {
  return c.origSent.rstFrame !== null || c.respSent.rstFrame !== null;
}

/** An ICMP destination unreachable quoted the connection before any SYN-ACK: the SYN was
 * rejected on its way (nftables/iptables `reject`, a router without a route). */
function rejectedSyn(c: ConnectionSummary): boolean {
  return c.rejection !== null && c.synAckFrame === null && !c.midStream;
}

/**
 * The connection attempt was refused by an answer the capture holds: its SYN answered by a RST
 * (REJ), or by an ICMP destination unreachable quoting it, or the responder's RST alone before any
 * byte (the answer to a SYN the capture lacks). Data and control connections alike.
 */
export function refusedAtOnce(c: ConnectionSummary): boolean {
  if (c.state === 'REJ' || rejectedSyn(c)) return true;
  return c.midStream && c.oneSided === 'resp' && c.respSent.rstFrame !== null && c.respSent.finFrame === null && c.respSent.bytes === 0;
}

/** The report's view of a connection's ICMP rejection. */
export function rejectedByOf(r: IcmpRejection): RejectedBy {
  const words = r.text.replace(/^ICMP(v6)? /, '');
  return { ip: r.from, protocol: r.version === 6 ? 'icmpv6' : 'icmp', type: r.type, code: r.code, reason: words, frame: r.frame };
}

/** ICMP codes that say a filter rejected the packet: ICMP 9, 10, 13 (RFC 1812 §5.2.7.1),
 * ICMPv6 1, 5, 6 (RFC 4443 §3.1). */
function prohibited(r: IcmpRejection): boolean {
  return r.version === 4 ? r.code === 9 || r.code === 10 || r.code === 13 : r.code === 1 || r.code === 5 || r.code === 6;
}

/** ICMP port unreachable (code 3) / ICMPv6 port unreachable (code 4). */
function portUnreachable(r: IcmpRejection): boolean {
  return r.version === 4 ? r.code === 3 : r.code === 4;
}

export function outcomeOf(f: DataFacts): Outcome {
  const c = f.match?.conn ?? null;
  if (!c) return f.controlSeen === 'both' || f.controlSeen === f.initiator ? 'not-attempted' : 'incomplete';
  if (refusedAtOnce(c)) return 'refused';
  if (c.synFrame !== null && c.synAckFrame === null && c.synAckProofFrame === null && c.origSent.bytes === 0 && c.respSent.bytes === 0 && !c.respSent.seen) {
    // Only the initiator's SYNs: a drop is shown when they were retried and the responder's side
    // of the network is in the capture; otherwise the capture cannot tell.
    if (c.synRetransmits > 0 && responderCaptured(f)) return 'no-answer';
    return f.gaveUp ? 'refused' : 'incomplete';
  }
  const t = f.transfer;
  const final = t?.final ?? null;
  if (t && t.abortFrame !== null) return 'aborted';
  // A FIN shows the transfer's end (FTP data connections close once, after the transfer): the
  // other side's FIN may be one the capture missed (its peer's ACK covering it is then all there is).
  const ended = c.origSent.finFrame !== null || c.respSent.finFrame !== null;
  const open = !ended && !hadReset(c);
  if (!t) {
    if (open) return 'incomplete';
    // No announcement could be read (after AUTH TLS): the connection is all there is to judge.
    if (f.mode === 'unknown') return hadReset(c) ? 'reset' : 'completed';
    return 'unused';
  }
  // A refusal by the server (550 missing file, 552, 451...) explains the transfer whatever the
  // data connection did afterwards (ftplib connected before RETR, then both sides closed).
  if (final && final.code >= 400 && final.code !== 426) return 'failed';
  if (hadReset(c) && (!final || final.code >= 300)) return 'reset';
  if (final && final.code === 426) return 'aborted';
  const exp = f.expectedBytes;
  // Delivered, by the receiver's own word: its ACKs cover the announced size.
  const ackedAll = exp !== null && f.ackedBytes !== null && f.ackedBytes >= exp;
  // Short by evidence: the sender's stream (sequence space, capture gaps included) ends before the
  // announced size, or (the sender's side not captured) the receiver's ACKs stop short of it once
  // the connection ended. A receiver's missing ACK where the sender was captured is capture loss.
  const senderSeen = c.oneSided === null || c.oneSided === senderSide(f);
  const short = !ackedAll && exp !== null && (senderSeen ? f.bytes !== null && f.bytes < exp : f.ackedBytes !== null && f.ackedBytes < exp && ended);
  if (!final) {
    // The replies were not captured: the client's own packets must show the transfer through, with
    // at least one byte (a 550 after an empty connection is not a completed transfer).
    if (f.controlSeen === 'client') return ended && (exp === null ? (f.ackedBytes ?? f.bytes ?? 0) > 0 : ackedAll) && t.nextCommandFrame !== null && repliedAfterEnd(f, c) ? 'completed' : 'incomplete';
    if (open) return 'incomplete';
    return short ? 'truncated' : 'incomplete';
  }
  // The final 2xx says the transfer completed; byte counts are in sequence space, so bytes the
  // capture missed (a snap length, a lossy tap) still count as sent: that is a capture-gap finding,
  // not a truncated transfer. Fewer bytes than announced is truncated when the ends show it.
  if (short) return 'truncated';
  return 'completed';
}

/** The TCP direction (orig or resp) that carries the transfer's bytes. */
function senderSide(f: DataFacts): 'orig' | 'resp' {
  const serverSends = f.transfer?.direction !== 'upload';
  return (f.initiator === 'server') === serverSends ? 'orig' : 'resp';
}

/** "server 198.51.100.5:20 -> client 192.0.2.10:50123 (inbound to client)": what a firewall rule
 * had to allow for this data connection, from what was observed (or expected). */
export function firewallRule(f: DataFacts, withRejection = true): string {
  const c = f.match?.conn ?? null;
  const ep = (e: Endpoint | null, fallbackIp: string) => (e ? `${fmt(e.ip)}:${e.port}` : `${fmt(fallbackIp)}:*`);
  if (f.initiator === 'server') {
    const from = c ? c.orig : null;
    const to = c ? c.resp : f.target;
    return `server ${ep(from, f.server.ip)} -> client ${ep(to, f.client.ip)} (inbound to client${withRejection ? rejectedBy(c) : ''})`;
  }
  const from = c ? c.orig : null;
  const to = c ? c.resp : f.target;
  return `client ${ep(from, f.client.ip)} -> server ${ep(to, f.server.ip)} (inbound to server${withRejection ? rejectedBy(c) : ''})`;
}

/** ", rejected by 192.0.2.1 with ICMP port unreachable" for a connection an ICMP message rejected. */
function rejectedBy(c: ConnectionSummary | null): string {
  const r = c?.rejection ?? null;
  return r === null ? '' : `, rejected by ${fmt(r.from)} with ${r.text}`;
}

const fmt = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

function seconds(c: ConnectionSummary): string {
  const d = c.endSec - c.startSec + (c.endNsec - c.startNsec) / 1e9;
  return `${d.toFixed(1)} s`;
}

/** "0.4 ms", "120 ms", "0.8 s": a short interval as a reader takes it in. */
function duration(sec: number): string {
  if (sec < 0.01) return `${(sec * 1000).toFixed(1)} ms`;
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  return `${sec.toFixed(1)} s`;
}

export function diagnosis(f: DataFacts, outcome: Outcome): string {
  const c = f.match?.conn ?? null;
  const who = f.initiator;
  const other = who === 'server' ? 'client' : 'server';
  const target = c ? c.resp : f.target;
  const tgt = target ? `${fmt(target.ip)}:${target.port}` : 'the announced port';
  const t = f.transfer;
  const what = t ? (t.inferred ? 'a transfer whose command was not captured' : `${t.verb}${t.arg ? ` ${t.arg}` : ''}`) : 'no transfer command';
  const final = t?.final ? ` The server replied ${t.final.code}.` : '';
  const fallback = !f.match?.usedFallback
    ? ''
    : who === 'server'
      ? ` The server connected to the control connection's client address at the announced port, not to the announced address (a NAT rewrote the addresses but not the ${f.mode === 'extended-active' ? 'EPRT' : f.mode === 'long-active' ? 'LPRT' : 'PORT'} payload).`
      : ` The client ignored the announced address and connected to the control connection's server address instead.`;
  switch (outcome) {
    case 'completed':
      return `The ${who} connected to ${tgt} and the ${t?.direction ?? 'transfer'} (${what}) completed${f.bytes !== null ? ` with ${f.bytes} bytes` : ''}.${fallback}`;
    case 'no-answer': {
      const syns = c ? 1 + c.synRetransmits : 0;
      const tip = target?.ip ?? '';
      let blame: string;
      if (who === 'client' && tip !== '' && tip !== f.server.ip) {
        blame = `the 227 announced ${fmt(tip)}, which is not the server the client talks to (${fmt(f.server.ip)}): the server is behind NAT without its public address configured (vsftpd pasv_address, proftpd MasqueradeAddress, pure-ftpd -P), or the client should ignore the 227 address (curl --ftp-skip-pasv-ip, lftp ftp:ignore-pasv-address)`;
      } else if (who === 'server' && tip !== '' && tip !== f.client.ip && isPrivateAddress(tip)) {
        blame = `the PORT announced the private address ${fmt(tip)}, not the client's address as the server sees it (${fmt(f.client.ip)}): the client is behind NAT without an FTP-aware gateway (nf_conntrack_ftp, an ALG); use passive mode`;
      } else if (who === 'server') {
        blame = `a firewall or NAT in front of the client drops inbound connections to the port the client announced; allow ${firewallRule(f)}, or use passive mode`;
      } else {
        blame = `a firewall in front of the server drops its passive port range; allow ${firewallRule(f)}`;
      }
      return `The ${who}'s ${syns} SYN${syns === 1 ? '' : 's'} to ${tgt} got no answer over ${c ? seconds(c) : '?'}: ${blame}.${where(f, 'syn')}${final}`;
    }
    case 'refused':
      if (c?.rejection) return rejectedText(f, c.rejection, tgt) + final;
      if (f.gaveUp) {
        const g = f.gaveUp;
        return `The ${who} sent one SYN to ${tgt} and gave it up ${duration(g.after)} later (frame ${g.frame}: ${g.what}), before its first retransmission was due (${SYN_FIRST_RETRY_SEC} s, RFC 6298): an answer refused it, a TCP reset or an ICMP destination unreachable, which travels toward the ${who} and is not in this capture (it holds only the ${who}'s side); check the ${other} side's firewall for ${firewallRule(f)}.`;
      }
      return `The ${who}'s SYN to ${tgt} was answered with a TCP reset: nothing listened there, or a firewall rejects the connection; check the ${other} side's firewall for ${firewallRule(f)}.${final}`;
    case 'not-attempted':
      if (f.half) return halfNotAttempted(f, f.half);
      return `The ${other} announced ${tgt} but no connection to it appears in the capture: the ${who} never tried (it gave up, or connected elsewhere), or this capture point cannot see that path${t?.final && t.final.code === 425 ? ' (the server replied 425: it could not open the data connection)' : ''}.${where(f, 'none')}${final}`;
    case 'reset':
      return `The data connection for ${what} was reset before the transfer finished${f.bytes !== null ? ` after ${f.bytes}${f.expectedBytes !== null ? ` of ${f.expectedBytes}` : ''} bytes` : ''}: one end closed abruptly (a killed process, a timeout, or a firewall that resets idle or long flows).${final}`;
    case 'aborted':
      return `The transfer (${what}) was aborted${t?.abortFrame !== null && t?.abortFrame !== undefined ? ' by the client (ABOR)' : ' as the server reported (426)'}${f.bytes !== null ? ` after ${f.bytes}${f.expectedBytes !== null ? ` of ${f.expectedBytes}` : ''} bytes` : ''}.${final}`;
    case 'truncated':
      return c && c.oneSided !== null && c.oneSided !== senderSide(f) && f.ackedBytes !== null && f.expectedBytes !== null
        ? `The receiver acknowledged ${f.ackedBytes} bytes of the data connection for ${what}, fewer than the ${f.expectedBytes} announced: the transfer stopped early (the capture holds only the receiver's side).${final}`
        : `The data connection for ${what} closed normally after ${f.bytes} bytes, fewer than the ${f.expectedBytes} announced: the sender stopped early (a killed or failing server or client).${final}`;
    case 'failed':
      return `The server refused or failed the transfer (${what}): ${t?.final ? `${t.final.code} ${firstLine(t.final.text)}` : 'no final reply'}. The data connection itself was not the problem.`;
    case 'unused':
      return `The ${who} opened the data connection to ${tgt} but no transfer used it (the client gave up after a reply to another command).`;
    case 'incomplete': {
      const lost = c ? lostSynAcks(c) : [];
      if (c && lost.length > 0) {
        return `The ${other} answered the ${who}'s SYN to ${tgt} (SYN-ACK, frame ${c.synAckFrame}), but the ${who} sent its SYN again after it (frame${lost.length === 1 ? '' : 's'} ${lost.join(', ')}) and never acknowledged one: the SYN-ACKs did not reach the ${who}, and the connection was never made. A firewall or route on the way back drops them (asymmetric routing, a stateful firewall that did not see the SYN); the ${other}'s SYN-ACKs from ${fmt(c.resp.ip)}:${c.resp.port} to ${fmt(c.orig.ip)}:${c.orig.port} must be let through.${final}`;
      }
      if (c && c.synFrame !== null && c.synAckFrame === null && c.synAckProofFrame === null && !c.respSent.seen)
        return `The ${who}'s SYN${c.synRetransmits > 0 ? 's' : ''} to ${tgt} got no answer in this capture, but it cannot show a drop: ${c.synRetransmits === 0 ? 'a single SYN, with nothing after it' : `the ${other}'s side of the network is not in the capture`}.`;
      if (!c && f.controlSeen !== 'both') return `Only the ${f.controlSeen}'s side of this session was captured: the ${who}'s packets are not in it, so it cannot show whether the ${who} connected to ${tgt}.`;
      if (c && t && !t.final && f.controlSeen === 'client' && (c.origSent.finFrame !== null || c.respSent.finFrame !== null) && !repliedAfterEnd(f, c))
        return `The capture holds only the client's side of this session: the data connection for ${what} closed, but the client acknowledged nothing the server sent on the control connection after that, so no final reply came (the server may have stopped mid-transfer); the announced size is not in the capture.`;
      if (f.controlSeen !== 'both') return `The capture holds only the ${f.controlSeen}'s side of this session and it does not show how the data connection for ${what} ended.`;
      return `The capture ends while the data connection or its transfer (${what}) is still open.`;
    }
  }
}

/** The diagnosis of an announcement of which the capture holds one half, the initiator's side,
 * with no connection after it (frames: the half's). */
function halfNotAttempted(f: DataFacts, h: HalfAnnouncement): string {
  const said = h.reply ? ` (frame ${h.frame}: ${h.reply.code} ${firstLine(h.reply.text)})` : ` (frame ${h.frame})`;
  if (f.initiator === 'client') {
    return `The client sent ${HALF_COMMAND[h.kind]}${said} but no SYN from it follows, to any address: the capture holds the client's side of this session, so the client never connected (it gave up, or the server refused ${HALF_COMMAND[h.kind]}: its replies are not in the capture).`;
  }
  if (h.refused) return `The server refused the client's active-mode command${said}: no data connection followed. Its command is not in the capture (only the server's side is).`;
  if (h.tried) return `The server's reply${said} says it tried to connect to the client and failed, but none of its SYNs appears in the capture, which holds the server's side of this session: this capture point does not see the path it used (or it connected to another address).`;
  return `The server accepted an active-mode command${said} but no SYN from it follows, to any address: the capture holds the server's side of this session, so the server never connected.`;
}

/** The command a half announcement's mode stands for. */
export const HALF_COMMAND: Readonly<Record<HalfAnnouncement['kind'], string>> = { active: 'PORT', 'extended-active': 'EPRT', 'long-active': 'LPRT', passive: 'PASV', 'extended-passive': 'EPSV', 'long-passive': 'LPSV' };

/** The diagnosis of a SYN an ICMP destination unreachable rejected: who sent it, the code in
 * words, and what that code means for the firewall rule. */
function rejectedText(f: DataFacts, r: IcmpRejection, tgt: string): string {
  const who = f.initiator;
  const other = who === 'server' ? 'client' : 'server';
  const c = f.match?.conn ?? null;
  const syns = c ? 1 + c.synRetransmits : 1;
  const self = c !== null && r.from === c.resp.ip;
  const tries = syns === 1 ? '' : ` (it sent ${syns} SYNs in all)`;
  return `The ${who}'s SYN to ${tgt} was rejected by ${fmt(r.from)} with ${r.text} (frame ${r.frame})${tries}: ${rejectionCause(r, self, other, firewallRule(f, false), tgt)}.`;
}

/** What an ICMP rejection of a SYN to `tgt` says about its cause; `self`: the target's own host
 * sent it; `rule`: the traffic to allow, as firewallRule words it. */
function rejectionCause(r: IcmpRejection, self: boolean, other: 'client' | 'server', rule: string, tgt: string): string {
  if (prohibited(r)) {
    return self
      ? `the ${other}'s own firewall rejects it (administratively prohibited); allow ${rule} there`
      : `a firewall at ${fmt(r.from)} rejects it (administratively prohibited: nftables \`reject with icmpx admin-prohibited\`, iptables \`REJECT --reject-with icmp-admin-prohibited\`); allow ${rule} there`;
  }
  if (portUnreachable(r)) {
    return self
      ? `nothing listens on that port at the ${other}, or its host firewall rejects it`
      : `a firewall at ${fmt(r.from)} rejects it (port unreachable is the default of nftables \`reject\` and iptables \`REJECT\`); allow ${rule} there`;
  }
  return `${fmt(r.from)} could not deliver it (no route, or no answer from the address): check the routing towards ${tgt}`;
}

/**
 * The control-refused finding's sentence: the client's connection to the FTP server was refused
 * (refusedAtOnce), by the server's RST or by an ICMP rejection; `syns`: the SYNs the client sent.
 */
export function controlRefusedMessage(f: { client: Endpoint; server: Endpoint; rejection: IcmpRejection | null; syns: number }): string {
  const tgt = `${fmt(f.server.ip)}:${f.server.port}`;
  const tries = f.syns > 1 ? ` (it sent ${f.syns} SYNs in all)` : '';
  const rule = `client ${f.client.ip} -> server ${tgt}`;
  if (f.rejection !== null) {
    const r = f.rejection;
    return `The client's control connection to ${tgt} was rejected by ${fmt(r.from)} with ${r.text} (frame ${r.frame})${tries}: ${rejectionCause(r, r.from === f.server.ip, 'server', rule, tgt)}. No FTP session took place.`;
  }
  return `The client's control connection to ${tgt} was answered with a TCP reset${tries}: no FTP server listens on that port, or a firewall rejects the connection (allow ${rule}). No FTP session took place.`;
}

/** What the capture point says about where SYNs were lost (empty when it is unknown). */
function where(f: DataFacts, seen: 'syn' | 'none'): string {
  const cp = f.capturePoint;
  if (cp === 'unknown') return '';
  const near = cp === 'near-client' ? 'client' : 'server';
  const initiatorSide = f.initiator === near;
  if (seen === 'syn') {
    return initiatorSide
      ? ` This capture was taken near the ${near}: the SYNs left the ${near} and were lost on the way to the ${near === 'client' ? 'server' : 'client'} or dropped there.`
      : ` This capture was taken near the ${near}: the SYNs reached the ${near}'s side of the network, so they were dropped there (its host firewall, or the last hop before it).`;
  }
  return initiatorSide
    ? ` This capture was taken near the ${near}, which never sent a SYN for it.`
    : ` This capture was taken near the ${near}: if the ${f.initiator} did try, its SYNs were dropped before reaching this side (or went to another address, e.g. an internal one behind NAT).`;
}

export function firstLine(text: string): string {
  const l = text.split('\n')[0];
  return l.replace(/^\d{3}[ -]/, '');
}

export function finding(code: Finding['code'], severity: Severity, message: string, frames: readonly (number | null | undefined)[], dataConnection?: number): Finding {
  const fr = frameList(frames);
  return dataConnection === undefined ? { code, severity, message, frames: fr } : { code, severity, message, frames: fr, dataConnection };
}

/** The frame numbers among `frames` (nulls and non-positive left out), ascending, each once. One
 * array per finding, written by index: this runs for every finding of every session. */
function frameList(frames: readonly (number | null | undefined)[]): number[] {
  const fr: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const x = frames[i];
    if (typeof x === 'number' && x > 0) fr.push(x);
  }
  if (fr.length < 2) return fr;
  fr.sort((a, b) => a - b);
  let n = 1;
  for (let i = 1; i < fr.length; i++) if (fr[i] !== fr[n - 1]) fr[n++] = fr[i];
  fr.length = n;
  return fr;
}

/** The finding each failed outcome raises (DESIGN.md §3); completed, unused and incomplete raise none. */
const OUTCOME_FINDINGS: Partial<Record<Outcome, { code: Finding['code']; severity: Severity }>> = {
  'no-answer': { code: 'data-no-answer', severity: 'error' },
  refused: { code: 'data-refused', severity: 'error' },
  'not-attempted': { code: 'data-not-attempted', severity: 'warning' },
  reset: { code: 'data-reset', severity: 'error' },
  aborted: { code: 'transfer-aborted', severity: 'warning' },
  truncated: { code: 'transfer-truncated', severity: 'error' },
  failed: { code: 'transfer-failed', severity: 'warning' },
};

/** The finding for a data connection's outcome, or null. */
export function outcomeFinding(outcome: Outcome, id: number, text: string, frames: (number | null)[]): Finding | null {
  const f = OUTCOME_FINDINGS[outcome];
  return f ? finding(f.code, f.severity, text, frames, id) : null;
}

/**
 * The control-encrypted finding's sentence: which protection (AUTH TLS/SSL, implicit TLS, an RFC
 * 2228 mechanism), and whether the channel came back to cleartext (CCC) and was read again.
 */
export function encryptedMessage(f: { mechanism: string | null; clearAgainFrame: number | null; protectedCommands: number }): string {
  const m = f.mechanism ?? 'TLS';
  const lost = 'so commands, replies and announcements cannot be read; data connections are reported without their announcements';
  if (m === 'implicit TLS') {
    const back = f.clearAgainFrame !== null ? ` The TLS session ended and the dialogue went on in clear text from frame ${f.clearAgainFrame}: read again from there.` : '';
    return `The control connection started with a TLS handshake (implicit FTPS): it is encrypted from its first byte, ${lost}.${back}`;
  }
  if (TLS_AUTH.has(m)) {
    if (f.clearAgainFrame !== null) return `AUTH ${m} was accepted, then the control channel returned to clear text at frame ${f.clearAgainFrame} (CCC, RFC 4217 §6, or a TLS session closed while the dialogue went on): what was sent under TLS cannot be read, what followed is read again.`;
    return `AUTH ${m} was accepted: the control channel is encrypted from here on, ${lost}.`;
  }
  const n = f.protectedCommands;
  const which = m === 'ENC/MIC/CONF' ? 'RFC 2228 protected commands (ENC/MIC/CONF) were sent' : `AUTH ${m} was accepted (RFC 2228)`;
  return `${which}: ${n > 0 ? `${n} command${n === 1 ? ' was' : 's were'} sent integrity-protected or encrypted (ENC/MIC/CONF), ` : 'commands may be sent protected (ENC/MIC/CONF) from here on, '}${lost}.`;
}

const TLS_AUTH = new Set(['TLS', 'SSL', 'TLS-C', 'TLS-P']);
