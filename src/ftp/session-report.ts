/**
 * A finalized session's report (docs/design.md §2.4 and §3): from its control channel as parsed,
 * its control connection, its expectations and the connections correlation gave it
 * (correlate.ts), the SessionReport — one DataConnectionReport per announcement then per leftover
 * connection, each with its outcome and diagnosis (diagnose.ts), the session's findings
 * (findings.ts), the mode, the login, the timeline.
 *
 * Contract: `sessionReport` is a function of its inputs and the options in ReportContext; the
 * only state it touches is the transferred-file accounting (`files`, payload.ts), which hands each
 * data connection's followed bytes over once. The report's `id` is 0: the analyzer numbers reports
 * as they leave, in the order they leave.
 */
import type { CaptureTime, ConnectionSummary, DirectionSummary } from '../tcp/index.js';
import { isoTimeNs } from '../tcp/index.js';
import { CORRELATE_BEFORE_SEC, MAX_REPORT_FIELD_CHARS, MESSAGE_USER_CHARS, SYN_FIRST_RETRY_SEC } from '../limits.js';
import { halfPairs, isActiveKind, startOf, type Expectation, type Match } from './correlate.js';
import { controlAckOf, HALF_COMMAND, refusedAtOnce, rejectedByOf, diagnosis, firewallRule, firstLine, outcomeFinding, outcomeOf, type ControlSeen, type DataFacts, type GaveUp } from './diagnose.js';
import { isPrivateAddress } from './announce.js';
import type { CapturePoint, DataConnectionReport, DataMode, Endpoint, Finding, Instant, SessionMode, SessionReport, SessionTimeline, TcpEvent, TimelineEntry } from './model.js';
import { halfModeOf, type FtpSession, type HalfAnnouncement, type TimelineLog, type TransferRec } from './session.js';
import { detach, redactCommand, REDACTED } from './commands.js';
import { dataFilter, sessionFilter } from './wireshark.js';
import { sessionFindings, type SessionFinding } from './findings.js';
import type { TransferFiles } from './payload.js';

export interface ReportContext {
  readonly showPasswords: boolean;
  /** Include the TCP event times of each data connection (`tcp.events`). */
  readonly timeline: boolean;
  /** `--hash`/`--extract`/`--listings`: each transfer's `file`; null when bytes are not followed. */
  readonly files: TransferFiles | null;
}

/** What the report reads of a finalized session. */
export interface FinalizedSession {
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly capturePoint: CapturePoint;
  /** The sides of the control connection the capture holds. */
  readonly controlSeen: ControlSeen;
  readonly session: FtpSession;
}

type Observed = Finding | SessionFinding;

/**
 * The report of session `s`: `matches` are its expectations' connections, `leftovers` the
 * connections between its hosts no announcement explains. `folded` counts the findings left out
 * past MAX_FINDINGS_PER_CODE.
 */
export function sessionReport(ctx: ReportContext, s: FinalizedSession, ctl: ConnectionSummary, expectations: readonly Expectation[], matches: ReadonlyMap<Expectation, Match>, leftovers: readonly ConnectionSummary[], strays: readonly ConnectionSummary[] = []): { report: SessionReport; folded: number } {
const f = s.session;
const findings: Observed[] = [];
  const data: DataConnectionReport[] = [];

  for (const e of expectations) {
    const m = matches.get(e) ?? null;
    const a = e.announcement;
    // What was said: EPSV names no address (the control connection's server address is meant).
    const ip = a.ip ?? (isActiveKind(a.kind) ? s.client.ip : s.server.ip);
    data.push(dataReport(ctx, data.length + 1, a.kind, e.initiator, s, ctl, e.target, m, a.transfer, { command: a.command, ip, port: a.port, frame: a.frame, replyCode: a.replyCode }, findings));
    if (!isActiveKind(a.kind) && ip !== s.server.ip) {
      findings.push({ fact: { code: 'pasv-address-mismatch', replyCode: a.replyCode, ip, port: a.port, serverIp: s.server.ip, usedFallback: m?.usedFallback === true }, frames: [a.frame], dataConnection: data.length });
    }
    if (isActiveKind(a.kind) && ip !== s.client.ip) {
      const bounce = ip !== s.server.ip && !isPrivateAddress(ip);
      const usedFallback = m?.usedFallback === true;
      findings.push({ fact: { code: 'port-address-mismatch', command: a.command, ip, port: a.port, clientIp: s.client.ip, bounce, usedFallback }, frames: [a.frame, usedFallback ? m?.conn.synFrame : null], dataConnection: data.length });
      if (bounce) findings.push({ fact: { code: 'ftp-bounce', command: a.command, ip, port: a.port, replyCode: a.replyCode }, frames: [a.frame], dataConnection: data.length });
    }
    if (a.port < 1024) findings.push({ fact: { code: 'privileged-data-port', command: a.command, port: a.port }, frames: [a.frame], dataConnection: data.length });
  }

  // One side of the control connection captured: the other half of each announcement (the
  // 227/229 reply, or the PORT/EPRT command) is missing, and with it the endpoint; the half that
  // was captured still gives the mode and the transfer of the next connection its initiator opens.
  const { halves, used: usedHalves, of } = halvesOf(s, leftovers);
  for (const [i, c] of leftovers.entries()) {
    const initiator = c.orig.ip === s.server.ip ? 'server' : 'client';
    const half = of[i];
    const d = dataReport(ctx, data.length + 1, half ? halfModeOf(half, c.ipVersion, c.resp) : 'unknown', initiator, s, ctl, null, { conn: c, usedFallback: false, retries: 0 }, half?.transfer ?? null, null, findings);
    data.push(d);
    if (half) continue;
    if (!f.tls) findings.push({ fact: { code: 'unmatched-data-connection', from: c.orig, to: c.resp }, frames: [c.synFrame ?? c.firstFrame], dataConnection: d.id });
  }
  // The half announcements left: the initiator's connection to a third address (halfPairs), or
  // none — `not-attempted` where the initiator's side is the one captured (outcomeOf).
  for (const { half, conn } of halfPairs(halves, usedHalves, strays)) {
    const initiator = isActiveKind(half.kind) ? 'server' : 'client';
    // A refusal naming the address the command gave (pyftpdlib "501 Rejected data connection to
    // foreign address 203.0.113.99:25.") measures the command as the connection would.
    const foreign = half.refused && half.reply ? foreignAddressOf(half.reply.text) : null;
    const mode = halfModeOf(half, conn?.ipVersion ?? ctl.ipVersion, conn?.resp ?? foreign);
    data.push(dataReport(ctx, data.length + 1, mode, initiator, s, ctl, null, conn ? { conn, usedFallback: false, retries: 0 } : null, half.refused ? null : half.transfer, null, findings, half));
    // The server connected to a third host right after an active-mode command, or refused one
    // naming it: an RFC 2577 bounce.
    const command = half.named ? HALF_COMMAND[half.kind] : mode === 'active' || mode === 'extended-active' ? HALF_COMMAND[mode] : 'PORT/EPRT';
    if (conn && initiator === 'server' && conn.resp.ip !== s.server.ip && !isPrivateAddress(conn.resp.ip)) {
      findings.push({ fact: { code: 'ftp-bounce', command, ip: conn.resp.ip, port: conn.resp.port, replyCode: half.reply?.code ?? null }, frames: [half.frame, conn.synFrame ?? conn.firstFrame], dataConnection: data.length });
    } else if (foreign && foreign.ip !== s.client.ip && foreign.ip !== s.server.ip) {
      findings.push({ fact: { code: 'ftp-bounce', command, ip: foreign.ip, port: foreign.port, replyCode: half.reply?.code ?? null }, frames: [half.frame], dataConnection: data.length });
    }
  }

  // Active-mode source port: state it, since firewall rules for "port 20" depend on it.
  const active = data.filter((d) => d.initiator === 'server' && d.from);
  if (active.length) {
    const from20 = active.filter((d) => d.from?.port === 20).length;
    const ports = [...new Set(active.map((d) => d.from?.port ?? 0))];
    findings.push({ fact: { code: 'active-source-port', active: active.length, from20, ports }, frames: active.map((d) => d.tcp?.synFrame ?? null) });
  }
  // An anonymous "password" is an e-mail address by convention (RFC 1635), not a secret.
  // Messages quote the user name shortened: a hostile 8 KiB name must not be copied into every finding.
  const who = clip(f.user ?? '', MESSAGE_USER_CHARS);
  if (f.password !== null && !f.tls && !isAnonymous(f.user)) findings.push({ fact: { code: 'cleartext-credentials', user: who }, frames: [f.passwordFrame] });
  if (f.failedLogins > 0) findings.push({ fact: { code: 'login-failed', failures: f.failedLogins, user: f.user ? who : null }, frames: f.loginAttempts.filter((x) => x.code >= 400).map((x) => x.frame) });
  if (f.login === 'success' && isAnonymous(f.user)) findings.push({ fact: { code: 'anonymous-login', user: who }, frames: [f.loginFrame] });
  if (f.tls) findings.push({ fact: { code: 'control-encrypted', mechanism: f.mechanism, clearAgainFrame: f.clearAgainFrame, protectedCommands: f.protectedCommands }, frames: [f.tlsFrame, f.clearAgainFrame] });
  // The control connection itself refused: the session is that attempt, and the finding its cause.
  if (refusedAtOnce(ctl)) {
    const clientIsOrig = ctl.orig.ip === s.client.ip && ctl.orig.port === s.client.port;
    const syns = clientIsOrig && ctl.synFrame !== null ? 1 + ctl.synRetransmits : 0;
    const answer = clientIsOrig ? ctl.respSent.rstFrame : ctl.origSent.rstFrame;
    findings.push({ fact: { code: 'control-refused', client: s.client, server: s.server, rejection: ctl.rejection, syns }, frames: [ctl.synFrame, ...ctl.synRetransmitFrames, answer, ctl.rejection?.frame ?? null] });
  }
  const missed = ctl.origSent.missedBytes + ctl.respSent.missedBytes;
  if (missed > 0) findings.push({ fact: { code: 'capture-gap', bytes: missed, dataConnection: null }, frames: [] });
  for (const d of data) {
    if (d.missedBytes > 0) findings.push({ fact: { code: 'capture-gap', bytes: d.missedBytes, dataConnection: d.id }, frames: [d.tcp?.firstFrame ?? null], dataConnection: d.id });
  }

  const oneSided = oneSidedFinding(s.controlSeen, connectionsOf(matches, leftovers), ctl.firstFrame);
  if (oneSided) findings.push(oneSided);

  const modes = new Set(data.filter((d) => d.mode !== 'unknown').map((d) => d.mode));
  const mode: SessionMode = f.tls && modes.size === 0 ? 'unknown' : modes.size === 0 ? (data.length ? 'unknown' : 'none') : modes.size === 1 ? ([...modes][0] as SessionMode) : 'mixed';
  const sorted = sessionFindings(findings);
  const report: SessionReport = {
    id: 0,
    client: s.client,
    server: s.server,
    start: isoTimeNs(ctl.startSec, ctl.startNsec),
    end: isoTimeNs(ctl.endSec, ctl.endNsec),
    banner: f.banner === null ? null : clip(f.banner, MAX_REPORT_FIELD_CHARS),
    user: f.user === null ? null : clip(f.user, MAX_REPORT_FIELD_CHARS),
    password: f.password === null ? null : ctx.showPasswords || isAnonymous(f.user) ? f.password : REDACTED,
    login: loginOf(f),
    loginAttempts: f.loginAttemptCount,
    tls: f.tls,
    mode,
    midStream: ctl.midStream && f.banner === null,
    capturePoint: s.capturePoint,
    commands: f.commands,
    controlState: ctl.state,
    dataConnections: data,
    findings: sorted.findings,
    wiresharkFilter: sessionFilter(s.client, s.server, data),
    ...(f.timeline ? { timeline: timelineOf(f.timeline, ctx.showPasswords || isAnonymous(f.user)) } : {}),
  };
  return { report, folded: sorted.folded };
}

/** The recorded commands and replies as report entries (passwords redacted unless `show`). */
function timelineOf(log: TimelineLog, show: boolean): SessionTimeline {
  const { entries, droppedAfter } = log.entries();
  return {
    entries: entries.map((r): TimelineEntry => {
      const time = isoTimeNs(r.at.sec, r.at.nsec);
      if (!r.client) return { time, frame: r.frame, from: 'server', text: r.text === '' ? r.head : `${r.head} ${r.text}`, code: r.code ?? 0 };
      const arg = show ? r.text : redactCommand(r.head, r.text);
      return { time, frame: r.frame, from: 'client', text: arg === '' ? r.head : `${r.head} ${arg}` };
    }),
    dropped: log.dropped,
    droppedAfter: log.dropped > 0 ? droppedAfter : entries.length,
  };
}

/**
 * The report of one data connection (`m`: its connection, null when none came) and, through
 * `findings`, its outcome finding.
 */
function dataReport(
  ctx: ReportContext,
  id: number,
  mode: DataMode,
  initiator: 'client' | 'server',
  s: FinalizedSession,
  ctl: ConnectionSummary,
  target: Endpoint | null,
  m: Match | null,
  transfer: TransferRec | null,
  announced: DataConnectionReport['announced'],
  findings: Observed[],
  half: HalfAnnouncement | null = null,
): DataConnectionReport {
  const c = m?.conn ?? null;
  // Which TCP direction carries the transfer: the server's bytes for downloads and listings.
  const serverIsOrig = initiator === 'server';
  const serverSent = c ? (serverIsOrig ? c.origSent : c.respSent) : null;
  const clientSent = c ? (serverIsOrig ? c.respSent : c.origSent) : null;
  const dir = transfer?.direction ?? null;
  const sent = dir === 'upload' ? clientSent : serverSent;
  const ackedData = (d: DirectionSummary | null, receiver: DirectionSummary | null): number | null => (d === null || receiver === null ? null : ackedDataOf(d, receiver));
  // A direction the capture lacks: what its receiver acknowledged.
  const carried = (d: DirectionSummary | null, receiver: DirectionSummary | null): number => (d === null ? 0 : !d.seen ? (ackedData(d, receiver) ?? 0) : d.bytes);
  const received = (d: DirectionSummary | null): DirectionSummary | null => (d === serverSent ? clientSent : serverSent);
  const bytes = c ? (dir ? carried(sent, received(sent)) : carried(serverSent, clientSent) + carried(clientSent, serverSent)) : null;
  const missedBytes = c ? (dir ? (sent?.missedBytes ?? 0) : (serverSent?.missedBytes ?? 0) + (clientSent?.missedBytes ?? 0)) : 0;
  const ackedBytes = c && dir ? ackedData(sent, received(sent)) : null;
  const facts: DataFacts = { capturePoint: s.capturePoint, mode, initiator, client: s.client, server: s.server, target, match: m, transfer, bytes, missedBytes, ackedBytes, expectedBytes: transfer?.expectedBytes ?? null, controlSeen: s.controlSeen, controlAckAt: s.controlSeen === 'client' ? controlAckOf(ctl, s.client) : null, half, gaveUp: gaveUpOf(s, ctl, c, initiator, transfer) };
  const outcome = outcomeOf(facts);
  const text = diagnosis(facts, outcome);
  const f = outcomeFinding(outcome, id, text, outcomeFrames(announced?.frame ?? half?.frame ?? null, c, facts.gaveUp ?? null, transfer));
  if (f) findings.push(f);
  return {
    id,
    mode,
    initiator,
    announced,
    from: c ? { ip: c.orig.ip, port: c.orig.port } : null,
    to: c ? { ip: c.resp.ip, port: c.resp.port } : null,
    tcp: c
      ? {
          state: c.state,
          history: c.history,
          synFrame: c.synFrame,
          synRetransmits: c.synRetransmits,
          synAckFrame: c.synAckFrame,
          rstFrame: c.origSent.rstFrame ?? c.respSent.rstFrame,
          firstFrame: c.firstFrame,
          lastFrame: c.lastFrame,
          start: isoTimeNs(c.startSec, c.startNsec),
          end: isoTimeNs(c.endSec, c.endNsec),
          ...(halfCaptured(c) || (c.oneSided !== null && s.controlSeen !== 'both') ? { capturedSide: (c.oneSided === 'orig') === (c.orig.ip !== s.server.ip) ? ('client' as const) : ('server' as const) } : {}),
          ...(ctx.timeline ? { events: tcpEvents(c, initiator) } : {}),
        }
      : null,
    command: transfer && !transfer.inferred ? transfer.verb : null,
    argument: transfer && !transfer.inferred ? transfer.arg : null,
    path: transfer?.path ?? null,
    direction: dir,
    bytes,
    expectedBytes: transfer?.expectedBytes ?? null,
    missedBytes,
    replies: replyCodes(announced, transfer),
    replyText: transfer?.final ? transfer.final.text : null,
    outcome,
    firewallRule: firewallRule(facts),
    diagnosis: text,
    wiresharkFilter: dataFilter(c ? { from: c.orig, to: c.resp } : null, target),
    ...(c?.rejection ? { rejectedBy: rejectedByOf(c.rejection) } : {}),
    ...(ctx.files !== null ? { file: ctx.files.fileOf(id, s, c, transfer, outcome, serverIsOrig, sent?.bytes ?? 0, sent?.missedBytes ?? 0) } : {}),
  };
}
/** The frames that show a data connection's outcome: its announcement (or half), its SYN and up to
 * four retries, SYN-ACK, resets, ICMP rejection, the sign its initiator gave up, the final reply.
 * Built by index (as replyCodes). */
function outcomeFrames(announcedFrame: number | null, c: ConnectionSummary | null, gaveUp: GaveUp | null, transfer: TransferRec | null): (number | null)[] {
  const out: (number | null)[] = [announcedFrame];
  if (c !== null) {
    out.push(c.synFrame);
    const retries = c.synRetransmitFrames;
    for (let i = 0; i < retries.length && i < 4; i++) out.push(retries[i]);
    out.push(c.synAckFrame, c.origSent.rstFrame, c.respSent.rstFrame, c.rejection?.frame ?? null);
  }
  out.push(gaveUp?.frame ?? null, transfer?.final?.frame ?? null);
  return out;
}

/** The active commands whose refusal (a reply >= 400) is the data connection's first reply. */
const ACTIVE_COMMANDS: ReadonlySet<string> = new Set(['PORT', 'EPRT', 'LPRT']);

/**
 * A data connection's reply codes: the refusal of its PORT/EPRT/LPRT, if refused (pyftpdlib
 * connects at once and answers the PORT itself with 421 "Active data channel timed out"), then its
 * transfer's. Built by index, not by spreading arrays: this runs once per data connection, and
 * spread arrays of different element kinds sent dataReport's optimized code back to be compiled again.
 */
function replyCodes(announced: DataConnectionReport['announced'], transfer: TransferRec | null): number[] {
  const out: number[] = [];
  if (announced !== null && announced.replyCode !== null && announced.replyCode >= 400 && ACTIVE_COMMANDS.has(announced.command)) out.push(announced.replyCode);
  if (transfer !== null) for (let i = 0; i < transfer.replies.length; i++) out.push(transfer.replies[i].code);
  return out;
}

/** The connections a session took: its matches', then its leftovers (by index, as replyCodes). */
export function connectionsOf(matches: ReadonlyMap<Expectation, Match>, leftovers: readonly ConnectionSummary[]): ConnectionSummary[] {
  const out: ConnectionSummary[] = [];
  for (const m of matches.values()) out.push(m.conn);
  for (let i = 0; i < leftovers.length; i++) out.push(leftovers[i]);
  return out;
}

/** The handshake and teardown packets of a data connection in time order, by session side. */
function tcpEvents(c: ConnectionSummary, initiator: 'client' | 'server'): TcpEvent[] {
  const other = initiator === 'client' ? 'server' : 'client';
  const out: { e: TcpEvent; t: number }[] = [];
  const add = (kind: TcpEvent['kind'], from: 'client' | 'server', frame: number | null, t: CaptureTime | null): void => {
    if (frame === null || t === null) return;
    out.push({ e: { kind, from, frame, time: isoTimeNs(t.sec, t.nsec) }, t: t.sec + t.nsec / 1e9 });
  };
  add('syn', initiator, c.synFrame, c.synTime);
  c.synRetransmitFrames.forEach((f, i) => add('syn-retransmit', initiator, f, c.synRetransmitTimes[i] ?? null));
  add('syn-ack', other, c.synAckFrame, c.synAckTime);
  add('fin', initiator, c.origSent.finFrame, c.origSent.finTime);
  add('fin', other, c.respSent.finFrame, c.respSent.finTime);
  add('rst', initiator, c.origSent.rstFrame, c.origSent.rstTime);
  add('rst', other, c.respSent.rstFrame, c.respSent.rstTime);
  const r = c.rejection;
  if (r !== null) {
    // Travels back to the quoted segment's sender: from the other side's direction.
    const to = r.quoted === 0 ? initiator : other;
    const e: TcpEvent = { kind: 'icmp-unreachable', from: to === 'client' ? 'server' : 'client', frame: r.frame, time: isoTimeNs(r.time.sec, r.time.nsec), by: r.from, reason: r.text };
    out.push({ e, t: r.time.sec + r.time.nsec / 1e9 });
  }
  return out.sort((a, b) => a.t - b.t || a.e.frame - b.e.frame).map((x) => x.e);
}

/** A capture string cut to `max` characters (marked with an ellipsis), copied so that it does not
 * keep a large parent string alive. */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `${detach(s, max)}…`;
}

/** With one side of the control connection captured, its half announcements (those a full
 * announcement does not cover), the half each leftover connection answers (`of`, by index), and
 * those so answered (`used`). */
function halvesOf(s: Pick<FinalizedSession, 'controlSeen' | 'server' | 'session'>, leftovers: readonly ConnectionSummary[]): { halves: HalfAnnouncement[]; used: Set<HalfAnnouncement>; of: (HalfAnnouncement | null)[] } {
  const halves = s.controlSeen === 'both' ? [] : s.session.halfAnnouncements.filter((h) => !h.transfer?.announcement);
  const used = new Set<HalfAnnouncement>();
  const of = leftovers.map((c) => {
    const half = halfFor(halves, used, c.orig.ip === s.server.ip ? 'server' : 'client', startOf(c));
    if (half) used.add(half);
    return half;
  });
  return { halves, used, of };
}

/**
 * How a session's half announcements pair with the connections to third addresses (`strays`), as
 * its report pairs them (halfPairs), found when the session is finalized: `took`, the strays they
 * take, so that these are taken before another session's finalization, also when the report is
 * made later; `unpaired`, whether one that a connection could answer (not a refusal) found none
 * there or among `leftovers`: a merge of shards must see the other shards' connections first.
 */
export function strayPairs(s: Pick<FinalizedSession, 'controlSeen' | 'server' | 'session'>, leftovers: readonly ConnectionSummary[], strays: readonly ConnectionSummary[]): { took: ConnectionSummary[]; unpaired: boolean } {
  const { halves, used } = halvesOf(s, leftovers);
  const pairs = halfPairs(halves, used, strays);
  return { took: pairs.flatMap((p) => (p.conn ? [p.conn] : [])), unpaired: pairs.some((p) => p.conn === null && !p.half.refused) };
}

/** The address and port a server's refusal names ("... foreign address 203.0.113.99:25."), or null. */
function foreignAddressOf(text: string): Endpoint | null {
  const m = /foreign address \[?([0-9A-Fa-f:.]+?)\]?:(\d{1,5})\b/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port <= 65535 ? { ip: m[1], port } : null;
}

/** The half announcement (HalfAnnouncement) for a connection its initiator opened at `start`:
 * the latest unused one of the initiator's kind made before it; for active modes else the first
 * made up to CORRELATE_BEFORE_SEC after it (pyftpdlib connects on PORT and answers 200 once
 * connected), or after its connect timeout when the reply says it tried (`tried`). A passive
 * client connects only after its PASV. A refused one has no connection. */
function halfFor(halves: readonly HalfAnnouncement[], used: ReadonlySet<HalfAnnouncement>, initiator: 'client' | 'server', start: number): HalfAnnouncement | null {
  let before: HalfAnnouncement | null = null;
  for (const h of halves) {
    if (used.has(h) || h.refused || isActiveKind(h.kind) !== (initiator === 'server')) continue;
    // A half whose transfer got its final reply before the connection started was another's.
    if (h.transfer?.final && h.transfer.final.at.sec + h.transfer.final.at.nsec / 1e9 < start) continue;
    const d = h.at.sec + h.at.nsec / 1e9 - start;
    if (d <= 0) before = h;
    else return before ?? (initiator === 'server' && (d <= CORRELATE_BEFORE_SEC || h.tried) ? h : null);
  }
  return before;
}

/**
 * `login`: `unknown` where an attempt is there but its reply is not (USER/PASS or a 331 without a
 * 230/530 after it: the other side not captured, or the capture ended) and under an encrypted
 * control connection (RFC 4217: USER and PASS follow AUTH TLS, unreadable).
 */
function loginOf(f: FtpSession): SessionReport['login'] {
  if (f.login !== 'none') return f.login;
  return f.tls || f.user !== null || f.password !== null || f.loginAsked ? 'unknown' : 'none';
}

/** One direction of the connection captured alone, and shown talking to the other (a SYN-ACK, an
 * ACK): a SYN that got nothing, or a lone RST, is a whole story, not half of one. */
function halfCaptured(c: ConnectionSummary): boolean {
  return c.oneSided !== null && (c.synAckFrame !== null || c.synAckProofFrame !== null || c.origSent.highestAck !== null || c.respSent.highestAck !== null);
}

/** GaveUp (diagnose.ts): from the initiator's side alone, its only SYN given up before a
 * retransmission was due. The client shows it by its next announcement or the end of its control
 * connection, with no transfer command before (a refused RETR ends an attempt too); the server by
 * its reply that it could not connect (425). */
function gaveUpOf(s: FinalizedSession, ctl: ConnectionSummary, c: ConnectionSummary | null, initiator: 'client' | 'server', transfer: TransferRec | null): GaveUp | null {
  if (!c || s.controlSeen !== initiator || c.oneSided !== 'orig' || c.synFrame === null || c.synRetransmits > 0) return null;
  if (c.synAckFrame !== null || c.synAckProofFrame !== null || c.origSent.bytes > 0 || c.origSent.finFrame !== null || c.origSent.rstFrame !== null || c.origSent.highestAck !== null) return null;
  const syn = startOf(c);
  const after = (at: Instant): number => at.sec + at.nsec / 1e9 - syn;
  const soon = (d: number): boolean => d > 0 && d < SYN_FIRST_RETRY_SEC;
  if (initiator === 'server') {
    // The server's word that it could not connect: pyftpdlib's reply to PORT/EPRT, vsftpd's to
    // the transfer command (the transfer's final reply, or a half's failure where the command and
    // its 150 are not in the capture).
    const said: { frame: number; at: Instant; code: number; text: string }[] = transfer?.final ? [transfer.final] : [];
    for (const h of s.session.halfAnnouncements) {
      if (h.tried && h.reply) said.push({ frame: h.frame, at: h.at, ...h.reply });
      if (h.failure) said.push(h.failure);
    }
    let best: GaveUp | null = null;
    for (const r of said) {
      const d = after(r.at);
      if (r.code === 425 && soon(d) && (best === null || d < best.after)) best = { frame: r.frame, after: d, what: `${r.code} ${firstLine(r.text)}` };
    }
    return best;
  }
  let best: GaveUp | null = null;
  for (const h of s.session.halfAnnouncements) {
    const d = after(h.at);
    if (h.reply === null && soon(d) && (best === null || d < best.after)) best = { frame: h.frame, after: d, what: `its ${HALF_COMMAND[h.kind]}` };
  }
  const clientIsOrig = ctl.orig.ip === s.client.ip && ctl.orig.port === s.client.port;
  const mine = clientIsOrig ? ctl.origSent : ctl.respSent;
  const end = mine.finFrame !== null && mine.finTime !== null ? { frame: mine.finFrame, d: after(mine.finTime) } : null;
  if (end && soon(end.d) && (best === null || end.d < best.after)) best = { frame: end.frame, after: end.d, what: 'the end of its control connection' };
  if (best && transfer && after(transfer.at) < best.after) return null;
  return best;
}

/** The `one-sided-capture` finding: which side of the session was captured, and what the report
 * infers of the other; null when both sides of the control and of every data connection were. */
function oneSidedFinding(seen: ControlSeen, conns: readonly ConnectionSummary[], frame: number): SessionFinding | null {
  if (seen !== 'both') return { fact: { code: 'one-sided-capture', side: seen, halfData: 0 }, frames: [frame] };
  const half = conns.filter(halfCaptured);
  if (half.length === 0) return null;
  return { fact: { code: 'one-sided-capture', side: null, halfData: half.length }, frames: half.map((c) => c.firstFrame).slice(0, 8) };
}

/**
 * Data bytes of a direction its receiver acknowledged, without the FIN's sequence number: where the
 * sender's FIN was captured its place is known; where the sender's side was not captured, a
 * receiver that closed too had acknowledged the sender's FIN (stream mode marks the end of a file
 * by closing the connection, RFC 959 §3.4.1). Null when the receiver's ACKs were not captured.
 */
function ackedDataOf(d: DirectionSummary, receiver: DirectionSummary): number | null {
  if (d.ackedByPeer === null) return null;
  if (d.seen) return d.finFrame !== null ? Math.min(d.ackedByPeer, d.bytes) : d.ackedByPeer;
  return Math.max(0, d.ackedByPeer - (receiver.finFrame !== null ? 1 : 0));
}

/** An anonymous login: its "password" is an e-mail address by convention (RFC 1635), shown. */
export function isAnonymous(user: string | null): boolean {
  return user !== null && (user.toLowerCase() === 'anonymous' || user.toLowerCase() === 'ftp');
}
