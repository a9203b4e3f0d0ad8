/**
 * Brute force: failed logins from one client address, over however many sessions. Fed with every
 * session report in output order (before any --session/--only-failed filter), so that one process,
 * `--jobs` and a merge of shards see the same reports in the same order and say the same thing.
 */
import { BRUTE_FORCE_FAILURES, MESSAGE_USER_CHARS } from '../limits.js';
import { detach } from './commands.js';
import { finding } from './diagnose.js';
import type { Finding, SessionFacts } from './model.js';

export type CrossFinding = Finding & { client: string };

interface Failures {
  frames: number[];
  failures: number;
  sessions: number;
  users: Set<string>;
  servers: Set<string>;
}

export class BruteForce {
  private readonly failures = new Map<string, Failures>();
  constructor(private readonly threshold = BRUTE_FORCE_FAILURES) {}

  note(r: SessionFacts): void {
    const failed = r.findings.find((f) => f.code === 'login-failed');
    if (!failed) return;
    let b = this.failures.get(r.client.ip);
    if (!b) this.failures.set(r.client.ip, (b = { frames: [], failures: 0, sessions: 0, users: new Set(), servers: new Set() }));
    b.failures += failed.frames.length || 1;
    b.sessions++;
    if (b.frames.length < 64) b.frames.push(...failed.frames.slice(0, 64 - b.frames.length));
    // User names are cut: a spray from 100,000 clients with 8 KiB names must not keep 800 MB.
    if (r.user && b.users.size < 16) b.users.add(detach(r.user, MESSAGE_USER_CHARS));
    if (b.servers.size < 16) b.servers.add(`${r.server.ip}:${r.server.port}`);
  }

  findings(): CrossFinding[] {
    const out: CrossFinding[] = [];
    for (const [client, b] of this.failures) {
      if (b.failures < this.threshold) continue;
      out.push({ ...finding('brute-force', 'error', `${b.failures} failed logins from ${client} in ${b.sessions} session${b.sessions === 1 ? '' : 's'} to ${[...b.servers].join(', ')} (users ${[...b.users].slice(0, 5).map((u) => JSON.stringify(u)).join(', ')}).`, b.frames), client });
    }
    return out;
  }
}
