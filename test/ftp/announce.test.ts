import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIp, parseIp } from '../../src/decode/address.js';
import {
  addressScope,
  isAnnounceError,
  isPrivateAddress,
  parse227,
  parse228,
  parse229,
  parseAnnouncementCommand,
  parseAnnouncementReply,
  parseEprtArg,
  parseLprtArg,
  parsePortArg,
  parseTransferSize,
  type AnnounceResult,
} from '../../src/ftp/announce.js';

interface Case {
  input: string;
  expect: AnnounceResult;
}

function table(name: string, fn: (s: string) => AnnounceResult, cases: Case[]): void {
  describe(name, () => {
    for (const c of cases) {
      it(JSON.stringify(c.input), () => {
        const r = fn(c.input);
        expect(r).toEqual(c.expect);
        expect(isAnnounceError(r)).toBe('error' in c.expect);
      });
    }
  });
}

const err = (error: 'bad-address' | 'bad-port' | 'malformed', text: string): AnnounceResult => ({ error, text });

table('parsePortArg (PORT, RFC 959 §4.1.2)', parsePortArg, [
  // Real arguments from fixtures/02-active.pcap and 03-active-blocked.pcap.
  { input: '192,0,2,10,157,38', expect: { kind: 'active', ip: '192.0.2.10', port: 157 * 256 + 38 } },
  { input: '192,0,2,10,156,96', expect: { kind: 'active', ip: '192.0.2.10', port: 40032 } },
  { input: '192,0,2,10,156,105', expect: { kind: 'active', ip: '192.0.2.10', port: 40041 } },
  { input: '10,0,0,10,156,144', expect: { kind: 'active', ip: '10.0.0.10', port: 40080 } }, // 06-client-nat-inside
  // Lenient forms.
  { input: '192, 0, 2, 10, 4, 1', expect: { kind: 'active', ip: '192.0.2.10', port: 1025 } },
  { input: ' 10,0,0,1,4,1 ', expect: { kind: 'active', ip: '10.0.0.1', port: 1025 } },
  { input: '010,000,000,001,004,001', expect: { kind: 'active', ip: '10.0.0.1', port: 1025 } },
  { input: '0,0,0,0,0,1', expect: { kind: 'active', ip: '0.0.0.0', port: 1 } },
  { input: '255,255,255,255,255,255', expect: { kind: 'active', ip: '255.255.255.255', port: 65535 } },
  // Errors.
  { input: '256,0,2,10,4,1', expect: err('bad-address', '256,0,2,10,4,1') },
  { input: '192,0,2,1000000000000,4,1', expect: err('bad-address', '192,0,2,1000000000000,4,1') },
  { input: '192,0,2,10,256,1', expect: err('bad-port', '192,0,2,10,256,1') },
  { input: '192,0,2,10,1,256', expect: err('bad-port', '192,0,2,10,1,256') },
  { input: '192,0,2,10,0,0', expect: err('bad-port', '192,0,2,10,0,0') },
  { input: '192,0,2,10,4', expect: err('malformed', '192,0,2,10,4') },
  { input: '192,0,2,10,4,1,7', expect: err('malformed', '192,0,2,10,4,1,7') },
  { input: '192,0,2,10,4,-1', expect: err('malformed', '192,0,2,10,4,-1') },
  { input: '', expect: err('malformed', '') },
  { input: 'a,b,c,d,e,f', expect: err('malformed', 'a,b,c,d,e,f') },
]);

table('parse227 (PASV reply)', parse227, [
  // Real reply texts: vsftpd in fixtures/01-passive.pcap and 04-passive-blocked.pcap.
  { input: 'Entering Passive Mode (198,51,100,20,117,48).', expect: { kind: 'passive', ip: '198.51.100.20', port: 30000 } },
  { input: 'Entering Passive Mode (198,51,100,22,117,58).', expect: { kind: 'passive', ip: '198.51.100.22', port: 30010 } },
  // Windows / IIS: no parentheses.
  { input: 'Entering Passive Mode 192,168,1,2,4,1', expect: { kind: 'passive', ip: '192.168.1.2', port: 1025 } },
  { input: 'Entering Passive Mode 192,168,1,2,4,1.', expect: { kind: 'passive', ip: '192.168.1.2', port: 1025 } },
  // Other separators, spaces, zeros, extra text.
  { input: '=192,168,1,2,4,1', expect: { kind: 'passive', ip: '192.168.1.2', port: 1025 } },
  { input: 'Entering Passive Mode (192, 168, 1, 2, 4, 1)', expect: { kind: 'passive', ip: '192.168.1.2', port: 1025 } },
  { input: 'Passive (010,000,000,001,004,001) ok', expect: { kind: 'passive', ip: '10.0.0.1', port: 1025 } },
  { input: 'Entering Passive Mode (192.168.1.2,4,1)', expect: { kind: 'passive', ip: '192.168.1.2', port: 1025 } },
  { input: 'PASV ok 0,0,0,0,195,80 (use control address)', expect: { kind: 'passive', ip: '0.0.0.0', port: 50000 } },
  // Multi-line 227 (text joined by the assembler).
  { input: 'Entering Passive Mode\n(198,51,100,20,117,48)\nok', expect: { kind: 'passive', ip: '198.51.100.20', port: 30000 } },
  // Full line given by mistake: the code is not a field.
  { input: '227 Entering Passive Mode (198,51,100,20,117,48).', expect: { kind: 'passive', ip: '198.51.100.20', port: 30000 } },
  // Real: vsftpd answering PASV over IPv6 (fixtures/07-ipv6.pcap): 0.0.0.0, the caller's cue to use
  // the control connection's address (addressScope 'unspecified').
  { input: 'Entering Passive Mode (0,0,0,0,117,48).', expect: { kind: 'passive', ip: '0.0.0.0', port: 30000 } },
  // Real: pyftpdlib answering PASV over IPv6 (fixtures/07-ipv6.pcap): an IPv6 address, then p1,p2.
  { input: 'Entering passive mode (2001:db8:5::21,117,48).', expect: { kind: 'passive', ip: '2001:db8:5::21', port: 30000 } },
  { input: 'Entering passive mode (2001:DB8:5:0:0:0:0:21, 117, 48)', expect: { kind: 'passive', ip: '2001:db8:5::21', port: 30000 } },
  { input: 'Entering passive mode (::ffff:10.0.0.1,117,48)', expect: { kind: 'passive', ip: '::ffff:10.0.0.1', port: 30000 } },
  { input: 'Entering passive mode (2001:db8:5::21::1,117,48).', expect: err('bad-address', 'Entering passive mode (2001:db8:5::21::1,117,48).') },
  { input: 'Entering passive mode (2001:db8:5::21,0,0).', expect: err('bad-port', 'Entering passive mode (2001:db8:5::21,0,0).') },
  { input: 'Entering passive mode (2001:db8:5::21,117).', expect: err('malformed', 'Entering passive mode (2001:db8:5::21,117).') },
  // Errors.
  { input: 'Entering Passive Mode (300,51,100,20,117,48).', expect: err('bad-address', 'Entering Passive Mode (300,51,100,20,117,48).') },
  { input: 'Entering Passive Mode (198,51,100,20,0,0).', expect: err('bad-port', 'Entering Passive Mode (198,51,100,20,0,0).') },
  { input: 'Entering Passive Mode (198,51,100,20,999,48).', expect: err('bad-port', 'Entering Passive Mode (198,51,100,20,999,48).') },
  { input: 'Entering Passive Mode (198,51,100,20,117).', expect: err('malformed', 'Entering Passive Mode (198,51,100,20,117).') },
  { input: 'Entering Passive Mode (1,198,51,100,20,117,48).', expect: err('malformed', 'Entering Passive Mode (1,198,51,100,20,117,48).') },
  { input: 'Entering Passive Mode (1,2,3,4,5,66,7)', expect: err('malformed', 'Entering Passive Mode (1,2,3,4,5,66,7)') },
  { input: 'Entering Passive Mode.', expect: err('malformed', 'Entering Passive Mode.') },
]);

table('parseEprtArg (EPRT, RFC 2428 §2)', parseEprtArg, [
  // Real arguments from fixtures/02-active.pcap.
  { input: '|1|192.0.2.10|40210|', expect: { kind: 'extended-active', ip: '192.0.2.10', port: 40210 } },
  { input: '|1|192.0.2.10|40022|', expect: { kind: 'extended-active', ip: '192.0.2.10', port: 40022 } },
  // Real: fixtures/07-ipv6.pcap (IPv6 client) and 06-client-nat-inside.pcap (client behind NAT).
  { input: '|2|2001:db8:c::10|40092|', expect: { kind: 'extended-active', ip: '2001:db8:c::10', port: 40092 } },
  { input: '|1|10.0.0.10|40082|', expect: { kind: 'extended-active', ip: '10.0.0.10', port: 40082 } },
  // RFC 2428 examples.
  { input: '|1|132.235.1.2|6275|', expect: { kind: 'extended-active', ip: '132.235.1.2', port: 6275 } },
  { input: '|2|1080::8:800:200C:417A|5282|', expect: { kind: 'extended-active', ip: '1080::8:800:200c:417a', port: 5282 } },
  // Canonical text (RFC 5952), other delimiters, whitespace, leading zeros, no closing delimiter.
  { input: '|2|2001:0DB8:0000:0000:0000:0000:0000:0001|50000|', expect: { kind: 'extended-active', ip: '2001:db8::1', port: 50000 } },
  { input: '|2|::ffff:192.0.2.10|50000|', expect: { kind: 'extended-active', ip: '::ffff:192.0.2.10', port: 50000 } },
  { input: '!1!10.0.0.1!1025!', expect: { kind: 'extended-active', ip: '10.0.0.1', port: 1025 } },
  { input: '#2#fe80::1#1025#', expect: { kind: 'extended-active', ip: 'fe80::1', port: 1025 } },
  { input: ' |1|10.0.0.1|1025| ', expect: { kind: 'extended-active', ip: '10.0.0.1', port: 1025 } },
  { input: '|1|010.000.000.001|01025|', expect: { kind: 'extended-active', ip: '10.0.0.1', port: 1025 } },
  { input: '|1|10.0.0.1|1025', expect: { kind: 'extended-active', ip: '10.0.0.1', port: 1025 } },
  // Errors.
  { input: '|1|256.0.0.1|1025|', expect: err('bad-address', '|1|256.0.0.1|1025|') },
  { input: '|1|2001:db8::1|1025|', expect: err('bad-address', '|1|2001:db8::1|1025|') },
  { input: '|2|10.0.0.1|1025|', expect: err('bad-address', '|2|10.0.0.1|1025|') },
  { input: '|2|fe80::1%eth0|1025|', expect: err('bad-address', '|2|fe80::1%eth0|1025|') },
  { input: '|2|1:2:3:4:5:6:7:8:9|1025|', expect: err('bad-address', '|2|1:2:3:4:5:6:7:8:9|1025|') },
  { input: '|3|10.0.0.1|1025|', expect: err('bad-address', '|3|10.0.0.1|1025|') },
  { input: '|1|10.0.0.1|0|', expect: err('bad-port', '|1|10.0.0.1|0|') },
  { input: '|1|10.0.0.1|65536|', expect: err('bad-port', '|1|10.0.0.1|65536|') },
  { input: '|1|10.0.0.1|-5|', expect: err('bad-port', '|1|10.0.0.1|-5|') },
  { input: '|1|10.0.0.1||', expect: err('malformed', '|1|10.0.0.1||') },
  { input: '||10.0.0.1|1025|', expect: err('malformed', '||10.0.0.1|1025|') },
  { input: '|1|10.0.0.1|1025|x', expect: err('malformed', '|1|10.0.0.1|1025|x') },
  { input: '|1|10.0.0.1', expect: err('malformed', '|1|10.0.0.1') },
  { input: '1|10.0.0.1|1025|', expect: err('malformed', '1|10.0.0.1|1025|') },
  { input: '', expect: err('malformed', '') },
]);

table('parse229 (EPSV reply, RFC 2428 §3)', parse229, [
  // Real reply text: vsftpd in fixtures/01-passive.pcap.
  { input: 'Entering Extended Passive Mode (|||30000|)', expect: { kind: 'extended-passive', ip: null, port: 30000 } },
  { input: 'Entering Extended Passive Mode (|||30010|)', expect: { kind: 'extended-passive', ip: null, port: 30010 } },
  // Real: pyftpdlib in fixtures/07-ipv6.pcap.
  { input: 'Entering extended passive mode (|||30000|).', expect: { kind: 'extended-passive', ip: null, port: 30000 } },
  // Other delimiters, no parentheses, extra text, leading zeros.
  { input: 'Entering Extended Passive Mode (!!!6446!)', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  { input: 'Entering Extended Passive Mode (###6446#).', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  { input: ' (|||6446|)', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  { input: 'Extended Passive mode OK |||6446|', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  { input: 'EPSV ok (|||06446|) now', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  { input: 'Entering Extended Passive Mode\n(|||6446|)', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  // Non-RFC net-prt/net-addr filled in: the port is still read, the address ignored.
  { input: 'Entering Extended Passive Mode (|1|192.0.2.1|6446|)', expect: { kind: 'extended-passive', ip: null, port: 6446 } },
  // Errors.
  { input: 'Entering Extended Passive Mode (|||0|)', expect: err('bad-port', 'Entering Extended Passive Mode (|||0|)') },
  { input: 'Entering Extended Passive Mode (|||65536|)', expect: err('bad-port', 'Entering Extended Passive Mode (|||65536|)') },
  { input: 'Entering Extended Passive Mode (|||-1|)', expect: err('bad-port', 'Entering Extended Passive Mode (|||-1|)') },
  { input: 'Entering Extended Passive Mode (|||abc|)', expect: err('bad-port', 'Entering Extended Passive Mode (|||abc|)') },
  { input: 'Entering Extended Passive Mode (|||)', expect: err('malformed', 'Entering Extended Passive Mode (|||)') },
  { input: 'Entering Extended Passive Mode', expect: err('malformed', 'Entering Extended Passive Mode') },
  { input: 'Entering Extended Passive Mode (6446)', expect: err('malformed', 'Entering Extended Passive Mode (6446)') },
]);

table('parseLprtArg (LPRT, RFC 1639 §2)', parseLprtArg, [
  { input: '4,4,192,0,2,10,2,4,1', expect: { kind: 'long-active', ip: '192.0.2.10', port: 1025 } },
  { input: '4, 4, 192, 0, 2, 10, 2, 156, 96', expect: { kind: 'long-active', ip: '192.0.2.10', port: 40032 } },
  {
    input: '6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1,2,4,1',
    expect: { kind: 'long-active', ip: '2001:db8::1', port: 1025 },
  },
  { input: '4,4,192,0,2,10,1,80', expect: { kind: 'long-active', ip: '192.0.2.10', port: 80 } },
  { input: '4,4,192,0,2,300,2,4,1', expect: err('bad-address', '4,4,192,0,2,300,2,4,1') },
  { input: '4,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,4,1', expect: err('bad-address', '4,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,4,1') },
  { input: '5,4,192,0,2,10,2,4,1', expect: err('bad-address', '5,4,192,0,2,10,2,4,1') },
  { input: '4,4,192,0,2,10,2,0,0', expect: err('bad-port', '4,4,192,0,2,10,2,0,0') },
  { input: '4,4,192,0,2,10,2,4,256', expect: err('bad-port', '4,4,192,0,2,10,2,4,256') },
  { input: '4,4,192,0,2,10,3,0,4,1', expect: err('bad-port', '4,4,192,0,2,10,3,0,4,1') },
  { input: '4,4,192,0,2,10,2,4', expect: err('malformed', '4,4,192,0,2,10,2,4') },
  { input: '4,4,192,0,2', expect: err('malformed', '4,4,192,0,2') },
  { input: '4,4,192,0,2,10,2,4,1,9', expect: err('malformed', '4,4,192,0,2,10,2,4,1,9') },
  { input: '4;4;192;0;2;10;2;4;1', expect: err('malformed', '4;4;192;0;2;10;2;4;1') },
  { input: '', expect: err('malformed', '') },
]);

table('parse228 (LPSV reply)', parse228, [
  { input: 'Entering Long Passive Mode (4,4,198,51,100,20,2,117,48)', expect: { kind: 'long-passive', ip: '198.51.100.20', port: 30000 } },
  { input: 'Entering Long Passive Mode 4,4,198,51,100,20,2,117,48', expect: { kind: 'long-passive', ip: '198.51.100.20', port: 30000 } },
  {
    input: 'Entering Long Passive Mode (6, 16, 32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 117, 48)',
    expect: { kind: 'long-passive', ip: '2001:db8::1', port: 30000 },
  },
  { input: 'Entering Long Passive Mode (4,4,198,51,100,20,2,0,0)', expect: err('bad-port', 'Entering Long Passive Mode (4,4,198,51,100,20,2,0,0)') },
  { input: 'Entering Long Passive Mode (4,4,198,51,100,2000,2,117,48)', expect: err('bad-address', 'Entering Long Passive Mode (4,4,198,51,100,2000,2,117,48)') },
  { input: 'Entering Long Passive Mode (4,4,198,51)', expect: err('malformed', 'Entering Long Passive Mode (4,4,198,51)') },
  { input: 'Entering Long Passive Mode', expect: err('malformed', 'Entering Long Passive Mode') },
]);

describe('dispatchers', () => {
  it('parseAnnouncementCommand picks the parser by verb, null for others', () => {
    expect(parseAnnouncementCommand('port', '192,0,2,10,4,1')).toEqual({ kind: 'active', ip: '192.0.2.10', port: 1025 });
    expect(parseAnnouncementCommand('EPRT', '|1|192.0.2.10|1025|')).toMatchObject({ kind: 'extended-active' });
    expect(parseAnnouncementCommand('LPRT', '4,4,192,0,2,10,2,4,1')).toMatchObject({ kind: 'long-active' });
    expect(parseAnnouncementCommand('RETR', 'x')).toBeNull();
  });
  it('parseAnnouncementReply picks the parser by code, null for others', () => {
    expect(parseAnnouncementReply(227, 'Entering Passive Mode (198,51,100,20,117,48).')).toMatchObject({ kind: 'passive', port: 30000 });
    expect(parseAnnouncementReply(229, 'Entering Extended Passive Mode (|||30000|)')).toMatchObject({ kind: 'extended-passive', ip: null });
    expect(parseAnnouncementReply(228, '(4,4,198,51,100,20,2,117,48)')).toMatchObject({ kind: 'long-passive' });
    expect(parseAnnouncementReply(200, 'PORT command successful. Consider using PASV.')).toBeNull();
  });
});

describe('addressScope / isPrivateAddress', () => {
  const cases: { input: string; scope: ReturnType<typeof addressScope>; private: boolean }[] = [
    { input: '10.0.0.1', scope: 'private', private: true },
    { input: '10.255.255.255', scope: 'private', private: true },
    { input: '172.16.0.1', scope: 'private', private: true },
    { input: '172.31.255.254', scope: 'private', private: true },
    { input: '172.15.0.1', scope: 'public', private: false },
    { input: '172.32.0.1', scope: 'public', private: false },
    { input: '192.168.1.2', scope: 'private', private: true },
    { input: '192.169.1.2', scope: 'public', private: false },
    { input: '100.64.0.1', scope: 'shared', private: true },
    { input: '100.127.255.255', scope: 'shared', private: true },
    { input: '100.128.0.1', scope: 'public', private: false },
    { input: '100.63.255.255', scope: 'public', private: false },
    { input: '169.254.1.1', scope: 'link-local', private: true },
    { input: '127.0.0.1', scope: 'loopback', private: true },
    { input: '0.0.0.0', scope: 'unspecified', private: false },
    // The lab's documentation addresses stand for public ones.
    { input: '198.51.100.20', scope: 'public', private: false },
    { input: '192.0.2.10', scope: 'public', private: false },
    { input: '8.8.8.8', scope: 'public', private: false },
    { input: '::1', scope: 'loopback', private: true },
    { input: '::', scope: 'unspecified', private: false },
    { input: 'fe80::1', scope: 'link-local', private: true },
    { input: 'febf::1', scope: 'link-local', private: true },
    { input: 'fec0::1', scope: 'public', private: false },
    { input: 'fc00::1', scope: 'private', private: true },
    { input: 'fd12:3456::1', scope: 'private', private: true },
    { input: '2001:db8::1', scope: 'public', private: false },
    { input: '::ffff:192.168.1.2', scope: 'private', private: true },
    { input: '::ffff:8.8.8.8', scope: 'public', private: false },
    { input: 'not an address', scope: null, private: false },
  ];
  for (const c of cases) {
    it(c.input, () => {
      expect(addressScope(c.input)).toBe(c.scope);
      expect(isPrivateAddress(c.input)).toBe(c.private);
    });
  }
});

describe('parseTransferSize', () => {
  const cases: { input: string; expect: number | null }[] = [
    // Real: vsftpd 150 replies and 213 SIZE replies in fixtures/01-passive.pcap, 02-active.pcap.
    { input: 'Opening BINARY mode data connection for small.txt (1234 bytes).', expect: 1234 },
    { input: 'Opening BINARY mode data connection for medium.bin (65536 bytes).', expect: 65536 },
    { input: 'Opening BINARY mode data connection for big.bin (300000 bytes).', expect: 300000 },
    { input: '65536', expect: 65536 },
    { input: '1234', expect: 1234 },
    { input: ' 300000 ', expect: 300000 },
    // Real: vsftpd / pyftpdlib replies without a size.
    { input: 'Ok to send data.', expect: null },
    { input: 'Here comes the directory listing.', expect: null },
    { input: 'Data connection already open. Transfer starting.', expect: null },
    // proftpd, Serv-U, pure-ftpd, IIS.
    { input: 'Opening BINARY mode data connection for file.bin (65536 bytes)', expect: 65536 },
    // Real: fixtures/12-port-2121.pcap (proftpd-style ASCII replies, no final period; a listing).
    { input: 'Opening ASCII mode data connection for medium.bin (65536 bytes)', expect: 65536 },
    { input: 'Opening ASCII mode data connection for file list', expect: null },
    { input: 'Opening ASCII mode data connection for /bin/ls (3229 Bytes).', expect: 3229 },
    { input: 'Accepted data connection', expect: null },
    { input: 'Data connection already open; Transfer starting.', expect: null },
    { input: 'Opening data connection for x (1 byte)', expect: 1 },
    // The last size wins: a file name can hold one.
    { input: 'Opening BINARY mode data connection for a (5 bytes).bin (42 bytes).', expect: 42 },
    { input: 'Opening BINARY mode data connection for 1234.bin', expect: null },
    { input: '99999999999999999999', expect: null },
    { input: '', expect: null },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.input), () => expect(parseTransferSize(c.input)).toBe(c.expect));
  }
});

describe('properties', () => {
  const quad = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const port = fc.integer({ min: 1, max: 65535 });
  /** A decimal field as servers write it: plain, zero-padded, with spaces around. */
  const field = (n: number): fc.Arbitrary<string> =>
    fc.tuple(fc.nat(2), fc.constantFrom('', ' ')).map(([zeros, sp]) => `${sp}${'0'.repeat(zeros)}${n}`);
  const fields = (ns: number[]): fc.Arbitrary<string> => fc.tuple(...ns.map(field)).map((xs) => xs.join(','));

  it('PORT and 227: any address and port survive lenient formatting', () => {
    const wrap = fc.constantFrom(['(', ')'], ['', ''], ['=', ''], ['(', ').'], [' ', ' ok']);
    const sample = fc
      .tuple(quad, port)
      .chain(([q, p]) => fc.tuple(fc.constant(q), fc.constant(p), fields([...q, p >> 8, p & 0xff]), wrap));
    fc.assert(
      fc.property(sample, ([q, p, args, [open, close]]) => {
        const ip = q.join('.');
        expect(parsePortArg(args)).toEqual({ kind: 'active', ip, port: p });
        expect(parse227(`Entering Passive Mode ${open}${args}${close}`)).toEqual({ kind: 'passive', ip, port: p });
      }),
      { numRuns: 300 },
    );
  });

  it('EPRT and LPRT: any IPv4/IPv6 address round-trips to its canonical text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), port, fc.constantFrom('|', '!', '#', '$', '%'), (b, p, d) => {
        const ip = formatIp(b);
        const expanded = Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16).padStart(4, '0').toUpperCase()).join(':');
        expect(parseEprtArg(`${d}2${d}${expanded}${d}${p}${d}`)).toEqual({ kind: 'extended-active', ip, port: p });
        expect(parseEprtArg(`${d}2${d}${ip}${d}${p}${d}`)).toEqual({ kind: 'extended-active', ip, port: p });
        expect(parseLprtArg(`6,16,${Array.from(b).join(',')},2,${p >> 8},${p & 0xff}`)).toEqual({ kind: 'long-active', ip, port: p });
        const v4 = `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
        expect(parseEprtArg(`${d}1${d}${v4}${d}${p}${d}`)).toEqual({ kind: 'extended-active', ip: v4, port: p });
        expect(parse228(`Entering Long Passive Mode (4,4,${b[0]},${b[1]},${b[2]},${b[3]},2,${p >> 8},${p & 0xff})`)).toEqual({ kind: 'long-passive', ip: v4, port: p });
        expect(parse229(`Entering Extended Passive Mode (${d}${d}${d}${p}${d})`)).toEqual({ kind: 'extended-passive', ip: null, port: p });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws; a success always carries a valid address and port', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(fc.constantFrom('1', '2', '5', '25', '256', '0', '65536', ',', '.', '|', ':', '(', ')', ' ', 'a', 'f', '!'), { maxLength: 40 }).map((xs) => xs.join('')),
    );
    const parsers = [parsePortArg, parse227, parseEprtArg, parse229, parseLprtArg, parse228];
    fc.assert(
      fc.property(text, (t) => {
        for (const parse of parsers) {
          const r = parse(t);
          if (isAnnounceError(r)) {
            expect(['bad-address', 'bad-port', 'malformed']).toContain(r.error);
            expect(r.text).toBe(t);
          } else {
            expect(r.port >= 1 && r.port <= 65535).toBe(true);
            if (r.ip !== null) expect(formatIp(parseIp(r.ip) ?? new Uint8Array(0))).toBe(r.ip);
          }
        }
        const n = parseTransferSize(t);
        if (n !== null) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
