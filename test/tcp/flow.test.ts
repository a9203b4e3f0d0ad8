import { describe, expect, it } from 'vitest';
import { addressWords, endpointHash, flowHash, wordsToBytes } from '../../src/tcp/flow.js';
import { parseIp } from '../../src/decode/address.js';

describe('flow keys', () => {
  it('the flow hash is symmetric and a small integer', () => {
    for (let i = 0; i < 1000; i++) {
      const a = endpointHash((0x0a000000 + i) >>> 0, 0, 0, 0, 40000 + i);
      const b = endpointHash(0x0a000002, 0, 0, 0, 21);
      const h = flowHash(a, b, 4);
      expect(h).toBe(flowHash(b, a, 4));
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    }
  });
  it('spreads a SYN flood from one host over many buckets', () => {
    const server = endpointHash(0x0a000002, 0, 0, 0, 80);
    const seen = new Set<number>();
    for (let p = 1024; p < 1024 + 50_000; p++) seen.add(flowHash(endpointHash(0x0a000001, 0, 0, 0, p), server, 4));
    expect(seen.size).toBeGreaterThan(49_990);
  });
  it('IPv6 words round-trip', () => {
    const b = parseIp('2001:db8::1')!;
    const w = addressWords(b)!;
    expect(w.version).toBe(6);
    expect(wordsToBytes(6, ...w.w)).toEqual(b);
    const v4 = addressWords(parseIp('192.0.2.10')!)!;
    expect(v4).toEqual({ version: 4, w: [0xc000020a | 0, 0, 0, 0] });
  });
});
