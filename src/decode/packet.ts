/**
 * The decoded packet the decode stage hands on (docs/design.md §2, stage 2).
 *
 * Lifecycle: the caller owns ONE Packet and passes it to `decode()` for every record; decode
 * resets and fills it in place (no per-packet allocation on the fast path). `buf` is the capture
 * record's chunk (offsets in it are absolute; nothing at or past `capEnd` is this packet's) or, for
 * a reassembled IP datagram, a buffer the decoder made; `src`/`dst` are small buffers the decoder
 * owns and overwrites per packet (copying 4 bytes is cheaper than a subarray view: measured in
 * test/bench/decode-micro.mjs). All are valid until the next call to `decode()`: whoever keeps bytes
 * copies them.
 */
export interface Packet {
  // --- from the capture record
  tsSec: number;
  tsNsec: number;
  frame: number;
  linkType: number;

  // --- link layer
  /** VLAN ids outermost first (802.1Q / 802.1ad); length 0 when untagged. Reused array. */
  vlanIds: number[];
  /** Encapsulations the packet arrived in, one bit per Encap value (src/decode/tunnel.ts): 0 for
   * a plain packet. Everything else in the Packet describes the innermost IP/TCP. */
  tunnels: number;

  // --- network layer (ipVersion 0 = not IP)
  ipVersion: 0 | 4 | 6;
  /** Source / destination address bytes (4 or 16; empty when not IP): the decoder's buffers,
   * overwritten by the next decode(). */
  src: Buffer;
  dst: Buffer;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6): cheap numeric flow keys. */
  src4: number;
  dst4: number;
  /** Transport protocol number (IPv6: after extension headers). */
  protocol: number;
  /** The packet was rebuilt from IP fragments (buf is then the decoder's own buffer). */
  reassembled: boolean;
  /** When `reassembled`: the capture frames of its fragments in arrival order, this record's last
   * (a tunnel's outer fragments too). Not reset per packet: read it only when `reassembled`. */
  fragmentFrames: readonly number[];

  // --- TCP (valid when protocol === 6 and decode returned DecodeStatus.TCP)
  srcPort: number;
  dstPort: number;
  /** Sequence / acknowledgement numbers as unsigned 32-bit numbers. */
  seq: number;
  ack: number;
  /** TCP flag bits (TcpFlag.*), including CWR/ECE. */
  flags: number;
  window: number;
  /** Offset of the TCP header in buf, and its length (data offset * 4). */
  tcpOff: number;
  tcpHeaderLength: number;
  /** Bytes holding the segment's payload: buf[payloadOff, payloadOff + payloadLength). */
  buf: Buffer;
  payloadOff: number;
  /** Payload bytes present in the capture. */
  payloadLength: number;
  /** Payload bytes the segment carried on the wire (from the IP length): > payloadLength when
   * the snap length cut the packet. */
  payloadWireLength: number;
  /** End of this packet's captured bytes in buf (absolute offset): `buf` may be the reader's
   * whole chunk, so nothing may be read at or past capEnd (e.g. TCP options cut by snap length). */
  capEnd: number;

  // --- ICMP destination unreachable quoting a TCP segment (src/decode/icmp.ts): when icmpQuote
  // is true (decode returned DecodeStatus.ICMP), the network and TCP fields above (src, dst,
  // ports, seq) are the QUOTED segment's, and these the ICMP message's.
  icmpQuote: boolean;
  icmpType: number;
  icmpCode: number;
  /** The ICMP message's source address (the rejecting device): the decoder's buffer. */
  icmpSender: Buffer;
}

/** TCP flag bits, RFC 9293 §3.1 (+ RFC 3168 ECE/CWR). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** What decode() made of a record. Counted by name in `info`; only TCP goes further. */
export const DecodeStatus = {
  TCP: 0,
  UDP: 1,
  ICMP: 2,
  OTHER_IP: 3, // IP with another transport protocol
  NON_IP: 4, // ARP, LLDP, STP ... (counted, skipped)
  FRAGMENT_PENDING: 5, // an IP fragment held for reassembly
  MALFORMED: 6, // see Packet-independent reason in the decoder's counters
  UNSUPPORTED_LINK: 7,
} as const;
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];

export function newPacket(): Packet {
  const empty = Buffer.alloc(0);
  return {
    tsSec: 0,
    tsNsec: 0,
    frame: 0,
    linkType: 0,
    vlanIds: [],
    tunnels: 0,
    ipVersion: 0,
    src: empty,
    dst: empty,
    src4: 0,
    dst4: 0,
    protocol: 0,
    reassembled: false,
    fragmentFrames: [],
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    tcpOff: 0,
    tcpHeaderLength: 0,
    buf: empty,
    payloadOff: 0,
    payloadLength: 0,
    payloadWireLength: 0,
    capEnd: 0,
    icmpQuote: false,
    icmpType: 0,
    icmpCode: 0,
    icmpSender: empty,
  };
}

/** Names of the DecodeStatus values, by value: the keys of `statuses()`. */
export const STATUS_NAMES = [
  'tcp',
  'udp',
  'icmp',
  'other-ip',
  'non-ip',
  'fragment-pending',
  'malformed',
  'unsupported-link',
] as const;
export type StatusName = (typeof STATUS_NAMES)[number];
