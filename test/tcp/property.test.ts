/**
 * Property: whatever the network does to a byte stream — split into segments anywhere, segments
 * duplicated (also re-split differently: overlapping retransmissions), delivered in any order —
 * the followed stream is exactly the original, with no gap, and the accounting adds up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TcpTracker, type ConnectionSummary } from '../../src/tcp/index.js';
import { Recorder, Wire, type Segment } from './wire.js';

interface Piece {
  start: number;
  end: number;
}

const arbCase = fc
  .record({
    data: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
    isn: fc.integer({ min: 0, max: 0xffffffff }),
    cuts: fc.array(fc.integer({ min: 1, max: 2999 }), { maxLength: 40 }),
    extra: fc.array(fc.record({ a: fc.nat(), b: fc.nat() }), { maxLength: 15 }),
    seed: fc.integer(),
    fin: fc.boolean(),
  })
  .map(({ data, isn, cuts, extra, seed, fin }) => {
    const n = data.length;
    const points = [...new Set(cuts.filter((c) => c < n))].sort((a, b) => a - b);
    const pieces: Piece[] = [];
    let prev = 0;
    for (const p of [...points, n]) {
      pieces.push({ start: prev, end: p });
      prev = p;
    }
    // Duplicates: arbitrary ranges of the stream (overlapping retransmissions).
    for (const { a, b } of extra) {
      const s = a % n;
      const e = s + 1 + (b % (n - s));
      pieces.push({ start: s, end: e });
    }
    return { data: Buffer.from(data), isn, pieces, seed, fin };
  })
  .chain((c) => fc.shuffledSubarray(c.pieces, { minLength: c.pieces.length, maxLength: c.pieces.length }).map((order) => ({ ...c, order })));

describe('property: shuffled, duplicated, split segments reassemble to the original', () => {
  it('delivers the original stream exactly once', () => {
    fc.assert(
      fc.property(arbCase, ({ data, isn, order, fin }) => {
        const rec = new Recorder();
        const out: ConnectionSummary[] = [];
        const t: TcpTracker = new TcpTracker({ events: { opened: (c) => t.attach(c, rec), removed: (s) => out.push(s) } });
        const w = new Wire(t);
        const base = (isn + 1) >>> 0;
        w.send({ from: 'c', flags: 'S', seq: isn }, { from: 's', flags: 'SA', seq: 7, ack: base }, { from: 'c', flags: 'A', seq: base, ack: 8 });
        for (const p of order) {
          const seg: Segment = { from: 'c', flags: 'PA', seq: (base + p.start) >>> 0, ack: 8, data: data.subarray(p.start, p.end) };
          w.send(seg);
        }
        if (fin) w.send({ from: 'c', flags: 'FA', seq: (base + data.length) >>> 0, ack: 8 });
        // Before the end: everything is already delivered (no gap is left once all bytes came).
        expect(rec.text[0]).toBe(data.toString('latin1'));
        t.finish();
        expect(rec.gaps).toEqual([]);
        expect(rec.ends).toBe(1);
        const sent = order.reduce((n, p) => n + p.end - p.start, 0);
        const s = out[0].origSent;
        expect(s.bytes).toBe(data.length);
        expect(s.missedBytes).toBe(0);
        expect(s.retransmittedBytes).toBe(sent - data.length);
        expect(s.conflictingBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same accounting when nobody follows the connection', () => {
    fc.assert(
      fc.property(arbCase, ({ data, isn, order }) => {
        const run = (follow: boolean): ConnectionSummary => {
          const out: ConnectionSummary[] = [];
          const t: TcpTracker = new TcpTracker({ events: { opened: (c) => void (follow && t.attach(c, new Recorder())), removed: (s) => out.push(s) } });
          const w = new Wire(t);
          const base = (isn + 1) >>> 0;
          w.send({ from: 'c', flags: 'S', seq: isn });
          for (const p of order) w.send({ from: 'c', flags: 'PA', seq: (base + p.start) >>> 0, ack: 8, data: data.subarray(p.start, p.end) });
          t.finish();
          return out[0];
        };
        expect(run(false).origSent).toEqual(run(true).origSent);
      }),
      { numRuns: 150 },
    );
  });
});

describe('property: with segments lost, the gaps cover exactly the lost bytes', () => {
  it('delivers every byte that was seen, in place, and reports the rest as gaps', () => {
    fc.assert(
      fc.property(arbCase, fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), ({ data, isn, order }, lose) => {
        const sent = order.filter((_, i) => !lose[i % lose.length] || i === 0);
        const rec = new Recorder();
        const pos: number[] = [];
        const out: ConnectionSummary[] = [];
        const t: TcpTracker = new TcpTracker({
          events: {
            opened: (c) =>
              t.attach(c, {
                data: (d, b, off, at) => {
                  rec.data(d, b, off, at);
                  pos.push(off, b.length);
                },
                gap: (d, off, len) => rec.gap(d, off, len),
                end: () => rec.end(),
              }),
            removed: (s) => out.push(s),
          },
        });
        const w = new Wire(t);
        const base = (isn + 1) >>> 0;
        w.send({ from: 'c', flags: 'S', seq: isn }, { from: 's', flags: 'SA', seq: 7, ack: base });
        for (const p of sent) w.send({ from: 'c', flags: 'PA', seq: (base + p.start) >>> 0, ack: 8, data: data.subarray(p.start, p.end) });
        // The receiver acknowledges the whole stream: whatever the capture lacks is missed.
        w.send({ from: 's', flags: 'A', seq: 8, ack: (base + data.length) >>> 0 });
        t.finish();
        const seen = new Uint8Array(data.length);
        for (const p of sent) seen.fill(1, p.start, p.end);
        const covered = new Uint8Array(data.length);
        let k = 0;
        for (let i = 0; i < pos.length; i += 2) {
          const [off, len] = [pos[i], pos[i + 1]];
          expect(rec.text[0].slice(k, k + len)).toBe(data.subarray(off, off + len).toString('latin1'));
          covered.fill(1, off, off + len);
          k += len;
        }
        for (const [, off, len] of rec.gaps) covered.fill(2, off, off + len);
        expect(Array.from(covered, (c) => (c === 1 ? 1 : 0))).toEqual(Array.from(seen));
        const missed = seen.length - seen.reduce((a, b) => a + b, 0);
        expect(out[0].origSent.missedBytes).toBe(missed);
        expect(out[0].origSent.bytes).toBe(data.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: arbitrary segments never break the consumer contract', () => {
  const arbSeg = fc.record({
    from: fc.constantFrom<'c' | 's'>('c', 's'),
    flags: fc.constantFrom('S', 'SA', 'A', 'PA', 'FA', 'R', 'RA', 'FPA', 'SF', 'FR'),
    seq: fc.oneof(fc.integer({ min: 990, max: 1100 }), fc.integer({ min: 4990, max: 5100 }), fc.integer({ min: 0, max: 0xffffffff })),
    ack: fc.oneof(fc.integer({ min: 990, max: 1100 }), fc.integer({ min: 4990, max: 5100 })),
    len: fc.integer({ min: 0, max: 40 }),
    cut: fc.integer({ min: 0, max: 10 }),
    dt: fc.integer({ min: 0, max: 100 }),
  });
  it('data/gap offsets are contiguous, nothing after end, end once, buffers empty at the end', () => {
    fc.assert(
      fc.property(fc.array(arbSeg, { maxLength: 60 }), fc.boolean(), (segs, small) => {
        const recs: Recorder[] = [];
        let removed = 0;
        const t: TcpTracker = new TcpTracker({
          limits: small ? { maxBytesPerConnection: 50, maxSegmentsPerDirection: 3, gapTimeoutSec: 30, maxConnections: 2, closedTimeoutSec: 5 } : {},
          events: {
            opened: (c) => {
              const r = new Recorder();
              recs.push(r);
              t.attach(c, r);
            },
            removed: () => removed++,
          },
        });
        const w = new Wire(t);
        let time = 1_700_000_000;
        for (const s of segs) {
          time += s.dt;
          const data = Buffer.alloc(s.len, 0x61 + (s.seq % 26));
          w.send({ from: s.from, flags: s.flags, seq: s.seq, ack: s.ack, data, wire: s.len + (s.len > 0 ? s.cut : 0), t: time });
        }
        t.finish();
        expect(recs.every((r) => r.ends === 1)).toBe(true);
        expect(removed).toBe(recs.length);
        expect(t.buffered).toEqual({ bytes: 0, segments: 0 });
        expect(t.counters.liveConnections).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
