/**
 * The vocabulary between one direction's reassembly (reassembly.ts) and the code around it: which
 * direction, the frame bytes came from, the StreamSink a followed connection's bytes go to, and
 * what a Half needs from its connection (StreamOwner). Types only: nothing here runs.
 */
/** 0: sent by the originator (initiator -> responder); 1: sent by the responder. */
export type Direction = 0 | 1;

/** Where bytes came from: the frame (and its capture time) that carried them. */
export interface SegmentInfo {
  readonly frame: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** The acknowledgement number the segment carried (int32), where `hasAck`: set for a segment
   * delivered as it arrives, absent for one delivered later from the out-of-order buffer. */
  readonly ack?: number;
  readonly hasAck?: boolean;
}

/**
 * The consumer of one followed connection's two byte streams (gopacket's `Stream`).
 *
 * Lifecycle: attached once per connection (by `TcpTracker.follow`, `attach`, or an `inspect`
 * hook returning it); then `data()` 0..n times per direction, each direction's bytes in order and
 * exactly once, interleaved with `gap()` where the capture missed bytes; then `end()` exactly once
 * (both directions finished — each with its FIN or a RST it sent —, the connection removed (idle,
 * capacity, port reuse) or the end of the capture).
 * `bytes` is a view valid only during the call: copy what you keep. `offset` is the stream offset
 * of bytes[0] in that direction (0 = first byte after the SYN, or the first byte seen for a
 * connection picked up mid-stream). A sink attached after a direction already carried bytes sees
 * its first `data()` at an offset > 0. Sinks must not call back into the tracker.
 */
export interface StreamSink {
  data(dir: Direction, bytes: Buffer, offset: number, at: SegmentInfo): void;
  gap(dir: Direction, offset: number, length: number): void;
  end(): void;
}

/** What a Half needs from its connection. */
export interface StreamOwner {
  readonly sink: StreamSink | null;
  /** A gap was skipped in direction `dir` (for the history's g/G). */
  noteGap(dir: Direction): void;
}
