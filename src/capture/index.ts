/** Stage 1 (docs/design.md §2): capture files in, CaptureRecords out. */
export { CaptureRecord, LinkType } from './record.js';
export { CaptureReader, type CaptureFormat, type InterfaceInfo } from './reader.js';
export type { ProgressInput } from './progress.js';
export { readCaptures, firstRecordTime, type ReadOptions, type RecordSink, type MergeStats } from './merge.js';
export { formatCaptureError, formatCaptureWarning, offsetText, type CaptureError, type CaptureErrorKind, type CaptureWarning, type OffsetStream } from './errors.js';
export { isoTime, isoSeconds, ticksToSecNsec, ticksPerSecond } from './timestamp.js';
export { Step } from './window.js';
export { expandInputs, sniffCapture, type ExpandedInputs, type SkipReason } from './expand.js';
