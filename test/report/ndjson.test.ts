/**
 * `--format ndjson` (src/report/ndjson.ts) on every lab capture: each line parses on its own; every
 * field is an ECS field of test/vendor/ecs/ecs_flat.json with a value of its type (and an allowed
 * value for the categorisation fields), or lives under ftp.* / labels.*; the session, data
 * connection and finding events are as many as the JSON report's. Goldens for the blocked-active,
 * blocked-passive, NAT-mismatch and brute-force captures in test/golden/siem/*.ndjson.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ECS_VERSION, NdjsonSink, type FtpFields } from '../../src/report/ndjson.js';
import { communityId, networkDirection } from '../../src/report/event-facts.js';
import { LAB, GOLDEN_CAPTURES, analyze, analyzeLab, jsonReport, ndjsonLines, golden, flatten, MemoryOut, handBuiltSession, handBuiltTail, truncatedLab, NASTY, TOOL, VERSION, type LabCapture } from './siem.js';
import { cli } from '../helpers/cli.js';

interface EcsField {
  type: string;
  normalize: string[];
  allowed_values?: string[];
}
const ECS = JSON.parse(readFileSync('test/vendor/ecs/ecs_flat.json', 'utf8')) as Record<string, EcsField>;
const ECS_SOURCE_VERSION = /Elastic Common Schema (\d+\.\d+\.\d+\S*)/.exec(readFileSync('test/vendor/ecs/SOURCE.md', 'utf8'))?.[1];

const STRINGS = new Set(['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text']);
const INTEGERS = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);

/** Why a value does not fit an ECS field, or null. */
function misfit(name: string, f: EcsField, v: unknown): string | null {
  const values = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && !f.normalize.includes('array')) return `${name} is an array, ECS does not expect one`;
  for (const x of values) {
    if (x === null) return `${name} is null`;
    if (STRINGS.has(f.type) && typeof x !== 'string') return `${name} (${f.type}) holds ${typeof x}`;
    if (f.type === 'ip' && (typeof x !== 'string' || isIP(x) === 0)) return `${name} (ip) holds ${JSON.stringify(x)}`;
    if (INTEGERS.has(f.type) && !Number.isInteger(x)) return `${name} (${f.type}) holds ${JSON.stringify(x)}`;
    if ((f.type === 'float' || f.type === 'double' || f.type === 'scaled_float') && typeof x !== 'number') return `${name} (${f.type}) holds ${typeof x}`;
    if (f.type === 'boolean' && typeof x !== 'boolean') return `${name} (boolean) holds ${typeof x}`;
    if (f.type === 'date' && (typeof x !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(x))) return `${name} (date) holds ${JSON.stringify(x)}`;
    if (!['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text', 'ip', 'date', 'boolean', 'float', 'double', 'scaled_float', ...INTEGERS].includes(f.type)) return `${name}: type ${f.type} not expected here`;
    if (f.allowed_values && !f.allowed_values.includes(x as string)) return `${name} = ${JSON.stringify(x)} is not an allowed value`;
  }
  return null;
}

/** Problems of one event: unknown fields, wrong types, nulls in ftp.*. */
function check(e: Record<string, unknown>): string[] {
  const bad: string[] = [];
  for (const [name, v] of flatten(e)) {
    if (name.startsWith('ftp.') || name.startsWith('labels.')) {
      if (v === null) bad.push(`${name} is null`);
      continue;
    }
    const f = ECS[name];
    if (!f) {
      bad.push(`${name} is not an ECS field`);
      continue;
    }
    const m = misfit(name, f, v);
    if (m) bad.push(m);
  }
  for (const req of ['@timestamp', 'ecs.version', 'event.kind', 'event.category', 'event.type', 'event.outcome', 'event.dataset', 'message']) {
    if (!flatten(e).has(req)) bad.push(`${req} missing`);
  }
  return bad;
}

const dataset = (e: Record<string, unknown>): unknown => (e.event as { dataset?: unknown }).dataset;

function countsOf(events: Record<string, unknown>[]): Record<string, number> {
  const n: Record<string, number> = { 'ftp_pcap.session': 0, 'ftp_pcap.data_connection': 0, 'ftp_pcap.finding': 0 };
  for (const e of events) n[String(dataset(e))] = (n[String(dataset(e))] ?? 0) + 1;
  return n;
}

function versionless(events: Record<string, unknown>[], version: string): string {
  return events
    .map((e) => {
      const o = e.observer as { version?: string };
      expect(o.version).toBe(version);
      o.version = '<version>';
      return JSON.stringify(e) + '\n';
    })
    .join('');
}

describe('ndjson: ECS events for every lab capture', () => {
  beforeAll(({}, suite) => analyzeLab('ndjson', suite), 300_000);
  it('ecs.version is the version of the ECS definitions checked against', () => {
    expect(ECS_VERSION).toBe(ECS_SOURCE_VERSION);
  });

  for (const c of LAB) {
    it(c.name, async () => runCapture(c));
  }
});

async function runCapture(c: LabCapture): Promise<void> {
  const text = analyze('ndjson', c);
  const report = await jsonReport(c, VERSION);
  const events = ndjsonLines(text);
  const problems = events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`));
  expect(problems).toEqual([]);
  for (const e of events) expect((e.ecs as { version: string }).version).toBe(ECS_VERSION);

  // As many events as the JSON report has sessions, data connections and findings, in its order.
  const dcs = report.sessions.reduce((n, s) => n + s.dataConnections.length, 0);
  const findings = report.sessions.reduce((n, s) => n + s.findings.length, 0) + report.findings.length;
  expect(countsOf(events)).toEqual({ 'ftp_pcap.session': report.sessions.length, 'ftp_pcap.data_connection': dcs, 'ftp_pcap.finding': findings });
  const order: string[] = [];
  for (const s of report.sessions) {
    order.push(`session ${s.id}`, ...s.dataConnections.map((d) => `dc ${s.id}/${d.id}`), ...s.findings.map((f) => `finding ${s.id} ${f.code}`));
  }
  for (const f of report.findings as { code: string }[]) order.push(`finding - ${f.code}`);
  const ftp = (e: Record<string, unknown>): FtpFields => e.ftp as FtpFields;
  expect(
    events.map((e) => {
      const f = ftp(e);
      if (dataset(e) === 'ftp_pcap.session') return `session ${f.session?.id}`;
      if (dataset(e) === 'ftp_pcap.data_connection') return `dc ${f.session?.id}/${f.data_connection?.id}`;
      return `finding ${f.session?.id ?? '-'} ${f.finding?.code}`;
    }),
  ).toEqual(order);

  // Vocabulary (docs/design.md §3) verbatim; findings are alerts with rule.id = their code.
  for (const e of events) {
    const ev = e.event as { kind: string; outcome: string };
    if (dataset(e) === 'ftp_pcap.finding') {
      expect(ev.kind).toBe('alert');
      expect((e.rule as { id: string }).id).toBe(ftp(e).finding?.code);
    } else expect(ev.kind).toBe('event');
  }
  const outcomes = events.filter((e) => dataset(e) === 'ftp_pcap.data_connection').map((e) => (e.ftp as { data_connection: { outcome: string } }).data_connection.outcome);
  expect(outcomes).toEqual(report.sessions.flatMap((s) => s.dataConnections.map((d) => d.outcome)));

  if (GOLDEN_CAPTURES.includes(c.name)) golden(c.name, 'ndjson', versionless(events, report.tool.version));
}

describe('ndjson: derived network fields', () => {
  it('network.community_id follows the Community ID v1 spec (its baseline vectors)', () => {
    // corelight/community-id-spec baseline/baseline_deflt.json, TCP rows, both directions.
    expect(communityId('128.232.110.120', 34855, '66.35.250.204', 80)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(communityId('66.35.250.204', 80, '128.232.110.120', 34855)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(communityId('2001:470:e5bf:dead:4957:2174:e82c:4887', 63943, '2607:f8b0:400c:c03::1a', 25)).toBe('1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=');
    expect(communityId('2607:f8b0:400c:c03::1a', 25, '2001:470:e5bf:dead:4957:2174:e82c:4887', 63943)).toBe('1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=');
    expect(communityId('192.0.2.1', undefined, '192.0.2.2', 21)).toBeNull();
  });

  it('network.direction as the network_direction processor with private internal networks', () => {
    expect(networkDirection('10.0.0.1', '192.168.1.1')).toBe('internal');
    expect(networkDirection('172.16.5.5', '198.51.100.20')).toBe('outbound');
    expect(networkDirection('198.51.100.20', '10.0.0.20')).toBe('inbound');
    expect(networkDirection('192.0.2.10', '198.51.100.20')).toBe('external');
    expect(networkDirection('fd00::1', '2001:db8::1')).toBe('outbound');
    expect(networkDirection('::1', '::1')).toBe('internal');
    // Shared address space (RFC 6598: carrier-grade NAT) and link-local are not reachable from the Internet either.
    expect(networkDirection('100.64.0.1', '198.51.100.20')).toBe('outbound');
    expect(networkDirection('100.127.255.255', '100.64.0.1')).toBe('internal');
    expect(networkDirection('100.128.0.1', '198.51.100.20')).toBe('external');
    expect(networkDirection('198.51.100.20', 'fe80::1')).toBe('inbound');
  });
});

describe('ndjson: hand-built session with hostile strings', () => {
  it('writes one valid line per event, streamed per session, strings intact', () => {
    const out = new MemoryOut();
    const sink = new NdjsonSink(out.asOut());
    const s = handBuiltSession();
    sink.begin(TOOL);
    sink.session(s);
    // Streaming: the session's events are written before the capture ends.
    const afterSession = out.text.split('\n').length - 1;
    expect(afterSession).toBe(1 + s.dataConnections.length + s.findings.length);
    sink.end(handBuiltTail());
    const text = out.text;
    // No raw control character or lone surrogate reaches the output: UTF-8 round trips.
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0009\u000b-\u001f]/.test(text)).toBe(false);
    const events = ndjsonLines(text);
    expect(events).toHaveLength(afterSession + 1);
    expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
    expect((events[0].user as { name: string }).name).toBe(NASTY.user);
    expect((events[0].ftp as { session: { banner: string } }).session.banner).toBe(NASTY.banner);
    const dc = events[1] as { file: { name: string }; ftp: { data_connection: { argument: string; reply_text: string } } };
    expect(dc.ftp.data_connection.argument).toBe(NASTY.argument);
    expect(dc.file.name).toBe(NASTY.argument);
    expect(dc.ftp.data_connection.reply_text).toBe(NASTY.replyText);
    // A never-attempted EPSV connection: expected ends (server address of the control connection).
    const na = events[2] as { source: { ip: string; port?: number }; destination: { ip: string; port: number }; event: { outcome: string } };
    expect(na.source).toEqual({ ip: '10.1.2.3' });
    expect(na.destination).toEqual({ ip: '203.0.113.7', port: 30001 });
    expect(na.event.outcome).toBe('failure');
    // The cross-session finding is placed at its client's sessions.
    const bf = events[events.length - 1] as { '@timestamp': string; rule: { id: string }; source: { ip: string }; destination: { ip: string }; event: { severity: number } };
    expect(bf.rule.id).toBe('brute-force');
    expect(bf['@timestamp']).toBe(s.start);
    expect(bf.source.ip).toBe('10.1.2.3');
    expect(bf.destination.ip).toBe('203.0.113.7');
    expect(bf.event.severity).toBe(73);
  });
});

describe('ndjson: a damaged capture ends with an event saying so', () => {
  it('03-active-blocked cut inside its last record (hand-built): the events before, then one capture-incomplete event', async () => {
    const cut = truncatedLab('03-active-blocked.pcap');
    try {
      const r = cli(['analyze', '--format', 'ndjson', cut.file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`ftp-pcap: ${cut.file}: trailing partial record (59 of 66 bytes) (byte offset ${cut.offset})\n`);
      const events = ndjsonLines(r.stdout);
      expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
      // Everything the JSON report of the same file holds, then the one event about the damage.
      const report = await jsonReport({ name: 'cut', files: [cut.file] }, VERSION);
      const dcs = report.sessions.reduce((n, s) => n + s.dataConnections.length, 0);
      const findings = report.sessions.reduce((n, s) => n + s.findings.length, 0) + report.findings.length;
      expect(countsOf(events)).toEqual({ 'ftp_pcap.session': report.sessions.length, 'ftp_pcap.data_connection': dcs, 'ftp_pcap.finding': findings, 'ftp_pcap.capture': 1 });
      const last = events[events.length - 1];
      expect(dataset(last)).toBe('ftp_pcap.capture');
      expect(last).toMatchObject({
        '@timestamp': (report.inputs as { lastTime: string }[])[0].lastTime,
        event: { kind: 'event', action: 'capture-incomplete', outcome: 'failure', category: ['file'], type: ['error'] },
        error: { type: 'truncated-record', message: 'trailing partial record (59 of 66 bytes)' },
        file: { path: cut.file, name: `hand-built-cut-03-active-blocked.pcap` },
        log: { level: 'error' },
        ftp: { capture: { path: cut.file, complete: false, error: 'truncated-record', offset: cut.offset, packets: cut.packets } },
      });
      expect(last.message).toBe(`Capture ${cut.file} is incomplete: trailing partial record (59 of 66 bytes) (byte offset ${cut.offset}); the events cover only its ${cut.packets} packets before that point.`);

      // The same bytes on standard input: no file to name.
      const s = cli(['analyze', '--format', 'ndjson', '-'], readFileSync(cut.file));
      expect(s.code).toBe(2);
      const piped = ndjsonLines(s.stdout);
      const end = piped[piped.length - 1];
      expect(check(end)).toEqual([]);
      expect(end.file).toBeUndefined();
      expect(end.message).toMatch(/^Capture from standard input is incomplete: trailing partial record/);
      expect((end.ftp as FtpFields).capture).toMatchObject({ path: '-', offset: cut.offset, packets: cut.packets });
    } finally {
      cut.cleanup();
    }
  });
});

describe('ndjson with --hash', () => {
  // 01-passive: whole files; 18-resume: REST tails; 08-abort: cut short.
  it.each(['01-passive.pcap', '18-resume.pcap', '08-abort.pcap'])('%s: file.size and file.hash.sha256 for whole files only, the rest under ftp.data_connection.file', (name) => {
    const files = LAB.find((c) => c.name === name)?.files ?? [];
    const r = cli(['analyze', '--hash', '--format', 'ndjson', ...files]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const events = ndjsonLines(r.stdout);
    expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
    const transfers = events.filter((e) => dataset(e) === 'ftp_pcap.data_connection' && (e.ftp as FtpFields).data_connection?.file?.kind === 'file');
    expect(transfers.length).toBeGreaterThan(0);
    for (const e of transfers) {
      const f = (e.ftp as FtpFields).data_connection?.file;
      const ecs = e.file as { size?: number; hash?: { sha256: string } };
      const whole = f?.complete === true && f.offset === 0;
      expect(ecs.hash?.sha256, JSON.stringify(f)).toBe(whole ? f?.sha256 : undefined);
      expect(ecs.size).toBe(whole ? f?.size : undefined);
    }
  });
});
