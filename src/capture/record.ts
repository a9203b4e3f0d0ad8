/**
 * The one record type the capture stage hands on (DESIGN.md §2, stage 1).
 *
 * Lifecycle: a reader owns ONE CaptureRecord object and overwrites it for every record (no
 * per-packet allocation). `data` is a zero-copy view into the reader's current chunk and is valid
 * only until the reader is asked for the next record: whoever keeps bytes copies them.
 */
export interface CaptureRecord {
  /** Whole seconds since the Unix epoch (UTC). */
  tsSec: number;
  /** Nanoseconds within that second, 0..999_999_999, at the capture's full precision. */
  tsNsec: number;
  /** LINKTYPE_* value of the record's interface (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** Interface index within its section (pcapng); 0 for classic pcap. */
  interfaceId: number;
  /** Bytes present in the capture (after snap length truncation). */
  capturedLength: number;
  /** Bytes the packet had on the wire. */
  originalLength: number;
  /** View of the captured bytes: valid until the next record is read. */
  data: Buffer;
  /** 1-based frame number over the whole merged stream, as Wireshark counts. */
  frame: number;
  /** Byte offset of the record (its header) in its (decompressed) file. */
  fileOffset: number;
  /** Index of the input this record came from (order given on the command line). */
  input: number;
}

export function newCaptureRecord(): CaptureRecord {
  return {
    tsSec: 0,
    tsNsec: 0,
    linkType: 0,
    interfaceId: 0,
    capturedLength: 0,
    originalLength: 0,
    data: Buffer.alloc(0),
    frame: 0,
    fileOffset: 0,
    input: 0,
  };
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
