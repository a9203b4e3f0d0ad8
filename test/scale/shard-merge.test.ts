/**
 * Sharding (src/scale/): every lab capture analysed whole, and as N shards merged, gives the same
 * report — including the captures whose data connections run between other hosts than their
 * control connection (NAT mismatch, client NAT, bounce), which land in another shard than their
 * session for some N and must be joined by the merge.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, analyzeTo } from '../../src/pipeline.js';
import { analyzeShard } from '../../src/scale/run-shard.js';
import { mergePartials } from '../../src/scale/merge.js';
import { CollectSink, JsonSink, type AnalysisReport } from '../../src/report/analysis.js';
import { Out } from '../../src/report/out.js';
import { FilteredSink, buildFilter, type FilterOptions } from '../../src/cli/filters.js';

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-shard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function partials(files: string[], n: number, timeline = false): Promise<string[]> {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = join(dir, `part-${i}-of-${n}.ndjson`);
    const out = new Out(path);
    await analyzeShard(files, { timeline }, { index: i, count: n }, out);
    out.close();
    parts.push(path);
  }
  return parts;
}

function merge(parts: string[], timeline = false): AnalysisReport {
  const sink = new CollectSink();
  mergePartials([...parts].reverse(), { timeline }, sink);
  return sink.report as AnalysisReport;
}

async function sharded(files: string[], n: number, timeline = false): Promise<AnalysisReport> {
  return merge(await partials(files, n, timeline), timeline);
}

const records = (parts: string[], kind: 's' | 'p' | 'o'): number => parts.reduce((n, p) => n + readFileSync(p, 'utf8').split('\n').filter((l) => l.startsWith(`{"${kind}":`)).length, 0);

describe('shards merged = one process', () => {
  for (const c of manifest.captures) {
    const files = (c.parts ?? [c]).map((p) => join('fixtures', p.file));
    it(c.file, async () => {
      const whole = await analyze(files);
      for (const n of [2, 3, 5]) {
        const merged = await sharded(files, n);
        expect({ n, ...merged }).toEqual({ n, ...whole });
      }
    });
  }
});

describe('the merge joins what sharding split', () => {
  // Data connections between other hosts than their session's: with these shard counts the
  // session and its data connection land in different shards (checked), and only the merge's
  // replay of pending sessions with the other shards' orphans gives the one-process answer.
  const cases: [string, number][] = [
    ['05-pasv-nat-client.pcap', 5],
    ['06-client-nat-outside.pcap', 2],
    ['16-bounce.pcap', 2],
  ];
  for (const [file, n] of cases) {
    it(`${file} in ${n} shards`, async () => {
      const files = [join('fixtures', file)];
      const parts = await partials(files, n);
      expect(records(parts, 'p')).toBeGreaterThan(0);
      expect(records(parts, 'o')).toBeGreaterThan(0);
      const whole = await analyze(files);
      expect(merge(parts)).toEqual(whole);
      // Without the orphans the sessions miss their data connections: the join is what mends them.
      for (const p of parts) writeFileSync(p, readFileSync(p, 'utf8').split('\n').filter((l) => !l.startsWith('{"o":')).join('\n'));
      expect(merge(parts).sessions).not.toEqual(whole.sessions);
    });
  }

  it('keeps the timeline for html and --ladder when asked', async () => {
    const files = ['fixtures/16-bounce.pcap'];
    const whole = await analyze(files, { timeline: true });
    expect(whole.sessions[0].timeline?.entries.length).toBeGreaterThan(0);
    expect(await sharded(files, 3, true)).toEqual(whole);
  });
});

describe('the merged JSON text', () => {
  // The merge writes the shards' own JSON of each session (with the merged id) instead of
  // serialising it again: the bytes must be those one process writes.
  for (const file of ['01-passive.pcap', '10-logins.pcap', '16-bounce.pcap', '11-concurrent.pcap']) {
    it(`${file}: byte for byte`, async () => {
      const files = [join('fixtures', file)];
      const one = join(dir, `one-${file}.json`);
      const out = new Out(one);
      await analyzeTo(files, { version: '1' }, new JsonSink(out));
      out.close();
      const merged = join(dir, `merged-${file}.json`);
      const mout = new Out(merged);
      mergePartials(await partials(files, 3), { version: '1' }, new JsonSink(mout));
      mout.close();
      expect(readFileSync(merged, 'utf8')).toBe(readFileSync(one, 'utf8'));
    });
  }
});

describe('the merged JSON text through the CLI filters', () => {
  // --only-failed and --host filter on the facts alone; --min-severity rewrites sessions, so the
  // merge parses them whole. Either way the bytes are one process's.
  const cases: [string, FilterOptions, string][] = [
    ['only failed', { onlyFailed: true }, '05-pasv-nat-client.pcap'],
    ['host', { host: ['192.0.2.10'] }, '11-concurrent.pcap'],
    ['min severity', { minSeverity: 'warning' }, '16-bounce.pcap'],
    ['session ids', { session: '2,3' }, '11-concurrent.pcap'],
  ];
  for (const [name, f, file] of cases) {
    it(`${name} (${file})`, async () => {
      const files = [join('fixtures', file)];
      const write = async (path: string, run: (sink: FilteredSink) => Promise<unknown> | unknown): Promise<string> => {
        const out = new Out(path);
        const sink = new FilteredSink(new JsonSink(out), buildFilter(f));
        await run(sink);
        out.close();
        return readFileSync(path, 'utf8');
      };
      const parts = await partials(files, 3);
      const one = await write(join(dir, `f-one-${name}.json`), (sink) => analyzeTo(files, { version: '1' }, sink));
      const merged = await write(join(dir, `f-merged-${name}.json`), (sink) => mergePartials(parts, { version: '1' }, sink));
      expect(merged).toBe(one);
      expect(JSON.parse(one).sessions.length).toBeGreaterThan(0);
    });
  }
});

describe('a session picked up mid-stream', () => {
  // The capture starts after the control connection's handshake and banner (real packets of a lab
  // capture, the first ones left out): another shard learns its hosts from port 21 alone, and
  // still keeps the data connections that cross to other hosts as orphans.
  it('06-client-nat-outside without its first 8 packets (to the banner): shards merged = one process', async () => {
    const src = readFileSync('fixtures/06-client-nat-outside.pcap');
    const little = src.readUInt32LE(0) === 0xa1b2c3d4;
    const len = (o: number): number => (little ? src.readUInt32LE(o + 8) : src.readUInt32BE(o + 8));
    let off = 24;
    for (let i = 0; i < 8; i++) off += 16 + len(off);
    const cut = join(dir, 'midstream.pcap');
    writeFileSync(cut, Buffer.concat([src.subarray(0, 24), src.subarray(off)]));
    const whole = await analyze([cut]);
    expect(whole.sessions.length).toBeGreaterThan(0);
    expect(whole.sessions[0].midStream).toBe(true);
    for (const n of [2, 3]) {
      const parts = await partials([cut], n);
      expect({ n, ...merge(parts) }).toEqual({ n, ...whole });
    }
  });
});

describe('two taps given side by side (overlapping inputs)', () => {
  // The inside and outside taps of a client NAT without an FTP helper: every session is seen
  // twice, and both announce the client's inside address. The server's SYNs to it (outside tap)
  // run between the inside session's hosts, so they land in its shard, while one process gives
  // them to the outside session, whose PORT is nearer. The inside session's shard learns the
  // outside session's announcement from its control segments and leaves the choice to the merge.
  const files = ['fixtures/06-client-nat-inside.pcap', 'fixtures/06-client-nat-outside.pcap'];
  it('shards merged = one process, byte for byte', async () => {
    const one = join(dir, 'taps-one.json');
    const out = new Out(one);
    await analyzeTo(files, { version: '1' }, new JsonSink(out));
    out.close();
    const text = readFileSync(one, 'utf8');
    // The SYNs are the outside session's (nearest PORT), and the inside session has no connection.
    const r = JSON.parse(text) as AnalysisReport;
    const attempted = r.sessions.filter((s) => s.dataConnections.some((d) => d.outcome === 'no-answer'));
    expect(attempted.length).toBeGreaterThan(0);
    for (const s of attempted) expect(s.client.ip).toBe('203.0.113.1');
    for (const n of [2, 3, 5]) {
      const parts = await partials(files, n);
      const merged = join(dir, `taps-merged-${n}.json`);
      const mout = new Out(merged);
      mergePartials(parts, { version: '1' }, new JsonSink(mout));
      mout.close();
      expect({ n, text: readFileSync(merged, 'utf8') }).toEqual({ n, text });
    }
  });
});

describe('a data connection from an address the capture altered (found by fuzzing)', () => {
  // 06-client-nat-outside with the first SYN of the EPRT data connection's source turned from
  // 203.0.113.22 into 207.0.113.22 (one flipped bit): one process takes that SYN, the first to the
  // announced endpoint, for the session. It runs between two hosts no control connection has, in
  // a shard that only learns the announced address from the other shard's EPRT, and must keep it
  // as an orphan for the merge.
  it('shards merged = one process', async () => {
    const src = Buffer.from(readFileSync('fixtures/06-client-nat-outside.pcap'));
    const little = src.readUInt32LE(0) === 0xa1b2c3d4;
    let hit = -1;
    for (let off = 24; off + 16 <= src.length; ) {
      const len = little ? src.readUInt32LE(off + 8) : src.readUInt32BE(off + 8);
      const f = off + 16;
      // Ethernet, IPv4 without options: source address at 26, ports at 34 and 36.
      if (src.readUInt16BE(f + 12) === 0x0800 && src.readUInt32BE(f + 26) === 0xcb007116 && src.readUInt16BE(f + 34) === 36000 && src.readUInt16BE(f + 36) === 40082) {
        hit = f + 26;
        break;
      }
      off = f + len;
    }
    expect(hit).toBeGreaterThan(0);
    src[hit] = 207;
    const file = join(dir, 'altered-syn.pcap');
    writeFileSync(file, src);
    const whole = await analyze([file]);
    const d = whole.sessions.flatMap((s) => s.dataConnections).find((x) => x.from?.ip === '207.0.113.22');
    expect(d).toMatchObject({ to: { ip: '10.0.0.10', port: 40082 } });
    for (const n of [2, 3, 5]) expect({ n, ...(await sharded([file], n)) }).toEqual({ n, ...whole });
  });

  it('08-missing-file with the SYN-ACK of its data connection sent to 193.0.2.10: shards merged = one process', async () => {
    // One process takes that SYN-ACK (the first packet to the announced endpoint, from an
    // unexpected host) for the session; its shard is another than the session's, which learns it
    // was touched from the packet's port and leaves the session to the merge.
    const src = Buffer.from(readFileSync('fixtures/08-missing-file.pcap'));
    const little = src.readUInt32LE(0) === 0xa1b2c3d4;
    let hit = -1;
    for (let off = 24; off + 16 <= src.length; ) {
      const len = little ? src.readUInt32LE(off + 8) : src.readUInt32BE(off + 8);
      const f = off + 16;
      // Ethernet, IPv4 without options: destination address at 30, ports at 34 and 36, flags at 47.
      if (src.readUInt16BE(f + 12) === 0x0800 && src.readUInt32BE(f + 30) === 0xc000020a && src.readUInt16BE(f + 34) === 30000 && src[f + 47] === 0x12) {
        hit = f + 30;
        break;
      }
      off = f + len;
    }
    expect(hit).toBeGreaterThan(0);
    src[hit] = 193;
    const file = join(dir, 'altered-synack.pcap');
    writeFileSync(file, src);
    const whole = await analyze([file]);
    expect(whole.sessions.flatMap((s) => s.dataConnections).some((x) => x.from?.ip === '193.0.2.10')).toBe(true);
    for (const n of [2, 3, 5]) expect({ n, ...(await sharded([file], n)) }).toEqual({ n, ...whole });
  });
});
