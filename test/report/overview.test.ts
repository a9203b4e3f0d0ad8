/**
 * The overview of a busy capture (src/report/overview.ts, overview-sink.ts, overview-writers.ts),
 * on lab failure captures merged into one several times over: each copy of a fixture is the real
 * capture with its timestamps moved (a whole number of seconds added to every record header, the
 * bytes untouched), and the copies are read together as one capture, merged in time order by the
 * project's own reader (src/capture/merge.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeTo } from '../../src/pipeline.js';
import type { SessionReport } from '../../src/ftp/model.js';
import { FAILED_OUTCOMES } from '../../src/ftp/model.js';
import { FORMATS } from '../../src/report/formats.js';
import { Out } from '../../src/report/out.js';
import { OverviewSink, type OverviewMode } from '../../src/report/overview-sink.js';
import { Overview, addRange, coveringPrefix, ruleSyntax, type OverviewReport } from '../../src/report/overview.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import { shiftedPcap } from '../helpers/capture.js';
import { expectedRuleCount } from '../helpers/overview.js';

const FIXTURES = ['03-active-blocked', '04-passive-blocked', '05-pasv-nat-client', '08-abort', '08-missing-file', '08-server-killed', '10-logins', '16-bounce'];
const COPIES = 3;

let dir = '';
let paths: string[] = [];
let report: AnalysisReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-overview-'));
  let n = 0;
  for (let r = 0; r < COPIES; r++) {
    for (const f of FIXTURES) {
      const p = join(dir, `${f}-${r}.pcap`);
      writeFileSync(p, shiftedPcap(readFileSync(`fixtures/${f}.pcap`), r * 3600 + ++n * 120));
      paths.push(p);
    }
  }
  report = await analyze(paths);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The overview as a format writes it, through the CLI's sink. */
async function written(format: string, mode: OverviewMode = 'on', rules: 'nft' | 'iptables' | null = null): Promise<string> {
  const file = join(dir, `report.${format}`);
  const out = new Out(file, false);
  const sink = new OverviewSink(out, format, (o) => FORMATS[format](o, { tty: false }), mode, rules);
  await analyzeTo(paths, { timeline: format === 'html' }, sink);
  out.close();
  return readFileSync(file, 'utf8');
}

function overviewOf(sessions: readonly SessionReport[], cross: AnalysisReport['findings'] = report.findings): OverviewReport {
  const o = new Overview();
  for (const s of sessions) o.add(s);
  o.addCross(cross);
  return o.report();
}

const failed = (sessions: readonly SessionReport[]) => sessions.flatMap((s) => s.dataConnections.filter((d) => FAILED_OUTCOMES.has(d.outcome)).map((d) => ({ s, d })));

describe('failure groups', () => {
  it('every failed data connection is in exactly one group, and each group is one (outcome, cause, initiator, server)', () => {
    const ov = overviewOf(report.sessions);
    const all = failed(report.sessions);
    expect(ov.failedDataConnections).toBe(all.length);
    expect(ov.failureGroups.reduce((n, g) => n + g.dataConnections, 0)).toBe(all.length);
    // The oracle: the whole list grouped at once. Every client of these labs is 192.0.2.10.
    const cause = (s: SessionReport, id: number): string | null => {
      const fs = s.findings.filter((f) => f.dataConnection === id);
      // The most telling finding on the connection: a wrong address or bounce, then a privileged port, then its outcome's.
      return (fs.find((f) => f.code === 'pasv-address-mismatch' || f.code === 'port-address-mismatch' || f.code === 'ftp-bounce') ?? fs.find((f) => f.code === 'privileged-data-port') ?? fs[0])?.code ?? null;
    };
    const expected = new Map<string, { n: number; sessions: Set<number>; ports: number[] }>();
    for (const { s, d } of all) {
      const k = `${d.outcome}|${cause(s, d.id)}|${d.initiator}|${s.server.ip}`;
      const e = expected.get(k) ?? { n: 0, sessions: new Set(), ports: [] };
      e.n++;
      e.sessions.add(s.id);
      if (d.announced) e.ports.push(d.announced.port);
      expected.set(k, e);
    }
    expect(ov.failureGroups).toHaveLength(expected.size);
    for (const g of ov.failureGroups) {
      const e = expected.get(`${g.outcome}|${g.code}|${g.initiator}|${g.server}`);
      expect(e, `${g.outcome} ${g.server}`).toBeDefined();
      expect(g).toMatchObject({ dataConnections: e?.n, sessions: e?.sessions.size, clients: ['192.0.2.10'], clientNetwork: '192.0.2.10', ports: { from: Math.min(...(e?.ports ?? [])), to: Math.max(...(e?.ports ?? [])) } });
      // Examples: the earliest sessions of the group, with the frames of the first one's finding.
      const first = [...(e?.sessions ?? [])].sort((a, b) => a - b)[0];
      expect(g.examples[0].session).toBe(first);
      const s = report.sessions.find((x) => x.id === first);
      expect(g.exampleFrames.length).toBeGreaterThan(0);
      expect(s?.findings.find((f) => f.dataConnection === g.examples[0].dataConnection && f.code === (g.code ?? ''))?.frames.slice(0, 16)).toEqual(g.exampleFrames);
    }
  });

  it('names each scenario’s failure, three times over', () => {
    const ov = overviewOf(report.sessions);
    const find = (outcome: string, server: string, initiator: string, code?: string) => ov.failureGroups.filter((g) => g.outcome === outcome && g.server === server && g.initiator === initiator && (code === undefined || g.code === code));
    // 04-passive-blocked: the server's firewall drops port 30000 (3 connections) and rejects 30010 (5).
    expect(find('no-answer', '198.51.100.20', 'client', 'data-no-answer')).toMatchObject([{ dataConnections: 3 * COPIES, ports: { from: 30000, to: 30000 } }]);
    expect(find('refused', '198.51.100.22', 'client')).toMatchObject([{ dataConnections: 5 * COPIES, ports: { from: 30010, to: 30010 } }]);
    // 03-active-blocked: the client's firewall drops (and rejects) the servers' active connections.
    expect(find('no-answer', '198.51.100.20', 'server')).toMatchObject([{ dataConnections: 2 * COPIES, ports: { from: 40040, to: 40042 } }]);
    expect(find('refused', '198.51.100.20', 'server')).toMatchObject([{ dataConnections: 1 * COPIES, ports: { from: 40050, to: 40050 } }]);
    expect(find('no-answer', '198.51.100.21', 'server')).toMatchObject([{ dataConnections: 1 * COPIES }]);
    expect(find('refused', '198.51.100.21', 'server')).toMatchObject([{ dataConnections: 1 * COPIES }]);
    // 05-pasv-nat-client: the 227 names the server's inside address.
    expect(find('no-answer', '198.51.100.20', 'client', 'pasv-address-mismatch')).toMatchObject([{ dataConnections: 2 * COPIES }]);
    // 16-bounce: PORT to a third host's port 25 and to the server's own port 79 (RFC 2577): groups,
    // but no firewall rule opens a privileged port or a bounce.
    expect(ov.failureGroups.filter((g) => g.code === 'ftp-bounce' || g.code === 'privileged-data-port').length).toBeGreaterThan(0);
    expect(ov.firewallRules.filter((r) => r.ports.from < 1024)).toEqual([]);
    // 08-*: the transfers that failed once connected.
    for (const o of ['aborted', 'failed']) expect(find(o, '198.51.100.20', 'client').length, o).toBe(1);
  });

  it('a group of many clients shows the smallest prefix that covers them', () => {
    expect(coveringPrefix('192.0.2.1', '192.0.2.14')).toBe('192.0.2.0/28');
    expect(coveringPrefix('198.51.100.0', '198.51.100.255')).toBe('198.51.100.0/24');
    expect(coveringPrefix('2001:db8::1', '2001:db8::ff')).toBe('2001:db8::/120');
    expect(coveringPrefix('192.0.2.7', '192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('firewall rules', () => {
  it('one rule per (direction, server, port range, client network) among the blocked connections, with the connections it lets through', () => {
    const ov = overviewOf(report.sessions);
    // The oracle: the blocked connections not sent to a wrong address, ports merged from the list.
    const notRule = new Set(['pasv-address-mismatch', 'port-address-mismatch', 'ftp-bounce', 'privileged-data-port']);
    const blocked = failed(report.sessions).filter(({ s, d }) => (d.outcome === 'no-answer' || d.outcome === 'refused') && !s.findings.some((f) => f.dataConnection === d.id && notRule.has(f.code)));
    expect(ov.firewallRules).toHaveLength(expectedRuleCount(blocked, (ip) => ip));
    expect(ov.firewallRules.reduce((n, r) => n + r.connections, 0)).toBe(blocked.length);
    expect(ov.firewallRules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: 'allow 192.0.2.10 -> 198.51.100.20:30000 (inbound to server)', connections: 3 * COPIES }),
        expect.objectContaining({ text: 'allow 192.0.2.10 -> 198.51.100.22:30010 (inbound to server)', connections: 5 * COPIES }),
        expect.objectContaining({ text: 'allow 198.51.100.20 -> 192.0.2.10:40040-40050 (inbound to client)', connections: 3 * COPIES }),
        expect.objectContaining({ direction: 'inbound-to-client', source: '198.51.100.21', destination: '192.0.2.10', connections: 2 * COPIES }),
      ]),
    );
    const r = ov.firewallRules.find((x) => x.destination === '198.51.100.22');
    expect(r && ruleSyntax(r, 'nft')).toBe('add rule inet filter forward ip saddr 192.0.2.10 ip daddr 198.51.100.22 tcp dport 30010 ct state new accept comment "ftp-pcap: 15 blocked connections, inbound to server"');
    const a = ov.firewallRules.find((x) => x.ports.from === 40040);
    expect(a && ruleSyntax(a, 'iptables')).toBe('iptables -A FORWARD -p tcp -s 198.51.100.20 -d 192.0.2.10 --dport 40040:40050 -m conntrack --ctstate NEW -j ACCEPT -m comment --comment "ftp-pcap: 9 blocked connections, inbound to client"');
  });

  it('ports within the gap join one range, in any order; farther ones make another rule', () => {
    const orders = [
      [40000, 40009, 40003, 50000],
      [50000, 40003, 40009, 40000],
    ];
    for (const order of orders) {
      const ranges: { lo: number; hi: number; n: number }[] = [];
      for (const p of order) addRange(ranges, { lo: p, hi: p, n: 1 });
      expect(ranges).toEqual([
        { lo: 40000, hi: 40009, n: 3 },
        { lo: 50000, hi: 50000, n: 1 },
      ]);
    }
  });
});

describe('merging', () => {
  it('two overviews of disjoint sessions merge into the overview of all of them', () => {
    const a = new Overview();
    const b = new Overview();
    for (const s of report.sessions) (s.id % 3 === 0 ? a : b).add(s);
    b.merge(a);
    b.addCross(report.findings);
    expect(b.report()).toEqual(overviewOf(report.sessions));
  });

  it('--shard + merge gives the overview of one process', () => {
    const cli = (...args: string[]): string => execFileSync(process.execPath, ['bin/ftp-pcap', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const one = JSON.parse(cli('analyze', '--overview-only', '--format', 'json', '-q', dir)) as AnalysisReport & { overview: OverviewReport };
    for (const i of [0, 1]) cli('analyze', '--shard', `${i}/2`, '-q', '-o', join(dir, `shard-${i}.partial`), dir);
    const merged = JSON.parse(cli('merge', '--overview-only', '--format', 'json', join(dir, 'shard-0.partial'), join(dir, 'shard-1.partial'))) as typeof one;
    expect(one.overview.failureGroups.length).toBeGreaterThan(5);
    expect(merged.overview).toEqual(one.overview);
    expect(one.sessions).toEqual([]);
  });
});

describe('formats', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object);

  it('JSON: `overview` first, valid against the schema; without it the document is as before', async () => {
    const text = await written('json');
    expect(text.startsWith('{\n  "overview": {')).toBe(true);
    const doc = JSON.parse(text) as AnalysisReport & { overview: OverviewReport };
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.overview).toEqual(overviewOf(doc.sessions));
    expect(doc.sessions).toHaveLength(report.sessions.length);
    // A wrong rule text or port is refused by the schema.
    expect(validate({ ...doc, overview: { ...doc.overview, firewallRules: [{ ...doc.overview.firewallRules[0], text: 'accept all' }] } })).toBe(false);
  });

  it('auto: the overview comes with more than 20 sessions only', async () => {
    expect(report.sessions.length).toBeGreaterThan(20);
    expect((await written('json', 'auto')).startsWith('{\n  "overview"')).toBe(true);
    const small = join(dir, 'small.json');
    const out = new Out(small, false);
    await analyzeTo(['fixtures/04-passive-blocked.pcap'], {}, new OverviewSink(out, 'json', (o) => FORMATS.json(o, { tty: false }), 'auto'));
    out.close();
    expect(readFileSync(small, 'utf8')).not.toContain('"overview"');
  });

  it('text: --sessions none is the overview and the summary alone, rules in nft syntax with --rules nft', async () => {
    const text = await written('text', 'only', 'nft');
    expect(text.startsWith('Overview: ')).toBe(true);
    expect(text).not.toMatch(/^Session \d/m);
    expect(text).not.toContain('No FTP control sessions found');
    expect(text).toContain('Firewall rules needed (');
    expect(text).toContain('  allow 192.0.2.10 -> 198.51.100.22:30010 (inbound to server)  # 15 blocked connections\n    add rule inet filter forward ip saddr 192.0.2.10');
    expect(text).toMatch(/^Failed logins by client:\n {2}192\.0\.2\.10 \d+ failed logins BRUTE FORCE$/m);
    expect(text).toMatch(/^Summary: \d+ sessions/m);
  });

  it('NDJSON: one ftp-overview event per group and per rule, and one for the mix, before the sessions', async () => {
    const lines = (await written('ndjson')).trim().split('\n').map((l) => JSON.parse(l) as { event: { action: string; kind: string }; ftp: { overview?: { kind: string } } });
    const ov = overviewOf(report.sessions);
    const first = lines.findIndex((e) => e.event.action !== 'ftp-overview');
    const events = lines.slice(0, first);
    expect(events.filter((e) => e.ftp.overview?.kind === 'failure-group')).toHaveLength(ov.failureGroups.length);
    expect(events.filter((e) => e.ftp.overview?.kind === 'firewall-rule')).toHaveLength(ov.firewallRules.length);
    expect(events.filter((e) => e.ftp.overview?.kind === 'summary')).toHaveLength(1);
    expect(lines.slice(first).some((e) => e.event.action === 'ftp-overview')).toBe(false);
  });

  it('OCSF: one Detection Finding per group and per rule, before the sessions’ events', async () => {
    const lines = (await written('ocsf')).trim().split('\n').map((l) => JSON.parse(l) as { class_uid: number; metadata: { event_code: string }; unmapped?: { ftp_overview?: { text?: string } } });
    const ov = overviewOf(report.sessions);
    const n = ov.failureGroups.length + ov.firewallRules.length;
    expect(lines.slice(0, n).every((e) => e.class_uid === 2004 && e.metadata.event_code.startsWith('ftp-overview-'))).toBe(true);
    expect(lines.slice(0, n).filter((e) => e.metadata.event_code === 'ftp-overview-firewall-rule').map((e) => e.unmapped?.ftp_overview?.text)).toEqual(ov.firewallRules.map((r) => r.text));
    expect(lines.slice(n).some((e) => e.metadata.event_code.startsWith('ftp-overview'))).toBe(false);
  });

  it('XML: <overview> is the root element’s first child', async () => {
    const xml = await written('xml');
    expect(xml.indexOf('<overview>')).toBeLessThan(xml.indexOf('<tool>'));
    const doc = new XMLParser().parse(xml) as { ftpPcapReport: { overview: { sessions: number } } };
    expect(doc.ftpPcapReport.overview.sessions).toBe(report.sessions.length);
  });

  it('HTML: the overview section first in <main>, SVG timeline and server bars with hover titles, groups linking to ladders', async () => {
    const html = await written('html');
    const main = html.indexOf('<main id="report">\n');
    expect(html.indexOf('<section id="ftp-overview">')).toBe(main + '<main id="report">\n'.length);
    expect(html).toMatch(/<svg class="ladder"[^>]*aria-label="timeline of sessions and failed data connections">/);
    expect(html).toMatch(/<title>2026-11-26T\d\d:\d\d:\d\d\.000000000Z \(\+\d+ s\): \d+ sessions? started, \d+ data connections?, \d+ failed<\/title>/);
    expect(html).toContain('aria-label="data connection outcomes per server"');
    const ov = overviewOf(report.sessions);
    // Each group's first example links to its ladder, which the page holds.
    for (const g of ov.failureGroups) {
      expect(html).toContain(`<a href="#s${g.examples[0].session}">`);
      expect(html).toContain(`id="s${g.examples[0].session}"`);
    }
    expect(html).not.toMatch(/<script(?![^>]*>[\s\S]*?getElementById\('only-failing'\))/);
  });
});

describe('refused control connections (lab 25, client side, three copies an hour apart)', () => {
  let copies: string[] = [];
  let refused: AnalysisReport;
  beforeAll(async () => {
    copies = [0, 1, 2].map((r) => {
      const p = join(dir, `25-control-refused-${r}.pcap`);
      writeFileSync(p, shiftedPcap(readFileSync('fixtures/25-control-refused-client.pcap'), r * 3600));
      return p;
    });
    refused = await analyze(copies);
  });

  it('one group per server (and client network), counting the attempts, with the sessions as examples and their frames', () => {
    const ov = overviewOf(refused.sessions, []);
    expect(ov.failureGroups.map((g) => [g.code, g.outcome, g.initiator, g.server, g.ports, g.dataConnections, g.sessions, g.examples.map((e) => e.dataConnection)])).toEqual(
      ['198.51.100.20', '198.51.100.21', '2001:db8:5::20', '2001:db8:5::21'].map((server) => ['control-refused', 'refused', 'client', server, { from: 21, to: 21 }, 0, 3, [null, null, null]]),
    );
    // The frames are the earliest example's: the first copy's session to that server.
    for (const g of ov.failureGroups) expect(g.exampleFrames).toEqual(refused.sessions.find((s) => s.server.ip === g.server)?.findings[0].frames);
    // No data connection failed, and no firewall rule is made of a refusal: where nothing listens
    // on the port, a rule opens nothing.
    expect([ov.failedDataConnections, ov.firewallRules]).toEqual([0, []]);
  });

  it('text and HTML name the attempts as control connections, examples without a data connection', async () => {
    const file = join(dir, 'refused.txt');
    const out = new Out(file, false);
    await analyzeTo(copies, {}, new OverviewSink(out, 'text', (o) => FORMATS.text(o, { tty: false }), 'only'));
    out.close();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('1. refused (control-refused): 3 control connections, client 192.0.2.10 -> server 198.51.100.20 port 21');
    expect(text).toMatch(/; sessions 1, 5, 9; frames 5, 6 \(session 1\)/);
    const hfile = join(dir, 'refused.html');
    const hout = new Out(hfile, false);
    await analyzeTo(copies, { timeline: true }, new OverviewSink(hout, 'html', (o) => FORMATS.html(o, { tty: false }), 'on'));
    hout.close();
    expect(readFileSync(hfile, 'utf8')).toContain('<td>3 control connections</td>');
  });
});
