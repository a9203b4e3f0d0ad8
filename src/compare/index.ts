/**
 * Captures of the same traffic from several points of the path, compared (`analyze --at NAME=FILE`):
 * each point is analysed alone by the pipeline; this stage matches every connection across the
 * points, puts the points in path order, estimates the clock offset between each pair of taps and
 * says per data connection where its packets stopped.
 *
 * Matching: a connection attempt is its initiator's SYNs with one initial sequence number. The same
 * attempt at another point has the same 4-tuple and ISN when no NAT is between; a NAT rewrites
 * addresses (and maybe ports) but not the ISN (RFC 9293 §3.4.1; Linux nf_nat, a home router), so
 * otherwise it is the attempt with that ISN sharing a port, nearest in time. A firewall that
 * randomises ISNs (Cisco ASA's sequence number randomization) keeps the IPv4 identification: then
 * it is the attempt with a SYN of that IP ID sharing a port, nearest in time (IPv6 has no IP ID:
 * there such connections show as not seen at the far point).
 *
 * Clock offset: a packet going from the client's side to the server's is seen at the near tap
 * first, the way back at the far tap first; with B's clock θ ahead of A's, tB − tA is θ + transit one
 * way and θ − transit the other, so θ is the mean of the two directions' medians (NTP's reasoning,
 * RFC 5905 §8); with one direction only, its median (the transit then biases it).
 */
import type { AnalysisReport } from '../report/analysis.js';
import type { DataConnectionReport, Endpoint, SessionReport } from '../ftp/model.js';
import type { ClockOffset, Comparison, PathReport, PathVerdict, PointEndpoints, PointFrames, SessionComparison, Translation } from '../report/comparison.js';
import { TcpFlag } from '../decode/index.js';
import type { HandshakePacket } from './packets.js';
import { COMPARE_MAX_ISN_CANDIDATES } from '../limits.js';

export interface PointInput {
  readonly name: string;
  readonly file: string;
  readonly report: AnalysisReport;
  readonly packets: readonly HandshakePacket[];
}

/** A TCP connection attempt at one point: the initiator's SYNs with one ISN and the answers. */
interface Attempt {
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly isn: number;
  readonly syns: HandshakePacket[];
  readonly synAcks: HandshakePacket[];
  /** The responder's RSTs answering the SYNs (a refusal). */
  readonly rsts: HandshakePacket[];
}

/** One point's attempts, by 4-tuple, by ISN and by their SYNs' IPv4 identifications. */
interface PointIndex {
  readonly byKey: Map<string, Attempt>;
  readonly byTuple: Map<string, Attempt[]>;
  readonly byIsn: Map<number, Attempt[]>;
  readonly byIpId: Map<number, Attempt[]>;
}

const tuple = (src: string, sport: number, dst: string, dport: number): string => `${src}|${sport}|${dst}|${dport}`;
const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
};

export function indexAttempts(packets: readonly HandshakePacket[]): PointIndex {
  const byTuple = new Map<string, Attempt[]>();
  const byIsn = new Map<number, Attempt[]>();
  const byKey = new Map<string, Attempt>();
  const byIpId = new Map<number, Attempt[]>();
  for (const p of packets) {
    if ((p.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) continue;
    const key = `${tuple(p.src, p.sport, p.dst, p.dport)}#${p.seq}`;
    let a = byKey.get(key);
    if (!a) {
      a = { src: p.src, sport: p.sport, dst: p.dst, dport: p.dport, isn: p.seq, syns: [], synAcks: [], rsts: [] };
      byKey.set(key, a);
      push(byTuple, tuple(p.src, p.sport, p.dst, p.dport), a);
      push(byIsn, p.seq, a);
    }
    a.syns.push(p);
    // 0 is what a stack sends when DF is set and it does not count (Linux's SYN-ACKs): no identity.
    if (p.ipId > 0 && !byIpId.get(p.ipId)?.includes(a)) push(byIpId, p.ipId, a);
  }
  for (const p of packets) {
    const answer = (p.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    const refusal = (p.flags & (TcpFlag.RST | TcpFlag.ACK)) === (TcpFlag.RST | TcpFlag.ACK) && (p.flags & TcpFlag.SYN) === 0;
    if (!answer && !refusal) continue;
    const a = byKey.get(`${tuple(p.dst, p.dport, p.src, p.sport)}#${(p.ack - 1) >>> 0}`);
    if (a) (answer ? a.synAcks : a.rsts).push(p);
  }
  return { byKey, byTuple, byIsn, byIpId };
}

/** The attempt of `from` → `to` at this point nearest `time` (the first SYN at or before it, else the first after). */
function attemptAt(ix: PointIndex, from: Endpoint, to: Endpoint, frame: number | null, time: number): Attempt | null {
  const list = ix.byTuple.get(tuple(from.ip, from.port, to.ip, to.port));
  if (!list) return null;
  if (frame !== null) {
    const hit = list.find((a) => a.syns.some((s) => s.frame === frame));
    if (hit) return hit;
  }
  return nearest(list, time);
}

function nearest(list: readonly Attempt[], time: number): Attempt | null {
  let best: Attempt | null = null;
  for (const a of list) if (!best || Math.abs(a.syns[0].time - time) < Math.abs(best.syns[0].time - time)) best = a;
  return best;
}

/**
 * The same attempt at another point: same 4-tuple and ISN, else same ISN and a port in common,
 * nearest in time; else (a firewall that rewrites ISNs: Cisco ASA's sequence number randomization)
 * a SYN with the same IPv4 identification and a port in common, nearest in time (Linux sends a
 * random one per connection and nf_nat keeps it, as the lab's 06-client-nat captures show; RFC 6864
 * lets a middlebox rewrite it, and then nothing matches).
 */
function sameAttempt(a: Attempt, ix: PointIndex): Attempt | null {
  const exact = ix.byKey.get(`${tuple(a.src, a.sport, a.dst, a.dport)}#${a.isn}`);
  if (exact) return exact;
  const portInCommon = (b: Attempt): boolean => b.sport === a.sport || b.dport === a.dport;
  // Past the bound the ISN is no identity (a flood tool's fixed sequence number).
  const list = ix.byIsn.get(a.isn) ?? [];
  if (list.length > COMPARE_MAX_ISN_CANDIDATES) return null;
  const byIsn = nearest(list.filter(portInCommon), a.syns[0].time);
  if (byIsn) return byIsn;
  // 16 bits: an identity only among few candidates (the same bound as the ISN's).
  const byId = new Set<Attempt>();
  for (const s of a.syns) for (const b of s.ipId > 0 ? (ix.byIpId.get(s.ipId) ?? []) : []) if (portInCommon(b)) byId.add(b);
  if (byId.size > COMPARE_MAX_ISN_CANDIDATES) return null;
  return nearest([...byId], a.syns[0].time);
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

interface PointState {
  readonly input: PointInput;
  readonly ix: PointIndex;
  /** Each session's control connection attempt, when its SYN was captured. */
  readonly control: Map<SessionReport, Attempt>;
  /** Each data connection's attempt, when its SYN was captured. */
  readonly data: Map<DataConnectionReport, Attempt>;
  /** The reverse maps: the session and the data connection of an attempt. */
  readonly sessionOf: Map<Attempt, SessionReport>;
  readonly dataOf: Map<Attempt, DataConnectionReport>;
  /** Sessions by their endpoints (a session picked up mid-stream has no control attempt). */
  readonly byEndpoints: Map<string, SessionReport[]>;
}

function pointState(input: PointInput): PointState {
  const ix = indexAttempts(input.packets);
  const control = new Map<SessionReport, Attempt>();
  const data = new Map<DataConnectionReport, Attempt>();
  const sessionOf = new Map<Attempt, SessionReport>();
  const dataOf = new Map<Attempt, DataConnectionReport>();
  const byEndpoints = new Map<string, SessionReport[]>();
  for (const s of input.report.sessions) {
    push(byEndpoints, endpointsKey(s), s);
    const c = attemptAt(ix, s.client, s.server, null, seconds(s.start));
    if (c && !sessionOf.has(c)) {
      control.set(s, c);
      sessionOf.set(c, s);
    }
    for (const d of s.dataConnections) {
      if (!d.from || !d.to || !d.tcp) continue;
      const a = attemptAt(ix, d.from, d.to, d.tcp.synFrame, seconds(d.tcp.start));
      if (a && !dataOf.has(a)) {
        data.set(d, a);
        dataOf.set(a, d);
      }
    }
  }
  return { input, ix, control, data, sessionOf, dataOf, byEndpoints };
}

/** A session seen at several points: its report at each (index = point, in the order given). */
type SessionGroup = (SessionReport | null)[];

function groupSessions(points: readonly PointState[]): SessionGroup[] {
  const taken = points.map(() => new Set<SessionReport>());
  const groups: SessionGroup[] = [];
  points.forEach((p, i) => {
    for (const s of p.input.report.sessions) {
      if (taken[i].has(s)) continue;
      const g: SessionGroup = points.map(() => null);
      g[i] = s;
      taken[i].add(s);
      const c = p.control.get(s);
      for (let j = i + 1; j < points.length; j++) {
        const q = points[j];
        const other = c ? sameAttempt(c, q.ix) : null;
        const byAttempt = other ? q.sessionOf.get(other) : undefined;
        const match = byAttempt && !taken[j].has(byAttempt) ? byAttempt : other ? undefined : q.byEndpoints.get(endpointsKey(s))?.find((t) => !taken[j].has(t));
        if (match) {
          g[j] = match;
          taken[j].add(match);
        }
      }
      groups.push(g);
    }
  });
  return groups;
}

const epText = (e: Endpoint): string => `${e.ip}:${e.port}`;
const endpointsKey = (s: SessionReport): string => `${epText(s.client)}|${epText(s.server)}`;

/**
 * The points in path order (indexes into `points`), client's side first: the SYN→SYN-ACK time of
 * a control handshake seen at every point is longer the nearer the tap is to the client (it holds
 * the round trip beyond the tap) whatever the clocks' offset; else the reports' capture-point
 * guesses; else the order given.
 */
function pathOrder(points: readonly PointState[], groups: readonly SessionGroup[]): { order: number[]; how: Comparison['order'] } {
  const gap = points.map(() => 0);
  let n = 0;
  for (const g of groups) {
    const as = g.map((s, i) => (s ? points[i].control.get(s) : undefined));
    if (!as.every((a) => a && a.synAcks.length > 0)) continue;
    as.forEach((a, i) => {
      if (a) gap[i] += a.synAcks[0].time - a.syns[a.syns.length - 1].time;
    });
    n++;
  }
  const given = points.map((_, i) => i);
  if (n > 0) return { order: [...given].sort((x, y) => gap[y] - gap[x] || x - y), how: 'handshake-times' };
  const lean = points.map((p) => p.input.report.sessions.reduce((k, s) => k + (s.capturePoint === 'near-client' ? 1 : s.capturePoint === 'near-server' ? -1 : 0), 0));
  if (lean.some((l) => l !== 0)) return { order: [...given].sort((x, y) => lean[y] - lean[x] || x - y), how: 'capture-point' };
  return { order: given, how: 'as-given' };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per-packet deltas tB − tA of the packets matched between two points, by direction along the path. */
interface Deltas {
  forward: number[];
  back: number[];
}

function addDeltas(d: Deltas, a: Attempt, b: Attempt, initiatorIsClient: boolean): void {
  const n = Math.min(a.syns.length, b.syns.length);
  for (let k = 0; k < n; k++) (initiatorIsClient ? d.forward : d.back).push(b.syns[k].time - a.syns[k].time);
  const m = Math.min(a.synAcks.length, b.synAcks.length);
  for (let k = 0; k < m; k++) (initiatorIsClient ? d.back : d.forward).push(b.synAcks[k].time - a.synAcks[k].time);
}

/** θ in seconds, to the nanosecond (a capture's resolution at best; below it is float noise). */
function offsetOf(d: Deltas): number | null {
  const all = [...d.forward, ...d.back];
  if (all.length === 0) return null;
  const theta = d.forward.length && d.back.length ? (median(d.forward) + median(d.back)) / 2 : median(all);
  return Math.round(-theta * 1e9) / 1e9 || 0;
}

const range = (fs: readonly number[]): string => (fs.length === 0 ? 'none' : fs.length === 1 ? `frame ${fs[0]}` : `frames ${fs[0]}–${fs[fs.length - 1]}`);

/** One data connection across the points (index = point, in the order given). */
interface DataGroup {
  readonly d: (DataConnectionReport | null)[];
  readonly a: (Attempt | null)[];
}

function groupData(points: readonly PointState[], g: SessionGroup): DataGroup[] {
  const groups: DataGroup[] = [];
  const taken = points.map(() => new Set<DataConnectionReport>());
  const add = (i: number, d: DataConnectionReport): DataGroup => {
    const grp: DataGroup = { d: points.map(() => null), a: points.map(() => null) };
    grp.d[i] = d;
    grp.a[i] = points[i].data.get(d) ?? null;
    taken[i].add(d);
    groups.push(grp);
    return grp;
  };
  // First the connections whose SYN was captured, matched by their attempt; then the rest by
  // their place among the session's data connections (the same control channel at every point
  // announced them in the same order).
  // A connection seen at one point and not at another is there the same place's connection with
  // no SYN captured (`not-attempted`, `no-answer` from an announcement alone).
  g.forEach((s, i) => {
    (s?.dataConnections ?? []).forEach((d, k) => {
      const a = points[i].data.get(d);
      if (!a || taken[i].has(d)) return;
      const grp = add(i, d);
      g.forEach((t, j) => {
        if (j === i || !t) return;
        const b = sameAttempt(a, points[j].ix);
        const same = t.dataConnections[k];
        const byAttempt = b ? points[j].dataOf.get(b) : undefined;
        const dj = b ? (byAttempt && t.dataConnections.includes(byAttempt) && !taken[j].has(byAttempt) ? byAttempt : undefined) : same && !taken[j].has(same) && !points[j].data.has(same) && same.initiator === d.initiator ? same : undefined;
        if (b) grp.a[j] = b;
        if (dj) {
          grp.d[j] = dj;
          taken[j].add(dj);
        }
      });
    });
  });
  g.forEach((s, i) => {
    (s?.dataConnections ?? []).forEach((d, k) => {
      if (taken[i].has(d)) return;
      const grp = add(i, d);
      g.forEach((t, j) => {
        if (j === i || !t) return;
        const dj = t.dataConnections[k];
        if (dj && !taken[j].has(dj) && dj.initiator === d.initiator) {
          grp.d[j] = dj;
          grp.a[j] = points[j].data.get(dj) ?? null;
          taken[j].add(dj);
        }
      });
    });
  });
  return groups;
}

function framesAt(name: string, d: DataConnectionReport | null, a: Attempt | null): PointFrames {
  return {
    point: name,
    dataConnection: d?.id ?? null,
    synFrames: a?.syns.map((p) => p.frame) ?? [],
    synAckFrames: a?.synAcks.map((p) => p.frame) ?? [],
    firstFrame: d?.tcp?.firstFrame ?? a?.syns[0]?.frame ?? null,
    lastFrame: d?.tcp?.lastFrame ?? null,
  };
}

/** The verdict on one data connection; `seq` is the points (indexes) from the initiator's side. */
function verdict(names: readonly string[], grp: DataGroup, seq: readonly number[], initiator: 'client' | 'server'): Pick<PathReport, 'path' | 'between' | 'sentence'> {
  const responder = initiator === 'client' ? 'server' : 'client';
  const syn = seq.map((i) => (grp.a[i]?.syns.length ?? 0) > 0);
  const where = (ixs: readonly number[], frames: (a: Attempt) => HandshakePacket[]): string => ixs.map((i) => `tap ${names[i]}, ${range(grp.a[i] ? frames(grp.a[i] as Attempt).map((p) => p.frame) : [])}`).join('; ');
  const betweenText = (x: number, y: number): string => (names.length === 2 ? 'the two points' : `tap ${names[x]} and tap ${names[y]}`);
  const unknown = { path: 'unknown' as PathVerdict, between: null, sentence: `no single loss between two points explains what each saw (SYNs: ${where(seq, (a) => a.syns)}; SYN-ACKs: ${where(seq, (a) => a.synAcks)})` };
  if (!syn.some(Boolean)) return { path: 'not-attempted', between: null, sentence: `no point saw a SYN of this connection: the ${initiator} never opened it where a tap could see` };
  const k = syn.indexOf(false) === -1 ? seq.length - 1 : syn.indexOf(false) - 1;
  if (k < 0 || syn.slice(k + 1).some(Boolean)) return unknown;
  if (k < seq.length - 1) {
    const near = seq[k];
    const far = seq[k + 1];
    const rej = grp.d[near]?.rejectedBy;
    const how = rej ? `rejected by ${rej.ip} (${rej.protocol} ${rej.reason}, tap ${names[near]} frame ${rej.frame})` : 'dropped';
    return {
      path: rej ? 'rejected-between' : 'dropped-between',
      between: [names[near], names[far]],
      sentence: `the ${initiator}'s SYNs left the ${initiator} side (${where(seq.slice(0, k + 1), (a) => a.syns)}) and never reached tap ${names[far]}: ${how} between ${betweenText(near, far)}`,
    };
  }
  const back = [...seq].reverse();
  const ans = back.map((i) => (grp.a[i]?.synAcks.length ?? 0) + (grp.a[i]?.rsts.length ?? 0) > 0);
  if (!ans.some(Boolean)) return { path: 'beyond-points', between: null, sentence: `the ${initiator}'s SYNs crossed every point (${where(seq, (a) => a.syns)}) and no answer came back to any: lost beyond tap ${names[seq[seq.length - 1]]}, or the ${responder} did not answer` };
  const j = ans.indexOf(false) === -1 ? back.length - 1 : ans.indexOf(false) - 1;
  if (j < 0 || ans.slice(j + 1).some(Boolean)) return unknown;
  if (j < back.length - 1) {
    const near = back[j];
    const far = back[j + 1];
    return {
      path: 'answer-dropped-between',
      between: [names[near], names[far]],
      sentence: `the ${initiator}'s SYNs crossed (${where(seq, (a) => a.syns)}); the ${responder}'s answers left the ${responder} side (${where(back.slice(0, j + 1), (a) => [...a.synAcks, ...a.rsts].sort((x, y) => x.frame - y.frame))}) and never reached tap ${names[far]}: dropped on the way back between ${betweenText(near, far)}`,
    };
  }
  const refused = seq.every((i) => (grp.a[i]?.synAcks.length ?? 0) === 0);
  return { path: 'crossed', between: null, sentence: `the ${initiator}'s SYN and the ${responder}'s ${refused ? 'RST (a refusal)' : 'SYN-ACK'} were seen at every point (${where(seq, (a) => [...a.syns, ...a.synAcks, ...a.rsts].sort((x, y) => x.frame - y.frame))})` };
}

/** The first translation along the path: the same connection with other endpoints at the next point. */
function translation(at: readonly (PointEndpoints | null)[]): Translation | null {
  const seen = at.filter((e): e is PointEndpoints => e !== null);
  for (let i = 0; i + 1 < seen.length; i++) {
    const a = seen[i];
    const b = seen[i + 1];
    if (epText(a.client) !== epText(b.client) || epText(a.server) !== epText(b.server)) return { from: a, to: b };
  }
  return null;
}

/** The data connection's endpoints at a point, client first (from its report, else its attempt). */
function dataEndpoints(name: string, d: DataConnectionReport | null, a: Attempt | null, initiator: 'client' | 'server'): PointEndpoints | null {
  const from = d?.from ?? (a ? { ip: a.src, port: a.sport } : null);
  const to = d?.to ?? (a ? { ip: a.dst, port: a.dport } : null);
  if (!from || !to) return null;
  return initiator === 'client' ? { point: name, client: from, server: to } : { point: name, client: to, server: from };
}

/** The comparison of the points' reports (given in the user's order; at least two). */
export function comparePoints(inputs: readonly PointInput[]): Comparison {
  const points = inputs.map(pointState);
  const groups = groupSessions(points);
  const { order, how } = pathOrder(points, groups);
  const names = inputs.map((p) => p.name);
  const deltas = new Map<string, Deltas>();
  const pairKey = (x: number, y: number): string => `${x}|${y}`;
  for (let x = 0; x < order.length; x++) for (let y = x + 1; y < order.length; y++) deltas.set(pairKey(order[x], order[y]), { forward: [], back: [] });
  const note = (as: readonly (Attempt | null | undefined)[], initiatorIsClient: boolean): void => {
    for (let x = 0; x < order.length; x++)
      for (let y = x + 1; y < order.length; y++) {
        const a = as[order[x]];
        const b = as[order[y]];
        if (a && b) addDeltas(deltas.get(pairKey(order[x], order[y])) as Deltas, a, b, initiatorIsClient);
      }
  };
  const sessions: SessionComparison[] = groups.map((g) => {
    note(
      g.map((s, i) => (s ? points[i].control.get(s) : null)),
      true,
    );
    const seenAt = order.filter((i) => g[i] !== null).map((i) => ({ point: names[i], session: (g[i] as SessionReport).id, client: (g[i] as SessionReport).client, server: (g[i] as SessionReport).server }));
    const dataConnections = groupData(points, g).map((grp): PathReport => {
      const initiator = (grp.d.find((d) => d !== null) as DataConnectionReport).initiator;
      note(grp.a, initiator === 'client');
      const seq = initiator === 'client' ? order : [...order].reverse();
      return {
        dataConnection: grp.d[0]?.id ?? null,
        initiator,
        ...verdict(names, grp, seq, initiator),
        frames: order.map((i) => framesAt(names[i], grp.d[i], grp.a[i])),
        nat: translation(order.map((i) => dataEndpoints(names[i], grp.d[i], grp.a[i], initiator))),
      };
    });
    return { session: g[0]?.id ?? null, points: seenAt, nat: translation(seenAt.map(({ point, client, server }) => ({ point, client, server }))), dataConnections };
  });
  const offsets: ClockOffset[] = [];
  for (let x = 0; x < order.length; x++)
    for (let y = x + 1; y < order.length; y++) {
      const d = deltas.get(pairKey(order[x], order[y])) as Deltas;
      offsets.push({ a: names[order[x]], b: names[order[y]], offsetSeconds: offsetOf(d), samples: d.forward.length + d.back.length });
    }
  return {
    points: order.map((i) => ({ name: names[i], file: inputs[i].file, sessions: inputs[i].report.sessions.length })),
    order: how,
    offsets,
    sessions,
  };
}
