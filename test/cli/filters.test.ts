/** analyze's filters on real lab captures: which sessions and findings remain, and the summary of what is shown. */
import { describe, it, expect } from 'vitest';
import { cliServer } from '../helpers/cli.js';
import type { AnalysisReport } from '../../src/report/analysis.js';

// Every command line in one process, asked one at a time (cliServer: the CLI loaded once).
const server = cliServer();
const cli = server.run;

async function analyze(args: string[]): Promise<AnalysisReport> {
  const r = await cli(['analyze', '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as AnalysisReport;
}

const ids = (r: AnalysisReport): number[] => r.sessions.map((s) => s.id);
const codes = (r: AnalysisReport): string[] => [...new Set(r.sessions.flatMap((s) => s.findings.map((f) => f.code)))].sort();

describe('analyze filters', () => {
  it('--host: either end of the control connection, repeatable or comma-separated', async () => {
    const f = 'fixtures/03-active-blocked.pcap'; // servers .20 (sessions 1, 2, 5) and .21 (3, 4)
    expect(ids(await analyze(['--host', '198.51.100.21', f]))).toEqual([3, 4]);
    expect(ids(await analyze(['--host', '198.51.100.20', f]))).toEqual([1, 2, 5]);
    expect(ids(await analyze(['--host', '192.0.2.10', f]))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(await analyze(['--host', '198.51.100.21', '--host', '198.51.100.20', f]))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(await analyze(['--host', '198.51.100.99,198.51.100.21', f]))).toEqual([3, 4]);
    const none = await analyze(['--host', '203.0.113.1', f]);
    expect(none.sessions).toEqual([]);
    expect(none.summary.sessions).toBe(0);
    expect(none.summary.dataConnections).toBe(0);
    const some = await analyze(['--host', '198.51.100.21', f]);
    expect(some.summary.sessions).toBe(2);
    expect(some.summary.byOutcome['no-answer'] + some.summary.byOutcome.refused).toBe(2);
  });

  it('--host compares IPv6 addresses, not their text', async () => {
    const f = 'fixtures/07-ipv6.pcap'; // session 2 goes to 2001:db8:5::21
    expect(ids(await analyze(['--host', '2001:DB8:5:0:0:0:0:21', f]))).toEqual([2]);
    expect(ids(await analyze(['--host', '2001:0db8:0005::0021', f]))).toEqual([2]);
    expect(ids(await analyze(['--host', '2001:db8:c::10', f]))).toEqual([1, 2, 3, 4]);
  });

  it('--min-severity leaves out lesser findings, keeps the sessions, and the summary counts what is shown', async () => {
    const f = 'fixtures/03-active-blocked.pcap';
    expect(codes(await analyze([f]))).toEqual(['active-source-port', 'cleartext-credentials', 'data-no-answer', 'data-refused']);
    const w = await analyze(['--min-severity', 'warning', f]);
    expect(ids(w)).toEqual([1, 2, 3, 4, 5]);
    expect(codes(w)).toEqual(['cleartext-credentials', 'data-no-answer', 'data-refused']);
    expect(Object.keys(w.summary.findings).sort()).toEqual(['cleartext-credentials', 'data-no-answer', 'data-refused']);
    const e = await analyze(['--min-severity', 'error', f]);
    expect(codes(e)).toEqual(['data-no-answer', 'data-refused']);
    expect(e.summary.findings).toEqual({ 'data-no-answer': 3, 'data-refused': 2 });
    // The text report shows the same.
    const t = (await cli(['analyze', '--min-severity', 'error', f])).stdout;
    expect(t).toContain('ERROR data-refused');
    expect(t).not.toContain('cleartext-credentials');
    expect(t).not.toContain('active-source-port');
  });

  it('--session keeps the listed sessions; findings spanning sessions are left out', async () => {
    const s = await analyze(['--session', '2,4', 'fixtures/03-active-blocked.pcap']);
    expect(ids(s)).toEqual([2, 4]);
    expect(s.summary.sessions).toBe(2);
    const l = await analyze(['--session', '12', 'fixtures/10-logins.pcap']);
    expect(ids(l)).toEqual([12]);
    expect(l.findings).toEqual([]);
    expect(l.summary.findings).toEqual({ 'anonymous-login': 1 });
  });

  it('findings spanning sessions (brute-force) follow --host: their client, or a server that client talked to', async () => {
    const f = 'fixtures/10-logins.pcap';
    expect((await analyze([f])).findings.map((x) => x.code)).toEqual(['brute-force']);
    expect((await analyze(['--host', '192.0.2.10', f])).findings.map((x) => x.code)).toEqual(['brute-force']);
    expect((await analyze(['--host', '198.51.100.20', f])).findings.map((x) => x.code)).toEqual(['brute-force']);
    expect((await analyze(['--host', '203.0.113.1', f])).findings).toEqual([]);
    expect((await analyze(['--min-severity', 'error', f])).findings.map((x) => x.code)).toEqual(['brute-force']);
  });

  it('--only-failed keeps sessions with a failed or blocked data connection', async () => {
    expect(ids(await analyze(['--only-failed', 'fixtures/01-passive.pcap']))).toEqual([]);
    expect(ids(await analyze(['--only-failed', 'fixtures/04-passive-blocked.pcap']))).toEqual([1, 2, 3, 4, 5, 6]);
    // 07-ipv6: sessions 1 and 2 each have a not-attempted connection; 3 and 4 completed everything.
    const v6 = await analyze(['--only-failed', 'fixtures/07-ipv6.pcap']);
    expect(ids(v6)).toEqual([1, 2]);
    expect(v6.summary.byOutcome['not-attempted']).toBe(2);
  });

  it('filters combine (and apply to every format)', async () => {
    const r = await analyze(['--only-failed', '--host', '198.51.100.22', '--min-severity', 'error', 'fixtures/04-passive-blocked.pcap']);
    expect(ids(r)).toEqual([3, 5, 6]);
    expect(codes(r)).toEqual(['data-refused']);
    const nd = await cli(['analyze', '--format', 'ndjson', '--session', '3', 'fixtures/04-passive-blocked.pcap']);
    expect(nd.code).toBe(0);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ftp?: { session?: { id?: number } } });
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.ftp?.session?.id))).toEqual(new Set([3]));
  });
});
