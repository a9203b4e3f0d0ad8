/**
 * Every bound the analysis can hit shows in the JSON `limits` section under its name: a
 * hand-built capture (named as such) crossing each, analysed in-process. (The SYN-flood tests
 * cross TCP_MAX_CONNECTIONS and MAX_DATA_CANDIDATES; control.test.ts a 100 MB line and 100,000
 * announcements, through the CLI.)
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { analyze, analyzeTo } from '../../src/pipeline.js';
import { CollectSink, type ReportSink } from '../../src/report/analysis.js';
import { NdjsonSink } from '../../src/report/ndjson.js';
import { FilteredSink, buildFilter } from '../../src/cli/filters.js';
import { MemoryOut, ndjsonLines } from '../report/siem.js';
import { FORMATS, type FormatContext } from '../../src/report/formats.js';
import type { Out } from '../../src/report/out.js';
import { MAX_CORRELATE_RIVALS, MAX_EVENT_CLIENT_SPANS, MAX_PENDING_COMMANDS, MAX_REPLY_LINES, MAX_SESSION_ANNOUNCEMENTS, MAX_SIZE_CACHE, MAX_TRANSFER_REPLIES, TCP_MAX_SYN_RETRANSMIT_FRAMES, TCP_RETRANSMIT_CHECK_BYTES } from '../../src/limits.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import { pcapFile } from '../helpers/build.js';
import { Clock, TcpConversation, ethIpv4Tcp, inetChecksum, TCP } from '../helpers/packets.js';

/** The report's JSON Schema, which requires the `limits` names in kebab-case and their counts > 0. */
const validateReport = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object);

const C = { ip: '192.0.2.10', port: 40000 };
const S = { ip: '198.51.100.20', port: 21 };

async function limitsOf(clock: Clock): Promise<Record<string, number>> {
  const r = await analyze(['-'], { stdin: Readable.from([pcapFile({ records: clock.records })]) });
  expect(r.complete).toBe(true);
  return r.limits;
}

function session(clock: Clock): TcpConversation {
  return new TcpConversation(clock, C, S).handshake().server('220 hand-built limits\r\n').client('USER alice\r\n').server('331 pw\r\n').client('PASS x\r\n').server('230 ok\r\n');
}

/** The IPv4 header of an Ethernet frame rewritten as a fragment (offset in 8-byte units, MF). */
function asFragment(frame: Buffer, id: number, offset8: number, more: boolean): Buffer {
  const f = Buffer.from(frame);
  f.writeUInt16BE(id, 18);
  f.writeUInt16BE((more ? 0x2000 : 0) | offset8, 20);
  f.writeUInt16BE(0, 24);
  f.writeUInt16BE(inetChecksum(f.subarray(14, 34)), 24);
  return f;
}

describe('limits (hand-built captures crossing each bound)', () => {
  it('ftp-lines-truncated: a 20 KiB command line (MAX_CONTROL_LINE_BYTES 8 KiB)', async () => {
    const clock = new Clock();
    session(clock).client(`CWD ${'d'.repeat(20_000)}\r\n`).server('250 ok\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    expect((await limitsOf(clock))['ftp-lines-truncated']).toBe(1);
  });

  it('ftp-reply-lines-dropped: a 100-line reply (MAX_REPLY_LINES)', async () => {
    const clock = new Clock();
    const lines = Array.from({ length: 98 }, (_, i) => ` feature ${i}\r\n`).join('');
    session(clock).client('FEAT\r\n').server(`211-Features:\r\n${lines}211 End\r\n`).client('QUIT\r\n').server('221 bye\r\n').close();
    expect((await limitsOf(clock))['ftp-reply-lines-dropped']).toBe(100 - MAX_REPLY_LINES);
  });

  it('ftp-pending-commands-dropped: 100 commands never answered (MAX_PENDING_COMMANDS)', async () => {
    const clock = new Clock();
    session(clock).client('NOOP\r\n'.repeat(100)).close();
    expect((await limitsOf(clock))['ftp-pending-commands-dropped']).toBe(100 - MAX_PENDING_COMMANDS);
  });

  it('ftp-announcements-dropped: 10,100 PORT commands (MAX_SESSION_ANNOUNCEMENTS)', async () => {
    const clock = new Clock();
    const c = session(clock);
    for (let i = 0; i < 101; i++) c.client(Array.from({ length: 100 }, (_, j) => `PORT 192,0,2,10,${4 + (j % 200)},${i}\r\n`).join('')).server('200 ok\r\n'.repeat(100));
    c.close();
    expect((await limitsOf(clock))['ftp-announcements-dropped']).toBe(10_100 - MAX_SESSION_ANNOUNCEMENTS);
  });

  it('tcp-evicted-idle: an unanswered SYN outlives TCP_ATTEMPT_TIMEOUT_SEC', async () => {
    const clock = new Clock();
    clock.push(ethIpv4Tcp({ ip: '192.0.2.99', port: 1234 }, { ip: '203.0.113.1', port: 80 }, 1, 0, TCP.SYN));
    clock.tick(90_000_000);
    session(clock).close();
    expect((await limitsOf(clock))['tcp-evicted-idle']).toBeGreaterThanOrEqual(1);
  });

  it('tcp-gaps-timed-out: control bytes wait behind a hole past TCP_GAP_TIMEOUT_SEC', async () => {
    const clock = new Clock();
    const c = session(clock);
    // The client's next 6 bytes ("NOOP\r\n") never reach the capture; what follows them waits.
    const seq = 0x10000000 + 1 + 'USER alice\r\n'.length + 'PASS x\r\n'.length;
    clock.push(ethIpv4Tcp(C, S, seq + 6, 0x20000000 + 1, TCP.PSH, Buffer.from('PWD\r\n')));
    clock.tick(70_000_000);
    clock.push(ethIpv4Tcp(S, C, 0x20000000 + 1 + 100, seq, TCP.PSH | TCP.ACK, Buffer.from('x')));
    void c;
    expect((await limitsOf(clock))['tcp-gaps-timed-out']).toBeGreaterThanOrEqual(1);
  });

  it('tcp-out-of-window-segments: a segment 2^31 bytes away (TCP_MAX_SEQ_JUMP)', async () => {
    const clock = new Clock();
    session(clock);
    clock.push(ethIpv4Tcp(C, S, 0x90000000, 0x20000000, TCP.PSH | TCP.ACK, Buffer.from('NOOP\r\n')));
    expect((await limitsOf(clock))['tcp-out-of-window-segments']).toBe(1);
  });

  it('tcp-acks-implausible: an ACK 64 MiB past the next byte (TCP_MAX_ACK_SKIP)', async () => {
    const clock = new Clock();
    session(clock);
    clock.push(ethIpv4Tcp(C, S, 0x10000000 + 1 + 20, (0x20000000 + 64 * 1024 * 1024) >>> 0, TCP.ACK));
    expect((await limitsOf(clock))['tcp-acks-implausible']).toBeGreaterThanOrEqual(1);
  });

  it('ip-fragments-expired: a first fragment whose rest never comes (FRAG_TIMEOUT_SEC)', async () => {
    const clock = new Clock();
    const big = ethIpv4Tcp({ ip: '192.0.2.50', port: 5000 }, { ip: '198.51.100.50', port: 6000 }, 1, 1, TCP.ACK, Buffer.alloc(64, 0x61));
    clock.push(asFragment(big.subarray(0, 14 + 20 + 40), 7, 0, true));
    clock.tick(40_000_000);
    clock.push(asFragment(big.subarray(0, 14 + 20 + 40), 8, 0, true));
    expect((await limitsOf(clock))['ip-fragments-expired']).toBeGreaterThanOrEqual(1);
  });
});

/**
 * The bounds that only drop a detail (a reply not listed, a size not remembered, a frame not
 * listed, bytes not compared, announcements not weighed, a client not remembered): each counted
 * under its name, exactly, and the rest of the report as it would be without the bound.
 */
describe('limits that drop a detail (hand-built captures crossing each bound)', () => {
  const PASV_PORT = 50000;
  const pasvReply = (port: number): string => `227 Entering Passive Mode (198,51,100,20,${port >> 8},${port & 0xff})\r\n`;

  /** The client opens the announced passive port, `bytes` bytes come down, the server closes. */
  function passiveData(clock: Clock, port: number, bytes: number, from = C.ip): void {
    const d = new TcpConversation(clock, { ip: from, port: 41000 + (port % 1000) }, { ip: S.ip, port }, { client: 0x30000000, server: 0x40000000 });
    d.handshake();
    if (bytes > 0) d.server(Buffer.alloc(bytes, 0x78));
    d.close('server');
  }

  /** PORT, then the server's SYN to it 21 times (20 retransmissions), never answered; 425. */
  function synRetransmitted21(): Clock {
    const clock = new Clock();
    const c = session(clock);
    c.client('PORT 192,0,2,10,156,104\r\n').server('200 ok\r\n').client('RETR f\r\n');
    const from = { ip: S.ip, port: 20 };
    const to = { ip: C.ip, port: 40040 };
    for (let i = 0; i < 21; i++) {
      clock.push(ethIpv4Tcp(from, to, 0x50000000, 0, TCP.SYN));
      clock.tick(200_000);
    }
    c.server('425 no connection\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    return clock;
  }

  async function run(clock: Clock): Promise<AnalysisReport> {
    const r = await analyze(['-'], { stdin: Readable.from([pcapFile({ records: clock.records })]) });
    expect(r.complete).toBe(true);
    return r;
  }

  it(`ftp-replies-dropped: 20 preliminary replies to one RETR and 20 failed logins (MAX_TRANSFER_REPLIES ${MAX_TRANSFER_REPLIES})`, async () => {
    const clock = new Clock();
    const c = new TcpConversation(clock, C, S).handshake().server('220 hand-built limits\r\n');
    for (let i = 0; i < 20; i++) c.client('USER alice\r\n').server('331 pw\r\n').client('PASS wrong\r\n').server('530 no\r\n');
    c.client('USER alice\r\n').server('331 pw\r\n').client('PASS right\r\n').server('230 ok\r\n');
    c.client('PASV\r\n').server(pasvReply(PASV_PORT)).client('RETR f\r\n');
    for (let i = 0; i < 20; i++) c.server('150 still opening\r\n');
    passiveData(clock, PASV_PORT, 10);
    c.server('226 done\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    const r = await run(clock);
    // 21 login replies (20 failed, 1 success) and 21 replies to RETR (20 x 150, 226), 16 kept of each.
    // This bound and no other.
    expect(Object.keys(r.limits)).toEqual(['ftp-replies-dropped']);
    expect(r.limits['ftp-replies-dropped']).toBe(2 * (21 - MAX_TRANSFER_REPLIES));
    const s = r.sessions[0];
    // The counts stay whole: every login attempt, every failure.
    expect(s.loginAttempts).toBe(21);
    expect(s.login).toBe('success');
    expect(s.findings.find((f) => f.code === 'login-failed')?.message).toMatch(/^20 login attempts failed/);
    const d = s.dataConnections[0];
    expect(d.replies).toEqual(Array(MAX_TRANSFER_REPLIES).fill(150));
    // The final reply decides the outcome even when it is not listed.
    expect(d.outcome).toBe('completed');
    expect(d.bytes).toBe(10);
  });

  it(`ftp-sizes-dropped: SIZE of ${MAX_SIZE_CACHE + 6} files (MAX_SIZE_CACHE)`, async () => {
    const clock = new Clock();
    const c = session(clock);
    const n = MAX_SIZE_CACHE + 6;
    for (let i = 0; i < n; i++) c.client(`SIZE f${i}\r\n`).server(`213 ${100 + i}\r\n`);
    // A file already remembered is updated although the cache is full: not a drop.
    c.client('SIZE f0\r\n').server('213 7\r\n');
    c.client('PASV\r\n').server(pasvReply(PASV_PORT)).client('RETR f0\r\n').server('150 go\r\n');
    passiveData(clock, PASV_PORT, 7);
    c.server('226 done\r\n');
    c.client('PASV\r\n').server(pasvReply(PASV_PORT + 1)).client(`RETR f${n - 1}\r\n`).server('150 go\r\n');
    passiveData(clock, PASV_PORT + 1, 9);
    c.server('226 done\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    const r = await run(clock);
    // This bound and no other.
    expect(Object.keys(r.limits)).toEqual(['ftp-sizes-dropped']);
    expect(r.limits['ftp-sizes-dropped']).toBe(6);
    const [first, last] = r.sessions[0].dataConnections;
    expect(first).toMatchObject({ argument: 'f0', expectedBytes: 7, bytes: 7, outcome: 'completed' });
    // Its size was one of those not remembered: unknown, so the transfer is judged without it.
    expect(last).toMatchObject({ argument: `f${n - 1}`, expectedBytes: null, bytes: 9, outcome: 'completed' });
  });

  it(`correlation-rivals-cut: 70 announcements of one passive port before a connection from a third host (MAX_CORRELATE_RIVALS ${MAX_CORRELATE_RIVALS})`, async () => {
    const clock = new Clock();
    const c = session(clock);
    // A server with a single passive port (vsftpd pasv_min_port = pasv_max_port) answers 70 PASV.
    for (let i = 0; i < 70; i++) c.client('PASV\r\n').server(pasvReply(PASV_PORT));
    // A host that is neither end of the session connects to that port: no announcement explains
    // it perfectly, so each of them is weighed, up to the bound.
    passiveData(clock, PASV_PORT, 0, '203.0.113.9');
    c.client('QUIT\r\n').server('221 bye\r\n').close();
    const r = await run(clock);
    // This bound and no other.
    expect(Object.keys(r.limits)).toEqual(['correlation-rivals-cut']);
    expect(r.limits['correlation-rivals-cut']).toBe(1);
    const data = r.sessions[0].dataConnections;
    expect(data).toHaveLength(70);
    // The nearest announcement still wins: the latest, among those weighed.
    expect(data[69].from).toEqual({ ip: '203.0.113.9', port: 41000 });
    expect(data.slice(0, 69).every((d) => d.outcome === 'not-attempted')).toBe(true);
  });

  it(`tcp-syn-retransmit-frames-unlisted: an active data connection's SYN sent 21 times (TCP_MAX_SYN_RETRANSMIT_FRAMES ${TCP_MAX_SYN_RETRANSMIT_FRAMES})`, async () => {
    const r = await run(synRetransmitted21());
    // This bound and no other.
    expect(Object.keys(r.limits)).toEqual(['tcp-syn-retransmit-frames-unlisted']);
    expect(r.limits['tcp-syn-retransmit-frames-unlisted']).toBe(20 - TCP_MAX_SYN_RETRANSMIT_FRAMES);
    const d = r.sessions[0].dataConnections[0];
    expect(d.outcome).toBe('no-answer');
    // Every retransmission counted, listed or not.
    expect(d.tcp?.synRetransmits).toBe(20);
  });

  it('a counter shows in every format that shows limits: text, json, xml, html (NDJSON and OCSF carry none)', async () => {
    const capture = pcapFile({ records: synRetransmitted21().records });
    const shown: Record<string, string> = {};
    for (const format of ['text', 'json', 'xml', 'html', 'ndjson', 'ocsf']) {
      const out = new MemoryOut();
      const sink = new FilteredSink((FORMATS[format] as (o: Out, c: FormatContext) => ReportSink)(out.asOut(), { tty: false }), buildFilter({}));
      await analyzeTo(['-'], { stdin: Readable.from([capture]), timeline: format === 'html' }, sink);
      shown[format] = out.text;
    }
    // Frames counted but not listed lose nothing: a statistic, apart from the limits that lost something.
    expect(shown.text).toContain('Statistics (nothing lost): tcp-syn-retransmit-frames-unlisted 4 (SYN retransmission frames counted, not listed)');
    expect(shown.text).not.toContain('Limits reached');
    const json = JSON.parse(shown.json) as AnalysisReport;
    expect(json.limits).toEqual({ 'tcp-syn-retransmit-frames-unlisted': 4 });
    expect(validateReport(json) ? [] : validateReport.errors).toEqual([]);
    // ...and the schema holds the names to their form and the counts to "only when hit".
    expect(validateReport({ ...json, limits: { tcp_syn_frames: 4 } })).toBe(false);
    expect(validateReport({ ...json, limits: { 'tcp-syn-retransmit-frames-unlisted': 0 } })).toBe(false);
    expect(shown.xml).toMatch(/<limits>\s*<tcp-syn-retransmit-frames-unlisted>4<\/tcp-syn-retransmit-frames-unlisted>\s*<\/limits>/);
    expect(shown.html).toContain('Statistics (nothing lost): tcp-syn-retransmit-frames-unlisted 4');
    expect(shown.ndjson).not.toContain('tcp-syn-retransmit-frames-unlisted');
    expect(shown.ocsf).not.toContain('tcp-syn-retransmit-frames-unlisted');
  });

  it(`tcp-retransmit-bytes-unchecked: a command retransmitted after ${TCP_RETRANSMIT_CHECK_BYTES} later bytes (TCP_RETRANSMIT_CHECK_BYTES)`, async () => {
    const clock = new Clock();
    const c = session(clock);
    c.client(`CWD /${'d'.repeat(TCP_RETRANSMIT_CHECK_BYTES)}\r\n`).server('250 ok\r\n');
    // "USER alice\r\n" (12 bytes at the client's first sequence number) again, with other bytes:
    // too old to compare with what was delivered, so neither a conflict nor a second command.
    clock.push(ethIpv4Tcp(C, S, 0x10000000 + 1, 0x20000000 + 1, TCP.PSH | TCP.ACK, Buffer.from('USER mallet\n')));
    c.client('QUIT\r\n').server('221 bye\r\n').close();
    const r = await run(clock);
    // This bound and no other.
    expect(Object.keys(r.limits)).toEqual(['tcp-retransmit-bytes-unchecked']);
    expect(r.limits['tcp-retransmit-bytes-unchecked']).toBe(12);
    const s = r.sessions[0];
    expect(s).toMatchObject({ user: 'alice', commands: 4, login: 'success' });
  });
});

describe('event-client-spans-skipped (MAX_EVENT_CLIENT_SPANS, the analyze command\'s sinks)', () => {
  it(`a SYN flood to port 21 from ${MAX_EVENT_CLIENT_SPANS + 16} sources, then a brute-forcing client`, async () => {
    const clock = new Clock();
    // Hand-built: one unanswered SYN to port 21 from each of 16,400 addresses, each a session.
    const flood = MAX_EVENT_CLIENT_SPANS + 16;
    for (let i = 0; i < flood; i++) {
      clock.push(ethIpv4Tcp({ ip: `10.0.${i >> 8}.${i & 0xff}`, port: 1024 + (i % 60000) }, S, i * 7919, 0, TCP.SYN));
    }
    // A minute later (the attempts have timed out: their sessions are reported), a client past
    // the bound: a successful session (not remembered), then five failures.
    clock.tick(70_000_000);
    const X = '203.0.113.50';
    for (let i = 0; i < 6; i++) {
      const c = new TcpConversation(clock, { ip: X, port: 45000 + i }, S).handshake().server('220 hand-built\r\n');
      c.client('USER bob\r\n').server('331 pw\r\n').client(i === 0 ? 'PASS right\r\n' : 'PASS wrong\r\n').server(i === 0 ? '230 ok\r\n' : '530 no\r\n');
      c.client('QUIT\r\n').server('221 bye\r\n').close();
      clock.tick(5_000_000);
    }
    const capture = pcapFile({ records: clock.records });
    const collect = new CollectSink();
    const ndjson = new MemoryOut();
    const events = new NdjsonSink(ndjson.asOut());
    const both: ReportSink = {
      begin: (t) => (collect.begin(t), events.begin(t)),
      session: (s) => (collect.session(s), events.session(s)),
      end: (t) => (collect.end(t), events.end(t)),
    };
    await analyzeTo(['-'], { stdin: Readable.from([capture]) }, new FilteredSink(both, buildFilter({})));
    const r = collect.report as AnalysisReport;
    // The flood's last 16 clients and X's first session: not remembered, counted.
    expect(r.limits['event-client-spans-skipped']).toBe(16 + 1);
    expect(r.sessions).toHaveLength(flood + 6);
    expect(r.summary.sessions).toBe(flood + 6);
    // X's failed logins are remembered past the bound: its brute-force finding is there, timed
    // by the sessions remembered (from its first failure, not its first session).
    const brute = ndjsonLines(ndjson.text).filter((e) => (e as { rule?: { id?: string } }).rule?.id === 'brute-force');
    expect(brute).toHaveLength(1);
    const xs = r.sessions.filter((s) => s.client.ip === X);
    expect(xs.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6].map((i) => flood + i));
    expect((brute[0] as { source: { ip: string }; event: { start: string; end: string } }).source.ip).toBe(X);
    expect((brute[0] as { event: { start: string } }).event.start).toBe(xs[1].start);
  }, 30_000);
});
