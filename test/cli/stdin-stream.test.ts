/**
 * `tcpdump -w - | ftp-pcap analyze --format ndjson -`: a live feed. Each session's events must come
 * out when the session ends (its control connection closed, plus the 2 s of capture time the
 * analyzer waits for its data connections), not when the input ends.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cli } from '../helpers/cli.js';
import { LiveCli, recordOffsets, sleep, waitFor } from './spawn.js';

const BLOCKED = 'fixtures/03-active-blocked.pcap'; // 5 sessions over 13 s of capture time

interface Event {
  event: { action: string };
  ftp?: { session?: { id?: number } };
}

const sessionsOut = (stdout: string): number[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Event)
    .filter((e) => e.event.action === 'ftp-session')
    .map((e) => e.ftp?.session?.id ?? -1);

describe('analyze - (stdin) streams', () => {
  it('ndjson: a session\'s events come out while the capture is still being fed, in small pieces', async () => {
    const cap = readFileSync(BLOCKED);
    const offsets = recordOffsets(cap);
    const cut = offsets[Math.floor(offsets.length * 0.75)];
    const run = new LiveCli(['analyze', '--format', 'ndjson', '-']);
    // Three quarters of the capture, in pieces that split records, with pauses: a slow live feed.
    for (let off = 0; off < cut; off += 700) {
      await run.write(cap.subarray(off, Math.min(off + 700, cut)));
      await sleep(5);
    }
    // stdin stays open: whatever comes out now was not held back until the end of the input.
    expect(await waitFor(() => sessionsOut(run.stdout).length >= 2, 10_000)).toBe(true);
    const early = sessionsOut(run.stdout);
    expect(early.slice(0, 2)).toEqual([1, 2]);
    expect(run.stdout.endsWith('\n')).toBe(true); // whole lines only
    expect(run.child.exitCode).toBeNull();
    await run.write(cap.subarray(cut));
    run.end();
    const end = await run.exited;
    expect(end.code).toBe(0);
    expect(sessionsOut(run.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(run.stderr).toBe('');
  });

  it('json: session lines stream the same way (the document closes at the end)', async () => {
    const cap = readFileSync(BLOCKED);
    const offsets = recordOffsets(cap);
    const run = new LiveCli(['analyze', '--format', 'json', '-']);
    await run.write(cap.subarray(0, offsets[Math.floor(offsets.length * 0.75)]));
    expect(await waitFor(() => /^ {4}\{"id":2,/m.test(run.stdout), 10_000)).toBe(true);
    await run.write(cap.subarray(offsets[Math.floor(offsets.length * 0.75)]));
    run.end();
    expect((await run.exited).code).toBe(0);
    expect((JSON.parse(run.stdout) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });

  const tcpdump = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!tcpdump)('tcpdump -w - | ftp-pcap analyze --format ndjson -: the same events as from the file', () => {
    const piped = spawnSync('sh', ['-c', `tcpdump -r ${BLOCKED} -w - 2>/dev/null | ${process.execPath} bin/ftp-pcap analyze --format ndjson -`], { encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(cli(['analyze', '--format', 'ndjson', BLOCKED]).stdout);
  });
});
