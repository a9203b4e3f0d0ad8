/**
 * `--format html` (src/report/html.ts) and the ladders (src/report/ladder.ts) without a browser:
 * the page's structure (one file, CSP that forbids anything external and allows the inline style
 * and script by their hash, well-formed XML), the ladders of the blocked-active and NAT-mismatch
 * lab captures, escaping of hand-built `<script>`-like strings, bounds on a hand-built
 * 10,000-command session, the timeline in the report (schema, redaction), and the text ladder
 * within 100 columns. The browser half is html-browser.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { Ajv } from 'ajv';
import { analyze } from '../../src/pipeline.js';
import { CSP, esc } from '../../src/report/html.js';
import { ladderOf, renderLadderText } from '../../src/report/ladder.js';
import { LADDER_MAX_ROWS, MAX_TIMELINE_ENTRIES } from '../../src/limits.js';
import { cli } from '../helpers/cli.js';
import { EVIL, handBuiltHostileCapture, handBuiltHostileSession, handBuiltLongSession, labPage, pageOf } from './html-helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };
const LAB = manifest.captures.map((c) => ({ name: c.file, files: (c.parts ?? [c]).map((p) => join('fixtures', p.file)) }));

const between = (s: string, open: string, close: string): string => {
  const a = s.indexOf(open);
  const b = s.indexOf(close, a + open.length);
  return a < 0 || b < 0 ? '' : s.slice(a + open.length, b);
};
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
const elements = (html: string): number => (html.match(/<[a-zA-Z]/g) ?? []).length;

function checkShell(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
  expect(CSP).toMatch(/^default-src 'none';/);
  // The inline style and script are exactly those the CSP's hashes allow.
  const style = between(html, '<style>', '</style>');
  const script = between(html, '<script>', '</script>');
  expect(CSP).toContain(`style-src 'sha256-${sha(style)}'`);
  expect(CSP).toContain(`script-src 'sha256-${sha(script)}'`);
  expect(html.match(/<script/g)).toHaveLength(1);
  expect(html.match(/<style/g)).toHaveLength(1);
  // Nothing external: no URL but the SVG namespace, no src attribute, no style attribute.
  expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/(https?|ftp):\/\//);
  expect(html).not.toMatch(/<[^>]*\ssrc=/);
  expect(html).not.toMatch(/<[^>]*\sstyle=/);
  expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
  // Well-formed XML too (XML tools can read it).
  expect(XMLValidator.validate(html)).toBe(true);
}

describe('html page of lab captures', () => {
  it('03-active-blocked: the unanswered SYNs, the diagnosis and the rule beside the failed connection', async () => {
    const html = await labPage(['fixtures/03-active-blocked.pcap']);
    checkShell(html);
    const s1 = between(html, '<section class="session failing" id="s1">', '</section>');
    const svg = between(s1, '<svg', '</svg>');
    expect(svg).toContain('[1] SYN 198.51.100.20:20 -&gt; 192.0.2.10:40040 - no answer');
    for (const n of [2, 3, 4]) expect(svg).toContain(`[1] SYN #${n} (retransmission) - no answer`);
    expect(svg.match(/✕/g)).toHaveLength(4);
    expect(svg).toContain('PORT 192,0,2,10,156,104  ⇒ [1]');
    expect(svg).toContain('href="#s1-d1"');
    expect(svg).toContain('425 Failed to establish connection.');
    // The note: diagnosis words (wrapped) and the rule.
    expect(svg).toContain('got no answer over 3.1 s');
    expect(svg).toContain('firewall rule needed: server 198.51.100.20:20 -&gt; client');
    expect(s1).toContain('<tr id="s1-d1">');
    expect(s1).toContain('server 198.51.100.20:20 -&gt; client 192.0.2.10:40040 (inbound to client)');
    // The session table lists failing sessions first, with the top finding.
    const table = between(html, '<table class="sessions">', '</table>');
    expect(table.indexOf('class="failing"')).toBeLessThan(table.indexOf('class="ok"') === -1 ? Infinity : table.indexOf('class="ok"'));
    expect(table).toContain('data-no-answer');
    // Passwords redacted in the ladder.
    expect(html).toContain('PASS ********');
    expect(html).not.toMatch(/PASS (?!\*)/);
  });

  it('05-pasv-nat-client: the 227 with the internal address, the SYNs to it, the NAT diagnosis', async () => {
    const html = await labPage(['fixtures/05-pasv-nat-client.pcap']);
    checkShell(html);
    const s1 = between(html, 'id="s1">', '</section>');
    expect(s1).toContain('227 Entering Passive Mode (10,0,0,20,117,48)');
    expect(s1).toContain('[1] SYN 192.0.2.10:40070 -&gt; 10.0.0.20:30000 - no answer');
    expect(s1).toContain('[1] SYN #3 (retransmission) - no answer');
    expect(s1).toContain('pasv-address-mismatch');
    expect(s1).toContain('behind NAT without its public address configured');
  });

  it('every lab capture makes a well-formed page within its bounds', async () => {
    let biggest = { name: '', bytes: 0, elements: 0 };
    for (const c of LAB) {
      const html = await labPage(c.files);
      checkShell(html);
      const bytes = Buffer.byteLength(html);
      if (bytes > biggest.bytes) biggest = { name: c.name, bytes, elements: elements(html) };
    }
    console.log(`largest lab page: ${biggest.name} ${biggest.bytes} bytes, ${biggest.elements} elements`);
    expect(biggest.bytes).toBeLessThan(2_000_000);
  }, 120_000);
});

describe('html escaping (hand-built report with script-like strings)', () => {
  it('user, file names, banner and replies appear as text only', () => {
    const html = pageOf([handBuiltHostileSession()]);
    checkShell(html);
    // Only the page's own script element; the hostile ones are text.
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('</text></svg><script>');
    expect(html).toContain(esc(EVIL.user));
    expect(html).toContain('&lt;script&gt;window.__pwned = &quot;user&quot;&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=&#39;file&#39;&quot;&gt;.txt');
    // Control characters shown, not passed.
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(html).toContain('NUL\\x00ESC\\x1b[31m BEL\\x07');
  });

  it('hand-built capture with the same strings, through the pipeline: escaped, password redacted', async () => {
    const pcap = join(mkdtempSync(join(tmpdir(), 'ftp-pcap-html-')), 'hand-built-hostile.pcap');
    writeFileSync(pcap, handBuiltHostileCapture());
    const html = await labPage([pcap]);
    checkShell(html);
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('secret');
    expect(html).toContain(`USER ${esc(EVIL.user)}`);
    expect(html).toContain('[2] RST');
  });

  it('esc() covers both text and attribute contexts', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(esc('a\u0000b\u2028c\ud800')).toBe('a\\x00b\\x2028c\\xd800');
    expect(esc('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('bounds: hand-built session of 10,000 commands', () => {
  it('collapses the completed transfers, keeps the failures, and the page stays small', () => {
    const s = handBuiltLongSession(10_000, 1000);
    expect(s.timeline?.entries.length).toBeGreaterThan(20_000);
    const l = ladderOf(s);
    expect(l.rows.length).toBeLessThanOrEqual(LADDER_MAX_ROWS + LADDER_MAX_ROWS / 2);
    const gaps = l.rows.filter((r) => r.kind === 'gap');
    expect(gaps.some((g) => g.kind === 'gap' && /more completed transfers/.test(g.text))).toBe(true);
    // Every failed connection keeps its SYNs and its note.
    const failed = s.dataConnections.filter((d) => d.outcome === 'no-answer').map((d) => d.id);
    expect(failed.length).toBe(4);
    for (const id of failed) {
      expect(l.rows.filter((r) => r.kind === 'tcp' && r.dc === id)).toHaveLength(3);
      expect(l.rows.some((r) => r.kind === 'note' && r.dc === id)).toBe(true);
    }
    const t0 = performance.now();
    const html = pageOf([s]);
    const ms = performance.now() - t0;
    checkShell(html);
    const bytes = Buffer.byteLength(html);
    console.log(`10,000-command hand-built session: ${bytes} bytes, ${elements(html)} elements, ${ladderOf(s).rows.length} ladder rows, ${ms.toFixed(0)} ms`);
    expect(bytes).toBeLessThan(600_000);
    expect(elements(html)).toBeLessThan(8_000);
    expect(html).toContain('more completed transfers');
    expect(html).toContain('more data connections not listed');
  });

  it('many long sessions: only the first ones are drawn, the table stays bounded', () => {
    const sessions = Array.from({ length: 300 }, (_, i) => ({ ...handBuiltLongSession(200, 50), id: i + 1 }));
    const html = pageOf(sessions);
    checkShell(html);
    expect((html.match(/<svg/g) ?? []).length).toBe(200);
    expect(html).toContain('100 sessions not drawn');
    expect(Buffer.byteLength(html)).toBeLessThan(40_000_000);
  });
});

describe('timeline in the report (AnalyzeOptions.timeline)', () => {
  const schema = JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('off by default: no timeline, no TCP events (the JSON report stays as it was)', async () => {
    const r = await analyze(['fixtures/03-active-blocked.pcap']);
    expect(r.sessions[0].timeline).toBeUndefined();
    expect(r.sessions[0].dataConnections[0].tcp?.events).toBeUndefined();
  });

  it('on: commands and replies in order with frames and exact times, passwords redacted, schema-valid', async () => {
    const r = await analyze(['fixtures/03-active-blocked.pcap'], { timeline: true });
    expect(validate(JSON.parse(JSON.stringify(r)))).toBe(true);
    const s = r.sessions[0];
    const e = s.timeline?.entries ?? [];
    expect(e.slice(0, 4).map((x) => [x.frame, x.from, x.text])).toEqual([
      [7, 'server', '220 ftp-pcap lab vsftpd ready'],
      [9, 'client', 'USER ftplab'],
      [11, 'server', '331 Please specify the password.'],
      [12, 'client', 'PASS ********'],
    ]);
    expect(e[0].time).toMatch(/^2026-11-26T13:12:00\.\d{9}Z$/);
    expect(e[0].code).toBe(220);
    const ev = s.dataConnections[0].tcp?.events ?? [];
    expect(ev.map((x) => [x.kind, x.from, x.frame])).toEqual([
      ['syn', 'server', 17],
      ['syn-retransmit', 'server', 20],
      ['syn-retransmit', 'server', 21],
      ['syn-retransmit', 'server', 22],
    ]);
    expect(ev[0].time).toBe(s.dataConnections[0].tcp?.start);
    const shown = await analyze(['fixtures/03-active-blocked.pcap'], { timeline: true, showPasswords: true });
    expect(shown.sessions[0].timeline?.entries[3].text).toMatch(/^PASS (?!\*{8}$)/);
  });

  it('every lab capture: timeline reports validate against the schema', async () => {
    for (const c of LAB) {
      const r = await analyze(c.files, { timeline: true });
      const ok = validate(JSON.parse(JSON.stringify(r)));
      expect(ok, `${c.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  }, 120_000);

  it(`bounded at MAX_TIMELINE_ENTRIES (${MAX_TIMELINE_ENTRIES}): the first and last halves kept, the rest counted`, async () => {
    const { TimelineLog } = await import('../../src/ftp/session.js');
    const log = new TimelineLog(10);
    for (let i = 1; i <= 25; i++) log.add({ at: { sec: i, nsec: 0 }, frame: i, client: true, head: 'NOOP', text: '', code: null });
    const { entries, droppedAfter } = log.entries();
    expect(entries.map((x) => x.frame)).toEqual([1, 2, 3, 4, 5, 21, 22, 23, 24, 25]);
    expect(droppedAfter).toBe(5);
    expect(log.dropped).toBe(15);
  });
});

describe('text ladder (analyze --ladder --session ID)', () => {
  it('03-active-blocked session 1: lanes, arrows both ways, the unanswered SYNs, the diagnosis', async () => {
    const r = await analyze(['fixtures/03-active-blocked.pcap'], { timeline: true });
    const text = renderLadderText(ladderOf(r.sessions[0]));
    expect(text).toMatch(/\|-+ USER ftplab -+>\|/);
    expect(text).toMatch(/\|<-+ 220 ftp-pcap lab vsftpd ready -+\|/);
    expect(text.match(/X=+ \[1\] SYN.*no answer =+\|/g)).toHaveLength(4);
    expect(text).toContain('!! [1] active RETR small.txt  NO-ANSWER');
    expect(text).toContain('got no answer over 3.1 s');
  });

  it('every session of every lab capture: within 100 columns, no control characters', async () => {
    for (const c of LAB) {
      const r = await analyze(c.files, { timeline: true });
      for (const s of r.sessions) {
        const text = renderLadderText(ladderOf(s));
        for (const line of text.split('\n')) {
          expect(line.length, `${c.name} session ${s.id}: ${line}`).toBeLessThanOrEqual(100);
          // eslint-disable-next-line no-control-regex
          expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
        }
      }
    }
  }, 120_000);

  it('the hand-built 10,000-command session fits in 100 columns and a few hundred lines', () => {
    const text = renderLadderText(ladderOf(handBuiltLongSession()));
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(1000);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(text).toContain('more completed transfers');
  });

  it('CLI: --ladder --session 1 prints the ladder; --ladder alone is a usage error', () => {
    const ok = cli(['analyze', '--ladder', '--session', '1', 'fixtures/03-active-blocked.pcap']);
    expect(ok.code).toBe(1 - 1);
    expect(ok.stdout).toContain('Session 1  client 192.0.2.10:40004 -> server 198.51.100.20:21');
    expect(ok.stdout).toContain('[1] SYN #4 (retransmission) - no answer');
    const bad = cli(['analyze', '--ladder', 'fixtures/03-active-blocked.pcap']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ladder needs --session ID');
  });
});
