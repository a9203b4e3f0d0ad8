/**
 * Hand-built TCP segments for the tcp stage's tests (no capture file: Packet objects filled the
 * way decode() fills them). A `Wire` is one 4-tuple between a client and a server; `send` feeds
 * one segment to a tracker. `Recorder` is a StreamSink that writes down what it is given.
 */
import { newPacket, TcpFlag, type Packet } from '../../src/decode/packet.js';
import { parseIp } from '../../src/decode/address.js';
import type { Direction, SegmentInfo, StreamSink } from '../../src/tcp/index.js';
import type { TcpTracker } from '../../src/tcp/index.js';

export interface Segment {
  /** c: client -> server, s: server -> client. */
  from: 'c' | 's';
  /** Flag letters: S SYN, A ACK, F FIN, R RST, P PSH (e.g. 'SA', 'PA', 'FA'). */
  flags: string;
  seq: number;
  ack?: number;
  data?: string | Buffer;
  /** Payload bytes on the wire when the snap length cut the segment (> data length). */
  wire?: number;
  /** Capture time in seconds (default: the previous segment's). */
  t?: number;
  window?: number;
}

export function flagBits(letters: string): number {
  let f = 0;
  for (const ch of letters) {
    if (ch === 'S') f |= TcpFlag.SYN;
    else if (ch === 'A') f |= TcpFlag.ACK;
    else if (ch === 'F') f |= TcpFlag.FIN;
    else if (ch === 'R') f |= TcpFlag.RST;
    else if (ch === 'P') f |= TcpFlag.PSH;
    else throw new Error(`flag letter ${ch}`);
  }
  return f;
}

function endpoint(text: string): { ip: Buffer; port: number } {
  const i = text.lastIndexOf(':');
  const ipText = text.slice(0, i).replace(/^\[|\]$/g, '');
  const ip = parseIp(ipText);
  if (ip === undefined) throw new Error(`bad address ${text}`);
  return { ip, port: Number(text.slice(i + 1)) };
}

export class Wire {
  readonly packet: Packet = newPacket();
  private frame = 0;
  private t = 1_700_000_000;
  private readonly client: { ip: Buffer; port: number };
  private readonly server: { ip: Buffer; port: number };

  constructor(
    readonly tracker: TcpTracker,
    client = '10.0.0.1:40000',
    server = '10.0.0.2:21',
    firstFrame = 1,
  ) {
    this.client = endpoint(client);
    this.server = endpoint(server);
    this.frame = firstFrame - 1;
  }

  /** Builds the Packet of a segment (without feeding it). */
  build(s: Segment): Packet {
    const p = this.packet;
    const [a, b] = s.from === 'c' ? [this.client, this.server] : [this.server, this.client];
    if (s.t !== undefined) this.t = s.t;
    const data = typeof s.data === 'string' ? Buffer.from(s.data, 'latin1') : (s.data ?? Buffer.alloc(0));
    p.frame = ++this.frame;
    p.tsSec = Math.floor(this.t);
    p.tsNsec = Math.round((this.t - Math.floor(this.t)) * 1e9);
    p.ipVersion = a.ip.length === 4 ? 4 : 6;
    p.src = a.ip;
    p.dst = b.ip;
    p.src4 = a.ip.length === 4 ? a.ip.readUInt32BE(0) : 0;
    p.dst4 = b.ip.length === 4 ? b.ip.readUInt32BE(0) : 0;
    p.protocol = 6;
    p.srcPort = a.port;
    p.dstPort = b.port;
    p.seq = s.seq >>> 0;
    p.ack = (s.ack ?? 0) >>> 0;
    p.flags = flagBits(s.flags);
    p.window = s.window ?? 65535;
    // Payload at an offset inside a bigger buffer, as in a real record.
    const buf = Buffer.alloc(54 + data.length);
    data.copy(buf, 54);
    p.buf = buf;
    p.tcpOff = 34;
    p.tcpHeaderLength = 20;
    p.payloadOff = 54;
    p.payloadLength = data.length;
    p.payloadWireLength = s.wire ?? data.length;
    p.capEnd = buf.length;
    return p;
  }

  send(...segs: Segment[]): void {
    for (const s of segs) {
      this.tracker.packet(this.build(s));
      // Bytes are views valid only during the call: scribble over them to catch keepers.
      this.packet.buf.fill(0x5a);
    }
  }
}

/** A StreamSink that records everything (copies bytes, checks the lifecycle). */
export class Recorder implements StreamSink {
  readonly text: [string, string] = ['', ''];
  readonly gaps: [number, number, number][] = [];
  readonly frames: [number[], number[]] = [[], []];
  readonly log: string[] = [];
  ends = 0;
  private readonly expected: [number, number] = [-1, -1];

  data(dir: Direction, bytes: Buffer, offset: number, at: SegmentInfo): void {
    if (this.ends > 0) throw new Error('data after end');
    if (this.expected[dir] >= 0 && offset !== this.expected[dir]) throw new Error(`dir ${dir}: offset ${offset}, expected ${this.expected[dir]}`);
    if (bytes.length === 0) throw new Error('empty data');
    this.expected[dir] = offset + bytes.length;
    this.text[dir] += bytes.toString('latin1');
    this.frames[dir].push(at.frame);
    this.log.push(`${dir}:data@${offset}:${bytes.toString('latin1')}`);
  }

  gap(dir: Direction, offset: number, length: number): void {
    if (this.ends > 0) throw new Error('gap after end');
    if (this.expected[dir] >= 0 && offset !== this.expected[dir]) throw new Error(`dir ${dir}: gap offset ${offset}, expected ${this.expected[dir]}`);
    if (length <= 0) throw new Error('empty gap');
    this.expected[dir] = offset + length;
    this.gaps.push([dir, offset, length]);
    this.log.push(`${dir}:gap@${offset}+${length}`);
  }

  end(): void {
    this.ends++;
    this.log.push('end');
  }
}
