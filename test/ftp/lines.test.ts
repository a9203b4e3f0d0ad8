import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter, type LineInfo } from '../../src/ftp/lines.js';
import { MAX_CONTROL_LINE_BYTES } from '../../src/limits.js';
import { naiveWireText } from '../helpers/wire-text.js';

interface Got {
  line: string;
  info: LineInfo;
}

function collect(options: { maxLineBytes?: number; startOffset?: number } = {}): { s: LineSplitter; got: Got[] } {
  const got: Got[] = [];
  const s = new LineSplitter((line, info) => got.push({ line, info: { ...info } }), options);
  return { s, got };
}

/** Feed `chunks` (latin1 strings or buffers) as frames 1, 2, 3..., then end(). */
function split(chunks: (string | Buffer)[], options: { maxLineBytes?: number } = {}): { s: LineSplitter; got: Got[] } {
  const r = collect(options);
  chunks.forEach((c, i) => {
    const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
    r.s.push(b, 0, b.length, i + 1);
  });
  r.s.end();
  return r;
}

const lines = (g: Got[]): string[] => g.map((x) => x.line);
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('LineSplitter: line ends', () => {
  const cases: { name: string; input: (string | Buffer)[]; expect: string[] }[] = [
    { name: 'CRLF', input: ['USER ftplab\r\nPASS labpass\r\n'], expect: ['USER ftplab', 'PASS labpass'] },
    { name: 'bare LF', input: ['USER a\nPASS b\n'], expect: ['USER a', 'PASS b'] },
    { name: 'mixed CRLF and LF', input: ['USER a\r\nPASS b\nSYST\r\n'], expect: ['USER a', 'PASS b', 'SYST'] },
    { name: 'CR split from LF across chunks', input: ['USER a\r', '\nPASS b\r\n'], expect: ['USER a', 'PASS b'] },
    { name: 'line split mid-word', input: ['US', 'ER a', '\r\n'], expect: ['USER a'] },
    { name: 'LF alone in a chunk', input: ['NOOP\r', '\n', 'QUIT\r\n'], expect: ['NOOP', 'QUIT'] },
    { name: 'bare CR inside a line is kept', input: ['SITE a\rb\r\n'], expect: ['SITE a\rb'] },
    { name: 'CR NUL is a bare CR (RFC 854)', input: ['SITE a\r\0b\r\n'], expect: ['SITE a\rb'] },
    { name: 'CR NUL before LF stays a CR', input: ['SITE a\r\0\r\n', 'X\r\0\n'], expect: ['SITE a\r', 'X\r'] },
    { name: 'CR CR LF keeps one CR', input: ['NOOP\r\r\n'], expect: ['NOOP\r'] },
    { name: 'empty lines are delivered', input: ['\r\n\nNOOP\r\n'], expect: ['', '', 'NOOP'] },
    {
      name: 'pipelined commands in one chunk',
      input: ['TYPE I\r\nPASV\r\nRETR big.bin\r\nQUIT\r\n'],
      expect: ['TYPE I', 'PASV', 'RETR big.bin', 'QUIT'],
    },
    {
      name: 'multi-line reply split across segments',
      input: ['230-Welcome\r\n230-in', 'ner\r\n230 Login successful.\r', '\n'],
      expect: ['230-Welcome', '230-inner', '230 Login successful.'],
    },
    { name: 'UTF-8 is read as UTF-8 (RFC 2640)', input: [Buffer.from('RETR café/josé ✓ 𝄞.txt\r\n', 'utf8')], expect: ['RETR café/josé ✓ 𝄞.txt'] },
    { name: 'a byte that is not UTF-8 is kept as an escaped byte (U+DC00 + byte)', input: ['RETR caf\xe9.txt\r\n'], expect: ['RETR caf\udce9.txt'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { got, s } = split(c.input);
      expect(lines(got)).toEqual(c.expect);
      expect(got.every((g) => !g.info.truncated && !g.info.unterminated)).toBe(true);
      expect(s.counters.lines).toBe(c.expect.length);
    });
  }

  it('dates each line by the frame and stream offset of its first byte', () => {
    const { got } = split(['USER a\r\nPA', 'SS b\r\n', '\r\nQUIT\r\n']);
    expect(got.map((g) => [g.line, g.info.frame, g.info.offset])).toEqual([
      ['USER a', 1, 0],
      ['PASS b', 1, 8],
      ['', 3, 16],
      ['QUIT', 3, 18],
    ]);
  });

  it('honours push offsets inside a larger buffer and a start offset', () => {
    const { s, got } = collect({ startOffset: 1000 });
    const b = Buffer.from('xxxxNOOP\r\nQUIT\r\nyyyy', 'latin1');
    s.push(b, 4, 6, 7); // "NOOP\r\n"
    s.push(b, 10, 6, 8); // "QUIT\r\n"
    s.end();
    expect(got.map((g) => [g.line, g.info.frame, g.info.offset])).toEqual([
      ['NOOP', 7, 1000],
      ['QUIT', 8, 1006],
    ]);
    expect(s.offset).toBe(1012);
  });

  it('copies: the pushed buffer may be overwritten after the call', () => {
    const { s, got } = collect();
    const b = Buffer.from('RETR a', 'latin1');
    s.push(b, 0, b.length, 1);
    b.fill(0x41);
    const rest = Buffer.from('bc\r\n', 'latin1');
    s.push(rest, 0, rest.length, 2);
    expect(lines(got)).toEqual(['RETR abc']);
  });
});

describe('LineSplitter: Telnet IAC (RFC 854)', () => {
  const cases: { name: string; input: Buffer[]; expect: string[]; commands: number }[] = [
    {
      // fixtures/08-abort.pcap frames 149-150 (curl's ABOR): IAC IP, then IAC DM split across segments.
      name: 'real ABOR Synch from fixtures/08-abort.pcap: ff f4 ff | f2 ABOR',
      input: [hex('fff4ff'), hex('f241424f520d0a')],
      expect: ['ABOR'],
      commands: 2,
    },
    { name: 'IAC IP IAC DM ABOR in one chunk', input: [hex('fff4fff2'), Buffer.from('ABOR\r\n')], expect: ['ABOR'], commands: 2 },
    { name: 'IAC IAC is one 0xff byte', input: [Buffer.from('RETR a\xff\xffb\r\n', 'latin1')], expect: ['RETR a\udcffb'], commands: 0 },
    { name: 'IAC IAC split across chunks', input: [Buffer.from('RETR a\xff', 'latin1'), Buffer.from('\xffb\r\n', 'latin1')], expect: ['RETR a\udcffb'], commands: 0 },
    { name: 'IAC DO x dropped', input: [hex('fffd01'), Buffer.from('NOOP\r\n')], expect: ['NOOP'], commands: 1 },
    { name: 'IAC WILL x split after IAC', input: [hex('ff'), hex('fb03'), Buffer.from('NOOP\r\n')], expect: ['NOOP'], commands: 1 },
    { name: 'IAC WONT x split before option', input: [hex('fffc'), hex('18'), Buffer.from('NOOP\r\n')], expect: ['NOOP'], commands: 1 },
    { name: 'IAC DONT with LF as option code is dropped, not a line end', input: [hex('fffe0a'), Buffer.from('NOOP\r\n')], expect: ['NOOP'], commands: 1 },
    { name: 'IAC inside a command', input: [Buffer.from('RE\xff\xf1TR x\r\n', 'latin1')], expect: ['RETR x'], commands: 1 },
    { name: 'IAC NOP / AYT / GA dropped', input: [hex('fff1fff6fff9'), Buffer.from('STAT\r\n')], expect: ['STAT'], commands: 3 },
    { name: 'IAC before CRLF', input: [Buffer.from('QUIT\xff\xf4\r\n', 'latin1')], expect: ['QUIT'], commands: 1 },
    { name: 'IAC between CR and LF keeps the CRLF', input: [Buffer.from('QUIT\r\xff\xf1\n', 'latin1')], expect: ['QUIT'], commands: 1 },
    { name: 'stray IAC before a plain byte drops only the IAC', input: [Buffer.from('RETR \xffa\r\n', 'latin1')], expect: ['RETR a'], commands: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { got, s } = split(c.input);
      expect(lines(got)).toEqual(c.expect);
      expect(s.counters.telnetCommands).toBe(c.commands);
    });
  }

  it('dates ABOR by the segment carrying its text, not the IAC IP before it', () => {
    const { got } = split([hex('fff4ff'), hex('f241424f520d0a')]);
    expect(got[0].info).toMatchObject({ frame: 2, offset: 4 });
  });

  it('an escaped 0xff starting a line is dated by its first IAC', () => {
    const { got } = split([Buffer.from('\xff', 'latin1'), Buffer.from('\xffX\r\n', 'latin1')]);
    expect(got[0]).toMatchObject({ line: '\udcffX', info: { frame: 1, offset: 0 } });
  });
});

describe('LineSplitter: bounds', () => {
  it(`cuts a long line at the bound, delivers it once, skips the rest to LF`, () => {
    const { got, s } = split(['SITE ' + 'a'.repeat(20) + '\r\nNOOP\r\n'], { maxLineBytes: 10 });
    expect(got.map((g) => [g.line, g.info.truncated])).toEqual([
      ['SITE aaaaa', true],
      ['NOOP', false],
    ]);
    expect(s.counters.truncated).toBe(1);
  });

  const boundary: { name: string; input: string; expect: [string, boolean][] }[] = [
    { name: 'exactly the bound + CRLF is whole', input: '0123456789\r\n', expect: [['0123456789', false]] },
    { name: 'exactly the bound + LF is whole', input: '0123456789\n', expect: [['0123456789', false]] },
    { name: 'one byte over is cut', input: '0123456789X\r\n', expect: [['0123456789', true]] },
    { name: 'bound + bare CR + byte is cut', input: '0123456789\rX\r\n', expect: [['0123456789', true]] },
    { name: 'cut line followed by lines', input: '0123456789XYZ\nA\nB\n', expect: [['0123456789', true], ['A', false], ['B', false]] },
  ];
  for (const c of boundary) {
    it(c.name, () => {
      const { got } = split([c.input], { maxLineBytes: 10 });
      expect(got.map((g) => [g.line, g.info.truncated])).toEqual(c.expect);
    });
  }

  it('a 1 MB line fed in 64 KiB chunks: one truncated line, memory bounded, next line intact', () => {
    const { s, got } = collect();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    chunk.write('STOR ', 0, 'latin1');
    s.push(chunk, 0, chunk.length, 1);
    chunk.fill(0x61);
    for (let i = 2; i <= 16; i++) s.push(chunk, 0, chunk.length, i);
    const tail = Buffer.from('\r\nQUIT\r\n', 'latin1');
    s.push(tail, 0, tail.length, 17);
    s.end();
    expect(got).toHaveLength(2);
    expect(got[0].line.length).toBe(MAX_CONTROL_LINE_BYTES);
    expect(got[0].line.startsWith('STOR aaa')).toBe(true);
    expect(got[0].info).toMatchObject({ truncated: true, frame: 1, offset: 0 });
    expect(got[1]).toMatchObject({ line: 'QUIT', info: { truncated: false, frame: 17, offset: 1024 * 1024 + 2 } });
    expect(s.counters.truncated).toBe(1);
    // The splitter's own buffer never grows past the bound.
    expect((s as unknown as { buf: Buffer }).buf.length).toBeLessThanOrEqual(MAX_CONTROL_LINE_BYTES);
  });

  it('a truncated line still being skipped at end() is not delivered again', () => {
    const { got, s } = split(['x'.repeat(30)], { maxLineBytes: 10 });
    expect(got).toHaveLength(1);
    expect(s.counters.unterminated).toBe(0);
  });
});

describe('LineSplitter: gaps and end', () => {
  it('gap delivers the partial line before it as truncated and flags the next line', () => {
    const { s, got } = collect();
    const a = Buffer.from('USER a\r\n150 Opening BINARY mode data connection for medium.bin', 'latin1');
    s.push(a, 0, a.length, 1);
    s.gap(20);
    const b = Buffer.from('226 Transfer complete.\r\nQUIT\r\n', 'latin1');
    s.push(b, 0, b.length, 3);
    s.end();
    expect(got.map((g) => [g.line, g.info.truncated, g.info.afterGap, g.info.offset])).toEqual([
      ['USER a', false, false, 0],
      // A snap length cut the 150 before its "(65536 bytes)": its code is still worth having.
      ['150 Opening BINARY mode data connection for medium.bin', true, false, 8],
      ['226 Transfer complete.', false, true, a.length + 20],
      ['QUIT', false, false, a.length + 20 + 24],
    ]);
    expect(s.counters.discardedByGap).toBe(1);
  });

  it('midStream flags the first line only', () => {
    const got: [string, boolean][] = [];
    const s = new LineSplitter((l, i) => got.push([l, i.afterGap]), { midStream: true });
    const b = Buffer.from('sive Mode (1,2,3,4,5,6).\r\n226 Transfer complete.\r\n', 'latin1');
    s.push(b, 0, b.length, 9);
    expect(got).toEqual([
      ['sive Mode (1,2,3,4,5,6).', true],
      ['226 Transfer complete.', false],
    ]);
  });

  it('gap at a line boundary discards nothing', () => {
    const { s, got } = collect();
    const a = Buffer.from('NOOP\r\n', 'latin1');
    s.push(a, 0, a.length, 1);
    s.gap(6);
    s.push(a, 0, a.length, 2);
    expect(lines(got)).toEqual(['NOOP', 'NOOP']);
    expect(s.counters.discardedByGap).toBe(0);
  });

  it('gap resets a Telnet sequence in progress', () => {
    const { s, got } = collect();
    s.push(hex('fffd'), 0, 2, 1);
    s.gap(1);
    const b = Buffer.from('NOOP\r\n', 'latin1');
    s.push(b, 0, b.length, 2);
    expect(lines(got)).toEqual(['NOOP']);
  });

  const ends: { name: string; input: string; expect: [string, boolean][] }[] = [
    { name: 'unterminated final line is flushed and flagged', input: 'NOOP\r\nQUI', expect: [['NOOP', false], ['QUI', true]] },
    { name: 'final CR without LF is kept', input: 'QUIT\r', expect: [['QUIT\r', true]] },
    { name: 'final CR past the bound: one truncated line only', input: 'QUITQUITQU\r', expect: [['QUITQUITQU', false]] },
    { name: 'nothing pending: nothing flushed', input: 'QUIT\r\n', expect: [['QUIT', false]] },
  ];
  for (const c of ends) {
    it(c.name, () => {
      const { got } = split([c.input], { maxLineBytes: 10 });
      expect(got.map((g) => [g.line, g.info.unterminated])).toEqual(c.expect);
    });
  }

  it('end() is idempotent and later pushes are ignored', () => {
    const { s, got } = collect();
    s.push(Buffer.from('A'), 0, 1, 1);
    s.end();
    s.end();
    s.push(Buffer.from('B\n'), 0, 2, 2);
    expect(lines(got)).toEqual(['A']);
  });
});

/** The whole stream in one push. */
function whole(bytes: Uint8Array, max: number): [string, boolean, boolean, number][] {
  const { got } = split([Buffer.from(bytes)], { maxLineBytes: max });
  return got.map((g) => [g.line, g.info.truncated, g.info.unterminated, g.info.offset]);
}

/**
 * An independent, deliberately naive model of the splitter's contract (DESIGN: decode Telnet
 * first, then split the data bytes into lines), for the property test below.
 */
function reference(bytes: Uint8Array, max: number): [string, boolean, boolean, number][] {
  // 1. Telnet (RFC 854): data bytes with the offset each is dated by.
  const data: [number, number][] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0xff) {
      data.push([bytes[i], i]);
      continue;
    }
    if (i + 1 >= bytes.length) break; // IAC at the very end: incomplete
    const c = bytes[i + 1];
    if (c === 0xff) data.push([0xff, i]);
    else if (c >= 0xfb && c <= 0xfe) i++; // option code skipped below
    else if (c < 0xf0) data.push([c, i + 1]);
    i++;
  }
  // 2. CR NUL -> CR.
  const conv: [number, number][] = [];
  for (let k = 0; k < data.length; k++) {
    // A NUL right after a CR data byte is dropped (RFC 854: CR NUL is a bare CR), and that CR
    // is data for good: marked 0x10d so a following LF does not strip it.
    if (data[k][0] === 0x00 && k > 0 && data[k - 1][0] === 0x0d) {
      conv[conv.length - 1] = [0x10d, conv[conv.length - 1][1]];
      continue;
    }
    conv.push(data[k]);
  }
  // 3. Lines.
  const out: [string, boolean, boolean, number][] = [];
  let cur: [number, number][] = [];
  const put = (content: number[], start: number, terminated: boolean): void => {
    const text = (xs: number[]): string => naiveWireText(xs.map((x) => x & 0xff));
    if (content.length > max) out.push([text(content.slice(0, max)), true, false, start]);
    else out.push([text(content), false, !terminated, start]);
  };
  for (const d of conv) {
    if (d[0] === 0x0a) {
      const content = cur.map((x) => x[0]);
      if (content.length > 0 && content[content.length - 1] === 0x0d) content.pop();
      put(content, cur.length > 0 ? cur[0][1] : d[1], true);
      cur = [];
    } else cur.push(d);
  }
  if (cur.length > 0) put(cur.map((x) => x[0]), cur[0][1], false);
  return out;
}

describe('LineSplitter: property', () => {
  it('the naive reference model agrees on the table cases', () => {
    const input = Buffer.from('USER a\r\n\xff\xf4\xff\xf2ABOR\r\nRE\xff\xffT\r\0X\n' + 'y'.repeat(30) + '\r\nQUI', 'latin1');
    expect(whole(input, 10)).toEqual(reference(input, 10));
  });


  // Bytes biased towards the interesting ones: CR, LF, IAC, Telnet commands, NUL.
  const byte = fc.oneof(
    fc.constantFrom(0x0a, 0x0d, 0xff, 0xf4, 0xf2, 0xfb, 0xfd, 0x00),
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0, max: 255 }),
  );

  it('any chunking of the same byte stream yields the same lines', () => {
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 400 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 40 }),
        (arr, cuts, max) => {
          const bytes = Uint8Array.from(arr);
          const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
          const { s, got } = collect({ maxLineBytes: max });
          // Chunks are pushed from inside one larger buffer to exercise `off`.
          const big = Buffer.concat([Buffer.from('junk'), Buffer.from(bytes), Buffer.from('junk')]);
          let prev = 0;
          for (const p of [...points, bytes.length]) {
            s.push(big, 4 + prev, p - prev, 1);
            prev = p;
          }
          s.end();
          const chunked = got.map((g): [string, boolean, boolean, number] => [g.line, g.info.truncated, g.info.unterminated, g.info.offset]);
          expect(chunked).toEqual(whole(bytes, max));
          expect(chunked).toEqual(reference(bytes, max));
          for (const g of got) expect(g.line.length).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
