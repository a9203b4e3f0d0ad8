/**
 * The whole pipeline in one pass (docs/design.md §2): capture → decode → tcp → ftp → report model.
 * `readPackets()` is the packet loop every command runs (read, tick the memory governor, decode,
 * hand on); `analyze()` is what the CLI's `analyze` command and the tests call; `reportTail()` is
 * the end of a report, for one run and for a merge of shards alike.
 */
import type { Readable } from 'node:stream';
import { readCaptures, type CaptureReader, type CaptureRecord, type ReadOptions } from './capture/index.js';
import { Decoder, DecodeStatus, newPacket, type Packet } from './decode/index.js';
import { TcpTracker, DEFAULT_TRACKER_LIMITS, type TcpCounters, type TrackerLimits } from './tcp/index.js';
import { FtpAnalyzer, type AnalyzerCounters, type AnalyzerOptions } from './ftp/analyzer.js';
import type { ControlCounters } from './ftp/control.js';
import { DEFAULT_SESSION_BOUNDS, type SessionBounds } from './ftp/pressure.js';
import { BruteForce } from './ftp/bruteforce.js';
import { inputsOf, type InfoInput } from './report/inputs.js';
import { CollectSink, SummaryBuilder, type AnalysisReport, type ReportSink, type ReportTail } from './report/analysis.js';
import type { SessionReport } from './ftp/model.js';
import { MemoryGovernor } from './memory.js';
import type { EvidenceWriter } from './evidence/index.js';

/** Packets' worth of garbage one session report makes, for the memory governor. */
export const SESSION_GARBAGE_PACKETS = 64;

export interface AnalyzeOptions extends AnalyzerOptions {
  stdin?: Readable;
  version?: string;
  /** Sessions to report (`--session`, `--only-failed`); the summary counts those only. */
  filter?: (s: SessionReport) => boolean;
  /** Called after each refill of an input (the CLI's progress display). */
  onProgress?: ReadOptions['onProgress'];
  /**
   * Whether a decoded TCP packet is this run's to analyse (a shard's host pairs: src/scale/shard.ts);
   * absent, every packet is.
   */
  inShard?: (pkt: Packet) => boolean;
  /** Open-file counts of the merge, filled in as it runs (tests, benchmarks). */
  mergeStats?: ReadOptions['stats'];
  /** Files the input expansion skipped (src/capture/expand.ts), for the report's `skippedFiles`. */
  skippedFiles?: Record<string, number>;
  /** `--evidence DIR`: every decoded record and every finalized session go to it. */
  evidence?: EvidenceWriter;
  /**
   * How many runs share this process's memory (`--jobs N`: N worker threads): each run's capacity
   * bounds (TCP connections held, of them closed ones, FTP sessions held and in grace) are that
   * share of the one-process bounds, so N workers together hold what one process would. Absent: 1
   * (`--shard i/N` runs are separate processes, each with the whole bounds).
   */
  boundsShare?: number;
}

/** The tracker's and the analyzer's capacity bounds for one of `share` runs in a process. */
function sharedBounds(share: number): { tracker: Partial<TrackerLimits>; sessions: SessionBounds } | null {
  if (share === 1) return null;
  const part = (n: number): number => Math.max(1, Math.ceil(n / share));
  return {
    tracker: { maxConnections: part(DEFAULT_TRACKER_LIMITS.maxConnections), maxClosedConnections: part(DEFAULT_TRACKER_LIMITS.maxClosedConnections) },
    sessions: { held: part(DEFAULT_SESSION_BOUNDS.held), ended: part(DEFAULT_SESSION_BOUNDS.ended) },
  };
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
  const tool = { name: 'ftp-pcap' as const, version: opts.version ?? '0.0.0' };
  // --extract: its folder is set up before anything is read, and cleaned if the run fails.
  opts.extract?.begin(tool);
  try {
    opts.evidence?.begin(tool);
    return await analyzeWith(paths, opts, sink, tool);
  } catch (e) {
    opts.extract?.abort();
    opts.evidence?.abort();
    throw e;
  }
}

/** A command's stage: each record's decode status, the decoded packet (reused: valid during the call) and the record (its bytes valid during the call). */
export type PacketStage = (status: DecodeStatus, pkt: Packet, rec: CaptureRecord) => void;

/** The end of a packet loop: the inputs as read, and the decoder with its counters. */
export interface PacketRun {
  readonly readers: readonly CaptureReader[];
  readonly decoder: Decoder;
}

/**
 * The packet loop of every command: each record of the inputs is read, counted by the memory
 * governor, decoded into one reused packet view and handed to `stage` (valid only during the call);
 * at the end the decoder flushes what it held (IP fragments). `governor` is passed in when the
 * stage makes garbage of its own worth counting.
 */
export async function readPackets(paths: readonly string[], stage: PacketStage, opts: Pick<ReadOptions, 'stdin' | 'onProgress' | 'stats'> = {}, governor = new MemoryGovernor()): Promise<PacketRun> {
  const decoder = new Decoder();
  const pkt = newPacket();
  const readers = await readCaptures(
    paths,
    (rec: CaptureRecord) => {
      governor.tick();
      stage(decoder.decode(rec, pkt), pkt, rec);
    },
    opts,
  );
  decoder.finish();
  return { readers, decoder };
}

async function analyzeWith(paths: readonly string[], opts: AnalyzeOptions, sink: ReportSink, tool: AnalysisReport['tool']): Promise<ReportTail> {
  const summary = new SummaryBuilder();
  sink.begin(tool);
  const accept = opts.filter ?? (() => true);
  const bruteForce = new BruteForce(opts.bruteForce);
  const run = await runStages(paths, opts, (s) => {
    // --evidence: its file written (s.evidence) before the session is reported
    opts.evidence?.session(s);
    bruteForce.note(s);
    if (!accept(s)) return;
    summary.add(s);
    sink.session(s);
  });
  const tail = reportTail(countersOf(run), summary, bruteForce.findings(), opts.skippedFiles);
  // --extract: the manifest into place; files cut or not written at the total size bound
  // (EXTRACT_MAX_TOTAL_BYTES)
  if (opts.extract) {
    opts.extract.finish();
    if (opts.extract.filesCut > 0) tail.limits['extract-files-cut'] = opts.extract.filesCut;
  }
  // --evidence: the index into place; frames, connections and files past its bounds
  if (opts.evidence) {
    opts.evidence.finish();
    Object.assign(tail.limits, opts.evidence.limits());
  }
  sink.end(tail);
  return tail;
}

/**
 * A report's tail from a run's counters (one run's, or the shards' added up): the inputs, the
 * cross-session findings (added to the summary here), the summary, limits, problems and skipped
 * files.
 */
export function reportTail(counters: RunCounters, summary: SummaryBuilder, findings: ReportTail['findings'], skippedFiles: Record<string, number> | undefined): ReportTail {
  summary.addCross(findings);
  return {
    inputs: counters.inputs,
    complete: counters.inputs.every((i) => i.complete),
    findings,
    summary: summary.summary,
    limits: limitsOf(counters.tcp, counters.analyzer, counters.control, counters.decode, counters.unlistedInterfaces),
    problems: problemsOf(counters.decode),
    ...skippedOf(skippedFiles),
  };
}

/**
 * The tail's `skippedFiles`, only when a directory or glob left files out: the reports of plain
 * file lists stay as they were.
 */
export function skippedOf(skipped: Record<string, number> | undefined): Pick<ReportTail, 'skippedFiles'> {
  return skipped && Object.keys(skipped).length > 0 ? { skippedFiles: { ...skipped } } : {};
}

/** The stages of one run, once the inputs are read. */
export interface Stages {
  readonly decoder: Decoder;
  readonly tracker: TcpTracker;
  readonly ftp: FtpAnalyzer;
  readonly readers: readonly CaptureReader[];
}

/**
 * Capture → decode → tcp → ftp over the inputs, handing each session report on in start order.
 * With `opts.inShard` only the TCP packets it accepts go to the tracker; the others
 * still drive the capture clock (sessions are finalized at the same moments as in one process) and
 * tell the analyzer where FTP hosts are (`foreign`).
 */
export async function runStages(paths: readonly string[], opts: AnalyzeOptions, onSession: (s: SessionReport, start: number, batch: number) => void): Promise<Stages> {
  const share = Math.max(1, opts.boundsShare ?? 1);
  const governor = new MemoryGovernor(share);
  const shared = sharedBounds(share);
  const ftp = new FtpAnalyzer(shared && !opts.sessionBounds ? { ...opts, sessionBounds: shared.sessions } : opts, (s, start, batch) => {
    // A report and its serialisation are garbage of a few KB: a flood of byte-less sessions
    // (a SYN flood to port 21) makes one per packet, which the per-packet check alone misses.
    governor.tick(SESSION_GARBAGE_PACKETS);
    onSession(s, start, batch);
  });
  const tracker = new TcpTracker({ events: ftp.events, ...(shared ? { limits: shared.tracker } : {}) });
  ftp.bind(tracker);
  const evidence = opts.evidence;
  evidence?.bind(ftp);
  const inShard = opts.inShard;
  const { readers, decoder } = await readPackets(
    paths,
    (status, pkt, rec) => {
      // --evidence: spooled before the analyzer's clock moves (a session it finalizes now is whole)
      evidence?.record(rec, pkt, status);
      if (status === DecodeStatus.TCP) {
        ftp.advance(pkt.tsSec + pkt.tsNsec / 1e9, pkt.frame);
        if (inShard === undefined || inShard(pkt)) tracker.packet(pkt);
        else {
          tracker.clock(pkt.tsSec);
          ftp.foreign(pkt);
        }
      } else if (pkt.icmpQuote) {
        // An ICMP rejection carries the quoted segment's addresses: the shard of its connection.
        ftp.advance(pkt.tsSec + pkt.tsNsec / 1e9, pkt.frame);
        if (inShard === undefined || inShard(pkt)) tracker.icmp(pkt);
        else tracker.clock(pkt.tsSec);
      }
    },
    { ...(opts.stdin ? { stdin: opts.stdin } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.mergeStats ? { stats: opts.mergeStats } : {}) },
    governor,
  );
  ftp.closing();
  tracker.finish();
  ftp.finish();
  return { decoder, tracker, ftp, readers };
}

/** The raw counters of a run: what a report's tail is made of, and what shards add up. */
export interface RunCounters {
  inputs: InfoInput[];
  tcp: TcpCounters;
  analyzer: AnalyzerCounters;
  control: ControlCounters;
  decode: Record<string, number>;
  /** pcapng interfaces past MAX_LISTED_INTERFACES, counted rather than listed in `inputs`. */
  unlistedInterfaces: number;
}

export function countersOf(run: Stages): RunCounters {
  return {
    inputs: inputsOf(run.readers),
    tcp: run.tracker.counters,
    analyzer: run.ftp.counters,
    control: run.ftp.control,
    decode: run.decoder.counters(),
    unlistedInterfaces: run.readers.reduce((n, r) => n + (r.pcapng?.unlistedInterfaces ?? 0), 0),
  };
}

/** The report's `problems`: decode and parsing anomalies that occurred. */
export function problemsOf(dc: Record<string, number>): Record<string, number> {
  const problems: Record<string, number> = {};
  for (const [k, v] of Object.entries(dc)) if (v > 0) problems[k] = v;
  return problems;
}

/**
 * The report's `limits` section: everything dropped, cut or skipped to stay within a bound of
 * src/limits.ts, by a stable name (only those hit). docs/formats.md (Limits) lists each with its
 * default.
 */
export function limitsOf(tc: TcpCounters, ac: AnalyzerCounters, cc: ControlCounters, dc: Record<string, number>, unlistedInterfaces = 0): Record<string, number> {
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
    // tcp details not kept: SYN retransmission frames past TCP_MAX_SYN_RETRANSMIT_FRAMES (all
    // counted in synRetransmits), retransmitted bytes older than TCP_RETRANSMIT_CHECK_BYTES
    'tcp-syn-retransmit-frames-unlisted': tc.synRetransmitFramesUnlisted,
    'tcp-retransmit-bytes-unchecked': tc.retransmitBytesUnchecked,
    // ftp control channel (MAX_CONTROL_LINE_BYTES, MAX_REPLY_LINES/TEXT_CHARS, MAX_PENDING_COMMANDS,
    // MAX_SESSION_ANNOUNCEMENTS, MAX_TRANSFER_REPLIES, MAX_SIZE_CACHE)
    'ftp-lines-truncated': cc.linesTruncated,
    'ftp-reply-lines-dropped': cc.replyLinesDropped,
    'ftp-pending-commands-dropped': cc.pendingCommandsDropped,
    'ftp-announcements-dropped': cc.announcementsDropped,
    'ftp-replies-dropped': cc.repliesDropped,
    'ftp-sizes-dropped': cc.sizesDropped,
    // correlation (MAX_DATA_CANDIDATES, MAX_CORRELATE_RIVALS), findings (MAX_FINDINGS_PER_CODE)
    'data-candidates-dropped': ac.candidatesDropped,
    'correlation-rivals-cut': ac.rivalsCut,
    'findings-folded': ac.findingsFolded,
    // sessions held at once (MAX_SESSIONS_HELD, MAX_SESSIONS_IN_GRACE)
    'ftp-sessions-finalized-early': ac.sessionsFinalizedEarly,
    // --listings (LISTING_MAX_ENTRIES)
    'listing-entries-dropped': ac.listingEntriesDropped,
  })) {
    if (v > 0) limits[k] = v;
  }
  if (unlistedInterfaces > 0) limits['pcapng-interfaces-unlisted'] = unlistedInterfaces;
  return limits;
}
