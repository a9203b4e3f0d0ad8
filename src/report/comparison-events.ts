/**
 * `--format ndjson` with `analyze --at`: after the events of the first point's sessions, one ECS
 * event per data connection compared across the points (`event.action: data-connection-path`),
 * saying where its packets stopped, with the frames at each point in `ftp.path`. A drop or a
 * rejection between two points is a failure with the error score of a failed data connection; a
 * crossing a success; the rest unknown.
 */
import type { AnalysisReport, ReportTail } from './analysis.js';
import type { Out } from './out.js';
import { translationText, type Comparison, type PathReport, type SessionComparison } from './comparison.js';
import { ECS_VERSION, NdjsonSink, SEVERITY_SCORE, line, type FtpEcsEvent } from './ndjson.js';

/** The path verdicts that say where packets were lost. */
const LOSS = new Set<PathReport['path']>(['dropped-between', 'rejected-between', 'answer-dropped-between']);

export type PathEvent = Omit<FtpEcsEvent, 'ftp'> & {
  ftp: {
    session?: { id: number };
    path: {
      data_connection?: number;
      initiator: string;
      verdict: string;
      between?: string[];
      points: { point: string; data_connection?: number; syn_frames: number[]; syn_ack_frames: number[] }[];
      /** The translation in words (`NAT between inside and outside: client ... is ...`). */
      nat?: string;
      /** Seconds to add to each point's timestamps to put them on the first point's clock. */
      clock_offsets: Record<string, number>;
    };
  };
};

export function pathEvent(s: SessionComparison, d: PathReport, c: Comparison, tool: AnalysisReport['tool'], time: string): PathEvent {
  const loss = LOSS.has(d.path);
  const first = c.points[0]?.name;
  const offsets: Record<string, number> = {};
  for (const o of c.offsets) if (o.a === first && o.offsetSeconds !== null) offsets[o.b] = o.offsetSeconds;
  const client = s.points[0]?.client;
  const server = s.points[0]?.server;
  return {
    '@timestamp': time,
    ecs: { version: ECS_VERSION },
    event: {
      kind: loss ? 'alert' : 'event',
      category: ['network'],
      type: ['connection', ...(loss ? ['denied'] : [])],
      action: 'data-connection-path',
      outcome: loss ? 'failure' : d.path === 'crossed' ? 'success' : 'unknown',
      severity: loss ? SEVERITY_SCORE.error : SEVERITY_SCORE.info,
      module: 'ftp_pcap',
      dataset: 'ftp_pcap.path',
    },
    message: d.sentence,
    ...(client && server ? { client: { ip: client.ip, port: client.port }, server: { ip: server.ip, port: server.port } } : {}),
    observer: { product: tool.name, vendor: tool.name, version: tool.version, type: 'packet-analyzer' },
    ftp: {
      ...(s.session !== null ? { session: { id: s.session } } : {}),
      path: {
        ...(d.dataConnection !== null ? { data_connection: d.dataConnection } : {}),
        initiator: d.initiator,
        verdict: d.path,
        ...(d.between ? { between: d.between } : {}),
        points: d.frames.map((f) => ({ point: f.point, ...(f.dataConnection !== null ? { data_connection: f.dataConnection } : {}), syn_frames: f.synFrames, syn_ack_frames: f.synAckFrames })),
        ...(d.nat ? { nat: translationText(d.nat) } : {}),
        clock_offsets: offsets,
      },
    },
  };
}

/** `--format ndjson`: the ECS events, then one event per compared data connection. */
export class ComparedNdjsonSink extends NdjsonSink {
  private lastEnd: string | null = null;
  private pathTool: AnalysisReport['tool'] = { name: 'ftp-pcap', version: '0.0.0' };
  constructor(private readonly o: Out) {
    super(o);
  }
  override begin(tool: AnalysisReport['tool']): void {
    this.pathTool = tool;
    super.begin(tool);
  }
  override session(s: Parameters<NdjsonSink['session']>[0]): void {
    this.lastEnd = s.end;
    super.session(s);
  }
  override end(tail: ReportTail): void {
    const c = tail.comparison;
    if (c) {
      const time = this.lastEnd ?? tail.inputs.find((i) => i.lastTime)?.lastTime ?? new Date(0).toISOString();
      for (const s of c.sessions) for (const d of s.dataConnections) this.o.write(line(pathEvent(s, d, c, this.pathTool, time)));
    }
    super.end(tail);
  }
}
