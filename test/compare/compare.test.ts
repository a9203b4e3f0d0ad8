/**
 * Two capture points compared (src/compare/), on the lab's two-point captures: each scenario was
 * captured at once on both sides of a router (fixtures/lab/scenarios/*.sh), the taps sharing the
 * host's clock. Every dropped data connection is placed between the two points, on the way out or
 * on the way back; crossed ones are said to have crossed; a NAT between the points is found with
 * the translation; the clock offset is ~0 (within 1 ms), and recovered when one point's timestamps
 * are shifted in memory by a known amount.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { analyze } from '../../src/pipeline.js';
import { comparePoints, type PointInput } from '../../src/compare/index.js';
import { handshakePackets, type HandshakePacket } from '../../src/compare/packets.js';
import { COMPARE_MAX_ISN_CANDIDATES } from '../../src/limits.js';
import { TcpFlag } from '../../src/decode/index.js';
import { analyzePoints } from '../../src/compare/run.js';
import { parsePoints } from '../../src/cli/commands/at.js';
import { comparisonText, type Comparison, type PathReport } from '../../src/report/comparison.js';
import { cli } from '../helpers/cli.js';
import { ComparedNdjsonSink } from '../../src/report/comparison-events.js';
import { MemoryOut, flatten } from '../report/siem.js';
import { HtmlSink, esc } from '../../src/report/html.js';

const ECS = JSON.parse(readFileSync('test/vendor/ecs/ecs_flat.json', 'utf8')) as Record<string, { allowed_values?: string[] }>;

const F = (name: string): string => `fixtures/${name}.pcap`;

async function point(name: string, file: string): Promise<PointInput> {
  const [report, hs] = await Promise.all([analyze([file]), handshakePackets([file])]);
  return { name, file, report, packets: hs.packets };
}

/** Every data connection of the comparison, with its session's id at the first point. */
const dataOf = (c: Comparison): (PathReport & { session: number | null })[] => c.sessions.flatMap((s) => s.dataConnections.map((d) => ({ ...d, session: s.session })));

describe('scenario 24: drops by nftables between the taps, both ways', () => {
  let client: PointInput;
  let server: PointInput;
  let c: Comparison;
  beforeAll(async () => {
    client = await point('client', F('24-two-point-drop-client'));
    server = await point('server', F('24-two-point-drop-server'));
    c = comparePoints([client, server]);
  });

  it('puts the client tap first, from the handshakes, and sees every session at both points', () => {
    expect(c.order).toBe('handshake-times');
    expect(c.points.map((p) => p.name)).toEqual(['client', 'server']);
    expect(c.sessions).toHaveLength(4);
    for (const s of c.sessions) expect(s.points.map((p) => p.point)).toEqual(['client', 'server']);
    expect(c.sessions.every((s) => s.nat === null)).toBe(true);
  });

  it('the client SYNs dropped on the way to the server: seen at the client tap only', () => {
    const d = c.sessions[0].dataConnections;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ initiator: 'client', path: 'dropped-between', between: ['client', 'server'], nat: null });
    const [atClient, atServer] = d[0].frames;
    expect(atClient).toMatchObject({ point: 'client', dataConnection: 1, synAckFrames: [] });
    expect(atClient.synFrames.length).toBeGreaterThanOrEqual(2);
    expect(atServer).toMatchObject({ point: 'server', dataConnection: 1, synFrames: [], synAckFrames: [] });
    expect(d[0].sentence).toContain(`the client's SYNs left the client side (tap client, frames ${atClient.synFrames[0]}–${atClient.synFrames.at(-1)}) and never reached tap server: dropped between the two points`);
  });

  it("the server's active-mode SYNs dropped on the way to the client: seen at the server tap only", () => {
    const d = c.sessions[1].dataConnections;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ initiator: 'server', path: 'dropped-between', between: ['server', 'client'] });
    const byPoint = Object.fromEntries(d[0].frames.map((f) => [f.point, f]));
    expect(byPoint.server.synFrames.length).toBeGreaterThanOrEqual(2);
    expect(byPoint.client.synFrames).toEqual([]);
    expect(d[0].sentence).toMatch(/^the server's SYNs left the server side \(tap server, frames \d+–\d+\) and never reached tap client: dropped between the two points$/);
  });

  it('the SYN-ACKs dropped on the way back: the SYNs crossed, the answers stayed on the server side', () => {
    const [d] = c.sessions[2].dataConnections;
    expect(d).toMatchObject({ initiator: 'client', path: 'answer-dropped-between', between: ['server', 'client'] });
    const byPoint = Object.fromEntries(d.frames.map((f) => [f.point, f]));
    expect(byPoint.client.synFrames.length).toBe(byPoint.server.synFrames.length);
    expect(byPoint.client.synAckFrames).toEqual([]);
    expect(byPoint.server.synAckFrames.length).toBeGreaterThanOrEqual(1);
    expect(d.sentence).toContain('never reached tap client: dropped on the way back between the two points');
  });

  it('the listing with nothing dropped crossed', () => {
    const [d] = c.sessions[3].dataConnections;
    expect(d).toMatchObject({ initiator: 'client', path: 'crossed', between: null });
    for (const f of d.frames) expect(f).toMatchObject({ synFrames: [expect.any(Number)], synAckFrames: [expect.any(Number)] });
  });

  it('the taps share a clock: the offset is within a millisecond of 0, from both directions', () => {
    expect(c.offsets).toHaveLength(1);
    expect(c.offsets[0]).toMatchObject({ a: 'client', b: 'server' });
    expect(c.offsets[0].samples).toBeGreaterThanOrEqual(8);
    expect(Math.abs(c.offsets[0].offsetSeconds as number)).toBeLessThan(0.001);
  });

  it.each([2.5, -0.75, 3600.000123])("finds a server clock shifted by %s s (in memory), and the same verdicts", (shift) => {
    const shifted: PointInput = { ...server, packets: server.packets.map((p) => ({ ...p, time: p.time + shift })) };
    const s = comparePoints([client, shifted]);
    expect(Math.abs((s.offsets[0].offsetSeconds as number) + shift)).toBeLessThan(0.001);
    expect(dataOf(s).map((d) => [d.path, d.between])).toEqual(dataOf(c).map((d) => [d.path, d.between]));
  });

  // Edited in memory (no real tap produces these): the crossed listing's SYN-ACKs taken out at
  // both points, then its SYNs taken out at the client tap alone.
  it('no answer at any point: lost beyond the last point; SYNs missing at the near tap only: unknown', () => {
    const [crossed] = c.sessions[3].dataConnections;
    const atServer = new Set(crossed.frames[1].synAckFrames);
    const atClient = new Set(crossed.frames[0].synAckFrames);
    const noAnswer = comparePoints([{ ...client, packets: client.packets.filter((p) => !atClient.has(p.frame)) }, { ...server, packets: server.packets.filter((p) => !atServer.has(p.frame)) }]);
    expect(noAnswer.sessions[3].dataConnections[0]).toMatchObject({ path: 'beyond-points', between: null });
    expect(noAnswer.sessions[3].dataConnections[0].sentence).toContain('lost beyond tap server, or the server did not answer');
    const synsAtClient = new Set(crossed.frames[0].synFrames);
    const gap = comparePoints([{ ...client, packets: client.packets.filter((p) => !synsAtClient.has(p.frame)) }, server]);
    expect(gap.sessions[3].dataConnections[0]).toMatchObject({ path: 'unknown', between: null });
  });

  it('the same answer whatever order the points are given in', () => {
    const r = comparePoints([server, client]);
    expect(r.points.map((p) => p.name)).toEqual(['client', 'server']);
    expect(dataOf(r).map((d) => [d.path, d.between, d.initiator])).toEqual(dataOf(c).map((d) => [d.path, d.between, d.initiator]));
    expect(Math.abs(r.offsets[0].offsetSeconds as number)).toBeLessThan(0.001);
  });
});

describe('scenario 22: SYNs rejected by the router (ICMP), both ways, IPv4 and IPv6', () => {
  it('every rejected data connection is placed between the points, on its initiator side, with the rejecting router', async () => {
    const r = await analyzePoints([{ name: 'cli', paths: [F('22-icmp-reject-client')] }, { name: 'srv', paths: [F('22-icmp-reject-server')] }], {});
    const ds = dataOf(r.comparison);
    expect(ds.length).toBe(9);
    for (const d of ds) {
      expect(d).toMatchObject({ path: 'rejected-between', between: d.initiator === 'client' ? ['cli', 'srv'] : ['srv', 'cli'] });
      expect(d.sentence).toMatch(/rejected by (192\.0\.2\.1|198\.51\.100\.1|2001:db8:c::1|2001:db8:5::1) \(icmpv?6? /);
    }
    expect(ds.filter((d) => d.initiator === 'server')).toHaveLength(4);
    expect(Math.abs(r.comparison.offsets[0].offsetSeconds as number)).toBeLessThan(0.001);
  });
});

describe('NAT between the points', () => {
  it('scenario 06: the client masqueraded; the server\'s SYNs to the private address dropped at the router', async () => {
    const r = await analyzePoints([{ name: 'inside', paths: [F('06-client-nat-inside')] }, { name: 'outside', paths: [F('06-client-nat-outside')] }], {});
    const c = r.comparison;
    expect(c.points.map((p) => p.name)).toEqual(['inside', 'outside']);
    expect(c.sessions).toHaveLength(5);
    for (const s of c.sessions) {
      expect(s.points).toHaveLength(2);
      expect(s.nat).toMatchObject({ from: { point: 'inside', client: { ip: '10.0.0.10' } }, to: { point: 'outside', client: { ip: '203.0.113.1', port: s.nat?.from.client.port } } });
    }
    expect(comparisonText(c).join('\n')).toContain('NAT between inside and outside: client 10.0.0.10:40017 at inside is 203.0.113.1:40017 at outside');
    const ds = dataOf(c);
    const dropped = ds.filter((d) => d.path === 'dropped-between');
    expect(dropped.map((d) => d.session)).toEqual([1, 3, 4]);
    for (const d of dropped) expect(d).toMatchObject({ initiator: 'server', between: ['outside', 'inside'] });
    // The passive transfer through the NAT crossed, its client address translated too.
    const crossed = ds.filter((d) => d.path === 'crossed');
    expect(crossed).toHaveLength(1);
    expect(crossed[0]).toMatchObject({ session: 5, nat: { from: { client: { ip: '10.0.0.10' } }, to: { client: { ip: '203.0.113.1' } } } });
    expect(Math.abs(c.offsets[0].offsetSeconds as number)).toBeLessThan(0.001);
  });

  // Hand-built packets added to a real capture (a flood tool's fixed ISN: real peers do not
  // reuse one): past COMPARE_MAX_ISN_CANDIDATES attempts with the ISN, no match through the NAT by it.
  it('an ISN shared by more attempts than the bound matches nothing through the NAT', async () => {
    const inside = await point('inside', F('06-client-nat-inside'));
    const outside = await point('outside', F('06-client-nat-outside'));
    const base = comparePoints([inside, outside]).sessions[4].dataConnections[0];
    expect(base).toMatchObject({ path: 'crossed' });
    const syn = outside.packets.find((p) => p.frame === base.frames[1].synFrames[0]) as HandshakePacket;
    expect(syn.src).toBe('203.0.113.1');
    const flood = Array.from({ length: COMPARE_MAX_ISN_CANDIDATES }, (_, i) => ({ ...syn, src: '198.18.0.1', sport: 1000 + i, frame: 100000 + i }));
    const flooded = comparePoints([inside, { ...outside, packets: [...outside.packets, ...flood] }]).sessions[4].dataConnections[0];
    expect(flooded.frames[1].synFrames).toEqual([]);
    expect(flooded.path).not.toBe('crossed');
  });

  it('scenario 05: the server behind a DNAT; drops and crossings through it', async () => {
    const r = await analyzePoints([{ name: 'client', paths: [F('05-pasv-nat-client')] }, { name: 'server', paths: [F('05-pasv-nat-server')] }], {});
    const c = r.comparison;
    for (const s of c.sessions) expect(s.nat).toMatchObject({ from: { server: { ip: '198.51.100.20', port: 21 } }, to: { server: { ip: '10.0.0.20', port: 21 } } });
    const ds = dataOf(c);
    expect(ds.map((d) => [d.session, d.path])).toEqual([
      [1, 'dropped-between'],
      [2, 'crossed'],
      [3, 'crossed'],
      [4, 'dropped-between'],
      [5, 'crossed'],
    ]);
    for (const d of ds.filter((x) => x.path === 'crossed')) expect(d.nat).toMatchObject({ from: { server: { ip: '198.51.100.20' } }, to: { server: { ip: '10.0.0.20' } } });
  });
});

describe('scenario 13: lossy link between the taps, every transfer completed', () => {
  it('every data connection crossed; the offset is ~0', async () => {
    const r = await analyzePoints([{ name: 'c', paths: [F('13-lossy-client-side')] }, { name: 's', paths: [F('13-lossy-server-side')] }], {});
    const ds = dataOf(r.comparison);
    expect(ds.length).toBe(6);
    expect(ds.every((d) => d.path === 'crossed')).toBe(true);
    expect(Math.abs(r.comparison.offsets[0].offsetSeconds as number)).toBeLessThan(0.001);
  });
});

describe('analyze --at', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object);

  it('writes the comparison section, valid against the schema; the sessions are the first point\'s', () => {
    const r = cli(['analyze', '--format', 'json', '--at', `srv=${F('24-two-point-drop-server')}`, '--at', `cli=${F('24-two-point-drop-client')}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { sessions: { dataConnections: { outcome: string }[] }[]; inputs: unknown[]; comparison: Comparison };
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    expect(report.inputs).toHaveLength(2);
    // At the server tap, session 2's data connection is the dropped active one (no-answer there).
    expect(report.sessions[1].dataConnections[0].outcome).toBe('no-answer');
    expect(report.comparison.points.map((p) => p.name)).toEqual(['cli', 'srv']);
    expect(dataOf(report.comparison).map((d) => d.path)).toEqual(['dropped-between', 'dropped-between', 'answer-dropped-between', 'crossed']);
  });

  it('--at values: two or more, NAME=FILE, each name once', async () => {
    await expect(parsePoints([`a=${F('24-two-point-drop-client')}`])).rejects.toThrow(/two or more capture points/);
    await expect(parsePoints([`a=${F('24-two-point-drop-client')}`, `a=${F('24-two-point-drop-server')}`])).rejects.toThrow(/"a" is given twice/);
    await expect(parsePoints([`a b=${F('24-two-point-drop-client')}`, `c=${F('24-two-point-drop-server')}`])).rejects.toThrow(/is not NAME=FILE/);
    await expect(parsePoints([`a=${F('24-two-point-drop-client')}`, 'b=-'])).rejects.toThrow(/read twice/);
    expect(await parsePoints([`a=${F('24-two-point-drop-client')}`, `b.2=${F('24-two-point-drop-server')}`])).toMatchObject([{ name: 'a', paths: [F('24-two-point-drop-client')] }, { name: 'b.2', paths: [F('24-two-point-drop-server')] }]);
  });

  it.each([
    [['--at', `${F('24-two-point-drop-client')}`, '--at', `b=${F('24-two-point-drop-server')}`], /is not NAME=FILE/],
    [['--at', `a=${F('24-two-point-drop-client')}`, '--at', `b=${F('24-two-point-drop-server')}`, F('01-passive')], /leave out <capture\.\.\.>/],
  ])('usage errors: %j', (args, message) => {
    const r = cli(['analyze', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('--format ndjson: an event per compared data connection', () => {
  it('says each verdict, with ECS fields only outside ftp.*, after the sessions\' events', async () => {
    const r = await analyzePoints([{ name: 'inside', paths: [F('06-client-nat-inside')] }, { name: 'outside', paths: [F('06-client-nat-outside')] }], {});
    const out = new MemoryOut();
    const sink = new ComparedNdjsonSink(out.asOut());
    const { tool, sessions, ...tail } = r.reports[0];
    sink.begin(tool);
    for (const s of sessions) sink.session(s);
    sink.end({ ...tail, comparison: r.comparison });
    const events = out.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { event: { action: string } });
    const paths = events.filter((e) => e.event.action === 'data-connection-path');
    expect(paths).toHaveLength(dataOf(r.comparison).length);
    expect(events.findIndex((e) => e.event.action === 'data-connection-path')).toBeGreaterThan(events.findLastIndex((e) => e.event.action !== 'data-connection-path' && e.event.action !== 'capture-incomplete'));
    expect(paths.map((e) => e.ftp)).toMatchObject(dataOf(r.comparison).map((d) => ({ session: { id: d.session }, path: { verdict: d.path, initiator: d.initiator } })));
    expect(paths[0]).toMatchObject({ event: { kind: 'alert', outcome: 'failure' }, ftp: { path: { verdict: 'dropped-between', between: ['outside', 'inside'] } } });
    expect(paths.at(-1)).toMatchObject({ event: { kind: 'event', outcome: 'success' }, ftp: { path: { verdict: 'crossed', nat: expect.stringMatching(/^NAT between inside and outside: client 10\.0\.0\.10:\d+ at inside is 203\.0\.113\.1:\d+ at outside$/) } } });
    const bad: string[] = [];
    for (const e of paths)
      for (const [name, v] of flatten(e)) {
        if (name.startsWith('ftp.')) continue;
        const f = ECS[name];
        if (!f) bad.push(`${name} is not an ECS field`);
        else if (f.allowed_values) for (const x of Array.isArray(v) ? v : [v]) if (!f.allowed_values.includes(x as string)) bad.push(`${name} = ${String(x)}`);
      }
    expect(bad).toEqual([]);
  });
});

describe('--format html: the verdict beside each data connection', () => {
  it('each compared data connection row holds its sentence; the points, offset and NAT above the sessions', async () => {
    const r = await analyzePoints([{ name: 'inside', paths: [F('06-client-nat-inside')] }, { name: 'outside', paths: [F('06-client-nat-outside')] }], { timeline: true });
    const out = new MemoryOut();
    const sink = new HtmlSink(out.asOut());
    const { tool, sessions, ...tail } = r.reports[0];
    sink.begin(tool);
    for (const s of sessions) sink.session(s);
    sink.end({ ...tail, comparison: r.comparison });
    const html = out.text;
    for (const d of dataOf(r.comparison)) {
      const row = new RegExp(`<tr id="s${d.session}-d${d.dataConnection}">.*?</tr>`).exec(html)?.[0] ?? '';
      expect(row).toContain(`between the capture points: ${esc(d.sentence)}`);
    }
    const points = html.slice(html.indexOf('<h2>Capture points</h2>'), html.indexOf('<h2>Sessions</h2>'));
    expect(points).toContain('<b>inside</b>');
    expect(points).toMatch(/clock offset outside → inside: -?0\.0\d\d ms/);
    expect(points).toContain('NAT between inside and outside: client 10.0.0.10:40017 at inside is 203.0.113.1:40017 at outside');
  });
});

// Edited in memory (no lab firewall rewrites ISNs: nftables cannot; Cisco ASA does by default): at
// the outside tap of scenario 06 every SYN's sequence number, and the acknowledgement of every
// answer to it, moved by a constant, as a firewall between the taps that randomises ISNs leaves them.
describe('a firewall rewriting ISNs between the taps: connections matched by their SYNs’ IPv4 identification', () => {
  const K = 0x1234567;
  const moveIsns = (packets: readonly HandshakePacket[]): HandshakePacket[] =>
    packets.map((p) => {
      if ((p.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) return { ...p, seq: (p.seq + K) >>> 0 };
      if ((p.flags & TcpFlag.ACK) !== 0) return { ...p, ack: (p.ack + K) >>> 0 };
      return p;
    });

  it('the same sessions, verdicts, NAT and offset as with the ISNs kept; without IP IDs (as IPv6) the far point sees none of them', async () => {
    const inside = await point('inside', F('06-client-nat-inside'));
    const outside = await point('outside', F('06-client-nat-outside'));
    // Linux's SYNs carry a random IP ID per connection and the masquerade keeps it.
    const synIds = (p: PointInput): number[] => p.packets.filter((x) => (x.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && x.src.startsWith('10.')).map((x) => x.ipId);
    expect(synIds(inside).every((id) => id > 0)).toBe(true);
    const base = comparePoints([inside, outside]);
    const moved = comparePoints([inside, { ...outside, packets: moveIsns(outside.packets) }]);
    const view = (c: Comparison) => ({ sessions: c.sessions.map((s) => ({ points: s.points.map((p) => p.point), nat: s.nat })), data: dataOf(c).map((d) => ({ path: d.path, between: d.between, nat: d.nat, frames: d.frames })) });
    expect(view(moved)).toEqual(view(base));
    expect(Math.abs((moved.offsets[0].offsetSeconds as number) - (base.offsets[0].offsetSeconds as number))).toBeLessThan(1e-6);
    const blind = comparePoints([inside, { ...outside, packets: moveIsns(outside.packets).map((p) => ({ ...p, ipId: -1 })) }]);
    expect(blind.offsets[0]).toMatchObject({ offsetSeconds: null, samples: 0 });
    expect(blind.sessions.filter((s) => s.points.length === 2)).toHaveLength(0);
  });
});
