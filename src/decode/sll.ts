/**
 * Linux "cooked" capture headers, as written by `tcpdump -i any`
 * (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html).
 * The protocol field holds an EtherType for Ethernet-like devices, so after it the decoder
 * continues exactly as after an Ethernet header (VLAN tags included: libpcap re-inserts them).
 */

/** SLL: packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2). */
export const SLL_HEADER = 16;
export const SLL_PROTOCOL_OFFSET = 14;

/** SLL2: protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
 * address length (1), address (8). */
export const SLL2_HEADER = 20;
export const SLL2_PROTOCOL_OFFSET = 0;
