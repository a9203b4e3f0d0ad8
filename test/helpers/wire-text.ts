/**
 * A deliberately naive oracle for src/ftp/text.ts's contract, built on the platform's strict UTF-8
 * decoder instead of a table: at each byte, the shortest run of 1 to 4 bytes that decodes as one
 * character is that character; a byte no run decodes from is the escaped byte U+DC00+b.
 */
const STRICT = new TextDecoder('utf-8', { fatal: true });

export function naiveWireText(bytes: ArrayLike<number>): string {
  let s = '';
  let i = 0;
  outer: while (i < bytes.length) {
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      let ch: string;
      try {
        ch = STRICT.decode(Uint8Array.from(Array.from({ length: n }, (_, k) => bytes[i + k])));
      } catch {
        continue;
      }
      s += ch;
      i += n;
      continue outer;
    }
    s += String.fromCharCode(0xdc00 + bytes[i]);
    i++;
  }
  return s;
}
