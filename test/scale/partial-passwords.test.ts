/**
 * A partial result (`--shard`, and each `--jobs` worker's) lies on shared storage, so it holds no
 * more than the report would: no password, neither as a session's field nor in the PASS line of
 * its command timeline (which shards always record), unless --show-passwords — for final sessions
 * and for pending ones (src/scale/partial.ts encodes those), on every lab capture. Anonymous
 * passwords (an e-mail address by convention) are shown in reports, and so may be here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.js';
import { analyzeShard } from '../../src/scale/run-shard.js';
import { Out } from '../../src/report/out.js';

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };
const ANONYMOUS = new Set(['anonymous', 'ftp']);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-partial-pw-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every partial of `files` in `n` shards, as one text (the CLI's shard options: timeline on). */
async function partials(files: string[], n: number, showPasswords: boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < n; i++) {
    const path = join(dir, `part-${i}.ndjson`);
    const out = new Out(path);
    await analyzeShard(files, { timeline: true, showPasswords }, { index: i, count: n }, out);
    out.close();
    text += readFileSync(path, 'utf8');
  }
  return text;
}

/** How a password would show: a session's field, or the argument of PASS in its timeline. */
const leaks = (text: string, secret: string): boolean => text.includes(`"password":${JSON.stringify(secret)}`) || text.includes(`PASS ${secret}`);

describe('partial results hold no password unless --show-passwords', () => {
  /** Pending sessions whose password was redacted. */
  let pendingSeen = 0;
  let secretsSeen = 0;

  for (const c of manifest.captures) {
    const files = (c.parts ?? [c]).map((p) => join('fixtures', p.file));
    it(c.file, async () => {
      const shown = await analyze(files, { showPasswords: true });
      const secrets = [...new Set(shown.sessions.filter((s) => s.password !== null && !ANONYMOUS.has((s.user ?? '').toLowerCase())).map((s) => s.password as string))];
      // 5 shards: every capture whose data connections cross hosts then has pending sessions.
      for (const n of [5]) {
        const hidden = await partials(files, n, false);
        // Pending sessions whose password was there to hide: the encodePending path is exercised.
        pendingSeen += hidden.split('\n').filter((l) => l.startsWith('{"p":') && l.includes('"password":"********"')).length;
        for (const secret of secrets) expect(leaks(hidden, secret), `${c.file} in ${n} shards: ${secret}`).toBe(false);
      }
      if (secrets.length === 0) return;
      secretsSeen += secrets.length;
      // The same check finds them when they are meant to be there.
      const open = await partials(files, 2, true);
      for (const secret of secrets) expect(leaks(open, secret), `${c.file} --show-passwords: ${secret}`).toBe(true);
    });
  }

  it('the captures above had passwords to hide, in pending sessions too', () => {
    expect(secretsSeen).toBeGreaterThan(10);
    expect(pendingSeen).toBeGreaterThan(0);
  });
});
