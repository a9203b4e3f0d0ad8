/**
 * UTF-8 on the control channel (RFC 2640), on a real capture: pyftpdlib and curl in the lab
 * (fixtures/lab/scenarios/utf8-names.sh made test/ftp/data/utf8-pyftpdlib-curl.pcap). User "josé"
 * uploads café.txt as café-copie.txt, lists the folder, downloads café.txt, then asks for
 * "caf\xe9.txt" (the Latin-1 byte 0xE9, not UTF-8: curl sends `SIZE caf\xe9.txt`).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';

const CAP = 'test/ftp/data/utf8-pyftpdlib-curl.pcap';

interface Report {
  sessions: {
    user: string | null;
    findings: { message: string }[];
    dataConnections: { command: string | null; argument: string | null; file?: { extracted?: string | null; listing?: { entries: { name: string }[] } } }[];
  }[];
}

describe('UTF-8 names from pyftpdlib + curl (real capture)', () => {
  let dir = '';
  let report: Report;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-utf8-'));
    const r = cli(['analyze', '--format', 'json', '--listings', '--extract', join(dir, 'out'), CAP]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout) as Report;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('user names and paths are read as UTF-8 in the report', () => {
    expect(report.sessions.map((s) => s.user)).toEqual(['josé', 'josé', 'josé', 'josé']);
    const transfers = report.sessions.flatMap((s) => s.dataConnections.map((d) => [d.command, d.argument]));
    expect(transfers).toEqual([
      ['STOR', 'café-copie.txt'],
      ['LIST', ''],
      ['RETR', 'café.txt'],
      [null, null],
    ]);
    expect(report.sessions[0].findings[0].message).toContain('"josé"');
  });

  it('listing entries are read as UTF-8', () => {
    const names = report.sessions[1].dataConnections[0].file?.listing?.entries.map((e) => e.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['café.txt', 'café-copie.txt']));
  });

  it('--extract names the files as the report does', () => {
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['café-copie.txt', 'café.txt', 'manifest.json']);
    expect(readFileSync(join(dir, 'out', 'café.txt'), 'utf8')).toBe('un café, merci\n');
    expect(report.sessions[2].dataConnections[0].file?.extracted).toBe('café.txt');
  });

  it('the Latin-1 byte is shown as the byte it is, \\xe9, on the terminal', () => {
    const r = cli(['analyze', '--session', '4', '--ladder', CAP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('USER josé');
    expect(r.stdout).toContain('SIZE caf\\xe9.txt');
  });
});
