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
  sessions?: TruthSession[];
  findings?: { code: string }[];
}

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: TruthCapture[] };

const ep = (e: TruthEndpoint | null | undefined) => (e ? `${e.ip}:${e.port}` : null);

function normTruth(s: TruthSession) {
  return {
    session: `${ep(s.client)} -> ${ep(s.server)}`,
    user: s.user ?? null,
    login: s.login,
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
      outcome: d.outcome,
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
      expectedBytes: d.expectedBytes,
      outcome: d.outcome,
      replies: d.replies,
    })),
  };
}

describe('analyze agrees with the lab ground truth', () => {
  for (const c of manifest.captures) {
    if (!c.sessions) continue;
    it(c.file, async () => {
      const r = await analyze([join('fixtures', c.file)]);
      expect(r.complete).toBe(true);
      const ours = r.sessions.map(normOurs);
      const truth = c.sessions!.map(normTruth);
      expect(ours.map((s) => s.session)).toEqual(truth.map((s) => s.session));
      for (let i = 0; i < truth.length; i++) expect(ours[i], `${c.file} session ${truth[i].session}`).toEqual(truth[i]);
      const cross = (c.findings ?? []).map((f) => f.code).sort();
      expect(r.findings.map((f) => f.code).sort()).toEqual(cross);
    });
  }
});
