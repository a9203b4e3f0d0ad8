#!/usr/bin/env node
// Micro-benchmark of the decode stage (src/decode): ns per packet for the common encapsulations,
// records laid out back to back in one chunk as the capture reader hands them over (absolute
// offsets, one reused CaptureRecord and Packet). Not part of `npm test`.
//
//   npm run build && node test/bench/decode-micro.mjs            # uses dist/
//   node test/bench/decode-micro.mjs --dist /tmp/out             # another tsc output dir
//   node test/bench/decode-micro.mjs --pcap FILE                 # also: a real classic pcap, held
//                                                           # in memory (decode only, no I/O)
// With --pcap the time includes the cache misses of touching each record (~50 ns a packet on a
// 180 MB capture of 775-byte records, measured by a loop that only reads the record header and
// one TCP byte): in the pipeline the reader pays the first of them.
//
// Also measures the address-view alternatives the decoder chose between (a subarray per
// packet vs copying 4 bytes into a reused buffer).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { frame } from './frames.mjs';

const argDist = process.argv.indexOf('--dist');
const dist = resolve(argDist > 0 ? process.argv[argDist + 1] : new URL('../../dist', import.meta.url).pathname);
const { Decoder, newPacket, DecodeStatus } = await import(pathToFileURL(`${dist}/decode/index.js`).href);
const { CaptureRecord } = await import(pathToFileURL(`${dist}/capture/record.js`).href);


const N = 1 << 18;
function layout(kind) {
  const frames = [];
  for (let i = 0; i < 4096; i++) frames.push(frame(kind, i));
  const len = frames[0].length;
  const chunk = Buffer.alloc(N * (16 + len));
  const offs = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * (16 + len) + 16;
    frames[i & 4095].copy(chunk, o);
    offs[i] = o;
  }
  return { chunk, offs, len };
}

const linkOf = { 'eth-ipv4-tcp': 1, 'eth-vlan-ipv4-tcp': 1, 'eth-ipv6-tcp': 1, 'sll2-ipv4-tcp': 276, 'vxlan-eth-ipv4-tcp': 1 };

function run(kind, rounds = 15) {
  const { chunk, offs, len } = layout(kind);
  const dec = new Decoder();
  const p = newPacket();
  const rec = new CaptureRecord();
  rec.buf = chunk;
  rec.linkType = linkOf[kind];
  rec.capturedLength = len;
  rec.originalLength = len;
  const times = [];
  let check = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      rec.offset = offs[i];
      rec.frame = i + 1;
      if (dec.decode(rec, p) === DecodeStatus.TCP) check += p.srcPort + p.payloadLength;
    }
    times.push(Number(process.hrtime.bigint() - t0) / N);
  }
  if (dec.statuses().tcp !== N * rounds) throw new Error(`${kind}: not all TCP (${JSON.stringify(dec.counters())})`);
  times.sort((a, b) => a - b);
  return { kind, median: times[times.length >> 1], best: times[0], check };
}

function alternatives(rounds = 15) {
  const { chunk, offs } = layout('eth-ipv4-tcp');
  const out = {};
  const own = Buffer.alloc(4);
  const variants = {
    'subarray view per packet': (o) => chunk.subarray(o + 26, o + 30),
    'copy into a reused 4-byte buffer': (o) => {
      const v = chunk.readUInt32BE(o + 26);
      own[0] = v >>> 24;
      own[1] = v >>> 16;
      own[2] = v >>> 8;
      own[3] = v;
      return own;
    },
  };
  for (const [name, fn] of Object.entries(variants)) {
    const times = [];
    let sink = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) sink += fn(offs[i])[3];
      times.push(Number(process.hrtime.bigint() - t0) / N);
    }
    times.sort((a, b) => a - b);
    out[name] = { median: times[times.length >> 1], sink };
  }
  return out;
}

console.log(`node ${process.version}, ${N} records per round, median of 15 rounds (after a warm-up pass)`);
for (const kind of Object.keys(linkOf)) run(kind, 3);
for (const kind of Object.keys(linkOf)) {
  const r = run(kind);
  console.log(`${kind.padEnd(20)} ${r.median.toFixed(1).padStart(6)} ns/packet (best ${r.best.toFixed(1)})`);
}
const argPcap = process.argv.indexOf('--pcap');
if (argPcap > 0) {
  // Classic pcap, little-endian or big-endian, records indexed up front.
  const file = readFileSync(process.argv[argPcap + 1]);
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o) => (le ? file.readUInt32LE(o) : file.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const offs = [];
  for (let o = 24; o + 16 <= file.length; ) {
    const cap = u32(o + 8);
    offs.push(o + 16);
    o += 16 + cap;
  }
  const dec = new Decoder();
  const p = newPacket();
  const rec = new CaptureRecord();
  rec.buf = file;
  rec.linkType = linkType;
  const times = [];
  for (let r = 0; r < 11; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < offs.length; i++) {
      // Read the lengths from the record header as the reader does: the packet's first cache
      // line is then warm, as in the real pipeline (pre-indexed lengths leave it cold).
      const o = offs[i];
      rec.offset = o;
      rec.capturedLength = u32(o - 8);
      rec.originalLength = u32(o - 4);
      dec.decode(rec, p);
    }
    times.push(Number(process.hrtime.bigint() - t0) / offs.length);
  }
  times.sort((a, b) => a - b);
  console.log(`${process.argv[argPcap + 1]}: ${offs.length} records, ${times[5].toFixed(1)} ns/packet (best ${times[0].toFixed(1)})`);
}
console.log('address alternatives (one address, per packet):');
for (const [name, r] of Object.entries(alternatives())) {
  console.log(`  ${name.padEnd(34)} ${r.median.toFixed(1).padStart(6)} ns`);
}
