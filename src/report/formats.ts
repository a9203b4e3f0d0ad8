/**
 * The output formats of `ftp-pcap analyze`, by name: each makes a streaming ReportSink writing to
 * an Out (sessions as they are finalized, the tail at the end). The CLI lists these names in
 * `--format`; adding a format is adding an entry here.
 */
import type { Out } from './out.js';
import { JsonSink, NO_PAINT, TextSink, paintFor, type ReportSink } from './analysis.js';

export interface FormatContext {
  /** Writing to a terminal (stdout is a TTY and no -o): text may use colour. */
  readonly tty: boolean;
}

export const FORMATS: Record<string, (out: Out, ctx: FormatContext) => ReportSink> = {
  text: (out, ctx) => new TextSink(out, ctx.tty ? paintFor(process.stdout) : NO_PAINT),
  json: (out) => new JsonSink(out),
};

export const FORMAT_NAMES = (): string[] => Object.keys(FORMATS);
