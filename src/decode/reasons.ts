/**
 * Stable names for everything the decoder counts besides the per-status totals (STYLE.md §4):
 * the names are what `info` and the JSON report print, so they never change once released.
 *
 * Three kinds, in this order:
 *  - malformed: the packet is dropped and decode() returns DecodeStatus.MALFORMED;
 *  - noted: something odd but recoverable, the packet is still decoded (the comment says how);
 *  - frag-*: IP fragment reassembly events (src/decode/fragments.ts), counted per fragment
 *    or per datagram as the comment says.
 * Values are dense indexes into the decoder's counter array.
 */
export const Reason = {
  // --- malformed: link layer
  /** Fewer than 14 bytes for an Ethernet header. */
  'ethernet-truncated': 0,
  /** An 802.1Q/802.1ad tag cut short. */
  'vlan-truncated': 1,
  /** Fewer than 16 bytes for a Linux cooked (SLL) header. */
  'sll-truncated': 2,
  /** Fewer than 20 bytes for an SLL2 header. */
  'sll2-truncated': 3,
  /** Fewer than 4 bytes for a BSD NULL / LOOP address family. */
  'loopback-truncated': 4,
  /** RAW link type whose first nibble is neither 4 nor 6. */
  'raw-bad-version': 5,

  // --- malformed: IPv4 (RFC 791 §3.1)
  /** Header cut before 20 bytes or before IHL*4 bytes. */
  'ipv4-truncated': 6,
  /** Link layer says IPv4, version nibble disagrees. */
  'ipv4-bad-version': 7,
  /** IHL < 5. */
  'ipv4-bad-header-length': 8,
  /** Total length non-zero but shorter than the header. */
  'ipv4-bad-total-length': 9,

  // --- malformed: IPv6 (RFC 8200)
  /** Fewer than 40 bytes captured. */
  'ipv6-truncated': 10,
  'ipv6-bad-version': 11,
  /** An extension header longer than the payload, or hop-by-hop not first (RFC 8200 §4.1). */
  'ipv6-bad-extension-header': 12,
  /** An extension header the snap length cut: the transport header cannot be found. */
  'ipv6-extension-header-snap-cut': 13,

  // --- malformed: TCP (RFC 9293 §3.1)
  /** Segment shorter than 20 bytes on the wire. */
  'tcp-truncated': 14,
  /** The wire had a TCP header but the snap length cut it before 20 bytes. */
  'tcp-header-snap-cut': 15,
  /** Data offset < 5 or past the end of the segment. */
  'tcp-bad-data-offset': 16,

  // --- malformed: fragments (counted per fragment)
  /** A non-last fragment whose length is not a multiple of 8 (RFC 791, RFC 8200 §4.5). */
  'frag-bad-length': 17,
  /** Fragment offset + length beyond 65535 bytes (the "ping of death"). */
  'frag-too-long': 18,
  /** A fragment cut by the snap length cannot be reassembled. */
  'frag-snap-cut': 19,

  // --- noted: packet still decoded
  /** IPv4 total length 0, as TSO-offloaded sends are captured: length taken from the frame. */
  'ipv4-zero-total-length': 20,
  /** IPv4 total length beyond the frame's wire length: clipped to the frame. */
  'ipv4-total-length-exceeds-frame': 21,
  /** IPv6 payload length 0 with bytes following (jumbogram RFC 2675, Linux BIG TCP, TSO):
   * length taken from the frame. */
  'ipv6-zero-payload-length': 22,
  /** IPv6 payload length beyond the frame's wire length: clipped to the frame. */
  'ipv6-payload-length-exceeds-frame': 23,
  /** TCP options cut by the snap length: ports, seq, flags kept, payload absent. */
  'tcp-options-snap-cut': 24,

  // --- fragment reassembly events
  /** A datagram completed from its fragments (per datagram). */
  'frag-reassembled': 25,
  /** A fragment overlapped bytes already held; the first copy was kept (per fragment). */
  'frag-overlap': 26,
  /** ... and the overlapping bytes differed: a classic IDS-evasion sign (per fragment). */
  'frag-overlap-mismatch': 27,
  /** A fragment reaching past the datagram's known end, or a second, different last fragment:
   * the excess is dropped (per fragment). */
  'frag-inconsistent-end': 28,
  /** An incomplete datagram older than the timeout, dropped (per datagram). */
  'frag-expired': 29,
  /** An incomplete datagram evicted because a pending-datagram or pending-byte limit was
   * reached (per datagram). */
  'frag-dropped-limit': 30,
  /** Incomplete datagrams still pending when the capture ended (per datagram, by finish()). */
  'frag-incomplete-at-end': 31,

  // --- malformed: link layer, PPPoE and MPLS (after the fragment events: values are dense and
  // never reordered, so a stored count keeps its meaning)
  /** A PPPoE session header (6 bytes) + PPP protocol (2) cut short. */
  'pppoe-truncated': 32,
  /** An MPLS label stack that ends before its bottom-of-stack label. */
  'mpls-truncated': 33,

  // --- malformed: tunnels (src/decode/tunnel.ts)
  /** A VXLAN header (8 bytes) cut short. */
  'vxlan-truncated': 34,
  /** A Geneve header or its options cut short. */
  'geneve-truncated': 35,
  /** A GRE header with its optional checksum, key and sequence fields cut short. */
  'gre-truncated': 36,
  /** An ERSPAN II/III header (or III's platform sub-header) cut short. */
  'erspan-truncated': 37,
  /** An ERSPAN header whose version is not the one its GRE protocol type implies (1 for type II,
   * 2 for type III). */
  'erspan-bad-version': 38,
  /** More nested encapsulations than MAX_TUNNEL_DEPTH (src/limits.ts): not decoded further. */
  'tunnel-too-deep': 39,
} as const;
export type ReasonName = keyof typeof Reason;

/** Names ordered by index. */
export const REASON_NAMES: readonly ReasonName[] = (Object.keys(Reason) as ReasonName[]).sort(
  (a, b) => Reason[a] - Reason[b],
);
export const REASON_COUNT = REASON_NAMES.length;

export type ReasonKind = 'malformed' | 'noted' | 'fragment';

const NOTED: ReadonlySet<ReasonName> = new Set<ReasonName>([
  'ipv4-zero-total-length',
  'ipv4-total-length-exceeds-frame',
  'ipv6-zero-payload-length',
  'ipv6-payload-length-exceeds-frame',
  'tcp-options-snap-cut',
]);
const FRAGMENT_EVENTS: ReadonlySet<ReasonName> = new Set<ReasonName>([
  'frag-reassembled',
  'frag-overlap',
  'frag-overlap-mismatch',
  'frag-inconsistent-end',
  'frag-expired',
  'frag-dropped-limit',
  'frag-incomplete-at-end',
]);

/** Which of the three kinds (see the table's comment) a reason is: `malformed` reasons are the
 * ones that made decode() return MALFORMED. */
export function reasonKind(name: ReasonName): ReasonKind {
  if (NOTED.has(name)) return 'noted';
  if (FRAGMENT_EVENTS.has(name)) return 'fragment';
  return 'malformed';
}
