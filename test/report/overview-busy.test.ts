/**
 * The overview on busy real traffic with lab failures merged in: a slice of the many-sessions
 * benchmark capture (test/report/data/many-slice.pcap, made by fixtures/lab/bench-slice.sh: 2.5 s
 * of 30-odd clients against vsftpd, pyftpdlib and a firewalled vsftpd, with the client firewall's
 * refusals of active connections) read together with lab failure captures whose timestamps are
 * moved into the slice's seconds (whole seconds added to each record header, bytes untouched), so
 * the failures happen during the busy traffic. The project's own reader merges the files in time
 * order (src/capture/merge.ts), in one in-process analysis.
 *
 * The oracle is each capture analysed alone: every failed data connection of the merged analysis
 * is one of theirs (same client, server, ports, outcome), the groups are the distinct (outcome,
 * cause, initiator, server, client /24) among them with their counts and port ranges, and the rules
 * the distinct (direction, server, client /24, port range) among the blocked ones. The scenarios'
 * own failures are then named (fixtures/lab/scenarios/*.sh).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import type { DataConnectionReport, SessionReport } from '../../src/ftp/model.js';
import { FAILED_OUTCOMES } from '../../src/ftp/model.js';
import { Overview, type OverviewReport } from '../../src/report/overview.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import { shiftedPcap } from '../helpers/capture.js';
import { expectedRuleCount } from '../helpers/overview.js';

const SLICE = 'test/report/data/many-slice.pcap';
/** Blocked passive and active connections (03, 04), an ICMP rejection (22), drops (24), a NAT
 * address mismatch (05) and a transfer failed once connected (08). */
const FAILURES = ['03-active-blocked', '04-passive-blocked', '22-icmp-reject-client', '24-two-point-drop-client', '05-pasv-nat-client', '08-missing-file'];

/** A little-endian classic pcap's first record time (seconds field). */
const firstSecond = (pcap: Buffer): number => pcap.readUInt32LE(24);

let dir = '';
let merged: AnalysisReport;
let alone: AnalysisReport[] = [];
let ov: OverviewReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-busy-'));
  const slice = readFileSync(SLICE);
  const start = firstSecond(slice);
  const paths = [SLICE];
  FAILURES.forEach((f, k) => {
    const pcap = readFileSync(`fixtures/${f}.pcap`);
    expect(pcap.readUInt32LE(0), `${f} is a little-endian microsecond pcap`).toBe(0xa1b2c3d4);
    // Fixture k starts k seconds into the slice's span (they overlap the busy traffic and each other).
    const p = join(dir, `${f}.pcap`);
    writeFileSync(p, shiftedPcap(pcap, start + k - firstSecond(pcap)));
    paths.push(p);
  });
  merged = await analyze(paths);
  alone = await Promise.all(paths.map((p) => analyze([p])));
  const o = new Overview();
  for (const s of merged.sessions) o.add(s);
  o.addCross(merged.findings);
  ov = o.report();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Failed {
  s: SessionReport;
  d: DataConnectionReport;
}
const failedOf = (sessions: readonly SessionReport[]): Failed[] => sessions.flatMap((s) => s.dataConnections.filter((d) => FAILED_OUTCOMES.has(d.outcome)).map((d) => ({ s, d })));
const ep = (e: { ip: string; port: number } | null): string => (e ? `${e.ip}:${e.port}` : '-');
/** A failed connection's identity across analyses: its session's endpoints, its own, its outcome. */
const identity = ({ s, d }: Failed): string => `${ep(s.client)}>${ep(s.server)} ${d.initiator} ${ep(d.from)}>${ep(d.to)} ${d.announced?.port ?? '-'} ${d.outcome}`;
const net24 = (ip: string): string => (ip.includes(':') ? ip.split(':').slice(0, 4).join(':') : ip.slice(0, ip.lastIndexOf('.')));

/** The finding that names a failed connection's cause (as docs/overview.md says: a wrong address
 * or bounce, then a privileged port, then the outcome's own). */
function cause({ s, d }: Failed): string | null {
  const fs = s.findings.filter((f) => f.dataConnection === d.id);
  return (fs.find((f) => f.code === 'pasv-address-mismatch' || f.code === 'port-address-mismatch' || f.code === 'ftp-bounce') ?? fs.find((f) => f.code === 'privileged-data-port') ?? fs[0])?.code ?? null;
}
const NOT_A_RULE = new Set(['pasv-address-mismatch', 'port-address-mismatch', 'ftp-bounce', 'privileged-data-port']);

describe('the many-sessions slice with lab failures merged in', () => {
  it('is busy: the slice alone is 20+ sessions of several clients and servers, with failures of its own', () => {
    const slice = alone[0];
    expect(slice.sessions.length).toBeGreaterThan(20);
    expect(new Set(slice.sessions.map((s) => s.client.ip)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(slice.sessions.map((s) => s.server.ip))).toEqual(new Set(['198.51.100.20', '198.51.100.21', '198.51.100.23']));
    expect(failedOf(slice.sessions).length).toBeGreaterThan(0);
    expect(merged.sessions.length).toBe(alone.reduce((n, r) => n + r.sessions.length, 0));
  });

  it('fails exactly the data connections each capture fails alone', () => {
    const expected = alone.flatMap((r) => failedOf(r.sessions).map(identity)).sort();
    expect(failedOf(merged.sessions).map(identity).sort()).toEqual(expected);
    expect(ov.failedDataConnections).toBe(expected.length);
  });

  it('groups them by (outcome, cause, initiator, server, client /24): every group with its counts, clients and ports', () => {
    const groups = new Map<string, { n: number; sessions: Set<number>; clients: Set<string>; ports: number[] }>();
    for (const f of failedOf(merged.sessions)) {
      const k = `${f.d.outcome}|${cause(f) ?? ''}|${f.d.initiator}|${f.s.server.ip}|${net24(f.s.client.ip)}`;
      const g = groups.get(k) ?? { n: 0, sessions: new Set(), clients: new Set(), ports: [] };
      g.n++;
      g.sessions.add(f.s.id);
      g.clients.add(f.s.client.ip);
      const port = f.d.announced?.port ?? f.d.to?.port;
      if (port !== undefined) g.ports.push(port);
      groups.set(k, g);
    }
    expect(ov.failureGroups).toHaveLength(groups.size);
    for (const g of ov.failureGroups) {
      // The clients listed (up to 8), else only the prefix that covers them.
      const e = groups.get(`${g.outcome}|${g.code ?? ''}|${g.initiator}|${g.server}|${net24(g.clients?.[0] ?? g.clientNetwork.split('/')[0])}`);
      expect(e, `${g.outcome} ${g.code} ${g.server}`).toBeDefined();
      const clients = [...(e?.clients ?? [])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      expect(g).toMatchObject({ dataConnections: e?.n, sessions: e?.sessions.size, clients: clients.length > 8 ? null : clients, ports: { from: Math.min(...(e?.ports ?? [])), to: Math.max(...(e?.ports ?? [])) } });
    }
  });

  it('one firewall rule per distinct (direction, server, client /24, port range) among the blocked connections', () => {
    const blocked = failedOf(merged.sessions).filter((f) => (f.d.outcome === 'no-answer' || f.d.outcome === 'refused') && !NOT_A_RULE.has(cause(f) ?? ''));
    expect(ov.firewallRules).toHaveLength(expectedRuleCount(blocked, net24));
    expect(ov.firewallRules.reduce((n, r) => n + r.connections, 0)).toBe(blocked.length);
    // No two rules are the same (direction, source, destination, ports): deduplicated.
    expect(new Set(ov.firewallRules.map((r) => r.text)).size).toBe(ov.firewallRules.length);
  });

  it('names the bench refusals and the lab failures in the groups they share', () => {
    const find = (outcome: string, server: string, initiator: string) => ov.failureGroups.filter((g) => g.outcome === outcome && g.server === server && g.initiator === initiator && g.code !== 'pasv-address-mismatch');
    // The client firewall's refusals of vsftpd's active connections (bench: 3 clients, ports
    // 45000-45099) and 03-active-blocked's refusal at 40050: one group, one client network.
    expect(find('refused', '198.51.100.20', 'server')).toMatchObject([{ dataConnections: 4, sessions: 4, clients: ['192.0.2.10', '192.0.2.104', '192.0.2.116', '192.0.2.119'], clientNetwork: '192.0.2.0/25', ports: { from: 40050, to: 45099 } }]);
    // pyftpdlib's (bench: one client) and 03's second server's.
    expect(find('refused', '198.51.100.21', 'server')).toMatchObject([{ dataConnections: 3, clients: ['192.0.2.10', '192.0.2.104'], ports: { from: 40051, to: 45035 } }]);
    // 04-passive-blocked: port 30000 dropped (3 connections) and 24's 30200 dropped, 30201's answers dropped.
    expect(find('no-answer', '198.51.100.20', 'client')).toMatchObject([{ clients: ['192.0.2.10'], ports: { from: 30000, to: 30201 } }]);
    expect(find('refused', '198.51.100.22', 'client')).toMatchObject([{ dataConnections: 5, ports: { from: 30010, to: 30010 } }]);
    // Every rule, from the scenarios: 03 (the client's firewall drops 40040/40042 and refuses 40050
    // from .20, drops 40041 and refuses 40051 from .21), the bench (refusals at 45000-45099), 04 (30000
    // dropped, 30010 refused), 22 (ICMP rejections of 30100, 30101 and their IPv6 twins), 24 (30200
    // dropped, 30201's answers dropped). Ports farther apart than the gap make separate rules; the
    // client network of a rule is the prefix covering its clients. No rule for 05's NAT mismatch.
    expect(ov.firewallRules.map((r) => `${r.text} x${r.connections}`).sort()).toEqual(
      [
        'allow 198.51.100.20 -> 192.0.2.0/25:40040-40050 (inbound to client) x3',
        'allow 198.51.100.20 -> 192.0.2.0/25:45027-45099 (inbound to client) x3',
        'allow 198.51.100.21 -> 192.0.2.0/25:40041-40051 (inbound to client) x2',
        'allow 198.51.100.21 -> 192.0.2.0/25:45033-45035 (inbound to client) x2',
        'allow 192.0.2.10 -> 198.51.100.20:30000 (inbound to server) x3',
        'allow 192.0.2.10 -> 198.51.100.22:30010 (inbound to server) x5',
        'allow 192.0.2.10 -> 198.51.100.20:30100 (inbound to server) x2',
        'allow 192.0.2.10 -> 198.51.100.21:30101 (inbound to server) x1',
        'allow 2001:db8:c::10 -> [2001:db8:5::20]:30110 (inbound to server) x1',
        'allow 2001:db8:c::10 -> [2001:db8:5::21]:30111 (inbound to server) x1',
        'allow 192.0.2.10 -> 198.51.100.20:30200-30201 (inbound to server) x2',
      ].sort(),
    );
  });
});
