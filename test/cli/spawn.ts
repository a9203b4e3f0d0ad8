/**
 * The built CLI as a live child process, for tests that act while it runs: feed stdin in pieces,
 * watch stdout as it arrives, send a signal.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class LiveCli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, ['bin/ftp-pcap', ...args], { env });
    this.child.stdout.on('data', (b: Buffer) => (this.stdout += b.toString('utf8')));
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString('utf8')));
    this.child.stdin.on('error', () => undefined); // EPIPE after a kill
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  write(b: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin.write(b, (e) => (e ? reject(e) : resolve())));
  }

  end(): void {
    this.child.stdin.end();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (true) or `ms` pass (false). */
export async function waitFor(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

/** Byte offsets where each record of a little-endian microsecond pcap starts (after the 24-byte header). */
export function recordOffsets(pcap: Buffer): number[] {
  const out: number[] = [];
  for (let off = 24; off + 16 <= pcap.length; off += 16 + pcap.readUInt32LE(off + 8)) out.push(off);
  return out;
}
