/**
 * Hand-built hostile captures against the FTP control channel: a 100 MB line, 100,000 PASV replies
 * in one session, a PORT storm to many third-party hosts, overlapping segments that disagree.
 * Each runs the built CLI under GNU time: exit status, what it printed, peak RSS, time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FULL, PcapWriter, StreamConversation, measure, noStackTrace, report, tempDir } from './gen.js';
import { ethIpv4Tcp, TCP } from '../helpers/packets.js';

let tmp: { dir: string; cleanup: () => void };
const CLIENT = { ip: '192.0.2.10', port: 40000 };
const SERVER = { ip: '198.51.100.20', port: 21 };
const PASVS = 100_000;
const PORTS = FULL ? 100_000 : 30_000;
const LINE_MB = 100;

interface Report {
  sessions: { user: string | null; dataConnections: unknown[]; findings: { code: string }[]; commands: number }[];
  limits: Record<string, number>;
  inputs: { complete: boolean; packets: number }[];
}

function login(c: StreamConversation): StreamConversation {
  return c.handshake().server('220 hostile\r\n').client('USER alice\r\n').server('331 pw\r\n').client('PASS x\r\n').server('230 ok\r\n');
}

beforeAll(() => {
  tmp = tempDir();
  {
    // 100 MB of 'A' after "USER ", no LF, in 64,000-byte segments (each ACKed), then a normal QUIT.
    const w = new PcapWriter(join(tmp.dir, 'long-line.pcap'));
    const c = new StreamConversation(w, CLIENT, SERVER);
    c.handshake().server('220 hostile\r\n').client('USER ');
    const seg = Buffer.alloc(64_000, 0x41);
    for (let sent = 0; sent < LINE_MB * 1_000_000; sent += seg.length) c.client(seg);
    c.client('\r\nPASS x\r\n').server('331 pw\r\n').server('230 ok\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    w.close();
  }
  {
    // 100,000 PASV commands and as many 227 replies, 500 to a segment, to ports 1024..
    const w = new PcapWriter(join(tmp.dir, 'pasv.pcap'));
    const c = login(new StreamConversation(w, CLIENT, SERVER));
    const per = 500;
    for (let i = 0; i < PASVS; i += per) {
      c.client('PASV\r\n'.repeat(per));
      let r = '';
      for (let j = i; j < i + per; j++) r += `227 Entering Passive Mode (198,51,100,20,${4 + ((j >> 8) % 250)},${j & 255})\r\n`;
      c.server(r);
    }
    c.client('QUIT\r\n').server('221 bye\r\n').close();
    w.close();
  }
  {
    // PORT to PORTS distinct public third-party hosts (RFC 2577 bounce), each accepted; the server
    // SYNs to every 100th of them, unanswered.
    const w = new PcapWriter(join(tmp.dir, 'port-storm.pcap'));
    const c = login(new StreamConversation(w, CLIENT, SERVER));
    const per = 200;
    for (let i = 0; i < PORTS; i += per) {
      let cmds = '';
      for (let j = i; j < i + per; j++) cmds += `PORT 203,${(j >> 16) & 255},${(j >> 8) & 255},${j & 255},${4 + (j % 200)},${j & 255}\r\n`;
      c.client(cmds);
      c.server('200 PORT command successful\r\n'.repeat(per));
      for (let j = i; j < i + per; j += 100) {
        const to = { ip: `203.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`, port: (4 + (j % 200)) * 256 + (j & 255) };
        w.record(c.sec, c.usec, ethIpv4Tcp({ ip: SERVER.ip, port: 20 }, to, j, 0, TCP.SYN));
      }
    }
    c.client('QUIT\r\n').server('221 bye\r\n').close();
    w.close();
  }
  {
    // Overlapping segments that disagree: "USER alice\r\n" sent, then the same sequence numbers
    // carrying "USER mallo\r\n"; a segment overlapping the PASS line's tail with other bytes; and
    // an out-of-order segment later overwritten by a disagreeing in-order one.
    const w = new PcapWriter(join(tmp.dir, 'overlap.pcap'));
    const c = new StreamConversation(w, CLIENT, SERVER);
    c.handshake().server('220 hostile\r\n');
    const seq = c.cseq;
    c.client('USER alice\r\n', false);
    w.record(c.sec, c.usec + 50, ethIpv4Tcp(CLIENT, SERVER, seq, c.sseq, TCP.PSH | TCP.ACK, Buffer.from('USER mallo\r\n')));
    c.server('331 pw\r\n');
    const seq2 = c.cseq;
    // Out of order: the second half first, then the first half overlapping it with other bytes.
    w.record(c.sec, c.usec + 60, ethIpv4Tcp(CLIENT, SERVER, seq2 + 4, c.sseq, TCP.PSH | TCP.ACK, Buffer.from(' secret\r\n')));
    w.record(c.sec, c.usec + 70, ethIpv4Tcp(CLIENT, SERVER, seq2, c.sseq, TCP.PSH | TCP.ACK, Buffer.from('PASS XXXXXXX\r\n')));
    c.cseq = (seq2 + 'PASS secret\r\n'.length) >>> 0;
    c.usec += 100;
    c.server('230 ok\r\n').client('QUIT\r\n').server('221 bye\r\n').close();
    w.close();
  }
  {
    // 50,000 RETRs of 1 KB names (each 550) and 50,000 malformed PORTs of 1 KB: the session must
    // not keep every name and every bad line (100 MB of them).
    const w = new PcapWriter(join(tmp.dir, 'retr-names.pcap'));
    const c = login(new StreamConversation(w, CLIENT, SERVER));
    const name = 'n'.repeat(1000);
    for (let i = 0; i < 100_000; i += 50) {
      let cmds = '';
      for (let j = i; j < i + 50; j++) cmds += j % 2 ? `RETR ${j}${name}\r\n` : `PORT ${j},${name}\r\n`;
      c.client(cmds);
      c.server('550 no\r\n501 bad\r\n'.repeat(25));
    }
    c.client('QUIT\r\n').server('221 bye\r\n').close();
    w.close();
  }
  {
    // A password spray: 20,000 clients, one failed login each with a 4 KiB user name.
    const w = new PcapWriter(join(tmp.dir, 'spray.pcap'));
    for (let i = 0; i < 20_000; i++) {
      const c = new StreamConversation(w, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000) }, SERVER, 1_700_000_000 + Math.floor(i / 100), (i % 100) * 10_000);
      c.handshake().server('220 hostile\r\n').client(`USER ${'u'.repeat(4096)}${i}\r\n`).server('331 pw\r\n').client('PASS x\r\n').server('530 no\r\n').close();
    }
    w.close();
  }
}, 120_000);

afterAll(() => tmp.cleanup());

describe('hostile (hand-built): control channel', () => {
  it(`a ${LINE_MB} MB command line: cut at MAX_CONTROL_LINE_BYTES, counted, the session goes on`, async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'long-line.pcap')]);
    report('100MB-line', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0].user?.length).toBeLessThanOrEqual(8 * 1024);
    expect(r.limits['ftp-lines-truncated']).toBe(1);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(20);
  }, 60_000);

  it('100,000 PASV replies in one session: 10,000 announcements kept, the rest counted', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'pasv.pcap')]);
    report('100k-PASV', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0].dataConnections).toHaveLength(10_000);
    expect(r.limits['ftp-announcements-dropped']).toBe(PASVS - 10_000);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(20);
  }, 60_000);

  it(`a PORT storm to ${PORTS} third-party hosts: ftp-bounce findings, bounded`, async () => {
    const m = await measure(['analyze', '--format', 'json', '--fail-on', 'error', join(tmp.dir, 'port-storm.pcap')]);
    report('PORT-storm', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(1); // ftp-bounce is an error finding: --fail-on error
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0].findings.some((f) => f.code === 'ftp-bounce')).toBe(true);
    expect(r.limits['ftp-announcements-dropped'] ?? 0).toBe(Math.max(0, PORTS - 10_000));
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(FULL ? 60 : 20);
  }, 120_000);

  it('50,000 RETRs of 1 KB names and 50,000 malformed PORTs in one session: bounded', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'retr-names.pcap')]);
    report('100k-long-RETR-and-bad-PORT', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(1);
    expect(r.limits['ftp-lines-truncated'] ?? 0).toBe(0);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(30);
  }, 120_000);

  it('a password spray from 20,000 clients with 4 KiB user names: bounded', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'spray.pcap')], { keepStdout: 1024 });
    report('login-spray-20k-clients', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(30);
  }, 120_000);

  it('overlapping segments that disagree: first copy kept, conflict counted, no crash', async () => {
    const m = await measure(['analyze', '--format', 'json', join(tmp.dir, 'overlap.pcap')]);
    report('overlap-disagree', m);
    expect(noStackTrace(m.stderr)).toBe(true);
    expect(m.code).toBe(0);
    const r = JSON.parse(m.stdout) as Report;
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0].user).toBe('alice');
    // Only followed (control) streams can compare bytes: `connections` follows none, so it
    // counts the retransmission, not the conflict.
    const c = await measure(['connections', '--format', 'json', join(tmp.dir, 'overlap.pcap')]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/"retransmittedBytes":\s*[1-9]/);
    expect(m.rssMb).toBeLessThan(150);
    expect(m.seconds).toBeLessThan(10);
  }, 60_000);
});
