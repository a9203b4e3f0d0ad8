/**
 * One test per TCP bound of src/limits.ts: crossing it is counted and memory stays bounded.
 * Limits are lowered through the tracker's options so each crossing is cheap; the SYN flood uses
 * the real defaults.
 */
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { newPacket, TcpFlag } from '../../src/decode/packet.js';
import { TcpTracker, connectionJson, type ConnectionSummary } from '../../src/tcp/index.js';
import { TCP_MAX_CONNECTIONS } from '../../src/limits.js';
import { Recorder, Wire, type Segment } from './wire.js';

const hs: Segment[] = [
  { from: 'c', flags: 'S', seq: 1000 },
  { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
  { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
];

function followAll(t: () => TcpTracker, recs: Recorder[]) {
  return (c: Parameters<TcpTracker['attach']>[0]): void => {
    const r = new Recorder();
    recs.push(r);
    t().attach(c, r);
  };
}

describe('TCP bounds', () => {
  it('TCP_MAX_OOO_BYTES_PER_CONNECTION: the gap is skipped, the buffer delivered', () => {
    const recs: Recorder[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { maxBytesPerConnection: 100 }, events: { opened: followAll(() => t, recs) } });
    const w = new Wire(t);
    w.send(...hs, { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'a' });
    for (let i = 0; i < 5; i++) w.send({ from: 'c', flags: 'PA', seq: 1012 + i * 30, ack: 5001, data: 'x'.repeat(30) });
    expect(t.counters.gapsConnectionCap).toBe(1);
    expect(recs[0].gaps).toEqual([[0, 1, 10]]);
    expect(recs[0].text[0]).toBe('a' + 'x'.repeat(150));
    expect(t.buffered.bytes).toBeLessThanOrEqual(100);
  });

  it('TCP_MAX_OOO_BYTES_TOTAL: the oldest gap is flushed first', () => {
    const recs: Recorder[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { maxBytesTotal: 50 }, events: { opened: followAll(() => t, recs) } });
    const w1 = new Wire(t, '10.0.0.1:1', '10.0.0.2:21');
    const w2 = new Wire(t, '10.0.0.1:2', '10.0.0.2:21');
    w1.send(...hs, { from: 'c', flags: 'PA', seq: 1011, ack: 5001, data: 'y'.repeat(30) });
    w2.send(...hs, { from: 'c', flags: 'PA', seq: 1011, ack: 5001, data: 'z'.repeat(30) });
    expect(t.counters.gapsGlobalCap).toBe(1);
    expect(recs[0].gaps).toEqual([[0, 0, 10]]);
    expect(recs[1].gaps).toEqual([]);
    expect(t.buffered.bytes).toBe(30);
  });

  it('TCP_MAX_OOO_SEGMENTS_PER_DIRECTION: too many holes flush the direction (followed or not)', () => {
    for (const follow of [true, false]) {
      const recs: Recorder[] = [];
      const t: TcpTracker = new TcpTracker({ limits: { maxSegmentsPerDirection: 8 }, events: follow ? { opened: followAll(() => t, recs) } : {} });
      const w = new Wire(t);
      w.send(...hs);
      for (let i = 0; i < 9; i++) w.send({ from: 'c', flags: 'PA', seq: 1002 + i * 2, ack: 5001, data: 'h' });
      expect(t.counters.gapsSegmentCap).toBe(1);
      expect(t.buffered.segments).toBe(0);
      // skipped without proof: unseen (no ACK says the receiver had them)
      expect(t.counters).toMatchObject({ missedBytes: 0, unseenBytes: 9 });
    }
  });

  it('TCP_MAX_OOO_SEGMENTS_PER_DIRECTION counts holes: contiguous ranges behind one hole merge (a bulk transfer recovering from a loss)', () => {
    const recs: Recorder[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { maxSegmentsPerDirection: 8 }, events: { opened: followAll(() => t, recs) } });
    const w = new Wire(t);
    w.send(...hs);
    const body = Array.from({ length: 40 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(3)).join('');
    // the first 3 bytes are lost; 39 segments in flight behind the hole, then the retransmission
    for (let i = 1; i < 40; i++) w.send({ from: 'c', flags: 'PA', seq: 1001 + i * 3, ack: 5001, data: body.slice(i * 3, i * 3 + 3) });
    expect(t.buffered.segments).toBeLessThanOrEqual(8);
    w.send({ from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: body.slice(0, 3) });
    expect({ gapsSegmentCap: t.counters.gapsSegmentCap, gaps: recs[0].gaps, text: recs[0].text[0] }).toEqual({ gapsSegmentCap: 0, gaps: [], text: body });
    expect(t.buffered).toMatchObject({ segments: 0, bytes: 0 });
    // merged ranges come out in fewer deliveries than the 40 segments
    expect(recs[0].frames[0].length).toBeLessThan(40);
  });

  it('TCP_MAX_OOO_SEGMENTS_TOTAL: ranges of all connections together', () => {
    const t = new TcpTracker({ limits: { maxSegmentsTotal: 10 } });
    for (let c = 0; c < 6; c++) {
      const w = new Wire(t, `10.0.0.1:${1000 + c}`, '10.0.0.2:21');
      w.send(...hs, { from: 'c', flags: 'PA', seq: 1003, ack: 5001, data: 'a' }, { from: 'c', flags: 'PA', seq: 1006, ack: 5001, data: 'b' });
    }
    expect(t.buffered.segments).toBeLessThanOrEqual(10);
    expect(t.counters.gapsSegmentCap).toBeGreaterThan(0);
  });

  it('TCP_GAP_TIMEOUT_SEC: a gap older than the timeout is skipped by the sweep of any packet', () => {
    const recs: Recorder[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { gapTimeoutSec: 60 }, events: { opened: followAll(() => t, recs) } });
    const w = new Wire(t);
    w.send({ ...hs[0], t: 1000 }, hs[1], hs[2], { from: 'c', flags: 'PA', seq: 1005, ack: 5001, data: 'late' });
    const other = new Wire(t, '10.0.0.3:1', '10.0.0.4:2');
    other.send({ from: 'c', flags: 'S', seq: 1, t: 1060 });
    expect(recs[0].gaps).toEqual([]);
    other.send({ from: 'c', flags: 'S', seq: 1, t: 1061 });
    expect(t.counters.gapsTimedOut).toBe(1);
    expect(recs[0].gaps).toEqual([[0, 0, 4]]);
    expect(recs[0].text[0]).toBe('late');
    expect(t.counters).toMatchObject({ missedBytes: 0, unseenBytes: 4 });
    // A later ACK past the skipped gap proves the receiver had it: the capture missed it.
    w.send({ from: 's', flags: 'A', seq: 5001, ack: 1009 });
    expect(t.counters).toMatchObject({ missedBytes: 4, unseenBytes: 0 });
  });

  it('TCP_MAX_ACK_SKIP: an acknowledgement too far ahead invents no gap', () => {
    const recs: Recorder[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { maxAckSkip: 1000 }, events: { opened: followAll(() => t, recs) } });
    new Wire(t).send(
      ...hs,
      { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abc' },
      { from: 's', flags: 'A', seq: 5001, ack: 1004 + 1001 },
      { from: 's', flags: 'A', seq: 5001, ack: 1004 + 1000 },
    );
    expect(t.counters.acksImplausible).toBe(1);
    expect(recs[0].gaps).toEqual([[0, 3, 1000]]);
  });

  it('a late ACK of the previous connection on a reused 4-tuple invents no gap', () => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    new Wire(t).send(
      ...hs,
      { from: 'c', flags: 'FA', seq: 1001, ack: 5001 },
      { from: 's', flags: 'FA', seq: 5001, ack: 1002 },
      { from: 'c', flags: 'S', seq: 0x80000000 },
      // late: acknowledges a number of the old connection, from a sequence number far from the new one
      { from: 's', flags: 'A', seq: 5002, ack: (0x80000000 + 5000) >>> 0 },
      { from: 's', flags: 'SA', seq: 0x40000000, ack: 0x80000001 },
    );
    t.finish();
    expect(out.map((s) => s.origSent.missedBytes)).toEqual([0, 0]);
  });

  it('TCP_MAX_SEQ_JUMP: a segment beyond it is ignored and counted', () => {
    const t = new TcpTracker({ limits: { maxSeqJump: 1000 } });
    new Wire(t).send(...hs, { from: 'c', flags: 'PA', seq: 1001 + 1001, ack: 5001, data: 'far' }, { from: 'c', flags: 'PA', seq: 1001 + 999, ack: 5001, data: 'near' });
    expect(t.counters.outOfWindowSegments).toBe(1);
    expect(t.buffered.segments).toBe(1);
  });

  it('TCP_IDLE_TIMEOUT_SEC, TCP_ATTEMPT_TIMEOUT_SEC, TCP_CLOSED_TIMEOUT_SEC: idle connections leave in capture time', () => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ limits: { idleTimeoutSec: 100, attemptTimeoutSec: 20, closedTimeoutSec: 5 }, events: { removed: (s, why) => why === 'idle' && out.push(s) } });
    new Wire(t, '10.0.0.1:1', '10.0.0.2:21').send({ from: 'c', flags: 'S', seq: 1, t: 1000 });
    new Wire(t, '10.0.0.1:2', '10.0.0.2:21').send({ ...hs[0], t: 1000 }, hs[1], hs[2]);
    new Wire(t, '10.0.0.1:3', '10.0.0.2:21').send({ ...hs[0], t: 1000 }, hs[1], hs[2], { from: 'c', flags: 'R', seq: 1001 });
    const tick = new Wire(t, '10.0.0.9:9', '10.0.0.8:8');
    tick.send({ from: 'c', flags: 'A', seq: 1, t: 1006 });
    expect(out.map((s) => s.orig.port)).toEqual([3]);
    tick.send({ from: 'c', flags: 'A', seq: 1, t: 1021 });
    expect(out.map((s) => s.orig.port)).toEqual([3, 1]);
    tick.send({ from: 'c', flags: 'A', seq: 1, t: 1101 });
    expect(out.map((s) => s.orig.port)).toEqual([3, 1, 2]);
    expect(t.counters.evictedIdle).toBe(3);
    expect(t.counters.liveConnections).toBe(1);
  });

  it('TCP_MAX_CONNECTIONS: the idlest of the least useful class is evicted', () => {
    const out: string[] = [];
    const t = new TcpTracker({ limits: { maxConnections: 3 }, events: { removed: (s, why) => out.push(`${s.orig.port}:${s.state}:${why}`) } });
    new Wire(t, '10.0.0.1:1', '10.0.0.2:21').send(...hs); // live
    new Wire(t, '10.0.0.1:2', '10.0.0.2:21').send({ from: 'c', flags: 'S', seq: 1 }); // attempt
    new Wire(t, '10.0.0.1:3', '10.0.0.2:21').send({ from: 'c', flags: 'S', seq: 1 }); // attempt
    new Wire(t, '10.0.0.1:4', '10.0.0.2:21').send({ from: 'c', flags: 'S', seq: 1 });
    new Wire(t, '10.0.0.1:5', '10.0.0.2:21').send({ from: 'c', flags: 'S', seq: 1 });
    expect(out).toEqual(['2:S0:capacity', '3:S0:capacity']);
    expect(t.counters.evictedCapacity).toBe(2);
    expect(t.counters.liveConnections).toBe(3);
  });

  it('TCP_MAX_CLOSED_CONNECTIONS: past it the idlest closed or reset connection leaves early', () => {
    const out: string[] = [];
    const t = new TcpTracker({ limits: { maxClosedConnections: 2 }, events: { removed: (s, why) => out.push(`${s.orig.port}:${s.state}:${why}`) } });
    const live = new Wire(t, '10.0.0.1:9', '10.0.0.2:21');
    live.send(...hs);
    const reset = (port: number): Wire => {
      const w = new Wire(t, `10.0.0.1:${port}`, '10.0.0.2:21');
      w.send(...hs, { from: 'c', flags: 'R', seq: 1001 });
      return w;
    };
    const first = reset(1);
    reset(2);
    expect(out).toEqual([]);
    // A late packet makes the first one the less idle of the two.
    first.send({ from: 's', flags: 'A', seq: 5001, ack: 1001 });
    reset(3);
    expect(out).toEqual(['2:RSTO:capacity']);
    reset(4);
    expect(out).toEqual(['2:RSTO:capacity', '1:RSTO:capacity']);
    // Live connections are not counted against it.
    expect(t.counters).toMatchObject({ evictedCapacity: 2, liveConnections: 3 });
  });

  it('TCP_MAX_PENDING_FOLLOWS: the oldest waiting subscription is dropped and ended', () => {
    const t = new TcpTracker({ limits: { maxPendingFollows: 2 } });
    const r = [new Recorder(), new Recorder(), new Recorder()];
    r.forEach((x, i) => t.follow({ srcIp: '10.0.0.1', srcPort: 100 + i, dstIp: '10.0.0.2', dstPort: 21 }, x));
    expect(r.map((x) => x.ends)).toEqual([1, 0, 0]);
    expect(t.counters.followsDropped).toBe(1);
  });

  it('TCP_RETRANSMIT_CHECK_BYTES: only the last bytes delivered are compared with a retransmission', () => {
    const out: ConnectionSummary[] = [];
    const t: TcpTracker = new TcpTracker({ limits: { retransmitCheckBytes: 8 }, events: { opened: (c) => void t.attach(c, new Recorder()), removed: (s) => out.push(s) } });
    new Wire(t).send(
      ...hs,
      { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'abcdefghijklmnop' },
      // all 16 bytes differ, but only the last 8 are still known
      { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'ABCDEFGHIJKLMNOP' },
    );
    t.finish();
    expect(out[0].origSent).toMatchObject({ retransmittedBytes: 16, conflictingBytes: 8 });
    // The 8 older bytes could not be compared: counted (limits.tcp-retransmit-bytes-unchecked).
    expect(t.counters.retransmitBytesUnchecked).toBe(8);
  });

  it('TCP_MAX_SYN_RETRANSMIT_FRAMES: more retransmissions are counted, not listed', () => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    const w = new Wire(t);
    for (let i = 0; i < 40; i++) w.send({ from: 'c', flags: 'S', seq: 1000 });
    t.finish();
    expect(out[0].synRetransmits).toBe(39);
    expect(out[0].synRetransmitFrames).toHaveLength(16);
    // Counted for the analyze report's limits, and said in the connections command's record.
    expect(t.counters.synRetransmitFramesUnlisted).toBe(39 - 16);
    expect(connectionJson(out[0]).frames.synRetransmitsUnlisted).toBe(39 - 16);
  });

  it(`a 1,000,000-SYN flood stays within TCP_MAX_CONNECTIONS (${TCP_MAX_CONNECTIONS}) and a few seconds`, () => {
    let removed = 0;
    const t = new TcpTracker({ events: { removed: () => removed++ } });
    // A live FTP control connection that must survive the flood.
    const rec = new Recorder();
    const ctl = new Wire(t, '192.0.2.10:40000', '198.51.100.5:21');
    t.follow({ srcIp: '192.0.2.10', srcPort: 40000, dstIp: '198.51.100.5', dstPort: 21 }, rec);
    ctl.send({ ...hs[0], t: 1_700_000_000 }, hs[1], hs[2], { from: 's', flags: 'PA', seq: 5001, ack: 1001, data: '220 hi\r\n' });
    const p = newPacket();
    p.ipVersion = 4;
    p.protocol = 6;
    p.dst4 = 0xc6336405;
    p.dstPort = 80;
    p.flags = TcpFlag.SYN;
    p.tsSec = 1_700_000_001;
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const start = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      p.src4 = (0x0a000000 + (i >>> 8)) >>> 0;
      p.srcPort = 1024 + (i & 0xff) * 200;
      p.seq = (i * 2654435761) >>> 0;
      p.frame = i + 10;
      p.tsNsec = i;
      t.packet(p);
    }
    const ms = performance.now() - start;
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    ctl.send({ from: 's', flags: 'PA', seq: 5009, ack: 1001, data: '331 pw\r\n', t: 1_700_000_002 });
    expect(t.counters.liveConnections).toBeLessThanOrEqual(TCP_MAX_CONNECTIONS);
    expect(t.counters.peakConnections).toBe(TCP_MAX_CONNECTIONS);
    expect(t.counters.evictedCapacity).toBe(1_000_001 - TCP_MAX_CONNECTIONS);
    expect(removed).toBe(t.counters.evictedCapacity);
    expect(rec.text[1]).toBe('220 hi\r\n331 pw\r\n');
    // ~0.7 KiB per tracked connection (test/bench/tcp-micro.mjs measures it).
    expect(heapGrowth / TCP_MAX_CONNECTIONS).toBeLessThan(1024);
    expect(ms).toBeLessThan(5000);
  });
});
