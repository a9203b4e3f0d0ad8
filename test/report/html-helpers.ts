/**
 * Inputs for the HTML page and ladder tests (test/report/html*.test.ts): pages of lab captures,
 * and hand-built reports (not from a capture; named as such): one whose user, file names, banner
 * and replies are `<script>`-like markup, and one session of 10,000 commands.
 */
import { analyzeTo, type AnalyzeOptions } from '../../src/pipeline.js';
import { HtmlSink } from '../../src/report/html.js';
import type { ReportTail } from '../../src/report/analysis.js';
import type { DataConnectionReport, Outcome, SessionReport, TimelineEntry } from '../../src/ftp/model.js';
import { OUTCOMES, DATA_MODES } from '../../src/ftp/model.js';
import { MemoryOut, TOOL } from './siem.js';
import { pcapFile } from '../helpers/build.js';
import { Clock, TcpConversation } from '../helpers/packets.js';

/** The HTML page of lab capture files, as `analyze --format html` makes it. */
export async function labPage(files: string[], opts: AnalyzeOptions = {}): Promise<string> {
  const out = new MemoryOut();
  await analyzeTo(files, { timeline: true, version: TOOL.version, ...opts }, new HtmlSink(out.asOut()));
  return out.text;
}

/** The page of hand-built sessions. */
export function pageOf(sessions: SessionReport[], tail: ReportTail = tailOf(sessions)): string {
  const out = new MemoryOut();
  const sink = new HtmlSink(out.asOut());
  sink.begin(TOOL);
  for (const s of sessions) sink.session(s);
  sink.end(tail);
  return out.text;
}

export function tailOf(sessions: SessionReport[]): ReportTail {
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const byMode = Object.fromEntries(DATA_MODES.map((m) => [m, 0])) as ReportTail['summary']['byMode'];
  let n = 0;
  for (const s of sessions) {
    for (const d of s.dataConnections) {
      byOutcome[d.outcome]++;
      byMode[d.mode]++;
      n++;
    }
  }
  return { inputs: [], complete: true, findings: [], summary: { sessions: sessions.length, dataConnections: n, byOutcome, byMode, findings: {} }, limits: {}, problems: {} };
}

/** A time `ms` milliseconds after 2026-11-26T12:00:00Z, with a nanosecond fraction. */
export function at(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.round((ms - sec * 1000) * 1e6);
  return `${new Date(Date.UTC(2026, 10, 26, 12, 0, 0) + sec * 1000).toISOString().slice(0, 19)}.${String(nsec).padStart(9, '0')}Z`;
}

/** Hostile strings: markup that would run script if it reached the page unescaped. */
export const EVIL = {
  user: '<script>window.__pwned = "user"</script>',
  file: '"><img src=x onerror="window.__pwned=\'file\'">.txt',
  file2: "</text></svg><script>window.__pwned='svg'</script>",
  banner: '220 <iframe src="javascript:window.__pwned=1"></iframe> & ]]>',
  reply: '550 <svg onload="window.__pwned=\'reply\'"/> not found',
  control: 'NUL\u0000ESC\u001b[31m BEL\u0007',
};

/**
 * Hand-built (not from a capture): one session whose user, file names, banner and replies are
 * script-like markup; one completed download and one passive connection that got no answer.
 */
export function handBuiltHostileSession(): SessionReport {
  const tl: TimelineEntry[] = [
    { time: at(1), frame: 4, from: 'server', text: EVIL.banner, code: 220 },
    { time: at(2), frame: 5, from: 'client', text: `USER ${EVIL.user}` },
    { time: at(3), frame: 6, from: 'server', text: '331 Password required', code: 331 },
    { time: at(4), frame: 7, from: 'client', text: 'PASS ********' },
    { time: at(5), frame: 8, from: 'server', text: `230 Welcome ${EVIL.user}`, code: 230 },
    { time: at(6), frame: 9, from: 'client', text: 'PASV' },
    { time: at(7), frame: 10, from: 'server', text: '227 Entering Passive Mode (203,0,113,7,117,48)', code: 227 },
    { time: at(8), frame: 11, from: 'client', text: `RETR ${EVIL.file}` },
    { time: at(20), frame: 15, from: 'server', text: `150 Opening ${EVIL.file} ${EVIL.control}`, code: 150 },
    { time: at(40), frame: 20, from: 'server', text: '226 Transfer complete', code: 226 },
    { time: at(50), frame: 21, from: 'client', text: 'PASV' },
    { time: at(51), frame: 22, from: 'server', text: '227 Entering Passive Mode (203,0,113,7,117,49)', code: 227 },
    { time: at(52), frame: 23, from: 'client', text: `RETR ${EVIL.file2}` },
    { time: at(3100), frame: 40, from: 'server', text: EVIL.reply, code: 550 },
    { time: at(3200), frame: 41, from: 'client', text: 'QUIT' },
    { time: at(3201), frame: 42, from: 'server', text: '221 Goodbye', code: 221 },
  ];
  const ok: DataConnectionReport = {
    id: 1,
    mode: 'passive',
    initiator: 'client',
    announced: { command: 'PASV', ip: '203.0.113.7', port: 30000, frame: 10, replyCode: 227 },
    from: { ip: '10.1.2.3', port: 50001 },
    to: { ip: '203.0.113.7', port: 30000 },
    tcp: {
      state: 'SF', history: 'ShADadFf', synFrame: 12, synRetransmits: 0, synAckFrame: 13, rstFrame: null, firstFrame: 12, lastFrame: 19, start: at(9), end: at(39),
      events: [
        { kind: 'syn', from: 'client', frame: 12, time: at(9) },
        { kind: 'syn-ack', from: 'server', frame: 13, time: at(10) },
        { kind: 'fin', from: 'server', frame: 18, time: at(38) },
        { kind: 'fin', from: 'client', frame: 19, time: at(39) },
      ],
    },
    command: 'RETR', argument: EVIL.file, path: null, direction: 'download', bytes: 10, expectedBytes: 10, missedBytes: 0, replies: [150, 226], replyText: 'Transfer complete', outcome: 'completed',
    firewallRule: 'client 10.1.2.3:50001 -> server 203.0.113.7:30000 (inbound to server)',
    diagnosis: `The download of ${EVIL.file} completed.`,
    wiresharkFilter: 'ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50001 && tcp.port == 30000',
  };
  const blocked: DataConnectionReport = {
    id: 2,
    mode: 'passive',
    initiator: 'client',
    announced: { command: 'PASV', ip: '203.0.113.7', port: 30001, frame: 22, replyCode: 227 },
    from: { ip: '10.1.2.3', port: 50002 },
    to: { ip: '203.0.113.7', port: 30001 },
    tcp: {
      state: 'S0', history: 'S', synFrame: 24, synRetransmits: 2, synAckFrame: null, rstFrame: null, firstFrame: 24, lastFrame: 30, start: at(53), end: at(3053),
      events: [
        { kind: 'syn', from: 'client', frame: 24, time: at(53) },
        { kind: 'syn-retransmit', from: 'client', frame: 27, time: at(1053) },
        { kind: 'syn-retransmit', from: 'client', frame: 30, time: at(3053) },
      ],
    },
    command: 'RETR', argument: EVIL.file2, path: null, direction: 'download', bytes: 0, expectedBytes: null, missedBytes: 0, replies: [550], replyText: EVIL.reply, outcome: 'no-answer',
    firewallRule: 'client 10.1.2.3:50002 -> server 203.0.113.7:30001 (inbound to server)',
    diagnosis: `The client's 3 SYNs to 203.0.113.7:30001 for ${EVIL.file2} got no answer over 3.0 s: a firewall in front of the server drops them.`,
    wiresharkFilter: 'ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50002 && tcp.port == 30001',
  };
  return {
    id: 1,
    client: { ip: '10.1.2.3', port: 50000 },
    server: { ip: '203.0.113.7', port: 21 },
    start: at(0),
    end: at(3300),
    banner: EVIL.banner,
    user: EVIL.user,
    password: '********',
    login: 'success',
    loginAttempts: 1,
    tls: false,
    mode: 'passive',
    midStream: false,
    capturePoint: 'near-client',
    commands: 7,
    controlState: 'SF',
    dataConnections: [ok, blocked],
    wiresharkFilter: `(ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50000 && tcp.port == 21) || (${ok.wiresharkFilter}) || (${blocked.wiresharkFilter})`,
    findings: [
      { code: 'data-no-answer', severity: 'error', message: blocked.diagnosis, frames: [22, 24, 27, 30], dataConnection: 2 },
      { code: 'cleartext-credentials', severity: 'warning', message: `The password of ${JSON.stringify(EVIL.user)} crossed the network in clear text (no AUTH TLS).`, frames: [7] },
    ],
    timeline: { entries: tl, dropped: 0, droppedAfter: tl.length },
  };
}

/**
 * Hand-built (not from a capture): one session of `commands` commands (a mirror job: PASV, RETR,
 * each answered), all transfers completed but every `failEvery`-th, whose SYNs got no answer.
 * Its timeline holds every command and reply (as if unbounded), so the page's own bounds are tested.
 */
export function handBuiltLongSession(commands = 10_000, failEvery = 1000): SessionReport {
  const tl: TimelineEntry[] = [];
  const dcs: DataConnectionReport[] = [];
  let frame = 1;
  let ms = 0;
  const push = (from: 'client' | 'server', text: string, code?: number): number => {
    const f = frame++;
    ms += 2;
    tl.push(code === undefined ? { time: at(ms), frame: f, from, text } : { time: at(ms), frame: f, from, text, code });
    return f;
  };
  push('server', '220 mirror ready', 220);
  push('client', 'USER mirror');
  push('server', '230 ok', 230);
  let n = 2;
  while (n + 2 <= commands) {
    const id = dcs.length + 1;
    const failed = id % failEvery === 0;
    push('client', 'PASV');
    const port = 30000 + (id % 20000);
    const annFrame = push('server', `227 Entering Passive Mode (203,0,113,7,${port >> 8},${port & 255})`, 227);
    push('client', `RETR file-${id}.bin`);
    n += 2;
    const synAt = ms + 1;
    const events: NonNullable<DataConnectionReport['tcp']>['events'] = failed
      ? [0, 1000, 3000].map((d, i) => ({ kind: i === 0 ? ('syn' as const) : ('syn-retransmit' as const), from: 'client' as const, frame: frame++, time: at(synAt + d) }))
      : [
          { kind: 'syn', from: 'client', frame: frame++, time: at(synAt) },
          { kind: 'syn-ack', from: 'server', frame: frame++, time: at(synAt + 0.5) },
          { kind: 'fin', from: 'server', frame: frame++, time: at(synAt + 1) },
        ];
    ms += failed ? 3002 : 2;
    if (failed) push('server', '425 Failed to establish connection.', 425);
    else {
      push('server', '150 Opening BINARY mode data connection', 150);
      push('server', '226 Transfer complete', 226);
    }
    dcs.push({
      id,
      mode: 'passive',
      initiator: 'client',
      announced: { command: 'PASV', ip: '203.0.113.7', port, frame: annFrame, replyCode: 227 },
      from: { ip: '10.1.2.3', port: 40000 + (id % 20000) },
      to: { ip: '203.0.113.7', port },
      tcp: { state: failed ? 'S0' : 'SF', history: failed ? 'S' : 'ShADadFf', synFrame: events[0].frame, synRetransmits: failed ? 2 : 0, synAckFrame: failed ? null : events[1].frame, rstFrame: null, firstFrame: events[0].frame, lastFrame: events[events.length - 1].frame, start: events[0].time, end: events[events.length - 1].time, events },
      command: 'RETR',
      argument: `file-${id}.bin`,
      path: null,
      direction: 'download',
      bytes: failed ? 0 : 100,
      expectedBytes: null,
      missedBytes: 0,
      replies: failed ? [425] : [150, 226],
      replyText: failed ? 'Failed to establish connection.' : 'Transfer complete',
      outcome: failed ? 'no-answer' : 'completed',
      firewallRule: `client 10.1.2.3:${40000 + (id % 20000)} -> server 203.0.113.7:${port} (inbound to server)`,
      diagnosis: `The client's 3 SYNs to 203.0.113.7:${port} got no answer over 3.0 s: a firewall in front of the server drops inbound connections to its passive ports.`,
      wiresharkFilter: `ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == ${40000 + (id % 20000)} && tcp.port == ${port}`,
    });
  }
  push('client', 'QUIT');
  push('server', '221 bye', 221);
  return {
    id: 1,
    client: { ip: '10.1.2.3', port: 39999 },
    server: { ip: '203.0.113.7', port: 21 },
    start: at(0),
    end: at(ms + 1),
    banner: '220 mirror ready',
    user: 'mirror',
    password: '********',
    login: 'success',
    loginAttempts: 1,
    tls: false,
    mode: 'passive',
    midStream: false,
    capturePoint: 'near-client',
    commands: n + 1,
    controlState: 'SF',
    dataConnections: dcs,
    wiresharkFilter: [`ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 39999 && tcp.port == 21`, ...dcs.map((d) => d.wiresharkFilter)].map((f) => `(${f})`).join(' || '),
    findings: dcs.filter((d) => d.outcome !== 'completed').map((d) => ({ code: 'data-no-answer' as const, severity: 'error' as const, message: d.diagnosis, frames: [d.announced?.frame ?? 1], dataConnection: d.id })),
    timeline: { entries: tl, dropped: 0, droppedAfter: tl.length },
  };
}

/**
 * Hand-built capture (not from the lab): one FTP session whose banner, user, file names and
 * replies are script-like markup (latin1 on the wire), a completed passive RETR and a refused one.
 */
export function handBuiltHostileCapture(): Buffer {
  const clock = new Clock();
  const client = '192.0.2.10';
  const server = '198.51.100.20';
  const ctl = new TcpConversation(clock, { ip: client, port: 50000 }, { ip: server, port: 21 });
  ctl.handshake();
  ctl.server(`${EVIL.banner}\r\n`);
  ctl.client(`USER ${EVIL.user}\r\n`);
  ctl.server(`331 Password required for ${EVIL.user}\r\n`);
  ctl.client('PASS <b>secret</b>\r\n');
  ctl.server(`230 Welcome ${EVIL.user}\r\n`);
  ctl.client('PASV\r\n');
  ctl.server('227 Entering Passive Mode (198,51,100,20,200,10).\r\n');
  const data = new TcpConversation(clock, { ip: client, port: 50001 }, { ip: server, port: 200 * 256 + 10 });
  data.handshake();
  ctl.client(`RETR ${EVIL.file}\r\n`);
  ctl.server(`150 Opening BINARY mode data connection for ${EVIL.file} (5 bytes)\r\n`);
  data.server('hello');
  data.close('server');
  ctl.server(`226 Transfer complete ${EVIL.control}\r\n`);
  ctl.client('PASV\r\n');
  ctl.server('227 Entering Passive Mode (198,51,100,20,200,11).\r\n');
  new TcpConversation(clock, { ip: client, port: 50002 }, { ip: server, port: 200 * 256 + 11 }).refused();
  ctl.client(`RETR ${EVIL.file2}\r\n`);
  ctl.server(`${EVIL.reply}\r\n`);
  ctl.client('QUIT\r\n');
  ctl.server('221 Bye\r\n');
  ctl.close();
  return pcapFile({ records: clock.records });
}
