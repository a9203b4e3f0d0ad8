/**
 * The evidence spool (src/evidence/spool.ts), scenario by scenario, with small bounds so that each
 * one is crossed: frames come back exactly as given and in order, wherever they were kept.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameSpool, SPOOL_LIMITS, type SpoolLimits } from '../../src/evidence/spool.js';

/** A frame's bytes: its number and connection spelled out, padded to `len` (hand-built, not a packet). */
function bytes(key: string, frame: number, len: number): Buffer {
  const b = Buffer.alloc(len, frame & 0xff);
  b.write(`${key}#${frame}`, 0, 'latin1');
  return b;
}

interface Given {
  key: string;
  frame: number;
  len: number;
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-spool-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function spoolWith(limits: Partial<SpoolLimits>, frames: readonly Given[]): FrameSpool {
  const sp = new FrameSpool(dir, { ...SPOOL_LIMITS, ...limits });
  // Frames sit inside a bigger chunk, as a reader's view does: the spool must copy only them.
  for (const f of frames) {
    const chunk = Buffer.concat([Buffer.alloc(7, 0xee), bytes(f.key, f.frame, f.len), Buffer.alloc(5, 0xee)]);
    sp.add(f.key, f.frame, 1_800_000_000 + f.frame, f.frame * 1000, f.frame % 2, f.len + 10, chunk, 7, f.len);
  }
  return sp;
}

/** What the spool gives back for a connection. */
function readBack(sp: FrameSpool, key: string): { frame: number; tsSec: number; tsNsec: number; iface: number; origLen: number; ok: boolean }[] {
  const s = sp.get(key);
  if (s === undefined) return [];
  const c = sp.cursor(s);
  const out = [];
  while (c.next()) {
    const f = c.cur;
    out.push({ frame: f.frame, tsSec: f.tsSec, tsNsec: f.tsNsec, iface: f.iface, origLen: f.origLen, ok: f.buf.subarray(f.at, f.at + f.capLen).equals(bytes(key, f.frame, f.capLen)) });
  }
  return out;
}

const expected = (frames: readonly Given[], key: string) =>
  frames.filter((f) => f.key === key).map((f) => ({ frame: f.frame, tsSec: 1_800_000_000 + f.frame, tsNsec: f.frame * 1000, iface: f.frame % 2, origLen: f.len + 10, ok: true }));

const run = (key: string, from: number, n: number, len: number, step = 1): Given[] => Array.from({ length: n }, (_, i) => ({ key, frame: from + i * step, len }));

describe('evidence spool', () => {
  it('a SYN and its retransmissions stay in memory', () => {
    const frames = run('a', 1, 4, 74);
    const sp = spoolWith({}, frames);
    expect(sp.usage).toMatchObject({ disk: 0, segments: 0 });
    expect(readBack(sp, 'a')).toEqual(expected(frames, 'a'));
  });

  it('past its memory bound a connection moves to disk, and reads back whole and in order', () => {
    const frames = run('bulk', 1, 200, 1514);
    const sp = spoolWith({ connectionMemoryBytes: 8 * 1024 }, frames);
    expect(sp.usage.disk).toBeGreaterThan(250_000);
    expect(sp.usage.memory).toBeLessThanOrEqual(8 * 1024 + 1514 + 32);
    expect(readBack(sp, 'bulk')).toEqual(expected(frames, 'bulk'));
  });

  it('past the total memory bound the oldest connections move to disk', () => {
    const frames = Array.from({ length: 10 }, (_, i) => run(`c${i}`, i + 1, 10, 300, 10)).flat().sort((x, y) => x.frame - y.frame);
    const sp = spoolWith({ memoryBytes: 8 * 1024 }, frames);
    expect(sp.usage.memory).toBeLessThanOrEqual(8 * 1024 + 4096);
    expect(sp.usage.disk).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect(readBack(sp, `c${i}`)).toEqual(expected(frames, `c${i}`));
  });

  it('a spool file none of whose frames are wanted is deleted', () => {
    const frames = [...run('x', 1, 40, 1000, 2), ...run('y', 2, 40, 1000, 2)].sort((a, b) => a.frame - b.frame);
    const sp = spoolWith({ connectionMemoryBytes: 2048, segmentBytes: 16 * 1024 }, frames);
    const before = readdirSync(dir).length;
    expect(before).toBeGreaterThan(2);
    sp.drop(sp.get('x')!);
    // the segments hold y's frames too: y reads back whole
    expect(readBack(sp, 'y')).toEqual(expected(frames, 'y'));
    sp.drop(sp.get('y')!);
    // only the segment still being written remains
    expect(readdirSync(dir).length).toBeLessThanOrEqual(1);
    expect(sp.usage).toMatchObject({ memory: 0, disk: 0 });
  });

  it('past the connection bound the oldest connection is dropped, and counted', () => {
    const frames = [...run('k1', 1, 1, 60), ...run('k2', 2, 1, 60), ...run('k3', 3, 1, 60), ...run('k4', 4, 1, 60)];
    const sp = spoolWith({ maxConnections: 3 }, frames);
    expect(sp.connectionsDropped).toBe(1);
    expect(sp.get('k1')).toBeUndefined();
    expect(readBack(sp, 'k4')).toEqual(expected(frames, 'k4'));
  });

  it('past the disk bound frames are dropped, counted, and the connection says it lost some', () => {
    const frames = run('big', 1, 50, 1000);
    const sp = spoolWith({ connectionMemoryBytes: 4096, maxSpoolBytes: 10_000 }, frames);
    expect(sp.framesDropped).toBeGreaterThan(0);
    expect(sp.get('big')?.lost).toBe(sp.framesDropped);
    const back = readBack(sp, 'big');
    expect(back.length).toBe(50 - sp.framesDropped);
    expect(back.every((f) => f.ok)).toBe(true);
  });

  it('dropBefore forgets the connections that began before a time, keeps the others', () => {
    const frames = [...run('old', 1, 2, 60), ...run('new', 10, 2, 60)];
    const sp = spoolWith({}, frames);
    sp.dropBefore(1_800_000_000 + 5);
    expect(sp.get('old')).toBeUndefined();
    expect(readBack(sp, 'new')).toEqual(expected(frames, 'new'));
  });
});
