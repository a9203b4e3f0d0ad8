/**
 * The Extractor (src/ftp/extract.ts) on its own, crossing the bounds a capture would need
 * thousands of transfers for: EXTRACT_MAX_OPEN_FILES (spools closed and reopened where they were)
 * and EXTRACT_MAX_SUFFIX (names past `-100` take the session and connection ids).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extractor, type ManifestEntry } from '../../src/ftp/extract.js';
import { EXTRACT_MAX_OPEN_FILES, EXTRACT_MAX_SUFFIX } from '../../src/limits.js';

const root = mkdtempSync(join(tmpdir(), 'ftp-pcap-extractor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = (ftpPath: string, session: number, dataConnection: number, size: number): Omit<ManifestEntry, 'name' | 'writtenBytes' | 'cut'> => ({
  session,
  dataConnection,
  size,
  sha256: null,
  complete: true,
  incomplete: null,
  missedBytes: 0,
  offset: 0,
  command: 'RETR',
  ftpPath,
  direction: 'download',
  client: '192.0.2.10:40000',
  server: '198.51.100.20:21',
  time: null,
});
const openFds = (): number => readdirSync('/proc/self/fd').length;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('Extractor bounds', () => {
  it(`EXTRACT_MAX_OPEN_FILES (${EXTRACT_MAX_OPEN_FILES}): ${EXTRACT_MAX_OPEN_FILES + 72} spools written in turn stay within it, each file whole`, () => {
    const dir = join(root, 'open');
    const x = new Extractor(dir);
    x.begin({ name: 'ftp-pcap', version: 'test' });
    const n = EXTRACT_MAX_OPEN_FILES + 72;
    const spools = Array.from({ length: n }, () => x.spool());
    const bodies = Array.from({ length: n }, () => [] as Buffer[]);
    const base = openFds();
    let most = 0;
    // rounds of 64 KiB per spool: every round flushes every spool (their buffers are smaller)
    for (let round = 0; round < 3; round++) {
      spools.forEach((s, i) => {
        const chunk = Buffer.alloc(64 * 1024, (i * 7 + round) & 0xff);
        s.write(round * chunk.length, chunk);
        bodies[i].push(chunk);
        most = Math.max(most, openFds() - base);
      });
    }
    expect(most).toBeLessThanOrEqual(EXTRACT_MAX_OPEN_FILES);
    spools.forEach((s, i) => x.keep(s, entry(`f${i}.bin`, 1, i + 1, 3 * 64 * 1024)));
    x.finish();
    for (let i = 0; i < n; i++) expect(sha(readFileSync(join(dir, `f${i}.bin`))), `f${i}.bin`).toBe(sha(Buffer.concat(bodies[i])));
  });

  it(`EXTRACT_MAX_SUFFIX (${EXTRACT_MAX_SUFFIX}): name, name-2 ... name-${EXTRACT_MAX_SUFFIX}, then the ids`, () => {
    const dir = join(root, 'suffix');
    const x = new Extractor(dir);
    x.begin({ name: 'ftp-pcap', version: 'test' });
    const names = Array.from({ length: EXTRACT_MAX_SUFFIX + 2 }, (_, i) => x.keep(null, entry('/pub/same.txt', 7, i + 1, 0)));
    x.finish();
    expect(names.slice(0, 3)).toEqual(['same.txt', 'same-2.txt', 'same-3.txt']);
    expect(names[EXTRACT_MAX_SUFFIX - 1]).toBe(`same-${EXTRACT_MAX_SUFFIX}.txt`);
    expect(names.slice(EXTRACT_MAX_SUFFIX)).toEqual([`same-s7-d${EXTRACT_MAX_SUFFIX + 1}.txt`, `same-s7-d${EXTRACT_MAX_SUFFIX + 2}.txt`]);
    expect(readdirSync(dir).length).toBe(EXTRACT_MAX_SUFFIX + 3);
    // empty transfers are empty files
    expect(readFileSync(join(dir, 'same.txt')).length).toBe(0);
  });
});
