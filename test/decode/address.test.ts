import { describe, it, expect } from 'vitest';
import { addressKey, formatIp, formatIpv4, parseIp } from '../../src/decode/address.js';
import { IPV4_TEXT_CACHE } from '../../src/limits.js';

describe('formatIp (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    // One zero group is not compressed (§4.2.2).
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    // The longest run wins (§4.2.3) ...
    ['20010000000000010000000000000001', '2001:0:0:1::1'],
    // ... and the first of equal runs.
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    // Lowercase, no leading zeros (§4.1, §4.3).
    ['20010DB8ABCD00EF0000000000000A0B', '2001:db8:abcd:ef::a0b'],
    ['fe8000000000000000fc00fffe000001', 'fe80::fc:ff:fe00:1'],
    // IPv4-mapped (§5).
    ['00000000000000000000ffffc000020a', '::ffff:192.0.2.10'],
  ];
  for (const [h, text] of cases) {
    it(text, () => {
      expect(formatIp(Buffer.from(h, 'hex'))).toBe(text);
      expect(parseIp(text)?.toString('hex')).toBe(h.toLowerCase());
    });
  }

  it('IPv4 and odd lengths', () => {
    expect(formatIp(Buffer.from([192, 0, 2, 255]))).toBe('192.0.2.255');
    expect(formatIp(Buffer.alloc(5))).toBe('?');
    expect(formatIpv4(0xc000020a)).toBe('192.0.2.10');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it('IPv4 texts kept (IPV4_TEXT_CACHE): more addresses than slots, asked twice, each its own text', () => {
    const addrs: number[] = [];
    for (let i = 0; i < 3 * IPV4_TEXT_CACHE; i++) addrs.push(Math.imul(i + 1, 0x2545f491) >>> 0);
    addrs.push(0, 0x80000000, 0xffffffff);
    const bytes = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    for (let round = 0; round < 2; round++) for (const n of addrs) expect(formatIpv4(n)).toBe(formatIp(bytes(n)));
  });
});

describe('parseIp', () => {
  it('accepts the RFC 4291 §2.2 forms', () => {
    expect(parseIp('1.2.3.4')).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(parseIp('2001:DB8:0:0:0:0:0:1')?.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(parseIp('::ffff:1.2.3.4')?.toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(parseIp('::1.2.3.4')?.toString('hex')).toBe('00000000000000000000000001020304');
    expect(parseIp('1:2:3:4:5:6:1.2.3.4')?.toString('hex')).toBe('00010002000300040005000601020304');
    expect(parseIp('1::')?.toString('hex')).toBe('00010000000000000000000000000000');
  });

  it('rejects the rest', () => {
    for (const bad of [
      '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1::2::3', ':::', '12345::',
      '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8:9', 'fe80::1%eth0', 'g::1', '1.2.3.4::',
    ]) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });
});

describe('addressKey', () => {
  it('one character per byte, distinct for distinct addresses', () => {
    expect(addressKey(Buffer.from([1, 2, 3, 4]))).toBe('\x01\x02\x03\x04');
    expect(addressKey(Buffer.alloc(16)).length).toBe(16);
    expect(addressKey(Buffer.from([1, 2, 3, 4]))).not.toBe(addressKey(Buffer.from([1, 2, 3, 5])));
  });
});
