import { describe, expect, it } from 'vitest';
import { connectionFilter, dataFilter, sessionFilter } from '../../src/ftp/wireshark.js';

const client = { ip: '10.0.0.2', port: 50000 };
const server = { ip: '10.0.0.1', port: 21 };
/** A data connection's report as sessionFilter reads it: its filter, and whether the capture holds it. */
const held = (f: string) => ({ wiresharkFilter: f, tcp: {} as never });

describe('Wireshark display filters', () => {
  it('a connection names both addresses and both ports, once each when they are equal', () => {
    expect(connectionFilter(client, server)).toBe('ip.addr == 10.0.0.2 && ip.addr == 10.0.0.1 && tcp.port == 50000 && tcp.port == 21');
    expect(connectionFilter({ ip: '::1', port: 20 }, { ip: '::1', port: 20 })).toBe('ipv6.addr == ::1 && tcp.port == 20');
  });

  it('an expected connection never seen selects the SYNs to where it was expected', () => {
    expect(dataFilter(null, { ip: '2001:db8::1', port: 40000 })).toBe('ipv6.addr == 2001:db8::1 && tcp.port == 40000 && tcp.flags.syn == 1 && tcp.flags.ack == 0');
    expect(dataFilter(null, null)).toBeNull();
  });

  it('a session is its control connection, or-ed with each data connection held once, in first-seen order', () => {
    const a = connectionFilter({ ip: '10.0.0.1', port: 20 }, { ip: '10.0.0.2', port: 40001 });
    const b = connectionFilter({ ip: '10.0.0.1', port: 20 }, { ip: '10.0.0.2', port: 40002 });
    const control = connectionFilter(client, server);
    const data = [held(b), held(a), held(b), { wiresharkFilter: 'never seen', tcp: null }, { wiresharkFilter: null, tcp: {} as never }, held(control)];
    expect(sessionFilter(client, server, data)).toBe(`(${control}) || (${b}) || (${a})`);
  });

  it('a session without data connections the capture holds is its control connection alone', () => {
    expect(sessionFilter(client, server, [{ wiresharkFilter: 'x', tcp: null }])).toBe(connectionFilter(client, server));
    expect(sessionFilter(client, server, [])).toBe(connectionFilter(client, server));
  });
});
