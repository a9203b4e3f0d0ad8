/**
 * Generators of hand-built hostile captures (issue 9), written at test time into a temp dir (never
 * committed: some are 100 MB). Frames come from test/helpers/packets.ts (correct seq/ack and
 * checksums) where there are few of them; floods patch one template frame in place (addresses,
 * ports, sequence number), leaving its checksums stale: the decoder does not verify them
 * (src/decode/ipv4.ts: offloaded checksums are the norm on the capturing host).
 *
 * Runs of the built CLI are measured with GNU time (peak RSS, wall time) and checked for the
 * things a hostile input must never cause: a stack trace, an exit status other than 0/1/2.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { ethIpv4Tcp, TCP, type TcpEnd } from '../helpers/packets.js';

export const FULL = process.env.HOSTILE_FULL === '1';

/** A temp dir for one test file's captures; HOSTILE_DIR=path keeps them there (to rerun by hand). */
export function tempDir(): { dir: string; cleanup: () => void } {
  const keep = process.env.HOSTILE_DIR;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    return { dir: keep, cleanup: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-hostile-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A classic little-endian microsecond pcap written record by record through a 4 MiB buffer. */
export class PcapWriter {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  private pos = 0;
  records = 0;

  constructor(path: string, snaplen = 262144, linkType = 1) {
    this.fd = openSync(path, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    this.put(h);
  }

  private put(b: Buffer): void {
    if (this.pos + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      writeSync(this.fd, b);
      return;
    }
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  private flush(): void {
    if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }

  /** One record; `usec` may exceed a second (normalised here). `orig` defaults to the data length. */
  record(sec: number, usec: number, data: Buffer, orig = data.length, caplen = data.length): void {
    sec += Math.floor(usec / 1e6);
    usec %= 1e6;
    if (this.pos + 16 + caplen > this.buf.length) this.flush();
    if (16 + caplen > this.buf.length) throw new Error('record larger than the writer buffer');
    const b = this.buf;
    b.writeUInt32LE(sec >>> 0, this.pos);
    b.writeUInt32LE(usec >>> 0, this.pos + 4);
    b.writeUInt32LE(caplen, this.pos + 8);
    b.writeUInt32LE(orig, this.pos + 12);
    data.copy(b, this.pos + 16, 0, caplen);
    this.pos += 16 + caplen;
    this.records++;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * A TCP conversation written straight into a PcapWriter (like TcpConversation, without keeping
 * every frame in memory): handshake, payloads both ways with ACKs, FIN exchange.
 */
export class StreamConversation {
  cseq = 0x10000000;
  sseq = 0x20000000;
  constructor(
    private readonly w: PcapWriter,
    readonly c: TcpEnd,
    readonly s: TcpEnd,
    public sec = 1_700_000_000,
    public usec = 0,
  ) {}

  private emit(frame: Buffer, stepUs = 100): void {
    this.w.record(this.sec, this.usec, frame);
    this.usec += stepUs;
    this.sec += Math.floor(this.usec / 1e6);
    this.usec %= 1e6;
  }

  handshake(): this {
    this.emit(ethIpv4Tcp(this.c, this.s, this.cseq, 0, TCP.SYN));
    this.cseq++;
    this.emit(ethIpv4Tcp(this.s, this.c, this.sseq, this.cseq, TCP.SYN | TCP.ACK));
    this.sseq++;
    this.emit(ethIpv4Tcp(this.c, this.s, this.cseq, this.sseq, TCP.ACK));
    return this;
  }

  client(data: string | Buffer, ack = true): this {
    return this.send(true, typeof data === 'string' ? Buffer.from(data, 'latin1') : data, ack);
  }

  server(data: string | Buffer, ack = true): this {
    return this.send(false, typeof data === 'string' ? Buffer.from(data, 'latin1') : data, ack);
  }

  private send(fromClient: boolean, payload: Buffer, ack: boolean): this {
    const [a, b] = fromClient ? [this.c, this.s] : [this.s, this.c];
    const seq = fromClient ? this.cseq : this.sseq;
    const peer = fromClient ? this.sseq : this.cseq;
    this.emit(ethIpv4Tcp(a, b, seq, peer, TCP.PSH | TCP.ACK, payload));
    if (ack) this.emit(ethIpv4Tcp(b, a, peer, (seq + payload.length) >>> 0, TCP.ACK));
    if (fromClient) this.cseq = (this.cseq + payload.length) >>> 0;
    else this.sseq = (this.sseq + payload.length) >>> 0;
    return this;
  }

  close(): this {
    this.emit(ethIpv4Tcp(this.c, this.s, this.cseq, this.sseq, TCP.FIN | TCP.ACK));
    this.emit(ethIpv4Tcp(this.s, this.c, this.sseq, this.cseq + 1, TCP.FIN | TCP.ACK));
    this.emit(ethIpv4Tcp(this.c, this.s, this.cseq + 1, this.sseq + 1, TCP.ACK));
    this.cseq++;
    this.sseq++;
    return this;
  }
}

/** Offsets in an Ethernet/IPv4/TCP frame without options. */
const IP_SRC = 14 + 12;
const IP_DST = 14 + 16;
const TCP_SPORT = 34;
const TCP_DPORT = 36;
const TCP_SEQ = 38;

/** A SYN template whose addresses, ports and sequence number are patched per frame. */
export class SynTemplate {
  readonly frame = ethIpv4Tcp({ ip: '10.0.0.1', port: 1024 }, { ip: '198.51.100.20', port: 21 }, 1, 0, TCP.SYN);
  set(src: number, sport: number, dst: number, dport: number, seq: number): Buffer {
    const f = this.frame;
    f.writeUInt32BE(src >>> 0, IP_SRC);
    f.writeUInt32BE(dst >>> 0, IP_DST);
    f.writeUInt16BE(sport, TCP_SPORT);
    f.writeUInt16BE(dport, TCP_DPORT);
    f.writeUInt32BE(seq >>> 0, TCP_SEQ);
    return f;
  }
}

export const ip4 = (s: string): number => s.split('.').reduce((a, p) => a * 256 + Number(p), 0);

/** A deterministic PRNG (mulberry32): the same hostile file on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** gzip of `head` followed by `zeros` zero bytes, streamed (the compressed file is ~1/1000). */
export async function gzipZeros(path: string, head: Buffer, zeros: number): Promise<void> {
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gz.on('error', reject);
  });
  gz.pipe(out);
  const write = (b: Buffer) => new Promise<void>((resolve) => (gz.write(b) ? resolve() : gz.once('drain', resolve)));
  await write(head);
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let left = zeros; left > 0; left -= chunk.length) await write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  gz.end();
  await done;
}

export interface Measured {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in MB (GNU time's %M). */
  rssMb: number;
  /** Wall-clock seconds. */
  seconds: number;
}

/**
 * Runs the built executable through its shebang (as a user runs it, with its V8 flags) under
 * GNU time. stdout is kept up to `keepStdout` bytes (a 10,000-finding report is not needed whole).
 */
export function measure(args: string[], opts: { keepStdout?: number; timeoutMs?: number } = {}): Promise<Measured> {
  const keep = opts.keepStdout ?? 64 * 1024 * 1024;
  const timeFile = join(mkdtempSync(join(tmpdir(), 'ftp-pcap-time-')), 'time');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', 'bin/ftp-pcap', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < keep) {
        out.push(b);
        outLen += b.length;
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let seconds = NaN;
      let rssMb = NaN;
      try {
        const t = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [e, m] = t.split(' ');
        seconds = Number(e);
        rssMb = Number(m) / 1024;
      } catch {
        // time did not write (killed)
      }
      rmSync(join(timeFile, '..'), { recursive: true, force: true });
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: err, rssMb, seconds });
    });
  });
}

/** What every hostile run must show: no stack trace, a one-line-per-problem stderr. */
export function noStackTrace(stderr: string): boolean {
  return !/\n\s+at\s|Error:.*\n\s+at |node:internal|RangeError|TypeError/.test(stderr);
}

/** Figures of each run, printed at the end (the issue's note quotes them). */
export function report(name: string, m: Measured): void {
  const msg = m.stderr.trim().split('\n')[0] ?? '';
  process.stdout.write(`[hostile] ${name}: exit ${m.code}, ${m.seconds.toFixed(2)} s, peak RSS ${m.rssMb.toFixed(1)} MB${msg ? `, stderr: ${msg.slice(0, 200)}` : ''}\n`);
}

/**
 * Hand-built flood of short FTP sessions (a scanner, or a password spray on a fleet of port-21
 * servers): each from another client, SYN, SYN-ACK, ACK, `220`, `USER x`, RST. Session `i` starts
 * at `start + i * stepUs` microseconds (`stepUs` 0: all at one timestamp); its frames are 10 us
 * apart. The six frames are templates patched per session (client address and port), their
 * checksums left stale as for SynTemplate.
 */
export function shortSessionFlood(w: PcapWriter, n: number, opts: { startSec?: number; stepUs: number }): void {
  const c: TcpEnd = { ip: '10.0.0.1', port: 40000 };
  const s: TcpEnd = { ip: '198.51.100.21', port: 21 };
  const cs = 0x10000000;
  const ss = 0x20000000;
  const banner = Buffer.from('220 flood\r\n', 'latin1');
  const user = Buffer.from('USER x\r\n', 'latin1');
  // [frame, from client]
  const frames: [Buffer, boolean][] = [
    [ethIpv4Tcp(c, s, cs, 0, TCP.SYN), true],
    [ethIpv4Tcp(s, c, ss, cs + 1, TCP.SYN | TCP.ACK), false],
    [ethIpv4Tcp(c, s, cs + 1, ss + 1, TCP.ACK), true],
    [ethIpv4Tcp(s, c, ss + 1, cs + 1, TCP.PSH | TCP.ACK, banner), false],
    [ethIpv4Tcp(c, s, cs + 1, ss + 1 + banner.length, TCP.PSH | TCP.ACK, user), true],
    [ethIpv4Tcp(c, s, cs + 1 + user.length, 0, TCP.RST), true],
  ];
  const base = ip4('10.0.0.0');
  const startSec = opts.startSec ?? 1_700_000_000;
  for (let i = 0; i < n; i++) {
    const ip = (base + 1 + Math.floor(i / 4)) >>> 0;
    const port = 40000 + (i % 4);
    const t = i * opts.stepUs;
    frames.forEach(([f, fromClient], k) => {
      f.writeUInt32BE(ip, fromClient ? IP_SRC : IP_DST);
      f.writeUInt16BE(port, fromClient ? TCP_SPORT : TCP_DPORT);
      w.record(startSec, t + k * 10, f);
    });
  }
}
