/**
 * Fuzz targets (issue 9), structure-aware with fast-check: each is a property that must hold for
 * any input — no exception escapes, and the bounds hold. The same targets run as a short smoke in
 * `npm test` (smoke.test.ts) and for minutes in `npm run fuzz -- --minutes N` (run.mjs).
 *
 *   pcap        the classic pcap reader on mutated lab captures
 *   pcapng      the pcapng reader on mutated pcapng files (several interfaces, options, sections)
 *   decode      the decoder on random and mutated frames of every supported link type
 *   tcp         connection tracking and reassembly on random segment streams of one connection
 *   ftp         the control-channel parser (lines, replies, commands, announcements, the session)
 *   pipeline    the whole analyze pipeline on mutated lab captures
 *
 * Mutations of a capture: bit flips, bytes overwritten with boundary values (0, 0xff, 0x7fffffff
 * as 32-bit), truncation, records duplicated, dropped or swapped.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { readCaptures, CaptureRecord } from '../../src/capture/index.js';
import { Decoder, DecodeStatus, newPacket } from '../../src/decode/index.js';
import { TcpTracker, type Direction, type SegmentInfo, type StreamSink } from '../../src/tcp/index.js';
import { ControlSink, newControlCounters } from '../../src/ftp/control.js';
import { analyze } from '../../src/pipeline.js';
import { TCP_MAX_OOO_BYTES_TOTAL } from '../../src/limits.js';
import { NgBuilder } from '../helpers/build.js';
import { ethIpv4Tcp } from '../helpers/packets.js';

// ---- seeds

export const PCAP_SEEDS = ['fixtures/08-missing-file.pcap', 'fixtures/16-bounce.pcap', 'fixtures/15-long-modes.pcap', 'fixtures/03-active-blocked.pcap'].map((p) => readFileSync(p));

/** Record offsets of a little-endian classic pcap. */
export function pcapRecords(b: Buffer): { off: number; len: number }[] {
  const out: { off: number; len: number }[] = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const len = 16 + b.readUInt32LE(p + 8);
    if (p + len > b.length) break;
    out.push({ off: p, len });
    p += len;
  }
  return out;
}

/** A lab capture as pcapng: two interfaces (micro- and nanosecond), options, two sections. */
function toPcapng(pcap: Buffer): Buffer {
  const ng = new NgBuilder().shb(true, 'fuzz seed').idb(1, { snaplen: 262144, name: 'eth0' }).idb(1, { tsresol: 9, name: 'eth1' });
  const recs = pcapRecords(pcap);
  recs.forEach((r, i) => {
    if (i === Math.floor(recs.length / 2)) ng.shb(false).idb(1, { tsresol: 6 });
    const sec = BigInt(pcap.readUInt32LE(r.off));
    const usec = BigInt(pcap.readUInt32LE(r.off + 4));
    const data = pcap.subarray(r.off + 16, r.off + r.len);
    const second = i >= Math.floor(recs.length / 2);
    if (second) ng.epb(0, sec * 1_000_000n + usec, data);
    else if (i % 3 === 0) ng.epb(1, sec * 1_000_000_000n + usec * 1000n, data, undefined, 'c');
    else if (i % 7 === 0) ng.spb(data);
    else ng.epb(0, sec * 1_000_000n + usec, data);
  });
  return ng.build();
}

export const PCAPNG_SEEDS = [toPcapng(PCAP_SEEDS[0]), toPcapng(PCAP_SEEDS[1])];

// ---- mutations

export type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'u32'; pos: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'dup'; rec: number }
  | { kind: 'drop'; rec: number }
  | { kind: 'swap'; rec: number };

const BOUNDARY = [0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 65535, 262144, 262145, 16, 12, 28, 32];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('u32' as const), pos: fc.nat(), value: fc.oneof(fc.constantFrom(...BOUNDARY), fc.nat()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dup' as const), rec: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), rec: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), rec: fc.nat() }) },
);

/** Applies mutations to a copy of a capture (record operations understand classic pcap only;
 * on pcapng they act on 64-byte pieces). */
export function mutate(seed: Buffer, muts: readonly Mutation[], pcap: boolean): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.kind) {
      case 'flip':
        b[m.pos % b.length] ^= 1 << m.bit;
        break;
      case 'u32': {
        const p = m.pos % Math.max(1, b.length - 3);
        if (p + 4 <= b.length) b.writeUInt32LE(m.value >>> 0, p);
        break;
      }
      case 'truncate':
        b = b.subarray(0, m.at % (b.length + 1));
        break;
      default: {
        const pieces = pcap ? pcapRecords(b) : Array.from({ length: Math.floor(b.length / 64) }, (_, i) => ({ off: i * 64, len: 64 }));
        if (pieces.length < 2) break;
        const i = m.rec % pieces.length;
        const r = pieces[i];
        const piece = b.subarray(r.off, r.off + r.len);
        const before = b.subarray(0, r.off);
        const after = b.subarray(r.off + r.len);
        if (m.kind === 'dup') b = Buffer.concat([before, piece, piece, after]);
        else if (m.kind === 'drop') b = Buffer.concat([before, after]);
        else if (i + 1 < pieces.length) {
          const n = pieces[i + 1];
          b = Buffer.concat([before, b.subarray(n.off, n.off + n.len), piece, b.subarray(n.off + n.len)]);
        }
      }
    }
  }
  return b;
}

// ---- targets: each a fast-check property

async function readAll(input: Buffer): Promise<void> {
  let n = 0;
  let bytes = 0;
  const readers = await readCaptures(
    ['-'],
    (r) => {
      n++;
      bytes += r.data.length;
      if (r.capturedLength > 256 * 1024) throw new Error(`record of ${r.capturedLength} bytes passed the record limit`);
    },
    { stdin: Readable.from([input]) },
  );
  const e = readers[0].error;
  if (e && (e.offset < 0 || e.offset > input.length)) throw new Error(`error offset ${e.offset} outside the input (${input.length} bytes)`);
  if (bytes > input.length) throw new Error('more record bytes than input bytes');
  void n;
}

export const pcapTarget = fc.asyncProperty(fc.integer({ min: 0, max: PCAP_SEEDS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 8 }), async (s, muts) => {
  await readAll(mutate(PCAP_SEEDS[s], muts, true));
});

export const pcapngTarget = fc.asyncProperty(fc.integer({ min: 0, max: PCAPNG_SEEDS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 8 }), async (s, muts) => {
  await readAll(mutate(PCAPNG_SEEDS[s], muts, false));
});

/** Frames of the seeds, to mutate one at a time. */
const FRAMES: Buffer[] = PCAP_SEEDS.flatMap((b) => pcapRecords(b).map((r) => b.subarray(r.off + 16, r.off + r.len)));
const LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276, 12, 14, 147];

export const decodeTarget = fc.property(
  fc.array(
    fc.record({
      linkType: fc.constantFrom(...LINK_TYPES),
      frame: fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.record({ i: fc.nat(), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }), cut: fc.nat() }).map(({ i, flips, cut }) => {
        const f = Buffer.from(FRAMES[i % FRAMES.length]);
        for (const [p, bit] of flips) f[p % f.length] ^= 1 << bit;
        return f.subarray(0, f.length - (cut % 8 === 0 ? cut % f.length : 0));
      })),
    }),
    { minLength: 1, maxLength: 20 },
  ),
  (frames) => {
    const d = new Decoder();
    const pkt = newPacket();
    const rec = new CaptureRecord();
    let t = 1_700_000_000;
    for (const f of frames) {
      rec.linkType = f.linkType;
      rec.buf = f.frame;
      rec.offset = 0;
      rec.capturedLength = f.frame.length;
      rec.originalLength = f.frame.length;
      rec.tsSec = t++;
      const s = d.decode(rec, pkt);
      if (s === DecodeStatus.TCP) {
        if (pkt.payloadOff < 0 || pkt.payloadOff + pkt.payloadLength > pkt.buf.length) throw new Error('payload outside the buffer');
      }
    }
    d.finish();
    d.counters();
  },
);

/** One connection's segments: who sends, where in sequence space (relative to its ISN), how
 * much, which flags, and a time step (possibly backwards). */
const segmentArb = fc.record({
  fromClient: fc.boolean(),
  rel: fc.oneof(fc.integer({ min: -100, max: 400 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constant(1400)),
  flags: fc.oneof(fc.constantFrom(0x10, 0x18, 0x02, 0x12, 0x11, 0x14, 0x04), fc.integer({ min: 0, max: 255 })),
  ackRel: fc.integer({ min: -10, max: 2 ** 20 }),
  dt: fc.integer({ min: -2_000_000, max: 70_000_000 }),
  fill: fc.integer({ min: 0x20, max: 0x7e }),
});

export const tcpTarget = fc.property(fc.array(segmentArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (segs, follow) => {
  const C = { ip: '192.0.2.10', port: 40000 };
  const S = { ip: '198.51.100.20', port: 21 };
  const delivered: [number, number] = [0, 0];
  const sink: StreamSink = {
    data: (dir: Direction, b: Buffer, _o: number, _at: SegmentInfo) => {
      delivered[dir] += b.length;
    },
    gap: () => undefined,
    end: () => undefined,
  };
  const t = new TcpTracker({ events: follow ? { opened: (c) => t.attach(c, sink) } : {} });
  const d = new Decoder();
  const pkt = newPacket();
  const rec = new CaptureRecord();
  rec.linkType = 1;
  let us = 1_700_000_000 * 1e6;
  const offered: [number, number] = [0, 0];
  for (const s of segs) {
    const [a, b] = s.fromClient ? [C, S] : [S, C];
    const isn = s.fromClient ? 0x10000000 : 0xfffff000; // the server's wraps around
    const peer = s.fromClient ? 0xfffff000 : 0x10000000;
    const f = ethIpv4Tcp(a, b, (isn + s.rel) >>> 0, (peer + s.ackRel) >>> 0, s.flags, Buffer.alloc(s.len, s.fill));
    offered[s.fromClient ? 0 : 1] += s.len;
    us = Math.max(0, us + s.dt);
    rec.buf = f;
    rec.offset = 0;
    rec.capturedLength = f.length;
    rec.originalLength = f.length;
    rec.tsSec = Math.floor(us / 1e6);
    rec.tsNsec = (us % 1e6) * 1000;
    if (d.decode(rec, pkt) === DecodeStatus.TCP) t.packet(pkt);
    if (t.buffered.bytes > TCP_MAX_OOO_BYTES_TOTAL) throw new Error('out-of-order bytes past the global bound');
  }
  t.finish();
  // Retransmissions are delivered once: never more bytes than were offered. (Directions are the
  // originator's and the responder's, which a SYN+ACK from the client turns round: compare sums.)
  if (delivered[0] + delivered[1] > offered[0] + offered[1]) throw new Error(`delivered ${delivered} of offered ${offered}`);
});

const FTP_WORDS = ['USER a', 'PASS b', 'PASV', 'EPSV', 'EPSV ALL', 'PORT 192,0,2,10,200,1', 'PORT 999,1,1,1,1,1', 'EPRT |2|2001:db8::1|5282|', 'EPRT |1|1.2.3.4|', 'LPRT 4,4,1,2,3,4,2,0,20', 'RETR f', 'STOR g', 'LIST', 'ABOR', 'REST 100', 'REST x', 'SIZE f', 'AUTH TLS', 'QUIT', '220 hi', '220-multi', '220 end', '227 Entering Passive Mode (1,2,3,4,5,6)', '227 (999,1,1,1,1,1)', '229 Entering Extended Passive Mode (|||6446|)', '229 (|||99999|)', '228 Entering Long Passive Mode (4,4,1,2,3,4,2,0,20)', '150 Opening (123 bytes)', '150 Opening (99999999999999999999 bytes)', '226 ok', '426 abort', '230 ok', '331 pw', '530 no', '234 ok', '213 12345', '213 -1', '500 x', '1', '999 odd'];

const chunkArb = fc.record({
  dir: fc.integer({ min: 0, max: 1 }),
  gap: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10_000 }) }),
  text: fc.oneof(
    fc.array(fc.constantFrom(...FTP_WORDS), { minLength: 1, maxLength: 6 }).map((ws) => ws.join('\r\n') + '\r\n'),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1')),
    fc.constantFrom('\xff\xf4\xff\xf2', '\xff\xfb\x01', '\xff\xff', '\r', '\n', '\r\0', 'A'.repeat(9000)),
  ),
});

export const ftpTarget = fc.property(fc.array(chunkArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (chunks, clientFirst) => {
  const totals = newControlCounters();
  const sink = new ControlSink(clientFirst ? 0 : 1, false, () => undefined, totals);
  let frame = 1;
  const offsets = [0, 0];
  for (const c of chunks) {
    const dir = c.dir as Direction;
    if (c.gap > 0) {
      sink.gap(dir, offsets[dir], c.gap);
      offsets[dir] += c.gap;
    }
    const b = Buffer.from(c.text, 'latin1');
    sink.data(dir, b, offsets[dir], { frame: frame++, tsSec: 1_700_000_000 + frame, tsNsec: 0 });
    offsets[dir] += b.length;
  }
  sink.end();
  const s = sink.session;
  if (s.announcements.length > 10_000) throw new Error('announcements past the bound');
  for (const a of s.announcements) if (!(a.port >= 0 && a.port <= 65535)) throw new Error(`announced port ${a.port}`);
  sink.dispose();
});

export const pipelineTarget = fc.asyncProperty(fc.integer({ min: 0, max: PCAP_SEEDS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (s, muts, ng) => {
  const input = ng ? mutate(PCAPNG_SEEDS[s % PCAPNG_SEEDS.length], muts, false) : mutate(PCAP_SEEDS[s], muts, true);
  const r = await analyze(['-'], { stdin: Readable.from([input]), timeline: true });
  JSON.stringify(r);
  if (r.complete !== r.inputs.every((i) => i.complete)) throw new Error('complete disagrees with the inputs');
});

export const TARGETS = {
  pcap: pcapTarget,
  pcapng: pcapngTarget,
  decode: decodeTarget,
  tcp: tcpTarget,
  ftp: ftpTarget,
  pipeline: pipelineTarget,
} as const;
export type TargetName = keyof typeof TARGETS;
