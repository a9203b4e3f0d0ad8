/**
 * Hand-built capture files for edge cases real tools will not write on demand (named as such in
 * every test that uses them): byte orders, pcapng sections and block kinds, corruption.
 */

export interface HandRecord {
  sec: number;
  /** Fraction in the file's unit (microseconds or nanoseconds). */
  frac: number;
  data: Buffer;
  orig?: number;
}

export function pcapFile(opts: { le?: boolean; nano?: boolean; snaplen?: number; linkType?: number; records: HandRecord[] }): Buffer {
  const le = opts.le ?? true;
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const h = Buffer.alloc(24);
  w32(h, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, opts.snaplen ?? 262144, 16);
  w32(h, opts.linkType ?? 1, 20);
  const parts: Buffer[] = [h];
  for (const r of opts.records) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, r.frac, 4);
    w32(rh, r.data.length, 8);
    w32(rh, r.orig ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** pcapng blocks, each built in the byte order of its section. */
export class NgBuilder {
  private parts: Buffer[] = [];
  private le = true;

  private block(type: number, body: Buffer): this {
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    const len = 12 + padded.length;
    const b = Buffer.alloc(len);
    this.u32(b, type, 0);
    this.u32(b, len, 4);
    padded.copy(b, 8);
    this.u32(b, len, len - 4);
    this.parts.push(b);
    return this;
  }

  private u32(b: Buffer, v: number, o: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private u16(b: Buffer, v: number, o: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }

  options(opts: { code: number; value: Buffer }[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const o of opts) {
      const h = Buffer.alloc(4);
      this.u16(h, o.code, 0);
      this.u16(h, o.value.length, 2);
      const v = Buffer.alloc((o.value.length + 3) & ~3);
      o.value.copy(v);
      parts.push(h, v);
    }
    parts.push(Buffer.alloc(4)); // opt_endofopt
    return Buffer.concat(parts);
  }

  shb(le: boolean, comment?: string): this {
    this.le = le;
    const b = Buffer.alloc(16);
    this.u32(b, 0x1a2b3c4d, 0);
    this.u16(b, 1, 4);
    this.u16(b, 0, 6);
    b.writeInt32LE(-1, 8); // section length unknown (-1 reads the same in both orders)
    b.writeInt32LE(-1, 12);
    const opts = comment ? this.options([{ code: 1, value: Buffer.from(comment) }]) : Buffer.alloc(0);
    return this.block(0x0a0d0d0a, Buffer.concat([b, opts]));
  }

  idb(linkType: number, opts: { snaplen?: number; tsresol?: number; tsoffset?: number; name?: string } = {}): this {
    const b = Buffer.alloc(8);
    this.u16(b, linkType, 0);
    this.u32(b, opts.snaplen ?? 0, 4);
    const o: { code: number; value: Buffer }[] = [];
    if (opts.name) o.push({ code: 2, value: Buffer.from(opts.name) });
    if (opts.tsresol !== undefined) o.push({ code: 9, value: Buffer.from([opts.tsresol]) });
    if (opts.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(BigInt(opts.tsoffset));
      else v.writeBigInt64BE(BigInt(opts.tsoffset));
      o.push({ code: 14, value: v });
    }
    o.push({ code: 0xbad, value: Buffer.from('custom option, tolerated') });
    return this.block(1, Buffer.concat([b, this.options(o)]));
  }

  epb(iface: number, ticks: bigint, data: Buffer, orig?: number, comment?: string): this {
    const b = Buffer.alloc(20);
    this.u32(b, iface, 0);
    this.u32(b, Number(ticks >> 32n), 4);
    this.u32(b, Number(ticks & 0xffffffffn), 8);
    this.u32(b, data.length, 12);
    this.u32(b, orig ?? data.length, 16);
    const padded = Buffer.alloc((data.length + 3) & ~3);
    data.copy(padded);
    const opts = comment ? this.options([{ code: 1, value: Buffer.from(comment) }]) : Buffer.alloc(0);
    return this.block(6, Buffer.concat([b, padded, opts]));
  }

  spb(data: Buffer, orig?: number): this {
    const b = Buffer.alloc(4);
    this.u32(b, orig ?? data.length, 0);
    return this.block(3, Buffer.concat([b, data]));
  }

  opb(iface: number, ticks: bigint, data: Buffer): this {
    const b = Buffer.alloc(20);
    this.u16(b, iface, 0);
    this.u16(b, 0, 2);
    this.u32(b, Number(ticks >> 32n), 4);
    this.u32(b, Number(ticks & 0xffffffffn), 8);
    this.u32(b, data.length, 12);
    this.u32(b, data.length, 16);
    return this.block(2, Buffer.concat([b, data]));
  }

  /** Any other block type (name resolution, statistics, custom): readers must skip it. */
  other(type: number, body: Buffer): this {
    return this.block(type, body);
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Converts a little-endian classic pcap to big-endian, header by header (hand-built variant). */
export function pcapToBigEndian(le: Buffer): Buffer {
  const out = Buffer.from(le);
  const swap32 = (o: number) => out.writeUInt32BE(le.readUInt32LE(o), o);
  const swap16 = (o: number) => out.writeUInt16BE(le.readUInt16LE(o), o);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  let p = 24;
  while (p + 16 <= le.length) {
    const caplen = le.readUInt32LE(p + 8);
    for (const o of [0, 4, 8, 12]) swap32(p + o);
    p += 16 + caplen;
  }
  return out;
}
