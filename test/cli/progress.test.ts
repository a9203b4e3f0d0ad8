/**
 * The progress display: on stderr when it is a terminal (a pseudo-terminal here, through
 * util-linux `script`) and the input is large or stdin; never on a pipe, never with --quiet.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { repeatedPcap } from './captures.js';
import { LARGE_INPUT, Progress, formatBytes, wantProgress, type ProgressInput } from '../../src/cli/progress.js';

const BLOCKED = 'fixtures/03-active-blocked.pcap'; // 127 packets

/** Runs a shell command line with a pseudo-terminal as its stdin/stdout/stderr; returns what the terminal showed. */
function onTerminal(command: string): { code: number | null; screen: string } {
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { input: '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, screen: r.stdout };
}

const ftpPcap = `${process.execPath} bin/ftp-pcap`;

describe('progress on a terminal', () => {
  let dir = '';
  let big = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-progress-'));
    big = join(dir, 'big-01-passive-x160.pcap'); // the lab's 01-passive, 160 times over: ~73 MB
    writeFileSync(big, repeatedPcap('fixtures/01-passive.pcap', 160));
  });

  it('stdin: bytes, packets and packets/s (no percent: the size is unknown), then a one-line summary', () => {
    const out = join(dir, 'r.json');
    const t = onTerminal(`${ftpPcap} analyze --format json -o ${out} - < ${BLOCKED}`);
    expect(t.code).toBe(0);
    expect(t.screen).toMatch(/\rftp-pcap: +[\d.]+ (B|kB)  \d+ packets  [\d,]+ packets\/s\x1b\[K/);
    expect(t.screen).not.toMatch(/%/);
    expect(t.screen).toMatch(/\r\x1b\[Kftp-pcap: read 127 packets \(12\.0 kB\) in [\d.]+ s, [\d,]+ packets\/s\r?\n$/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });

  it('a large file: percent of its size; the summary at the end', () => {
    const out = join(dir, 'big.json');
    const t = onTerminal(`${ftpPcap} analyze --format json -o ${out} ${big}`);
    expect(t.code).toBe(0);
    expect(t.screen).toMatch(/\rftp-pcap: \d+%  [\d.]+ MB of 73\.2 MB  [\d,]+ packets  [\d,]+ packets\/s/);
    expect(t.screen).toMatch(/ftp-pcap: read 94,560 packets \(73\.2 MB\) in [\d.]+ s, [\d,]+ packets\/s\r?\n$/);
    // Nothing but the progress line and the summary reached the terminal.
    expect(t.screen.replace(/\r?ftp-pcap: [^\r\n\x1b]*(\x1b\[K)?/g, '').replace(/\r?\x1b\[K/g, '').trim()).toBe('');
  });

  it('info and connections show it too', () => {
    for (const cmd of ['info', 'connections']) {
      const t = onTerminal(`${ftpPcap} ${cmd} -o ${join(dir, cmd)} - < ${BLOCKED}`);
      expect(t.code).toBe(0);
      expect(t.screen).toMatch(/ftp-pcap: read 127 packets/);
    }
  });

  it('not for a small file, not with --quiet', () => {
    expect(onTerminal(`${ftpPcap} analyze -o ${join(dir, 's.txt')} ${BLOCKED}`).screen).toBe('');
    expect(onTerminal(`${ftpPcap} analyze --quiet -o ${join(dir, 'q.txt')} - < ${BLOCKED}`).screen).toBe('');
    expect(onTerminal(`${ftpPcap} analyze -q -o ${join(dir, 'q.txt')} ${big}`).screen).toBe('');
  });

  it('not on a pipe (stdin or a large file)', () => {
    const a = cli(['analyze', '--format', 'json', '-'], readFileSync(BLOCKED));
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    const b = cli(['analyze', '--format', 'json', big]);
    expect(b.code).toBe(0);
    expect(b.stderr).toBe('');
  });

  it('stderr on a terminal, stdout on a pipe: progress on the terminal only, the report intact on the pipe', () => {
    const out = join(dir, 'piped.json');
    const t = onTerminal(`${ftpPcap} analyze --format json - < ${BLOCKED} | cat > ${out}`);
    expect(t.code).toBe(0);
    expect(t.screen).toMatch(/ftp-pcap: read 127 packets/);
    expect(readFileSync(out, 'utf8')).not.toContain('ftp-pcap: read');
    expect((JSON.parse(readFileSync(out, 'utf8')) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });
});

describe('Progress (unit)', () => {
  const reader = (over: Partial<ProgressInput>): ProgressInput => ({
    path: 'x.pcap',
    packets: 0,
    capturedBytes: 0,
    format: 'pcap',
    gzip: false,
    fileSize: 100_000_000,
    done: false,
    bytesRead: 0,
    ...over,
  });

  class Screen {
    text = '';
    writes = 0;
    isTTY = true;
    columns = 200;
    write(s: string): boolean {
      this.text += s;
      this.writes++;
      return true;
    }
  }

  it('wants a terminal, no --quiet, and 64 MB or stdin', () => {
    const tty = { isTTY: true, write: () => true };
    expect(wantProgress(tty, false, ['a.pcap'], LARGE_INPUT)).toBe(true);
    expect(wantProgress(tty, false, ['a.pcap'], LARGE_INPUT - 1)).toBe(false);
    expect(wantProgress(tty, false, ['-'], 0)).toBe(true);
    expect(wantProgress(tty, true, ['-'], LARGE_INPUT)).toBe(false);
    expect(wantProgress({ isTTY: false, write: () => true }, false, ['-'], LARGE_INPUT)).toBe(false);
  });

  it('percent, rate and ETA from the bytes read of the known sizes', () => {
    const p = new Progress(new Screen());
    const start = performance.now();
    // 1,000,000 records of 34 bytes + 16-byte headers = 50 MB of a 100 MB file, in 10 s.
    p.update([reader({ packets: 1_000_000, capturedBytes: 34_000_000 - 24, bytesRead: 50_000_000 })]);
    const line = p.line(start + 10_000);
    expect(line).toMatch(/^ftp-pcap: 50%  50\.0 MB of 100\.0 MB  1,000,000 packets  (99,9\d\d|100,0\d\d) packets\/s  ETA 0:10$/);
  });

  it('no percent or ETA for gzip or stdin', () => {
    const p = new Progress(new Screen());
    p.update([reader({ gzip: true, fileSize: 5_000_000, packets: 10, capturedBytes: 1000, bytesRead: 1184 })]);
    expect(p.line()).not.toMatch(/%|ETA/);
    p.update([reader({ path: "-", fileSize: null, packets: 10, capturedBytes: 1000, bytesRead: 1184 })]);
    expect(p.line()).toMatch(/^ftp-pcap: 1\.2 kB  10 packets/);
  });

  it('redraws at most ten times a second however often it is called', () => {
    const s = new Screen();
    const p = new Progress(s);
    for (let i = 0; i < 10_000; i++) p.update([reader({ packets: i })]);
    expect(s.writes).toBeLessThanOrEqual(2);
    p.finish([reader({ packets: 10_000, done: true })]);
    expect(s.text).toMatch(/\r\x1b\[Kftp-pcap: read 10,000 packets \(100\.0 MB\) in [\d.]+ s, [\d,]+ packets\/s\n$/);
  });

  it('formats sizes in SI units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_019)).toBe('12.0 kB');
    expect(formatBytes(73_244_664)).toBe('73.2 MB');
  });
});
