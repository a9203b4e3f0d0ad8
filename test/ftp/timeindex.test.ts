import { describe, expect, it } from 'vitest';
import { TimeIndex, type Timed } from '../../src/ftp/timeindex.js';

interface Item extends Timed {
  readonly name: string;
}
const item = (name: string, time: number): Item => ({ name, time, dead: false });

function names(ix: TimeIndex<Item>, key: string, from: number, to: number): string[] {
  const out: string[] = [];
  ix.range(key, from, to, (x) => void out.push(x.name));
  return out;
}

describe('TimeIndex: a key with one item, then more', () => {
  it('finds a lone item by every query, within its window only', () => {
    const ix = new TimeIndex<Item>();
    const a = item('a', 10);
    ix.add('k', a);
    expect(names(ix, 'k', 0, 20)).toEqual(['a']);
    expect(names(ix, 'k', 11, 20)).toEqual([]);
    expect(ix.latest('k', 10)?.name).toBe('a');
    expect(ix.latest('k', 9)).toBeNull();
    const w = ix.window('k', 0, 20);
    expect(w).toMatchObject({ lo: 0, hi: 1 });
    expect(w?.items.map((x) => x.name)).toEqual(['a']);
    const after: string[] = [];
    ix.after('k', 10, 20, (x) => void after.push(x.name));
    expect(after).toEqual([]);
  });

  it('keeps time order when a second item arrives late, and after kills', () => {
    const ix = new TimeIndex<Item>();
    const b = item('b', 20);
    const a = item('a', 10);
    const c = item('c', 30);
    ix.add('k', b);
    ix.add('k', a);
    ix.add('k', c);
    expect(names(ix, 'k', 0, 100)).toEqual(['a', 'b', 'c']);
    ix.kill('k', b);
    expect(names(ix, 'k', 0, 100)).toEqual(['a', 'c']);
    ix.kill('k', a);
    ix.kill('k', c);
    expect(ix.has('k')).toBe(false);
  });

  it('drops a lone item killed here; one killed through another index is skipped until then', () => {
    const byResp = new TimeIndex<Item>();
    const byPair = new TimeIndex<Item>();
    const a = item('a', 10);
    byResp.add('r', a);
    byPair.add('p', a);
    byResp.kill('r', a);
    expect(byResp.has('r')).toBe(false);
    expect(byPair.has('p')).toBe(true);
    expect(names(byPair, 'p', 0, 20)).toEqual([]);
    expect(byPair.latest('p', 20)).toBeNull();
    // A live item joins the key whose lone item is dead: only it is found.
    byPair.add('p', item('b', 15));
    expect(names(byPair, 'p', 0, 20)).toEqual(['b']);
    byPair.kill('p', a);
    expect(names(byPair, 'p', 0, 20)).toEqual(['b']);
  });
});
