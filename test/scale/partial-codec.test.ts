/**
 * The partial-result codec (src/scale/partial.ts) on its own: every record kind written by real
 * shards of lab captures reads back to what was written and writes again to the same bytes; a
 * line cut anywhere never reads as a whole record; an unknown kind, a foreign header and another
 * version are refused with the reason the merge reports.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeShard } from '../../src/scale/run-shard.js';
import { Out } from '../../src/report/out.js';
import { PARTIAL_VERSION, decodeHeader, decodeRecord, encodeRecord, kindOf, type PartialRecord, type ReadRecord } from '../../src/scale/partial.js';
import type { SessionFacts, SessionReport } from '../../src/ftp/model.js';

let dir = '';
/** The lines of every shard's partial result: the client-NAT capture in 3 shards leaves its data connections in other shards than their sessions (pending sessions and orphans). */
let lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-codec-'));
  for (let i = 0; i < 3; i++) {
    const path = join(dir, `part-${i}.ndjson`);
    const out = new Out(path);
    await analyzeShard(['fixtures/06-client-nat-outside.pcap'], { timeline: true }, { index: i, count: 3 }, out);
    out.close();
    lines.push(...readFileSync(path, 'utf8').split('\n').filter((l) => l !== ''));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A record read back, made writable again (a session's facts and report parsed). */
function asWritten(r: ReadRecord): PartialRecord {
  if (r.kind === 'invalid') throw new Error(r.reason);
  if (r.kind === 'session') return { kind: 'session', key: r.key, facts: JSON.parse(r.factsJson) as SessionFacts, report: JSON.parse(r.reportJson) as SessionReport };
  return r;
}

describe('partial-result codec', () => {
  it('real shards write every kind of record', () => {
    const kinds = new Set(lines.map((l) => kindOf(l) ?? (decodeHeader(l) && 'header')));
    expect([...kinds].sort()).toEqual(['end', 'header', 'orphan', 'pending', 'session']);
  });

  it('round trip: each record decodes and encodes again to the same line', () => {
    for (const line of lines) {
      if (kindOf(line) === null) {
        const h = decodeHeader(line);
        expect(h).toMatchObject({ partial: 'ftp-pcap', version: PARTIAL_VERSION });
        if (!('invalid' in h)) expect(encodeRecord({ kind: 'header', header: h })).toBe(`${line}\n`);
        continue;
      }
      expect(encodeRecord(asWritten(decodeRecord(line)))).toBe(`${line}\n`);
    }
  });

  it('a session record reads back its key, facts and report', () => {
    const facts: SessionFacts = { id: 7, client: { ip: '192.0.2.1', port: 40000 }, server: { ip: '198.51.100.2', port: 21 }, user: 'a,"r":b', dataConnections: [], findings: [] };
    const report = { id: 7, note: '"r":{}' } as unknown as SessionReport;
    const line = encodeRecord({ kind: 'session', key: [12, 1700000000.5, 40000], facts, report });
    expect(line.endsWith('\n')).toBe(true);
    const r = decodeRecord(line.slice(0, -1));
    expect(r).toMatchObject({ kind: 'session', key: [12, 1700000000.5, 40000] });
    if (r.kind !== 'session') return;
    expect(JSON.parse(r.factsJson)).toEqual(facts);
    expect(JSON.parse(r.reportJson)).toEqual(report);
  });

  it('a line cut anywhere never reads as a whole record', () => {
    const byKind = new Map(lines.filter((l) => kindOf(l) !== null).map((l) => [kindOf(l), l]));
    for (const [kind, line] of byKind) {
      const step = Math.max(1, Math.floor(line.length / 400));
      for (let n = 0; n < line.length; n += step) {
        const r = decodeRecord(line.slice(0, n));
        if (r.kind === 'invalid') continue;
        // A session's report is left unparsed by the decoder: cut, it is not JSON.
        expect(r.kind, `${kind} cut at ${n}`).toBe('session');
        if (r.kind === 'session') expect(() => JSON.parse(r.reportJson), `${kind} cut at ${n}`).toThrow();
      }
    }
  });

  it('an unknown kind, a foreign file and another version are refused, saying why', () => {
    expect(decodeRecord('{"x":{}}')).toEqual({ kind: 'invalid', reason: 'unknown partial result record' });
    expect(decodeRecord('{"p":')).toEqual({ kind: 'invalid', reason: 'not a partial result line (JSON expected)' });
    expect(decodeHeader('\u00d4\u00c3\u00b2\u00a1')).toEqual({ invalid: 'not a partial result line (JSON expected)' });
    expect(decodeHeader('{"a":1}')).toEqual({ invalid: 'not an ftp-pcap partial result (write one with `ftp-pcap analyze --shard i/N -o FILE`)' });
    expect(decodeHeader(`{"partial":"ftp-pcap","version":${PARTIAL_VERSION + 1}}`)).toEqual({ invalid: `partial result version ${PARTIAL_VERSION + 1}, this ftp-pcap reads version ${PARTIAL_VERSION}` });
  });
});
