import { describe, expect, it } from 'vitest';
import { seqAdd, seqDiff, seqGeq, seqGt, seqLeq, seqLt, seqMax, seqMin } from '../../src/tcp/sequence.js';

describe('32-bit sequence arithmetic', () => {
  it('differences are signed and wrap at 2^32', () => {
    expect(seqDiff(5, 3)).toBe(2);
    expect(seqDiff(3, 5)).toBe(-2);
    expect(seqDiff(2, 0xfffffffe)).toBe(4);
    expect(seqDiff(0xfffffffe, 2)).toBe(-4);
    expect(seqDiff(0x7fffffff, 0)).toBe(0x7fffffff);
    expect(seqDiff(0x80000000, 0)).toBe(-0x80000000);
  });
  it('addition stays unsigned 32-bit', () => {
    expect(seqAdd(0xffffffff, 1)).toBe(0);
    expect(seqAdd(0xfffffffd, 7)).toBe(4);
    expect(seqAdd(3, -5)).toBe(0xfffffffe);
  });
  it('comparisons across the wrap', () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqLeq(7, 7) && seqGeq(7, 7)).toBe(true);
    expect(seqMax(0xfffffff0, 0x10)).toBe(0x10);
    expect(seqMin(0xfffffff0, 0x10)).toBe(0xfffffff0);
  });
});
