/**
 * Reassembly scenarios, hand-built (STYLE.md §7): each is a list of `{ segment, expect }` fed to a
 * tracker that follows every connection; `expect` is what the stream consumer holds after that
 * segment. Client 10.0.0.1:40000, server 10.0.0.2:21; client ISN 1000, server ISN 5000 unless
 * the scenario says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { TcpTracker, type ConnectionSummary, type TrackerLimits } from '../../src/tcp/index.js';
import { Recorder, Wire, type Segment } from './wire.js';

interface Expect {
  /** Client->server and server->client bytes delivered so far. */
  c?: string;
  s?: string;
  /** Gaps reported so far: [direction, offset, length]. */
  gaps?: [number, number, number][];
  ends?: number;
}

interface Scenario {
  name: string;
  steps: { segment: Segment; expect?: Expect }[];
  /** After finish(). */
  final?: Expect & {
    state?: string;
    history?: string;
    conn?: (s: ConnectionSummary[]) => void;
  };
  limits?: Partial<TrackerLimits>;
}

const handshake = (isnC = 1000, isnS = 5000): { segment: Segment }[] => [
  { segment: { from: 'c', flags: 'S', seq: isnC } },
  { segment: { from: 's', flags: 'SA', seq: isnS, ack: isnC + 1 } },
  { segment: { from: 'c', flags: 'A', seq: isnC + 1, ack: isnS + 1 } },
];

const scenarios: Scenario[] = [
  {
    name: 'in order, both directions',
    steps: [
      ...handshake(),
      { segment: { from: 's', flags: 'PA', seq: 5001, ack: 1001, data: '220 hi\r\n' }, expect: { s: '220 hi\r\n', c: '' } },
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5009, data: 'USER a\r\n' }, expect: { c: 'USER a\r\n' } },
      { segment: { from: 's', flags: 'PA', seq: 5009, ack: 1009, data: '331 pw\r\n' }, expect: { s: '220 hi\r\n331 pw\r\n' } },
    ],
    final: { state: 'S1', history: 'ShAdD', ends: 1, gaps: [] },
  },
  {
    name: 'reorder: a later segment waits for the earlier one',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1007, ack: 5001, data: 'ghi' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1010, ack: 5001, data: 'jkl' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'def' }, expect: { c: 'abcdefghijkl', gaps: [] } },
    ],
    final: { conn: ([s]) => expect(s.origSent).toMatchObject({ bytes: 12, retransmittedBytes: 0, missedBytes: 0 }) },
  },
  {
    name: 'retransmission delivered once',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1002, ack: 5001, data: 'bcdef' }, expect: { c: 'abcdef' } },
    ],
    final: {
      history: 'ShADT',
      conn: ([s]) => expect(s.origSent).toMatchObject({ bytes: 6, retransmittedBytes: 5 }),
    },
  },
  {
    name: 'overlap with different bytes: the first copy wins, the conflict is counted',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'DEFGHI' }, expect: { c: '' } },
      // -> 1001 "abcdeX": [1004,1007) overlaps the buffered "DEF" with "deX" (3 bytes differ).
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abcdeX' }, expect: { c: 'abcDEFGHI' } },
    ],
    final: {
      conn: ([s]) =>
        expect(s.origSent).toMatchObject({ bytes: 9, retransmittedBytes: 3, conflictingBytes: 3 }),
    },
  },
  {
    name: 'conflicting retransmission of bytes already delivered: counted, not delivered',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'RETR a.txt\r\n' }, expect: { c: 'RETR a.txt\r\n' } },
      // same bytes again: a faithful retransmission
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'RETR a.txt\r\n' } },
      // same sequence numbers, other bytes (2 differ), and one new byte after them
      { segment: { from: 'c', flags: 'PA', seq: 1006, ack: 5001, data: 'b.txt\r\nX' }, expect: { c: 'RETR a.txt\r\nX' } },
    ],
    final: {
      conn: ([s]) =>
        expect(s.origSent).toMatchObject({ bytes: 13, retransmittedBytes: 19, conflictingBytes: 1 }),
    },
  },
  {
    name: 'wrap-around: sequence numbers cross 2^32, with reordering across the wrap',
    steps: [
      { segment: { from: 'c', flags: 'S', seq: 0xfffffffc } },
      { segment: { from: 's', flags: 'SA', seq: 0xffffff00, ack: 0xfffffffd } },
      { segment: { from: 'c', flags: 'A', seq: 0xfffffffd, ack: 0xffffff01 } },
      // 0xfffffffd + 4 = 0x1_00000001 -> 1
      { segment: { from: 'c', flags: 'PA', seq: 0xfffffffd, ack: 0xffffff01, data: 'abcd' }, expect: { c: 'abcd' } },
      { segment: { from: 'c', flags: 'PA', seq: 5, ack: 0xffffff01, data: 'ijkl' }, expect: { c: 'abcd' } },
      { segment: { from: 'c', flags: 'PA', seq: 1, ack: 0xffffff01, data: 'efgh' }, expect: { c: 'abcdefghijkl' } },
      // server data crossing the wrap in one segment
      { segment: { from: 's', flags: 'PA', seq: 0xffffff01, ack: 9, data: Buffer.alloc(300, 0x41) }, expect: { s: 'A'.repeat(300) } },
      { segment: { from: 's', flags: 'PA', seq: 45, ack: 9, data: 'B' }, expect: { s: 'A'.repeat(300) + 'B' } },
    ],
    final: { gaps: [] },
  },
  {
    name: 'never-filled gap, skipped when the peer acknowledges past it',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1010, ack: 5001, data: 'jkl' }, expect: { c: 'abc', gaps: [] } },
      { segment: { from: 's', flags: 'A', seq: 5001, ack: 1013 }, expect: { c: 'abcjkl', gaps: [[0, 3, 6]] } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'def' }, expect: { c: 'abcjkl' } },
    ],
    final: {
      history: 'ShADaGT',
      conn: ([s]) => expect(s.origSent).toMatchObject({ bytes: 12, missedBytes: 6, retransmittedBytes: 3 }),
    },
  },
  {
    name: 'never-filled gap, acknowledged with nothing after it (tail loss)',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' }, expect: { c: 'abc' } },
      { segment: { from: 's', flags: 'A', seq: 5001, ack: 1011 }, expect: { c: 'abc', gaps: [[0, 3, 7]] } },
      { segment: { from: 'c', flags: 'PA', seq: 1011, ack: 5001, data: 'xy' }, expect: { c: 'abcxy' } },
    ],
  },
  {
    name: 'never-filled gap, skipped after the gap timeout (capture time)',
    limits: { gapTimeoutSec: 5 },
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc', t: 1_700_000_100 }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1010, ack: 5001, data: 'jkl' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1013, ack: 5001, data: 'mno', t: 1_700_000_104 }, expect: { c: 'abc' } },
      { segment: { from: 's', flags: 'A', seq: 5001, ack: 1001, t: 1_700_000_106 }, expect: { c: 'abcjklmno', gaps: [[0, 3, 6]] } },
    ],
  },
  {
    name: 'never-filled gap, flushed at the end of the capture',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1010, ack: 5001, data: 'jkl' }, expect: { c: 'abc', ends: 0 } },
    ],
    final: {
      c: 'abcjkl',
      gaps: [[0, 3, 6]],
      ends: 1,
      // nobody acknowledged the hole: not proven lost by the capture (the sender may not have
      // retransmitted it yet when the capture ended)
      conn: ([s]) => expect(s.origSent).toMatchObject({ missedBytes: 0, unseenBytes: 6 }),
    },
  },
  {
    name: 'FIN before the data completes: the stream ends after the late bytes',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' } },
      { segment: { from: 'c', flags: 'FPA', seq: 1007, ack: 5001, data: 'ghi' }, expect: { c: 'abc' } },
      { segment: { from: 's', flags: 'FA', seq: 5001, ack: 1004 }, expect: { c: 'abc', ends: 0 } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5002, data: 'def' }, expect: { c: 'abcdefghi', ends: 1 } },
      { segment: { from: 's', flags: 'A', seq: 5002, ack: 1011 }, expect: { ends: 1 } },
    ],
    final: { state: 'SF', history: 'ShADFfa', gaps: [], ends: 1 },
  },
  {
    name: 'FIN acknowledged while bytes before it are missing',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'FPA', seq: 1004, ack: 5001, data: 'def' } },
      { segment: { from: 's', flags: 'FA', seq: 5001, ack: 1008 }, expect: { c: 'def', gaps: [[0, 0, 3]], ends: 1 } },
    ],
    final: { state: 'SF' },
  },
  {
    name: 'RST in the middle: the bytes waiting on the resetting side flushed, nothing from it after',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1007, ack: 5001, data: 'ghi' }, expect: { c: 'abc' } },
      { segment: { from: 's', flags: 'PA', seq: 5001, ack: 1004, data: '226 ok\r\n' }, expect: { s: '226 ok\r\n' } },
      { segment: { from: 'c', flags: 'R', seq: 1010 }, expect: { c: 'abcghi', gaps: [[0, 3, 3]], ends: 0 } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'def' }, expect: { c: 'abcghi' } },
      // bytes in flight from the other side still arrive (the server had not seen the RST yet)
      { segment: { from: 's', flags: 'PA', seq: 5009, ack: 1004, data: '221 bye\r\n' }, expect: { s: '226 ok\r\n221 bye\r\n', ends: 0 } },
      { segment: { from: 's', flags: 'FA', seq: 5018, ack: 1004 }, expect: { ends: 1 } },
    ],
    final: { state: 'RSTO', history: 'ShADdRGTf' },
  },
  {
    name: 'RST after a FIN whose data never came: the missing bytes are a gap, late copies not delivered',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' } },
      { segment: { from: 'c', flags: 'FA', seq: 1008, ack: 5001 }, expect: { c: 'abc', gaps: [] } },
      { segment: { from: 'c', flags: 'R', seq: 1009 }, expect: { c: 'abc', gaps: [[0, 3, 4]], ends: 0 } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'defg' }, expect: { c: 'abc' } },
      { segment: { from: 's', flags: 'PA', seq: 5001, ack: 1004, data: 'late' }, expect: { s: 'late' } },
    ],
    final: {
      ends: 1,
      conn: ([s]) =>
        expect(s.origSent).toMatchObject({ bytes: 7, missedBytes: 0, unseenBytes: 4, retransmittedBytes: 4 }),
    },
  },
  {
    name: 'RST answering a FIN: both directions end',
    steps: [
      ...handshake(),
      { segment: { from: 's', flags: 'FPA', seq: 5001, ack: 1001, data: '421 bye\r\n' }, expect: { s: '421 bye\r\n', ends: 0 } },
      { segment: { from: 'c', flags: 'RA', seq: 1001, ack: 5011 }, expect: { ends: 1 } },
    ],
    final: { state: 'RSTO' },
  },
  {
    name: 'simultaneous open (RFC 9293 §3.5 figure 8)',
    steps: [
      { segment: { from: 'c', flags: 'S', seq: 1000 } },
      { segment: { from: 's', flags: 'S', seq: 5000 } },
      { segment: { from: 'c', flags: 'SA', seq: 1000, ack: 5001 } },
      { segment: { from: 's', flags: 'SA', seq: 5000, ack: 1001 } },
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'hello' }, expect: { c: 'hello' } },
      { segment: { from: 's', flags: 'PA', seq: 5001, ack: 1006, data: 'world' }, expect: { s: 'world' } },
    ],
    final: { state: 'S1', history: 'SsHhDd', conn: (l) => expect(l).toHaveLength(1) },
  },
  {
    name: 'segment beyond any window: ignored and counted',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: (1004 + 0x7ffffff0) >>> 0, ack: 5001, data: 'zzz' }, expect: { c: 'abc' } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: 'def' }, expect: { c: 'abcdef' } },
    ],
    final: { gaps: [], conn: ([s]) => expect(s.origSent).toMatchObject({ outOfWindowSegments: 1, bytes: 6 }) },
  },
  {
    name: 'mid-stream pickup: no SYN, the server port decides the originator',
    steps: [
      { segment: { from: 's', flags: 'PA', seq: 7000, ack: 3000, data: '150 ok\r\n' }, expect: { s: '150 ok\r\n' } },
      { segment: { from: 'c', flags: 'PA', seq: 3000, ack: 7008, data: 'NOOP\r\n' }, expect: { c: 'NOOP\r\n' } },
    ],
    final: {
      state: 'OTH',
      history: '^dD',
      conn: ([s]) => {
        expect(s.midStream).toBe(true);
        expect(`${s.orig.ip}:${s.orig.port}`).toBe('10.0.0.1:40000');
      },
    },
  },
  {
    name: 'snap-cut segment: the cut bytes are a gap, delivery goes on',
    steps: [
      ...handshake(),
      { segment: { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc', wire: 10 }, expect: { c: 'abc', gaps: [[0, 3, 7]] } },
      { segment: { from: 'c', flags: 'PA', seq: 1011, ack: 5001, data: 'xyz' }, expect: { c: 'abcxyz' } },
      // cut and out of order: [1020,1022) kept, [1022,1025) missing, then [1014,1020) fills the hole
      { segment: { from: 'c', flags: 'PA', seq: 1020, ack: 5001, data: 'ST', wire: 5 }, expect: { c: 'abcxyz' } },
      { segment: { from: 'c', flags: 'PA', seq: 1014, ack: 5001, data: 'mnopqr' }, expect: { c: 'abcxyzmnopqrST', gaps: [[0, 3, 7], [0, 21, 3]] } },
      { segment: { from: 'c', flags: 'PA', seq: 1025, ack: 5001, data: '!' }, expect: { c: 'abcxyzmnopqrST!' } },
    ],
    final: { conn: ([s]) => expect(s.origSent).toMatchObject({ bytes: 25, missedBytes: 10 }) },
  },
  {
    name: 'SYN carrying data (TCP Fast Open): the payload starts after the SYN',
    steps: [
      { segment: { from: 'c', flags: 'S', seq: 1000, data: 'GET' }, expect: { c: 'GET' } },
      { segment: { from: 's', flags: 'SA', seq: 5000, ack: 1004 } },
      { segment: { from: 'c', flags: 'PA', seq: 1004, ack: 5001, data: ' /' }, expect: { c: 'GET /' } },
    ],
  },
];

function run(sc: Scenario): void {
  const recorders: Recorder[] = [];
  const removed: ConnectionSummary[] = [];
  const tracker = new TcpTracker({
    limits: sc.limits,
    events: {
      opened: (c) => {
        const r = new Recorder();
        recorders.push(r);
        tracker.attach(c, r);
      },
      removed: (s) => removed.push(s),
    },
  });
  const wire = new Wire(tracker);
  const check = (e: Expect | undefined, where: string): void => {
    if (e === undefined) return;
    const r = recorders[recorders.length - 1];
    if (e.c !== undefined) expect(r.text[0], `${where}: c`).toBe(e.c);
    if (e.s !== undefined) expect(r.text[1], `${where}: s`).toBe(e.s);
    if (e.gaps !== undefined) expect(r.gaps, `${where}: gaps`).toEqual(e.gaps);
    if (e.ends !== undefined) expect(r.ends, `${where}: ends`).toBe(e.ends);
  };
  sc.steps.forEach((st, i) => {
    wire.send(st.segment);
    check(st.expect, `step ${i + 1}`);
  });
  tracker.finish();
  check(sc.final, 'final');
  for (const r of recorders) expect(r.ends).toBe(1);
  if (sc.final?.state !== undefined) expect(removed[removed.length - 1].state).toBe(sc.final.state);
  if (sc.final?.history !== undefined) expect(removed[removed.length - 1].history).toBe(sc.final.history);
  sc.final?.conn?.(removed);
}

describe('reassembly scenarios (hand-built segments)', () => {
  for (const sc of scenarios) it(sc.name, () => run(sc));
});

describe('retransmission-check buffers', () => {
  /** A tracker following every connection, and the summaries of those that left it. */
  const following = (): { tracker: TcpTracker; removed: ConnectionSummary[] } => {
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({
      events: {
        opened: (c) => void tracker.attach(c, new Recorder()),
        removed: (s) => removed.push(s),
      },
    });
    return { tracker, removed };
  };

  it("a buffer reused from a connection that left holds none of its bytes for the next stream's checks", () => {
    const { tracker, removed } = following();
    const w = new Wire(tracker, '10.0.0.1:40000', '10.0.0.2:21');
    // The first connection fills its buffers (grown to 512 bytes) with bytes the next one never sends.
    const first = 'Z'.repeat(300);
    w.send(
      { from: 'c', flags: 'S', seq: 1000 },
      { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
      { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
      { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: first },
      { from: 's', flags: 'PA', seq: 5001, ack: 1301, data: first },
      { from: 'c', flags: 'FA', seq: 1301, ack: 5301 },
      { from: 's', flags: 'FA', seq: 5301, ack: 1302 },
      { from: 'c', flags: 'A', seq: 1302, ack: 5302 },
      // Another ISN on the same ports: the first connection leaves, its buffers kept for reuse.
      { from: 'c', flags: 'S', seq: 90000 },
      { from: 's', flags: 'SA', seq: 70000, ack: 90001 },
      { from: 'c', flags: 'A', seq: 90001, ack: 70001 },
      { from: 'c', flags: 'PA', seq: 90001, ack: 70001, data: 'abc' },
      // A faithful retransmission, then one whose last byte differs.
      { from: 'c', flags: 'PA', seq: 90001, ack: 70001, data: 'abc' },
      { from: 'c', flags: 'PA', seq: 90001, ack: 70001, data: 'abX' },
    );
    expect(removed).toHaveLength(1);
    expect(removed[0].origSent).toMatchObject({ bytes: 300, conflictingBytes: 0 });
    tracker.finish();
    expect(removed[1].origSent).toMatchObject({ bytes: 3, retransmittedBytes: 6, conflictingBytes: 1 });
  });

  it("a buffer a growing stream gives up goes to another stream, and neither sees the other's bytes", () => {
    const { tracker, removed } = following();
    const a = new Wire(tracker, '10.0.0.1:40001', '10.0.0.2:21');
    const b = new Wire(tracker, '10.0.0.3:40002', '10.0.0.2:21');
    for (const w of [a, b]) w.send({ from: 'c', flags: 'S', seq: 1000 }, { from: 's', flags: 'SA', seq: 5000, ack: 1001 }, { from: 'c', flags: 'A', seq: 1001, ack: 5001 });
    const x = 'x'.repeat(200);
    const y = 'y'.repeat(200);
    // a: 200 bytes (a 256-byte buffer), then 200 more (grown to 512: the 256-byte one is given up).
    a.send({ from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: x }, { from: 'c', flags: 'PA', seq: 1201, ack: 5001, data: x });
    // b: 200 other bytes, into the buffer a gave up.
    b.send({ from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: y });
    // Both retransmit faithfully: a conflict would mean one's buffer held the other's bytes.
    a.send({ from: 'c', flags: 'PA', seq: 1201, ack: 5001, data: x });
    b.send({ from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: y });
    tracker.finish();
    expect(removed.map((r) => r.origSent)).toEqual([
      expect.objectContaining({ bytes: 400, retransmittedBytes: 200, conflictingBytes: 0 }),
      expect.objectContaining({ bytes: 200, retransmittedBytes: 200, conflictingBytes: 0 }),
    ]);
  });
});

describe('port reuse', () => {
  it('a new SYN with another ISN after the close starts a new connection', () => {
    const recs: Recorder[] = [];
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({
      events: {
        opened: (c) => {
          const r = new Recorder();
          recs.push(r);
          tracker.attach(c, r);
        },
        removed: (s) => removed.push(s),
      },
    });
    const w = new Wire(tracker, '10.0.0.1:40000', '10.0.0.2:20');
    w.send(
      { from: 'c', flags: 'S', seq: 1000 },
      { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
      { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
      { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'first' },
      { from: 'c', flags: 'FA', seq: 1006, ack: 5001 },
      { from: 's', flags: 'FA', seq: 5001, ack: 1007 },
      { from: 'c', flags: 'A', seq: 1007, ack: 5002 },
      { from: 'c', flags: 'S', seq: 90000 },
      { from: 's', flags: 'SA', seq: 70000, ack: 90001 },
      { from: 'c', flags: 'A', seq: 90001, ack: 70001 },
      { from: 'c', flags: 'PA', seq: 90001, ack: 70001, data: 'second' },
    );
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ state: 'SF', removal: 'port-reuse', history: 'ShADFf' });
    tracker.finish();
    expect(recs.map((r) => r.text[0])).toEqual(['first', 'second']);
    expect(removed[1]).toMatchObject({ state: 'S1', removal: 'end-of-capture', open: true });
    expect(tracker.counters.portReuse).toBe(1);
  });

  it('a SYN with another ISN on an open connection starts a new one; the same ISN is a retransmission', () => {
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({ events: { removed: (s) => removed.push(s) } });
    const w = new Wire(tracker);
    w.send(
      { from: 'c', flags: 'S', seq: 1000, t: 1_700_000_000 },
      { from: 'c', flags: 'S', seq: 1000, t: 1_700_000_001 },
      { from: 'c', flags: 'S', seq: 1000, t: 1_700_000_003 },
      { from: 'c', flags: 'S', seq: 2000, t: 1_700_000_010 },
    );
    tracker.finish();
    expect(removed.map((s) => [s.state, s.history, s.synRetransmits, s.removal])).toEqual([
      ['S0', 'S', 2, 'port-reuse'],
      ['S0', 'S', 0, 'end-of-capture'],
    ]);
    expect(removed[0].synRetransmitFrames).toEqual([2, 3]);
    expect(removed[0].synFrame).toBe(1);
  });

  it("the responder's side alone: a SYN-ACK with another ISN after its FIN starts a new connection; a retransmitted one does not", () => {
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({ events: { removed: (s) => removed.push(s) } });
    const w = new Wire(tracker, '10.0.0.1:44500', '10.0.0.2:30000');
    w.send(
      { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
      { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
      { from: 's', flags: 'PA', seq: 5001, ack: 1001, data: 'first' },
      { from: 's', flags: 'FA', seq: 5006, ack: 1001 },
      { from: 's', flags: 'SA', seq: 70000, ack: 90001 },
      { from: 's', flags: 'PA', seq: 70001, ack: 90001, data: 'second' },
    );
    tracker.finish();
    expect(removed.map((s) => [s.state, s.history, s.removal, s.respSent.bytes])).toEqual([
      ['SHR', '^hdf', 'port-reuse', 5],
      ['OTH', '^hd', 'end-of-capture', 6],
    ]);
  });

  it("the responder's side alone: a RST+ACK acknowledging another ISN answers another SYN; a duplicate of the first does not", () => {
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({ events: { removed: (s) => removed.push(s) } });
    const w = new Wire(tracker, '10.0.0.1:40261', '10.0.0.2:30010');
    // 04-passive-blocked, server side: curl's SYNs after EPSV and after PASV, from one port, each
    // reset; a SPAN copy of the first RST 10 µs later.
    w.send(
      { from: 's', flags: 'RA', seq: 0, ack: 2470096833 },
      { from: 's', flags: 'RA', seq: 0, ack: 2470096833 },
      { from: 's', flags: 'RA', seq: 0, ack: 2470099420 },
    );
    tracker.finish();
    expect(removed.map((s) => [s.state, s.removal, s.respSent.rstFrame])).toEqual([
      ['RSTRH', 'port-reuse', 1],
      ['RSTRH', 'end-of-capture', 3],
    ]);
    expect(tracker.counters.portReuse).toBe(1);
  });

  it('a refused SYN retried with the same ISN stays one connection', () => {
    const removed: ConnectionSummary[] = [];
    const tracker = new TcpTracker({ events: { removed: (s) => removed.push(s) } });
    const w = new Wire(tracker);
    w.send(
      { from: 'c', flags: 'S', seq: 1000 },
      { from: 's', flags: 'RA', seq: 0, ack: 1001 },
      { from: 'c', flags: 'S', seq: 1000 },
      { from: 's', flags: 'RA', seq: 0, ack: 1001 },
    );
    tracker.finish();
    expect(removed.map((s) => [s.state, s.history, s.synRetransmits])).toEqual([['REJ', 'Sr', 1]]);
  });
});
