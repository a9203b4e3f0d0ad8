/**
 * `analyze --at ... --format html`: one session as every capture point saw it, on one time axis.
 * Lanes from left to right: the client, each tap in path order (client's side first), the server.
 * Each row is one packet — a command or reply of the control channel, or a data connection's SYN,
 * SYN-ACK, FIN, RST or ICMP error — drawn from its sender's lane towards the receiver's, with a
 * dot on every tap that captured it; where it stopped being seen the arrow stops with ✕ between
 * the last tap that saw it and the next. Times are on the first tap's clock: every other tap's
 * timestamps plus the clock offset the comparison estimated (src/compare/), so the same packet's
 * sightings line up.
 *
 * A packet at two taps is recognised by what it is (command verb or reply code, in channel order:
 * TCP delivers the control channel in order at every point; a data connection's handshake packet
 * by its data connection, direction and kind, nearest in time) and by time: the sightings must be
 * within PATH_MATCH_SECONDS once the clocks are aligned.
 */
import type { DataConnectionReport, Initiator, SessionReport, TcpEvent } from '../ftp/model.js';
import { LADDER_MAX_ROWS } from '../limits.js';
import { endpointOrDash } from './analysis.js';
import type { ComparedPoints, PathReport, PathVerdict, SessionComparison } from './comparison.js';
import { cutLabel, esc, wrapWords } from './html-escape.js';
import { isoSeconds, rel } from './ladder.js';

/** Sightings of one packet at two taps further apart than this (clocks aligned) are two packets.
 * Transit between two taps of one path is well under it (a continent's round trip is ~0.15 s); a
 * SYN's retransmission comes 1 s after the SYN at the earliest (RFC 6298 §2.1, Linux). */
export const PATH_MATCH_SECONDS = 0.5;

/** A packet at one tap: its frame there and its time on the reference clock (epoch seconds). */
export interface Sighting {
  readonly frame: number;
  readonly t: number;
}

export interface PathPacketRow {
  readonly kind: 'control' | 'tcp';
  readonly from: Initiator;
  /** Command or reply text (control), or the TCP event (tcp). */
  readonly text: string;
  readonly code: number | null;
  readonly event: TcpEvent['kind'] | null;
  /** Index into the session's `comparison.dataConnections` (tcp rows). */
  readonly group: number | null;
  /** Per tap, in path order: where it was captured, or null. */
  readonly seen: (Sighting | null)[];
  /** Seconds since the drawing's start (its earliest sighting on the reference clock). */
  t: number;
}

export interface PathGapRow {
  readonly kind: 'gap';
  readonly text: string;
  t: number;
}

export type PathRow = PathPacketRow | PathGapRow;

export interface PathLadder {
  readonly sessionId: number;
  /** Tap names in path order. */
  readonly taps: readonly string[];
  /** Seconds added to each tap's timestamps (the first tap's: 0). */
  readonly offsets: readonly number[];
  /** Packets the offsets rest on (the pair of the first tap and each other). */
  readonly samples: readonly number[];
  readonly client: string;
  readonly server: string;
  /** Epoch seconds of t = 0 on the reference clock. */
  readonly start: number;
  readonly rows: PathRow[];
  readonly groups: readonly PathReport[];
  /** Each group's data connection id in this page (the first point given), else at the first tap that has it. */
  readonly labels: readonly string[];
}

/** Why a compared session cannot be drawn on one axis. */
export type PathLadderMissing = { readonly missing: 'not-compared' | 'clock-offset-unknown'; readonly tap?: string };

const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
};

/** The verb of a command, the code of a reply: what identifies a control message at every tap
 * (a NAT rewrites a 227 reply's address, not its code). */
function controlKey(from: Initiator, text: string, code: number | null): string {
  if (code !== null) return `${from}|${code}`;
  const sp = text.indexOf(' ');
  return `${from}|${(sp < 0 ? text : text.slice(0, sp)).toUpperCase()}`;
}

function eventClass(kind: TcpEvent['kind']): string {
  return kind === 'syn-retransmit' ? 'syn' : kind;
}

/** Seconds to add to tap `k`'s clock to read it on tap 0's (null: no packet was seen at both). */
function offsetTo(c: ComparedPoints['comparison'], a: string, b: string): { s: number | null; n: number } {
  if (a === b) return { s: 0, n: 0 };
  const f = c.offsets.find((o) => o.a === a && o.b === b);
  if (f) return { s: f.offsetSeconds, n: f.samples };
  const r = c.offsets.find((o) => o.a === b && o.b === a);
  return r ? { s: r.offsetSeconds === null ? null : -r.offsetSeconds, n: r.samples } : { s: null, n: 0 };
}

/** The drawing's rows for session `sessionId` of the page (the first point given), or why none. */
export function pathLadderOf(p: ComparedPoints, sessionId: number, maxRows = LADDER_MAX_ROWS): PathLadder | PathLadderMissing {
  const c = p.comparison;
  const firstGiven = c.sessions.find((x) => x.session === sessionId);
  if (!firstGiven) return { missing: 'not-compared' };
  const taps = c.points.map((x) => x.name);
  const at: (SessionReport | null)[] = taps.map((name, k) => {
    const seen = firstGiven.points.find((x) => x.point === name);
    return seen ? (p.sessions[k].find((s) => s.id === seen.session) ?? null) : null;
  });
  const offsets: number[] = [];
  const samples: number[] = [];
  for (let k = 0; k < taps.length; k++) {
    const o = offsetTo(c, taps[0], taps[k]);
    if (o.s === null && at[k] !== null) return { missing: 'clock-offset-unknown', tap: taps[k] };
    offsets.push(o.s ?? 0);
    samples.push(o.n);
  }
  const packets = [...controlRows(at, offsets), ...tcpRows(firstGiven, at, offsets)];
  // t = 0 is the page's session start (as its own ladder), on the reference clock.
  const page = p.reportPoint;
  const pageStart = at[page] ? isoSeconds((at[page] as SessionReport).start) + offsets[page] : Infinity;
  const start = Math.min(pageStart, ...packets.flatMap((r) => r.seen.flatMap((s) => (s ? [s.t] : []))));
  for (const r of packets) r.t = firstSighting(r) - start;
  packets.sort((a, b) => a.t - b.t || (a.kind === b.kind ? 0 : a.kind === 'control' ? -1 : 1));
  const near = at.find((s) => s !== null) ?? null;
  const far = [...at].reverse().find((s) => s !== null) ?? null;
  return {
    sessionId,
    taps,
    offsets,
    samples,
    client: near ? endpointOrDash(near.client) : '-',
    server: far ? endpointOrDash(far.server) : '-',
    start: Number.isFinite(start) ? start : 0,
    rows: bound(packets, firstGiven, maxRows),
    groups: firstGiven.dataConnections,
    labels: firstGiven.dataConnections.map(groupLabel),
  };
}

/** A data connection's name in the drawing: its id in the page's session, else its id at the first
 * tap that has it (`2 at server`). */
function groupLabel(g: PathReport): string {
  if (g.dataConnection !== null) return `${g.dataConnection}`;
  const f = g.frames.find((x) => x.dataConnection !== null);
  return f ? `${f.dataConnection} at ${f.point}` : '?';
}

function firstSighting(r: PathPacketRow): number {
  let t = Infinity;
  for (const s of r.seen) if (s && s.t < t) t = s.t;
  return t;
}

/** The control channel at every tap, one row per message: the k-th message with a key at one
 * tap is the k-th with that key at another (TCP delivers in order), if their times agree. */
function controlRows(at: readonly (SessionReport | null)[], offsets: readonly number[]): PathPacketRow[] {
  const rows: PathPacketRow[] = [];
  const byKey = new Map<string, PathPacketRow[]>();
  at.forEach((s, k) => {
    const seenK = new Map<string, number>();
    for (const e of s?.timeline?.entries ?? []) {
      const code = e.code ?? null;
      const key = controlKey(e.from, e.text, code);
      const t = isoSeconds(e.time) + offsets[k];
      const nth = seenK.get(key) ?? 0;
      seenK.set(key, nth + 1);
      const same = byKey.get(key)?.[nth];
      const other = same?.seen.find((x) => x !== null);
      if (same && !same.seen[k] && other && Math.abs(other.t - t) <= PATH_MATCH_SECONDS) {
        same.seen[k] = { frame: e.frame, t };
        continue;
      }
      const row: PathPacketRow = { kind: 'control', from: e.from, text: e.text, code, event: null, group: null, seen: at.map(() => null), t: 0 };
      row.seen[k] = { frame: e.frame, t };
      rows.push(row);
      // An unmatched message takes its place in the key's order only at the first tap that has it.
      if (!same) push(byKey, key, row);
    }
  });
  return rows;
}

/** The data connections' TCP events at every tap: the same connection (the comparison's match),
 * direction and kind, nearest in time within PATH_MATCH_SECONDS. */
function tcpRows(sc: SessionComparison, at: readonly (SessionReport | null)[], offsets: readonly number[]): PathPacketRow[] {
  const rows: PathPacketRow[] = [];
  sc.dataConnections.forEach((g, gi) => {
    const candidates = new Map<string, PathPacketRow[]>();
    g.frames.forEach((f, k) => {
      const d: DataConnectionReport | undefined = f.dataConnection === null ? undefined : at[k]?.dataConnections.find((x) => x.id === f.dataConnection);
      for (const e of d?.tcp?.events ?? []) {
        const key = `${e.from}|${eventClass(e.kind)}`;
        const t = isoSeconds(e.time) + offsets[k];
        let best: PathPacketRow | null = null;
        let bestDt = PATH_MATCH_SECONDS;
        for (const r of candidates.get(key) ?? []) {
          const other = r.seen.find((x) => x !== null);
          const dt = other ? Math.abs(other.t - t) : Infinity;
          if (!r.seen[k] && dt <= bestDt) {
            best = r;
            bestDt = dt;
          }
        }
        if (best) {
          best.seen[k] = { frame: e.frame, t };
          continue;
        }
        // The first SYN names the endpoints, as the tap that first had it saw them (a NAT between taps rewrites them).
        const text = e.kind === 'icmp-unreachable' ? `${e.reason ?? 'ICMP destination unreachable'} from ${e.by ?? '?'}` : e.kind === 'syn' && d?.from && d.to ? `${endpointOrDash(d.from)} -> ${endpointOrDash(d.to)}` : '';
        const row: PathPacketRow = { kind: 'tcp', from: e.from, text, code: null, event: e.kind, group: gi, seen: at.map(() => null), t: 0 };
        row.seen[k] = { frame: e.frame, t };
        rows.push(row);
        push(candidates, key, row);
      }
    });
  });
  return rows;
}

const LOST: ReadonlySet<PathVerdict> = new Set<PathVerdict>(['dropped-between', 'rejected-between', 'answer-dropped-between', 'beyond-points', 'unknown']);

/** Past `max` rows: the first and last sixth of the budget, then the packets of data connections
 * that did not cross and error replies while room is left; each stretch left out is one row. */
function bound(rows: PathPacketRow[], sc: SessionComparison, max: number): PathRow[] {
  if (rows.length <= max) return rows;
  const budget = Math.max(4, max - Math.floor(max / 3));
  const edge = Math.floor(budget / 4);
  const keep = new Uint8Array(rows.length);
  let kept = 0;
  for (let i = 0; i < edge; i++, kept++) keep[i] = 1;
  for (let i = rows.length - edge; i < rows.length; i++, kept++) keep[i] = 1;
  const matters = (r: PathPacketRow): boolean => (r.group !== null && LOST.has(sc.dataConnections[r.group].path)) || (r.code !== null && r.code >= 400);
  for (let i = edge; i < rows.length - edge && kept < budget; i++) {
    if (!keep[i] && matters(rows[i])) {
      keep[i] = 1;
      kept++;
    }
  }
  const out: PathRow[] = [];
  let hidden = 0;
  let from = 0;
  for (let i = 0; i <= rows.length; i++) {
    if (i < rows.length && !keep[i]) {
      if (hidden++ === 0) from = rows[i].t;
      continue;
    }
    if (hidden) out.push({ kind: 'gap', t: from, text: `… ${hidden.toLocaleString('en-US')} packets left out (${rel(from)} .. ${rel(rows[i - 1].t)})` });
    hidden = 0;
    if (i < rows.length) out.push(rows[i]);
  }
  return out;
}

// --- SVG

const ROW_H = 22;
const TOP = 56;
const X_TIME = 6;
const X_FRAMES = 78;
const FRAME_COL = 58;
const LANES_W = 480;
const NOTE_W = 440;
const NOTE_CHARS = 60;
const LABEL_CHARS = 56;

interface Geometry {
  readonly client: number;
  readonly server: number;
  readonly taps: readonly number[];
  readonly note: number;
  readonly width: number;
}

function geometry(n: number): Geometry {
  const client = X_FRAMES + n * FRAME_COL + 56;
  const server = client + LANES_W;
  const taps = Array.from({ length: n }, (_, k) => client + ((k + 1) * LANES_W) / (n + 1));
  const note = server + 36;
  return { client, server, taps, note, width: note + NOTE_W + 6 };
}


const VERDICT_CLASS: Record<PathVerdict, string> = {
  crossed: 'o-completed',
  'dropped-between': 'o-no-answer',
  'rejected-between': 'o-refused',
  'answer-dropped-between': 'o-no-answer',
  'beyond-points': 'o-not-attempted',
  'not-attempted': 'o-not-attempted',
  unknown: 'o-incomplete',
};

const VERDICT_WORDS: Record<PathVerdict, string> = {
  crossed: 'crossed',
  'dropped-between': 'dropped between',
  'rejected-between': 'rejected between',
  'answer-dropped-between': 'answer dropped between',
  'beyond-points': 'no answer beyond the last tap',
  'not-attempted': 'not attempted',
  unknown: 'the taps disagree',
};

function eventLabel(r: PathPacketRow, l: PathLadder, synNumber: number): string {
  const dc = `[${l.labels[r.group ?? 0]}]`;
  switch (r.event) {
    case 'syn':
    case 'syn-retransmit':
      return `${dc} SYN${synNumber > 1 ? ` #${synNumber} (retransmission)` : r.text ? ` ${r.text}` : ''}`;
    case 'icmp-unreachable':
      return `${dc} ${r.text}`;
    default:
      return `${dc} ${(r.event ?? '').toUpperCase()}`;
  }
}

const ms = (s: number): string => `${s < 0 ? '−' : '+'}${Math.abs(s * 1000).toFixed(3)} ms`;

/** One packet: the line from where it started to where it was last seen, a dot per tap that saw
 * it, a ring per tap it passed unseen, an arrowhead at the receiver or ✕ where it stopped. */
function packetSvg(r: PathPacketRow, y: number, g: Geometry, l: PathLadder, label: string, cls: string, stopsBeyond: boolean, sid: string): string {
  const n = l.taps.length;
  const forward = r.from === 'client';
  // Lanes in travel order: the sender, the taps, the receiver.
  const order = forward ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
  const xs = [forward ? g.client : g.server, ...order.map((k) => g.taps[k]), forward ? g.server : g.client];
  const seen = order.map((k) => r.seen[k] !== null);
  const first = seen.indexOf(true);
  const last = seen.lastIndexOf(true);
  const dir = forward ? 1 : -1;
  const o: string[] = [];
  // An ICMP error starts at the device between the last tap that did not see it and the first that did.
  const device = r.event === 'icmp-unreachable' && first > 0;
  const x1 = device ? (xs[first] + xs[first + 1]) / 2 : xs[0];
  const reached = last === n - 1 && !stopsBeyond;
  const x2 = reached ? xs[n + 1] : (xs[last + 1] + xs[last + 2]) / 2;
  const line = r.kind === 'tcp' ? `tcp ${cls}` : `ctl ${cls}`;
  o.push(`<line class="${line}" x1="${x1.toFixed(1)}" y1="${y}" x2="${(reached ? x2 - dir * 8 : x2).toFixed(1)}" y2="${y}" />`);
  if (device) o.push(`<path class="head ${cls}" d="M${x1.toFixed(1)} ${y - 6} l6 6 l-6 6 l-6 -6 z"><title>${esc(r.text, 300)}</title></path>`);
  o.push(reached ? `<path class="head ${cls}" d="M${x2.toFixed(1)} ${y} l${-dir * 9} -4 v8 z" />` : `<text class="x ${cls}" x="${x2.toFixed(1)}" y="${y + 5}" text-anchor="middle">✕<title>not seen past ${last >= 0 ? `tap ${esc(l.taps[order[last]])}` : 'the sender'}</title></text>`);
  order.forEach((k, i) => {
    const s = r.seen[k];
    if (s) o.push(`<circle class="seen ${cls}" cx="${g.taps[k].toFixed(1)}" cy="${y}" r="4"><title>tap ${esc(l.taps[k])}: frame ${s.frame}, ${rel(s.t - l.start)} on tap ${esc(l.taps[0])}'s clock</title></circle>`);
    else if (i >= (device ? first : 0) && i < last) o.push(`<circle class="unseen" cx="${g.taps[k].toFixed(1)}" cy="${y}" r="4"><title>tap ${esc(l.taps[k])} did not capture it</title></circle>`);
  });
  const mid = (g.client + g.server) / 2;
  const text = `<text class="${cls.startsWith('o-') ? cls : ''}" x="${mid}" y="${y - 6}" text-anchor="middle">${esc(cutLabel(label, LABEL_CHARS))}<title>${esc(label, 600)}</title></text>`;
  o.push(r.group !== null ? `<a href="#${sid}-d${esc(l.labels[r.group])}">${text}</a>` : text);
  return o.join('');
}

/** The SVG of a path ladder (see the module comment). */
export function pathLadderSvg(l: PathLadder): string {
  const n = l.taps.length;
  const g = geometry(n);
  const sid = `s${l.sessionId}`;
  const body: string[] = [];
  const synCount = new Map<number, number>();
  const lastY = new Map<number, number>();
  let y = TOP;
  for (const r of l.rows) {
    y += ROW_H;
    if (r.kind === 'gap') {
      body.push(`<rect class="gapband" x="${X_FRAMES - 8}" y="${y - 13}" width="${g.server + 8 - X_FRAMES}" height="${ROW_H - 4}" rx="4" /><text class="gap" x="${(X_FRAMES + g.server) / 2}" y="${y + 1}" text-anchor="middle">${esc(r.text)}</text>\n`);
      continue;
    }
    const frames = r.seen.map((s, k) => `<text class="fr" x="${X_FRAMES + k * FRAME_COL}" y="${y + 4}">${s ? `#${s.frame}` : '–'}</text>`).join('');
    let label: string;
    let cls: string;
    let beyond = false;
    const grp = r.group !== null ? l.groups[r.group] : null;
    if (r.kind === 'tcp' && r.group !== null && grp) {
      const isSyn = r.event === 'syn' || r.event === 'syn-retransmit';
      const k = isSyn ? (synCount.get(r.group) ?? 0) + 1 : 0;
      if (isSyn) synCount.set(r.group, k);
      label = eventLabel(r, l, k);
      cls = VERDICT_CLASS[grp.path];
      beyond = isSyn && grp.path === 'beyond-points';
      lastY.set(r.group, y);
    } else {
      label = r.text;
      cls = r.code !== null && r.code >= 400 ? 'err' : '';
    }
    const seenAt = r.seen.flatMap((s, k) => (s ? [l.taps[k]] : [])).join(' ');
    const attrs = `data-kind="${r.kind}"${r.event ? ` data-event="${r.event}"` : ''}${r.group !== null ? ` data-dc="${esc(l.labels[r.group])}"` : ''} data-seen="${esc(seenAt)}"`;
    body.push(`<g class="pkt" ${attrs}><text class="t" x="${X_TIME}" y="${y + 4}">${rel(r.t)}</text>${frames}${packetSvg(r, y, g, l, label, cls, beyond, sid)}</g>\n`);
  }
  const rowsBottom = y + ROW_H;

  // The verdict beside each data connection that did not cross, at its last packet.
  let noteBottom = 0;
  l.groups.forEach((grp, gi) => {
    if (!LOST.has(grp.path)) return;
    const anchor = lastY.get(gi);
    if (anchor === undefined) return;
    const cls = VERDICT_CLASS[grp.path];
    const head = `[${l.labels[gi]}] ${VERDICT_WORDS[grp.path]}${grp.between ? ` tap ${grp.between[0]} and tap ${grp.between[1]}` : ''}`;
    const lines = wrapWords(grp.sentence, NOTE_CHARS, 7);
    const h = 12 + 16 * (1 + lines.length);
    const top = Math.max(anchor - 12, noteBottom + 8);
    noteBottom = top + h;
    const tspans = [`<tspan class="nh" x="${g.note + 8}" dy="0">${esc(cutLabel(head, NOTE_CHARS))}</tspan>`, ...lines.map((t) => `<tspan x="${g.note + 8}" dy="16">${esc(t)}</tspan>`)].join('');
    body.push(`<path class="tcp ${cls}" d="M${g.server + 6} ${anchor} H${g.note}" /><a href="#${sid}-d${esc(l.labels[gi])}"><rect class="note ${cls}" x="${g.note}" y="${top}" width="${NOTE_W}" height="${h}" rx="5" /></a><text class="nt" x="${g.note + 8}" y="${top + 18}">${tspans}</text>\n`);
  });

  const height = Math.max(rowsBottom, noteBottom + 10);
  const head: string[] = [];
  head.push(`<svg class="ladder path" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${height}" width="${g.width}" height="${height}" role="img" aria-label="Session ${l.sessionId} at every capture point on one time axis">\n`);
  head.push(`<text class="lanehead" x="${g.client}" y="16" text-anchor="middle">client</text><text class="fr" x="${g.client}" y="32" text-anchor="middle">${esc(l.client)}</text>`);
  head.push(`<text class="lanehead" x="${g.server}" y="16" text-anchor="middle">server</text><text class="fr" x="${g.server}" y="32" text-anchor="middle">${esc(l.server)}</text>`);
  l.taps.forEach((name, k) => {
    const clock = k === 0 ? 'reference clock' : `clock ${ms(l.offsets[k])}`;
    head.push(`<text class="lanehead tapname" x="${g.taps[k].toFixed(1)}" y="16" text-anchor="middle">tap ${esc(cutLabel(name, 24))}</text><text class="fr" x="${g.taps[k].toFixed(1)}" y="32" text-anchor="middle">${esc(clock)}</text>`);
    head.push(`<text class="fr" x="${X_FRAMES + k * FRAME_COL}" y="48">${esc(cutLabel(name, 8))}</text>`);
    head.push(`<line class="lane tap" x1="${g.taps[k].toFixed(1)}" y1="40" x2="${g.taps[k].toFixed(1)}" y2="${height - 4}" />`);
  });
  head.push(`<text class="fr" x="${X_TIME}" y="48">time</text><text class="fr" x="${X_FRAMES}" y="32">frame at tap</text>`);
  head.push(`<line class="lane" x1="${g.client}" y1="40" x2="${g.client}" y2="${height - 4}" /><line class="lane" x1="${g.server}" y1="40" x2="${g.server}" y2="${height - 4}" />\n`);
  return head.join('') + body.join('') + '</svg>\n';
}

/** The figure for one session of the page: a sentence saying how to read it, then the SVG; or why
 * it cannot be drawn. */
export function pathLadderHtml(p: ComparedPoints, sessionId: number): string {
  const l = pathLadderOf(p, sessionId);
  if ('missing' in l) {
    if (l.missing === 'not-compared') return '';
    return `<p class="meta">The capture points cannot be drawn on one time axis: no packet of this capture was seen both at tap ${esc(p.comparison.points[0]?.name ?? '')} and at tap ${esc(l.tap ?? '')} (their clock offset is unknown).</p>\n`;
  }
  const shifts = l.taps.slice(1).map((name, i) => `tap ${esc(name)}'s times ${ms(l.offsets[i + 1])} (from ${l.samples[i + 1]} packet${l.samples[i + 1] === 1 ? '' : 's'} seen at both)`);
  return `<div class="pathview" id="s${sessionId}-path">\n<h3 class="pathhead">At every capture point, on one time axis</h3>\n<p class="meta">Times on tap ${esc(l.taps[0])}'s clock${shifts.length ? `; ${shifts.join('; ')}` : ''}. ● captured at that tap · ○ passed it uncaptured · ✕ not seen past the last dot.</p>\n${pathLadderSvg(l)}</div>\n`;
}
