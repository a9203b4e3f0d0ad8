/**
 * `analyze --at NAME=FILE ...`: each point analysed by the pipeline as a capture of its own, its
 * handshake packets read again (a second pass over small files: the pipeline keeps no packets),
 * and the points compared.
 */
import { analyze, type AnalyzeOptions } from '../pipeline.js';
import type { AnalysisReport, ReportSink, ReportTail } from '../report/analysis.js';
import type { Comparison } from '../report/comparison.js';
import { comparePoints, type PointInput } from './index.js';
import { handshakePackets } from './packets.js';

export interface CapturePoint {
  readonly name: string;
  readonly paths: readonly string[];
}

export interface PointsResult {
  /** Each point's report, in the order given. */
  readonly reports: AnalysisReport[];
  readonly comparison: Comparison;
  /** Handshake packets not kept (COMPARE_MAX_PACKETS), over all points. */
  readonly packetsDropped: number;
}

export async function analyzePoints(points: readonly CapturePoint[], opts: AnalyzeOptions): Promise<PointsResult> {
  const inputs: PointInput[] = [];
  let packetsDropped = 0;
  for (const p of points) {
    const report = await analyze(p.paths, opts);
    const hs = await handshakePackets(p.paths);
    packetsDropped += hs.dropped;
    inputs.push({ name: p.name, file: p.paths.join(','), report, packets: hs.packets });
  }
  const comparison = comparePoints(inputs);
  noteVerdicts(inputs[0].report, comparison);
  return { reports: inputs.map((i) => i.report), comparison, packetsDropped };
}

/** Each data connection of the first point's report gets its verdict beside it (`acrossPoints`). */
function noteVerdicts(report: AnalysisReport, c: Comparison): void {
  const sessions = new Map(report.sessions.map((s) => [s.id, s]));
  for (const sc of c.sessions) {
    const s = sc.session !== null ? sessions.get(sc.session) : undefined;
    if (!s) continue;
    for (const p of sc.dataConnections) {
      const d = s.dataConnections.find((x) => x.id === p.dataConnection);
      if (d) d.acrossPoints = { path: p.path, sentence: p.sentence };
    }
  }
}

/**
 * The report of compared points into a sink: the first given point's sessions, every point's
 * inputs, the comparison; the sink gets every point's sessions first (`ReportSink.points`).
 */
export function reportPoints(r: PointsResult, given: readonly CapturePoint[], sink: ReportSink): ReportTail {
  const { tool, sessions, ...rest } = r.reports[0];
  const byName = (name: string): number => given.findIndex((q) => q.name === name);
  sink.begin(tool);
  sink.points?.({ comparison: r.comparison, sessions: r.comparison.points.map((p) => r.reports[byName(p.name)].sessions), reportPoint: r.comparison.points.findIndex((p) => byName(p.name) === 0) });
  for (const s of sessions) sink.session(s);
  const tail: ReportTail = { ...rest, inputs: r.reports.flatMap((x) => x.inputs), comparison: r.comparison };
  tail.complete = tail.inputs.every((i) => i.complete);
  if (r.packetsDropped > 0) tail.limits = { ...tail.limits, 'compare-packets-dropped': r.packetsDropped };
  sink.end(tail);
  return tail;
}
