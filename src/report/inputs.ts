/** The `inputs[]` section shared by every report (docs/design.md §4): one entry per capture file. */
import type { CaptureReader, OffsetStream } from '../capture/index.js';
import { isoTime } from '../capture/index.js';
import { linkTypeName } from './linktypes.js';

export interface InfoInput {
  path: string;
  format: string | null;
  gzip: boolean;
  byteOrder: string | null;
  fileSize: number | null;
  interfaces: { linkType: number; linkTypeName: string; snapLength: number; name: string | null }[];
  linkTypes: { value: number; name: string }[];
  packets: number;
  bytes: number;
  firstTime: string | null;
  lastTime: string | null;
  durationSeconds: number | null;
  outOfOrderTimestamps: number;
  /** Read to its end; false after damage (the error, with its byte offset, is in `errors`). */
  complete: boolean;
  errors: InputProblem[];
  /** Present when something was skipped in an input still read to its end (gzip trailing garbage). */
  warnings?: InputProblem[];
}

/** `stream` only for a gzip input: which stream `offset` counts in (compressed or decompressed). */
export interface InputProblem {
  kind: string;
  offset: number;
  stream?: OffsetStream;
  message: string;
}

const problem = (e: { kind: string; offset: number; stream?: OffsetStream; message: string }): InputProblem => ({ kind: e.kind, offset: e.offset, ...(e.stream ? { stream: e.stream } : {}), message: e.message });

function span(r: { firstSec: number; firstNsec: number; lastSec: number; lastNsec: number }): number | null {
  if (r.firstSec < 0) return null;
  return r.lastSec - r.firstSec + (r.lastNsec - r.firstNsec) / 1e9;
}

export function inputsOf(readers: readonly CaptureReader[]): InfoInput[] {
  return readers.map((r) => {
    const ifaces = r.interfaces().map((i) => ({ linkType: i.linkType, linkTypeName: linkTypeName(i.linkType), snapLength: i.snapLength, name: i.name }));
    const lts = [...new Set(ifaces.map((i) => i.linkType))];
    return {
      path: r.path,
      format: r.format,
      gzip: r.gzip,
      byteOrder: r.byteOrder,
      fileSize: r.fileSize,
      interfaces: ifaces,
      linkTypes: lts.map((v) => ({ value: v, name: linkTypeName(v) })),
      packets: r.packets,
      bytes: r.capturedBytes,
      firstTime: r.firstSec >= 0 ? isoTime(r.firstSec, r.firstNsec) : null,
      lastTime: r.lastSec >= 0 ? isoTime(r.lastSec, r.lastNsec) : null,
      durationSeconds: span(r),
      outOfOrderTimestamps: r.outOfOrder,
      complete: r.error === null,
      errors: r.error ? [problem(r.error)] : [],
      ...(r.warnings.length > 0 ? { warnings: r.warnings.map(problem) } : {}),
    };
  });
}
