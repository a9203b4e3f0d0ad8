/**
 * `--hash` and `--extract` on every lab capture against the lab's own files (issue 8).
 *
 * The truth is `transferredFiles` in fixtures/manifest.json: fixtures/lab/manifest.py hashes the
 * bytes each file transfer carried from the generator that made the lab's files
 * (fixtures/lab/files.py: the whole file, its ASCII form, or its tail after REST), never from
 * ftp-pcap. A completed transfer must come out with exactly that size and SHA-256, and so must the
 * file written to the extract folder — over the degraded-link captures (13-lossy-*) too. A transfer
 * that did not complete is marked incomplete with the bytes that arrived, and what was written of
 * it must be the start of the real file: each file's bytes are taken from a capture where it
 * completed (and was checked against the hash above).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { analyze } from '../../src/pipeline.js';
import { Extractor, type ManifestEntry } from '../../src/ftp/extract.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import type { DataConnectionReport, Endpoint } from '../../src/ftp/model.js';

interface TruthFile {
  client: Endpoint;
  dataConnection: number;
  from: Endpoint | null;
  to: Endpoint | null;
  command: string;
  argument: string;
  outcome: string;
  source: string;
  representation: 'binary' | 'ascii';
  offset: number;
  size: number;
  sha256: string;
}

interface TruthCapture {
  file: string;
  parts?: { file: string }[];
  sessions: { client: Endpoint; findings: string[] }[];
  transferredFiles: TruthFile[];
}

interface ExtractManifest {
  files: ManifestEntry[];
  filesWritten: number;
  totalBytes: number;
  filesCut: number;
}

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: TruthCapture[] };
const captures = manifest.captures.filter((c) => c.transferredFiles.length > 0);
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const same = (a: Endpoint | null, b: Endpoint | null): boolean => a !== null && b !== null && a.ip === b.ip && a.port === b.port;

interface Run {
  report: AnalysisReport;
  dir: string;
  extract: ExtractManifest;
}

let root = '';
const runs = new Map<string, Run>();
/** Binary forms of the lab's files, from the captures where they completed with the right hash. */
const whole = new Map<string, Buffer>();

function find(r: AnalysisReport, t: TruthFile): DataConnectionReport | undefined {
  const s = r.sessions.find((x) => same(x.client, t.client));
  // lftp reuses its 4-tuple for consecutive transfers (20-pipelined): the command tells them apart
  return s?.dataConnections.find((d) => d.command === t.command && d.argument === t.argument && (t.from ? same(d.from, t.from) && same(d.to, t.to) : d.from === null));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ftp-pcap-files-'));
  for (const c of captures) {
    const dir = join(root, c.file.replace(/\W/g, '_'));
    const report = await analyze((c.parts ?? [c]).map((p) => join('fixtures', p.file)), { hash: true, listings: true, extract: new Extractor(dir) });
    runs.set(c.file, { report, dir, extract: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExtractManifest });
  }
  for (const c of captures) {
    const run = runs.get(c.file);
    if (!run) continue;
    for (const t of c.transferredFiles) {
      const f = find(run.report, t)?.file;
      if (t.outcome === 'completed' && t.representation === 'binary' && t.offset === 0 && f?.extracted && f.sha256 === t.sha256) whole.set(t.source, readFileSync(join(run.dir, f.extracted)));
    }
  }
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('--hash and --extract agree with the files the lab transferred', () => {
  it('covers completed downloads and uploads, ASCII and REST transfers, aborted, reset and truncated ones', () => {
    const all = captures.flatMap((c) => c.transferredFiles);
    expect(all.filter((t) => t.outcome === 'completed').length).toBeGreaterThan(60);
    expect(all.some((t) => t.representation === 'ascii')).toBe(true);
    expect(all.some((t) => t.offset > 0)).toBe(true);
    expect(all.some((t) => t.command === 'STOR') && all.some((t) => t.command === 'APPE')).toBe(true);
    expect(new Set(all.map((t) => t.outcome))).toEqual(new Set(['completed', 'aborted', 'reset', 'truncated', 'incomplete', 'no-answer', 'not-attempted']));
    // every lab file completed somewhere: incomplete transfers can be compared with it
    expect([...whole.keys()].sort()).toEqual(['big.bin', 'medium.bin', 'pub/readme.txt', 'small.txt', 'upload.bin']);
  });

  for (const c of captures) {
    it(c.file, () => {
      const run = runs.get(c.file);
      if (!run) throw new Error(`no run for ${c.file}`);
      // the report with --hash, --listings and --extract validates against the JSON Schema
      const ok = validate(JSON.parse(JSON.stringify(run.report)));
      expect(ok ? [] : validate.errors, c.file).toEqual([]);
      const byName = new Map(run.extract.files.map((e) => [e.name, e]));
      for (const t of c.transferredFiles) {
        const where = `${c.file} ${t.client.ip}:${t.client.port} [${t.dataConnection}] ${t.command} ${t.argument}`;
        const d = find(run.report, t);
        expect(d, where).toBeDefined();
        if (!d) continue;
        const f = d.file;
        if (t.outcome === 'not-attempted') {
          expect(f, where).toBeNull();
          continue;
        }
        if (!f) throw new Error(`${where}: no file report`);
        expect(f.kind, where).toBe('file');
        const gap = c.sessions.find((s) => same(s.client, t.client))?.findings.includes('capture-gap') ?? false;
        if (t.outcome === 'completed' && !gap) {
          expect({ size: f.size, sha256: f.sha256, offset: f.offset, complete: f.complete, incomplete: f.incomplete }, where).toEqual({ size: t.size, sha256: t.sha256, offset: t.offset, complete: true, incomplete: null });
          expect(f.extracted, where).toBeTruthy();
          const written = readFileSync(join(run.dir, f.extracted ?? ''));
          expect(sha(written), `${where}: the extracted file`).toBe(t.sha256);
          expect(byName.get(f.extracted ?? null)?.sha256, `${where}: the extract manifest`).toBe(t.sha256);
          continue;
        }
        // Not whole: said so, with what arrived, and no hash for bytes with holes.
        expect(f.complete, where).toBe(false);
        if (gap) expect({ incomplete: f.incomplete, sha256: f.sha256, missed: f.missedBytes > 0 }, where).toEqual({ incomplete: 'capture-gap', sha256: null, missed: true });
        else expect(['short', 'not-confirmed', 'capture-gap'], where).toContain(f.incomplete);
        expect(f.size + f.missedBytes, where).toBe(d.bytes);
        if (f.size === 0 && f.missedBytes === 0) {
          expect(f.extracted ?? null, `${where}: nothing arrived, nothing written`).toBeNull();
          continue;
        }
        const written = readFileSync(join(run.dir, f.extracted ?? ''));
        const real = whole.get(t.source);
        if (!real) throw new Error(`${where}: ${t.source} never completed`);
        // What arrived is the file's start (holes, where the capture missed bytes, are zeros).
        expect(written.length, where).toBeLessThanOrEqual(f.size + f.missedBytes);
        if (f.missedBytes === 0) expect(written.equals(real.subarray(t.offset, t.offset + written.length)), `${where}: a prefix of ${t.source}`).toBe(true);
        else {
          let differ = 0;
          for (let i = 0; i < written.length; i++) if (written[i] !== 0 && written[i] !== real[t.offset + i]) differ++;
          expect(differ, `${where}: bytes other than holes equal ${t.source}`).toBe(0);
        }
        expect(byName.get(f.extracted ?? null)?.complete, where).toBe(false);
      }
      // nothing but the files and the manifest in the folder: no spool left behind
      const names = readdirSync(run.dir).sort();
      expect(names, c.file).toEqual([...run.extract.files.map((e) => e.name ?? ''), 'manifest.json'].sort());
      expect(run.extract.filesWritten, c.file).toBe(run.extract.files.length);
    });
  }

  it('without --hash the report has no file field (the goldens stay as they are)', async () => {
    const r = await analyze(['fixtures/01-passive.pcap']);
    expect(r.sessions.flatMap((s) => s.dataConnections).some((d) => 'file' in d)).toBe(false);
    expect(existsSync(join(root, 'nothing'))).toBe(false);
  });
});
