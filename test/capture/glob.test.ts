/** src/capture/glob.ts: one segment's matcher and the split into a base directory and segments, as sh means them. */
import { describe, it, expect } from 'vitest';
import { hasGlobMagic, parseGlob, segmentRegExp } from '../../src/capture/glob.js';

describe('segmentRegExp', () => {
  const cases: { pattern: string; match: string[]; miss: string[] }[] = [
    { pattern: '*.pcap*', match: ['a.pcap', 'a.pcap0', 'a.pcap.gz', 'x.pcap'], miss: ['a.pcng', '.a.pcap', 'a.pca'] },
    { pattern: 'rot_0000?.pcap', match: ['rot_00001.pcap', 'rot_0000x.pcap'], miss: ['rot_00012.pcap', 'rot_0000.pcap'] },
    { pattern: 'x[0-2].pcap', match: ['x0.pcap', 'x2.pcap'], miss: ['x3.pcap', 'x-.pcap'] },
    { pattern: 'x[!0-2].pcap', match: ['x3.pcap', 'xa.pcap'], miss: ['x1.pcap'] },
    { pattern: 'x[^0-2].pcap', match: ['x3.pcap'], miss: ['x0.pcap'] },
    { pattern: 'x[]a].pcap', match: ['x].pcap', 'xa.pcap'], miss: ['xb.pcap'] },
    { pattern: 'x[a-].pcap', match: ['xa.pcap', 'x-.pcap'], miss: ['xb.pcap'] },
    { pattern: 'x[.pcap', match: ['x[.pcap'], miss: ['xa.pcap'] },
    { pattern: 'a\\*b', match: ['a*b'], miss: ['axb'] },
    { pattern: 'a(1)+$.pcap', match: ['a(1)+$.pcap'], miss: ['a1.pcap'] },
    { pattern: '[d]ump', match: ['dump'], miss: ['Dump'] },
    { pattern: '[\\d]ump', match: ['dump'], miss: ['1ump'] },
    { pattern: '.*', match: ['.hidden', '.x.pcap'], miss: ['x.pcap'] },
    { pattern: '?ump', match: ['üump', 'eump'], miss: ['.ump', 'ump'] },
  ];
  for (const c of cases) {
    it(`${c.pattern}`, () => {
      const re = segmentRegExp(c.pattern);
      for (const m of c.match) expect(re.test(m), m).toBe(true);
      for (const m of c.miss) expect(re.test(m), m).toBe(false);
    });
  }
});

describe('parseGlob', () => {
  it('starts at the deepest directory without a wildcard', () => {
    const g = parseGlob('/archive/2026-11/*.pcap');
    expect(g.base).toBe('/archive/2026-11');
    expect(g.segments.map((s) => s.kind)).toEqual(['match']);
  });
  it('keeps literal segments after the first wildcard, folds ** runs, and starts at . for a relative pattern', () => {
    const g = parseGlob('tap*/**/**/eth0/x.pcap');
    expect(g.base).toBe('.');
    expect(g.segments.map((s) => (s.kind === 'literal' ? s.name : s.kind))).toEqual(['match', 'globstar', 'eth0', 'x.pcap']);
  });
  it('unescapes the base', () => {
    expect(parseGlob('a\\[1\\]/*.pcap').base).toBe('a[1]');
  });
  it('tells patterns from names', () => {
    expect(hasGlobMagic('/archive/x.pcap')).toBe(false);
    expect(hasGlobMagic('a\\*b')).toBe(false);
    expect(hasGlobMagic('/archive/*.pcap')).toBe(true);
    expect(hasGlobMagic('x[01]')).toBe(true);
  });
});
