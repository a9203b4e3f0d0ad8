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
