/**
 * `--extract` against hostile file names, name collisions, holes and its size bound, on a
 * hand-built capture (made here at test time: no server sends `RETR ../../etc/passwd` with a NUL
 * in it on demand). One vsftpd-like session downloads, over passive data connections, one file per
 * name below, each with its own bytes; the data connection of `holes.bin` lacks its middle segment
 * (acknowledged by the client: the capture missed it). Names are control-channel bytes written as
 * latin1 strings: `caf\u00c3\u00a9` is UTF-8 "café", `\u00e2\u0080\u00ae` UTF-8 U+202E (RIGHT-TO-LEFT OVERRIDE).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../helpers/build.js';
import { Clock, TcpConversation, ethIpv4Tcp, TCP, type TcpEnd } from '../helpers/packets.js';
import { cli } from '../helpers/cli.js';
import { LiveCli, recordOffsets, waitFor } from '../cli/spawn.js';
import { analyze } from '../../src/pipeline.js';
import { Extractor, safeName, type ManifestEntry } from '../../src/ftp/extract.js';
import { wireString } from '../../src/ftp/text.js';
import type { AnalysisReport } from '../../src/report/analysis.js';

const CLIENT = '192.0.2.10';
const SERVER = '198.51.100.20';
const LONG = `${'a'.repeat(300)}.txt`;
/** The names the client asks for, as control-channel text (latin1, one char per byte). */
const NAMES = ['../../etc/passwd', '/abs', 'C:\\x', 'CON', 'NUL.txt', 'com1.log', 'a\u0000b\u001b[31mc.txt', 'bidi\u00e2\u0080\u00aegnp.exe', LONG, 'same.txt', 'sub/same.txt', '..', '.hidden', '-rf', 'caf\u00c3\u00a9.txt', 'manifest.json', 'holes.bin'];
const MISSING = { from: 1448, length: 1448 };

const content = (i: number): Buffer => {
  const b = Buffer.alloc(3000 + 17 * i);
  for (let k = 0; k < b.length; k++) b[k] = (k * 31 + i * 7) & 0xff;
  return b;
};
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The hand-built capture (see the module comment). */
function handBuiltHostileNames(): Buffer {
  const clock = new Clock();
  const ctl = new TcpConversation(clock, { ip: CLIENT, port: 40000 }, { ip: SERVER, port: 21 });
  ctl.handshake().server('220 hand-built hostile names\r\n').client('USER ftplab\r\n').server('331 pw\r\n').client('PASS x\r\n').server('230 ok\r\n').client('TYPE I\r\n').server('200 binary\r\n');
  NAMES.forEach((name, i) => {
    const port = 30000 + i;
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (198,51,100,20,${port >> 8},${port & 255})\r\n`);
    const cEnd: TcpEnd = { ip: CLIENT, port: 41000 + i };
    const sEnd: TcpEnd = { ip: SERVER, port };
    const data = new TcpConversation(clock, cEnd, sEnd);
    data.handshake();
    ctl.client(`RETR ${name}\r\n`).server(`150 Opening BINARY mode data connection for ${name} (${content(i).length} bytes).\r\n`);
    const body = content(i);
    if (name === 'holes.bin') {
      // Segments by hand: the second one is missing, the client's ACK covers it.
      const isn = 0x20000001;
      const cseq = 0x10000001;
      for (let off = 0; off < body.length; off += 1448) {
        const seg = body.subarray(off, Math.min(body.length, off + 1448));
        if (off !== MISSING.from) clock.push(ethIpv4Tcp(sEnd, cEnd, isn + off, cseq, TCP.PSH | TCP.ACK, seg));
        if (off !== 0) clock.push(ethIpv4Tcp(cEnd, sEnd, cseq, isn + off + seg.length, TCP.ACK));
      }
      const fin = isn + body.length;
      clock.push(ethIpv4Tcp(sEnd, cEnd, fin, cseq, TCP.FIN | TCP.ACK));
      clock.push(ethIpv4Tcp(cEnd, sEnd, cseq, fin + 1, TCP.FIN | TCP.ACK));
      clock.push(ethIpv4Tcp(sEnd, cEnd, fin + 1, cseq + 1, TCP.ACK));
    } else {
      for (let off = 0; off < body.length; off += 1448) data.server(body.subarray(off, off + 1448));
      data.close('server');
    }
    ctl.server('226 Transfer complete.\r\n');
  });
  ctl.client('QUIT\r\n').server('221 bye\r\n').close();
  return pcapFile({ records: clock.records });
}

let root = '';
let capture = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ftp-pcap-extract-'));
  capture = join(root, 'hand-built-hostile-names.pcap');
  writeFileSync(capture, handBuiltHostileNames());
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Extracted {
  report: AnalysisReport;
  dir: string;
  manifest: { files: ManifestEntry[]; filesWritten: number; totalBytes: number; filesCut: number; maxBytes: number };
}

async function extract(name: string, maxBytes?: number): Promise<Extracted> {
  const base = join(root, name);
  mkdirSync(base);
  const dir = join(base, 'out');
  const report = await analyze([capture], { extract: new Extractor(dir, maxBytes) });
  return { report, dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Extracted['manifest'] };
}

describe('--extract on hand-built hostile names', () => {
  it('writes every file inside DIR under a safe name, with its hash, and nothing else', async () => {
    const { report, dir, manifest } = await extract('names');
    // Nothing outside DIR: its parent holds DIR alone.
    expect(readdirSync(join(dir, '..'))).toEqual(['out']);
    const names = manifest.files.map((e) => e.name);
    expect(readdirSync(dir).sort()).toEqual([...names, 'manifest.json'].sort() as string[]);
    expect(names).toEqual([
      'passwd',
      'abs',
      'x',
      '_CON',
      '_NUL.txt',
      '_com1.log',
      'a_b_[31mc.txt',
      'bidi_gnp.exe',
      `${'a'.repeat(115)}_.txt`,
      'same.txt',
      'same-2.txt',
      'unnamed',
      '_hidden',
      '_rf',
      'café.txt',
      'manifest-2.json',
      'holes.bin',
    ]);
    for (const n of readdirSync(dir)) {
      expect(statSync(join(dir, n)).isFile(), n).toBe(true);
      expect(Buffer.byteLength(n), n).toBeLessThanOrEqual(200);
    }
    const dcs = report.sessions[0].dataConnections;
    NAMES.forEach((bytes, i) => {
      // The report and the manifest read the path as UTF-8 where it is (RFC 2640): "café.txt".
      const name = wireString(Buffer.from(bytes, 'latin1'), 0, bytes.length);
      const e = manifest.files[i];
      const d = dcs.find((x) => x.argument === name);
      expect(d?.file?.extracted, name).toBe(e.name);
      expect(e.ftpPath, 'the manifest keeps the path as sent').toBe(name);
      if (name === 'holes.bin') return;
      expect(e, name).toMatchObject({ sha256: sha(content(i)), size: content(i).length, complete: true });
      expect(sha(readFileSync(join(dir, e.name ?? ''))), name).toBe(sha(content(i)));
    });
  });

  it('a transfer with a hole: no hash, incomplete, the hole left as zeros at its place', async () => {
    const { report, dir, manifest } = await extract('holes');
    const i = NAMES.indexOf('holes.bin');
    const d = report.sessions[0].dataConnections.find((x) => x.argument === 'holes.bin');
    expect(d?.file).toMatchObject({ sha256: null, complete: false, incomplete: 'capture-gap', missedBytes: MISSING.length, size: content(i).length - MISSING.length });
    const e = manifest.files.find((x) => x.ftpPath === 'holes.bin');
    expect(e).toMatchObject({ sha256: null, complete: false, incomplete: 'capture-gap' });
    const written = readFileSync(join(dir, e?.name ?? ''));
    const expected = Buffer.from(content(i));
    expected.fill(0, MISSING.from, MISSING.from + MISSING.length);
    expect(written.equals(expected)).toBe(true);
  });

  it('the total size bound: a file cut where it falls, later ones not written, counted and said', async () => {
    const first = content(0).length + content(1).length;
    const max = first + 1000;
    const { report, dir, manifest } = await extract('bound', max);
    expect(manifest.totalBytes).toBe(max);
    expect(manifest.maxBytes).toBe(max);
    const [a, b, c, ...rest] = manifest.files;
    expect({ aCut: a.cut, bCut: b.cut, written: a.writtenBytes + b.writtenBytes }).toEqual({ aCut: false, bCut: false, written: first });
    expect(c).toMatchObject({ name: 'x', cut: true, writtenBytes: 1000, sha256: sha(content(2)), size: content(2).length });
    expect(readFileSync(join(dir, 'x')).equals(content(2).subarray(0, 1000))).toBe(true);
    for (const e of rest) expect(e, e.ftpPath).toMatchObject({ name: null, cut: true, writtenBytes: 0 });
    expect(manifest.filesCut).toBe(NAMES.length - 2);
    expect(report.limits['extract-files-cut']).toBe(NAMES.length - 2);
    // the report still has every hash
    expect(report.sessions[0].dataConnections.filter((d) => d.file?.sha256).length).toBe(NAMES.length - 1);
  });

  it('the CLI: --extract-max-bytes needs --extract; not with --jobs or --shard; a DIR holding an earlier manifest is refused; text names the file', () => {
    const dir = join(root, 'cli');
    const r1 = cli(['analyze', '--extract-max-bytes', '1M', capture]);
    expect({ code: r1.code, stderr: r1.stderr.trim() }).toEqual({ code: 2, stderr: 'ftp-pcap: --extract-max-bytes needs --extract DIR' });
    // one process, one thread: the bytes of every data connection go through one hash and one folder
    const r4 = cli(['analyze', '--hash', '--jobs', '2', capture]);
    expect({ code: r4.code, stderr: r4.stderr.trim() }).toEqual({ code: 2, stderr: 'ftp-pcap: --jobs: --hash follows the bytes of data connections in one thread: use --jobs 1 or leave --jobs out' });
    const r5 = cli(['analyze', '--extract', dir, '--listings', '--shard', '0/2', capture]);
    expect({ code: r5.code, stderr: r5.stderr.trim() }).toEqual({ code: 2, stderr: 'ftp-pcap: --shard: --listings, --extract follow the bytes of data connections in one process; leave --shard out' });
    expect(existsSync(dir)).toBe(false);
    const r2 = cli(['analyze', '--extract', dir, '--extract-max-bytes', '1M', capture]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('-> passwd');
    // the terminal sees the name escaped, never the raw ESC
    expect(r2.stdout).not.toContain('\u001b');
    const r3 = cli(['analyze', '--extract', dir, capture]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/already holds a manifest\.json/);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
  });
});

describe('safeName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['/abs', 'abs'],
    ['C:\\x', 'x'],
    ['\\\\server\\share\\f', 'f'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['NUL .txt', '_NUL .txt'],
    ['LPT9', '_LPT9'],
    ['console', 'console'],
    ['a\u0000b', 'a_b'],
    ['tab\there', 'tab_here'],
    ['x<y>z:"|?*', 'x_y_z_____'],
    ['name. . ', 'name'],
    ['...', 'unnamed'],
    ['', 'unnamed'],
    ['/', 'unnamed'],
    ['.ssh', '_ssh'],
    ['-n', '_n'],
    ['caf\u00e9.txt', 'caf\u00e9.txt'],
    // Bytes that were not UTF-8 on the wire (escaped bytes, src/ftp/text.ts): the reports' \xNN,
    // with the backslash a name cannot hold made '_'.
    ['caf\udce9.txt', 'caf_xe9.txt'],
    ['d\udcff/x\udc80y', 'x_x80y'],
  ])('%j -> %j', (from, to) => {
    expect(safeName(from)).toBe(to);
  });

  it('bounds a long name in bytes and keeps its extension', () => {
    const n = safeName(`${'\u00e9'.repeat(150)}.tar.gz`);
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(200);
    expect(n.endsWith('_.gz')).toBe(true);
    expect(n.startsWith('é')).toBe(true);
  });
});

describe('--extract killed mid-way (a real capture fed on stdin, never closed)', () => {
  it('SIGTERM: exit 143, the spool folder and the temporary manifest removed', async () => {
    const dir = join(root, 'killed');
    const cap = readFileSync('fixtures/01-passive.pcap');
    const run = new LiveCli(['analyze', '--extract', dir, '--format', 'json', '-']);
    // frame 100 is inside the download of big.bin (frames 47-365): its bytes are being spooled
    await run.write(cap.subarray(0, recordOffsets(cap)[100]));
    const spooled = (): boolean => existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('.ftp-pcap-spool.') && readdirSync(join(dir, n)).length > 0);
    expect(await waitFor(spooled)).toBe(true);
    expect(readdirSync(dir).some((n) => n.startsWith('.manifest.json.'))).toBe(true);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(readdirSync(dir)).toEqual([]);
  });
});
