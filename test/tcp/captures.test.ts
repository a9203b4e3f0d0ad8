/**
 * The tcp stage on the lab's real captures (fixtures/, see fixtures/manifest.json), against what
 * tshark 4.0 says about them, recorded under test/tcp/data/ by test/tcp/data/record.sh (CI has
 * no tshark):
 * - every FTP control stream (port 21 or 2121) reassembles to exactly the bytes of
 *   `tshark -q -z follow,tcp,raw,N`, both directions, the degraded-link captures included;
 * - per 4-tuple and direction, packets equal tshark's, and the payload bytes on the wire (sum of
 *   tcp.len) equal ours: bytes + retransmitted - (missed - snap-cut) - unseen;
 * - a direction where tshark saw a SYN, FIN or RST has that event's frame in our summary.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptures } from '../../src/capture/index.js';
import { Decoder } from '../../src/decode/index.js';
import { DecodeStatus, newPacket } from '../../src/decode/packet.js';
import { TcpTracker, type ConnectionSummary, type EndpointAddress } from '../../src/tcp/index.js';
import { Recorder } from './wire.js';

const DATA = path.resolve('test/tcp/data');
const FIXTURES = path.resolve('fixtures');

const ep = (e: EndpointAddress): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

interface Followed {
  key: string;
  orig: string;
  resp: string;
  rec: Recorder;
}

async function track(file: string): Promise<{ summaries: ConnectionSummary[]; followed: Followed[]; tracker: TcpTracker }> {
  const summaries: ConnectionSummary[] = [];
  const followed: Followed[] = [];
  const tracker: TcpTracker = new TcpTracker({
    events: {
      opened: (c) => {
        if (c.respPort !== 21 && c.respPort !== 2121 && c.origPort !== 21 && c.origPort !== 2121) return;
        const rec = new Recorder();
        const orig = c.ipVersion === 6 ? `[${c.origIp}]:${c.origPort}` : `${c.origIp}:${c.origPort}`;
        const resp = c.ipVersion === 6 ? `[${c.respIp}]:${c.respPort}` : `${c.respIp}:${c.respPort}`;
        followed.push({ key: `${orig} ${resp}`, orig, resp, rec });
        tracker.attach(c, rec);
      },
      removed: (s) => summaries.push(s),
    },
  });
  const decoder = new Decoder();
  const p = newPacket();
  await readCaptures([file], (rec) => {
    if (decoder.decode(rec, p) === DecodeStatus.TCP) tracker.packet(p);
  });
  decoder.finish();
  tracker.finish();
  return { summaries, followed, tracker };
}

interface FollowBlock {
  node0: string;
  node1: string;
  text: [string, string];
}

function parseFollow(text: string): FollowBlock[] {
  const blocks: FollowBlock[] = [];
  let cur: FollowBlock | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('=====')) {
      if (cur !== null) blocks.push(cur);
      cur = null;
      continue;
    }
    const node = /^Node ([01]): (.*)$/.exec(line);
    if (node !== null) {
      cur ??= { node0: '', node1: '', text: ['', ''] };
      if (node[1] === '0') cur.node0 = node[2];
      else cur.node1 = node[2];
      continue;
    }
    if (cur === null || line === '' || line.startsWith('Follow:') || line.startsWith('Filter:')) continue;
    const dir = line.startsWith('\t') ? 1 : 0;
    cur.text[dir] += Buffer.from(line.trim(), 'hex').toString('latin1');
  }
  return blocks;
}

const captures = existsSync(DATA)
  ? readdirSync(DATA)
      .filter((f) => f.endsWith('.streams.tsv'))
      .map((f) => f.slice(0, -'.streams.tsv'.length))
  : [];

describe('tcp stage on the lab captures, against tshark', () => {
  it('has recorded data', () => expect(captures.length).toBeGreaterThan(10));

  for (const name of captures) {
    const file = path.join(FIXTURES, name);
    const recorded = path.join(DATA, `${name}.sha256`);
    const current = existsSync(file) && existsSync(recorded) && createHash('sha256').update(readFileSync(file)).digest('hex') === readFileSync(recorded, 'latin1').trim();
    it.skipIf(!current)(current ? name : `${name} (capture missing or changed since recorded: run sh test/tcp/data/record.sh)`, async () => {
      const { summaries, followed } = await track(file);

      // 1. Control streams equal tshark's follow output.
      const blocks = parseFollow(readFileSync(path.join(DATA, `${name}.follow.txt`), 'latin1'));
      expect(blocks.length, `${name}: control streams`).toBeGreaterThan(0);
      expect(blocks.reduce((n, b) => n + b.text[0].length + b.text[1].length, 0)).toBeGreaterThan(100);
      const pool = [...followed];
      for (const b of blocks) {
        const i = pool.findIndex((f) => (f.orig === b.node0 && f.resp === b.node1) || (f.orig === b.node1 && f.resp === b.node0));
        expect(i, `${name}: stream ${b.node0} ${b.node1} followed`).toBeGreaterThanOrEqual(0);
        const f = pool.splice(i, 1)[0];
        const node0IsOrig = f.orig === b.node0;
        expect(f.rec.text[node0IsOrig ? 0 : 1], `${name} ${f.key}: from ${b.node0}`).toBe(b.text[0]);
        expect(f.rec.text[node0IsOrig ? 1 : 0], `${name} ${f.key}: from ${b.node1}`).toBe(b.text[1]);
        expect(f.rec.ends).toBe(1);
      }

      // 2. Packets and payload per 4-tuple direction.
      const theirs = new Map<string, { packets: number; bytes: number; syn: number; fin: number; rst: number }>();
      const lines = readFileSync(path.join(DATA, `${name}.streams.tsv`), 'latin1').trim().split('\n').slice(1);
      for (const l of lines) {
        const [, src, dst, packets, bytes, syn, fin, rst] = l.split('\t');
        const k = `${src} ${dst}`;
        const t = theirs.get(k) ?? { packets: 0, bytes: 0, syn: 0, fin: 0, rst: 0 };
        t.packets += Number(packets);
        t.bytes += Number(bytes);
        t.syn += Number(syn);
        t.fin += Number(fin);
        t.rst += Number(rst);
        theirs.set(k, t);
      }
      const ours = new Map<string, { packets: number; bytes: number; syn: boolean; fin: boolean; rst: boolean }>();
      for (const s of summaries) {
        for (const [from, to, d] of [
          [s.orig, s.resp, s.origSent],
          [s.resp, s.orig, s.respSent],
        ] as const) {
          if (d.packets === 0) continue;
          const k = `${ep(from)} ${ep(to)}`;
          const o = ours.get(k) ?? { packets: 0, bytes: 0, syn: false, fin: false, rst: false };
          o.packets += d.packets;
          o.bytes += d.bytes + d.retransmittedBytes - (d.missedBytes - d.snapCutBytes) - d.unseenBytes;
          o.syn ||= d.synFrame !== null;
          o.fin ||= d.finFrame !== null;
          o.rst ||= d.rstFrame !== null;
          ours.set(k, o);
        }
      }
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      if (name.startsWith('13-lossy')) {
        // The degraded link (netem loss, reordering, duplication) shows up as retransmissions.
        const retrans = summaries.reduce((n, s) => n + s.origSent.retransmittedBytes + s.respSent.retransmittedBytes, 0);
        expect(retrans).toBeGreaterThan(0);
      }
      for (const [k, t] of theirs) {
        const o = ours.get(k)!;
        expect({ k, packets: o.packets, bytes: o.bytes }).toEqual({ k, packets: t.packets, bytes: t.bytes });
        expect({ k, syn: o.syn, fin: o.fin, rst: o.rst }).toEqual({ k, syn: t.syn > 0, fin: t.fin > 0, rst: t.rst > 0 });
      }
    });
  }
});
