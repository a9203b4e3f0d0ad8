/**
 * conn_state: the pure table (state.ts) and every value reached by hand-built packets through
 * the tracker. Client 10.0.0.1:40000 (originator), server 10.0.0.2:21.
 */
import { describe, expect, it } from 'vitest';
import { connState, EndpointState as E, step, promotesPeer, type EndpointFacts } from '../../src/tcp/state.js';
import { TcpTracker, type ConnectionSummary, CONN_STATES } from '../../src/tcp/index.js';
import { flagBits, Wire, type Segment } from './wire.js';

const f = (state: number, extra: Partial<EndpointFacts> = {}): EndpointFacts => ({
  state: state as EndpointFacts['state'],
  sentSyn: false,
  sentSynAck: false,
  bytes: 0,
  ...extra,
});

describe('connState table', () => {
  it.each([
    ['S0', f(E.SYN_SENT, { sentSyn: true }), f(E.INACTIVE)],
    ['S1', f(E.ESTABLISHED), f(E.ESTABLISHED)],
    ['SF', f(E.CLOSED), f(E.CLOSED)],
    ['REJ', f(E.SYN_SENT), f(E.RESET)],
    ['REJ', f(E.RESET), f(E.RESET)],
    ['RSTR', f(E.RESET, { bytes: 5 }), f(E.RESET)],
    ['S2', f(E.CLOSED), f(E.ESTABLISHED)],
    ['S3', f(E.ESTABLISHED), f(E.CLOSED)],
    ['RSTO', f(E.RESET), f(E.ESTABLISHED)],
    ['RSTR', f(E.ESTABLISHED), f(E.RESET)],
    ['RSTOS0', f(E.RESET, { sentSyn: true }), f(E.INACTIVE)],
    ['OTH', f(E.RESET), f(E.PARTIAL)],
    ['RSTRH', f(E.INACTIVE), f(E.RESET, { sentSynAck: true })],
    ['SH', f(E.CLOSED, { sentSyn: true }), f(E.INACTIVE)],
    ['SHR', f(E.INACTIVE), f(E.CLOSED, { sentSynAck: true })],
    ['OTH', f(E.PARTIAL), f(E.PARTIAL)],
    ['OTH', f(E.SYN_SENT), f(E.SYN_ACK_SENT)],
  ])('%s', (want, o, r) => expect(connState(o, r)).toBe(want));

  it('step: handshake, simultaneous open, missed SYN-ACK', () => {
    expect(step(E.INACTIVE, E.INACTIVE, flagBits('S'))).toBe(E.SYN_SENT);
    expect(step(E.INACTIVE, E.SYN_SENT, flagBits('SA'))).toBe(E.SYN_ACK_SENT);
    expect(step(E.SYN_SENT, E.SYN_ACK_SENT, flagBits('A'))).toBe(E.ESTABLISHED);
    expect(promotesPeer(E.ESTABLISHED, E.SYN_ACK_SENT)).toBe(true);
    expect(step(E.SYN_SENT, E.SYN_SENT, flagBits('SA'))).toBe(E.SYN_ACK_SENT);
    expect(step(E.INACTIVE, E.SYN_SENT, flagBits('PA'))).toBe(E.ESTABLISHED);
    expect(step(E.SYN_SENT, E.INACTIVE, flagBits('PA'))).toBe(E.SYN_SENT);
    expect(step(E.ESTABLISHED, E.ESTABLISHED, flagBits('FA'))).toBe(E.CLOSED);
    expect(step(E.CLOSED, E.ESTABLISHED, flagBits('A'))).toBe(E.CLOSED);
    expect(step(E.CLOSED, E.ESTABLISHED, flagBits('R'))).toBe(E.RESET);
  });
});

const hs: Segment[] = [
  { from: 'c', flags: 'S', seq: 1000 },
  { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
  { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
];

const reach: [string, string, Segment[]][] = [
  ['S0', 'S', [{ from: 'c', flags: 'S', seq: 1000 }]],
  ['REJ', 'Sr', [{ from: 'c', flags: 'S', seq: 1000 }, { from: 's', flags: 'RA', seq: 0, ack: 1001 }]],
  ['S1', 'ShADd', [...hs, { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'x' }, { from: 's', flags: 'PA', seq: 5001, ack: 1002, data: 'y' }]],
  ['SF', 'ShAFf', [...hs, { from: 'c', flags: 'FA', seq: 1001, ack: 5001 }, { from: 's', flags: 'FA', seq: 5001, ack: 1002 }]],
  ['S2', 'ShAF', [...hs, { from: 'c', flags: 'FA', seq: 1001, ack: 5001 }]],
  ['S3', 'ShAf', [...hs, { from: 's', flags: 'FA', seq: 5001, ack: 1001 }]],
  ['RSTO', 'ShADR', [...hs, { from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'x' }, { from: 'c', flags: 'R', seq: 1002 }]],
  ['RSTR', 'ShAr', [...hs, { from: 's', flags: 'R', seq: 5001 }]],
  ['RSTOS0', 'SR', [{ from: 'c', flags: 'S', seq: 1000 }, { from: 'c', flags: 'R', seq: 1001 }]],
  ['RSTRH', '^hr', [{ from: 's', flags: 'SA', seq: 5000, ack: 1001 }, { from: 's', flags: 'R', seq: 5001 }]],
  ['SH', 'SF', [{ from: 'c', flags: 'S', seq: 1000 }, { from: 'c', flags: 'F', seq: 1001 }]],
  ['SHR', '^hf', [{ from: 's', flags: 'SA', seq: 5000, ack: 1001 }, { from: 's', flags: 'FA', seq: 5001, ack: 1001 }]],
  ['OTH', '^dA', [{ from: 's', flags: 'PA', seq: 5001, ack: 1001, data: '226 ok\r\n' }, { from: 'c', flags: 'A', seq: 1001, ack: 5009 }]],
];

describe('every conn_state value is reachable from packets', () => {
  it.each(reach)('%s (history %s)', (state, history, segs) => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    new Wire(t).send(...segs);
    t.finish();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ state: state, history: history });
  });
  it('the table covers all thirteen values', () => {
    expect(new Set(reach.map((r) => r[0]))).toEqual(new Set(CONN_STATES));
  });
});

describe('history letters', () => {
  const run = (segs: Segment[]): string => {
    const out: ConnectionSummary[] = [];
    const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
    new Wire(t).send(...segs);
    t.finish();
    return out[0].history;
  };
  it('t, w and g are logarithmic (1st, 10th, 100th ...)', () => {
    const retrans: Segment[] = [];
    for (let i = 0; i < 12; i++) retrans.push({ from: 'c', flags: 'PA', seq: 1001, ack: 5001, data: 'x' });
    expect(run([...hs, ...retrans])).toBe('ShADTT');
    const zero: Segment[] = [];
    for (let i = 0; i < 10; i++) zero.push({ from: 's', flags: 'A', seq: 5001, ack: 1001, window: 0 });
    expect(run([...hs, ...zero])).toBe('ShAaww');
  });
  it('q for SYN with FIN or RST, i for FIN with RST', () => {
    expect(run([{ from: 'c', flags: 'SF', seq: 1000 }])).toBe('SQF');
    expect(run([...hs, { from: 's', flags: 'FR', seq: 5001 }])).toBe('ShAifr');
  });
  it('h again only with another sequence number (a SYN with another ISN is a new connection)', () => {
    expect(run([hs[0], hs[1], hs[1], { from: 's', flags: 'SA', seq: 0xffffffff, ack: 1001 }])).toBe('Shh');
    expect(run([hs[0], hs[0]])).toBe('S');
  });
});
