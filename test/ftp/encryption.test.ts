/**
 * Control channels protected by something other than a plain AUTH TLS to the end (DESIGN.md §3
 * `control-encrypted`): RFC 2228 mechanisms (AUTH GSSAPI / KERBEROS_V4, ENC/MIC/CONF), CCC (RFC 4217
 * §6) and a TLS session that ends while the dialogue goes on in clear, implicit FTPS.
 *
 * HAND-BUILT control streams (no server in the lab speaks GSSAPI or CCC: vsftpd, proftpd's
 * mod_tls without CCC enabled, pure-ftpd and pyftpdlib all refuse them). The TLS records are
 * framing only (type, version, length, filler bytes): nothing here decrypts, so their content does
 * not matter. Implicit FTPS from a real server is in fixtures/23-implicit-ftps.pcap (lab).
 */
import { describe, it, expect } from 'vitest';
import { ControlSink } from '../../src/ftp/control.js';
import { TlsRecords } from '../../src/ftp/tlsrecords.js';
import { encryptedMessage } from '../../src/ftp/diagnose.js';
import type { AnnouncementRec } from '../../src/ftp/session.js';

/** A TLS record: content type, version 3.3, `n` filler bytes. */
function rec(type: number, n: number): Buffer {
  const b = Buffer.alloc(5 + n, 0xaa);
  b[0] = type;
  b[1] = 3;
  b[2] = 3;
  b.writeUInt16BE(n, 3);
  return b;
}
const HANDSHAKE = 22;
const APPDATA = 23;
const ALERT = 21;

/** Drives a ControlSink (client = TCP direction 0): `c` client bytes, `s` server bytes, in order. */
function run(steps: ({ c: Buffer | string } | { s: Buffer | string } | { gap: 'c' | 's'; n: number })[]) {
  const ann: AnnouncementRec[] = [];
  const sink = new ControlSink(0, true, (a) => ann.push(a));
  let frame = 1;
  for (const st of steps) {
    const at = { frame: frame++, tsSec: 1000 + frame, tsNsec: 0 };
    if ('gap' in st) sink.gap(st.gap === 'c' ? 0 : 1, 0, st.n);
    else if ('c' in st) sink.data(0, Buffer.from(st.c), 0, at);
    else sink.data(1, Buffer.from(st.s), 0, at);
  }
  sink.end();
  return { session: sink.session, ann };
}

describe('TlsRecords (record framing)', () => {
  it('walks records split anywhere and finds cleartext at a record boundary', () => {
    const stream = Buffer.concat([rec(APPDATA, 40), rec(ALERT, 2), Buffer.from('PASV\r\n')]);
    for (let cut = 1; cut < stream.length; cut++) {
      const w = new TlsRecords();
      const a = w.push(stream, 0, cut);
      const clearAt = a >= 0 ? a : (() => {
        const b = w.push(stream.subarray(cut), 0, stream.length - cut);
        return b < 0 ? -1 : cut + b;
      })();
      expect(clearAt, `cut at ${cut}`).toBe(45 + 7);
      expect(w.records).toBe(2);
    }
  });

  it('a split header that is not TLS after all hands its held byte back', () => {
    const w = new TlsRecords();
    expect(w.push(rec(APPDATA, 3), 0, 8)).toBe(-1);
    // 0x16 then "X": not a TLS version, so the 0x16 was already cleartext (a hostile line).
    expect(w.push(Buffer.from([HANDSHAKE]), 0, 1)).toBe(-1);
    expect(w.push(Buffer.from('XY\r\n'), 0, 4)).toBe(0);
    expect(w.heldClear).toEqual(Buffer.from([HANDSHAKE]));
  });

  it('after a gap the boundaries are lost: nothing is taken as cleartext', () => {
    const w = new TlsRecords();
    w.push(rec(APPDATA, 10), 0, 6);
    w.lost();
    expect(w.push(Buffer.from('PASV\r\n'), 0, 6)).toBe(-1);
  });
});

describe('control channel protection (hand-built streams)', () => {
  it('AUTH TLS, then CCC: the cleartext after the close_notify records is read again', () => {
    const { session, ann } = run([
      { s: '220 ready\r\n' },
      { c: 'AUTH TLS\r\n' },
      { s: '234 Proceed with negotiation.\r\n' },
      { c: rec(HANDSHAKE, 300) },
      { s: Buffer.concat([rec(HANDSHAKE, 120), rec(APPDATA, 60)]) },
      // USER, PASS, CCC inside TLS (unreadable), the 200 reply to CCC, then close_notify both ways
      { c: Buffer.concat([rec(APPDATA, 30), rec(APPDATA, 30), rec(APPDATA, 20)]) },
      { s: Buffer.concat([rec(APPDATA, 40), rec(APPDATA, 40)]) },
      { c: rec(ALERT, 26) },
      { s: rec(ALERT, 26) },
      { c: 'PASV\r\n' },
      { s: '227 Entering Passive Mode (198,51,100,20,117,48).\r\n' },
      { c: 'RETR small.txt\r\n' },
      { s: '150 Opening BINARY mode data connection (1234 bytes).\r\n226 Transfer complete.\r\n' },
    ]);
    expect(session).toMatchObject({ tls: true, mechanism: 'TLS', encrypted: false, clearAgainFrame: 10, tlsFrame: 3 });
    expect(ann).toHaveLength(1);
    expect(ann[0]).toMatchObject({ kind: 'passive', command: 'PASV', ip: '198.51.100.20', port: 30000 });
    expect(session.transfers[0]).toMatchObject({ verb: 'RETR', arg: 'small.txt', expectedBytes: 1234, final: { code: 226 } });
    expect(encryptedMessage(session)).toContain('returned to clear text at frame 10');
  });

  it('AUTH TLS to the end: nothing after 234 is parsed, even TLS bytes that look like text', () => {
    const { session, ann } = run([
      { s: '220 ready\r\n' },
      { c: 'AUTH TLS\r\n' },
      { s: '234 go\r\n' },
      { c: rec(HANDSHAKE, 200) },
      { s: rec(APPDATA, 30) },
      { c: Buffer.concat([Buffer.from([APPDATA, 3, 3, 0, 6]), Buffer.from('PASV\r\n')]) },
    ]);
    expect(session).toMatchObject({ tls: true, encrypted: true, clearAgainFrame: null, commands: 1 });
    expect(ann).toHaveLength(0);
  });

  it('a capture gap inside TLS: the channel stays unreadable', () => {
    const { session } = run([
      { s: '220 ready\r\n' },
      { c: 'AUTH TLS\r\n' },
      { s: '234 go\r\n' },
      { c: rec(HANDSHAKE, 200) },
      { gap: 'c', n: 100 },
      { c: 'PASV\r\n' },
    ]);
    expect(session).toMatchObject({ encrypted: true, clearAgainFrame: null, commands: 1 });
  });

  it('AUTH GSSAPI (334, ADAT 235) then ENC commands and 633 replies: protected, mechanism named', () => {
    const { session, ann } = run([
      { s: '220 gridftp ready\r\n' },
      { c: 'AUTH GSSAPI\r\n' },
      { s: '334 Using authentication type GSSAPI; ADAT must follow\r\n' },
      { c: 'ADAT YIIBGwYJKoZIhvcSAQICAQBuggEKMIIBBqADAgEFoQMCAQ6iBwMFAAAAAACjgZ0=\r\n' },
      { s: '235 ADAT=YGwGCSqGSIb3EgECAgIAb10wW6ADAgEFoQMCAQ+iTzBNoAMCARKiRgREjK4=\r\n' },
      { c: 'ENC YDcGCSqGSIb3EgECAgIBAAD/////7kL1Y2x1bCbm1VyuVA==\r\n' },
      { s: '633 YDcGCSqGSIb3EgECAgIBAAD/////ZmFrZSBwcm90ZWN0ZWQgcmVwbHk=\r\n' },
      { c: 'MIC YDcGCSqGSIb3EgECAgIBAAD/////UEFTVg==\r\n' },
      { s: '631 YDcGCSqGSIb3EgECAgIBAAD/////MjI3IHByb3RlY3RlZA==\r\n' },
    ]);
    expect(session).toMatchObject({ tls: true, mechanism: 'GSSAPI', encrypted: false, protectedCommands: 2, tlsFrame: 5, user: null });
    expect(ann).toHaveLength(0);
    expect(encryptedMessage(session)).toBe('AUTH GSSAPI was accepted (RFC 2228): 2 commands were sent integrity-protected or encrypted (ENC/MIC/CONF), so commands, replies and announcements cannot be read; data connections are reported without their announcements.');
  });

  it('AUTH KERBEROS_V4 refused (504): not protected, the login that follows is read', () => {
    const { session } = run([
      { s: '220 ready\r\n' },
      { c: 'AUTH KERBEROS_V4\r\n' },
      { s: '504 Unknown security mechanism\r\n' },
      { c: 'USER ftplab\r\n' },
      { s: '331 Please specify the password.\r\n' },
      { c: 'PASS labpass\r\n' },
      { s: '230 Login successful.\r\n' },
    ]);
    expect(session).toMatchObject({ tls: false, mechanism: null, login: 'success', user: 'ftplab' });
  });

  it('implicit FTPS: a TLS handshake as the first bytes of the connection', () => {
    const { session } = run([{ c: rec(HANDSHAKE, 500) }, { s: Buffer.concat([rec(HANDSHAKE, 90), rec(APPDATA, 40)]) }, { c: rec(APPDATA, 30) }]);
    expect(session).toMatchObject({ tls: true, mechanism: 'implicit TLS', encrypted: true, tlsFrame: 1, commands: 0, banner: null });
    expect(encryptedMessage(session)).toContain('implicit FTPS');
  });
});
