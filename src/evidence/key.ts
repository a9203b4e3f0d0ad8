/**
 * Connection keys for the evidence spool: the 4-tuple, the same in both directions, from a decoded
 * packet (numbers for IPv4, address bytes in hex for IPv6) or from a report's endpoints (parsed
 * back to bytes, so that any text form of an address gives the same key).
 */
import type { Packet } from '../decode/index.js';
import { parseIp } from '../decode/address.js';
import type { Endpoint } from '../ftp/model.js';

function pair(x: number | string, y: number | string): string {
  return x < y ? `${x}-${y}` : `${y}-${x}`;
}

/** The key of a decoded TCP packet's connection. */
export function packetKey(p: Packet): string {
  if (p.ipVersion === 4) return pair(p.src4 * 65536 + p.srcPort, p.dst4 * 65536 + p.dstPort);
  return pair(`${p.src.toString('hex')}.${p.srcPort}`, `${p.dst.toString('hex')}.${p.dstPort}`);
}

/** The key of the connection between two endpoints; null when an address does not parse. */
export function endpointsKey(a: Endpoint, b: Endpoint): string | null {
  const x = parseIp(a.ip);
  const y = parseIp(b.ip);
  if (!x || !y || x.length !== y.length) return null;
  if (x.length === 4) return pair(x.readUInt32BE(0) * 65536 + a.port, y.readUInt32BE(0) * 65536 + b.port);
  return pair(`${x.toString('hex')}.${a.port}`, `${y.toString('hex')}.${b.port}`);
}
