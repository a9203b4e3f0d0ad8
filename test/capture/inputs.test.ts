/**
 * The inputs users really pass, built by each test in a temporary folder from the real loopback
 * capture (pyftpdlib + curl): gzip files of several members or with trailing garbage, as `gzip -d`
 * reads them; FIFOs, /dev/stdin, process substitutions and character devices, read as streams;
 * hard links, read once; records longer than the header's snap length; pcapng major versions.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { expandInputs, formatCaptureError, formatCaptureWarning, readCaptures, type CaptureReader } from '../../src/capture/index.js';
import { readAll } from '../helpers/capture.js';

const LOOPBACK = readFileSync('test/capture/data/loopback-pyftpdlib-curl.pcap');
const NG = readFileSync('test/capture/data/loopback-pyftpdlib-curl.pcapng');
const BLOCKED = 'fixtures/03-active-blocked.pcap';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (name: string, b: Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
};

/** Records (lengths and times) and the readers' errors and warnings. */
async function read(paths: string[]): Promise<{ records: string[]; readers: CaptureReader[] }> {
  const records: string[] = [];
  const readers = await readCaptures(paths, (r) => records.push(`${r.tsSec}.${r.tsNsec}/${r.capturedLength}`));
  return { records, readers };
}

const plain = async (): Promise<string[]> => (await read([put('plain.pcap', LOOPBACK)])).records;

describe('gzip as gzip -d reads it (hand-built from the real loopback capture)', () => {
  it('concatenated members (`cat a.gz b.gz`) are one capture, every member decompressed', async () => {
    const cut = 24 + 16 + LOOPBACK.readUInt32LE(24 + 8) + 7; // inside the second record
    const f = put('two-members.pcap.gz', Buffer.concat([gzipSync(LOOPBACK.subarray(0, cut)), gzipSync(LOOPBACK.subarray(cut, 5000)), gzipSync(LOOPBACK.subarray(5000))]));
    const { records, readers } = await read([f]);
    expect(readers[0]).toMatchObject({ error: null, warnings: [], gzip: true });
    expect(records).toEqual(await plain());
  });

  it('a small capture followed by garbage: every record read, the garbage a warning at its compressed offset', async () => {
    const gz = gzipSync(LOOPBACK);
    const f = put('garbage.pcap.gz', Buffer.concat([gz, Buffer.from('garbage after the member\n')]));
    const { records, readers } = await read([f]);
    expect(records).toEqual(await plain());
    expect(readers[0].error).toBeNull();
    expect(readers[0].warnings).toMatchObject([{ kind: 'trailing-garbage', offset: gz.length, stream: 'compressed' }]);
    expect(formatCaptureWarning(readers[0].warnings[0])).toBe(`${f}: warning: trailing garbage after the compressed data ignored (compressed byte offset ${gz.length})`);
    // gzip itself agrees: the data is fine, the garbage ignored.
    const t = spawnSync('gzip', ['-t', f], { encoding: 'utf8' });
    if (t.error === undefined) expect(t.stderr).toMatch(/trailing garbage ignored/);
  });

  it('zero padding after the last member is no warning (tape blocks)', async () => {
    const f = put('padded.pcap.gz', Buffer.concat([gzipSync(LOOPBACK), Buffer.alloc(512)]));
    const { records, readers } = await read([f]);
    expect(readers[0]).toMatchObject({ error: null, warnings: [] });
    expect(records).toEqual(await plain());
  });

  it('a corrupt deflate block: an error at its compressed offset, what came before kept', async () => {
    const good = gzipSync(LOOPBACK);
    const bad = gzipSync(LOOPBACK);
    bad[10] = 0x07; // first deflate block: final, type 3 (reserved, RFC 1951 §3.2.3)
    const f = put('bad-block.pcap.gz', Buffer.concat([good, bad]));
    const { records, readers } = await read([f]);
    expect(records).toEqual(await plain());
    expect(readers[0].error).toMatchObject({ kind: 'gzip', offset: good.length + 10, stream: 'compressed' });
    expect(formatCaptureError(readers[0].error!)).toMatch(/invalid compressed data: .*\(compressed byte offset \d+\)$/);
  });

  it('a cut member: an error in compressed bytes; a cut record: an error in decompressed bytes', async () => {
    const gz = gzipSync(LOOPBACK);
    const cut = await read([put('cut.pcap.gz', gz.subarray(0, gz.length - 4))]);
    expect(cut.readers[0].error).toMatchObject({ kind: 'gzip', stream: 'compressed' });
    expect(formatCaptureError(cut.readers[0].error!)).toMatch(/\(compressed byte offset \d+\)$/);
    const rec = await read([put('cut-record.pcap.gz', gzipSync(LOOPBACK.subarray(0, LOOPBACK.length - 3)))]);
    expect(rec.readers[0].error).toMatchObject({ kind: 'truncated-record', stream: 'decompressed' });
    expect(formatCaptureError(rec.readers[0].error!)).toMatch(/\(decompressed byte offset \d+\)$/);
  });

  it('a CRC-32 that does not match the data is an error (when zlib offers crc32)', async () => {
    const gz = Buffer.from(gzipSync(LOOPBACK));
    gz[gz.length - 8] ^= 1;
    const { readers } = await read([put('crc.pcap.gz', gz)]);
    const zlib = await import('node:zlib');
    if ('crc32' in zlib) expect(readers[0].error).toMatchObject({ kind: 'gzip', offset: gz.length - 8, stream: 'compressed' });
  });

  it('the CLI: same sessions as the plain capture, one warning line, exit 0', () => {
    const cap = readFileSync(BLOCKED);
    const f = put('blocked.pcap.gz', Buffer.concat([gzipSync(cap), Buffer.from('\x01junk')]));
    const r = spawnSync(process.execPath, ['bin/ftp-pcap', 'analyze', '--format', 'json', f, '-q'], { encoding: 'utf8' });
    const ref = spawnSync(process.execPath, ['bin/ftp-pcap', 'analyze', '--format', 'json', BLOCKED, '-q'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`ftp-pcap: ${f}: warning: trailing garbage after the compressed data ignored (compressed byte offset ${gzipSync(cap).length})\n`);
    const sessions = (s: string): unknown => (JSON.parse(s) as { sessions: unknown }).sessions;
    expect(sessions(r.stdout)).toEqual(sessions(ref.stdout));
    expect((JSON.parse(r.stdout) as { inputs: { warnings?: unknown }[] }).inputs[0].warnings).toMatchObject([{ kind: 'trailing-garbage', stream: 'compressed' }]);
  });

  it('`connections` warns the same way and lists the same connections', () => {
    const cap = readFileSync(BLOCKED);
    const f = put('blocked-c.pcap.gz', Buffer.concat([gzipSync(cap), Buffer.from('\x01junk')]));
    const r = spawnSync(process.execPath, ['bin/ftp-pcap', 'connections', f, '-q'], { encoding: 'utf8' });
    const ref = spawnSync(process.execPath, ['bin/ftp-pcap', 'connections', BLOCKED, '-q'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`ftp-pcap: ${f}: warning: trailing garbage after the compressed data ignored (compressed byte offset ${gzipSync(cap).length})\n`);
    expect(r.stdout).toBe(ref.stdout);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});

describe('non-seekable inputs read as streams', () => {
  it('a FIFO with a writer', async () => {
    const fifo = join(dir, 'feed.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const w = createWriteStream(fifo);
    w.end(gzipSync(LOOPBACK));
    const { records, readers } = await read([fifo]);
    expect(readers[0]).toMatchObject({ error: null, gzip: true, fileSize: null });
    expect(records).toEqual(await plain());
  });

  it('a character device (a node made with mknod here, never the system\'s): read as a stream, no ESPIPE', async () => {
    const dev = join(dir, 'zero.dev');
    if (spawnSync('mknod', [dev, 'c', '1', '5']).status !== 0) return; // /dev/zero's numbers; needs root
    const { readers } = await read([dev]);
    expect(readers[0].error).toMatchObject({ kind: 'unknown-format', offset: 0 });
  });

  it('/dev/stdin and a process substitution <(gzip -dc x.gz) given together', () => {
    const gz = put('blocked2.pcap.gz', gzipSync(readFileSync(BLOCKED)));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" bin/ftp-pcap analyze -q --format json <(gzip -dc "${gz}") /dev/stdin < fixtures/01-passive.pcap`], { encoding: 'utf8' });
    if (r.error) return;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as { inputs: { packets: number; complete: boolean }[]; sessions: unknown[] };
    expect(rep.inputs.map((i) => i.complete)).toEqual([true, true]);
    expect(rep.inputs.map((i) => i.packets)).toEqual([127, 591]);
    expect(rep.sessions.length).toBe(8);
  });
});

describe('the same file reached twice is read once', () => {
  it('a hard link in a directory, and the file and its link given as two arguments', async () => {
    const d = join(dir, 'hard');
    mkdirSync(d);
    const a = join(d, 'a.pcap');
    writeFileSync(a, LOOPBACK);
    linkSync(a, join(d, 'b.pcap'));
    const x = await expandInputs([d]);
    expect(x.paths).toEqual([a]);
    expect(x.skipped).toEqual({ duplicate: 1 });
    const y = await expandInputs([join(d, 'b.pcap'), a]);
    expect(y.paths).toEqual([join(d, 'b.pcap')]);
    expect(y.skipped).toEqual({ duplicate: 1 });
  });
});

describe('record lengths and pcapng versions', () => {
  it('pcapng: a section header of major version 2 is an error naming its offset', async () => {
    const b = Buffer.from(NG);
    b.writeUInt16LE(2, 12);
    const { errors, records } = await readAll([put('hand-built-v2.pcapng', b)]);
    expect(records).toEqual([]);
    expect(errors).toMatchObject([{ kind: 'bad-file-header', offset: 0, message: 'unsupported pcapng version 2.0' }]);
  });

  it('pcapng: a second section of major version 2 stops there, the first section read', async () => {
    const second = Buffer.from(NG);
    second.writeUInt16LE(2, 12);
    const { errors, records } = await readAll([put('hand-built-v2-second.pcapng', Buffer.concat([NG, second]))]);
    expect(records.length).toBe((await readAll([put('ng.pcapng', NG)])).records.length);
    expect(errors).toMatchObject([{ kind: 'bad-file-header', offset: NG.length }]);
  });
});
