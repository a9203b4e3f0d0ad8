import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplyAssembler, parseReplyLine, replyClass, type Reply, type ReplyLine, startsWithGreeting } from '../../src/ftp/replies.js';
import { LineSplitter } from '../../src/ftp/lines.js';
import { MAX_REPLY_LINES } from '../../src/limits.js';

describe('parseReplyLine', () => {
  const cases: { input: string; expect: ReplyLine | null }[] = [
    // Real vsftpd / pyftpdlib lines (fixtures/01-passive.pcap, 02-active.pcap, 13-lossy-*.pcap).
    { input: '220 ftp-pcap lab vsftpd ready', expect: { code: 220, final: true, text: 'ftp-pcap lab vsftpd ready' } },
    { input: '227 Entering Passive Mode (198,51,100,20,117,48).', expect: { code: 227, final: true, text: 'Entering Passive Mode (198,51,100,20,117,48).' } },
    { input: '331 Username ok, send password.', expect: { code: 331, final: true, text: 'Username ok, send password.' } },
    { input: '211-Features:', expect: { code: 211, final: false, text: 'Features:' } },
    { input: '211 End', expect: { code: 211, final: true, text: 'End' } },
    { input: '425 Failed to establish connection.', expect: { code: 425, final: true, text: 'Failed to establish connection.' } },
    // Edge forms.
    { input: '200', expect: { code: 200, final: true, text: '' } },
    { input: '200 ', expect: { code: 200, final: true, text: '' } },
    { input: '230-', expect: { code: 230, final: false, text: '' } },
    { input: '631 base64data', expect: { code: 631, final: true, text: 'base64data' } },
    // Not replies.
    { input: '', expect: null },
    { input: '22', expect: null },
    { input: '2200 x', expect: null },
    { input: '220x', expect: null },
    { input: '020 x', expect: null },
    { input: '720 x', expect: null },
    { input: ' 220 x', expect: null },
    { input: 'USER ftplab', expect: null },
    { input: '     Connected to 192.0.2.10', expect: null },
    { input: '2a0 x', expect: null },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.input), () => expect(parseReplyLine(c.input)).toEqual(c.expect));
  }
});

describe('replyClass', () => {
  const cases: { input: number; expect: number }[] = [
    { input: 150, expect: 1 },
    { input: 226, expect: 2 },
    { input: 331, expect: 3 },
    { input: 425, expect: 4 },
    { input: 550, expect: 5 },
    { input: 631, expect: 6 },
  ];
  for (const c of cases) it(String(c.input), () => expect(replyClass(c.input)).toBe(c.expect));
});

function assemble(lines: (string | [string, number])[], options = {}): { replies: Reply[]; garbage: [string, number][]; a: ReplyAssembler } {
  const replies: Reply[] = [];
  const garbage: [string, number][] = [];
  const a = new ReplyAssembler((r) => replies.push(r), (l, f) => garbage.push([l, f]), options);
  lines.forEach((l, i) => (typeof l === 'string' ? a.push(l, i + 1) : a.push(l[0], l[1])));
  a.end();
  return { replies, garbage, a };
}

const brief = (r: Reply): [number, string, number, boolean] => [r.code, r.text, r.lines, r.multiline];

describe('ReplyAssembler', () => {
  const cases: { name: string; input: string[]; expect: [number, string, number, boolean][] }[] = [
    {
      name: 'one-line replies (real vsftpd session)',
      input: ['220 ftp-pcap lab vsftpd ready', '331 Please specify the password.', '230 Login successful.'],
      expect: [
        [220, 'ftp-pcap lab vsftpd ready', 1, false],
        [331, 'Please specify the password.', 1, false],
        [230, 'Login successful.', 1, false],
      ],
    },
    {
      name: 'real vsftpd FEAT (fixtures/13-lossy-server-side.pcap)',
      input: ['211-Features:', ' EPRT', ' EPSV', ' MDTM', ' PASV', ' REST STREAM', ' SIZE', ' TVFS', '211 End'],
      expect: [[211, 'Features:\n EPRT\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n TVFS\nEnd', 9, true]],
    },
    {
      name: 'real vsftpd STAT: inner lines with digits (fixtures/13-lossy-server-side.pcap)',
      input: [
        '211-FTP server status:',
        '     Connected to 192.0.2.10',
        '     Session timeout in seconds is 300',
        '     vsFTPd 3.0.3 - secure, fast, stable',
        '211 End of status',
      ],
      expect: [
        [211, 'FTP server status:\n     Connected to 192.0.2.10\n     Session timeout in seconds is 300\n     vsFTPd 3.0.3 - secure, fast, stable\nEnd of status', 5, true],
      ],
    },
    {
      name: 'RFC 959 §4.2 example: an inner line beginning with another code',
      input: ['123-First line', 'Second line', '  234 A line beginning with numbers', '123 The last line'],
      expect: [[123, 'First line\nSecond line\n  234 A line beginning with numbers\nThe last line', 4, true]],
    },
    {
      name: 'inner lines that look like replies with another code do not end it',
      input: ['230-Welcome', '220 not the end', '230is not the end either', '211-nor this', '230 Login successful.'],
      expect: [[230, 'Welcome\n220 not the end\n230is not the end either\n211-nor this\nLogin successful.', 5, true]],
    },
    {
      name: 'Microsoft style: every inner line repeats ddd-',
      input: ['211-Extensions supported:', '211- SIZE', '211-MDTM', '211 END'],
      expect: [[211, 'Extensions supported:\n SIZE\nMDTM\nEND', 4, true]],
    },
    {
      name: 'multi-line 230 with digits inside, then a one-line reply',
      input: ['230-User ftplab has 3 files', '230-2026 quota: 100 MB', '230 Login successful.', '200 Switching to Binary mode.'],
      expect: [
        [230, 'User ftplab has 3 files\n2026 quota: 100 MB\nLogin successful.', 3, true],
        [200, 'Switching to Binary mode.', 1, false],
      ],
    },
    {
      name: 'multi-line 227',
      input: ['227-Entering Passive Mode', '227 (198,51,100,20,117,48)'],
      expect: [[227, 'Entering Passive Mode\n(198,51,100,20,117,48)', 2, true]],
    },
    {
      name: 'last line with the bare code',
      input: ['220-hello', 'there', '220'],
      expect: [[220, 'hello\nthere\n', 3, true]],
    },
    {
      name: 'empty inner lines are kept',
      input: ['220-banner', '', '220 ready'],
      expect: [[220, 'banner\n\nready', 3, true]],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { replies, garbage } = assemble(c.input);
      expect(replies.map(brief)).toEqual(c.expect);
      expect(garbage).toEqual([]);
      expect(replies.every((r) => r.complete)).toBe(true);
    });
  }

  it('dates a reply by its first and last line', () => {
    const { replies } = assemble([
      ['211-Features:', 40],
      [' EPSV', 41],
      ['211 End', 43],
    ]);
    expect(replies[0]).toMatchObject({ frame: 40, endFrame: 43, multiline: true });
  });

  it('garbage outside a reply is reported and counted; empty lines are ignored', () => {
    const { replies, garbage, a } = assemble(['hello', '', '220 ok', 'USER x', '2200 nope']);
    expect(replies.map(brief)).toEqual([[220, 'ok', 1, false]]);
    expect(garbage).toEqual([
      ['hello', 1],
      ['USER x', 4],
      ['2200 nope', 5],
    ]);
    expect(a.counters).toMatchObject({ garbage: 3, emptyLines: 1, replies: 1 });
  });

  it('a multi-line reply cut by end() is delivered incomplete', () => {
    const { replies, a } = assemble(['211-Features:', ' EPSV']);
    expect(replies).toEqual([
      { code: 211, text: 'Features:\n EPSV', lines: 2, frame: 1, endFrame: 2, multiline: true, complete: false, droppedLines: 0 },
    ]);
    expect(a.counters.incomplete).toBe(1);
  });

  it('gap() flushes an open multi-line reply so later replies are not swallowed', () => {
    const replies: Reply[] = [];
    const a = new ReplyAssembler((r) => replies.push(r));
    a.push('214-The following commands are recognized.', 1);
    expect(a.inReply).toBe(true);
    a.gap();
    expect(a.inReply).toBe(false);
    a.push('226 Transfer complete.', 3);
    expect(replies.map((r) => [r.code, r.complete])).toEqual([
      [214, false],
      [226, true],
    ]);
  });

  it(`keeps at most MAX_REPLY_LINES (${MAX_REPLY_LINES}) lines, always the last one`, () => {
    const inner = Array.from({ length: 1000 }, (_, i) => ` line ${i}`);
    const { replies, a } = assemble(['211-Status:', ...inner, '211 End of status']);
    const r = replies[0];
    expect(r.lines).toBe(1002);
    const kept = r.text.split('\n');
    expect(kept).toHaveLength(MAX_REPLY_LINES);
    expect(kept[0]).toBe('Status:');
    expect(kept[MAX_REPLY_LINES - 1]).toBe('End of status');
    expect(r.droppedLines).toBe(1002 - MAX_REPLY_LINES);
    expect(a.counters.droppedLines).toBe(r.droppedLines);
  });

  it('bounds the text by characters too', () => {
    const inner = Array.from({ length: 10 }, () => 'x'.repeat(100));
    const { replies } = assemble(['211-s', ...inner, '211 e'], { maxTextChars: 350 });
    expect(replies[0].text).toBe(['s', 'x'.repeat(100), 'x'.repeat(100), 'x'.repeat(100), 'e'].join('\n'));
    expect(replies[0].droppedLines).toBe(7);
  });
});

describe('LineSplitter + ReplyAssembler: a reply split across segments', () => {
  it('reassembles the real HELP reply of vsftpd delivered in many segments', () => {
    const replies: Reply[] = [];
    const a = new ReplyAssembler((r) => replies.push(r));
    const s = new LineSplitter((line, info) => a.push(line, info.frame));
    const segments = [
      '214-The following commands are recognized.\r\n',
      ' ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n',
      ' MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n',
      ' RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n',
      ' XPWD XRMD\r\n',
      '214 Help',
      ' OK.\r',
      '\n226 Transfer complete.\r\n',
    ];
    segments.forEach((seg, i) => {
      const b = Buffer.from(seg, 'latin1');
      s.push(b, 0, b.length, 100 + i);
    });
    s.end();
    a.end();
    expect(replies.map((r) => [r.code, r.lines, r.frame, r.endFrame])).toEqual([
      [214, 6, 100, 105],
      [226, 1, 107],
    ].map((x) => (x.length === 3 ? [x[0], x[1], x[2], x[2]] : x)));
    expect(replies[0].text.split('\n')[5]).toBe('Help OK.');
  });
});

describe('ReplyAssembler: property', () => {
  const line = fc.oneof(
    fc.constantFrom('211-Features:', ' EPSV', '211 End', '211', '230-', '230 ok', '220 x', '123-a', '123 b', '', 'garbage', '2200', '211-x'),
    fc.tuple(fc.integer({ min: 100, max: 699 }), fc.constantFrom(' ', '-', ''), fc.string({ maxLength: 8 })).map(([c, s, t]) => `${c}${s}${t}`),
    fc.string({ maxLength: 12 }),
  );
  it('every line is accounted for: in a reply, as garbage, or as an empty line', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.integer({ min: 2, max: 8 }), (lines, maxLines) => {
        const replies: Reply[] = [];
        const a = new ReplyAssembler((r) => replies.push(r), undefined, { maxLines });
        lines.forEach((l, i) => a.push(l, i));
        a.end();
        expect(a.inReply).toBe(false);
        const inReplies = replies.reduce((n, r) => n + r.lines, 0);
        expect(inReplies + a.counters.garbage + a.counters.emptyLines).toBe(lines.length);
        for (const r of replies) {
          expect(r.text.split('\n').length).toBe(r.lines - r.droppedLines);
          expect(r.text.split('\n').length).toBeLessThanOrEqual(maxLines);
          expect(r.endFrame).toBeGreaterThanOrEqual(r.frame);
          expect(r.multiline || r.lines === 1).toBe(true);
        }
        // Frames never go backwards from one reply to the next.
        for (let i = 1; i < replies.length; i++) expect(replies[i].frame).toBeGreaterThan(replies[i - 1].endFrame);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('startsWithGreeting', () => {
  const at = (text: string, off = 0): boolean => {
    const b = Buffer.from(`xx${text}`, 'latin1');
    return startsWithGreeting(b, 2 + off, b.length - 2 - off);
  };
  it.each([
    ['220 vsftpd ready\r\n', true],
    ['220-first line of a multi-line greeting\r\n', true],
    ['220 ', true],
    ['220', false], // too short to say
    ['2200 x', false],
    ['221 bye', false],
    ['120 wait', false],
    ['USER 220 x', false],
  ])('%j: %s', (text, want) => expect(at(text)).toBe(want));
  it('reads only within its length', () => {
    const b = Buffer.from('220 x', 'latin1');
    expect(startsWithGreeting(b, 0, 3)).toBe(false);
    expect(startsWithGreeting(b, 1, 4)).toBe(false);
  });
});
