/**
 * `ftp-pcap merge`: N partial results of one run (`--shard 0/N` … `--shard N-1/N`, or the `--jobs`
 * workers) into the report one process would have written.
 *
 * Pass 1 reads the pending sessions and orphan connections of every shard and replays them in
 * capture order through an FtpAnalyzer (the same correlation, diagnosis and report code as one
 * process), so that a session finds its data connection in whichever shard it was. Pass 2 merges
 * the shards' final sessions (each file is in start order) and the replayed ones by start time,
 * numbers them, and streams them to the report sink. Memory follows the pending sessions and
 * orphans, not the size of the archive.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { END_OF_CAPTURE, FtpAnalyzer, type AnalyzerCounters } from '../ftp/analyzer.js';
import { BruteForce } from '../ftp/bruteforce.js';
import type { SessionFacts, SessionReport } from '../ftp/model.js';
import { endpointKey, isActiveKind, pairKey, startOf, targetsOf } from '../ftp/correlate.js';
import { CORRELATE_AFTER_SEC, CORRELATE_BEFORE_SEC } from '../limits.js';
import type { ConnectionSummary } from '../tcp/index.js';
import { SummaryBuilder, type ReportSink, type ReportTail } from '../report/analysis.js';
import { reportTail, SESSION_GARBAGE_PACKETS, type RunCounters } from '../pipeline.js';
import { MemoryGovernor } from '../memory.js';
import { decodeHeader, decodePending, decodeRecord, keyBefore, kindOf, type PartialHeader, type PendingJson, type ReadRecord, type SessionKey } from './partial.js';

export class PartialError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    what: string,
  ) {
    super(`${file}: ${what}${offset > 0 ? ` (at byte offset ${offset})` : ''}`);
  }
}

export interface MergeOptions {
  version?: string;
  bruteForce?: number;
  /** Keep the commands/replies timeline and TCP event times (html, --ladder); dropped otherwise so
   * that the report equals one process's without them. */
  timeline?: boolean;
  /** Files the input expansion skipped (`--jobs`: known to the main thread, not to the shards). */
  skippedFiles?: Record<string, number>;
}

/** Lines of a file, read synchronously in 1 MiB chunks (a report line can be megabytes long). */
class LineReader {
  private readonly fd: number;
  private readonly chunk = Buffer.allocUnsafe(1 << 20);
  private parts: Buffer[] = [];
  private lines: string[] = [];
  private eof = false;
  /** Byte offset of the next line's start. */
  offset = 0;
  private next = 0;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new PartialError(path, 0, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  /** The next line without its newline, or null at the end (a last line without one counts). */
  line(): string | null {
    while (this.next >= this.lines.length) {
      if (this.eof) return null;
      this.lines = [];
      this.next = 0;
      const n = readSync(this.fd, this.chunk, 0, this.chunk.length, null);
      if (n === 0) {
        this.eof = true;
        if (this.parts.length) this.lines.push(Buffer.concat(this.parts).toString('utf8'));
        this.parts = [];
        continue;
      }
      let from = 0;
      for (let i = this.chunk.indexOf(10, 0); i !== -1 && i < n; i = this.chunk.indexOf(10, i + 1)) {
        this.parts.push(this.chunk.subarray(from, i));
        this.lines.push(Buffer.concat(this.parts).toString('utf8'));
        this.parts = [];
        from = i + 1;
      }
      if (from < n) this.parts.push(Buffer.from(this.chunk.subarray(from, n)));
    }
    const l = this.lines[this.next++];
    const at = this.offset;
    this.offset += Buffer.byteLength(l) + 1;
    this.at = at;
    return l;
  }
  /** Byte offset of the line last returned. */
  at = 0;
  close(): void {
    closeSync(this.fd);
  }
}

/** JSON text of the line `r` last returned, parsed. */
function parseAt<T>(r: LineReader, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PartialError(r.path, r.at, 'not a partial result line (JSON expected)');
  }
}

/** The record on the line `r` last returned; an invalid one is an error naming the file and offset. */
function recordAt(r: LineReader, line: string): Exclude<ReadRecord, { kind: 'invalid' }> {
  const rec = decodeRecord(line);
  if (rec.kind === 'invalid') throw new PartialError(r.path, r.at, rec.reason);
  return rec;
}

type SessionLine = Extract<ReadRecord, { kind: 'session' }>;

interface Shard {
  readonly path: string;
  readonly header: PartialHeader;
  readonly end: RunCounters;
}

/** A pass over one file for its header, end record and the records `want` takes (pending
 * sessions, orphans); session lines are skipped unparsed. */
function scan(path: string, want: { pending?: (p: PendingJson) => void; orphan?: (c: ConnectionSummary) => void }): Shard {
  const r = new LineReader(path);
  try {
    const first = r.line();
    const header = first === null ? { invalid: 'not an ftp-pcap partial result (write one with `ftp-pcap analyze --shard i/N -o FILE`)' } : decodeHeader(first);
    if ('invalid' in header) throw new PartialError(path, 0, header.invalid);
    let end: RunCounters | null = null;
    for (let line = r.line(); line !== null; line = r.line()) {
      if (line === '') continue;
      // Session lines are most of a file and are read again in pass 2: not decoded here.
      if (kindOf(line) === 'session') continue;
      if (end) throw new PartialError(path, r.at, 'data after the end record');
      const rec = recordAt(r, line);
      if (rec.kind === 'pending') want.pending?.(rec.pending);
      else if (rec.kind === 'orphan') want.orphan?.(rec.connection);
      else if (rec.kind === 'end') end = rec.counters;
    }
    if (!end) throw new PartialError(path, r.offset, 'the partial result is cut short (no end record): its shard did not finish');
    return { path, header, end };
  } finally {
    r.close();
  }
}

/** The shards must be the N distinct shards of one run over the same inputs with the same options. */
function check(shards: Shard[]): void {
  const n = shards[0].header.shard[1];
  const seen = new Map<number, string>();
  for (const s of shards) {
    const [i, count] = s.header.shard;
    if (count !== n) throw new PartialError(s.path, 0, `shard ${i}/${count} does not belong with ${shards[0].path} (shard ${shards[0].header.shard.join('/')})`);
    const dup = seen.get(i);
    if (dup) throw new PartialError(s.path, 0, `shard ${i}/${n} given twice (also ${dup})`);
    seen.set(i, s.path);
    if (s.header.tool !== shards[0].header.tool) throw new PartialError(s.path, 0, `made by ftp-pcap ${s.header.tool}, ${shards[0].path} by ${shards[0].header.tool}: shards of one merge come from one version`);
    if (JSON.stringify(s.header.options) !== JSON.stringify(shards[0].header.options)) throw new PartialError(s.path, 0, `made with other options than ${shards[0].path} (${JSON.stringify(s.header.options)})`);
    // Path, size, bytes, packets and time span: the same name on two machines may be two files.
    const id = (x: RunCounters['inputs'][number]): string => JSON.stringify([x.path, x.packets, x.bytes, x.fileSize, x.firstTime, x.lastTime]);
    const a = s.end.inputs.map(id).join(',');
    const b = shards[0].end.inputs.map(id).join(',');
    if (a !== b) throw new PartialError(s.path, 0, `made from other inputs than ${shards[0].path}`);
  }
  const missing = [...Array(n).keys()].filter((i) => !seen.has(i));
  if (missing.length) throw new PartialError(shards[0].path, 0, `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
}

const connKey = (c: ConnectionSummary): string => `${c.orig.ip}|${c.orig.port}|${c.resp.ip}|${c.resp.port}|${c.startSec}|${c.startNsec}`;

/**
 * What orphans could matter to the pending sessions: those to an endpoint one of their
 * announcements names (or its fallback), or between a pending session's two hosts (leftovers).
 * An archive's other traffic to an FTP host (the same server's web site) is orphans too: the
 * merge keeps only these.
 */
function relevance(pending: readonly PendingJson[]): (c: ConnectionSummary) => boolean {
  const endpoints = new Set<string>();
  const pairs = new Set<string>();
  // One side captured: a half announcement's connection may run from its initiator's host to a
  // third address (correlate.ts `strays`), while the session was open.
  const strays = new Map<string, [number, number][]>();
  for (const p of pending) {
    for (const h of p.session.halves ?? []) {
      const ip = isActiveKind(h.kind) ? p.server.ip : p.client.ip;
      let w = strays.get(ip);
      if (!w) strays.set(ip, (w = []));
      w.push([p.start - CORRELATE_BEFORE_SEC, (p.end ?? Infinity) + CORRELATE_AFTER_SEC]);
    }
    pairs.add(pairKey(p.client.ip, p.server.ip));
    for (const a of p.session.announcements) {
      const { target, fallback } = targetsOf({ ...a, transfer: null }, p.client, p.server);
      endpoints.add(endpointKey(target.ip, target.port));
      if (fallback) endpoints.add(endpointKey(fallback.ip, fallback.port));
    }
  }
  const stray = (c: ConnectionSummary): boolean => {
    const start = startOf(c);
    return strays.get(c.orig.ip)?.some(([from, to]) => start >= from && start <= to) === true;
  };
  return (c) => endpoints.has(endpointKey(c.resp.ip, c.resp.port)) || pairs.has(pairKey(c.orig.ip, c.resp.ip)) || stray(c);
}

/** Replays the pending sessions with every connection kept for them, in capture order. */
function replay(pending: PendingJson[], orphans: ConnectionSummary[], header: PartialHeader): { reports: { r: SessionReport; key: SessionKey }[]; counters: AnalyzerCounters } {
  const reports: { r: SessionReport; key: SessionKey }[] = [];
  // A replayed report takes the place its shard finalized it in, not the replay's.
  const batches = new Map<string, number>(pending.map((p) => [`${p.start}|${p.client.ip}|${p.client.port}`, p.batch]));
  const a = new FtpAnalyzer({ ports: header.options.ports, showPasswords: header.options.showPasswords, timeline: header.options.timeline }, (r, start) => reports.push({ r, key: [batches.get(`${start}|${r.client.ip}|${r.client.port}`) ?? END_OF_CAPTURE, start, r.client.port] }));
  // Events: [time, order at equal times, action].
  const events: [number, number, () => void][] = [];
  const conns = new Map<string, ConnectionSummary>();
  pending.forEach((j, key) => {
    const p = decodePending(j);
    events.push([p.start, 0, () => a.replayStart(key, p)]);
    for (const ann of p.session.announcements) events.push([ann.at.sec + ann.at.nsec / 1e9, 2, () => a.replayAnnouncement(key)]);
    if (Number.isFinite(p.end)) events.push([p.end, 3, () => a.replayEnd(key, p.end)]);
    for (const c of p.taken) conns.set(connKey(c), c);
  });
  for (const c of orphans) if (!conns.has(connKey(c))) conns.set(connKey(c), c);
  for (const c of conns.values()) events.push([startOf(c), 1, () => a.replayConnection(c)]);
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [t, , act] of events) {
    a.advance(t);
    act();
  }
  a.finish();
  return { reports, counters: a.counters };
}

function addCounters<T extends object>(into: T, from: T): void {
  const target = into as Record<string, unknown>;
  for (const [k, v] of Object.entries(from)) if (typeof v === 'number' && typeof target[k] === 'number') target[k] = (target[k] as number) + v;
}

/** A session's JSON (as JSON.stringify wrote it: `{"id":N,...`) with another id. */
function withId(json: string, id: number): string {
  return `{"id":${id}${json.slice(json.indexOf(','))}`;
}

/** Drops what only html and --ladder show (the shards of `--shard` always record it). */
function withoutTimeline(r: SessionReport): SessionReport {
  delete r.timeline;
  for (const d of r.dataConnections) if (d.tcp) delete d.tcp.events;
  return r;
}

export function mergePartials(paths: readonly string[], opts: MergeOptions, sink: ReportSink): ReportTail {
  if (paths.length === 0) throw new PartialError('-', 0, 'no partial results given');
  const pending: PendingJson[] = [];
  const orphans: ConnectionSummary[] = [];
  const shards = paths.map((p) => scan(p, { pending: (j) => pending.push(j) }));
  check(shards);
  // A second pass for the orphans, now that the pending sessions say which can matter.
  const relevant = relevance(pending);
  if (pending.length) for (const s of shards) scan(s.path, { orphan: (c) => relevant(c) && orphans.push(c) });
  shards.sort((x, y) => x.header.shard[0] - y.header.shard[0]);
  const header = shards[0].header;
  const replayed = replay(pending, orphans, header);
  pending.length = 0;
  orphans.length = 0;
  replayed.reports.sort((x, y) => (keyBefore(x.key, y.key) ? -1 : keyBefore(y.key, x.key) ? 1 : 0));

  sink.begin({ name: 'ftp-pcap', version: opts.version ?? '0.0.0' });
  const summary = new SummaryBuilder();
  const bruteForce = new BruteForce(opts.bruteForce);
  const keepTimeline = opts.timeline === true && header.options.timeline;
  let id = 1;
  // Each session merged is a parsed report and its event text, garbage of a few KB: a flood of
  // 200,000 short sessions makes the heap grow past its live size unless it is collected.
  const governor = new MemoryGovernor();
  // The shards' JSON of a session is reused (with the merged id) unless the timeline goes.
  const reuse = keepTimeline || !header.options.timeline;
  const emit = (r: SessionReport, json?: string): void => {
    r.id = id++;
    if (!keepTimeline) withoutTimeline(r);
    bruteForce.note(r);
    summary.add(r);
    sink.session(r, reuse && json !== undefined ? withId(json, r.id) : undefined);
    governor.tick(SESSION_GARBAGE_PACKETS);
  };
  // A sink that writes the JSON text as it is needs only the facts: the report is not parsed.
  const text = reuse ? sink.sessionText : undefined;
  const emitText = (r: LineReader, rec: SessionLine): void => {
    const facts = parseAt<SessionFacts>(r, rec.factsJson);
    facts.id = id++;
    bruteForce.note(facts);
    summary.add(facts);
    (text as NonNullable<typeof text>)(facts, withId(rec.reportJson, facts.id));
    governor.tick(SESSION_GARBAGE_PACKETS);
  };

  // Pass 2: a k-way merge by session key of the shards' sessions and the replayed ones.
  const readers = shards.map((s) => new LineReader(s.path));
  try {
    const heads: (SessionLine | null)[] = readers.map(() => null);
    const advance = (i: number): void => {
      const r = readers[i];
      for (let line = r.line(); line !== null; line = r.line()) {
        if (kindOf(line) !== 'session') continue;
        heads[i] = recordAt(r, line) as SessionLine;
        return;
      }
      heads[i] = null;
    };
    readers.forEach((_, i) => advance(i));
    let next = 0;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h && (best < 0 || keyBefore(h.key, (heads[best] as { key: SessionKey }).key))) best = i;
      }
      const rep = replayed.reports[next];
      if (rep && (best < 0 || keyBefore(rep.key, (heads[best] as { key: SessionKey }).key))) {
        emit(rep.r);
        next++;
        continue;
      }
      if (best < 0) break;
      const h = heads[best] as SessionLine;
      if (text) emitText(readers[best], h);
      else emit(parseAt<SessionReport>(readers[best], h.reportJson), h.reportJson);
      advance(best);
    }
  } finally {
    for (const r of readers) r.close();
  }

  const first = shards[0].end;
  const tcp = { ...first.tcp };
  const analyzer = { ...first.analyzer };
  const control = { ...first.control };
  for (const s of shards.slice(1)) {
    addCounters(tcp, s.end.tcp);
    addCounters(analyzer, s.end.analyzer);
    addCounters(control, s.end.control);
  }
  addCounters(analyzer, replayed.counters);
  // Every shard read every input: shard 0's view of them (and of decoding) is everyone's.
  const tail = reportTail({ ...first, tcp, analyzer, control }, summary, bruteForce.findings(), opts.skippedFiles);
  sink.end(tail);
  return tail;
}
