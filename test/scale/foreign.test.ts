/**
 * A shard learns where FTP is from the other shards' packets (FtpAnalyzer.foreign, ShardBook): a connection
 * no session of its own took is kept as an orphan for the merge only when it touches an FTP host.
 * Hand-built packets and connection records.
 */
import { describe, it, expect } from 'vitest';
import { controlPorts, FtpAnalyzer } from '../../src/ftp/analyzer.js';
import { ShardBook } from '../../src/scale/shard-hooks.js';
import { newPacket, TcpFlag, type Packet } from '../../src/decode/index.js';
import type { Connection, ConnectionSummary } from '../../src/tcp/index.js';

const v4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

function packet(src: string, sport: number, dst: string, dport: number, flags: number, payload = ''): Packet {
  const p = newPacket();
  p.ipVersion = 4;
  p.src = v4(src);
  p.dst = v4(dst);
  p.src4 = p.src.readUInt32BE(0);
  p.dst4 = p.dst.readUInt32BE(0);
  p.srcPort = sport;
  p.dstPort = dport;
  p.flags = flags;
  p.buf = Buffer.from(payload, 'latin1');
  p.payloadOff = 0;
  p.payloadLength = p.buf.length;
  return p;
}

/** The fields the analyzer's `gone` reads of a connection that leaves the tracker, and the
 * summary it hands on as an orphan. */
function conn(orig: string, oport: number, resp: string, rport: number): Connection {
  const sent = { bytes: 0 };
  const summary = { id: 7, orig: { ip: orig, port: oport }, resp: { ip: resp, port: rport }, followed: false, midStream: false, origSent: sent, respSent: sent } as unknown as ConnectionSummary;
  return { id: 7, origIp: orig, origPort: oport, respIp: resp, respPort: rport, followed: false, midStream: false, bytes: 0, summary: () => summary } as unknown as Connection;
}

function shard(): { a: FtpAnalyzer; orphans: ConnectionSummary[] } {
  const orphans: ConnectionSummary[] = [];
  const a = new FtpAnalyzer({ shard: new ShardBook(controlPorts(), { pending: () => undefined, orphan: (c) => orphans.push(c) }) });
  return { a, orphans };
}

describe('foreign packets and orphans', () => {
  it('a plain segment of a control connection picked up mid-stream marks its hosts', () => {
    const { a, orphans } = shard();
    a.foreign(packet('192.0.2.10', 40000, '198.51.100.20', 21, TcpFlag.ACK));
    a.events.gone?.(conn('198.51.100.20', 20, '192.0.2.10', 5001), 'idle');
    expect(orphans.map((c) => c.resp.port)).toEqual([5001]);
  });

  it('a 220 greeting on any port marks its hosts', () => {
    const { a, orphans } = shard();
    a.foreign(packet('198.51.100.30', 2121, '192.0.2.11', 40001, TcpFlag.ACK | TcpFlag.PSH, '220 ready\r\n'));
    a.events.gone?.(conn('192.0.2.11', 40002, '198.51.100.30', 30000), 'idle');
    expect(orphans).toHaveLength(1);
  });

  it('other traffic marks nothing, and a connection between other hosts is no orphan', () => {
    const { a, orphans } = shard();
    a.foreign(packet('192.0.2.12', 40000, '198.51.100.40', 80, TcpFlag.ACK | TcpFlag.PSH, 'GET / HTTP/1.1\r\n'));
    a.events.gone?.(conn('192.0.2.12', 40003, '198.51.100.40', 80), 'idle');
    a.foreign(packet('192.0.2.10', 40000, '198.51.100.20', 21, TcpFlag.SYN));
    a.events.gone?.(conn('192.0.2.99', 40004, '198.51.100.99', 30000), 'idle');
    expect(orphans).toEqual([]);
  });

  it('without shard hooks nothing is kept', () => {
    const a = new FtpAnalyzer();
    a.foreign(packet('192.0.2.10', 40000, '198.51.100.20', 21, TcpFlag.ACK));
    expect(() => a.events.gone?.(conn('198.51.100.20', 20, '192.0.2.10', 5001), 'idle')).not.toThrow();
  });
});
