/**
 * -o and --extract write what the user's path names, and nothing else: a device stays a device, a
 * FIFO gets the report through, a link is written through to its target, a mode-600 report stays
 * 600, nothing planted beside the target can redirect the temporary file, an input named as -o is
 * refused; each failure is one stderr line naming the user's path. A FIFO input without a writer
 * and `--extract /proc/x` end promptly. Every name printed on stderr is escaped for the terminal.
 *
 * Device nodes are made with mknod(2) in a temporary folder (never the system's /dev/null): that
 * needs root, as does keeping a file's owner and mounting a read-only file system; those cases are
 * skipped for other users.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, createReadStream, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { waitFor } from './spawn.js';
import { Out, OutputError } from '../../src/report/out.js';
import { Extractor } from '../../src/ftp/extract.js';

const CAPTURE = 'fixtures/03-active-blocked.pcap';
const root = mkdtempSync(join(tmpdir(), 'ftp-pcap-out-safety-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};
const isRoot = process.getuid?.() === 0;
const expected = cli(['analyze', CAPTURE]).stdout;

/** A character device node (major, minor) in `dir` (1,3 is null, 1,7 is full). */
function mknod(dir: string, name: string, minor: number): string {
  const p = join(dir, name);
  const r = spawnSync('mknod', [p, 'c', '1', String(minor)]);
  if (r.status !== 0) throw new Error(`mknod failed: ${r.stderr.toString()}`);
  return p;
}

/** The run's stderr is one line naming `path` (and not a temporary file); exit 2. */
function oneLineError(r: { code: number | null; stderr: string }, path: string): string {
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(lines[0]).not.toMatch(/\.tmp\b/);
  return lines[0];
}

/** Whether process `pid` has `path` open (Linux /proc). */
function holds(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Runs the CLI asynchronously (the test process keeps its event loop: it may be the reader). */
function run(args: string[]): { pid: number; exited: Promise<{ code: number | null; ms: number }>; kill: (s: NodeJS.Signals) => number; stderr: () => string } {
  const child = spawn(process.execPath, ['bin/ftp-pcap', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  let killedAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => child.on('close', (code) => resolve({ code, ms: performance.now() - killedAt })));
  return {
    pid: child.pid ?? -1,
    exited,
    kill: (s) => {
      killedAt = performance.now();
      child.kill(s);
      return killedAt;
    },
    stderr: () => err,
  };
}

describe('-o onto devices, FIFOs and links: written through, never replaced', () => {
  it.skipIf(!isRoot)('a character device (mknod 1,3 in a temp folder) stays a device, exit 0', () => {
    const dev = mknod(fresh(), 'null', 3);
    const node = statSync(dev);
    const r = cli(['analyze', '-o', dev, CAPTURE]);
    expect(r.code).toBe(0);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(statSync(dev)).toMatchObject({ ino: node.ino, rdev: node.rdev });
  });

  it.skipIf(!isRoot)('ENOSPC (a full device, mknod 1,7) on -o and on stdout: one line naming it, exit 2', () => {
    const full = mknod(fresh(), 'full', 7);
    expect(oneLineError(cli(['analyze', '-o', full, CAPTURE]), full)).toBe(`ftp-pcap: ${full}: cannot write (no space left on device)`);
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
    const fd = openSync(full, 'w');
    try {
      const r = spawnSync(process.execPath, ['bin/ftp-pcap', 'analyze', CAPTURE], { stdio: ['ignore', fd, 'pipe'] });
      expect(oneLineError({ code: r.status, stderr: r.stderr.toString() }, 'stdout')).toBe('ftp-pcap: stdout: cannot write (no space left on device)');
    } finally {
      closeSync(fd);
    }
  });

  it('a FIFO with a reader gets the whole report and stays a FIFO', async () => {
    const dir = fresh();
    const fifo = join(dir, 'feed');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const read = new Promise<string>((resolve, reject) => {
      let got = '';
      createReadStream(fifo)
        .on('data', (b) => (got += b.toString()))
        .on('end', () => resolve(got))
        .on('error', reject);
    });
    // The reader's open waits for a writer: let it start before the CLI looks for a reader.
    const opened = (async () => {
      for (let i = 0; i < 100; i++) {
        const r = run(['analyze', '-o', fifo, CAPTURE]);
        const end = await r.exited;
        if (end.code === 0 || !r.stderr().includes('nobody is reading')) return end.code;
        await new Promise((res) => setTimeout(res, 20));
      }
      return null;
    })();
    expect(await opened).toBe(0);
    expect(await read).toBe(expected);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['feed']);
  });

  it('a FIFO nobody reads: one line at once (no open(2) that waits for ever)', () => {
    const dir = fresh();
    const fifo = join(dir, 'feed');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(oneLineError(cli(['analyze', '-o', fifo, CAPTURE]), fifo)).toBe(`ftp-pcap: ${fifo}: cannot write (a FIFO nobody is reading)`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symlink is written through: its target updated (atomically: a new inode), the link intact', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports', 'today.txt'), 'yesterday\n');
    symlinkSync('reports/today.txt', join(dir, 'report.txt'));
    const before = statSync(join(dir, 'reports', 'today.txt')).ino;
    expect(cli(['analyze', '-o', join(dir, 'report.txt'), CAPTURE]).code).toBe(0);
    expect(lstatSync(join(dir, 'report.txt')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'report.txt'))).toBe('reports/today.txt');
    expect(readFileSync(join(dir, 'reports', 'today.txt'), 'utf8')).toBe(expected);
    expect(statSync(join(dir, 'reports', 'today.txt')).ino).not.toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['report.txt', 'reports']);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['today.txt']);
  });

  it('a dangling symlink: its target is created, the link kept', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'reports'));
    symlinkSync('reports/new.txt', join(dir, 'report.txt'));
    expect(cli(['analyze', '-o', join(dir, 'report.txt'), CAPTURE]).code).toBe(0);
    expect(lstatSync(join(dir, 'report.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'reports', 'new.txt'), 'utf8')).toBe(expected);
  });
});

describe('the target changes kind while the report is written', () => {
  // Another program may put a device back where a regular file was (a system recreating
  // /dev/null after something replaced it): the finished report must not be renamed over it.
  it.skipIf(!isRoot)('a device put in the file\'s place gets the report written through, and stays a device', () => {
    const dir = fresh();
    const path = join(dir, 'null');
    writeFileSync(path, 'old');
    const out = new Out(path);
    out.write('report\n');
    rmSync(path);
    mknod(dir, 'null', 3);
    out.close();
    expect(lstatSync(path).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['null']);
  });

  it('a symbolic link put in its place is not replaced: one error naming the path, no temporary file left', () => {
    const dir = fresh();
    const path = join(dir, 'r.json');
    writeFileSync(path, 'old');
    const out = new Out(path);
    out.write('report\n');
    rmSync(path);
    writeFileSync(join(dir, 'elsewhere'), 'keep');
    symlinkSync('elsewhere', path);
    expect(() => out.close()).toThrow(OutputError);
    expect(() => out.close()).not.toThrow();
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'elsewhere'), 'utf8')).toBe('keep');
    expect(readdirSync(dir).sort()).toEqual(['elsewhere', 'r.json']);
  });
});

describe('-o replacing a regular file keeps its access', () => {
  it('a mode-600 report stays 600 (and its owner, as root); a new file gets 0666 less the umask', () => {
    const dir = fresh();
    const target = join(dir, 'r.txt');
    writeFileSync(target, 'old\n');
    chmodSync(target, 0o600);
    if (isRoot) chownSync(target, 4321, 8765);
    expect(cli(['analyze', '-o', target, CAPTURE]).code).toBe(0);
    const st = statSync(target);
    expect(st.mode & 0o7777).toBe(0o600);
    if (isRoot) expect({ uid: st.uid, gid: st.gid }).toEqual({ uid: 4321, gid: 8765 });
    expect(readFileSync(target, 'utf8')).toBe(expected);
    const mask = process.umask(0o022);
    process.umask(mask);
    expect(cli(['analyze', '-o', join(dir, 'new.txt'), CAPTURE]).code).toBe(0);
    expect(statSync(join(dir, 'new.txt')).mode & 0o777).toBe(0o666 & ~mask);
  });
});

describe('the temporary file cannot be redirected by a planted link', () => {
  const namer = (names: string[]) => () => names.shift() ?? `.fresh.${n++}.tmp`;

  it('a link planted at the drawn name is not followed: its target untouched, another name drawn', () => {
    const dir = fresh();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, '.planted.tmp'));
    const out = new Out(join(dir, 'report'), true, namer(['.planted.tmp']));
    out.write('report\n');
    out.close();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readlinkSync(join(dir, '.planted.tmp'))).toBe(victim);
    expect(readFileSync(join(dir, 'report'), 'utf8')).toBe('report\n');
  });

  it('every drawn name planted: one error naming the target, not the temporary file; nothing written', () => {
    const dir = fresh();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, '.planted.tmp'));
    let err: unknown = null;
    try {
      new Out(join(dir, 'report'), true, () => '.planted.tmp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toMatch(new RegExp(`^${join(dir, 'report')}: cannot write \\(no free temporary name`));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).sort()).toEqual(['.planted.tmp', 'victim']);
  });

  it('temporary names are unpredictable: 48 random bits, never the PID', () => {
    const dir = fresh();
    const a = new Out(join(dir, 'r'));
    const b = new Out(join(dir, 'r'));
    const names = readdirSync(dir).sort();
    a.abort();
    b.abort();
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^\.r\.[0-9a-f]{12}\.tmp$/);
    expect(names.join()).not.toContain(String(process.pid));
  });

  it('--extract: links planted at the old predictable spool and manifest names are not followed', () => {
    const dir = fresh();
    const elsewhere = fresh();
    const victim = join(elsewhere, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(elsewhere, join(dir, `.ftp-pcap-spool.${process.pid}`));
    symlinkSync(victim, join(dir, `.manifest.json.${process.pid}.tmp`));
    const x = new Extractor(dir);
    x.begin({ name: 'ftp-pcap', version: 'test' });
    const s = x.spool();
    s.write(0, Buffer.from('file bytes'));
    x.keep(s, { session: 1, dataConnection: 1, size: 10, sha256: null, complete: true, incomplete: null, missedBytes: 0, offset: 0, command: 'RETR', ftpPath: 'f.txt', direction: 'download', client: 'c', server: 's', time: null });
    x.finish();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(elsewhere)).toEqual(['victim']);
    expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe('file bytes');
    expect(readdirSync(dir).sort()).toEqual([`.ftp-pcap-spool.${process.pid}`, `.manifest.json.${process.pid}.tmp`, 'f.txt', 'manifest.json']);
  });
});

describe('-o naming an input is refused, the input untouched', () => {
  it.each([
    ['the same path', (p: string) => p],
    ['a symlink to it', (p: string) => (symlinkSync(p, `${p}.link`), `${p}.link`)],
    ['a hard link to it', (p: string) => (linkSync(p, `${p}.hard`), `${p}.hard`)],
  ])('%s', (_, alias) => {
    const dir = fresh();
    const input = join(dir, 'in.pcap');
    writeFileSync(input, readFileSync(CAPTURE));
    const o = alias(input);
    const line = oneLineError(cli(['analyze', '-o', o, input]), o);
    expect(line).toBe(`ftp-pcap: -o ${o}: is also an input (${input}); the report would overwrite the capture, choose another file`);
    expect(readFileSync(input).equals(readFileSync(CAPTURE))).toBe(true);
    if (o !== input) return;
    // info and connections refuse it too
    expect(cli(['info', '-o', o, input]).code).toBe(2);
    expect(cli(['connections', '-o', o, input]).code).toBe(2);
    expect(readFileSync(input).equals(readFileSync(CAPTURE))).toBe(true);
  });
});

describe('paths that cannot take a report: one line naming the path, exit 2', () => {
  it.each([
    ['a folder', (d: string) => d, 'cannot write (is a directory)'],
    ['an empty name', () => '', `-o "": an empty file name ('-o -' is stdout)`],
    ['/proc/x', () => '/proc/ftp-pcap-test', 'cannot write (this directory takes no new files)'],
    ['a missing folder', (d: string) => join(d, 'no', 'r.txt'), 'cannot write (no such directory)'],
    ['below a file', (d: string) => (writeFileSync(join(d, 'f'), ''), join(d, 'f', 'r.txt')), 'cannot write (a part of the path is not a directory)'],
  ])('%s', (_, path, why) => {
    const dir = fresh();
    const p = path(dir);
    const r = cli(['analyze', '-o', p, CAPTURE]);
    expect(r.stdout).toBe('');
    const line = oneLineError(r, p);
    expect(line.endsWith(why)).toBe(true);
  });

  it.skipIf(!isRoot)('a read-only file system (tmpfs mounted ro)', (ctx) => {
    const mnt = fresh();
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mnt]).status !== 0) return ctx.skip();
    try {
      const p = join(mnt, 'r.txt');
      expect(oneLineError(cli(['analyze', '-o', p, CAPTURE]), p)).toBe(`ftp-pcap: ${p}: cannot write (read-only file system)`);
      expect(oneLineError(cli(['analyze', '--extract', join(mnt, 'x'), CAPTURE]), join(mnt, 'x'))).toMatch(/read-only file system\)$/);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it.each([
    ['an empty name', () => '', '--extract "": an empty directory name'],
    ['an existing file', (d: string) => (writeFileSync(join(d, 'f'), 'keep'), join(d, 'f')), 'exists and is not a directory'],
    ['/proc/x (mkdir says ENOENT under a folder that exists)', () => '/proc/ftp-pcap-test', 'cannot create the directory (this file system takes no new directories here)'],
  ])('--extract onto %s: one line, at once', (_, path, why) => {
    const dir = fresh();
    const p = path(dir);
    const t = performance.now();
    const line = oneLineError(cli(['analyze', '--extract', p, CAPTURE]), p);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(line.endsWith(why)).toBe(true);
    if (p.endsWith('/f')) expect(readFileSync(p, 'utf8')).toBe('keep');
  });
});

describe('a FIFO input with no writer: signals end the run within a second', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s -> exit %i', async (signal, code) => {
    const fifo = join(fresh(), 'capture');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = run(['analyze', fifo]);
    // The CLI has the FIFO open and waits for a writer (the case that hung): its descriptor shows.
    try {
      expect(await waitFor(() => holds(r.pid, fifo), 5000)).toBe(true);
      await new Promise((res) => setTimeout(res, 100));
      r.kill(signal);
      const end = await Promise.race([r.exited, new Promise<null>((res) => setTimeout(() => res(null), 3000))]);
      expect(end?.code).toBe(code);
      expect(end?.ms).toBeLessThan(1000);
    } finally {
      r.kill('SIGKILL');
    }
  });

  it('the FIFO read once a writer comes: the same report as the file', async () => {
    const fifo = join(fresh(), 'capture');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, ['bin/ftp-pcap', 'analyze', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((res) => setTimeout(res, 300));
    writeFileSync(fifo, readFileSync(CAPTURE));
    expect(await done).toBe(0);
    expect(out).toBe(expected.replace(CAPTURE, fifo));
  });
});

describe('names from the command line are escaped on stderr', () => {
  it('a damaged input named with ESC and BEL: the error line holds them as \\x1b, \\x07', () => {
    const dir = fresh();
    const name = join(dir, 'x\u001b]0;PWN\u0007.pcap');
    writeFileSync(name, Buffer.from('not a capture at all'));
    const r = cli(['analyze', name]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(r.stderr).toContain('x\\x1b]0;PWN\\x07.pcap');
  });

  it('a usage error and an -o path carry no control character either', () => {
    const bad = cli(['analyze', '--format', '\u001b[2J', CAPTURE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('\\x1b[2J');
    const dir = fresh();
    const o = join(dir, 'no\u0007such', 'r.txt');
    const r = cli(['analyze', '-o', o, CAPTURE]);
    expect(r.stderr).toBe(`ftp-pcap: ${join(dir, 'no\\x07such', 'r.txt')}: cannot write (no such directory)\n`);
    const opt = cli(['analyze', '--x\u001b[31m', CAPTURE]);
    expect(opt.code).toBe(2);
    expect(opt.stderr).not.toContain('\u001b');
  });
});
