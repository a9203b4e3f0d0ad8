/**
 * A session's commands and replies as they arrived, bounded (the report's `timeline`): the first
 * half kept, then a ring of the latest.
 */
import { MAX_TIMELINE_ENTRIES } from '../limits.js';
import type { Instant } from './model.js';

/** One command (verb, argument) or reply (code, text) as it arrived, for the timeline. */
export interface TimelineRec {
  readonly at: Instant;
  readonly frame: number;
  readonly client: boolean;
  /** Command verb, or the reply code as text. */
  readonly head: string;
  /** Command argument or reply text, cut at MAX_TIMELINE_TEXT_CHARS. */
  readonly text: string;
  readonly code: number | null;
}

/**
 * The commands and replies of a session, bounded: the first MAX_TIMELINE_ENTRIES/2 are kept, then
 * a ring of the latest MAX_TIMELINE_ENTRIES/2; what the ring overwrites is counted.
 */
export class TimelineLog {
  private readonly head: TimelineRec[] = [];
  private readonly tail: TimelineRec[] = [];
  private next = 0;
  dropped = 0;
  constructor(private readonly limit = MAX_TIMELINE_ENTRIES) {}

  add(r: TimelineRec): void {
    const half = Math.max(1, this.limit >> 1);
    if (this.head.length < half) this.head.push(r);
    else if (this.tail.length < this.limit - half) this.tail.push(r);
    else {
      this.tail[this.next] = r;
      this.next = (this.next + 1) % this.tail.length;
      this.dropped++;
    }
  }

  /** A log as `entries()` returned it (a shard's pending session, restored by a merge). */
  static restore(entries: readonly TimelineRec[], dropped: number, droppedAfter: number): TimelineLog {
    const log = new TimelineLog();
    log.head.push(...entries.slice(0, droppedAfter));
    log.tail.push(...entries.slice(droppedAfter));
    log.dropped = dropped;
    return log;
  }

  /** The kept entries in order, and how many entries before the dropped ones. */
  entries(): { entries: TimelineRec[]; droppedAfter: number } {
    return { entries: [...this.head, ...this.tail.slice(this.next), ...this.tail.slice(0, this.next)], droppedAfter: this.head.length };
  }
}
