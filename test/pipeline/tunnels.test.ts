/**
 * Real captures under encapsulation (docs/design.md §2.2, test/helpers/tunnel.ts): a tunnelled variant
 * of a lab capture gives the same sessions, data connections, outcomes, findings, summary, limits
 * and problems as the clean capture, field for field; only `inputs` (the file's own statistics)
 * differ. The two directions of every connection travel with different outer headers, so this
 * also shows that outer layers never split an inner connection. Outer fragments add records:
 * frame numbers are mapped back to the clean capture's before comparing, and the fragment
 * reassembly counters are left out of `problems`.
 *
 * Every fixture is checked under two wrappings (rotating through all of them) and a few under
 * all; FTP_PCAP_ALL_TUNNELS=1 checks every fixture under every wrapping (~2 minutes).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { analyze } from '../../src/pipeline.js';
import type { AnalysisReport } from '../../src/report/analysis.js';
import { readAll, type PlainRecord } from '../helpers/capture.js';
import { WRAPPINGS, wrapRecords, wrappedPcap, type WrapOptions, type Wrapping } from '../helpers/tunnel.js';

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: unknown[] }[] };
const FIXTURES = manifest.captures.filter((c) => c.parts === undefined).map((c) => c.file);
const ALL = process.env.FTP_PCAP_ALL_TUNNELS === '1';
/** Checked under every wrapping: active (IPv4), passive (IPv6), a cooked capture. */
const EVERY = new Set(['02-active.pcap', '07-ipv6.pcap', '14-formats-sll2.pcap']);

/** The report without its input statistics, frame numbers mapped through `frameOf`. */
function comparable(r: AnalysisReport, frameOf?: number[]): unknown {
  const { inputs: _inputs, ...rest } = r;
  const map = (v: unknown, key: string): unknown => {
    if (frameOf && /frame/i.test(key)) {
      if (typeof v === 'number') return frameOf[v] ?? -v;
      if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? (frameOf[x] ?? -x) : x));
    }
    if (Array.isArray(v)) return v.map((x) => map(x, key));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (frameOf && key === 'problems' && k.startsWith('frag-')) continue;
        o[k] = map(x, k);
      }
      return o;
    }
    return v;
  };
  return map(rest, '');
}

const cache = new Map<string, { records: PlainRecord[]; clean: unknown }>();
async function clean(file: string): Promise<{ records: PlainRecord[]; clean: unknown }> {
  let c = cache.get(file);
  if (!c) {
    const { records } = await readAll([`fixtures/${file}`]);
    c = { records, clean: comparable(await analyze([`fixtures/${file}`])) };
    cache.set(file, c);
  }
  return c;
}

async function tunnelled(records: PlainRecord[], w: Wrapping, o: WrapOptions = {}): Promise<{ report: unknown; sessions: number }> {
  const wrapped = wrapRecords(records, w, o);
  const r = await analyze(['-'], { stdin: Readable.from([wrappedPcap(wrapped)]) });
  return { report: comparable(r, o.fragmentMtu ? wrapped.frameOf : undefined), sessions: r.sessions.length };
}

function plan(): [string, Wrapping[]][] {
  return FIXTURES.map((f, i) => {
    if (ALL || EVERY.has(f)) return [f, [...WRAPPINGS]];
    const n = WRAPPINGS.length;
    return [f, [WRAPPINGS[(2 * i) % n], WRAPPINGS[(2 * i + 1) % n]]];
  });
}

describe('the wrapped fixtures (fixtures/tunnel/) are what this helper makes of their sources', () => {
  // fixtures/lab/wrap-tunnel.py made them; this helper wraps the same way in memory: byte for byte.
  const truth = JSON.parse(readFileSync('fixtures/lab/truth/tunnel-wrapped.json', 'utf8')) as { captures: { file: string; wrapCommand: string }[] };
  for (const c of truth.captures) {
    it(c.file, async () => {
      const m = /^fixtures\/lab\/wrap-tunnel\.py (\S+) (\S+) (\S+)(?: --fragment (\d+))?$/.exec(c.wrapCommand);
      expect(m, c.wrapCommand).not.toBeNull();
      const [, w, src, dst, mtu] = m as RegExpExecArray;
      expect(dst).toBe(`fixtures/${c.file}`);
      expect(WRAPPINGS).toContain(w);
      const made = wrapRecords((await readAll([src])).records, w as Wrapping, mtu ? { fragmentMtu: Number(mtu) } : {});
      const { records } = await readAll([dst]);
      expect(records.map((r) => ({ t: `${r.tsSec}.${r.tsNsec}`, orig: r.originalLength, data: r.data.toString('hex') }))).toEqual(
        made.records.map((r) => ({ t: `${r.sec}.${r.frac}`, orig: r.orig, data: r.data.toString('hex') })),
      );
    });
  }
});

describe('tunnelled captures analyse like the clean ones', () => {
  for (const [file, wrappings] of plan()) {
    it(`${file}: ${wrappings.join(', ')}`, async () => {
      const c = await clean(file);
      for (const w of wrappings) {
        const t = await tunnelled(c.records, w);
        expect(t.report, `${file} in ${w}`).toEqual(c.clean);
      }
    }, 60_000);
  }

  it('outer IPv4 fragments (in order and last first) are reassembled: the same report', async () => {
    for (const [file, w] of [
      ['01-passive.pcap', 'vxlan'],
      ['02-active.pcap', 'erspan3'],
      ['07-ipv6.pcap', 'ipip'],
      ['04-passive-blocked.pcap', 'geneve'],
    ] as const) {
      const c = await clean(file);
      for (const reverseFragments of [false, true]) {
        const t = await tunnelled(c.records, w, { fragmentMtu: 576, reverseFragments });
        expect(t.sessions, file).toBeGreaterThan(0);
        expect(t.report, `${file} in ${w}, fragments${reverseFragments ? ' reversed' : ''}`).toEqual(c.clean);
      }
    }
  }, 120_000);
});
