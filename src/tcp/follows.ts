/**
 * Subscriptions waiting for their connection: `TcpTracker.follow(tuple, sink)` on a 4-tuple with
 * no live connection to attach to registers the sink here, and the tracker asks, once per new
 * connection, whether one waits for it.
 *
 * Contract: a subscription matches a connection on the same 4-tuple in either direction and the
 * same IP version; `take` hands the oldest matching one over (and forgets it) exactly once. At most
 * `max` wait (TCP_MAX_PENDING_FOLLOWS): past it `add` drops the oldest and returns it, for the
 * tracker to count and end. `drain` returns the ones never matched, oldest first (the end of the
 * capture ends their sinks).
 */
import type { Conn } from './connection.js';
import type { StreamSink } from './stream.js';

export interface PendingFollow {
  readonly hash: number;
  readonly version: 4 | 6;
  readonly a: readonly [number, number, number, number];
  readonly aPort: number;
  readonly b: readonly [number, number, number, number];
  readonly bPort: number;
  readonly sink: StreamSink;
}

export class PendingFollows {
  private readonly byHash = new Map<number, PendingFollow[]>();
  private readonly order = new Set<PendingFollow>();

  constructor(private readonly max: number) {}

  /** Subscriptions waiting. */
  get size(): number {
    return this.order.size;
  }

  /** Registers f; returns the oldest subscription when that crossed the bound (now dropped). */
  add(f: PendingFollow): PendingFollow | null {
    let list = this.byHash.get(f.hash);
    if (list === undefined) this.byHash.set(f.hash, (list = []));
    list.push(f);
    this.order.add(f);
    if (this.order.size <= this.max) return null;
    const oldest = this.order.values().next().value;
    if (oldest === undefined) return null;
    this.drop(oldest);
    return oldest;
  }

  /** The sink of the first subscription waiting for c, removed from the waiting ones; or null. */
  take(c: Conn): StreamSink | null {
    const list = this.byHash.get(c.hash);
    if (list === undefined) return null;
    for (const f of list) {
      if (matches(f, c)) {
        this.drop(f);
        return f.sink;
      }
    }
    return null;
  }

  /** Every subscription still waiting, oldest first; the registry is empty afterwards. */
  drain(): PendingFollow[] {
    const all = [...this.order];
    this.order.clear();
    this.byHash.clear();
    return all;
  }

  private drop(f: PendingFollow): void {
    this.order.delete(f);
    const list = this.byHash.get(f.hash);
    if (list === undefined) return;
    const i = list.indexOf(f);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byHash.delete(f.hash);
  }
}

/** Is c on f's 4-tuple (either direction, same IP version)? */
export function matches(f: PendingFollow, c: Conn): boolean {
  if (f.version !== c.ipVersion) return false;
  const o = [c.o0, c.o1, c.o2, c.o3];
  const r = [c.r0, c.r1, c.r2, c.r3];
  return (
    (f.aPort === c.origPort && f.bPort === c.respPort && sameWords(f.a, o) && sameWords(f.b, r)) ||
    (f.aPort === c.respPort && f.bPort === c.origPort && sameWords(f.a, r) && sameWords(f.b, o))
  );
}

/** Two addresses as four 32-bit words (flow.ts addressWords). */
export function sameWords(x: readonly number[], y: readonly number[]): boolean {
  return x[0] === y[0] && x[1] === y[1] && x[2] === y[2] && x[3] === y[3];
}
