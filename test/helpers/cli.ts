/** Runs the built executable (bin/ftp-pcap → dist/, built by `npm test`'s pretest) as a user would. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

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
