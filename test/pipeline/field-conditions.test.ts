/**
 * Field conditions (DESIGN.md §2.3, §3: outcomes need evidence): every clean two-sided lab capture
 * remade as capture points record it (test/helpers/variants.ts: client side only, server side
 * only, 3% capture loss with three seeds, SPAN duplicates) must never claim a failure the clean
 * capture does not show, nor another mode than the clean capture's (`unknown` where it cannot
 * tell), and must keep each data connection's mode, initiator and outcome: all of
 * them under loss and duplicates, at least 90% of them with one side only (the figure is printed).
 */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import { readAll, type PlainRecord } from '../helpers/capture.js';
import { toPcap, variantRecords, VARIANTS, type VariantName } from '../helpers/variants.js';
import { ladderOf, renderLadderText } from '../../src/report/ladder.js';

interface ManifestCapture {
  file: string;
  parts?: unknown[];
  sessions?: { client: { ip: string }; server: { ip: string; port: number } }[];
}
const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: ManifestCapture[] };

/** Clean two-sided captures of one link type: 13-lossy-* are lossy already (tested below), the
 * multi-interface pcapng files hold each packet twice on purpose, rotated captures come in parts. */
const CLEAN = manifest.captures.filter((c) => !c.parts && !c.file.startsWith('13-') && !c.file.endsWith('.pcapng') && !c.file.endsWith('.gz'));

const FAILURES = new Set(['no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed']);

/** Control ports are given as a user would (--ports): with one side captured, a 220 banner and
 * a command never both appear, so a session on another port than 21 is not found by content. */
async function analyzeBuffer(buf: Buffer, ports: readonly number[]): Promise<AnalysisReport> {
  return analyze(['-'], { stdin: Readable.from([buf]), ports });
}

type Dc = AnalysisReport['sessions'][number]['dataConnections'][number];

/** A data connection's identity across variants: its TCP endpoints (either way round), else its
 * announcement. */
function keyOf(d: Dc, sessionPort: number): string {
  if (d.from && d.to) {
    const a = `${d.from.ip}:${d.from.port}`;
    const b = `${d.to.ip}:${d.to.port}`;
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }
  return `${sessionPort}|${d.announced?.command ?? ''}|${d.announced?.ip ?? ''}:${d.announced?.port ?? ''}`;
}

function dcs(r: AnalysisReport): Map<string, Dc> {
  const out = new Map<string, Dc>();
  for (const s of r.sessions) for (const d of s.dataConnections) out.set(keyOf(d, s.client.port), d);
  return out;
}

/**
 * A variant's data connections keyed like the clean capture's: one without a TCP connection is
 * known by its announcement, and a one-sided capture holds one half of it (the PASV command
 * without its 227, the server's 200 or 500 without the PORT): its frame, in the clean capture's
 * numbering (`cleanFrame`), is the clean announcement's (the 227 seen) or the nearest one of the
 * same session and initiator (the other half of that exchange). The frame is the announcement's,
 * else the first of the data connection's outcome finding.
 */
function variantDcs(clean: AnalysisReport, v: AnalysisReport, cleanFrame: (f: number) => number | undefined): Map<string, Dc> {
  const out = new Map<string, Dc>();
  const claimed = new Set<Dc>();
  const byKey = dcs(clean);
  const shared = sharedKeys(clean);
  for (const s of v.sessions) for (const d of s.dataConnections) if (d.from) { const w = byKey.get(keyOf(d, s.client.port)); if (w) claimed.add(w); }
  for (const s of v.sessions) {
    const cs = clean.sessions.find((x) => x.client.ip === s.client.ip && x.client.port === s.client.port);
    for (const d of s.dataConnections) {
      let key = keyOf(d, s.client.port);
      const frame = d.from ? undefined : (d.announced?.frame ?? s.findings.find((f) => f.dataConnection === d.id)?.frames[0]);
      const at = frame === undefined ? undefined : cleanFrame(frame);
      if (cs && at !== undefined) {
        // The clean announcement is the reply to a passive command (after it), the command of an
        // active one (before the server's reply).
        let best: Dc | null = null;
        for (const w of cs.dataConnections) {
          if (!w.announced || claimed.has(w) || w.initiator !== d.initiator) continue;
          const gap = d.initiator === 'client' ? w.announced.frame - at : at - w.announced.frame;
          const bestGap = best?.announced ? (d.initiator === 'client' ? best.announced.frame - at : at - best.announced.frame) : Infinity;
          if (gap >= 0 && gap < bestGap) best = w;
        }
        if (best) {
          claimed.add(best);
          // One key for several clean connections (a client reusing its source port): the clean
          // map holds only the last of them, so the announcement keeps its own key.
          if (!shared.has(keyOf(best, cs.client.port))) key = keyOf(best, cs.client.port);
        } else key = `${s.client.port}|half@${at}`;
      }
      out.set(key, d);
    }
  }
  return out;
}

/** Keys two data connections share (a client reusing its source port for a second attempt). */
function sharedKeys(r: AnalysisReport): Set<string> {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const s of r.sessions) for (const d of s.dataConnections) {
    const k = keyOf(d, s.client.port);
    if (seen.has(k)) out.add(k);
    seen.add(k);
  }
  return out;
}

function errorCodes(r: AnalysisReport): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of r.sessions) for (const f of s.findings) if (f.severity === 'error') out.set(f.code, (out.get(f.code) ?? 0) + 1);
  for (const f of r.findings) if (f.severity === 'error') out.set(f.code, (out.get(f.code) ?? 0) + 1);
  return out;
}

/**
 * Whether a capture of one side (`side`) can show a clean outcome. A `no-answer` needs the
 * initiator's retried SYNs and the responder's side of the network without an answer: the answers
 * (a SYN-ACK lost on the way back, an ICMP host unreachable after which the initiator retries as
 * after a drop, RFC 1122 §4.2.3.9) travel in the direction one side does not hold. A `refused` is
 * shown by the answer (the responder's RST, an ICMP message) travelling to the initiator, with the
 * initiator's SYN: one side holds one of them at most; the initiator's side shows it where the
 * initiator gave up its only SYN before a retransmission was due (an ICMPv6 error is retried after,
 * like a drop: those stay `incomplete`). A
 * `not-attempted` is shown by the initiator's missing SYN where the initiator's packets are
 * captured: its side shows it, the other cannot. Every other outcome is read from either side.
 */
function shownBy(d: Dc, side: 'client' | 'server' | null): boolean {
  if (side === null) return true;
  if (d.outcome === 'no-answer') return false;
  if (d.outcome === 'refused') return side === d.initiator && d.tcp?.synRetransmits === 0;
  if (d.outcome === 'not-attempted') return side === d.initiator;
  return true;
}

interface Verdict {
  /** Failures and error findings the clean capture does not show. */
  unfounded: string[];
  same: number;
  total: number;
  /** The same, over the connections whose clean outcome the captured side can show (shownBy). */
  shownSame: number;
  shownTotal: number;
  differ: string[];
}

function compare(clean: AnalysisReport, v: AnalysisReport, cleanFrame: (f: number) => number | undefined, side: 'client' | 'server' | null): Verdict {
  const want = dcs(clean);
  const got = variantDcs(clean, v, cleanFrame);
  const unfounded: string[] = [];
  for (const [k, d] of got) {
    const w = want.get(k);
    // `aborted` is what the server's 426 says (DESIGN §3): the clean capture holds that reply too,
    // and names the RST it also saw (`reset`), which the server's side alone does not show.
    const shown = w !== undefined && (w.outcome === d.outcome || (d.outcome === 'aborted' && w.replies.includes(426)));
    if (FAILURES.has(d.outcome) && !shown) unfounded.push(`${k}: ${d.outcome} (clean: ${w?.outcome ?? 'absent'})`);
  }
  // A mode is said only where the captured side shows it: `unknown` where it cannot tell (PORT and
  // EPRT answered alike), never the other command's.
  const shared = sharedKeys(clean);
  for (const [k, d] of got) {
    const w = want.get(k);
    if (w && !shared.has(k) && d.mode !== 'unknown' && d.mode !== w.mode) unfounded.push(`${k}: mode ${d.mode} (clean: ${w.mode})`);
  }
  const cleanErrors = errorCodes(clean);
  for (const [code, n] of errorCodes(v)) if (n > (cleanErrors.get(code) ?? 0)) unfounded.push(`error finding ${code} x${n} (clean: ${cleanErrors.get(code) ?? 0})`);
  let same = 0;
  let shownSame = 0;
  let shownTotal = 0;
  const differ: string[] = [];
  for (const [k, d] of want) {
    const g = got.get(k);
    const ok = g !== undefined && g.mode === d.mode && g.initiator === d.initiator && g.outcome === d.outcome;
    if (ok) same++;
    else differ.push(`${k}: ${d.mode}/${d.initiator}/${d.outcome} -> ${g ? `${g.mode}/${g.initiator}/${g.outcome}` : 'absent'}`);
    if (shownBy(d, side)) {
      shownTotal++;
      if (ok) shownSame++;
    }
  }
  return { unfounded, same, total: want.size, shownSame, shownTotal, differ };
}

describe('field conditions: lab captures as real capture points record them', () => {
  const loaded = new Map<string, { records: PlainRecord[]; clients: Set<string>; ports: Set<number> }>();
  const load = async (c: ManifestCapture) => {
    let l = loaded.get(c.file);
    if (!l) {
      const { records } = await readAll([join('fixtures', c.file)]);
      l = { records, clients: new Set((c.sessions ?? []).map((s) => s.client.ip)), ports: new Set([21, ...(c.sessions ?? []).map((s) => s.server.port)]) };
      loaded.set(c.file, l);
    }
    return l;
  };
  const oneSided = { same: 0, total: 0, shownSame: 0, shownTotal: 0 };
  const bySide = { 'client-side': { same: 0, total: 0, shownSame: 0, shownTotal: 0 }, 'server-side': { same: 0, total: 0, shownSame: 0, shownTotal: 0 } };
  const others = { same: 0, total: 0, shownSame: 0, shownTotal: 0 };

  for (const c of CLEAN) {
    it(c.file, async () => {
      const { records, clients, ports } = await load(c);
      const cleanBuf = toPcap(records);
      if (cleanBuf === null) return;
      const clean = await analyzeBuffer(cleanBuf, [...ports]);
      const frameOf = new Map(records.map((r, i) => [r, i + 1]));
      const problems: string[] = [];
      for (const name of VARIANTS) {
        const recs = variantRecords(records, name, clients, ports);
        const buf = toPcap(recs) as Buffer;
        const v = compare(clean, await analyzeBuffer(buf, [...ports]), (f) => frameOf.get(recs[f - 1]), name === 'client-side' ? 'client' : name === 'server-side' ? 'server' : null);
        problems.push(...v.unfounded.map((u) => `${name}: ${u}`));
        const tally = name === 'client-side' || name === 'server-side' ? oneSided : others;
        tally.same += v.same;
        tally.total += v.total;
        tally.shownSame += v.shownSame;
        tally.shownTotal += v.shownTotal;
        if (name === 'client-side' || name === 'server-side') {
          const t = bySide[name];
          t.same += v.same;
          t.total += v.total;
          t.shownSame += v.shownSame;
          t.shownTotal += v.shownTotal;
        }
        if (tally === others) problems.push(...v.differ.map((d) => `${name}: ${d}`));
        else if (v.differ.length) console.log(`${c.file} ${name as VariantName}: ${v.differ.join('; ')}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('keeps mode, initiator and outcome: all under loss and duplicates, >= 90% one-sided', () => {
    const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
    console.log(
      `one-sided variants: ${oneSided.same}/${oneSided.total} data connections as in the clean capture (${pct(oneSided.same, oneSided.total)}); ` +
        `of those whose clean outcome the captured side can show (not no-answer, not refused, not-attempted only on the initiator's side): ${oneSided.shownSame}/${oneSided.shownTotal} (${pct(oneSided.shownSame, oneSided.shownTotal)}); ` +
        `by variant: ${Object.entries(bySide).map(([n, t]) => `${n} ${t.same}/${t.total}, can show ${t.shownSame}/${t.shownTotal}`).join('; ')}; ` +
        `loss and duplicate variants: ${others.same}/${others.total}`,
    );
    expect(oneSided.total).toBeGreaterThan(200);
    expect(others.same).toBe(others.total);
    // Reached: 304/400 over all, 284/299 (95.0%) of those the captured side can show; what is left
    // is listed in docs/field-conditions.md ("What one side cannot show").
    expect(oneSided.same).toBeGreaterThanOrEqual(304);
    expect(oneSided.shownSame).toBeGreaterThanOrEqual(284);
    expect(oneSided.shownSame / oneSided.shownTotal).toBeGreaterThanOrEqual(0.9);
  });
});

describe('field conditions: the cases of the issue', () => {
  const outcomes = (r: AnalysisReport): Record<string, number> => r.summary.byOutcome as Record<string, number>;
  const sessionsOf = (r: AnalysisReport) => r.sessions;

  it('25-control-refused: each refused control connection is a control-refused session; with the answers not captured, no finding at all', async () => {
    const { records } = await readAll(['fixtures/25-control-refused-client.pcap']);
    const clients = new Set(['192.0.2.10', '2001:db8:c::10']);
    const clean = await analyzeBuffer(toPcap(records) as Buffer, [21]);
    expect(clean.sessions.map((s) => [s.server.ip, s.findings.map((f) => [f.code, f.severity])])).toEqual([
      ['198.51.100.20', [['control-refused', 'error']]],
      ['198.51.100.21', [['control-refused', 'error']]],
      ['2001:db8:5::20', [['control-refused', 'error']]],
      ['2001:db8:5::21', [['control-refused', 'error']]],
    ]);
    expect(clean.sessions[1].findings[0].message).toMatch(/rejected by 192\.0\.2\.1 with ICMP port unreachable \(frame \d+\)/);
    // The client's SYNs alone: neither a refusal (its answer is not in the capture) nor a one-way
    // capture (nothing shows the server ever spoke) is claimed.
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'client-side', clients)) as Buffer, [21]);
    expect(r.sessions).toHaveLength(4);
    for (const s of r.sessions) expect(s.findings).toEqual([]);
  });

  it('01-passive.pcap filtered to `src host 192.0.2.10` (the client side): completed, never no-answer', async () => {
    const { records } = await readAll(['fixtures/01-passive.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'client-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    expect(outcomes(r)).toMatchObject({ completed: 7, 'no-answer': 0 });
    for (const s of sessionsOf(r)) {
      expect(s).toMatchObject({ login: 'unknown' });
      expect(s.findings.find((f) => f.code === 'one-sided-capture')).toMatchObject({ severity: 'info', message: expect.stringContaining("Only the client's side") });
      for (const d of s.dataConnections) expect(d).toMatchObject({ initiator: 'client', mode: expect.stringMatching(/passive/), tcp: { capturedSide: 'client' } });
    }
  });

  it('02-active.pcap filtered to `not src host 192.0.2.10` (the server side): completed, never no-answer', async () => {
    const { records } = await readAll(['fixtures/02-active.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'server-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    expect(outcomes(r)).toMatchObject({ completed: 9, 'no-answer': 0 });
    for (const s of sessionsOf(r)) {
      expect(s).toMatchObject({ login: 'success' });
      expect(s.findings.find((f) => f.code === 'one-sided-capture')).toMatchObject({ severity: 'info', message: expect.stringContaining("Only the server's side") });
      for (const d of s.dataConnections) expect(d).toMatchObject({ initiator: 'server', from: { ip: s.server.ip }, tcp: { capturedSide: 'server' } });
    }
    // pyftpdlib's "200 Active data connection established." names neither PORT nor EPRT: the
    // length of the command it answers, counted by the server's ACKs, tells them apart.
    const clean = dcs(await analyzeBuffer(toPcap(records) as Buffer, [21]));
    const modes = [...dcs(r)].map(([k, d]) => ({ k, mode: d.mode }));
    expect(modes).toEqual(modes.map(({ k }) => ({ k, mode: clean.get(k)?.mode })));
    expect(new Set(modes.map((m) => m.mode))).toEqual(new Set(['active', 'extended-active']));
  });

  it("04-passive-blocked.pcap client side: a SYN given up at once is refused (the answer travels the other way); a retried one stays incomplete", async () => {
    const { records } = await readAll(['fixtures/04-passive-blocked.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'client-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    const d = (port: number) => r.sessions.flatMap((s) => s.dataConnections).find((x) => x.from?.port === port);
    // vsftpd's host resets the SYN: the client sends EPSV 0.1 ms after its SYN, no retransmission.
    expect(d(40062)).toMatchObject({ outcome: 'refused', initiator: 'client', mode: 'passive', diagnosis: expect.stringMatching(/gave it up 0\.1 ms later \(frame \d+: its EPSV\), before its first retransmission/) });
    const s3 = r.sessions.find((s) => s.dataConnections.some((x) => x.from?.port === 40062));
    expect(s3?.findings.find((f) => f.code === 'data-refused' && f.dataConnection === d(40062)?.id)?.frames.length).toBe(2);
    // A firewall drops the SYN: three SYNs over 2 s. From the client's side alone a drop and an
    // answer lost on the way back look the same.
    expect(d(40060)).toMatchObject({ outcome: 'incomplete', tcp: { synRetransmits: 2, capturedSide: 'client' } });
    expect(r.sessions.flatMap((s) => s.findings).filter((f) => f.code === 'data-no-answer')).toEqual([]);
    // The ladder does not draw those SYNs as unanswered: their answers travel the other way.
    const withTimeline = await analyze(['-'], { stdin: Readable.from([toPcap(variantRecords(records, 'client-side', new Set(['192.0.2.10']))) as Buffer]), ports: [21], timeline: true });
    const ladder = renderLadderText(ladderOf(withTimeline.sessions.find((s) => s.dataConnections.some((x) => x.from?.port === 40060)) as AnalysisReport['sessions'][number]));
    expect(ladder).toContain('[1] SYN #3 (retransmission) - answer not captured');
    expect(ladder).not.toContain('no answer ==');
  });

  it("03-active-blocked.pcap server side: vsftpd's 425 right after its only SYN is refused; its retried SYNs stay incomplete", async () => {
    const { records } = await readAll(['fixtures/03-active-blocked.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'server-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    const d = (port: number) => r.sessions.flatMap((s) => s.dataConnections).find((x) => x.to?.port === port);
    expect(d(40050)).toMatchObject({ outcome: 'refused', initiator: 'server', mode: 'extended-active', diagnosis: expect.stringContaining('425 Failed to establish connection.') });
    expect(d(40040)).toMatchObject({ outcome: 'incomplete' });
  });

  it('08-server-killed.pcap client side: the server killed mid-RETR is not `completed` (no reply acknowledged after the data connection ended)', async () => {
    const { records } = await readAll(['fixtures/08-server-killed.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'client-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    const d = r.sessions.flatMap((s) => s.dataConnections);
    expect(d.length).toBe(1);
    expect(d[0]).toMatchObject({ mode: 'passive', initiator: 'client', outcome: 'incomplete', diagnosis: expect.stringContaining('no final reply came') });
  });

  it('08-missing-file.pcap server side: vsftpd\'s "550 Failed to open file." fails the transfer; the 550 to SIZE leaves its connection unused', async () => {
    const { records } = await readAll(['fixtures/08-missing-file.pcap']);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'server-side', new Set(['192.0.2.10']))) as Buffer, [21]);
    const d = r.sessions.flatMap((s) => s.dataConnections);
    expect(d.map((x) => ({ mode: x.mode, outcome: x.outcome }))).toEqual([
      { mode: 'passive', outcome: 'failed' },
      { mode: 'extended-passive', outcome: 'unused' },
    ]);
    expect(d[0]).toMatchObject({ replies: [550], diagnosis: expect.stringContaining('550 Failed to open file') });
  });

  it('07-ipv6.pcap server side: a 200 naming no command before a connection over IPv6 is EPRT (PORT carries IPv4 only)', async () => {
    const { records } = await readAll(['fixtures/07-ipv6.pcap']);
    const c = manifest.captures.find((x) => x.file === '07-ipv6.pcap');
    const clients = new Set((c?.sessions ?? []).map((s) => s.client.ip));
    const clean = await analyzeBuffer(toPcap(records) as Buffer, [21]);
    const r = await analyzeBuffer(toPcap(variantRecords(records, 'server-side', clients)) as Buffer, [21]);
    const want = dcs(clean);
    const active = [...dcs(r)].filter(([, d]) => d.initiator === 'server');
    expect(active.length).toBeGreaterThan(0);
    for (const [k, d] of active) expect({ k, mode: d.mode }).toEqual({ k, mode: want.get(k)?.mode });
  });

  for (const file of ['13-lossy-client-side.pcap', '13-lossy-server-side.pcap']) {
    it(`${file} (the network lost segments) and its seeded capture-loss variants: every transfer completed`, async () => {
      const { records } = await readAll([join('fixtures', file)]);
      for (const name of ['loss-1', 'loss-2', 'loss-3'] as const) {
        const r = await analyzeBuffer(toPcap(variantRecords(records, name, new Set(['192.0.2.10']))) as Buffer, [21]);
        expect({ name, outcomes: outcomes(r) }).toMatchObject({ name, outcomes: { completed: 6, truncated: 0 } });
        expect(r.sessions.flatMap((s) => s.findings).filter((f) => f.severity === 'error')).toEqual([]);
      }
    });
  }

  it('PORT naming another address than the client (headers rewritten, payload not, as tcpreplay --unique-ip leaves it): matched by the control client address, with port-address-mismatch', async () => {
    // 02-active.pcap with `PORT 192,0,2,10,` rewritten to `PORT 10,0,0,100,` in place (same length:
    // sequence numbers unchanged; checksums are not checked). The server still connects to
    // 192.0.2.10 at the announced port, as a server behind such a NAT does.
    const { records } = await readAll(['fixtures/02-active.pcap']);
    const from = Buffer.from('PORT 192,0,2,10,');
    const to = Buffer.from('PORT 10,0,0,100,');
    let rewritten = 0;
    const recs = records.map((r) => {
      const i = r.data.indexOf(from);
      if (i < 0) return r;
      rewritten++;
      const data = Buffer.from(r.data);
      to.copy(data, i);
      return { ...r, data };
    });
    expect(rewritten).toBeGreaterThan(0);
    const r = await analyzeBuffer(toPcap(recs) as Buffer, [21]);
    const ports = r.sessions.flatMap((s) => s.dataConnections.filter((d) => d.announced?.command === 'PORT'));
    expect(ports.length).toBe(rewritten);
    for (const d of ports) expect(d).toMatchObject({ mode: 'active', initiator: 'server', announced: { ip: '10.0.0.100' }, to: { ip: '192.0.2.10' }, outcome: 'completed' });
    const mismatches = r.sessions.flatMap((s) => s.findings.filter((f) => f.code === 'port-address-mismatch'));
    expect(mismatches.length).toBe(rewritten);
    for (const f of mismatches) expect(f).toMatchObject({ severity: 'warning', message: expect.stringContaining("the control connection's client address") });
  });
});
