/**
 * What the decoder counted, and its read-out (DecoderCounts, the base of Decoder in index.ts):
 * records per DecodeStatus, malformed or unsupported records per stable reason (reasons.ts),
 * unknown link types by value, and packets per encapsulation.
 *
 * Contract: the counters only grow; the read-outs (`counters`, `statuses`, `encapsulations`)
 * are fresh objects, safe to keep. `bad(reason)` counts one malformed record and returns
 * DecodeStatus.MALFORMED, so a decoding step can `return this.bad(...)`.
 */
import { DecodeStatus, STATUS_NAMES, type StatusName } from './packet.js';
import { REASON_COUNT, REASON_NAMES } from './reasons.js';
import { ENCAP_COUNT, ENCAP_NAMES, type EncapName } from './tunnel.js';

export class DecoderCounts {
  /** Per Reason (the FragmentReassembler counts into it too). */
  protected readonly counts = new Float64Array(REASON_COUNT);
  protected readonly statusCounts = new Float64Array(STATUS_NAMES.length);
  /** Records per unknown link type value. */
  protected readonly unsupported = new Map<number, number>();
  /** Packets per encapsulation (a packet nested twice in one kind counts once). */
  protected readonly encapCounts = new Float64Array(ENCAP_COUNT);

  /** Encapsulation name → packets that arrived in it (non-zero ones only): what `info` shows. */
  encapsulations(): Partial<Record<EncapName, number>> {
    const out: Partial<Record<EncapName, number>> = {};
    for (let i = 0; i < ENCAP_COUNT; i++) if (this.encapCounts[i] !== 0) out[ENCAP_NAMES[i]] = this.encapCounts[i];
    return out;
  }

  protected countTunnels(bits: number): void {
    for (let i = 0; i < ENCAP_COUNT; i++) if (bits & (1 << i)) this.encapCounts[i]++;
  }

  /** Reason name → count, non-zero ones only, plus `unsupported-link-type-N` per unknown
   * link type value. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < REASON_COUNT; i++) if (this.counts[i] !== 0) out[REASON_NAMES[i]] = this.counts[i];
    for (const [lt, n] of this.unsupported) out[`unsupported-link-type-${lt}`] = n;
    return out;
  }

  /** Status name → number of records decode() returned it for (all eight names present). */
  statuses(): Record<StatusName, number> {
    const out = {} as Record<StatusName, number>;
    for (let i = 0; i < STATUS_NAMES.length; i++) out[STATUS_NAMES[i]] = this.statusCounts[i];
    return out;
  }

  protected bad(reason: number): DecodeStatus {
    this.counts[reason]++;
    return DecodeStatus.MALFORMED;
  }
}
