/** Runs the built executable (bin/ftp-pcap → dist/bundle/, built by `npm test`'s pretest) as a user would. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], input?: Buffer): CliResult {
  const r = spawnSync(process.execPath, ['bin/ftp-pcap', ...args], { input, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/**
 * Runs each argument list through the built CLI as `cli` does, all in one Node process
 * (test/helpers/cli-batch.mjs: the CLI loaded once, each run's output on the real stdout and
 * stderr). For tests of many clean runs (every lab capture in a format); what needs a process of
 * its own (stdin, signals, the exit of the process itself) keeps `cli`. A run that ends the
 * process (process.exit) leaves it and every later run without a result: an error here.
 */
export function cliBatch(runs: string[][]): CliResult[] {
  const nonce = randomBytes(12).toString('hex');
  const sep = `\u0000${nonce}\u0000`;
  const r = spawnSync(process.execPath, ['test/helpers/cli-batch.mjs', nonce, JSON.stringify(runs)], { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 });
  const stdout = r.stdout.toString('utf8').split(sep);
  const stderr = r.stderr.toString('utf8').split(sep);
  // Each run: its output, then the separator, its exit code, the separator; the tail after the last is empty.
  if (r.status !== 0 || stdout.length !== 2 * runs.length + 1 || stderr.length !== 2 * runs.length + 1) {
    throw new Error(`cli batch of ${runs.length} runs ended early (exit ${r.status}, signal ${r.signal}): ${stderr.join(' | ').slice(-2000)}`);
  }
  return runs.map((_, i) => ({ code: Number(stdout[2 * i + 1]), stdout: stdout[2 * i], stderr: stderr[2 * i] }));
}

/**
 * The same runs as cliBatch, asked for one at a time (`await server.run(args)`): one Node process
 * per test file, started by `cliServer()` in the file (beforeAll) and ended after it (afterAll).
 */
export class CliServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly sep: string;
  private out = '';
  private err = '';
  private queue: Promise<unknown> = Promise.resolve();
  private wake: (() => void) | null = null;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor() {
    const nonce = randomBytes(12).toString('hex');
    this.sep = `\u0000${nonce}\u0000`;
    this.child = spawn(process.execPath, ['test/helpers/cli-batch.mjs', nonce, '-']);
    this.child.stdout.setEncoding('utf8').on('data', (s: string) => ((this.out += s), this.wake?.()));
    this.child.stderr.setEncoding('utf8').on('data', (s: string) => ((this.err += s), this.wake?.()));
    this.child.on('close', (code, signal) => ((this.exited = { code, signal }), this.wake?.()));
  }

  /** One command line; runs are serial, in the order asked. */
  run(args: string[]): Promise<CliResult> {
    const next = this.queue.then(() => this.one(args));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async one(args: string[]): Promise<CliResult> {
    this.child.stdin.write(`${JSON.stringify(args)}\n`);
    // Wait for "<output> SEP <code> SEP" on both descriptors.
    const done = (s: string): number => {
      const a = s.indexOf(this.sep);
      return a < 0 ? -1 : s.indexOf(this.sep, a + this.sep.length);
    };
    while (done(this.out) < 0 || done(this.err) < 0) {
      if (this.exited) throw new Error(`cli server ended (exit ${this.exited.code}, signal ${this.exited.signal}) during ${args.join(' ')}: ${this.err.slice(-2000)}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    const take = (s: string): [string, string, string] => {
      const a = s.indexOf(this.sep);
      const b = s.indexOf(this.sep, a + this.sep.length);
      return [s.slice(0, a), s.slice(a + this.sep.length, b), s.slice(b + this.sep.length)];
    };
    const [stdout, code, outRest] = take(this.out);
    const [stderr, , errRest] = take(this.err);
    this.out = outRest;
    this.err = errRest;
    return { code: Number(code), stdout, stderr };
  }

  /** Ends the process (its stdin closed): resolves with its exit code, 0 when every run ended. */
  async close(): Promise<number | null> {
    await this.queue;
    this.child.stdin.end();
    while (!this.exited) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    return this.exited.code;
  }
}

/**
 * A CliServer for the calling test file (started before its tests, ended after them: its exit
 * must be clean). `run` is what `cli` is, asynchronous and without a process per run.
 */
export function cliServer(): { run: (args: string[]) => Promise<CliResult> } {
  let server: CliServer | null = null;
  beforeAll(() => {
    server = new CliServer();
  });
  afterAll(async () => {
    if (server) expect(await server.close()).toBe(0);
  });
  return {
    run: (args) => {
      if (!server) throw new Error('cliServer(): run inside a test');
      return server.run(args);
    },
  };
}
