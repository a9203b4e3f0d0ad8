/**
 * The HTML page of `analyze --at`: each compared session drawn at every capture point on one time
 * axis (src/report/html-path.ts), on the lab's two-point captures (scenario 24: nftables drops
 * between the taps, both ways, and one listing that crosses; scenario 06: a masquerading NAT
 * between the taps). The drawing has a lane per tap in path order between the client's and the
 * server's; a dropped connection's SYNs carry a dot at the taps that captured them only and stop
 * with ✕ before the next; what crossed is seen at both; the taps' clocks are put on one axis with
 * the comparison's offset, also when one capture's timestamps are shifted by seconds.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePoints, reportPoints, type CapturePoint, type PointsResult } from '../../src/compare/run.js';
import { HtmlSink } from '../../src/report/html.js';
import { PATH_MATCH_SECONDS, pathLadderOf, type PathLadder, type PathPacketRow } from '../../src/report/html-path.js';
import type { ComparedPoints } from '../../src/report/comparison.js';
import { MemoryOut } from './siem.js';
import { shiftedPcap } from '../helpers/capture.js';

const F = (name: string): string => `fixtures/${name}.pcap`;

/** The page and what the sink was handed, as `analyze --at ... --format html` makes them. */
async function page(points: CapturePoint[]): Promise<{ html: string; r: PointsResult; compared: ComparedPoints }> {
  const r = await analyzePoints(points, { timeline: true });
  const out = new MemoryOut();
  const sink = new HtmlSink(out.asOut());
  let compared: ComparedPoints | null = null;
  const points0 = sink.points.bind(sink);
  sink.points = (p) => {
    compared = p;
    points0(p);
  };
  reportPoints(r, points, sink);
  return { html: out.text, r, compared: compared as unknown as ComparedPoints };
}

interface SvgRow {
  kind: string;
  event: string | null;
  dc: string | null;
  seen: string[];
  /** The frame column of each tap ('–' when not captured there). */
  frames: string[];
  crossed: boolean;
  stopped: boolean;
}

/** The path drawing of session `id`: its lane heads (x order) and its packet rows. */
function drawing(html: string, id: number): { lanes: string[]; rows: SvgRow[]; svg: string } {
  const section = new RegExp(`<section class="session [a-z]+" id="s${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
  const svg = /<svg class="ladder path"[\s\S]*?<\/svg>/.exec(section)?.[0] ?? '';
  const lanes = [...svg.matchAll(/<text class="lanehead[^"]*" x="([\d.]+)"[^>]*>([^<]+)<\/text>/g)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => m[2]);
  const rows = [...svg.matchAll(/<g class="pkt" data-kind="(\w+)"(?: data-event="([\w-]+)")?(?: data-dc="([^"]+)")? data-seen="([^"]*)">(.*?)<\/g>/g)].map((m) => ({
    kind: m[1],
    event: m[2] ?? null,
    dc: m[3] ?? null,
    seen: m[4] ? m[4].split(' ') : [],
    frames: [...m[5].matchAll(/<text class="fr"[^>]*>([^<]*)<\/text>/g)].map((f) => f[1]),
    crossed: m[5].includes('<path class="head'),
    stopped: m[5].includes('✕'),
  }));
  return { lanes, rows, svg };
}

const isSyn = (r: SvgRow): boolean => r.event === 'syn' || r.event === 'syn-retransmit';

describe('scenario 24: drops between the taps, drawn on one time axis', () => {
  let html = '';
  let r: PointsResult;
  let compared: ComparedPoints;
  beforeAll(async () => {
    ({ html, r, compared } = await page([
      { name: 'client', paths: [F('24-two-point-drop-client')] },
      { name: 'server', paths: [F('24-two-point-drop-server')] },
    ]));
  });

  it('draws every compared session with a lane per tap, in path order between the client and the server', () => {
    expect(r.comparison.sessions).toHaveLength(4);
    const offset = r.comparison.offsets[0].offsetSeconds as number;
    for (const id of [1, 2, 3, 4]) {
      const d = drawing(html, id);
      expect(d.lanes).toEqual(['client', 'tap client', 'tap server', 'server']);
      expect(d.svg).toContain(`clock ${offset < 0 ? '−' : '+'}${Math.abs(offset * 1000).toFixed(3)} ms`);
      // Every command and reply crossed both taps (nothing drops the control channel here).
      const control = d.rows.filter((x) => x.kind === 'control');
      expect(control.length).toBeGreaterThanOrEqual(8);
      for (const c of control) expect(c).toMatchObject({ seen: ['client', 'server'], crossed: true, stopped: false });
    }
  });

  it("session 1: the client's SYNs carry a dot at the client tap only and stop before the server tap", () => {
    const frames = r.comparison.sessions[0].dataConnections[0].frames;
    const syns = drawing(html, 1).rows.filter(isSyn);
    expect(syns.map((x) => x.frames[0])).toEqual(frames[0].synFrames.map((f) => `#${f}`));
    for (const s of syns) expect(s).toMatchObject({ dc: '1', seen: ['client'], frames: [expect.stringMatching(/^#\d+$/), '–'], crossed: false, stopped: true });
    expect(drawing(html, 1).svg).toContain('[1] dropped between tap client and tap server');
  });

  it("session 2 (active): the server's SYNs carry a dot at the server tap only", () => {
    const frames = r.comparison.sessions[1].dataConnections[0].frames;
    const syns = drawing(html, 2).rows.filter(isSyn);
    expect(syns.map((x) => x.frames[1])).toEqual(frames[1].synFrames.map((f) => `#${f}`));
    for (const s of syns) expect(s).toMatchObject({ seen: ['server'], frames: ['–', expect.stringMatching(/^#\d+$/)], stopped: true });
  });

  it("session 3: the SYNs cross both taps, the server's SYN-ACK stops before the client tap", () => {
    const rows = drawing(html, 3).rows;
    const syns = rows.filter(isSyn);
    expect(syns.length).toBeGreaterThanOrEqual(2);
    for (const s of syns) expect(s).toMatchObject({ seen: ['client', 'server'], crossed: true });
    expect(rows.filter((x) => x.event === 'syn-ack')).toEqual([expect.objectContaining({ seen: ['server'], stopped: true })]);
  });

  it('session 4: every packet of the listing crossed both taps', () => {
    const tcp = drawing(html, 4).rows.filter((x) => x.kind === 'tcp');
    expect(tcp.map((x) => x.event)).toEqual(expect.arrayContaining(['syn', 'syn-ack', 'fin']));
    for (const t of tcp) expect(t).toMatchObject({ seen: ['client', 'server'], crossed: true, stopped: false });
  });

  it('past the row bound: the dropped connection’s packets kept, each stretch left out one row', () => {
    const full = pathLadderOf(compared, 1) as PathLadder;
    const max = 8;
    const l = pathLadderOf(compared, 1, max) as PathLadder;
    expect(full.rows.length).toBeGreaterThan(max);
    expect(l.rows.length).toBeLessThanOrEqual(Math.floor((max * 4) / 3) + 1);
    const gaps = l.rows.filter((x) => x.kind === 'gap');
    expect(gaps.length).toBeGreaterThan(0);
    const left = gaps.reduce((n, g) => n + Number(/… (\d+) packets left out/.exec(g.kind === 'gap' ? g.text : '')?.[1] ?? 0), 0);
    expect(left + l.rows.length - gaps.length).toBe(full.rows.length);
    const syns = (x: PathLadder) => x.rows.filter((r) => r.kind === 'tcp' && r.group === 0).length;
    expect(syns(l)).toBe(syns(full));
  });

  it('puts both sightings of a packet within the match window, rows in time order', () => {
    for (const id of [1, 2, 3, 4]) {
      const l = pathLadderOf(compared, id) as PathLadder;
      const packets = l.rows.filter((x): x is PathPacketRow => x.kind !== 'gap');
      for (let i = 1; i < packets.length; i++) expect(packets[i].t).toBeGreaterThanOrEqual(packets[i - 1].t);
      for (const p of packets) {
        const [a, b] = p.seen;
        if (a && b) expect(Math.abs(a.t - b.t)).toBeLessThan(0.001);
      }
    }
  });
});

describe('clocks apart and a NAT between the taps', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-path-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`a server tap 7 s ahead (edited in memory): the offset applied, the same packets matched (window ${PATH_MATCH_SECONDS} s)`, async () => {
    const file = join(dir, 'server-ahead.pcap');
    writeFileSync(file, shiftedPcap(readFileSync(F('24-two-point-drop-server')), 7));
    const { html, r } = await page([
      { name: 'client', paths: [F('24-two-point-drop-client')] },
      { name: 'server', paths: [file] },
    ]);
    const offset = r.comparison.offsets[0].offsetSeconds as number;
    expect(Math.abs(offset + 7)).toBeLessThan(0.001);
    const d = drawing(html, 4);
    expect(d.svg).toContain(`clock −${(-offset * 1000).toFixed(3)} ms`);
    for (const row of d.rows) expect(row.seen).toEqual(['client', 'server']);
    expect(drawing(html, 1).rows.filter(isSyn).every((x) => x.seen.join() === 'client')).toBe(true);
  });

  it('scenario 06: the masquerade rewrites the client address; the packets still match across the taps', async () => {
    const { html, r } = await page([
      { name: 'inside', paths: [F('06-client-nat-inside')] },
      { name: 'outside', paths: [F('06-client-nat-outside')] },
    ]);
    for (const s of r.comparison.sessions) {
      if (s.session === null || s.points.length < 2) continue;
      const d = drawing(html, s.session);
      expect(d.lanes).toEqual(['client', 'tap inside', 'tap outside', 'server']);
      for (const c of d.rows.filter((x) => x.kind === 'control')) expect(c.seen).toEqual(['inside', 'outside']);
      for (const [k, g] of s.dataConnections.entries()) {
        const rows = d.rows.filter((x) => x.dc === `${g.dataConnection}` && isSyn(x));
        // The taps that captured the connection's SYNs, as the comparison found them.
        const at = g.frames.filter((f) => f.synFrames.length > 0).map((f) => f.point);
        expect(rows.length > 0, `session ${s.session} data ${k}`).toBe(at.length > 0);
        for (const row of rows) expect(row.seen).toEqual(at);
      }
    }
  });
});
