/**
 * What a progress display reads of the inputs being read: a CaptureReader's counters. A plain
 * object of these fields stands in for a reader where the reader itself is out of reach (posted
 * from a `--jobs` worker thread, built in tests).
 */
import type { CaptureReader } from './reader.js';

export type ProgressInput = Pick<CaptureReader, 'path' | 'packets' | 'capturedBytes' | 'format' | 'gzip' | 'fileSize' | 'done' | 'bytesRead'>;
