/**
 * The HTML overview in a real browser (Debian's headless Chromium through playwright-core, as
 * html-browser.test.ts): on lab failure captures merged three times over, the page loads with no
 * console message, page error or request (the SVG pictures use presentation attributes, which the
 * page's CSP allows, not inline styles), the overview shows above the sessions, its pictures are
 * laid out, each mark's <title> holds its counts, and a group's link goes to its session's ladder.
 * Skipped, saying why, when /usr/bin/chromium is absent.
 *
 * `UPDATE_SCREENSHOT=1` rewrites docs/overview-failure-mix.png and docs/overview-busy.png.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTo } from '../../src/pipeline.js';
import { FORMATS } from '../../src/report/formats.js';
import { Out } from '../../src/report/out.js';
import { OverviewSink } from '../../src/report/overview-sink.js';
import { shiftedPcap } from '../helpers/capture.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`overview-browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)(`HTML overview in headless Chromium (${CHROMIUM})`, () => {
  let dir = '';
  let ctx: BrowserContext | null = null;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-ovhtml-'));
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

  /** The page of `fixtures` copied `copies` times, `spacing` seconds apart. */
  async function page(name: string, fixtures: string[], copies: number, spacing: number): Promise<string> {
    const paths: string[] = [];
    let n = 0;
    for (let r = 0; r < copies; r++) {
      for (const f of fixtures) {
        const p = join(dir, `${name}-${f}-${r}.pcap`);
        writeFileSync(p, shiftedPcap(readFileSync(`fixtures/${f}.pcap`), ++n * spacing));
        paths.push(p);
      }
    }
    const file = join(dir, `${name}.html`);
    const out = new Out(file, false);
    await analyzeTo(paths, { timeline: true }, new OverviewSink(out, 'html', (o) => FORMATS.html(o, { tty: false }), 'auto'));
    out.close();
    return file;
  }

  it('failure mix: loads clean, overview above the sessions, pictures laid out, links to ladders', async () => {
    const file = await page('mix', ['03-active-blocked', '04-passive-blocked', '05-pasv-nat-client', '08-abort', '08-missing-file', '10-logins'], 3, 150);
    const url = pathToFileURL(file).href;
    const p = await (ctx as BrowserContext).newPage();
    const problems: string[] = [];
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('request', (r) => {
      if (r.url() !== url) problems.push(`request ${r.url()}`);
    });
    await p.goto(url, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    // (Expressions as strings: the tests compile without the DOM library.)
    const top = (await p.evaluate("({ ov: document.getElementById('ftp-overview').getBoundingClientRect().top, cap: document.getElementById('overview').getBoundingClientRect().top, s1: document.getElementById('s1').getBoundingClientRect().top })")) as { ov: number; cap: number; s1: number };
    expect(top.ov).toBeLessThan(top.cap);
    expect(top.ov).toBeLessThan(top.s1);
    const timeline = p.locator('#ftp-overview svg[aria-label="timeline of sessions and failed data connections"]');
    expect((await timeline.boundingBox())?.width).toBeGreaterThan(800);
    expect(await timeline.locator('rect[fill="#cf222e"]').count()).toBeGreaterThan(0);
    const titles = await timeline.locator('title').allTextContents();
    expect(titles.some((t) => / \d+ failed$/.test(t) && !t.endsWith(' 0 failed'))).toBe(true);
    const bars = p.locator('#ftp-overview svg[aria-label="data connection outcomes per server"] title');
    expect(await bars.allTextContents()).toEqual(expect.arrayContaining(['198.51.100.22: refused 15', '198.51.100.20: no-answer 21']));
    // The first group's first example: its link lands on that session's ladder.
    const link = p.locator('#ftp-overview table.groups a').first();
    const target = (await link.getAttribute('href')) ?? '';
    await link.click();
    expect(p.url().endsWith(target)).toBe(true);
    expect(await p.locator(`${target} svg.ladder`).count()).toBe(1);
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await p.goto(url, { waitUntil: 'load' });
      await p.locator('#ftp-overview').screenshot({ path: 'docs/overview-failure-mix.png' });
    }
    await p.close();
  }, 60_000);

  it('busy capture: hundreds of sessions, a few failures, the timeline and server bars drawn', async () => {
    const file = await page('busy', ['03-active-blocked', '04-passive-blocked', '06-client-nat-outside', '08-missing-file', '09-ftps', '15-long-modes', '16-bounce', '08-lftp-abort'], 6, 40);
    const p = await (ctx as BrowserContext).newPage();
    await p.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const head = (await p.locator('#ftp-overview p').first().textContent()) ?? '';
    expect(head).toMatch(/^\d{3} sessions, /);
    expect(await p.locator('#ftp-overview svg[aria-label="timeline of sessions and failed data connections"] g').count()).toBeGreaterThan(50);
    if (process.env.UPDATE_SCREENSHOT === '1') await p.locator('#ftp-overview').screenshot({ path: 'docs/overview-busy.png' });
    await p.close();
  }, 60_000);
});
