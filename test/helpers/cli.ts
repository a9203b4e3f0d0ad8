/** Runs the built executable (bin/ftp-pcap → dist/, built by `npm test`'s pretest) as a user would. */
import { spawnSync } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], input?: Buffer): CliResult {
  const r = spawnSync(process.execPath, ['bin/ftp-pcap', ...args], { input, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
