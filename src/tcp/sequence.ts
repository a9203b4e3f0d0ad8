/**
 * 32-bit sequence-number arithmetic (RFC 9293 §3.4; serial-number arithmetic as in RFC 1982).
 *
 * Sequence numbers are unsigned 32-bit values held in JS numbers (0 .. 2^32-1). Two of them are
 * compared by their signed 32-bit difference, which is right as long as they are less than 2^31
 * apart: a TCP window is at most 2^30 (RFC 7323 §2.3), so any two numbers one connection uses
 * together are. `| 0` and `>>> 0` keep every value a small integer V8 can keep unboxed.
 */

/** a - b as a signed 32-bit number: > 0 when a is after b, modulo 2^32. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n modulo 2^32 (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return ((a - b) | 0) <= 0 ? a : b;
}
