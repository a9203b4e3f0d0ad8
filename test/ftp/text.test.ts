/**
 * Wire text (src/ftp/text.ts): UTF-8 where valid (RFC 2640), every other byte an escaped byte
 * (U+DC00+b), checked against a naive oracle built on the platform's strict decoder; and how each
 * report format shows an escaped byte.
 */
import { describe, it, expect } from 'vitest';
import { showBytes, wireString } from '../../src/ftp/text.js';
import { termSafe, wireText } from '../../src/report/escape.js';
import { esc } from '../../src/report/html.js';
import { escapeText, unescapeText } from '../../src/report/xml.js';
import { detach } from '../../src/ftp/commands.js';
import { naiveWireText } from '../helpers/wire-text.js';

const w = (b: Buffer): string => wireString(b, 0, b.length);

describe('wireString', () => {
  it.each([
    ['ASCII', Buffer.from('USER anonymous'), 'USER anonymous'],
    ['UTF-8 (2, 3 and 4 bytes)', Buffer.from('josé café ✓ 𝄞', 'utf8'), 'josé café ✓ 𝄞'],
    ['a Latin-1 byte', Buffer.from('caf\xe9.txt', 'latin1'), 'caf\udce9.txt'],
    ['a sequence cut short at the end', Buffer.from([0x61, 0xe2, 0x82]), 'a\udce2\udc82'],
    ['an overlong form (C0 AF = "/")', Buffer.from([0xc0, 0xaf]), '\udcc0\udcaf'],
    ['an encoded surrogate (ED A0 80)', Buffer.from([0xed, 0xa0, 0x80]), '\udced\udca0\udc80'],
    ['past U+10FFFF (F4 90 80 80)', Buffer.from([0xf4, 0x90, 0x80, 0x80]), '\udcf4\udc90\udc80\udc80'],
    ['a stray continuation byte between characters', Buffer.from([0xc3, 0xa9, 0x80, 0x41]), 'é\udc80A'],
  ])('%s', (_name, bytes, text) => {
    expect(w(bytes)).toBe(text);
    expect(w(bytes)).toBe(naiveWireText(bytes));
  });

  it('agrees with the naive oracle on 3,000 random byte strings biased to UTF-8 lead and continuation bytes', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const pool = [0x41, 0x2f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let k = 0; k < 3000; k++) {
      const b = Buffer.from(Array.from({ length: 1 + rnd(12) }, () => (rnd(3) === 0 ? rnd(256) : pool[rnd(pool.length)])));
      expect(w(b)).toBe(naiveWireText(b));
    }
  });

  it('keeps a byte range of a larger buffer to itself', () => {
    const b = Buffer.from('xxé\xffyy', 'latin1');
    expect(wireString(b, 2, 4)).toBe('\udce9\udcff');
  });
});

describe('escaped bytes in every report format', () => {
  const s = w(Buffer.from('caf\xe9 \\x41.txt', 'latin1')); // an escaped byte and a literal backslash
  it('terminal: \\xNN, a literal backslash doubled, so the two differ', () => {
    expect(termSafe(s)).toBe('caf\\xe9 \\\\x41.txt');
    expect(termSafe('josé')).toBe('josé');
  });
  it('HTML: the byte as \\xNN', () => {
    expect(esc(s)).toBe('caf\\xe9 \\x41.txt');
  });
  it('XML: \\uDCE9 in an escaped text, read back to the same string', () => {
    expect(escapeText(s)).toBe('caf\\uDCE9 \\\\x41.txt');
    expect(unescapeText(escapeText(s))).toBe(s);
  });
  it('JSON: \\udce9, read back to the same string', () => {
    expect(JSON.stringify(s)).toBe('"caf\\udce9 \\\\x41.txt"');
    expect(JSON.parse(JSON.stringify(s))).toBe(s);
  });
  it('showBytes, as --extract names and the terminal show it; detach keeps escaped bytes', () => {
    expect(showBytes(s)).toBe('caf\\xe9 \\x41.txt');
    expect(showBytes('𝄞')).toBe('𝄞');
    expect(detach(`${s}${'y'.repeat(20)}`, 100)).toBe(`${s}${'y'.repeat(20)}`);
  });
  it('wireText (banners) cuts at its bound before a UTF-8 sequence, not inside it', () => {
    const b = Buffer.from('220 café', 'utf8');
    expect(wireText(b, 0, b.length, 8)).toBe('220 caf');
    expect(wireText(b, 0, b.length, 9)).toBe('220 café');
  });
});
