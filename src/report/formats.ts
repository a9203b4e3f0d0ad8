/**
 * The output formats of `ftp-pcap analyze`, by name: each makes a streaming ReportSink writing to
 * an Out (sessions as they are finalized, the tail at the end). The CLI lists these names in
 * `--format`; adding a format is adding an entry here.
 */
import type { Out } from './out.js';
import { JsonSink, NO_PAINT, TextSink, paintFor, type ReportSink } from './analysis.js';
import { ComparedNdjsonSink } from './comparison-events.js';
import { OcsfSink } from './ocsf.js';
import { XmlSink } from './xml.js';
import { HtmlSink } from './html.js';

export interface FormatContext {
  /** Writing to a terminal (stdout is a TTY and no -o): text may use colour. */
  readonly tty: boolean;
  /** `--verbose`: the text report adds each session's and data connection's Wireshark filter. */
  readonly verbose?: boolean;
}

export const FORMATS: Record<string, (out: Out, ctx: FormatContext) => ReportSink> = {
  text: (out, ctx) => new TextSink(out, ctx.tty ? paintFor(process.stdout) : NO_PAINT, ctx.verbose === true),
  json: (out) => new JsonSink(out),
  /** Elastic Common Schema events, one per line (src/report/ndjson.ts). */
  ndjson: (out) => new ComparedNdjsonSink(out),
  /** OCSF 1.9 events (FTP Activity, Detection Finding), one per line (src/report/ocsf.ts). */
  ocsf: (out) => new OcsfSink(out),
  /** The JSON model as XML 1.0 (src/report/xml.ts). */
  xml: (out) => new XmlSink(out),
  /** One self-contained page with ladder diagrams (src/report/html.ts); needs AnalyzeOptions.timeline. */
  html: (out) => new HtmlSink(out),
};

export const FORMAT_NAMES = (): string[] => Object.keys(FORMATS);
