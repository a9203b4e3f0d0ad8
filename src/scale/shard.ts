/**
 * Which shard a packet belongs to (`--shard i/N`, `--jobs N`): a hash of its two addresses that
 * does not depend on the direction, so that both directions of a connection, and every connection
 * between the same two hosts (a control connection and, nearly always, its data connections), land
 * in the same shard. Ports stay out of it on purpose: they would split sessions from their data.
 */
import type { Packet } from '../decode/index.js';
import { fmix32 } from '../tcp/flow.js';

export interface ShardSpec {
  /** 0-based (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX). */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/N` (0 <= i < N); null when it is not one. */
export function parseShard(text: string): ShardSpec | null {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) return null;
  return { index, count };
}

/** The shard of a decoded IP packet (XOR is symmetric: a→b and b→a agree). */
export function shardOf(p: Packet, count: number): number {
  if (count === 1) return 0;
  let h: number;
  if (p.ipVersion === 4) h = (p.src4 ^ p.dst4) >>> 0;
  else {
    const a = p.src;
    const b = p.dst;
    h = 0;
    for (let i = 0; i + 3 < a.length && i + 3 < b.length; i += 4) h = (Math.imul(h, 31) + (a.readUInt32BE(i) ^ b.readUInt32BE(i))) >>> 0;
  }
  // murmur3's finaliser: XOR of two addresses differing in a few bits must still spread.
  return fmix32(h) % count;
}
