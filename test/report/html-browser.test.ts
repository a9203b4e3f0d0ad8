/**
 * The HTML page in a real browser: Debian's headless Chromium (`apt-get install chromium`; .ci/run
 * installs it) driven by playwright-core, no browser download. The pages of the blocked-active and
 * NAT-mismatch lab captures load with no console message of level error or warning, no page error
 * and no network request but the page itself; the ladders show the unanswered SYNs and the
 * diagnosis; a hand-built report with `<script>`-like user and file names shows them as text and
 * runs none of them. Skipped, saying why, when /usr/bin/chromium is absent.
 *
 * The page of `analyze --at` on the two-point drop captures shows each session at both taps.
 *
 * `UPDATE_SCREENSHOT=1` rewrites test/report/screenshot-03-active-blocked.png (shown in
 * docs/formats.md) and docs/compare-ladder.png (docs/compare.md).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { analyzePoints, reportPoints } from '../../src/compare/run.js';
import { HtmlSink } from '../../src/report/html.js';
import { MemoryOut } from './siem.js';
import { EVIL, handBuiltHostileCapture, handBuiltHostileSession, handBuiltLongSession, labPage, pageOf } from './html-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`html-browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

interface Loaded {
  page: Page;
  console: string[];
  requests: string[];
  errors: string[];
}

describe.skipIf(!haveChromium)(`HTML page in headless Chromium (${CHROMIUM})`, () => {
  let dir = '';
  let ctx: BrowserContext | null = null;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-html-'));
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function load(name: string, html: string): Promise<Loaded> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await (ctx as BrowserContext).newPage();
    const out: Loaded = { page, console: [], requests: [], errors: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') out.console.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => out.errors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) out.requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    return out;
  }

  function clean(l: Loaded): void {
    expect(l.console).toEqual([]);
    expect(l.errors).toEqual([]);
    expect(l.requests).toEqual([]);
  }

  it('03-active-blocked: loads clean; the ladder shows the 4 unanswered SYNs and the diagnosis', async () => {
    const l = await load('03.html', await labPage(['fixtures/03-active-blocked.pcap']));
    clean(l);
    const svg = l.page.locator('#s1 svg.ladder');
    await expect.poll(() => svg.count()).toBe(1);
    const text = (await svg.textContent()) ?? '';
    expect(text).toContain('[1] SYN 198.51.100.20:20 -> 192.0.2.10:40040 - no answer');
    for (const n of [2, 3, 4]) expect(text).toContain(`[1] SYN #${n} (retransmission) - no answer`);
    expect(text).toContain('got no answer over 3.1 s');
    expect(text).toContain('firewall rule needed: server 198.51.100.20:20 -> client');
    // Drawn: the ✕ marks are visible, the note box is laid out beside the ladder.
    expect(await l.page.locator('#s1 svg text.x').count()).toBe(4);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    // The overview (written last) is shown first; failing sessions lead the table.
    // (Expressions as strings: the tests compile without the DOM library.)
    const order = (await l.page.evaluate("({ ov: document.getElementById('overview').getBoundingClientRect().top, s1: document.getElementById('s1').getBoundingClientRect().top })")) as { ov: number; s1: number };
    expect(order.ov).toBeLessThan(order.s1);
    // The one script works: the filter hides non-failing sessions.
    await l.page.locator('#only-failing').check();
    expect(await l.page.evaluate("document.getElementById('report').classList.contains('only-failing')")).toBe(true);
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await l.page.locator('#only-failing').uncheck();
      await l.page.setViewportSize({ width: 1280, height: 900 });
      await l.page.locator('#s1').screenshot({ path: 'test/report/screenshot-03-active-blocked.png' });
    }
    await l.page.close();
  }, 60_000);

  it('05-pasv-nat-client: loads clean; the SYNs to the internal address and the NAT diagnosis show', async () => {
    const l = await load('05.html', await labPage(['fixtures/05-pasv-nat-client.pcap']));
    clean(l);
    const text = (await l.page.locator('#s1 svg.ladder').textContent()) ?? '';
    expect(text).toContain('227 Entering Passive Mode (10,0,0,20,117,48)');
    expect(text).toContain('[1] SYN 192.0.2.10:40070 -> 10.0.0.20:30000 - no answer');
    expect(text).toContain('[1] SYN #3 (retransmission) - no answer');
    expect(text).toContain('behind NAT without its public');
    const findings = (await l.page.locator('#s1 ul.findings').textContent()) ?? '';
    expect(findings).toContain('pasv-address-mismatch');
    await l.page.close();
  }, 60_000);

  it('hand-built report with <script>-like user and file names: shown as text, no script runs', async () => {
    const l = await load('hostile.html', pageOf([handBuiltHostileSession()]));
    clean(l);
    expect(await l.page.evaluate('typeof window.__pwned')).toBe('undefined');
    // One script element (the page's own), no img/iframe from the strings.
    expect(await l.page.locator('script').count()).toBe(1);
    expect(await l.page.locator('img, iframe').count()).toBe(0);
    const body = (await l.page.locator('body').textContent()) ?? '';
    expect(body).toContain(EVIL.user);
    expect(body).toContain(EVIL.file);
    const svgText = (await l.page.locator('#s1 svg.ladder').textContent()) ?? '';
    expect(svgText).toContain(`RETR ${EVIL.file2}`.slice(0, 40));
    expect(svgText).toContain('[2] SYN #3 (retransmission) - no answer');
    await l.page.close();
  }, 60_000);

  it('hand-built capture with <script>-like strings, through the whole pipeline: text only, no script runs', async () => {
    const pcap = join(dir, 'hand-built-hostile.pcap');
    writeFileSync(pcap, handBuiltHostileCapture());
    const l = await load('hostile-capture.html', await labPage([pcap]));
    clean(l);
    expect(await l.page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await l.page.locator('script').count()).toBe(1);
    expect(await l.page.locator('img, iframe').count()).toBe(0);
    const svgText = (await l.page.locator('#s1 svg.ladder').textContent()) ?? '';
    expect(svgText).toContain(`USER ${EVIL.user}`);
    expect(svgText).toContain('PASS ********');
    expect(svgText).toContain('[2] RST');
    expect(await l.page.locator('#s1 table.dcs').textContent()).toContain(EVIL.file);
    await l.page.close();
  }, 60_000);

  it('24-two-point-drop with --at: loads clean; each session drawn at both taps, the dropped SYNs stopping between them', async () => {
    const points = [
      { name: 'client', paths: ['fixtures/24-two-point-drop-client.pcap'] },
      { name: 'server', paths: ['fixtures/24-two-point-drop-server.pcap'] },
    ];
    const out = new MemoryOut();
    reportPoints(await analyzePoints(points, { timeline: true }), points, new HtmlSink(out.asOut()));
    const l = await load('24.html', out.text);
    clean(l);
    for (const id of [1, 2, 3, 4]) {
      const svg = l.page.locator(`#s${id}-path svg.path`);
      expect(await svg.count()).toBe(1);
      expect((await svg.boundingBox())?.width).toBeGreaterThan(900);
      // Two tap lanes, laid out between the client's lane and the server's.
      const x = async (sel: string): Promise<number[]> => {
        const out: number[] = [];
        for (const e of await svg.locator(sel).all()) out.push((await e.boundingBox())?.x ?? NaN);
        return out;
      };
      const taps = await x('line.lane.tap');
      const ends = await x('line.lane:not(.tap)');
      expect(taps).toHaveLength(2);
      expect(ends).toHaveLength(2);
      for (const t of taps) expect(t > Math.min(...ends) && t < Math.max(...ends)).toBe(true);
    }
    const s1 = l.page.locator('#s1-path svg.path');
    // The client's SYNs: a dot at the client tap each, a ✕ each before the server tap.
    const syns = s1.locator('g.pkt[data-event^="syn"]:not([data-event="syn-ack"])');
    expect(await syns.count()).toBe(3);
    expect(await syns.locator('circle.seen').count()).toBe(3);
    expect(await syns.locator('text.x').count()).toBe(3);
    expect(await s1.textContent()).toContain('[1] dropped between tap client and tap server');
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await l.page.setViewportSize({ width: 1280, height: 900 });
      await l.page.locator('#s2-path').screenshot({ path: 'docs/compare-ladder.png' });
    }
    await l.page.close();
  }, 60_000);

  it('hand-built 10,000-command session: the page loads and lays out quickly', async () => {
    const html = pageOf([handBuiltLongSession()]);
    const t0 = performance.now();
    const l = await load('long.html', html);
    const ms = performance.now() - t0;
    clean(l);
    const count = (await l.page.evaluate("document.getElementsByTagName('*').length")) as number;
    console.log(`10,000-command page in Chromium: ${count} elements, loaded in ${ms.toFixed(0)} ms`);
    expect(count).toBeLessThan(8_000);
    expect(ms).toBeLessThan(10_000);
    await l.page.close();
  }, 60_000);
});
