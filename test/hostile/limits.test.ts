/**
 * Every bound the analysis can hit shows in the JSON `limits` section under its name: a
 * hand-built capture (named as such) crossing each, analysed in-process. (The SYN-flood tests
 * cross TCP_MAX_CONNECTIONS and MAX_DATA_CANDIDATES; control.test.ts a 100 MB line and 100,000
 * announcements, through the CLI.)
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { analyze } from '../../src/pipeline.js';
import { MAX_PENDING_COMMANDS, MAX_REPLY_LINES, MAX_SESSION_ANNOUNCEMENTS } from '../../src/limits.js';
import { pcapFile } from '../helpers/build.js';
import { Clock, TcpConversation, ethIpv4Tcp, inetChecksum, TCP } from '../helpers/packets.js';

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
