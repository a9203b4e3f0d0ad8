/**
 * The tracker's contract: lifecycle events for all connections, subscriptions (by 4-tuple, by
 * first bytes, from `opened`), accounting without following, IPv6, connectionsOf.
 */
import { describe, expect, it } from 'vitest';
import { newPacket, type Packet } from '../../src/decode/packet.js';
import { TcpTracker, connectionsOf, type ConnectionSummary, type StreamSink } from '../../src/tcp/index.js';
import { Recorder, Wire, type Segment } from './wire.js';

const session: Segment[] = [
  { from: 'c', flags: 'S', seq: 1000 },
  { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
  { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
  { from: 's', flags: 'PA', seq: 5001, ack: 1001, data: '220 ready\r\n' },
  { from: 'c', flags: 'PA', seq: 1001, ack: 5012, data: 'USER ftp\r\n' },
  { from: 's', flags: 'FA', seq: 5012, ack: 1011 },
  { from: 'c', flags: 'FA', seq: 1011, ack: 5013 },
  { from: 's', flags: 'A', seq: 5013, ack: 1012 },
];

describe('lifecycle events', () => {
  it('come in order for a full connection, with the sink ended before removal', () => {
    const log: string[] = [];
    const rec = new Recorder();
    const t = new TcpTracker({
      events: {
        opened: (c) => {
          log.push(`opened ${c.id} ${c.origIp}:${c.origPort}->${c.respIp}:${c.respPort}`);
          t.attach(c, { data: (d, b) => rec.data(d, b, 0, { frame: 0, tsSec: 0, tsNsec: 0 }), gap: () => {}, end: () => log.push('end') });
        },
        established: (c) => log.push(`established ${c.state}`),
        closed: (c) => log.push(`closed ${c.state}`),
        reset: () => log.push('reset'),
        removed: (s, why) => log.push(`removed ${s.state} ${why}`),
      },
    });
    new Wire(t).send(...session);
    expect(log).toEqual(['opened 1 10.0.0.1:40000->10.0.0.2:21', 'established S1', 'closed SF', 'end']);
    t.finish();
    expect(log.slice(4)).toEqual(['removed SF end-of-capture']);
  });

  it('an evicted followed connection ends its sink before `removed`', () => {
    const log: string[] = [];
    const t: TcpTracker = new TcpTracker({
      limits: { maxConnections: 1 },
      events: {
        opened: (c) => {
          log.push(`opened ${c.id}`);
          t.attach(c, { data: () => {}, gap: () => {}, end: () => log.push(`end ${c.id}`) });
        },
        removed: (s, why) => log.push(`removed ${s.id} ${why}`),
      },
    });
    new Wire(t, '10.0.0.1:1', '10.0.0.2:21').send(...session.slice(0, 4));
    new Wire(t, '10.0.0.1:2', '10.0.0.2:21').send(session[0]);
    t.finish();
    expect(log).toEqual(['opened 1', 'end 1', 'removed 1 capacity', 'opened 2', 'end 2', 'removed 2 end-of-capture']);
  });

  it('reports the RST with its direction', () => {
    const log: string[] = [];
    const t = new TcpTracker({ events: { reset: (c, d) => log.push(`reset ${d} ${c.state}`) } });
    new Wire(t).send(session[0], { from: 's', flags: 'RA', seq: 0, ack: 1001 });
    expect(log).toEqual(['reset 1 REJ']);
  });

  it('summaries carry frames and timestamps of the key events', () => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    const w = new Wire(t, '10.0.0.1:40000', '10.0.0.2:21', 100);
    w.send({ ...session[0], t: 1_700_000_000.25 }, ...session.slice(1, 7), { ...session[7], t: 1_700_000_003.5 });
    t.finish();
    const s = out[0];
    expect(s).toMatchObject({
      startSec: 1_700_000_000,
      startNsec: 250_000_000,
      endSec: 1_700_000_003,
      endNsec: 500_000_000,
      firstFrame: 100,
      lastFrame: 107,
      synFrame: 100,
      synAckFrame: 101,
      establishedFrame: 102,
      open: false,
    });
    expect(s.origSent).toMatchObject({ packets: 4, bytes: 10, finFrame: 106, rstFrame: null, state: 'closed' });
    expect(s.respSent).toMatchObject({ packets: 4, bytes: 11, finFrame: 105, synFrame: 101 });
  });
});

describe('subscriptions', () => {
  it('by first bytes: a 220 banner on any port', () => {
    const recs: Recorder[] = [];
    const seen: string[] = [];
    const t = new TcpTracker({
      events: {
        inspect: (c, dir, bytes): StreamSink | null => {
          seen.push(`${c.respPort}:${dir}:${bytes.toString('latin1').slice(0, 3)}`);
          if (dir !== 1 || !bytes.toString('latin1').startsWith('220')) return null;
          const r = new Recorder();
          recs.push(r);
          return r;
        },
      },
    });
    new Wire(t, '10.0.0.1:40000', '10.0.0.2:2121').send(...session);
    // Another connection whose first bytes are not a banner.
    new Wire(t, '10.0.0.1:40001', '10.0.0.2:80').send(session[0], session[1], session[2], { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'GET / HTTP/1.0\r\n' });
    t.finish();
    expect(seen).toEqual(['2121:1:220', '80:0:GET']);
    expect(recs).toHaveLength(1);
    expect(recs[0].text).toEqual(['USER ftp\r\n', '220 ready\r\n']);
    expect(recs[0].ends).toBe(1);
  });

  it('by 4-tuple, before the connection appears and while it lives', () => {
    const t = new TcpTracker();
    const early = new Recorder();
    const late = new Recorder();
    expect(t.follow({ srcIp: '10.0.0.2', srcPort: 21, dstIp: '10.0.0.1', dstPort: 40000 }, early)).toBe(true);
    const w = new Wire(t);
    w.send(...session.slice(0, 4));
    const w2 = new Wire(t, '10.0.0.1:40001', '10.0.0.2:21');
    w2.send(...session.slice(0, 4));
    expect(t.follow({ srcIp: '10.0.0.1', srcPort: 40001, dstIp: '10.0.0.2', dstPort: 21 }, late)).toBe(true);
    w2.send(...session.slice(4));
    t.finish();
    expect(early.text).toEqual(['', '220 ready\r\n']);
    expect(late.text).toEqual(['USER ftp\r\n', '']);
    expect(t.follow({ srcIp: 'nope', srcPort: 1, dstIp: '10.0.0.1', dstPort: 2 }, new Recorder())).toBe(false);
  });

  it('a follow that never matches ends at finish', () => {
    const t = new TcpTracker();
    const r = new Recorder();
    t.follow({ srcIp: '192.0.2.1', srcPort: 1, dstIp: '192.0.2.2', dstPort: 2 }, r);
    t.finish();
    expect(r.ends).toBe(1);
  });

  it('attach refuses a connection already followed', () => {
    const t = new TcpTracker({ events: { opened: (c) => expect([t.attach(c, new Recorder()), t.attach(c, new Recorder())]).toEqual([true, false]) } });
    new Wire(t).send(session[0]);
  });
});

describe('accounting without following', () => {
  const lossy: Segment[] = [
    ...session.slice(0, 3),
    { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'aaaa' },
    { from: 'c', flags: 'PA', seq: 1009, ack: 5001, data: 'cccc' },
    { from: 'c', flags: 'PA', seq: 1005, ack: 5001, data: 'bbbb' },
    { from: 'c', flags: 'PA', seq: 1005, ack: 5001, data: 'bbbbcc' },
    { from: 'c', flags: 'PA', seq: 1020, ack: 5001, data: 'eeee' },
    { from: 's', flags: 'A', seq: 5001, ack: 1024 },
    { from: 'c', flags: 'PA', seq: 1024, ack: 5001, data: 'ff', wire: 8 },
    { from: 'c', flags: 'FA', seq: 1032, ack: 5001 },
  ];
  it('gives the same numbers whether the connection is followed or not', () => {
    const run = (follow: boolean): ConnectionSummary => {
      const out: ConnectionSummary[] = [];
      const t = new TcpTracker({ events: { opened: (c) => void (follow && t.attach(c, new Recorder())), removed: (s) => out.push(s) } });
      new Wire(t).send(...lossy);
      t.finish();
      return out[0];
    };
    const a = run(true);
    const b = run(false);
    expect(a.origSent).toEqual(b.origSent);
    expect(a.history).toBe(b.history);
    expect(a.origSent).toMatchObject({ bytes: 31, missedBytes: 7 + 6, retransmittedBytes: 6 });
    expect({ a: a.followed, b: b.followed }).toEqual({ a: true, b: false });
  });
});

describe('IPv6', () => {
  it('tracks and follows an IPv6 connection', () => {
    const out: ConnectionSummary[] = [];
    const r = new Recorder();
    const t = new TcpTracker({ events: { opened: (c) => t.attach(c, r), removed: (s) => out.push(s) } });
    new Wire(t, '[2001:db8::10]:40000', '[2001:db8::21]:21').send(...session);
    new Wire(t, '[2001:db8::10]:40000', '[2001:db8::22]:21').send(session[0]);
    t.finish();
    expect(out.map((s) => [s.ipVersion, s.orig.ip, s.resp.ip, s.state])).toEqual([
      [6, '2001:db8::10', '2001:db8::21', 'SF'],
      [6, '2001:db8::10', '2001:db8::22', 'S0'],
    ]);
    expect(r.text).toEqual(['USER ftp\r\n', '220 ready\r\n']);
  });
});

describe('connectionsOf', () => {
  it('yields every connection from a packet iterable', () => {
    const t = new TcpTracker();
    const w = new Wire(t);
    const packets = function* (): Generator<Packet> {
      for (const s of session) yield w.build(s);
      const w2 = new Wire(t, '10.0.0.9:5000', '10.0.0.2:21');
      yield w2.build({ from: 'c', flags: 'S', seq: 1 });
    };
    const all = [...connectionsOf(packets())];
    expect(all.map((s) => `${s.orig.ip}:${s.orig.port} ${s.state}`)).toEqual(['10.0.0.1:40000 SF', '10.0.0.9:5000 S0']);
  });
  it('newPacket defaults are a valid (empty) IPv4 segment', () => {
    const p = newPacket();
    p.ipVersion = 4;
    p.flags = 2;
    expect([...connectionsOf([p])].map((s) => s.state)).toEqual(['S0']);
  });
});
