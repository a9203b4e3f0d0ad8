/** `ftp-pcap info` as a user runs it: on real captures, on stdin, and on damaged input. */
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import type { InfoReport } from '../../src/report/info.js';

const LOOPBACK = 'test/capture/data/loopback-pyftpdlib-curl.pcap';

describe('ftp-pcap info', () => {
  it('finds the FTP control port of a non-standard-port server by its 220 banner (real loopback capture)', () => {
    const r = cli(['info', '--format', 'json', LOOPBACK]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as InfoReport;
    expect(j.inputs[0].format).toBe('pcap');
    expect(j.inputs[0].complete).toBe(true);
    expect(j.totals.packets).toBe(103);
    expect(j.traffic.tcp).toBe(103);
    expect(j.ftpPorts).toEqual([2121]);
    const ctl = j.tcp.servers.find((s) => s.port === 2121);
    expect(ctl?.connections).toBe(3);
    expect(ctl?.banner).toMatch(/^220 pyftpdlib/);
    // Three curl sessions: LIST (passive), RETR (passive), RETR with -P (active) = 3 data connections.
    expect(j.tcp.connections).toBe(6);
  });

  it('reads stdin and says the same as from the file', () => {
    const a = cli(['info', '--format', 'json', LOOPBACK]);
    const b = cli(['info', '--format', 'json', '-'], readFileSync(LOOPBACK));
    const strip = (s: string) => {
      const j = JSON.parse(s) as InfoReport;
      return { ...j, inputs: j.inputs.map((i) => ({ ...i, path: '', fileSize: null })) };
    };
    expect(b.code).toBe(0);
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  it('prints a readable text report', () => {
    const r = cli(['info', LOOPBACK]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Packets:           103');
    expect(r.stdout).toContain('FTP control ports: 2121');
    expect(r.stdout).toMatch(/First packet:\s+2026-11-26T13:07:28\.339139000Z/);
  });

  it('a damaged capture (hand-built: the loopback capture cut short): one error line, exit 2, the report of what came before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-cli-'));
    const f = join(dir, 'hand-built-cut.pcap');
    const b = readFileSync(LOOPBACK);
    writeFileSync(f, b.subarray(0, b.length - 7));
    const r = cli(['info', '--format', 'json', f]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ftp-pcap: ${f}: trailing partial record .*\\(byte offset \\d+\\)$`));
    const j = JSON.parse(r.stdout) as InfoReport;
    expect(j.inputs[0].complete).toBe(false);
    expect(j.inputs[0].packets).toBe(102);
    expect(j.inputs[0].errors[0].kind).toBe('truncated-record');
  });

  it('a missing file and a bad option: one line, exit 2, no stack trace', () => {
    const r = cli(['info', '/nonexistent/x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ftp-pcap: /nonexistent/x.pcap: no such file (byte offset 0)\n');
    const u = cli(['info', '--format', 'yaml', LOOPBACK]);
    expect(u.code).toBe(2);
    expect(u.stderr).toBe('ftp-pcap: --format must be text or json, not "yaml"\n');
    const n = cli(['frobnicate']);
    expect(n.code).toBe(2);
    expect(n.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes -o atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-cli-'));
    const out = join(dir, 'info.json');
    const r = cli(['info', '--format', 'json', '-o', out, LOOPBACK]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as InfoReport).totals.packets).toBe(103);
  });
});
