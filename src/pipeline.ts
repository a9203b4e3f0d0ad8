/**
 * The whole pipeline in one pass (DESIGN.md §2): capture → decode → tcp → ftp → report model.
 * `analyze()` is what the CLI's `analyze` command and the tests call.
 */
import type { Readable } from 'node:stream';
import { readCaptures, type CaptureRecord, type ReadOptions } from './capture/index.js';
import { Decoder, DecodeStatus, newPacket } from './decode/index.js';
import { TcpTracker, type TcpCounters } from './tcp/index.js';
import { FtpAnalyzer, type AnalyzerCounters, type AnalyzerOptions } from './ftp/analyzer.js';
import type { ControlCounters } from './ftp/control.js';
import { BruteForce } from './ftp/bruteforce.js';
import { inputsOf } from './report/inputs.js';
import { CollectSink, SummaryBuilder, type AnalysisReport, type ReportSink, type ReportTail } from './report/analysis.js';
import type { SessionReport } from './ftp/model.js';
import { MemoryGovernor } from './memory.js';

/** Packets' worth of garbage one session report makes, for the memory governor. */
const SESSION_GARBAGE_PACKETS = 64;

export interface AnalyzeOptions extends AnalyzerOptions {
  stdin?: Readable;
  version?: string;
  /** Sessions to report (`--session`, `--only-failed`); the summary counts those only. */
  filter?: (s: SessionReport) => boolean;
  /** Called after each refill of an input (the CLI's progress display). */
  onProgress?: ReadOptions['onProgress'];
}

/** The whole analysis, collected into one report (tests, small captures). */
export async function analyze(paths: readonly string[], opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const sink = new CollectSink();
  await analyzeTo(paths, opts, sink);
  return sink.report as AnalysisReport;
}

/**
 * The analysis streamed into a sink: sessions as they are finalized, the tail at the end. Memory
 * follows the sessions open at a time, whatever the size of the capture.
 */
export async function analyzeTo(paths: readonly string[], opts: AnalyzeOptions, sink: ReportSink): Promise<ReportTail> {
  const decoder = new Decoder();
  const pkt = newPacket();
  const summary = new SummaryBuilder();
  sink.begin({ name: 'ftp-pcap', version: opts.version ?? '0.0.0' });
  const accept = opts.filter ?? (() => true);
  const governor = new MemoryGovernor();
  const bruteForce = new BruteForce(opts.bruteForce);
  const ftp = new FtpAnalyzer(opts, (s) => {
    // A report and its serialisation are garbage of a few KB: a flood of byte-less sessions
    // (a SYN flood to port 21) makes one per packet, which the per-packet check alone misses.
    governor.tick(SESSION_GARBAGE_PACKETS);
    bruteForce.note(s);
    if (!accept(s)) return;
    summary.add(s);
    sink.session(s);
  });
  const tracker = new TcpTracker({ events: ftp.events });
  ftp.bind(tracker);
  const readers = await readCaptures(
    paths,
    (rec: CaptureRecord) => {
      governor.tick();
      if (decoder.decode(rec, pkt) === DecodeStatus.TCP) {
        ftp.advance(pkt.tsSec + pkt.tsNsec / 1e9);
        tracker.packet(pkt);
      }
    },
    { ...(opts.stdin ? { stdin: opts.stdin } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) },
  );
  decoder.finish();
  tracker.finish();
  ftp.finish();
  const findings = bruteForce.findings();
  summary.addCross(findings);
  const result = { findings, counters: ftp.counters };
  const inputs = inputsOf(readers);
  const limits = limitsOf(tracker.counters, result.counters, ftp.control, decoder.counters());
  // capture: pcapng interfaces past MAX_LISTED_INTERFACES, counted rather than listed in `inputs`
  const unlisted = readers.reduce((n, r) => n + (r.pcapng?.unlistedInterfaces ?? 0), 0);
  if (unlisted > 0) limits['pcapng-interfaces-unlisted'] = unlisted;
  const problems: Record<string, number> = {};
  for (const [k, v] of Object.entries(decoder.counters())) if (v > 0) problems[k] = v;
  const tail: ReportTail = {
    inputs,
    complete: inputs.every((i) => i.complete),
    findings: result.findings,
    summary: summary.summary,
    limits,
    problems,
  };
  sink.end(tail);
  return tail;
}

/**
 * The report's `limits` section: everything dropped, cut or skipped to stay within a bound of
 * src/limits.ts, by a stable name (only those hit). The README's limits table lists each with its
 * default.
 */
export function limitsOf(tc: TcpCounters, ac: AnalyzerCounters, cc: ControlCounters, dc: Record<string, number>): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [k, v] of Object.entries({
    // decode: IP fragment reassembly (MAX_FRAG_DATAGRAMS, MAX_FRAG_BYTES, MAX_FRAGS_PER_DATAGRAM; FRAG_TIMEOUT_SEC)
    'ip-fragments-dropped': dc['frag-dropped-limit'] ?? 0,
    'ip-fragments-expired': dc['frag-expired'] ?? 0,
    // tcp (TCP_IDLE/ATTEMPT/CLOSED_TIMEOUT_SEC, TCP_MAX_CONNECTIONS, TCP_MAX_PENDING_FOLLOWS)
    'tcp-evicted-idle': tc.evictedIdle,
    'tcp-evicted-capacity': tc.evictedCapacity,
    'tcp-follows-dropped': tc.followsDropped,
    // tcp reassembly: gaps skipped at a bound (TCP_MAX_OOO_BYTES_PER_CONNECTION, _TOTAL,
    // TCP_MAX_OOO_SEGMENTS_*, TCP_GAP_TIMEOUT_SEC), segments and ACKs ignored (TCP_MAX_SEQ_JUMP,
    // TCP_MAX_ACK_SKIP)
    'tcp-gaps-connection-cap': tc.gapsConnectionCap,
    'tcp-gaps-global-cap': tc.gapsGlobalCap,
    'tcp-gaps-segment-cap': tc.gapsSegmentCap,
    'tcp-gaps-timed-out': tc.gapsTimedOut,
    'tcp-out-of-window-segments': tc.outOfWindowSegments,
    'tcp-acks-implausible': tc.acksImplausible,
    // ftp control channel (MAX_CONTROL_LINE_BYTES, MAX_REPLY_LINES/TEXT_CHARS, MAX_PENDING_COMMANDS,
    // MAX_SESSION_ANNOUNCEMENTS)
    'ftp-lines-truncated': cc.linesTruncated,
    'ftp-reply-lines-dropped': cc.replyLinesDropped,
    'ftp-pending-commands-dropped': cc.pendingCommandsDropped,
    'ftp-announcements-dropped': cc.announcementsDropped,
    // correlation (MAX_DATA_CANDIDATES)
    'data-candidates-dropped': ac.candidatesDropped,
    'findings-folded': ac.findingsFolded,
  })) {
    if (v > 0) limits[k] = v;
  }
  return limits;
}
