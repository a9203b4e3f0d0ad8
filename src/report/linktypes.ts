/** Names of link types as tcpdump.org/linktypes.html spells them (the ones seen in practice). */
const NAMES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  9: 'PPP',
  12: 'RAW (OpenBSD)',
  101: 'RAW',
  105: 'IEEE802_11',
  108: 'LOOP',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIOTAP',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

export function linkTypeName(v: number): string {
  return NAMES[v] ?? `LINKTYPE_${v}`;
}
