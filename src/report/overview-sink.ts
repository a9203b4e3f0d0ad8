/**
 * The overview first, in every format, while the sessions still stream: the format's sink writes
 * into a spool (a temporary file, one 64 KiB buffer in memory) while the overview's aggregates are
 * fed; at the end the overview is written to the real output, spliced where the format's document
 * opens (text, NDJSON, OCSF: the first line; JSON: the first key; XML: the root element's first
 * child; HTML: the first section of <main>), then the spool is copied after it, as bytes, in 64 KiB reads.
 * Memory stays that of the sink plus the overview's bounded aggregates; the disk holds the report
 * once more for as long as it is written.
 *
 * `auto` (the default) writes the overview only when more than OVERVIEW_AUTO_SESSIONS sessions were
 * reported; `on` (`--overview`) always; `only` (`--overview-only`, text `--sessions none`) hands
 * the format's sink no session at all: the document is the overview and the tail.
 */
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionFacts, SessionReport } from '../ftp/model.js';
import { NO_SESSIONS_TEXT, type AnalysisReport, type ReportSink, type ReportTail } from './analysis.js';
import { Out } from './out.js';
import { OVERVIEW_AUTO_SESSIONS, Overview, type OverviewReport, type RuleSyntax } from './overview.js';
import { overviewHtml, overviewNdjson, overviewOcsf, overviewText, overviewXml } from './overview-writers.js';
import { XML_ROOT } from './xml.js';
import type { ComparedPoints } from './comparison.js';

export type OverviewMode = 'auto' | 'on' | 'only';

/** Where a format's overview goes and what it is. `after`: the overview follows the first
 * occurrence of this text in the spooled report (null: at the very start). */
interface Splice {
  after: string | null;
  text: (o: OverviewReport, tool: AnalysisReport['tool'], rules: RuleSyntax | null) => string;
}

const SPLICES: Record<string, Splice> = {
  text: { after: null, text: (o, _t, rules) => overviewText(o, rules) },
  json: { after: '{\n', text: (o) => `  "overview": ${JSON.stringify(o, null, 2).replace(/\n/g, '\n  ')},\n` },
  ndjson: { after: null, text: (o, tool) => overviewNdjson(o, tool) },
  ocsf: { after: null, text: (o, tool) => overviewOcsf(o, tool) },
  xml: { after: `<${XML_ROOT}>\n`, text: (o) => overviewXml(o) },
  html: { after: '<main id="report">\n', text: (o) => overviewHtml(o) },
};

export const OVERVIEW_FORMATS = (): string[] => Object.keys(SPLICES);

/** A temporary file to hold the format's output until the overview is known. */
class Spool extends Out {
  constructor(readonly spoolPath: string) {
    super(spoolPath, false);
  }
}

let spools = 0;

export class OverviewSink implements ReportSink {
  private readonly overview = new Overview();
  private readonly spool: Spool;
  private readonly inner: ReportSink;
  private tool: AnalysisReport['tool'] = { name: 'ftp-pcap', version: '0.0.0' };
  /** Text the spool starts with that is not copied. */
  private skip: string | null = null;

  constructor(
    private readonly out: Out,
    private readonly format: string,
    makeInner: (out: Out) => ReportSink,
    private readonly mode: OverviewMode,
    private readonly rules: RuleSyntax | null = null,
  ) {
    this.spool = new Spool(join(tmpdir(), `ftp-pcap-report-${process.pid}-${++spools}`));
    this.inner = makeInner(this.spool);
  }

  begin(tool: AnalysisReport['tool']): void {
    this.tool = tool;
    this.inner.begin(tool);
  }

  points(p: ComparedPoints): void {
    this.inner.points?.(p);
  }

  session(s: SessionReport, json?: string): void {
    this.overview.add(s);
    if (this.mode !== 'only') this.inner.session(s, json);
  }

  /** Facts alone do not feed the overview: no `sessionText`, so a merge hands over whole sessions. */
  readonly sessionText?: (facts: SessionFacts, json: string) => void = undefined;

  end(tail: ReportTail): void {
    this.overview.addCross(tail.findings);
    this.inner.end(tail);
    this.spool.close();
    const splice = SPLICES[this.format];
    const want = splice && (this.mode !== 'auto' || this.overview.sessions > OVERVIEW_AUTO_SESSIONS);
    const text = want ? splice.text(this.overview.report(), this.tool, this.rules) : '';
    // The sessions were left out on purpose, not absent: the text report must not say none was found.
    this.skip = this.mode === 'only' && this.format === 'text' && this.overview.sessions > 0 ? NO_SESSIONS_TEXT : null;
    // Until now the spool was an Out like any other (removed on a signal by abortOpenOutputs); now
    // it is a closed file, removed when the copy ends or the process does (SIGINT mid-copy).
    const remove = (): void => {
      try {
        unlinkSync(this.spool.spoolPath);
      } catch {
        // already removed
      }
    };
    process.once('exit', remove);
    try {
      this.copy(want ? splice.after : null, text);
    } finally {
      remove();
      process.removeListener('exit', remove);
    }
  }

  /** Writes the spool to the output with `text` after the first `after` (or first), as bytes: the
   * report is copied without a string made of it (strings of a large report are garbage no
   * collection is asked for while copying). `after` is ASCII and lies in the first read. */
  private copy(after: string | null, text: string): void {
    const fd = openSync(this.spool.spoolPath, 'r');
    try {
      const buf = Buffer.allocUnsafe(64 * 1024);
      let first = true;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        let chunk = buf.subarray(0, n);
        if (first) {
          first = false;
          if (this.skip !== null && chunk.subarray(0, this.skip.length).toString('latin1') === this.skip) chunk = chunk.subarray(this.skip.length);
          const at = after === null ? 0 : chunk.indexOf(after);
          const cut = at < 0 ? chunk.length : at + (after?.length ?? 0);
          this.out.writeBytes(chunk.subarray(0, cut));
          this.out.write(text);
          chunk = chunk.subarray(cut);
        }
        if (n === 0) break;
        this.out.writeBytes(chunk);
      }
    } finally {
      closeSync(fd);
    }
  }
}
