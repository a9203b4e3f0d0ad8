/**
 * TLS record framing of one direction of a control connection (RFC 8446 §5.1, RFC 5246 §6.2):
 * the records are walked without decrypting anything, to find where the TLS session ends and the
 * FTP dialogue goes on in clear text: after CCC (RFC 4217 §6: the 200 reply, then close_notify
 * both ways, then cleartext commands), or when a TLS session closed with alerts while the client
 * and server carried on without it.
 *
 * Contract: `push(bytes, off, end)` once per in-order chunk. Returns -1 while every byte belongs to
 * a TLS record (or to a record header still incomplete), or the offset in `bytes` where cleartext
 * begins at a record boundary; after that the walker is done (`clear`) and is not pushed again.
 * Bytes of a header split across chunks and then found not to be TLS are in `heldClear`. A
 * record boundary is TLS when its first byte is a content type (20-24) and the version's major
 * byte is 3: FTP text never starts with those control bytes. `lost()` (a capture gap) ends the
 * walk for good: the boundaries cannot be found again, the direction stays unreadable.
 */

/** change_cipher_spec, alert, handshake, application_data, heartbeat. */
const MIN_TYPE = 20;
const MAX_TYPE = 24;
const HEADER = 5;

export class TlsRecords {
  /** Cleartext found: the walk is over. */
  clear = false;
  /** Header bytes held across chunks that turned out not to be TLS (cleartext's first bytes). */
  heldClear: Buffer | null = null;
  records = 0;
  private body = 0;
  private readonly head = Buffer.alloc(HEADER);
  private headLen = 0;
  private broken = false;

  /** Is this the start of a TLS record (at least its first two bytes)? For implicit FTPS. */
  static looksLikeRecord(b: Buffer, off: number, end: number): boolean {
    return end - off >= 2 && b[off] >= MIN_TYPE && b[off] <= MAX_TYPE && b[off + 1] === 3;
  }

  lost(): void {
    this.broken = true;
  }

  push(b: Buffer, off: number, end: number): number {
    if (this.clear || this.broken) return -1;
    let i = off;
    // Where the header being gathered started in this chunk (-1: in an earlier one).
    let headAt = this.headLen > 0 ? -1 : off;
    while (i < end) {
      if (this.body > 0) {
        const n = Math.min(this.body, end - i);
        this.body -= n;
        i += n;
        continue;
      }
      // At a record boundary: gather the 5-byte header.
      const x = b[i];
      if (this.headLen === 0) {
        if (x < MIN_TYPE || x > MAX_TYPE) return this.found(i);
        headAt = i;
      } else if (this.headLen === 1 && x !== 3) {
        if (headAt >= 0) return this.found(headAt);
        this.heldClear = Buffer.from(this.head.subarray(0, 1));
        return this.found(i);
      }
      this.head[this.headLen++] = x;
      i++;
      if (this.headLen === HEADER) {
        this.headLen = 0;
        this.body = (this.head[3] << 8) | this.head[4];
        this.records++;
      }
    }
    return -1;
  }

  private found(at: number): number {
    this.clear = true;
    return at;
  }
}
