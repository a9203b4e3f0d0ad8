/**
 * -o/--output: every command and format writes the file whole or not at all. A run killed by
 * SIGTERM or SIGINT (or failing) leaves neither a partial report nor its temporary file, and an
 * existing report at the target stays as it was.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliServer } from '../helpers/cli.js';
import { LiveCli, recordOffsets, sleep, waitFor } from './spawn.js';
import { FORMAT_NAMES } from '../../src/report/formats.js';
import { Out, abortOpenOutputs } from '../../src/report/out.js';

const BLOCKED = 'fixtures/03-active-blocked.pcap';
const fresh = (): string => mkdtempSync(join(tmpdir(), 'ftp-pcap-out-'));

describe('-o writes the whole report, atomically', () => {
  // These runs in one process, asked one at a time (cliServer: the CLI loaded once); the killed
  // runs below need processes of their own.
  const cli = cliServer().run;
  for (const format of FORMAT_NAMES()) {
    it(`analyze --format ${format} -o FILE: exactly the file, same bytes as stdout, nothing on stdout`, async () => {
      const dir = fresh();
      const target = join(dir, `report.${format}`);
      const r = await cli(['analyze', '--format', format, '-o', target, BLOCKED]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(readdirSync(dir)).toEqual([`report.${format}`]);
      expect(readFileSync(target, 'utf8')).toBe((await cli(['analyze', '--format', format, BLOCKED])).stdout);
    });
  }

  it.each([
    ['info', 'json'],
    ['info', 'text'],
    ['connections', 'text'],
    ['connections', 'ndjson'],
  ])('%s --format %s -o FILE', async (cmd, format) => {
    const dir = fresh();
    const target = join(dir, 'out');
    const r = await cli([cmd, '--format', format, '-o', target, BLOCKED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(target, 'utf8')).toBe((await cli([cmd, '--format', format, BLOCKED])).stdout);
  });

  it("-o - is stdout", async () => {
    const a = await cli(['analyze', '--format', 'json', '-o', '-', BLOCKED]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toBeTruthy();
    expect((await cli(['info', '-o', '-', BLOCKED])).stdout).toContain('Packets:');
  });

  it('replaces an existing report only when the new one is complete', async () => {
    const dir = fresh();
    const target = join(dir, 'r.json');
    writeFileSync(target, 'old report\n');
    expect((await cli(['analyze', '--format', 'json', '-o', target, BLOCKED])).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['r.json']);
    expect((JSON.parse(readFileSync(target, 'utf8')) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });
});

describe('a killed run leaves no partial file and no temporary file', () => {
  // stdin fed part of a capture and never closed: the run is mid-way for as long as we like.
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    for (const cmd of ['analyze', 'connections']) {
      it(`${cmd}: ${signal} mid-way -> exit ${code}, the previous file untouched, no temp file`, async () => {
        const dir = fresh();
        const target = join(dir, 'report.out');
        writeFileSync(target, 'previous report\n');
        const cap = readFileSync(BLOCKED);
        const offsets = recordOffsets(cap);
        const run = new LiveCli([cmd, '--format', cmd === 'analyze' ? 'ndjson' : 'text', '-o', target, '-']);
        await run.write(cap.subarray(0, offsets[80]));
        // The temporary file is there while the report is being written...
        expect(await waitFor(() => readdirSync(dir).some((f) => f.endsWith('.tmp')))).toBe(true);
        await sleep(200);
        run.child.kill(signal);
        const end = await run.exited;
        expect(end.code).toBe(code);
        expect(run.stderr).toBe(`ftp-pcap: ${{ SIGINT: 'interrupted', SIGTERM: 'terminated', SIGHUP: 'hung up' }[signal]} (${signal})\n`);
        // ...and gone after the kill; the old report is as it was.
        expect(readdirSync(dir)).toEqual(['report.out']);
        expect(readFileSync(target, 'utf8')).toBe('previous report\n');
      });
    }
  }

  it('killed with no previous file: the folder is left empty', async () => {
    const dir = fresh();
    const run = new LiveCli(['analyze', '--format', 'json', '-o', join(dir, 'r.json'), '-']);
    const cap = readFileSync(BLOCKED);
    await run.write(cap.subarray(0, 2000));
    expect(await waitFor(() => readdirSync(dir).length > 0)).toBe(true);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the same run not killed: exactly the file', async () => {
    const dir = fresh();
    const target = join(dir, 'r.json');
    const run = new LiveCli(['analyze', '--format', 'json', '-o', target, '-']);
    await run.write(readFileSync(BLOCKED));
    run.end();
    expect((await run.exited).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['r.json']);
    expect((JSON.parse(readFileSync(target, 'utf8')) as { sessions: unknown[] }).sessions).toHaveLength(5);
  });
});

describe('Out (unit)', () => {
  it('abort() and abortOpenOutputs() remove the temporary file; close() renames it', () => {
    const dir = fresh();
    const a = new Out(join(dir, 'a'));
    a.write('partial');
    a.abort();
    expect(readdirSync(dir)).toEqual([]);
    const b = new Out(join(dir, 'b'));
    const c = new Out(join(dir, 'c'));
    b.write('x');
    c.write('y');
    expect(readdirSync(dir).sort()).toMatchObject([expect.stringMatching(/^\.b\.[0-9a-f]{12}\.tmp$/), expect.stringMatching(/^\.c\.[0-9a-f]{12}\.tmp$/)]);
    abortOpenOutputs();
    expect(readdirSync(dir)).toEqual([]);
    const d = new Out(join(dir, 'd'));
    d.write('whole');
    d.close();
    abortOpenOutputs(); // a closed Out is no longer pending
    expect(readdirSync(dir)).toEqual(['d']);
    expect(readFileSync(join(dir, 'd'), 'utf8')).toBe('whole');
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
