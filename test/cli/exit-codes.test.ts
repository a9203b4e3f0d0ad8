/**
 * Exit codes (docs/design.md §5) on real lab captures: 0 clean, 1 a finding at or above --fail-on,
 * 2 usage error or unreadable input — with one line on stderr, never a stack.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cli } from '../helpers/cli.js';

const PASSIVE = 'fixtures/01-passive.pcap'; // warnings only (cleartext-credentials)
const BLOCKED = 'fixtures/03-active-blocked.pcap'; // error (data-no-answer, data-refused), warning, info
const LOGINS = 'fixtures/10-logins.pcap'; // session 12: anonymous-login (info) only; brute-force (error) across sessions

const oneErrorLine = (stderr: string): void => {
  expect(stderr).toMatch(/^ftp-pcap: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('analyze --fail-on', () => {
  it.each([
    [PASSIVE, [], 0],
    [PASSIVE, ['--fail-on', 'error'], 0],
    [PASSIVE, ['--fail-on', 'warning'], 1],
    [PASSIVE, ['--fail-on', 'info'], 1],
    [BLOCKED, [], 0],
    [BLOCKED, ['--fail-on', 'error'], 1],
    [BLOCKED, ['--fail-on', 'warning'], 1],
    [BLOCKED, ['--fail-on', 'info'], 1],
    [LOGINS, ['--session', '12', '--fail-on', 'warning'], 0],
    [LOGINS, ['--session', '12', '--fail-on', 'info'], 1],
    [LOGINS, ['--fail-on', 'error'], 1], // the brute-force finding spans sessions
  ])('%s %j -> exit %i', (file, args, code) => {
    const r = cli(['analyze', '--format', 'json', ...args, file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(code);
    JSON.parse(r.stdout);
  });

  it('counts only the findings the report shows (after --min-severity and --host)', () => {
    expect(cli(['analyze', '--min-severity', 'error', '--fail-on', 'warning', PASSIVE]).code).toBe(0);
    expect(cli(['analyze', '--host', '198.51.100.99', '--fail-on', 'info', BLOCKED]).code).toBe(0);
    expect(cli(['analyze', '--host', '198.51.100.21', '--fail-on', 'error', BLOCKED]).code).toBe(1);
  });

  it('an unreadable input wins over findings: exit 2, one line per bad input, the rest still reported', () => {
    const r = cli(['analyze', '--format', 'json', '--fail-on', 'info', BLOCKED, '/nonexistent/x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ftp-pcap: /nonexistent/x.pcap: no such file (byte offset 0)\n');
    expect((JSON.parse(r.stdout) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });
});

describe('usage errors: exit 2, one line on stderr, no stack', () => {
  it.each([
    [['analyze', '--frobnicate', PASSIVE], "ftp-pcap: unknown option '--frobnicate' (see --help)"],
    [['analyze'], "ftp-pcap: missing required argument 'capture' (see --help)"],
    [['analyze', '--format', 'yaml', PASSIVE], /^ftp-pcap: --format must be one of text, json, .*not "yaml"$/],
    [['analyze', '--fail-on', 'critical', PASSIVE], 'ftp-pcap: --fail-on must be one of info, warning, error, not "critical"'],
    [['analyze', '--min-severity', 'high', PASSIVE], 'ftp-pcap: --min-severity must be one of info, warning, error, not "high"'],
    [['analyze', '--host', '198.51.100', PASSIVE], 'ftp-pcap: --host: "198.51.100" is not an IPv4 or IPv6 address'],
    [['analyze', '--session', '1,x', PASSIVE], 'ftp-pcap: --session: "x" is not a session id'],
    [['analyze', '--ports', '70000', PASSIVE], 'ftp-pcap: --ports: "70000" is not a TCP port'],
    [['analyze', '-o', '/nonexistent/dir/r.json', PASSIVE], 'ftp-pcap: /nonexistent/dir/r.json: cannot write (no such directory)'],
    [['info', '--frobnicate', PASSIVE], "ftp-pcap: unknown option '--frobnicate' (see --help)"],
    [['connections', '--format', 'csv', PASSIVE], 'ftp-pcap: --format must be one of text, json, ndjson, not "csv"'],
    [['connections', '-o', '/nonexistent/dir/c.log', PASSIVE], 'ftp-pcap: /nonexistent/dir/c.log: cannot write (no such directory)'],
    [['frobnicate'], "ftp-pcap: unknown command 'frobnicate' (see --help)"],
  ])('%j', (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    oneErrorLine(r.stderr);
    if (typeof message === 'string') expect(r.stderr).toBe(`${message}\n`);
    else expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each(['analyze', 'info', 'connections'])('%s: a missing capture is exit 2 with one line', (cmd) => {
    const r = cli([cmd, '/nonexistent/x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ftp-pcap: /nonexistent/x.pcap: no such file (byte offset 0)\n');
  });

  it.each(['analyze', 'info', 'connections'])('%s --help documents the exit codes (exit 0)', (cmd) => {
    const r = cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^ {2}0 {4}success/m);
    expect(r.stdout).toMatch(/^ {2}2 {4}usage error/m);
    expect(r.stdout).toContain('130');
    if (cmd === 'analyze') expect(r.stdout).toMatch(/^ {2}1 {4}a finding at or above --fail-on/m);
  });
});

describe('help into a reader that goes away (`ftp-pcap connections --help | head -c 10`)', () => {
  it('exits 0 with nothing on stderr: no EPIPE stack trace', () => {
    for (const cmd of ['connections', 'analyze']) {
      const r = spawnSync('sh', ['-c', `node bin/ftp-pcap ${cmd} --help | head -c 10 >/dev/null; exit 0`], { encoding: 'utf8' });
      expect(r.stderr, cmd).toBe('');
    }
  });
});

describe('the executable as installed (bin/ftp-pcap, its shebang, the bundle it runs)', () => {
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

  it('--version prints package.json\'s version: the bundle finds the file two levels up, as the modules did', () => {
    const r = spawnSync('bin/ftp-pcap', ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });

  it('--jobs 2 starts the bundled worker and reports what one thread reports', () => {
    const one = spawnSync('bin/ftp-pcap', ['analyze', '-f', 'json', BLOCKED], { encoding: 'utf8' });
    const two = spawnSync('bin/ftp-pcap', ['analyze', '-f', 'json', '--jobs', '2', BLOCKED], { encoding: 'utf8' });
    expect(two.status).toBe(0);
    expect(two.stderr).toBe('');
    expect((JSON.parse(one.stdout) as { tool: { version: string } }).tool.version).toBe(version);
    expect(two.stdout).toBe(one.stdout);
  });
});
