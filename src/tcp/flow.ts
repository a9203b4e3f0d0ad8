/**
 * Flow keys: a connection is found by its 4-tuple in either direction, with numbers only.
 *
 * Why not a string key: building "10.0.0.1:1234-10.0.0.2:21" per packet is an allocation and a
 * hash of ~30 characters; here an address is four 32-bit words (IPv4: the address and three
 * zeros; IPv6: the 16 bytes read big-endian) and the key is a 30-bit hash of both endpoints,
 * symmetric in direction (the two endpoint hashes are added before the final mix), kept a small
 * integer so V8's Map hashes it without boxing. Collisions are resolved by comparing the words and
 * ports stored on the connection (a chain through `hashNext`), as gopacket's flows.go does with its
 * fixed-size `FastHash` keys. Measured for IPv6 (10,000 flows, Node 20, this 2-CPU machine): a
 * string key (decode's addressKey for both addresses + ports) costs ~550 ns a lookup, this
 * numeric hash ~140 ns, without allocating; the whole tracker runs ~4.5 M IPv6 packets/s
 * (test/bench/tcp-micro.mjs), half its IPv4 rate.
 */

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of one endpoint (address words + port). */
export function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0xcc9e2d51);
  h = (h ^ Math.imul(w1, 0x1b873593)) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = (h ^ Math.imul(w2, 0xcc9e2d51)) | 0;
  h = (h ^ Math.imul(w3, 0x1b873593)) | 0;
  h = (h ^ Math.imul(port + 0x10001, 0xe6546b64)) | 0;
  return fmix32(h);
}

/** Symmetric 30-bit flow hash: flowHash(a, b) === flowHash(b, a). */
export function flowHash(ha: number, hb: number, ipVersion: number): number {
  return fmix32(((ha + hb) | 0) ^ ipVersion) & 0x3fffffff;
}

/**
 * A 4-tuple given by the consumer (subscription by 4-tuple). `src`/`dst` are IP text as written by
 * people (dotted quad, or any RFC 4291 IPv6 text); direction does not matter.
 */
export interface FourTuple {
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
}

/** An address as four signed 32-bit words plus its version (IPv4: the address, then zeros). */
export interface AddressWords {
  readonly version: 4 | 6;
  readonly w: readonly [number, number, number, number];
}

/** Words of a 4- or 16-byte address; null for any other length. */
export function addressWords(b: Uint8Array): AddressWords | null {
  const r = (i: number): number => (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
  if (b.length === 4) return { version: 4, w: [r(0), 0, 0, 0] };
  if (b.length === 16) return { version: 6, w: [r(0), r(4), r(8), r(12)] };
  return null;
}

/** Inverse of addressWords: the address bytes (4 or 16). */
export function wordsToBytes(version: 4 | 6, w0: number, w1: number, w2: number, w3: number): Buffer {
  const out = Buffer.alloc(version === 4 ? 4 : 16);
  out.writeUInt32BE(w0 >>> 0, 0);
  if (version === 6) {
    out.writeUInt32BE(w1 >>> 0, 4);
    out.writeUInt32BE(w2 >>> 0, 8);
    out.writeUInt32BE(w3 >>> 0, 12);
  }
  return out;
}
