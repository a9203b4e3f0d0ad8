/**
 * The one record type the capture stage hands on (docs/design.md §2, stage 1).
 *
 * Lifecycle: a reader owns ONE CaptureRecord object and overwrites it for every record (no
 * per-packet allocation). `data` is a zero-copy view into the reader's current chunk and is valid
 * only until the reader is asked for the next record: whoever keeps bytes copies them.
 * Tests may build one with `new CaptureRecord()` and set `buf`/`offset`/`capturedLength`.
 */
const EMPTY = Buffer.alloc(0);

export class CaptureRecord {
  /** Whole seconds since the Unix epoch (UTC). */
  tsSec = 0;
  /** Nanoseconds within that second, 0..999_999_999, at the capture's full precision. */
  tsNsec = 0;
  /** LINKTYPE_* value of the record's interface (https://www.tcpdump.org/linktypes.html). */
  linkType = 0;
  /** Interface index within its section (pcapng); 0 for classic pcap. */
  interfaceId = 0;
  /** Bytes present in the capture (after snap length truncation). */
  capturedLength = 0;
  /** Bytes the packet had on the wire. */
  originalLength = 0;
  /** The reader's current chunk and where this record's bytes start in it: the zero-copy way to
   * read the packet (`buf[offset, offset + capturedLength)`), valid until the next record. The
   * hot path (decode) reads these; `data` makes a view object (~45 ns) for everyone else. */
  buf: Buffer = EMPTY;
  offset = 0;
  /** View of the captured bytes: valid until the next record is read. */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.capturedLength);
  }
  /** 1-based frame number over the whole merged stream, as Wireshark counts. */
  frame = 0;
  /** Byte offset of the record (its header) in its (decompressed) file. */
  fileOffset = 0;
  /** Index of the input this record came from (order given on the command line). */
  input = 0;
}

/** Link types the decode stage understands (values from tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0, // BSD loopback: 4-byte host-order address family
  ETHERNET: 1,
  RAW: 101, // raw IPv4/IPv6, version from the first nibble
  LOOP: 108, // OpenBSD loopback: 4-byte network-order address family
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
