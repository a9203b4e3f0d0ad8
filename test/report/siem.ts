/**
 * Shared by the machine-format tests (ndjson, ocsf, xml): the lab captures of the manifest, the
 * CLI run per capture and format, the golden files under test/golden/siem/ (rewritten with
 * UPDATE_GOLDEN=1, like test/pipeline/golden.test.ts), and a hand-built session whose strings
 * hold everything a capture can smuggle into a report.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, cliBatch, type CliResult } from '../helpers/cli.js';
import { analyze as analyzeInProcess } from '../../src/pipeline.js';
import type { SessionReport } from '../../src/ftp/model.js';
import type { Out } from '../../src/report/out.js';

export interface LabCapture {
  /** The manifest's file name (a rotated set is named by its first part). */
  name: string;
  files: string[];
}

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };

export const LAB: LabCapture[] = manifest.captures.map((c) => ({ name: c.file, files: (c.parts ?? [c]).map((p) => join('fixtures', p.file)) }));

/** The scenarios with reviewed SIEM goldens: blocked active, blocked passive, NAT mismatch, brute force. */
export const GOLDEN_CAPTURES = ['03-active-blocked.pcap', '04-passive-blocked.pcap', '05-pasv-nat-client.pcap', '10-logins.pcap'];

const labRuns = new Map<string, Map<string, CliResult>>();

/**
 * `ftp-pcap analyze --format <format>` on lab captures, each run as the user types it, all in one
 * process (cliBatch), once per format and test file. A describe of per-capture tests (each named
 * by its capture) calls it in beforeAll with the suite: the captures whose tests will run (not
 * filtered out by -t). `analyze` then reads its capture's run.
 */
export function analyzeLab(format: string, suite: { tasks: readonly { type: string; mode: string; name: string }[] }): void {
  const running = new Set(suite.tasks.filter((t) => t.type === 'test' && t.mode === 'run').map((t) => t.name));
  const captures = LAB.filter((c) => running.has(c.name));
  if (captures.length === 0) return;
  const results = cliBatch(captures.map((c) => ['analyze', '--format', format, ...c.files]));
  labRuns.set(format, new Map(captures.map((c, i) => [c.name, results[i]])));
}

/** `ftp-pcap analyze --format <format>` on a capture: its stdout (a clean run: no stderr, exit 0). */
export function analyze(format: string, c: LabCapture): string {
  const r = labRuns.get(format)?.get(c.name) ?? cli(['analyze', '--format', format, ...c.files]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

export interface JsonReport {
  tool: { name: string; version: string };
  sessions: SessionReport[];
  findings: unknown[];
  [k: string]: unknown;
}

/**
 * The JSON report of a capture, analysed in-process (a second CLI run per capture would double
 * these tests' time); JSON round trip so it is exactly what `--format json` holds.
 */
export async function jsonReport(c: LabCapture, version: string): Promise<JsonReport> {
  return JSON.parse(JSON.stringify(await analyzeInProcess(c.files, { version }))) as JsonReport;
}

/** Lines of an NDJSON text, each parsed on its own. */
export function ndjsonLines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n') || text === '').toBe(true);
  const lines = text.split('\n').slice(0, -1);
  return lines.map((l, i) => {
    expect(l.length, `line ${i + 1} is empty`).toBeGreaterThan(0);
    return JSON.parse(l) as Record<string, unknown>;
  });
}

const update = process.env.UPDATE_GOLDEN === '1';

/** Compares with test/golden/siem/<capture>.<ext>, or writes it (UPDATE_GOLDEN=1, or missing). */
export function golden(capture: string, ext: string, text: string): void {
  const dir = 'test/golden/siem';
  const path = join(dir, `${capture.replace(/\//g, '_')}.${ext}`);
  if (update || !existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
    if (!update) throw new Error(`${path} was missing: written, review it and commit it`);
    return;
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Dotted names of the leaves of an event (arrays of scalars are one leaf, as in Elasticsearch). */
export function flatten(v: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, x] of Object.entries(v)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (isObject(x)) flatten(x, name, out);
    else if (Array.isArray(x) && x.some(isObject)) x.forEach((item) => (isObject(item) ? flatten(item, name, out) : out.set(name, item)));
    else out.set(name, x);
  }
  return out;
}

/** Collects what a sink writes. */
export class MemoryOut {
  text = '';
  write(s: string): void {
    this.text += s;
  }
  flush(): void {}
  close(): void {}
  abort(): void {}
  asOut(): Out {
    return this as unknown as Out;
  }
}

/**
 * Hand-built (not from a capture): a session whose capture-derived strings hold XML and HTML
 * metacharacters, quotes, NUL, ESC and other C0 controls, CR/LF, DEL, C1, a backslash, U+FFFE and
 * lone surrogates (a high one at the end, a low one alone), plus a valid astral character.
 */
export const NASTY = {
  user: 'a<b>&c"d\'e\u0000\u001b[31mred\u001b[0m',
  banner: '220 <script>alert("x")</script> & ]]> \r\nsecond line\ttab \u0007bell \\u0041 not an escape',
  argument: 'file\u0000name\udc80\ud800.txt \u0085\u007f \uFFFE\uFFFF 😀',
  replyText: 'Transfer\r\ncomplete\u0001\\',
};

export function handBuiltSession(): SessionReport {
  const start = '2026-11-26T12:00:00.000000001Z';
  return {
    id: 1,
    client: { ip: '10.1.2.3', port: 50000 },
    server: { ip: '203.0.113.7', port: 21 },
    start,
    end: '2026-11-26T12:00:05.500000000Z',
    banner: NASTY.banner,
    user: NASTY.user,
    password: '********',
    login: 'success',
    loginAttempts: 1,
    tls: false,
    mode: 'passive',
    midStream: false,
    capturePoint: 'near-client',
    commands: 6,
    controlState: 'SF',
    dataConnections: [
      {
        id: 1,
        mode: 'passive',
        initiator: 'client',
        announced: { command: 'PASV', ip: '203.0.113.7', port: 30000, frame: 9, replyCode: 227 },
        from: { ip: '10.1.2.3', port: 50001 },
        to: { ip: '203.0.113.7', port: 30000 },
        tcp: { state: 'SF', history: 'ShADadFf', synFrame: 10, synRetransmits: 0, synAckFrame: 11, rstFrame: null, firstFrame: 10, lastFrame: 20, start: '2026-11-26T12:00:01.000000000Z', end: '2026-11-26T12:00:02.000000000Z' },
        command: 'RETR',
        argument: NASTY.argument,
        path: null,
        direction: 'download',
        bytes: 10,
        expectedBytes: 10,
        missedBytes: 0,
        replies: [150, 226],
        replyText: NASTY.replyText,
        outcome: 'completed',
        firewallRule: 'client 10.1.2.3:50001 -> server 203.0.113.7:30000 (inbound to server)',
        diagnosis: `The client connected and the download (RETR ${NASTY.argument}) completed with 10 bytes.`,
        wiresharkFilter: 'ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50001 && tcp.port == 30000',
      },
      {
        id: 2,
        mode: 'extended-passive',
        initiator: 'client',
        announced: { command: 'EPSV', ip: null, port: 30001, frame: 30, replyCode: 229 },
        from: null,
        to: null,
        tcp: null,
        command: null,
        argument: null,
        path: null,
        direction: null,
        bytes: null,
        expectedBytes: null,
        missedBytes: 0,
        replies: [],
        replyText: null,
        outcome: 'not-attempted',
        firewallRule: 'client 10.1.2.3:* -> server 203.0.113.7:30001 (inbound to server)',
        diagnosis: 'The server announced 203.0.113.7:30001 but no connection to it appears in the capture.',
        wiresharkFilter: 'ip.addr == 203.0.113.7 && tcp.port == 30001 && tcp.flags.syn == 1 && tcp.flags.ack == 0',
      },
    ],
    findings: [
      { code: 'cleartext-credentials', severity: 'warning', message: `The password of ${JSON.stringify(NASTY.user)} crossed the network in clear text.`, frames: [5] },
      { code: 'data-not-attempted', severity: 'warning', message: 'The server announced 203.0.113.7:30001 but no connection to it appears in the capture.', frames: [30], dataConnection: 2 },
    ],
    wiresharkFilter: '(ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50000 && tcp.port == 21) || (ip.addr == 10.1.2.3 && ip.addr == 203.0.113.7 && tcp.port == 50001 && tcp.port == 30000)',
  };
}

/** The tail a sink gets at the end for the hand-built session (one cross-session finding). */
export function handBuiltTail(): import('../../src/report/analysis.js').ReportTail {
  return {
    inputs: [],
    complete: true,
    findings: [{ code: 'brute-force', severity: 'error', message: `13 failed logins from 10.1.2.3 (users ${JSON.stringify(NASTY.user)}).`, frames: [1, 2, 3], client: '10.1.2.3' }],
    summary: { sessions: 1, dataConnections: 2, byOutcome: { completed: 1, 'no-answer': 0, refused: 0, 'not-attempted': 1, reset: 0, aborted: 0, truncated: 0, failed: 0, unused: 0, incomplete: 0 }, byMode: { active: 0, passive: 1, 'extended-active': 0, 'extended-passive': 1, 'long-active': 0, 'long-passive': 0, unknown: 0 }, findings: { 'cleartext-credentials': 1, 'data-not-attempted': 1, 'brute-force': 1 } },
    limits: {},
    problems: { [NASTY.user]: 1 },
  };
}

/** The version the built CLI reports. */
export const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

export const TOOL = { name: 'ftp-pcap' as const, version: '9.9.9-test' };

/**
 * Hand-built from a lab capture: the file cut 7 bytes short of its end, so its last record is a
 * trailing partial record. Written to a temp dir; `offset` is where that record starts (the byte
 * offset the error names) and `packets` the records before it.
 */
export function truncatedLab(name: string): { file: string; offset: number; packets: number; cleanup: () => void } {
  const b = readFileSync(join('fixtures', name));
  let p = 24;
  let packets = 0;
  while (p + 16 + b.readUInt32LE(p + 8) < b.length) {
    p += 16 + b.readUInt32LE(p + 8);
    packets++;
  }
  expect(p + 16 + b.readUInt32LE(p + 8)).toBe(b.length);
  const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-cut-'));
  const file = join(dir, `hand-built-cut-${name}`);
  writeFileSync(file, b.subarray(0, b.length - 7));
  return { file, offset: p, packets, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
