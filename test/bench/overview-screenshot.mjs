#!/usr/bin/env node
// The HTML overview of a large capture in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core), as docs/overview-many.png shows it for the many-sessions benchmark capture:
//
//   node test/bench/overview-screenshot.mjs [CAPTURE] [PNG]
//     (default /var/tmp/ftp-pcap-bench/many.pcap, docs/overview-many.png)
//
// Writes the whole page (`analyze --format html`, the overview first) to a temporary file, loads
// it, prints the load time, element count and any console message, and saves the overview from
// its heading to the end of the firewall rules (the timeline, the outcomes per server, the failure
// groups, the rules). Not part of `npm test`: the benchmark capture is 440 MB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const capture = process.argv[2] ?? '/var/tmp/ftp-pcap-bench/many.pcap';
const png = process.argv[3] ?? join(root, 'docs', 'overview-many.png');
const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-ovshot-'));
try {
  const html = join(dir, 'report.html');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ftp-pcap'), 'analyze', capture, '--format', 'html', '--overview', '-o', html], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`analyze --format html: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const messages = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`page error: ${e.message}`));
  const t1 = Date.now();
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  console.log(`loaded in ${Date.now() - t1} ms, ${await page.evaluate("document.getElementsByTagName('*').length")} elements`);
  const top = await page.locator('#ftp-overview').boundingBox();
  const rules = (await page.locator('#ftp-overview table.rules').count()) ? await page.locator('#ftp-overview table.rules').boundingBox() : await page.locator('#ftp-overview').boundingBox();
  if (!top || !rules) throw new Error('no overview on the page');
  await page.screenshot({ path: png, fullPage: true, clip: { x: top.x, y: top.y, width: top.width, height: rules.y + rules.height - top.y + 2 } });
  console.log(`${png}${messages.length ? `\n${messages.join('\n')}` : ''}`);
  await browser.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
