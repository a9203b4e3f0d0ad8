/**
 * The whole pipeline in one pass (DESIGN.md §2): capture → decode → tcp → ftp → report model.
 * `analyze()` is what the CLI's `analyze` command and the tests call.
 */
import type { Readable } from 'node:stream';
import { readCaptures, type CaptureRecord } from './capture/index.js';
import { Decoder, DecodeStatus, newPacket } from './decode/index.js';
import { TcpTracker } from './tcp/index.js';
import { FtpAnalyzer, type AnalyzerOptions } from './ftp/analyzer.js';
import { inputsOf } from './report/inputs.js';
import { summarize, type AnalysisReport } from './report/analysis.js';
import type { SessionReport } from './ftp/model.js';

export interface AnalyzeOptions extends AnalyzerOptions {
  stdin?: Readable;
  version?: string;
}

export async function analyze(paths: readonly string[], opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const decoder = new Decoder();
  const pkt = newPacket();
  const sessions: SessionReport[] = [];
  const ftp = new FtpAnalyzer(opts, (s) => sessions.push(s));
  const tracker = new TcpTracker({ events: ftp.events });
  ftp.bind(tracker);
  const readers = await readCaptures(
    paths,
    (rec: CaptureRecord) => {
      if (decoder.decode(rec, pkt) === DecodeStatus.TCP) {
        ftp.advance(pkt.tsSec + pkt.tsNsec / 1e9);
        tracker.packet(pkt);
      }
    },
    opts.stdin ? { stdin: opts.stdin } : {},
  );
  decoder.finish();
  tracker.finish();
  const findings = ftp.finish();
  const result = { sessions, findings, counters: ftp.counters };
  const inputs = inputsOf(readers);
  const limits: Record<string, number> = {};
  const tc = tracker.counters;
  for (const [k, v] of Object.entries({
    'tcp-evicted-idle': tc.evictedIdle,
    'tcp-evicted-capacity': tc.evictedCapacity,
    'tcp-follows-dropped': tc.followsDropped,
    'data-candidates-dropped': result.counters.candidatesDropped,
    'report-reorder-overflow': result.counters.reorderOverflow,
  })) {
    if (v > 0) limits[k] = v;
  }
  const problems: Record<string, number> = {};
  for (const [k, v] of Object.entries(decoder.counters())) if (v > 0) problems[k] = v;
  return {
    tool: { name: 'ftp-pcap', version: opts.version ?? '0.0.0' },
    inputs,
    complete: inputs.every((i) => i.complete),
    sessions: result.sessions,
    findings: result.findings,
    summary: summarize(result.sessions, result.findings),
    limits,
    problems,
  };
}
