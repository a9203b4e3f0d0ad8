/**
 * Items by key, each key's items kept sorted by time, for window queries in O(log n + hits):
 * the correlator's candidate connections (by responder endpoint, by host pair) and announcements
 * (by the endpoint they name). Removal marks an item dead; a key's list is compacted when half of
 * it is dead, so removals cost O(1) amortised instead of a splice each. A key with one item holds
 * it alone, without a list.
 */
export interface Timed {
  readonly time: number;
  dead: boolean;
}

/** A key's items, sorted by time, once it has more than one. */
class List<T extends Timed> {
  dead = 0;
  constructor(public items: T[]) {}
}

/** The one item of a key with one (most: a data connection's responder endpoint is unique), held
 * without a list: no array and no list object per key. */
type Entry<T extends Timed> = T | List<T>;

export class TimeIndex<T extends Timed> {
  private readonly lists = new Map<string, Entry<T>>();

  get size(): number {
    return this.lists.size;
  }

  add(key: string, item: T): void {
    const l = this.lists.get(key);
    if (l === undefined) {
      this.lists.set(key, item);
      return;
    }
    if (!(l instanceof List)) {
      this.lists.set(key, new List(l.time <= item.time ? [l, item] : [item, l]));
      return;
    }
    const a = l.items;
    // Items arrive in capture order, so this is an append; a late one is inserted in place.
    if (a.length === 0 || a[a.length - 1].time <= item.time) a.push(item);
    else a.splice(upperBound(a, item.time), 0, item);
  }

  /** Marks `item` dead in this index. Call once per index the item was added to (an item may be
   * in several indexes under one flag: each counts it once). */
  kill(key: string, item: T): void {
    item.dead = true;
    const l = this.lists.get(key);
    if (l === undefined) return;
    if (!(l instanceof List)) {
      if (l.dead) this.lists.delete(key);
      return;
    }
    if (++l.dead * 2 > l.items.length) {
      l.items = l.items.filter((x) => !x.dead);
      l.dead = 0;
      if (l.items.length === 0) this.lists.delete(key);
    }
  }

  /** The sorted items of `key` (dead ones included), or null. */
  private itemsOf(key: string): readonly T[] | null {
    const l = this.lists.get(key);
    if (l === undefined) return null;
    return l instanceof List ? l.items : [l];
  }

  /** Calls `fn` for the live items of `key` with from <= time <= to, in time order, until it
   * returns true. (Callbacks, not generators: this runs per candidate connection and a generator
   * allocates per item.) */
  range(key: string, from: number, to: number, fn: (item: T) => boolean | void): void {
    const l = this.lists.get(key);
    if (l === undefined) return;
    if (!(l instanceof List)) {
      if (!l.dead && l.time >= from && l.time <= to) fn(l);
      return;
    }
    const a = l.items;
    for (let i = lowerBound(a, from); i < a.length && a[i].time <= to; i++) if (!a[i].dead && fn(a[i]) === true) return;
  }

  /** Calls `fn` for the live items of `key` with time <= to, latest first, until it returns true. */
  before(key: string, to: number, fn: (item: T) => boolean | void): void {
    const l = this.lists.get(key);
    if (l === undefined) return;
    if (!(l instanceof List)) {
      if (!l.dead && l.time <= to) fn(l);
      return;
    }
    const a = l.items;
    for (let i = upperBound(a, to) - 1; i >= 0; i--) if (!a[i].dead && fn(a[i]) === true) return;
  }

  /** Calls `fn` for the live items of `key` with from < time <= to, earliest first, until it returns true. */
  after(key: string, from: number, to: number, fn: (item: T) => boolean | void): void {
    const l = this.lists.get(key);
    if (l === undefined) return;
    if (!(l instanceof List)) {
      if (!l.dead && l.time > from && l.time <= to) fn(l);
      return;
    }
    const a = l.items;
    for (let i = upperBound(a, from); i < a.length && a[i].time <= to; i++) if (!a[i].dead && fn(a[i]) === true) return;
  }

  /** The latest live item of `key` with time <= to, or null. */
  latest(key: string, to: number): T | null {
    const l = this.lists.get(key);
    if (l === undefined) return null;
    if (!(l instanceof List)) return !l.dead && l.time <= to ? l : null;
    const a = l.items;
    for (let i = upperBound(a, to) - 1; i >= 0; i--) if (!a[i].dead) return a[i];
    return null;
  }

  /** The sorted items of `key` (dead ones included: check `dead`) and the index range [lo, hi)
   * of those with from <= time <= to, for loops that must not allocate a callback per call. */
  window(key: string, from: number, to: number): { items: readonly T[]; lo: number; hi: number } | null {
    const items = this.itemsOf(key);
    if (items === null) return null;
    return { items, lo: lowerBound(items, from), hi: upperBound(items, to) };
  }

  has(key: string): boolean {
    return this.lists.has(key);
  }
}

/** First index whose time >= t. */
function lowerBound<T extends Timed>(a: readonly T[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time > t. */
function upperBound<T extends Timed>(a: readonly T[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
