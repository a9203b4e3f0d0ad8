/**
 * `--evidence DIR` and the Wireshark display filters, on the lab captures with a failed data
 * connection (and IPv6, VLAN, a pcapng of two interfaces with two link types).
 *
 * For each evidence file: its frames are frames of the original capture (same time, same bytes, in
 * capture order); they hold every frame the session's report names; `analyze` on the file alone
 * finds the same session with the same outcomes. With tshark (skipped, saying so, when it is not
 * installed): the session's filter selects as many frames in the original capture as the file
 * holds, and every frame of the file (checked on the first file of each capture: a tshark run
 * costs ~0.3 s) — so it selects exactly the file's frames; each data connection's filter likewise
 * selects as many frames in the original as the file holds of that connection.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.js';
import { EvidenceWriter, isFailedSession, type EvidenceEntry } from '../../src/evidence/index.js';
import { SPOOL_LIMITS } from '../../src/evidence/spool.js';
import { readCaptures, type CaptureRecord } from '../../src/capture/index.js';
import { Decoder, DecodeStatus, newPacket } from '../../src/decode/index.js';
import { formatIp } from '../../src/decode/address.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import type { SessionReport } from '../../src/ftp/model.js';
import { cli } from '../helpers/cli.js';
import { LiveCli, recordOffsets, waitFor } from '../cli/spawn.js';
import { analyzeTo } from '../../src/pipeline.js';
import { FORMATS } from '../../src/report/formats.js';
import { MemoryOut } from '../report/siem.js';

const FAILED = ['03-active-blocked.pcap', '04-passive-blocked.pcap', '05-pasv-nat-client.pcap', '06-client-nat-inside.pcap', '07-ipv6.pcap', '08-abort.pcap', '08-client-killed.pcap', '08-lftp-abort.pcap', '08-missing-file.pcap', '08-server-killed.pcap', '15-long-modes.pcap', '16-bounce.pcap', '22-icmp-reject-client.pcap', '22-icmp-reject-server.pcap', 'tunnel/04-passive-blocked.erspan3.pcap'];
/** Every session (not only failed ones): the VLAN-tagged capture, the pcapng of two interfaces
 * with two link types, and VXLAN whose outer IPv4 datagrams are fragmented (the files hold every
 * fragment of the packets they hold, as captured, outer headers included). */
const ALL = ['14-formats-vlan.pcap', '14-formats-merged.pcapng', '21-vxlan.pcap'];
/** Captures whose filters tshark checks (each tshark run costs ~0.3 s): IPv4 active and passive,
 * IPv6, VLAN, pcapng, ERSPAN III, ICMP rejections (the filter selects the ICMP error too). Not
 * 21-vxlan: its files hold both outer fragments of a reassembled datagram, and no display filter
 * selects both (tshark gives the inner fields to the fragment that completes the datagram only, or
 * with ip.defragment off to the first only). */
const TSHARK = new Set(['03-active-blocked.pcap', '04-passive-blocked.pcap', '22-icmp-reject-client.pcap', '07-ipv6.pcap', '14-formats-vlan.pcap', '14-formats-merged.pcapng', 'tunnel/04-passive-blocked.erspan3.pcap']);
const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

interface Frame {
  time: string;
  bytes: string;
  /** The TCP 4-tuple, canonical (both directions the same), or '' for another packet. */
  conn: string;
}

function tuple(a: string, pa: number, b: string, pb: number): string {
  const x = `${a}|${pa}`;
  const y = `${b}|${pb}`;
  return x < y ? `${x}-${y}` : `${y}-${x}`;
}

/** Every record of a capture, decoded to its 4-tuple (frame n at index n - 1). */
async function frames(path: string): Promise<Frame[]> {
  const out: Frame[] = [];
  const dec = new Decoder();
  const pkt = newPacket();
  await readCaptures([path], (r: CaptureRecord) => {
    // An ICMP error is decoded with the quoted segment's addresses and ports: its connection's.
    const st = dec.decode(r, pkt);
    const tcp = st === DecodeStatus.TCP || pkt.icmpQuote;
    const conn = tcp ? tuple(formatIp(pkt.src), pkt.srcPort, formatIp(pkt.dst), pkt.dstPort) : '';
    out.push({ time: `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`, bytes: r.data.toString('hex'), conn });
    // The earlier fragments of a reassembled packet belong to its connection.
    if (tcp && pkt.reassembled) for (const f of pkt.fragmentFrames) if (out[f - 1]) out[f - 1].conn = conn;
  });
  return out;
}

/** Frames of tshark's `-z io,stat,0,FILTER` for each filter, in one run over `path`. */
function tsharkCounts(path: string, filters: readonly string[]): number[] {
  const args = ['-n', '-q', '-d', 'udp.port==8472,vxlan', '-r', path, ...filters.flatMap((f) => ['-z', `io,stat,0,${f}`])];
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  // tshark prints the tables last requested first
  const counts = [...r.stdout.matchAll(/^\|\s*[\d.]+\s*<>\s*[\d.]+\s*\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1])).reverse();
  expect(counts).toHaveLength(filters.length);
  return counts;
}

/** Every frame number the report names for a session. */
function namedFrames(s: SessionReport): number[] {
  const out: number[] = [];
  for (const d of s.dataConnections) {
    if (d.tcp) out.push(...[d.tcp.synFrame, d.tcp.synAckFrame, d.tcp.rstFrame, d.tcp.firstFrame, d.tcp.lastFrame].filter((n): n is number => n !== null));
    if (d.announced) out.push(d.announced.frame);
  }
  for (const f of s.findings) out.push(...f.frames);
  return out;
}

const outcomes = (s: SessionReport): string[] => s.dataConnections.map((d) => `${d.mode} ${d.outcome}`);

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ftp-pcap-evidence-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('--evidence on the lab captures', () => {
  for (const file of [...FAILED, ...ALL]) {
    it(file, async () => {
      const path = join('fixtures', file);
      const dir = join(root, file);
      const all = ALL.includes(file);
      const report = await analyze([path], { evidence: new EvidenceWriter(dir, { all }) });
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { sessions: EvidenceEntry[]; filesWritten: number };
      const kept = report.sessions.filter((s) => s.evidence !== undefined);
      expect(kept.length).toBeGreaterThan(0);
      if (all) expect(kept).toHaveLength(report.sessions.length);
      else for (const s of report.sessions) expect(s.evidence !== undefined, `session ${s.id}`).toBe(s.dataConnections.some((d) => ['no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed'].includes(d.outcome)) || s.findings.some((f) => f.severity === 'error'));
      expect(index.sessions.map((e) => ({ session: e.session, file: e.file, complete: e.complete }))).toEqual(kept.map((s) => ({ session: s.id, file: s.evidence, complete: true })));
      // Nothing else in DIR: no spool folder, no temporary file.
      expect(readdirSync(dir).sort()).toEqual(['index.json', ...kept.map((s) => s.evidence as string)].sort());

      const orig = await frames(path);
      const byContent = new Map(orig.map((f, i) => [`${f.time} ${f.bytes}`, i + 1]));
      const checks: { evidence: string; filters: string[]; counts: number[] }[] = [];
      for (const s of kept) {
        const name = s.evidence as string;
        expect(name).toMatch(new RegExp(`^s${String(s.id).padStart(4, '0')}-${s.client.ip.replace(/:/g, '_').replace(/\./g, '\\.')}-${s.client.port}-`));
        const ev = await frames(join(dir, name));
        expect(index.sessions.find((e) => e.session === s.id)?.frames).toBe(ev.length);
        // Frames of the original, in capture order, each once.
        const numbers = ev.map((f) => byContent.get(`${f.time} ${f.bytes}`) ?? -1);
        expect(numbers.filter((n) => n < 0)).toEqual([]);
        expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => a - b));
        // Every frame the report names for the session (those of its connections).
        const conns = new Set([tuple(s.client.ip, s.client.port, s.server.ip, s.server.port), ...s.dataConnections.filter((d) => d.tcp && d.from && d.to).map((d) => tuple(d.from!.ip, d.from!.port, d.to!.ip, d.to!.port))]);
        const named = namedFrames(s).filter((n) => conns.has(orig[n - 1].conn));
        expect(named.filter((n) => !numbers.includes(n))).toEqual([]);
        // Only the session's connections.
        expect(ev.filter((f) => !conns.has(f.conn))).toEqual([]);

        // The file alone: the same session, the same outcomes.
        const again = await analyze([join(dir, name)]);
        expect(again.sessions.map((x) => ({ client: x.client, server: x.server, user: x.user, login: x.login, mode: x.mode, outcomes: outcomes(x) }))).toEqual([{ client: s.client, server: s.server, user: s.user, login: s.login, mode: s.mode, outcomes: outcomes(s) }]);
        // ...with every byte the capture had (a reassembled packet's fragments all there: no gap).
        const gaps = (x: SessionReport): number => x.findings.filter((f) => f.code === 'capture-gap').length;
        expect(again.sessions.map((x) => ({ bytes: x.dataConnections.map((d) => d.bytes), gaps: gaps(x) }))).toEqual([{ bytes: s.dataConnections.map((d) => d.bytes), gaps: gaps(s) }]);

        const dcs = s.dataConnections.filter((d) => d.tcp !== null && d.wiresharkFilter !== null);
        checks.push({ evidence: join(dir, name), filters: [s.wiresharkFilter, ...dcs.map((d) => d.wiresharkFilter as string)], counts: [ev.length, ...dcs.map((d) => ev.filter((f) => f.conn === tuple(d.from!.ip, d.from!.port, d.to!.ip, d.to!.port)).length)] });
      }

      if (!TSHARK.has(file)) return;
      if (!hasTshark) {
        console.warn(`tshark not installed: the display filters of ${file} are not checked (apt-get install -y tshark, or fixtures/lab/run.sh setup)`);
        return;
      }
      // Original capture: each filter selects as many frames as the evidence file holds of it...
      const inOrig = tsharkCounts(path, checks.flatMap((c) => c.filters));
      expect(inOrig).toEqual(checks.flatMap((c) => c.counts));
      // ...and, in the (first) evidence file, every one of them: the same frames.
      expect(tsharkCounts(checks[0].evidence, checks[0].filters)).toEqual(checks[0].counts);
    });
  }
});

describe('the reports show the filters and link the files', () => {
  it('HTML: beside the ladder, with a copy button and the evidence link; text: under --verbose only', async () => {
    const dir = join(root, 'pages');
    const html = new MemoryOut();
    const report = await analyze(['fixtures/07-ipv6.pcap']);
    await analyzeTo(['fixtures/07-ipv6.pcap'], { timeline: true, evidence: new EvidenceWriter(dir) }, FORMATS.html(html.asOut(), { tty: false }));
    const failed = report.sessions.filter(isFailedSession);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      const esc = s.wiresharkFilter.replace(/&/g, '&amp;');
      expect(html.text).toContain(`<code id="wsf-s${s.id}">${esc}</code> <button type="button" class="copy" data-copy="wsf-s${s.id}"`);
      expect(html.text).toMatch(new RegExp(`data-copy="wsf-s${s.id}"[^>]*>copy</button> · evidence <a href="s${String(s.id).padStart(4, '0')}-2001_db8_`));
      expect(s.wiresharkFilter).toMatch(/^\(ipv6\.addr == 2001:db8:/);
    }
    for (const verbose of [false, true]) {
      const text = new MemoryOut();
      await analyzeTo(['fixtures/07-ipv6.pcap'], {}, FORMATS.text(text.asOut(), { tty: false, verbose }));
      expect(text.text.includes(`  wireshark: ${report.sessions[0].wiresharkFilter}\n`)).toBe(verbose);
      expect(text.text.includes(`      wireshark: ${report.sessions[0].dataConnections[0].wiresharkFilter}\n`)).toBe(verbose);
    }
  });
});

describe('--evidence past its bounds', () => {
  it('connections dropped at the connection bound: counted in limits, the files that miss frames say so', async () => {
    const dir = join(root, 'bounded');
    const report = await analyze(['fixtures/04-passive-blocked.pcap'], { evidence: new EvidenceWriter(dir, { spoolLimits: { ...SPOOL_LIMITS, maxConnections: 1 } }) });
    expect(report.limits['evidence-connections-dropped']).toBeGreaterThan(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { sessions: EvidenceEntry[] };
    expect(index.sessions.length).toBeGreaterThan(0);
    expect(index.sessions.some((e) => !e.complete)).toBe(true);
  });

  it('fragments held past the fragment bound: counted in limits, the packet still in its file without them', async () => {
    const dir = join(root, 'fragments-bounded');
    // 21-vxlan's first fragments are 1514 bytes: a bound of 1000 holds none of them.
    const report = await analyze(['fixtures/21-vxlan.pcap'], { evidence: new EvidenceWriter(dir, { all: true, fragmentBytes: 1000 }) });
    expect(report.limits['evidence-fragments-dropped']).toBe(5);
    const s = report.sessions.find((x) => x.client.ip === '198.51.100.10');
    const again = await analyze([join(dir, s?.evidence ?? '')]);
    expect(again.sessions[0].findings.map((f) => f.code)).toContain('capture-gap');
  });
});

describe('--evidence: the command line', () => {
  it('stdin, index and report link; refused with --jobs, --shard and without DIR; a used DIR is refused', () => {
    const dir = join(root, 'cli');
    const r = cli(['analyze', '-q', '--format', 'json', '--evidence', dir, '-'], readFileSync('fixtures/04-passive-blocked.pcap'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AnalysisReport;
    const files = report.sessions.map((s) => s.evidence).filter((e): e is string => e !== undefined);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(join(dir, f))).toBe(true);
    // a second run into the same folder: refused, nothing overwritten
    const again = cli(['analyze', '-q', '--evidence', dir, 'fixtures/04-passive-blocked.pcap']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^ftp-pcap: --evidence .*index\.json/);
    for (const [args, message] of [
      [['--evidence', dir, '--jobs', '2'], /^ftp-pcap: --jobs: --evidence /],
      [['--evidence', dir, '--shard', '0/2'], /^ftp-pcap: --shard: --evidence /],
      [['--evidence-all'], /^ftp-pcap: --evidence-all needs --evidence DIR/],
    ] as const) {
      const u = cli(['analyze', '-q', ...args, 'fixtures/04-passive-blocked.pcap']);
      expect(u.code).toBe(2);
      expect(u.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(u.stderr).toMatch(message);
    }
  });

  it('never writes through a symlink planted under the final name', async () => {
    const dir = join(root, 'symlink');
    mkdirSync(dir);
    const target = join(root, 'victim');
    const name = 's0001-192.0.2.10-40004-198.51.100.20-21.pcap';
    symlinkSync(target, join(dir, name));
    const report = await analyze(['fixtures/03-active-blocked.pcap'], { evidence: new EvidenceWriter(dir) });
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(join(dir, name)).isSymbolicLink()).toBe(true);
    expect(report.sessions[0].evidence).toBe('s0001-192.0.2.10-40004-198.51.100.20-21-2.pcap');
  });
});

describe('--evidence killed mid-way (a real capture fed on stdin, never closed)', () => {
  it('SIGTERM: exit 143, the spool folder and the temporary index removed, finished files kept', async () => {
    const dir = join(root, 'killed');
    const cap = readFileSync('fixtures/03-active-blocked.pcap');
    const run = new LiveCli(['analyze', '--evidence', dir, '--format', 'json', '-']);
    await run.write(cap.subarray(0, recordOffsets(cap)[60]));
    const started = (): boolean => existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('.ftp-pcap-evidence.')) && readdirSync(dir).some((n) => n.startsWith('.index.json.'));
    expect(await waitFor(started)).toBe(true);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(readdirSync(dir).filter((n) => !/^s\d{4}-[0-9.]+-\d+-[0-9.]+-\d+\.pcap$/.test(n))).toEqual([]);
  });
});
