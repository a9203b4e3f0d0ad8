/**
 * BSD loopback encapsulations (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html):
 * a 4-byte address family, in the capturing host's byte order for NULL (0) and in network order
 * for LOOP (108). The AF_INET6 value differs between systems, hence three of them.
 */
export const LOOPBACK_HEADER = 4;

export const AF_INET = 2;
/** NetBSD, OpenBSD, BSD/OS. */
export const AF_INET6_BSD = 24;
/** FreeBSD, DragonFly. */
export const AF_INET6_FREEBSD = 28;
/** macOS / Darwin. */
export const AF_INET6_DARWIN = 30;

/**
 * The address family at `off` for LINKTYPE_NULL. The writer's byte order is not recorded, but
 * families are small numbers: a value that does not fit 16 bits was written in the other order.
 */
export function nullFamily(buf: Buffer, off: number): number {
  const le = buf.readUInt32LE(off);
  return le > 0xffff ? buf.readUInt32BE(off) : le;
}

/** 4, 6 or 0 (not IP) for an address family value. */
export function familyIpVersion(family: number): 0 | 4 | 6 {
  if (family === AF_INET) return 4;
  if (family === AF_INET6_BSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) return 6;
  return 0;
}
