/**
 * Timestamp arithmetic at full precision without BigInt on the hot path.
 *
 * pcapng timestamps are 64-bit tick counts at a per-interface resolution (if_tsresol, RFC draft
 * pcapng §4.2): nanoseconds since 1970 (~1.8e18) do not fit a double's 53-bit mantissa, so the
 * division by ticks-per-second is done in 16-bit limbs, each partial quotient exact.
 */

/** Ticks per second for an if_tsresol byte: MSB clear = 10^-n, MSB set = 2^-n. */
export function ticksPerSecond(tsresol: number): number {
  const n = tsresol & 0x7f;
  return tsresol & 0x80 ? 2 ** n : 10 ** n;
}

/** Limb division stays exact while remainder * 65536 + limb < 2^53, i.e. for up to ~1.3e11
 * ticks per second (finer than 10 ps). Beyond that BigInt is used. */
const LIMB_SAFE = 2 ** 37;

export interface SecNsec {
  sec: number;
  nsec: number;
}

/** Splits the 64-bit tick count (high, low: unsigned 32-bit) into seconds and nanoseconds
 * (truncated below a nanosecond). Writes into `out` to avoid allocation. */
export function ticksToSecNsec(high: number, low: number, perSec: number, out: SecNsec): void {
  if (perSec === 1_000_000 && high < 0x200000) {
    // Fast path (microseconds, tcpdump's default): the tick count is exact in a double.
    const ticks = high * 4294967296 + low;
    let sec = Math.floor(ticks / 1_000_000);
    let rem = ticks - sec * 1_000_000;
    if (rem < 0) {
      sec--;
      rem += 1_000_000;
    } else if (rem >= 1_000_000) {
      sec++;
      rem -= 1_000_000;
    }
    out.sec = sec;
    out.nsec = rem * 1000;
    return;
  }
  if (perSec <= LIMB_SAFE) {
    let q = 0;
    let rem = 0;
    const limbs = [high >>> 16, high & 0xffff, low >>> 16, low & 0xffff];
    for (let i = 0; i < 4; i++) {
      const cur = rem * 65536 + limbs[i];
      const ql = Math.floor(cur / perSec);
      rem = cur - ql * perSec;
      q = q * 65536 + ql;
    }
    out.sec = q;
    out.nsec = perSec === 1_000_000_000 ? rem : Math.floor((rem * 1_000_000_000) / perSec);
    return;
  }
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  const ps = BigInt(perSec);
  out.sec = Number(ticks / ps);
  out.nsec = Number(((ticks % ps) * 1_000_000_000n) / ps);
}

/** ISO 8601 UTC with the full nanosecond fraction (`2026-11-26T13:01:46.123456789Z`). */
export function isoTime(sec: number, nsec: number): string {
  return `${isoSeconds(sec)}.${String(nsec).padStart(9, '0')}Z`;
}

/** JavaScript dates reach ±8.64e12 s (±275,760 years); a pcapng timestamp of 2^64 ticks or an
 * if_tsoffset of 2^62 s lies beyond (a corrupt or hostile file): clamped there rather than
 * throwing RangeError ("Invalid time value") and losing the whole report. */
const MAX_DATE_SEC = 8.64e12;

/** `YYYY-MM-DDTHH:MM:SS` of `sec` (years past 9999 in ISO's expanded `+YYYYYY` form). */
export function isoSeconds(sec: number): string {
  const s = Number.isFinite(sec) ? Math.min(Math.max(Math.floor(sec), -MAX_DATE_SEC), MAX_DATE_SEC) : 0;
  const iso = new Date(s * 1000).toISOString();
  return iso.slice(0, iso.lastIndexOf('.'));
}
