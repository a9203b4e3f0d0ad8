/**
 * Ethernet II / IEEE 802.3 framing and 802.1Q/802.1ad VLAN tags (IEEE 802.1Q-2018 §9.6).
 * Only offsets and type values live here; the decoder reads them inline on the hot path.
 */

/** Destination (6) + source (6) + EtherType/length (2). */
export const ETHERNET_HEADER = 14;
export const ETHERTYPE_OFFSET = 12;

/** A tag is TCI (2: PCP 3 bits, DEI 1, VID 12) + inner EtherType (2). */
export const VLAN_TAG = 4;
export const VLAN_ID_MASK = 0x0fff;

export const EtherType = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  ARP: 0x0806,
  /** C-tag, IEEE 802.1Q. */
  VLAN: 0x8100,
  /** S-tag, IEEE 802.1ad (Q-in-Q). */
  QINQ: 0x88a8,
  /** Pre-standard Q-in-Q S-tags still emitted by some switches (Cisco, Juniper). */
  QINQ_9100: 0x9100,
  QINQ_9200: 0x9200,
  /** PPPoE session stage (RFC 2516 §5): DSL access captures. */
  PPPOE_SESSION: 0x8864,
  /** MPLS unicast / multicast label stacks (RFC 3032). */
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
} as const;

/** PPPoE header: version/type (1), code (1), session id (2), length (2); then the PPP protocol
 * (2, RFC 1661 §2) whose IP values are below. */
export const PPPOE_HEADER = 6;
export const PPP_PROTOCOL = 2;
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;

/** An MPLS label stack entry: label (20 bits), traffic class (3), bottom of stack (1), TTL (8). */
export const MPLS_LABEL = 4;
export const MPLS_BOTTOM_OF_STACK = 0x01; // in the entry's third byte
/** The control word of an Ethernet pseudowire over MPLS (RFC 4448 §3, RFC 4385): first nibble 0. */
export const MPLS_PW_CONTROL_WORD = 4;

/** Values below this in the EtherType position are 802.3 lengths, not types (IEEE 802.3 §3.2.6). */
export const MIN_ETHERTYPE = 0x0600;

/** 802.2 LLC + SNAP (RFC 1042): DSAP 0xAA, SSAP 0xAA, control 0x03, OUI 00-00-00, EtherType. */
export const LLC_SNAP_HEADER = 8;

export function isVlanTag(etherType: number): boolean {
  return (
    etherType === EtherType.VLAN ||
    etherType === EtherType.QINQ ||
    etherType === EtherType.QINQ_9100 ||
    etherType === EtherType.QINQ_9200
  );
}

/** An RFC 1042 LLC/SNAP header with a zero OUI (which carries an EtherType) at `off`;
 * the caller has checked that 8 bytes are present. */
export function isRfc1042Snap(buf: Buffer, off: number): boolean {
  return (
    buf[off] === 0xaa &&
    buf[off + 1] === 0xaa &&
    buf[off + 2] === 0x03 &&
    buf[off + 3] === 0 &&
    buf[off + 4] === 0 &&
    buf[off + 5] === 0
  );
}
