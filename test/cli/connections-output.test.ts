/** `ftp-pcap connections` on real lab captures: one record per TCP connection, like conn.log. */
import { describe, it, expect } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('ftp-pcap connections', () => {
  it('lists every connection of the blocked-active capture with its Zeek-like state', () => {
    const r = cli(['connections', 'fixtures/03-active-blocked.pcap']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('#start\tduration\torig\tresp\tstate\thistory\torig_bytes\tresp_bytes\tmissed_bytes\torig_pkts\tresp_pkts');
    const rows = lines.slice(1).map((l) => l.split('\t'));
    const byPair = new Map(rows.map((c) => [`${c[2]} ${c[3]}`, c]));
    // The server's active connection that the client's firewall dropped: SYNs only (S0).
    expect(byPair.get('198.51.100.20:20 192.0.2.10:40040')?.slice(4, 6)).toEqual(['S0', 'S']);
    // ...and the one the firewall rejected with a reset (REJ).
    expect(byPair.get('198.51.100.20:20 192.0.2.10:40050')?.slice(4, 6)).toEqual(['REJ', 'Sr']);
    // A control connection, closed normally both ways.
    expect(byPair.get('192.0.2.10:40004 198.51.100.20:21')?.[4]).toBe('SF');
  });

  it('writes one JSON object per line with --format ndjson, the same connections as the text', () => {
    const text = cli(['connections', 'fixtures/04-passive-blocked.pcap']).stdout.trim().split('\n').length - 1;
    const r = cli(['connections', '--format', 'ndjson', 'fixtures/04-passive-blocked.pcap']);
    expect(r.code).toBe(0);
    const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { state: string; orig: { ip: string; port: number }; resp: { port: number } });
    expect(objs.length).toBe(text);
    expect(objs.filter((o) => o.resp.port === 30000).map((o) => o.state)).toContain('S0');
  });

  it('writes a JSON array with --format json', () => {
    const r = cli(['connections', '--format', 'json', 'fixtures/01-passive.pcap']);
    const arr = JSON.parse(r.stdout) as unknown[];
    expect(arr.length).toBeGreaterThan(5);
  });
});
