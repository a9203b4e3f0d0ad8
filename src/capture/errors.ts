/**
 * Damaged input is a value, not an exception (STYLE.md §4): the reader stops at the damage, keeps
 * everything before it, and one formatter turns the value into one line naming file and offset.
 */
export type CaptureErrorKind =
  | 'open-failed' // the file cannot be opened or read (ENOENT, EACCES, EISDIR...)
  | 'empty-file'
  | 'unknown-format' // first bytes are no pcap, pcapng or gzip magic
  | 'truncated-file-header'
  | 'bad-file-header' // unsupported version (pcap, or a pcapng section's major version), ...
  | 'truncated-record' // a trailing partial record (file cut short)
  | 'record-too-long' // record length beyond the record limit (not the snap length: tshark reads those)
  | 'bad-block-length' // pcapng block length < 12, not a multiple of 4, or beyond the limit
  | 'block-length-mismatch' // pcapng trailing length differs from the leading one
  | 'bad-block' // a pcapng block whose contents contradict its length
  | 'unknown-interface' // pcapng packet for an interface no IDB described
  | 'gzip'; // the compressed stream is cut short or corrupt

export interface CaptureError {
  readonly kind: CaptureErrorKind;
  readonly file: string;
  /** Byte offset where the damage starts, in the stream `stream` names. */
  readonly offset: number;
  /** For a gzip input: whether `offset` counts compressed bytes (the file's) or decompressed
   * bytes (the capture's). Absent for an uncompressed input, where the two are one. */
  readonly stream?: OffsetStream;
  readonly message: string;
}

export type OffsetStream = 'compressed' | 'decompressed';

/** "byte offset N", or "compressed byte offset N" / "decompressed byte offset N" in a gzip input. */
export function offsetText(e: { readonly offset: number; readonly stream?: OffsetStream }): string {
  return `${e.stream ? `${e.stream} ` : ''}byte offset ${e.offset}`;
}

export function formatCaptureError(e: CaptureError): string {
  return `${e.file}: ${e.message} (${offsetText(e)})`;
}

/** Something skipped in an input that was still read: gzip trailing garbage. */
export interface CaptureWarning {
  readonly kind: 'trailing-garbage';
  readonly file: string;
  readonly offset: number;
  readonly stream?: OffsetStream;
  readonly message: string;
}

export function formatCaptureWarning(w: CaptureWarning): string {
  return `${w.file}: warning: ${w.message} (${offsetText(w)})`;
}
