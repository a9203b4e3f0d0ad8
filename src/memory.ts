/**
 * A memory governor. V8 lets its old generation grow to several times the live data before it
 * collects (measured on many.pcap: 27 MB live, 103 MB heap, 220 MB RSS), because objects that live
 * for a session's few seconds are promoted and die there. Every GOVERNOR_CHECK_PACKETS packets
 * this looks at the heap and, past GOVERNOR_GROWTH times the live size plus a margin, asks for a
 * full collection: with ~30 MB live that costs a few milliseconds and keeps the heap near its live
 * size. `gc` is exposed at run time (`--expose_gc` through v8.setFlagsFromString, then taken from
 * a fresh context), so no command-line flag is needed; where that fails the governor does nothing.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { GOVERNOR_CHECK_PACKETS, GOVERNOR_GROWTH, GOVERNOR_MARGIN_BYTES } from './limits.js';

let gcFn: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  try {
    v8.setFlagsFromString('--expose_gc');
    const fn: unknown = vm.runInNewContext('gc');
    gcFn = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

export class MemoryGovernor {
  private countdown = GOVERNOR_CHECK_PACKETS;
  private live = 0;
  collections = 0;
  private readonly gc = collector();

  /** `share`: how many governed runs share the process (`--jobs N` workers): each lets its heap
   * outgrow its live data by that share of the margin. */
  constructor(private readonly share = 1) {}

  /** Call once per packet (or with the packets' worth of garbage some other work made: a session
   * report is ~64 packets' worth); cheap unless a check is due. */
  tick(n = 1): void {
    if ((this.countdown -= n) > 0) return;
    this.countdown = GOVERNOR_CHECK_PACKETS;
    if (!this.gc) return;
    const used = v8.getHeapStatistics().used_heap_size;
    if (used <= GOVERNOR_GROWTH * this.live + GOVERNOR_MARGIN_BYTES / this.share) return;
    this.gc();
    this.collections++;
    this.live = v8.getHeapStatistics().used_heap_size;
  }
}
