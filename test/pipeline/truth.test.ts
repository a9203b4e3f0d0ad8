/**
 * `analyze` against the lab's ground truth (fixtures/manifest.json): for every real capture, every
 * FTP session with its user, login, TLS, mode and finding codes, and every data connection with its
 * mode, initiator, announcement, endpoints, transfer, expected bytes, replies and outcome. The
 * truth comes from how each scenario was set up, confirmed by reading the capture with tshark
 * (fixtures/README.md) — never from this analyzer.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.js';
import type { SessionReport } from '../../src/ftp/model.js';

interface TruthEndpoint {
  ip: string;
  port: number;
}
interface TruthData {
  mode: string;
  initiator: string;
  announced: { command: string; ip: string | null; port: number } | null;
  from: TruthEndpoint | null;
  to: TruthEndpoint | null;
  command: string | null;
  argument?: string | null;
  direction?: string | null;
  expectedBytes?: number | null;
  outcome: string;
  replies?: number[];
  /** What the lab knows but the capture hides behind AUTH TLS. */
  hiddenByTls?: unknown;
}
interface TruthSession {
  client: TruthEndpoint;
  server: TruthEndpoint;
  user: string | null;
  login: string;
  tls: boolean;
  mode: string;
  findings: string[];
  dataConnections: TruthData[];
}
interface TruthCapture {
  file: string;
  capturePoint?: string;
  /** A rotated capture: its files, read together. */
  parts?: { file: string }[];
  sessions?: TruthSession[];
  findings?: { code: string }[];
}

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: TruthCapture[] };

const NOT_COMPARED = -1;
const ep = (e: TruthEndpoint | null | undefined) => (e ? `${e.ip}:${e.port}` : null);

/**
 * The truth's expectedBytes is the size of the file the scenario moved (known from its setup);
 * ours is what the protocol announced (150 "(N bytes)", SIZE). They are compared where ours is
 * known; for a completed transfer the bytes that really crossed must equal the truth's size.
 */
function normTruth(s: TruthSession) {
  return {
    session: `${ep(s.client)} -> ${ep(s.server)}`,
    // USER/PASS after AUTH TLS are encrypted: the lab knows them, the capture cannot show them
    // (DESIGN.md §3: login `unknown` under an encrypted control connection).
    user: s.tls ? null : (s.user ?? null),
    login: s.tls ? 'unknown' : s.login,
    tls: s.tls,
    mode: s.mode,
    findings: [...new Set(s.findings)].sort(),
    data: s.dataConnections.map((d) => ({
      mode: d.mode,
      initiator: d.initiator,
      announced: d.announced ? `${d.announced.command} ${d.announced.ip}:${d.announced.port}` : null,
      from: ep(d.from),
      to: ep(d.to),
      command: d.command ?? null,
      argument: d.command ? (d.argument ?? '') : null,
      expectedBytes: d.expectedBytes ?? null,
      // Behind TLS, how the transfer ended (522, 226) is in the encrypted replies: not compared.
      outcome: d.hiddenByTls ? NOT_COMPARED : d.outcome,
      replies: d.replies ?? [],
    })),
  };
}

function normOurs(s: SessionReport) {
  return {
    session: `${ep(s.client)} -> ${ep(s.server)}`,
    user: s.user,
    login: s.login,
    tls: s.tls,
    mode: s.mode,
    findings: [...new Set(s.findings.map((f) => f.code))].sort(),
    data: s.dataConnections.map((d) => ({
      mode: d.mode,
      initiator: d.initiator,
      announced: d.announced ? `${d.announced.command} ${d.announced.ip}:${d.announced.port}` : null,
      from: ep(d.from),
      to: ep(d.to),
      command: d.command,
      argument: d.command ? (d.argument ?? '') : null,
      expectedBytes: d.expectedBytes ?? (d.outcome === 'completed' && d.direction !== null ? d.bytes : NOT_COMPARED),
      outcome: d.mode === 'unknown' ? NOT_COMPARED : d.outcome,
      replies: d.replies,
    })),
  };
}

describe('analyze agrees with the lab ground truth', () => {
  for (const c of manifest.captures) {
    if (!c.sessions) continue;
    it(c.file, async () => {
      const r = await analyze((c.parts ?? [c]).map((p) => join('fixtures', p.file)));
      expect(r.complete).toBe(true);
      // Sessions are compared by endpoints, in the truth's order.
      const truth = c.sessions!.map(normTruth);
      const keyed = new Map(r.sessions.map(normOurs).map((s) => [s.session, s]));
      const ours = truth.map((t) => keyed.get(t.session) ?? { session: `missing ${t.session}` });
      expect([...keyed.keys()].sort()).toEqual(truth.map((s) => s.session).sort());
      // Where we cannot know the size (no announcement, not completed), the truth's is not compared.
      ours.forEach((s, i) => ('data' in s ? s.data : []).forEach((d, j) => {
        const t = truth[i]?.data[j];
        if (d.expectedBytes === NOT_COMPARED && t) t.expectedBytes = NOT_COMPARED;
      }));
      for (let i = 0; i < truth.length; i++) expect(ours[i], `${c.file} session ${truth[i].session}`).toEqual(truth[i]);
      // Where the capture was taken, inferred from handshake timing, never contradicts the lab.
      const side = /^client side/.test(c.capturePoint ?? '') ? 'near-client' : /^server side/.test(c.capturePoint ?? '') ? 'near-server' : null;
      if (side) expect(r.sessions.map((s) => s.capturePoint).filter((p) => p !== 'unknown' && p !== side)).toEqual([]);
      const cross = (c.findings ?? []).map((f) => f.code).sort();
      expect(r.findings.map((f) => f.code).sort()).toEqual(cross);
    });
  }
});
