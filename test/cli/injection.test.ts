/**
 * Injection test (hand-built capture, test/helpers/packets.ts): FTP strings an attacker controls —
 * the banner, the user name, file names, reply text — carrying ANSI escape sequences (colour, and
 * OSC 0 which retitles a terminal), HTML/XML metacharacters, quotes, a bare newline inside a reply,
 * NUL, and bytes that are not UTF-8. Every format of `analyze` must stay valid for its kind, and the
 * text report must carry no raw control character a terminal would act on.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { pcapFile } from '../helpers/build.js';
import { Clock, TcpConversation } from '../helpers/packets.js';
import { FORMAT_NAMES } from '../../src/report/formats.js';
import { naiveWireText } from '../helpers/wire-text.js';

/** The text a string of latin1-written wire bytes reads as. */
const wire = (s: string): string => naiveWireText(Buffer.from(s, 'latin1'));

const CSI_RED = '\x1b[31m';
const OSC_TITLE = '\x1b]0;title\x07';
const EVIL = `${CSI_RED}<script>alert(1)</script>&amp;"q"'q'${OSC_TITLE}`;
// Not UTF-8: a lead byte before ASCII, a C1 control (0x9b is CSI for 8-bit terminals), a lone
// continuation byte, a cut sequence. (No 0xff: on the control channel that is Telnet's IAC.)
const NOT_UTF8 = '\xc3\x28\x9b\xa0\xe2\x82'; // latin1 in these strings = those raw bytes on the wire
const USER = `${CSI_RED}evil<b>&"'\x00${NOT_UTF8}`;
const FILE1 = `${OSC_TITLE}<x y="1">&lt;${NOT_UTF8}\x00.txt`;
const FILE2 = `${CSI_RED}]]></a><!--${NOT_UTF8}.bin`;

/** One FTP session: a completed passive RETR and a refused one, every string poisoned. */
function handBuiltInjectionCapture(): Buffer {
  const clock = new Clock();
  const client = '192.0.2.10';
  const server = '198.51.100.20';
  const ctl = new TcpConversation(clock, { ip: client, port: 50000 }, { ip: server, port: 21 });
  ctl.handshake();
  ctl.server(`220-${EVIL}\r\n220-a bare newline\ninside the text, a NUL \x00 and ${NOT_UTF8}\r\n220 ${CSI_RED}ready\r\n`);
  ctl.client(`USER ${USER}\r\n`);
  ctl.server(`331 Password required for ${USER}\r\n`);
  ctl.client('PASS hunter2\r\n');
  ctl.server(`230 Welcome ${EVIL}\r\n`);
  ctl.client('PASV\r\n');
  ctl.server('227 Entering Passive Mode (198,51,100,20,200,10).\r\n');
  const data = new TcpConversation(clock, { ip: client, port: 50001 }, { ip: server, port: 200 * 256 + 10 });
  data.handshake();
  ctl.client(`RETR ${FILE1}\r\n`);
  ctl.server(`150 Opening BINARY mode data connection for ${FILE1} (5 bytes)\r\n`);
  data.server('hello');
  data.close('server');
  ctl.server(`226 Transfer complete ${OSC_TITLE}\r\n`);
  ctl.client('PASV\r\n');
  ctl.server('227 Entering Passive Mode (198,51,100,20,200,11).\r\n');
  new TcpConversation(clock, { ip: client, port: 50002 }, { ip: server, port: 200 * 256 + 11 }).refused();
  ctl.client(`RETR ${FILE2}\r\n`);
  ctl.server(`425 Cannot open data connection for ${FILE2}\r\n`);
  ctl.client('QUIT\r\n');
  ctl.server(`221 Bye ${EVIL}\r\n`);
  ctl.close();
  return pcapFile({ records: clock.records });
}

/** Characters a terminal acts on: C0 except \n, DEL, C1. */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]/;
/** Characters XML 1.0 forbids (§2.2 Char), and lone surrogates. */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Raw control characters a JSON string never holds unescaped (RFC 8259 §7); \n, \r, \t only between tokens. */
// eslint-disable-next-line no-control-regex
const JSON_RAW_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

interface Session {
  user: string | null;
  banner: string | null;
  dataConnections: { argument: string | null; outcome: string }[];
}

describe('injection test (hand-built capture with hostile FTP strings)', () => {
  let capture = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-injection-'));
    capture = join(dir, 'hand-built-injection.pcap');
    writeFileSync(capture, handBuiltInjectionCapture());
  });

  it('the capture is read as one session with the poisoned strings (JSON holds them escaped, byte for byte)', () => {
    const r = cli(['analyze', '--format', 'json', capture]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(JSON_RAW_CONTROL);
    const j = JSON.parse(r.stdout) as { sessions: Session[] };
    expect(j.sessions).toHaveLength(1);
    const s = j.sessions[0];
    // Byte for byte: UTF-8 where valid, each other byte as U+DC00+b (src/ftp/text.ts).
    expect(s.user).toBe(wire(USER));
    expect(s.banner).toContain(EVIL);
    expect(s.banner).toContain(wire(NOT_UTF8));
    expect(wire(NOT_UTF8)).toBe('\udcc3(\udc9b\udca0\udce2\udc82');
    expect(s.dataConnections.map((d) => d.outcome)).toEqual(['completed', 'refused']);
    expect(s.dataConnections[0].argument).toContain(wire(`${OSC_TITLE}<x y="1">&lt;${NOT_UTF8}`));
    expect(s.dataConnections[1].argument).toBe(wire(FILE2));
  });

  it('text: no raw ESC or other control character reaches the terminal, the strings are shown escaped', () => {
    for (const args of [[], ['--show-passwords']]) {
      const r = cli(['analyze', ...args, capture]);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      for (const line of lines) expect(line).not.toMatch(TERMINAL_CONTROL);
      expect(r.stdout).toContain('\\x1b[31m');
      expect(r.stdout).toContain('\\x1b]0;title\\x07');
      // The bytes that are not UTF-8, each shown as the byte it is.
      expect(r.stdout).toContain('\\xc3(\\x9b\\xa0\\xe2\\x82');
    }
  });

  for (const format of FORMAT_NAMES()) {
    it(`--format ${format}: valid for its kind, no raw control characters`, async () => {
      const r = cli(['analyze', '--format', format, '--show-passwords', capture]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = r.stdout;
      expect(out.length).toBeGreaterThan(0);
      expect(out).not.toContain('\x1b');
      if (format === 'text') {
        expect(out).not.toMatch(TERMINAL_CONTROL);
      } else if (out.trimStart().startsWith('<')) {
        expect(out).not.toMatch(NOT_XML_CHAR);
        const { XMLValidator, XMLParser } = await import('fast-xml-parser');
        expect(XMLValidator.validate(out)).toBe(true);
        expect(() => new XMLParser().parse(out) as unknown).not.toThrow();
      } else {
        expect(out).not.toMatch(JSON_RAW_CONTROL);
        let whole: unknown;
        try {
          whole = JSON.parse(out);
        } catch {
          whole = undefined;
        }
        if (whole === undefined) {
          // One JSON value per line (NDJSON): every line parses on its own.
          const lines = out.split('\n').filter((l) => l !== '');
          expect(lines.length).toBeGreaterThan(1);
          for (const l of lines) expect(() => JSON.parse(l) as unknown, l.slice(0, 200)).not.toThrow();
        }
        // Whichever the shape, the hostile strings are there, escaped.
        expect(out).toContain('\\u001b[31m');
      }
    });
  }
});
