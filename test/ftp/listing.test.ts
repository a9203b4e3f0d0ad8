/**
 * Listings (`--listings`, src/ftp/listing.ts): every LIST of the lab captures (vsftpd, proftpd,
 * pure-ftpd, pyftpdlib) read into entries that match the lab's files (fixtures/lab/lib.sh: small.txt
 * 1234 B, medium.bin 65536 B, big.bin 300000 B, sub/notes.txt 100 B, pub/readme.txt 512 B,
 * upload.bin 20000 B, uploads of it as up-*.bin); MLSD and MS-DOS lines, which no lab server sends
 * unasked, from RFC 3659's examples and hand-written lines (named as such); hostile input bounded.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.js';
import { ListingParser, parseListingLine } from '../../src/ftp/listing.js';
import { LISTING_MAX_ENTRIES, LISTING_MAX_LINE_BYTES } from '../../src/limits.js';

const LAB_SIZES: Record<string, number> = { 'small.txt': 1234, 'medium.bin': 65536, 'big.bin': 300000, 'notes.txt': 100, 'readme.txt': 512, 'upload.bin': 20000 };
const LAB_DIRS = new Set(['pub', 'sub', 'upload']);

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[]; sessions: { findings: string[] }[] }[] };

describe('LIST of the lab captures', () => {
  it('every completed listing parses whole, into the lab files with their sizes', async () => {
    let listings = 0;
    let entries = 0;
    for (const c of manifest.captures) {
      if (c.sessions.some((s) => s.findings.includes('capture-gap'))) continue;
      const r = await analyze((c.parts ?? [c]).map((p) => join('fixtures', p.file)), { listings: true });
      for (const s of r.sessions) {
        for (const d of s.dataConnections) {
          if (d.direction !== 'listing' || d.outcome !== 'completed') continue;
          const l = d.file?.listing;
          expect(l, c.file).toBeDefined();
          if (!l) continue;
          listings++;
          expect(l, c.file).toMatchObject({ format: 'unix', unparsed: 0, dropped: 0 });
          expect(l.entries.length, c.file).toBeGreaterThan(0);
          for (const e of l.entries) {
            entries++;
            if (e.type === 'dir') expect(LAB_DIRS.has(e.name), `${c.file}: ${e.name}`).toBe(true);
            else expect(e, `${c.file}: ${e.name}`).toMatchObject({ type: 'file', size: LAB_SIZES[/^up-.*\.bin$/.test(e.name) ? 'upload.bin' : e.name] });
            expect(e.perm, c.file).toMatch(/^[-d][-rwx]{9}$/);
          }
        }
      }
    }
    expect(listings).toBeGreaterThan(30);
    expect(entries).toBeGreaterThan(150);
  });
});

describe('parseListingLine', () => {
  it('reads MLSD facts (RFC 3659 §7.7.3 example), skipping cdir/pdir', () => {
    expect(parseListingLine('Type=cdir;Modify=19981107085215;Perm=el; /tmp')).toBe(parseListingLine('type=pdir;modify=1; ..'));
    expect(parseListingLine('Type=file;Size=25730;Modify=19940728095854;Perm=; capmux.tar.z')).toEqual({
      format: 'mlsd',
      entry: { name: 'capmux.tar.z', type: 'file', size: 25730, modified: '1994-07-28T09:58:54Z', perm: '' },
    });
    expect(parseListingLine('type=dir;modify=20260102030405.123;perm=flcdmpe; a dir; with spaces')).toEqual({
      format: 'mlsd',
      entry: { name: 'a dir; with spaces', type: 'dir', size: null, modified: '2026-01-02T03:04:05.123Z', perm: 'flcdmpe' },
    });
    expect(parseListingLine('type=OS.unix=slink:/x;size=1; link')).toMatchObject({ entry: { type: 'link' } });
  });

  it('reads ls -l lines: files, directories, links, names with spaces, a year for old files', () => {
    expect(parseListingLine('-rw-r--r--    1 1000     1000         1234 Jan 02 03:04 small.txt')).toEqual({
      format: 'unix',
      entry: { name: 'small.txt', type: 'file', size: 1234, modified: 'Jan 02 03:04', perm: '-rw-r--r--' },
    });
    expect(parseListingLine('lrwxrwxrwx 1 ftp ftp 7 Jan  2  2026 latest -> big.bin')).toMatchObject({ entry: { name: 'latest', type: 'link', modified: 'Jan 2 2026' } });
    expect(parseListingLine('drwxr-xr-x 2 ftp 4096 Jan 02 03:04 two  spaces ')).toMatchObject({ entry: { name: 'two  spaces ', type: 'dir' } });
    expect(parseListingLine('total 24')).toBe(parseListingLine('type=cdir; .'));
  });

  it('reads MS-DOS/IIS lines (hand-written) and takes anything else as a bare name (NLST)', () => {
    expect(parseListingLine('01-02-26  03:04AM       <DIR>          sub')).toMatchObject({ format: 'dos', entry: { name: 'sub', type: 'dir', size: null } });
    expect(parseListingLine('01-02-26  03:04AM                 1234 small.txt')).toMatchObject({ format: 'dos', entry: { name: 'small.txt', type: 'file', size: 1234 } });
    expect(parseListingLine('small.txt')).toEqual({ format: 'names', entry: { name: 'small.txt', type: null, size: null, modified: null, perm: null } });
  });
});

describe('ListingParser on hand-built hostile listings', () => {
  it('lines split anywhere across chunks read the same', () => {
    const text = Buffer.from('-rw-r--r-- 1 a b 1 Jan 02 03:04 one\r\n-rw-r--r-- 1 a b 22 Jan 02 03:04 two\r\nthree\n');
    const whole = new ListingParser();
    whole.push(text);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new ListingParser();
      p.push(text.subarray(0, cut));
      p.push(text.subarray(cut));
      expect(p.report().entries, `cut at ${cut}`).toEqual(whole.report().entries);
    }
  });

  it('an over-long line is skipped and counted; a NUL byte stops parsing (a binary file)', () => {
    const p = new ListingParser();
    p.push(Buffer.from('a\n'));
    p.push(Buffer.alloc(LISTING_MAX_LINE_BYTES + 10, 0x41));
    p.push(Buffer.from('\nb\n'));
    expect(p.report()).toMatchObject({ entries: [{ name: 'a' }, { name: 'b' }], unparsed: 1 });
    const bin = new ListingParser();
    bin.push(Buffer.from('x\ny\u0000z\nw\n'));
    expect(bin.report().entries.map((e) => e.name)).toEqual(['x']);
  });

  it(`keeps ${LISTING_MAX_ENTRIES} entries and counts the rest`, () => {
    const p = new ListingParser();
    p.push(Buffer.from(Array.from({ length: LISTING_MAX_ENTRIES + 5 }, (_, i) => `f${i}\n`).join('')));
    const r = p.report();
    expect({ entries: r.entries.length, dropped: r.dropped }).toEqual({ entries: LISTING_MAX_ENTRIES, dropped: 5 });
  });

  it('a hole (bytes the capture missed) loses the line it cuts, no more', () => {
    const p = new ListingParser();
    p.push(Buffer.from('one\ntw'));
    p.hole();
    p.push(Buffer.from('o\nthree\n'));
    expect(p.report()).toMatchObject({ entries: [{ name: 'one' }, { name: 'three' }], unparsed: 1 });
  });
});
