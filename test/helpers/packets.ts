/**
 * Hand-built Ethernet/IPv4/TCP conversations for tests that need FTP traffic no real server sends
 * (escape sequences in a banner, NUL in a file name): each `TcpConversation` keeps both ends'
 * sequence numbers, so a handshake, payloads in either direction with their ACKs, and the FIN
 * exchange come out as a consistent TCP connection (IPv4 and TCP checksums correct).
 *
 *   const c = new TcpConversation(clock, { ip: '192.0.2.10', port: 50000 }, { ip: '198.51.100.20', port: 21 });
 *   c.handshake(); c.server('220 hi\r\n'); c.client('USER x\r\n'); c.close();
 *   pcapFile({ records: clock.records });
 */
import type { HandRecord } from './build.js';

export interface TcpEnd {
  ip: string;
  port: number;
}

/** Frames in capture order with their times: one clock per capture, shared by its conversations. */
export class Clock {
  readonly records: HandRecord[] = [];
  constructor(
    public sec = 1_700_000_000,
    public usec = 0,
  ) {}

  /** Moves time on (microseconds). */
  tick(us = 1000): void {
    this.usec += us;
    this.sec += Math.floor(this.usec / 1e6);
    this.usec %= 1e6;
  }

  push(frame: Buffer): void {
    this.records.push({ sec: this.sec, frac: this.usec, data: frame });
    this.tick();
  }
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(parts);
}

/** The Internet checksum (RFC 1071) of the concatenated buffers. */
export function inetChecksum(...parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  const b = all.length % 2 ? Buffer.concat([all, Buffer.alloc(1)]) : all;
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

let ipId = 1;

/** One Ethernet II frame carrying IPv4 and TCP (no options), checksums filled in. */
export function ethIpv4Tcp(src: TcpEnd, dst: TcpEnd, seq: number, ack: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const eth = Buffer.from('00005e00530200005e0053010800', 'hex'); // dst, src MAC, type IPv4
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(src.port, 0);
  tcp.writeUInt16BE(dst.port, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(flags & TCP.ACK ? ack >>> 0 : 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(65535, 14);
  const s = ipv4Bytes(src.ip);
  const d = ipv4Bytes(dst.ip);
  const pseudo = Buffer.alloc(12);
  s.copy(pseudo, 0);
  d.copy(pseudo, 4);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(20 + payload.length, 10);
  tcp.writeUInt16BE(inetChecksum(pseudo, tcp, payload), 16);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip.writeUInt16BE(ipId++ & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6); // DF
  ip[8] = 64;
  ip[9] = 6;
  s.copy(ip, 12);
  d.copy(ip, 16);
  ip.writeUInt16BE(inetChecksum(ip), 10);
  return Buffer.concat([eth, ip, tcp, payload]);
}

/** Both ends of one TCP connection, with their next sequence numbers. */
export class TcpConversation {
  private cseq: number;
  private sseq: number;

  constructor(
    private readonly clock: Clock,
    readonly clientEnd: TcpEnd,
    readonly serverEnd: TcpEnd,
    isn: { client?: number; server?: number } = {},
  ) {
    this.cseq = isn.client ?? 0x10000000;
    this.sseq = isn.server ?? 0x20000000;
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): this {
    this.clock.push(ethIpv4Tcp(this.clientEnd, this.serverEnd, this.cseq, 0, TCP.SYN));
    this.cseq++;
    this.clock.push(ethIpv4Tcp(this.serverEnd, this.clientEnd, this.sseq, this.cseq, TCP.SYN | TCP.ACK));
    this.sseq++;
    this.clock.push(ethIpv4Tcp(this.clientEnd, this.serverEnd, this.cseq, this.sseq, TCP.ACK));
    return this;
  }

  /** A SYN answered by RST (nothing listens, or a firewall rejects). */
  refused(): this {
    this.clock.push(ethIpv4Tcp(this.clientEnd, this.serverEnd, this.cseq, 0, TCP.SYN));
    this.clock.push(ethIpv4Tcp(this.serverEnd, this.clientEnd, 0, this.cseq + 1, TCP.RST | TCP.ACK));
    return this;
  }

  /** Client to server: the payload (PSH|ACK), then the server's ACK. */
  client(data: string | Buffer): this {
    return this.send(true, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Server to client: the payload (PSH|ACK), then the client's ACK. */
  server(data: string | Buffer): this {
    return this.send(false, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** FIN from `first` (client by default), FIN-ACK back, last ACK. */
  close(first: 'client' | 'server' = 'client'): this {
    const c = first === 'client';
    const [a, b] = c ? [this.clientEnd, this.serverEnd] : [this.serverEnd, this.clientEnd];
    const aSeq = c ? this.cseq : this.sseq;
    const bSeq = c ? this.sseq : this.cseq;
    this.clock.push(ethIpv4Tcp(a, b, aSeq, bSeq, TCP.FIN | TCP.ACK));
    this.clock.push(ethIpv4Tcp(b, a, bSeq, aSeq + 1, TCP.FIN | TCP.ACK));
    this.clock.push(ethIpv4Tcp(a, b, aSeq + 1, bSeq + 1, TCP.ACK));
    if (c) {
      this.cseq++;
      this.sseq++;
    } else {
      this.sseq++;
      this.cseq++;
    }
    return this;
  }

  private send(fromClient: boolean, payload: Buffer): this {
    const [a, b] = fromClient ? [this.clientEnd, this.serverEnd] : [this.serverEnd, this.clientEnd];
    const seq = fromClient ? this.cseq : this.sseq;
    const peer = fromClient ? this.sseq : this.cseq;
    this.clock.push(ethIpv4Tcp(a, b, seq, peer, TCP.PSH | TCP.ACK, payload));
    this.clock.push(ethIpv4Tcp(b, a, peer, seq + payload.length, TCP.ACK));
    if (fromClient) this.cseq += payload.length;
    else this.sseq += payload.length;
    return this;
  }
}
