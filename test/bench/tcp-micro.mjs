// Micro-benchmark of the tcp stage alone (no capture reading, no decoding): packets/s of
// TcpTracker.packet() on hand-filled Packet objects, and heap per tracked connection.
//   npm run build && node --expose-gc test/bench/tcp-micro.mjs
// (TCP_DIST=/some/dir points it at another tsc output directory.)
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const dist = process.env.TCP_DIST ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'dist');
const { TcpTracker } = await import(pathToFileURL(path.join(dist, 'tcp', 'index.js')).href);
const { newPacket, TcpFlag } = await import(pathToFileURL(path.join(dist, 'decode', 'packet.js')).href);

function pkt() {
  const p = newPacket();
  p.ipVersion = 4;
  p.protocol = 6;
  p.buf = Buffer.alloc(1600);
  p.payloadOff = 54;
  return p;
}

const A6 = Buffer.from('20010db8000000000000000000000010', 'hex');
const B6 = Buffer.from('20010db8000000000000000000000021', 'hex');

function bulk(conns, packetsPerConn, follow, v6 = false) {
  // `conns` connections interleaved, each sending MSS-sized in-order segments one way, ACKs back.
  let delivered = 0;
  const sink = { data: (d, b) => (delivered += b.length), gap: () => {}, end: () => {} };
  const t = new TcpTracker({ events: follow ? { opened: (c) => t.attach(c, sink) } : {} });
  const p = pkt();
  if (v6) p.ipVersion = 6;
  const seq = new Array(conns).fill(1001);
  let n = 0;
  for (let c = 0; c < conns; c++) {
    p.src4 = 0x0a000001; p.dst4 = 0x0a000002; p.src = A6; p.dst = B6; p.srcPort = 20000 + c; p.dstPort = 21; p.flags = TcpFlag.SYN; p.seq = 1000; p.payloadLength = p.payloadWireLength = 0;
    t.packet(p); n++;
    p.src4 = 0x0a000002; p.dst4 = 0x0a000001; p.src = B6; p.dst = A6; p.srcPort = 21; p.dstPort = 20000 + c; p.flags = TcpFlag.SYN | TcpFlag.ACK; p.seq = 5000; p.ack = 1001;
    t.packet(p); n++;
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < packetsPerConn; i++) {
    for (let c = 0; c < conns; c++) {
      p.tsSec = 1_700_000_000 + (i >> 10); p.tsNsec = i;
      if ((i & 1) === 0) {
        p.src4 = 0x0a000001; p.dst4 = 0x0a000002; p.src = A6; p.dst = B6; p.srcPort = 20000 + c; p.dstPort = 21; p.flags = TcpFlag.ACK | TcpFlag.PSH; p.seq = seq[c]; p.ack = 5001;
        p.payloadLength = p.payloadWireLength = 1448; seq[c] = (seq[c] + 1448) >>> 0;
      } else {
        p.src4 = 0x0a000002; p.dst4 = 0x0a000001; p.src = B6; p.dst = A6; p.srcPort = 21; p.dstPort = 20000 + c; p.flags = TcpFlag.ACK; p.seq = 5001; p.ack = seq[c];
        p.payloadLength = p.payloadWireLength = 0;
      }
      p.frame = ++n;
      t.packet(p);
    }
  }
  const ns = Number(process.hrtime.bigint() - start);
  t.finish();
  return { pps: (packetsPerConn * conns) / (ns / 1e9), delivered };
}

function flood(n, withSummaries) {
  let removed = 0;
  const t = new TcpTracker({ events: withSummaries ? { removed: () => removed++ } : {} });
  const p = pkt();
  p.dst4 = 0xc6336405; p.dstPort = 80; p.flags = TcpFlag.SYN; p.tsSec = 1_700_000_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    p.src4 = (0x0a000000 + (i >>> 8)) >>> 0; p.srcPort = 1024 + (i & 0xff) * 200; p.seq = (i * 2654435761) >>> 0; p.frame = i + 1; p.tsNsec = i;
    t.packet(p);
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { pps: n / (ns / 1e9), live: t.counters.liveConnections, removed };
}

function heapPerConnection(n) {
  if (typeof globalThis.gc !== 'function') return NaN;
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const t = new TcpTracker({ limits: { maxConnections: n + 1 } });
  const p = pkt();
  p.dst4 = 0xc6336405; p.dstPort = 21; p.tsSec = 1_700_000_000;
  for (let i = 0; i < n; i++) {
    p.src4 = (0x0a000000 + (i >>> 8)) >>> 0; p.srcPort = 1024 + (i & 0xff); p.flags = TcpFlag.SYN; p.seq = i; p.dst4 = 0xc6336405; p.dstPort = 21;
    t.packet(p);
  }
  globalThis.gc();
  const per = (process.memoryUsage().heapUsed - before) / n;
  if (t.counters.liveConnections !== n) throw new Error('eviction during heap measurement');
  return per;
}

const fmt = (x) => (x / 1e6).toFixed(2) + ' M/s';
for (let round = 0; round < 2; round++) {
  const a = bulk(100, 20_000, false);
  const b = bulk(100, 20_000, true);
  const c = bulk(10_000, 200, false);
  const d = bulk(10_000, 200, false, true);
  console.log(`round ${round}: in-order bulk, 100 conns unfollowed ${fmt(a.pps)}; followed ${fmt(b.pps)} (${b.delivered} B delivered); 10k conns unfollowed ${fmt(c.pps)}; 10k IPv6 conns unfollowed ${fmt(d.pps)}`);
}
for (const s of [false, true]) {
  const f = flood(1_000_000, s);
  console.log(`SYN flood 1M${s ? ' with summaries' : ''}: ${fmt(f.pps)}, live ${f.live}, removed events ${f.removed}`);
}
console.log(`heap per tracked connection (SYN only): ${heapPerConnection(65_536).toFixed(0)} B`);
