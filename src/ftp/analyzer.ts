/**
 * The FTP stage's entry (DESIGN.md §2.4): it listens to the TCP tracker's events, follows control
 * connections (port 21, --ports, or any port whose server spoke first with a 220 banner and whose
 * client then sent an FTP command), keeps the connections that touch an FTP host as correlation
 * candidates, and at the end of the capture correlates and diagnoses every session.
 *
 * Driving it: `const a = new FtpAnalyzer(opts); const t = new TcpTracker({ events: a.events });
 * a.bind(t)`; feed packets to the tracker; `t.finish()`; then `a.finish()` returns the sessions.
 */
import type { Connection, ConnectionSummary, Direction, StreamSink, TcpEvents, TcpTracker } from '../tcp/index.js';
import { isoTimeNs } from '../tcp/index.js';
import { BRUTE_FORCE_FAILURES, CORRELATE_AFTER_SEC, MAX_DATA_CANDIDATES } from '../limits.js';
import { ControlSink } from './control.js';
import { CandidateIndex, expectationsOf, isActiveKind, startOf, type Expectation, type Match } from './correlate.js';

const endOf = (c: ConnectionSummary): number => c.endSec + c.endNsec / 1e9;
import { diagnosis, finding, firewallRule, outcomeFinding, outcomeOf, type DataFacts } from './diagnose.js';
import { isPrivateAddress } from './announce.js';
import type { DataConnectionReport, DataMode, Endpoint, Finding, SessionMode, SessionReport } from './model.js';
import type { TransferRec } from './session.js';

export interface AnalyzerOptions {
  /** Control ports besides 21. */
  ports?: readonly number[];
  showPasswords?: boolean;
}

interface Tracked {
  readonly connId: number;
  readonly sink: ControlSink;
  readonly client: Endpoint;
  readonly server: Endpoint;
  summary: ConnectionSummary | null;
}

export interface AnalyzerCounters {
  controlConnections: number;
  unconfirmedControl: number;
  candidates: number;
  candidatesDropped: number;
}

export interface AnalysisResult {
  sessions: SessionReport[];
  /** Findings across sessions (brute-force from one client over several sessions). */
  findings: (Finding & { client: string })[];
  counters: AnalyzerCounters;
}

export class FtpAnalyzer {
  readonly events: TcpEvents;
  private tracker: TcpTracker | null = null;
  private readonly ports: Set<number>;
  private readonly tracked = new Map<number, Tracked>();
  private readonly hosts = new Set<string>();
  private readonly candidates: ConnectionSummary[] = [];
  readonly counters: AnalyzerCounters = { controlConnections: 0, unconfirmedControl: 0, candidates: 0, candidatesDropped: 0 };

  constructor(private readonly opts: AnalyzerOptions = {}) {
    this.ports = new Set([21, ...(opts.ports ?? [])]);
    this.events = {
      opened: (c) => this.opened(c),
      inspect: (c, dir, first) => this.inspect(c, dir, first),
      removed: (s) => this.removed(s),
    };
  }

  bind(tracker: TcpTracker): void {
    this.tracker = tracker;
  }

  private follow(c: Connection, clientDir: Direction, confirmed: boolean): ControlSink {
    const client = clientDir === 0 ? { ip: c.origIp, port: c.origPort } : { ip: c.respIp, port: c.respPort };
    const server = clientDir === 0 ? { ip: c.respIp, port: c.respPort } : { ip: c.origIp, port: c.origPort };
    const sink = new ControlSink(clientDir, confirmed, (ip) => this.hosts.add(ip));
    this.tracked.set(c.id, { connId: c.id, sink, client, server, summary: null });
    this.hosts.add(client.ip);
    this.hosts.add(server.ip);
    this.counters.controlConnections++;
    return sink;
  }

  private opened(c: Connection): void {
    // By port: the responder listens on a control port; a connection picked up mid-stream may
    // have its originator guessed the wrong way round, so the originator's port counts too.
    if (this.ports.has(c.respPort)) this.tracker?.attach(c, this.follow(c, 0, true));
    else if (c.midStream && this.ports.has(c.origPort)) this.tracker?.attach(c, this.follow(c, 1, true));
  }

  private inspect(c: Connection, dir: Direction, first: Buffer): StreamSink | null {
    if (this.tracked.has(c.id)) return null;
    // Any port, by content: the listener speaks first with a 220 reply (RFC 959 §5.4: the
    // connection greeting); the client must then send an FTP command to confirm it.
    if (first.length >= 4 && first[0] === 0x32 && first[1] === 0x32 && first[2] === 0x30 && (first[3] === 0x20 || first[3] === 0x2d)) {
      const clientDir: Direction = dir === 1 ? 0 : 1;
      return this.follow(c, clientDir, false);
    }
    return null;
  }

  private removed(s: ConnectionSummary): void {
    const t = this.tracked.get(s.id);
    if (t) {
      t.summary = s;
      t.sink.end();
      return;
    }
    if (!this.hosts.has(s.orig.ip) && !this.hosts.has(s.resp.ip)) return;
    if (this.candidates.length >= MAX_DATA_CANDIDATES) {
      this.counters.candidatesDropped++;
      return;
    }
    this.counters.candidates++;
    this.candidates.push(s);
  }

  finish(): AnalysisResult {
    const all = [...this.tracked.values()].filter((t) => t.summary !== null);
    const sessions = all.filter((t) => t.sink.confirmed);
    this.counters.unconfirmedControl = all.length - sessions.length;
    sessions.sort((a, b) => startOf(a.summary as ConnectionSummary) - startOf(b.summary as ConnectionSummary) || a.connId - b.connId);
    const controlIds = new Set(all.map((t) => t.connId));
    const index = new CandidateIndex(this.candidates.filter((c) => !controlIds.has(c.id)));

    // Correlate every session's expectations in time order, so that sessions sharing a passive
    // port (vsftpd's one-port range) take their connections in turn.
    const perSession = sessions.map((t) => {
      const s = t.summary as ConnectionSummary;
      const end = s.endSec + s.endNsec / 1e9;
      return expectationsOf(t.sink.session.announcements, t.client, t.server, end);
    });
    const matches: Map<Expectation, Match> = index.correlate(perSession.flat());

    const leftovers = this.assignLeftovers(sessions, index);
    const reports = sessions.map((t, i) => this.report(i + 1, t, perSession[i], matches, leftovers.get(t) ?? []));
    return { sessions: reports, findings: bruteForce(reports), counters: this.counters };
  }

  /**
   * Connections between a session's two hosts that no announcement explains (all of them after
   * AUTH TLS) go to the session whose control connection was open when they started — the latest
   * started one when several were (concurrent sessions between the same hosts).
   */
  private assignLeftovers(sessions: Tracked[], index: CandidateIndex): Map<Tracked, ConnectionSummary[]> {
    const out = new Map<Tracked, ConnectionSummary[]>();
    const byPair = new Map<string, Tracked[]>();
    for (const t of sessions) {
      const k = t.client.ip < t.server.ip ? `${t.client.ip}|${t.server.ip}` : `${t.server.ip}|${t.client.ip}`;
      let l = byPair.get(k);
      if (!l) byPair.set(k, (l = []));
      l.push(t);
    }
    for (const [k, ts] of byPair) {
      const [a, b] = k.split('|');
      const first = Math.min(...ts.map((t) => startOf(t.summary as ConnectionSummary)));
      const last = Math.max(...ts.map((t) => endOf(t.summary as ConnectionSummary)));
      for (const c of index.between(a, b, first - 1, last + CORRELATE_AFTER_SEC)) {
        const s = startOf(c);
        let best: Tracked | null = null;
        for (const t of ts) {
          const ctl = t.summary as ConnectionSummary;
          if (startOf(ctl) <= s && s <= endOf(ctl) + CORRELATE_AFTER_SEC && (!best || startOf(ctl) > startOf(best.summary as ConnectionSummary))) best = t;
        }
        if (!best) continue;
        index.used.add(c.id);
        let l = out.get(best);
        if (!l) out.set(best, (l = []));
        l.push(c);
      }
    }
    return out;
  }

  private report(id: number, t: Tracked, expectations: Expectation[], matches: Map<Expectation, Match>, leftovers: ConnectionSummary[]): SessionReport {
    const ctl = t.summary as ConnectionSummary;
    const f = t.sink.session;
    const findings: Finding[] = [];
    const data: DataConnectionReport[] = [];

    for (const e of expectations) {
      const m = matches.get(e) ?? null;
      const a = e.announcement;
      data.push(this.dataReport(data.length + 1, a.kind, e.initiator, t, e.target, m, a.transfer, { command: a.command, ip: a.ip ?? t.server.ip, port: a.port, frame: a.frame, replyCode: a.replyCode }, findings));
      if (a.ip && !isActiveKind(a.kind) && a.ip !== t.server.ip) {
        findings.push(finding('pasv-address-mismatch', isPrivateAddress(a.ip) ? 'warning' : 'warning', `The ${a.replyCode} reply announced ${a.ip}:${a.port}, but the control connection goes to ${t.server.ip}: the server is behind NAT without its public address configured (vsftpd pasv_address, pure-ftpd -P, proftpd MasqueradeAddress)${m?.usedFallback ? '; the client ignored the announced address' : ''}.`, [a.frame], data.length));
      }
      if (a.ip && isActiveKind(a.kind) && a.ip !== t.client.ip) {
        const bounce = a.ip !== t.server.ip && !isPrivateAddress(a.ip);
        findings.push(
          bounce
            ? finding('ftp-bounce', 'error', `${a.command} asked the server to connect to ${a.ip}:${a.port}, a host that is neither end of the control connection (RFC 2577 bounce).`, [a.frame], data.length)
            : finding('port-address-mismatch', 'warning', `${a.command} announced ${a.ip}:${a.port}, but the control connection comes from ${t.client.ip}: the client is behind NAT without an FTP-aware gateway.`, [a.frame], data.length),
        );
      }
      if (a.port < 1024) findings.push(finding('privileged-data-port', 'warning', `${a.command} announced the privileged port ${a.port} (RFC 2577).`, [a.frame], data.length));
    }

    for (const c of leftovers) {
      const initiator = c.orig.ip === t.server.ip ? 'server' : 'client';
      const d = this.dataReport(data.length + 1, 'unknown', initiator, t, null, { conn: c, usedFallback: false, retries: 0 }, null, null, findings);
      data.push(d);
      if (!f.tls) findings.push(finding('unmatched-data-connection', 'warning', `A connection ${c.orig.ip}:${c.orig.port} -> ${c.resp.ip}:${c.resp.port} between the session's hosts is explained by no announcement.`, [c.synFrame ?? c.firstFrame], d.id));
    }

    // Active-mode source port: state it, since firewall rules for "port 20" depend on it.
    const active = data.filter((d) => d.initiator === 'server' && d.from);
    if (active.length) {
      const from20 = active.filter((d) => d.from?.port === 20).length;
      const msg = from20 === active.length ? `The server opened its active data connections from port 20.` : from20 === 0 ? `The server opened its active data connections from ephemeral ports (${[...new Set(active.map((d) => d.from?.port))].slice(0, 5).join(', ')}), not port 20: a rule allowing only source port 20 would block them.` : `The server opened ${from20} of ${active.length} active data connections from port 20, the others from ephemeral ports.`;
      findings.push(finding('active-source-port', 'info', msg, active.map((d) => d.tcp?.synFrame ?? null)));
    }
    // An anonymous "password" is an e-mail address by convention (RFC 1635), not a secret.
    if (f.password !== null && !f.tls && !isAnonymous(f.user)) findings.push(finding('cleartext-credentials', 'warning', `The password of ${JSON.stringify(f.user ?? '')} crossed the network in clear text (no AUTH TLS).`, [f.passwordFrame]));
    if (f.failedLogins > 0) findings.push(finding('login-failed', 'warning', `${f.failedLogins} login attempt${f.failedLogins === 1 ? '' : 's'} failed${f.user ? ` (last user ${JSON.stringify(f.user)})` : ''}.`, f.loginAttempts.filter((x) => x.code >= 400).map((x) => x.frame)));
    if (f.login === 'success' && isAnonymous(f.user)) findings.push(finding('anonymous-login', 'info', `Anonymous login accepted (user ${JSON.stringify(f.user)}).`, [f.loginFrame]));
    if (f.tls) findings.push(finding('control-encrypted', 'info', 'AUTH TLS was accepted: the control channel is encrypted from here on, so commands, replies and announcements cannot be read; data connections are reported without their announcements.', [f.tlsFrame]));
    const missed = ctl.origSent.missedBytes + ctl.respSent.missedBytes;
    if (missed > 0) findings.push(finding('capture-gap', 'warning', `The capture missed ${missed} bytes of the control connection: commands or replies may be missing.`, []));
    for (const d of data) {
      if (d.missedBytes > 0) findings.push(finding('capture-gap', 'warning', `The capture missed ${d.missedBytes} bytes of data connection ${d.id}.`, [d.tcp?.firstFrame ?? null], d.id));
    }

    const modes = new Set(data.filter((d) => d.mode !== 'unknown').map((d) => d.mode));
    const mode: SessionMode = f.tls && modes.size === 0 ? 'unknown' : modes.size === 0 ? (data.length ? 'unknown' : 'none') : modes.size === 1 ? ([...modes][0] as SessionMode) : 'mixed';
    const order: Record<string, number> = { error: 0, warning: 1, info: 2 };
    findings.sort((a, b) => order[a.severity] - order[b.severity] || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
    return {
      id,
      client: t.client,
      server: t.server,
      start: isoTimeNs(ctl.startSec, ctl.startNsec),
      end: isoTimeNs(ctl.endSec, ctl.endNsec),
      banner: f.banner,
      user: f.user,
      password: f.password === null ? null : this.opts.showPasswords || isAnonymous(f.user) ? f.password : '********',
      login: f.login,
      loginAttempts: f.loginAttempts.length,
      tls: f.tls,
      mode,
      midStream: ctl.midStream && f.banner === null,
      commands: f.commands,
      controlState: ctl.state,
      dataConnections: data,
      findings,
    };
  }

  private dataReport(
    id: number,
    mode: DataMode,
    initiator: 'client' | 'server',
    t: Tracked,
    target: Endpoint | null,
    m: Match | null,
    transfer: TransferRec | null,
    announced: DataConnectionReport['announced'],
    findings: Finding[],
  ): DataConnectionReport {
    const c = m?.conn ?? null;
    // Which TCP direction carries the transfer: the server's bytes for downloads and listings.
    const serverIsOrig = initiator === 'server';
    const serverSent = c ? (serverIsOrig ? c.origSent : c.respSent) : null;
    const clientSent = c ? (serverIsOrig ? c.respSent : c.origSent) : null;
    const dir = transfer?.direction ?? null;
    const sent = dir === 'upload' ? clientSent : serverSent;
    const bytes = c ? (dir ? (sent?.bytes ?? 0) : (serverSent?.bytes ?? 0) + (clientSent?.bytes ?? 0)) : null;
    const missedBytes = c ? (dir ? (sent?.missedBytes ?? 0) : (serverSent?.missedBytes ?? 0) + (clientSent?.missedBytes ?? 0)) : 0;
    const facts: DataFacts = { mode, initiator, client: t.client, server: t.server, target, match: m, transfer, bytes, missedBytes, expectedBytes: transfer?.expectedBytes ?? null };
    const outcome = mode === 'unknown' && !transfer ? unknownOutcome(c) : outcomeOf(facts);
    const text = diagnosis(facts, outcome);
    const f = outcomeFinding(outcome, id, text, [announced?.frame ?? null, c?.synFrame ?? null, c?.synAckFrame ?? null, c?.origSent.rstFrame ?? null, c?.respSent.rstFrame ?? null, transfer?.final?.frame ?? null]);
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
          }
        : null,
      command: transfer?.verb ?? null,
      argument: transfer ? transfer.arg : null,
      path: transfer?.path ?? null,
      direction: dir,
      bytes,
      expectedBytes: transfer?.expectedBytes ?? null,
      missedBytes,
      // The reply to PORT/EPRT/LPRT belongs here when it is a failure (pyftpdlib connects at once
      // and answers the PORT itself with 421 "Active data channel timed out").
      replies: [...(announced && announced.replyCode !== null && announced.replyCode >= 400 && ['PORT', 'EPRT', 'LPRT'].includes(announced.command) ? [announced.replyCode] : []), ...(transfer ? transfer.replies.map((r) => r.code) : [])],
      replyText: transfer?.final ? transfer.final.text : null,
      outcome,
      firewallRule: firewallRule(facts),
      diagnosis: text,
    };
  }
}

/** A data connection no announcement explains (after AUTH TLS): judged from TCP alone. */
function unknownOutcome(c: ConnectionSummary | null): DataConnectionReport['outcome'] {
  if (!c) return 'not-attempted';
  if (c.state === 'REJ') return 'refused';
  if (c.synAckFrame === null && (c.state === 'S0' || c.state === 'RSTOS0' || c.state === 'SH')) return 'no-answer';
  if (c.open) return 'incomplete';
  if (c.origSent.rstFrame !== null || c.respSent.rstFrame !== null) return 'reset';
  return 'completed';
}

function isAnonymous(user: string | null): boolean {
  return user !== null && (user.toLowerCase() === 'anonymous' || user.toLowerCase() === 'ftp');
}

/** brute-force: many failed logins from one client address, over however many sessions. */
function bruteForce(sessions: SessionReport[]): (Finding & { client: string })[] {
  const byClient = new Map<string, { frames: number[]; failures: number; sessions: number; users: Set<string>; server: Set<string> }>();
  for (const s of sessions) {
    const failed = s.findings.find((f) => f.code === 'login-failed');
    if (!failed) continue;
    let b = byClient.get(s.client.ip);
    if (!b) byClient.set(s.client.ip, (b = { frames: [], failures: 0, sessions: 0, users: new Set(), server: new Set() }));
    b.failures += failed.frames.length || 1;
    b.sessions++;
    b.frames.push(...failed.frames);
    if (s.user) b.users.add(s.user);
    b.server.add(`${s.server.ip}:${s.server.port}`);
  }
  const out: (Finding & { client: string })[] = [];
  for (const [client, b] of byClient) {
    if (b.failures < BRUTE_FORCE_FAILURES) continue;
    out.push({ ...finding('brute-force', 'error', `${b.failures} failed logins from ${client} in ${b.sessions} session${b.sessions === 1 ? '' : 's'} to ${[...b.server].join(', ')} (users ${[...b.users].slice(0, 5).map((u) => JSON.stringify(u)).join(', ')}).`, b.frames), client });
  }
  return out;
}
