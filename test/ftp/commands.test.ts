import { describe, expect, it } from 'vitest';
import { COMMANDS, REDACTED, parseCommandLine, redactCommand, type Command, type TransferKind } from '../../src/ftp/commands.js';

/** The table entry for a command line's verb: how the session looks a command up. */
const lookup = (line: string) => COMMANDS[parseCommandLine(line)?.verb ?? ''];
import { LineSplitter } from '../../src/ftp/lines.js';

describe('parseCommandLine', () => {
  const cases: { input: string; expect: Command | null }[] = [
    // Real client lines (fixtures/01-passive.pcap, 02-active.pcap, 07-ipv6.pcap, 08-abort.pcap).
    { input: 'USER ftplab', expect: { verb: 'USER', arg: 'ftplab' } },
    { input: 'PASS labpass', expect: { verb: 'PASS', arg: 'labpass' } },
    { input: 'PASV', expect: { verb: 'PASV', arg: '' } },
    { input: 'TYPE I', expect: { verb: 'TYPE', arg: 'I' } },
    { input: 'RETR big.bin', expect: { verb: 'RETR', arg: 'big.bin' } },
    { input: 'PORT 192,0,2,10,157,38', expect: { verb: 'PORT', arg: '192,0,2,10,157,38' } },
    { input: 'EPRT |2|2001:db8:c::10|40092|', expect: { verb: 'EPRT', arg: '|2|2001:db8:c::10|40092|' } },
    { input: 'ABOR', expect: { verb: 'ABOR', arg: '' } },
    { input: 'CWD sub', expect: { verb: 'CWD', arg: 'sub' } },
    // Case, RFC 775 verbs, EPSV ALL.
    { input: 'retr file.txt', expect: { verb: 'RETR', arg: 'file.txt' } },
    { input: 'Pwd', expect: { verb: 'PWD', arg: '' } },
    { input: 'XPWD', expect: { verb: 'XPWD', arg: '' } },
    { input: 'XCWD /pub', expect: { verb: 'XCWD', arg: '/pub' } },
    { input: 'EPSV ALL', expect: { verb: 'EPSV', arg: 'ALL' } },
    { input: 'epsv 2', expect: { verb: 'EPSV', arg: '2' } },
    // Arguments keep their spaces: file names may begin or end with one.
    { input: 'RETR my file.txt', expect: { verb: 'RETR', arg: 'my file.txt' } },
    { input: 'RETR  leading.txt', expect: { verb: 'RETR', arg: ' leading.txt' } },
    { input: 'STOR trailing ', expect: { verb: 'STOR', arg: 'trailing ' } },
    { input: 'PASV ', expect: { verb: 'PASV', arg: '' } },
    { input: 'NOOP   ', expect: { verb: 'NOOP', arg: '' } },
    { input: 'RETR\tfile', expect: { verb: 'RETR', arg: 'file' } },
    { input: 'RETR caf\xe9', expect: { verb: 'RETR', arg: 'caf\xe9' } },
    { input: 'SITE CHMOD 644 x', expect: { verb: 'SITE', arg: 'CHMOD 644 x' } },
    // Unknown but well-formed verbs are returned (the table says they are unknown).
    { input: 'CLNT curl', expect: { verb: 'CLNT', arg: 'curl' } },
    // Not commands.
    { input: '', expect: null },
    { input: 'RE', expect: null },
    { input: 'RETRX file', expect: null },
    { input: ' RETR file', expect: null },
    { input: 'RET1 file', expect: null },
    { input: '220 ready', expect: null },
    { input: '\xff\xf4ABOR', expect: null },
    { input: 'RETR:file', expect: null },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.input), () => expect(parseCommandLine(c.input)).toEqual(c.expect));
  }

  it('pipelined commands in one chunk come out in order', () => {
    const got: (Command | null)[] = [];
    const s = new LineSplitter((line) => got.push(parseCommandLine(line)));
    const b = Buffer.from('TYPE I\r\nPASV\r\nRETR medium.bin\r\nQUIT\r\n', 'latin1');
    s.push(b, 0, b.length, 1);
    expect(got).toEqual([
      { verb: 'TYPE', arg: 'I' },
      { verb: 'PASV', arg: '' },
      { verb: 'RETR', arg: 'medium.bin' },
      { verb: 'QUIT', arg: '' },
    ]);
  });

  it('ABOR after IAC IP / IAC DM (fixtures/08-abort.pcap frames 149-150) parses as ABOR', () => {
    const got: (Command | null)[] = [];
    const s = new LineSplitter((line) => got.push(parseCommandLine(line)));
    for (const h of ['fff4ff', 'f241424f520d0a']) {
      const b = Buffer.from(h, 'hex');
      s.push(b, 0, b.length, 1);
    }
    expect(got).toEqual([{ verb: 'ABOR', arg: '' }]);
  });
});

describe('COMMANDS table', () => {
  const transfers: { input: string; expect: TransferKind | null }[] = [
    { input: 'RETR', expect: 'download' },
    { input: 'STOR', expect: 'upload' },
    { input: 'STOU', expect: 'upload' },
    { input: 'APPE', expect: 'upload' },
    { input: 'LIST', expect: 'listing' },
    { input: 'NLST', expect: 'listing' },
    { input: 'MLSD', expect: 'listing' },
    { input: 'retr', expect: 'download' },
    { input: 'MLST', expect: null },
    { input: 'SIZE', expect: null },
    { input: 'PASV', expect: null },
    { input: 'XYZ', expect: null },
  ];
  for (const c of transfers) it(`${c.input} transfers ${c.expect}`, () => expect(lookup(`${c.input} x`)?.transfer ?? null).toBe(c.expect));

  const categories: { input: string; expect: string }[] = [
    { input: 'USER', expect: 'access' },
    { input: 'CWD', expect: 'access' },
    { input: 'TYPE', expect: 'transfer-params' },
    { input: 'REST', expect: 'transfer-params' },
    { input: 'PORT', expect: 'announce' },
    { input: 'PASV', expect: 'announce' },
    { input: 'EPRT', expect: 'announce' },
    { input: 'EPSV', expect: 'announce' },
    { input: 'LPRT', expect: 'announce' },
    { input: 'LPSV', expect: 'announce' },
    { input: 'AUTH', expect: 'security' },
    { input: 'PBSZ', expect: 'security' },
    { input: 'PROT', expect: 'security' },
    { input: 'CCC', expect: 'security' },
    { input: 'FEAT', expect: 'info' },
    { input: 'OPTS', expect: 'transfer-params' },
    { input: 'SIZE', expect: 'info' },
    { input: 'MDTM', expect: 'info' },
    { input: 'XPWD', expect: 'info' },
    { input: 'XMKD', expect: 'service' },
    { input: 'ABOR', expect: 'service' },
    { input: 'HOST', expect: 'access' },
  ];
  for (const c of categories) it(`${c.input} is ${c.expect}`, () => expect(lookup(c.input)?.category).toBe(c.expect));

  it('covers RFC 959, 775, 1639, 2228, 2389, 2428, 3659', () => {
    const rfc959 = 'USER PASS ACCT CWD CDUP SMNT REIN QUIT PORT PASV TYPE STRU MODE RETR STOR STOU APPE ALLO REST RNFR RNTO ABOR DELE RMD MKD PWD LIST NLST SITE SYST STAT HELP NOOP';
    const others = 'XCWD XCUP XMKD XRMD XPWD LPRT LPSV AUTH ADAT PBSZ PROT CCC MIC CONF ENC FEAT OPTS EPRT EPSV SIZE MDTM MLST MLSD';
    for (const v of `${rfc959} ${others}`.split(' ')) expect(lookup(v), v).toBeDefined();
  });

  it('every key is a 3-4 letter upper-case verb', () => {
    for (const verb of Object.keys(COMMANDS)) expect(/^[A-Z]{3,4}$/.test(verb), verb).toBe(true);
  });

  it('unknown verbs and prototype keys are not commands', () => {
    expect(COMMANDS['CLNT']).toBeUndefined();
    expect(COMMANDS['constructor']).toBeUndefined();
    expect(COMMANDS['__proto__']).toBeUndefined();
    expect(COMMANDS['toString']).toBeUndefined();
    expect(Object.isFrozen(COMMANDS)).toBe(true);
  });
});

describe('redactCommand', () => {
  const cases: { verb: string; arg: string; expect: string }[] = [
    { verb: 'PASS', arg: 'labpass', expect: REDACTED },
    { verb: 'pass', arg: 'guest@example.com', expect: REDACTED },
    { verb: 'ACCT', arg: 'billing', expect: REDACTED },
    { verb: 'PASS', arg: '', expect: '' },
    { verb: 'SITE', arg: 'PSWD old new', expect: `PSWD ${REDACTED}` },
    { verb: 'SITE', arg: 'CHMOD 644 x', expect: 'CHMOD 644 x' },
    { verb: 'USER', arg: 'ftplab', expect: 'ftplab' },
    { verb: 'RETR', arg: 'secret.txt', expect: 'secret.txt' },
  ];
  for (const c of cases) {
    it(`${c.verb} ${JSON.stringify(c.arg)}`, () => expect(redactCommand(c.verb, c.arg)).toBe(c.expect));
  }
  it('the mask is eight asterisks', () => expect(REDACTED).toBe('********'));
});
