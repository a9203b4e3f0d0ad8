/**
 * The control connections of the lab captures, as tshark reassembled them (recorded by
 * test/ftp/record.py: CI has no tshark), through the parsers: every command tshark saw comes out
 * the same, every reply is assembled, every announcement and size in them parses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/ftp/lines.js';
import { ReplyAssembler, type Reply } from '../../src/ftp/replies.js';
import { COMMANDS, parseCommandLine, type Command } from '../../src/ftp/commands.js';
import { isAnnounceError, parseAnnouncementCommand, parseAnnouncementReply, parseTransferSize } from '../../src/ftp/announce.js';
import { findFiles } from '../helpers/capture.js';

interface Recorded {
  capture: string;
  connections: { stream: number; client: string; server: string; commands: [string, string][]; replies: number[] }[];
}

/** Feed `bytes` in chunks of `size` (0: all at once), one frame number per chunk. */
function lines(bytes: Buffer, size: number): { lines: string[]; s: LineSplitter } {
  const out: string[] = [];
  const s = new LineSplitter((l) => out.push(l));
  const step = size > 0 ? size : Math.max(1, bytes.length);
  for (let off = 0, frame = 1; off < bytes.length; off += step, frame++) s.push(bytes, off, Math.min(step, bytes.length - off), frame);
  s.end();
  return { lines: out, s };
}

const files = findFiles('test/ftp/data', (n) => n.endsWith('.json'));

describe('lab captures (tshark-reassembled control streams)', () => {
  it('recordings exist', () => expect(files.length).toBeGreaterThanOrEqual(10));

  for (const file of files) {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
    describe(rec.capture, () => {
      for (const c of rec.connections) {
        const client = Buffer.from(c.client, 'hex');
        const server = Buffer.from(c.server, 'hex');

        it(`stream ${c.stream}: commands match tshark's, whatever the chunking`, () => {
          for (const size of [0, 1, 7, 64]) {
            const { lines: got, s } = lines(client, size);
            const cmds = got.map(parseCommandLine);
            expect(cmds.every((x) => x !== null), `unparsed: ${JSON.stringify(got)}`).toBe(true);
            expect((cmds as Command[]).map((x) => [x.verb, x.arg])).toEqual(c.commands);
            expect(s.counters.truncated).toBe(0);
          }
        });

        it(`stream ${c.stream}: replies assembled as RFC 959 says, no garbage`, () => {
          for (const size of [0, 1, 5, 100]) {
            const replies: Reply[] = [];
            const a = new ReplyAssembler((r) => replies.push(r));
            const { lines: got } = lines(server, size);
            got.forEach((l, i) => a.push(l, i));
            a.end();
            expect(replies.map((r) => r.code)).toEqual(c.replies);
            expect(replies.every((r) => r.complete)).toBe(true);
            expect(a.counters.garbage).toBe(0);
          }
        });

        it(`stream ${c.stream}: every announcement and announced size parses`, () => {
          const replies: Reply[] = [];
          const a = new ReplyAssembler((r) => replies.push(r));
          lines(server, 0).lines.forEach((l, i) => a.push(l, i));
          for (const r of replies) {
            const ann = parseAnnouncementReply(r.code, r.text);
            if (ann) expect(isAnnounceError(ann), `${r.code} ${r.text}`).toBe(false);
            // 213 answers SIZE (a number), MDTM (a timestamp) and STAT <file> (multi-line).
            if (r.code === 213 && !r.multiline) expect(parseTransferSize(r.text), r.text).not.toBeNull();
            if ((r.code === 150 || r.code === 125) && /bytes\)/.test(r.text)) expect(parseTransferSize(r.text), r.text).not.toBeNull();
          }
          for (const [verb, arg] of c.commands) {
            const ann = parseAnnouncementCommand(verb, arg);
            if (ann) expect(isAnnounceError(ann), `${verb} ${arg}`).toBe(false);
            expect(COMMANDS[verb.toUpperCase()], verb).toBeDefined();
          }
        });
      }
    });
  }
});
