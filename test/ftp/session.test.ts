/**
 * The control-channel state machine on scripted dialogues (hand-written, in the words real servers
 * use: the lines are vsftpd's, pyftpdlib's and lftp's from the lab captures unless said otherwise).
 */
import { describe, it, expect } from 'vitest';
import { activeModeByLength, FtpSession, halfModeOf } from '../../src/ftp/session.js';

type Step = ['C', string] | ['S', number, string];

/** Plays a dialogue: client lines as commands, server lines as (already assembled) replies. */
function play(steps: Step[]): FtpSession {
  const s = new FtpSession();
  let frame = 0;
  for (const st of steps) {
    frame++;
    const at = { sec: 1000 + frame, nsec: 0 };
    if (st[0] === 'C') {
      const line = st[1];
      const sp = line.indexOf(' ');
      s.command(sp < 0 ? line : line.slice(0, sp), sp < 0 ? '' : line.slice(sp + 1), frame, at);
    } else s.reply({ code: st[1], text: st[2], frame }, at);
  }
  return s;
}

describe('FtpSession', () => {
  it('login: USER/PASS 331/230 succeeds, 530 fails and counts every attempt', () => {
    const ok = play([['S', 220, 'ftp-pcap lab vsftpd ready'], ['C', 'USER ftplab'], ['S', 331, 'Please specify the password.'], ['C', 'PASS labpass'], ['S', 230, 'Login successful.']]);
    expect(ok).toMatchObject({ banner: 'ftp-pcap lab vsftpd ready', user: 'ftplab', password: 'labpass', login: 'success', failedLogins: 0 });
    const bad = play([['S', 220, 'x'], ['C', 'USER root'], ['S', 331, 'Please specify the password.'], ['C', 'PASS toor'], ['S', 530, 'Login incorrect.'], ['C', 'USER admin'], ['S', 331, 'p'], ['C', 'PASS admin'], ['S', 530, 'Login incorrect.']]);
    expect(bad).toMatchObject({ login: 'failed', failedLogins: 2, user: 'admin' });
  });

  it('a banner that arrives after the client spoke answers no command (lftp sends FEAT first)', () => {
    const s = play([['C', 'FEAT'], ['S', 220, 'ftp-pcap lab vsftpd ready'], ['S', 211, 'Features:\n EPRT\nEnd'], ['C', 'USER ftplab'], ['S', 331, 'p'], ['C', 'PASS x'], ['S', 230, 'ok']]);
    expect(s).toMatchObject({ banner: 'ftp-pcap lab vsftpd ready', login: 'success' });
  });

  it('PORT announces at the command, PASV at its 227; each transfer takes the latest announcement', () => {
    const s = play([
      ['C', 'PORT 192,0,2,10,156,84'],
      ['S', 200, 'PORT command successful. Consider using PASV.'],
      ['C', 'LIST'],
      ['S', 150, 'Here comes the directory listing.'],
      ['S', 226, 'Directory send OK.'],
      ['C', 'PASV'],
      ['S', 227, 'Entering Passive Mode (198,51,100,20,117,48).'],
      ['C', 'RETR small.txt'],
      ['S', 150, 'Opening BINARY mode data connection for small.txt (1234 bytes).'],
      ['S', 226, 'Transfer complete.'],
    ]);
    expect(s.announcements.map((a) => [a.kind, a.command, a.ip, a.port, a.replyCode, a.transfer?.verb])).toEqual([
      ['active', 'PORT', '192.0.2.10', 40020, 200, 'LIST'],
      ['passive', 'PASV', '198.51.100.20', 30000, 227, 'RETR'],
    ]);
    expect(s.transfers.map((t) => [t.verb, t.direction, t.expectedBytes, t.replies.map((r) => r.code), t.final?.code])).toEqual([
      ['LIST', 'listing', null, [150, 226], 226],
      ['RETR', 'download', 1234, [150, 226], 226],
    ]);
  });

  it('pipelined PASV + RETR: the transfer waits for the 227 that answers its PASV', () => {
    const s = play([
      ['C', 'PASV'],
      ['C', 'RETR a'],
      ['C', 'PASV'],
      ['C', 'LIST'],
      ['S', 227, 'Entering Passive Mode (198,51,100,20,117,48).'],
      ['S', 150, 'Opening BINARY mode data connection for a (10 bytes).'],
      ['S', 226, 'Transfer complete.'],
      ['S', 227, 'Entering Passive Mode (198,51,100,20,117,49).'],
      ['S', 150, 'Here comes the directory listing.'],
      ['S', 226, 'Directory send OK.'],
    ]);
    expect(s.announcements.map((a) => [a.port, a.transfer?.verb])).toEqual([
      [30000, 'RETR'],
      [30001, 'LIST'],
    ]);
    expect(s.transfers.map((t) => [t.verb, t.announcement?.port, t.final?.code])).toEqual([
      ['RETR', 30000, 226],
      ['LIST', 30001, 226],
    ]);
  });

  it('ABOR during a RETR: 426 ends the transfer, the ABOR reply joins its replies', () => {
    const s = play([
      ['C', 'PASV'],
      ['S', 227, 'Entering Passive Mode (198,51,100,20,117,48).'],
      ['C', 'RETR big.bin'],
      ['S', 150, 'Opening BINARY mode data connection for big.bin (300000 bytes).'],
      ['C', 'ABOR'],
      ['S', 426, 'Failure writing network stream.'],
      ['S', 226, 'ABOR successful.'],
    ]);
    const t = s.transfers[0];
    expect({ replies: t.replies.map((r) => r.code), final: t.final?.code, aborted: t.abortFrame !== null }).toEqual({ replies: [150, 426, 226], final: 426, aborted: true });
  });

  it('REST then RETR: the 150 announces the whole file, the transfer expects the rest', () => {
    const s = play([['C', 'REST 1000'], ['S', 350, 'Restart position accepted (1000).'], ['C', 'PASV'], ['S', 227, '(198,51,100,20,117,48)'], ['C', 'RETR small.txt'], ['S', 150, 'Opening BINARY mode data connection for small.txt (1234 bytes).'], ['S', 226, 'Transfer complete.']]);
    expect(s.transfers[0]).toMatchObject({ restOffset: 1000, expectedBytes: 234 });
  });

  it('SIZE gives the expected bytes of a later RETR of the same path; PWD and CWD make full paths', () => {
    const s = play([
      ['C', 'PWD'],
      ['S', 257, '"/" is the current directory'],
      ['C', 'CWD sub'],
      ['S', 250, 'Directory successfully changed.'],
      ['C', 'SIZE notes.txt'],
      ['S', 213, '100'],
      ['C', 'EPSV'],
      ['S', 229, 'Entering Extended Passive Mode (|||30000|)'],
      ['C', 'RETR notes.txt'],
      ['S', 150, 'Opening data connection.'],
      ['S', 226, 'Transfer complete.'],
    ]);
    expect(s).toMatchObject({ cwd: '/sub' });
    expect(s.transfers[0]).toMatchObject({ path: '/sub/notes.txt', expectedBytes: 100 });
    expect(s.announcements[0]).toMatchObject({ kind: 'extended-passive', ip: null });
  });

  it('multi-line 230 with digits inside, then AUTH TLS 234 marks the channel encrypted', () => {
    const s = play([
      ['C', 'USER anonymous'],
      ['S', 331, 'Please specify the password.'],
      ['C', 'PASS guest@'],
      // Hand-written (pure-ftpd style): inner lines that begin with digits do not end the reply.
      ['S', 230, 'Welcome\n230 files here\n  150 users online\nLogin successful.'],
      ['C', 'AUTH TLS'],
      ['S', 234, 'Proceed with negotiation.'],
    ]);
    expect(s).toMatchObject({ login: 'success', user: 'anonymous', tls: true, tlsFrame: 6 });
  });

  it("pyftpdlib answers a PORT it could not connect to with 421; the announcement keeps that reply", () => {
    const s = play([['C', 'PORT 192,0,2,10,156,105'], ['S', 421, 'Active data channel timed out.'], ['C', 'QUIT'], ['S', 221, 'Goodbye.']]);
    expect(s.announcements.map((a) => [a.kind, a.port, a.replyCode, a.transfer])).toEqual([['active', 40041, 421, null]]);
  });

  it('a malformed announcement is recorded, not thrown', () => {
    const s = play([['C', 'PORT 300,0,2,10,1,1'], ['S', 500, 'Illegal PORT command.'], ['C', 'PASV'], ['S', 227, 'Entering Passive Mode.']]);
    expect(s.announcements).toEqual([]);
    expect(s.badAnnouncements.map((b) => b.text)).toEqual(['PORT 300,0,2,10,1,1', 'Entering Passive Mode.']);
  });

  it('a capture that starts mid-session still reads a 227 whose PASV it missed', () => {
    const s = play([['S', 227, 'Entering Passive Mode (198,51,100,20,117,48).'], ['C', 'RETR x'], ['S', 150, 'ok'], ['S', 226, 'done']]);
    expect(s.announcements.map((a) => [a.port, a.transfer?.verb])).toEqual([[30000, 'RETR']]);
  });
});

describe('FtpSession: the server\'s side alone, replies to active-mode commands as half announcements', () => {
  const serverOnly = (lines: [number, string][]): FtpSession => play([['S', 220, 'ftp-pcap lab ready'], ['S', 230, 'Login successful.'], ...lines.map(([c, t]): Step => ['S', c, t])]);
  const rows: { name: string; lines: [number, string][]; want: { kind: string; named: boolean; refused: boolean; tried: boolean; reply: { code: number } }[] }[] = [
    { name: 'vsftpd accepts PORT (named)', lines: [[200, 'PORT command successful. Consider using PASV.']], want: [{ kind: 'active', named: true, refused: false, tried: false, reply: { code: 200 } }] },
    { name: 'pyftpdlib connected (names neither PORT nor EPRT)', lines: [[200, 'Active data connection established.']], want: [{ kind: 'active', named: false, refused: false, tried: false, reply: { code: 200 } }] },
    { name: 'vsftpd refuses PORT', lines: [[500, 'Illegal PORT command.']], want: [{ kind: 'active', named: true, refused: true, tried: false, reply: { code: 500 } }] },
    { name: 'pyftpdlib does not know LPRT', lines: [[500, 'Command "LPRT" not understood.']], want: [{ kind: 'long-active', named: true, refused: true, tried: false, reply: { code: 500 } }] },
    { name: 'pyftpdlib refuses a bounce', lines: [[501, 'Rejected data connection to foreign address 203.0.113.99:25.']], want: [{ kind: 'active', named: false, refused: true, tried: false, reply: { code: 501 } }] },
    { name: 'pyftpdlib refuses a privileged port', lines: [[501, 'PORT against the privileged port "79" refused.']], want: [{ kind: 'active', named: true, refused: true, tried: false, reply: { code: 501 } }] },
    { name: 'pyftpdlib tried and timed out', lines: [[421, 'Active data channel timed out.']], want: [{ kind: 'active', named: false, refused: false, tried: true, reply: { code: 421 } }] },
    { name: 'pyftpdlib tried and could not connect', lines: [[425, "Can't connect to specified address."]], want: [{ kind: 'active', named: false, refused: false, tried: true, reply: { code: 425 } }] },
    { name: 'a refusal naming no command is no announcement', lines: [[500, 'Unknown command.']], want: [] },
  ];
  for (const r of rows) {
    it(r.name, () => {
      expect(serverOnly(r.lines).halfAnnouncements).toMatchObject(r.want);
      expect(serverOnly(r.lines).halfAnnouncements.length).toBe(r.want.length);
    });
  }

  it("vsftpd's 425 after an accepted PORT, no transfer command captured: the half's failure", () => {
    const s = serverOnly([[200, 'PORT command successful. Consider using PASV.'], [425, 'Failed to establish connection.']]);
    expect(s.halfAnnouncements).toMatchObject([{ kind: 'active', failure: { code: 425, text: 'Failed to establish connection.' } }]);
  });

  it("the command a reply answers, counted by the server's ACKs: a 200 naming none is PORT or EPRT by that length", () => {
    const s = new FtpSession();
    const steps: [number, number, string][] = [
      [0, 220, 'ready'],
      [13, 331, 'Username ok, send password.'], // USER ftplab\r\n
      [27, 230, 'Login successful.'], // PASS labpass\r\n
      [35, 200, 'Type set to: Binary.'], // TYPE I\r\n
      [35 + 'PORT 192,0,2,10,156,164\r\n'.length, 200, 'Active data connection established.'],
      [35 + 'PORT 192,0,2,10,156,164\r\n'.length + 'EPRT |1|192.0.2.10|40101|\r\n'.length, 200, 'Active data connection established.'],
      [200, 200, 'Active data connection established.'], // two commands, or one the server's ACKs do not count alone
    ];
    for (const [i, [acked, code, text]] of steps.entries()) {
      s.serverAcked = acked;
      s.reply({ code, text, frame: i + 1 }, { sec: 1000 + i, nsec: 0 });
    }
    const [port, eprt, other] = s.halfAnnouncements;
    expect(halfModeOf(port, 4, { ip: '192.0.2.10', port: 40100 })).toBe('active');
    expect(halfModeOf(eprt, 4, { ip: '192.0.2.10', port: 40101 })).toBe('extended-active');
    expect(halfModeOf(other, 4, { ip: '192.0.2.10', port: 40102 })).toBe('unknown');
    // Without the endpoint the server connected to, the length says nothing.
    expect(halfModeOf(port, 4, null)).toBe('unknown');
  });

  it('PORT and EPRT for one IPv4 endpoint never have the same length (every port, short and long addresses)', () => {
    const wrong: string[] = [];
    for (const ip of ['1.2.3.4', '10.0.0.10', '192.0.2.10', '255.255.255.255']) {
      for (let p = 0; p < 65536; p++) {
        const port = `PORT ${ip.replaceAll('.', ',')},${p >> 8},${p & 255}\r\n`.length;
        const eprt = `EPRT |1|${ip}|${p}|\r\n`.length;
        if (port === eprt || activeModeByLength(port, { ip, port: p }) !== 'active' || activeModeByLength(eprt, { ip, port: p }) !== 'extended-active') wrong.push(`${ip}:${p}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a refused PORT takes no transfer: the next 150 opens one for the announcement after it', () => {
    const s = serverOnly([[500, 'Illegal PORT command.'], [200, 'PORT command successful. Consider using PASV.'], [150, 'Here comes the directory listing.'], [226, 'Directory send OK.']]);
    expect(s.halfAnnouncements).toMatchObject([{ refused: true, transfer: null }, { refused: false, transfer: { final: { code: 226 } } }]);
  });
});
