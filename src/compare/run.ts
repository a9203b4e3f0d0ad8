/**
 * `analyze --at NAME=FILE ...`: each point analysed by the pipeline as a capture of its own, its
 * handshake packets read again (a second pass over small files: the pipeline keeps no packets),
 * and the points compared.
 */
import { analyze, type AnalyzeOptions } from '../pipeline.js';
import type { AnalysisReport } from '../report/analysis.js';
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
  return { reports: inputs.map((i) => i.report), comparison: comparePoints(inputs), packetsDropped };
}
