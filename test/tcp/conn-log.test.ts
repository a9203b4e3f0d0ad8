import { describe, expect, it } from 'vitest';
import { TcpTracker, connLogLine, connectionJson, CONN_LOG_HEADER, isoTimeNs, type ConnectionSummary } from '../../src/tcp/index.js';
import { Wire } from './wire.js';

function one(client: string, server: string): ConnectionSummary {
  const out: ConnectionSummary[] = [];
  const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
  new Wire(t, client, server).send(
    { from: 'c', flags: 'S', seq: 1000, t: 1_764_162_106.123456789 },
    { from: 's', flags: 'SA', seq: 5000, ack: 1001 },
    { from: 'c', flags: 'A', seq: 1001, ack: 5001 },
    { from: 's', flags: 'PA', seq: 5001, ack: 1001, data: '220 hi\r\n' },
    { from: 'c', flags: 'PA', seq: 1001, ack: 5009, data: 'QUIT\r\n', wire: 10, t: 1_764_162_108.5 },
  );
  t.finish();
  return out[0];
}

describe('conn.log rendering', () => {
  it('ISO 8601 UTC with nanoseconds', () => {
    expect(isoTimeNs(0, 5)).toBe('1970-01-01T00:00:00.000000005Z');
    expect(isoTimeNs(1_764_162_106, 123_456_789)).toBe('2025-11-26T13:01:46.123456789Z');
  });

  it('a text line with the conn.log columns', () => {
    const s = one('192.0.2.10:40001', '198.51.100.20:21');
    expect(CONN_LOG_HEADER.split('\t')).toHaveLength(11);
    // the Wire's float seconds carry a little binary rounding in the nanoseconds
    expect(connLogLine(s)).toMatch(
      /^2025-11-26T13:01:46\.1234\d{5}Z\t2\.3765\d{5}\t192\.0\.2\.10:40001\t198\.51\.100\.20:21\tS1\tShAdDG\t10\t8\t4\t3\t2$/,
    );
  });

  it('a JSON object', () => {
    const j = connectionJson(one('[2001:db8::10]:40001', '[2001:db8::21]:21'));
    expect(j).toMatchObject({
      orig: { ip: '2001:db8::10', port: 40001 },
      resp: { ip: '2001:db8::21', port: 21 },
      state: 'S1',
      history: 'ShAdDG',
      origBytes: 10,
      respBytes: 8,
      missedBytes: 4,
      origPackets: 3,
      respPackets: 2,
      open: true,
      removal: 'end-of-capture',
      frames: { first: 1, last: 5, syn: 1, synAck: 2, established: 3, synRetransmits: [] },
    });
    expect(j.start).toMatch(/^2025-11-26T13:01:46\.\d{9}Z$/);
    expect(j.duration).toBeCloseTo(2.376543211, 6);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect(connLogLine(one('[2001:db8::10]:40001', '[2001:db8::21]:21'))).toContain('[2001:db8::10]:40001\t[2001:db8::21]:21');
  });
});
