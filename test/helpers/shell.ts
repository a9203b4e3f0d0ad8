/**
 * The recipes of docs/scale.md as a user types them: `ftp-pcap` on the PATH (a link to
 * bin/ftp-pcap, as `npm install -g` makes one) and run by /bin/sh, with the Node running the tests
 * first on the PATH so that bin/ftp-pcap's `#!/usr/bin/env -S node` finds that one (CI runs the
 * suite on Node 20 and on Node 24).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Shell {
  /** A fresh folder for the test's files (partials, reports); `dispose()` removes it. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    const bin = join(this.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(resolve('bin/ftp-pcap'), join(bin, 'ftp-pcap'));
    this.env = { ...process.env, PATH: [bin, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), NO_COLOR: '1' };
  }

  /** Runs `script` with /bin/sh in the repository's root (fixtures/ paths work as in the docs). */
  run(script: string, env: NodeJS.ProcessEnv = {}): ShellResult {
    const r = spawnSync('/bin/sh', ['-c', script], { env: { ...this.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs a program with its arguments (no shell), without waiting: several run at once. */
  start(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ShellResult> {
    return new Promise((done, fail) => {
      const child = spawn(argv[0], argv.slice(1), { env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Single-quotes a word for /bin/sh. */
export const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** How many records of a kind (`s` final session, `p` pending session, `o` orphan) a partial holds. */
export const recordsOf = (text: string, kind: 's' | 'p' | 'o'): number => text.split('\n').filter((l) => l.startsWith(`{"${kind}":`)).length;

/** The lines written to stderr (each ends with a newline; none is empty). */
export const linesOf = (stderr: string): string[] => stderr.split('\n').slice(0, -1);
