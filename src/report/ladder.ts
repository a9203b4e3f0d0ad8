/**
 * Ladder (sequence) diagrams of one FTP session, the postmortem view: the control
 * channel's commands and replies as arrows between a client lane and a server lane, in arrival
 * order, with each data connection's TCP events (SYN and retransmissions, SYN-ACK, FIN, RST)
 * merged in by capture time, drawn from the side that sent them.
 *
 * `ladderOf()` builds the rows once; the HTML page (html.ts, SVG) and the terminal
 * (`analyze --ladder --session ID`, `renderLadderText()`) draw the same rows. The rows are
 * bounded whatever the session's length: runs of uneventful transfers collapse into one row
 * (LADDER_COLLAPSE_*), and past LADDER_MAX_ROWS only the rows around failures and the session's
 * start and end are kept, each left-out stretch becoming one row that says how much it held.
 *
 * Needs the session's `timeline` (AnalyzeOptions.timeline); without it only the data
 * connections' TCP events are drawn.
 */
import type { DataConnectionReport, Initiator, Outcome, SessionReport, TcpEvent } from '../ftp/model.js';
import { LADDER_COLLAPSE_KEEP_FIRST, LADDER_COLLAPSE_KEEP_LAST, LADDER_COLLAPSE_MIN, LADDER_MAX_ROWS } from '../limits.js';
import { endpointOrDash, type ReportSink, type ReportTail } from './analysis.js';
import { termSafe } from './escape.js';
import type { Out } from './out.js';

/** Outcomes that mean the data connection failed (as in the text report). */
export { FAILED_OUTCOMES } from '../ftp/model.js';
import { FAILED_OUTCOMES } from '../ftp/model.js';

export const isFailed = (d: DataConnectionReport): boolean => FAILED_OUTCOMES.has(d.outcome);

/** A command (from the client) or a reply (from the server). */
export interface ControlRow {
  readonly kind: 'control';
  /** Seconds since the session's start. */
  readonly t: number;
  readonly frame: number;
  readonly from: Initiator;
  /** The whole text (not yet escaped or cut). */
  readonly text: string;
  readonly code: number | null;
  /** Data connections this row announced (PORT command, 227 reply...). */
  readonly announces: number[];
}

export interface TcpRow {
  readonly kind: 'tcp';
  readonly t: number;
  readonly frame: number;
  readonly from: Initiator;
  readonly event: TcpEvent['kind'];
  /** Data connection id, and its 1-based SYN number for syn / syn-retransmit. */
  readonly dc: number;
  readonly synNumber: number;
  readonly outcome: Outcome;
  /** A SYN no SYN-ACK or RST answered (no-answer). */
  readonly unanswered: boolean;
  /** A SYN of a connection captured from its sender's side alone: its answers, if any, travel
   * the way the capture does not hold, so no answer in the capture says nothing. */
  readonly answerUnseen: boolean;
  /** A SYN an ICMP destination unreachable answered: it stopped at the rejecting device. */
  readonly rejected: boolean;
  /** icmp-unreachable: the rejecting device's address and the code in words. */
  readonly by: string | null;
  readonly reason: string | null;
}

/** A failed data connection's diagnosis, drawn after its last row. */
export interface NoteRow {
  readonly kind: 'note';
  readonly t: number;
  readonly dc: number;
}

/** Rows left out: a collapsed run of completed transfers, entries the timeline dropped, or
 * rows past LADDER_MAX_ROWS. */
export interface GapRow {
  readonly kind: 'gap';
  readonly t: number;
  readonly text: string;
}

export type LadderRow = ControlRow | TcpRow | NoteRow | GapRow;

export interface Ladder {
  readonly session: SessionReport;
  readonly rows: LadderRow[];
  /** Data connections by id. */
  readonly dcs: Map<number, DataConnectionReport>;
  /** The session had a timeline (commands and replies were recorded). */
  readonly hasTimeline: boolean;
}

/** Seconds since the epoch of an ISO time with up to 9 fraction digits (float; for offsets). */
export function isoSeconds(iso: string): number {
  const dot = iso.indexOf('.');
  const whole = Date.parse(`${dot > 0 ? iso.slice(0, dot) : iso.replace(/Z$/, '')}Z`) / 1000;
  const frac = dot > 0 ? Number(`0.${iso.slice(dot + 1).replace(/Z$/, '')}`) : 0;
  return whole + (Number.isFinite(frac) ? frac : 0);
}

const ANNOUNCING_VERBS = new Set(['PORT', 'EPRT', 'LPRT', 'PASV', 'EPSV', 'LPSV']);
const QUIET: ReadonlySet<Outcome> = new Set<Outcome>(['completed', 'unused']);

function verbOf(r: ControlRow): string {
  const sp = r.text.indexOf(' ');
  return (sp < 0 ? r.text : r.text.slice(0, sp)).toUpperCase();
}

/** The rows of a session's ladder, bounded (see the module comment). */
export function ladderOf(s: SessionReport, maxRows = LADDER_MAX_ROWS): Ladder {
  const t0 = isoSeconds(s.start);
  const dcs = new Map(s.dataConnections.map((d) => [d.id, d]));
  const tl = s.timeline;

  // Control rows in arrival order, with a gap row where the timeline dropped entries.
  const control: (ControlRow | GapRow)[] = [];
  const byFrame = new Map<number, ControlRow[]>();
  if (tl) {
    tl.entries.forEach((e, i) => {
      if (i === tl.droppedAfter && tl.dropped > 0) control.push({ kind: 'gap', t: control.length ? control[control.length - 1].t : 0, text: `${tl.dropped.toLocaleString('en-US')} commands and replies not recorded (the first and last ones are kept)` });
      const row: ControlRow = { kind: 'control', t: isoSeconds(e.time) - t0, frame: e.frame, from: e.from, text: e.text, code: e.code ?? null, announces: [] };
      control.push(row);
      const list = byFrame.get(e.frame);
      if (list) list.push(row);
      else byFrame.set(e.frame, [row]);
    });
    if (tl.droppedAfter >= tl.entries.length && tl.dropped > 0) control.push({ kind: 'gap', t: control.length ? control[control.length - 1].t : 0, text: `${tl.dropped.toLocaleString('en-US')} commands and replies not recorded` });
  }

  // Each announcement's row: the PORT/EPRT/LPRT command, or the 227/229/228 reply.
  for (const d of s.dataConnections) {
    const a = d.announced;
    if (!a) continue;
    const active = a.command === 'PORT' || a.command === 'EPRT' || a.command === 'LPRT';
    const rows = byFrame.get(a.frame) ?? [];
    const row = rows.find((r) => (active ? r.from === 'client' && verbOf(r) === a.command : r.from === 'server' && (r.code === 227 || r.code === 228 || r.code === 229) && !r.announces.length)) ?? rows.find((r) => (active ? r.from === 'client' : r.from === 'server'));
    if (row) row.announces.push(d.id);
  }

  // TCP events, in time order.
  const tcp: TcpRow[] = [];
  for (const d of s.dataConnections) {
    let syn = 0;
    const answered = d.tcp?.events?.some((e) => e.kind === 'syn-ack' || e.kind === 'rst') ?? false;
    const rejected = !answered && (d.tcp?.events?.some((e) => e.kind === 'icmp-unreachable') ?? false);
    for (const e of d.tcp?.events ?? []) {
      const isSyn = e.kind === 'syn' || e.kind === 'syn-retransmit';
      if (isSyn) syn++;
      const unseen = isSyn && !answered && !rejected && d.tcp?.capturedSide === e.from;
      tcp.push({ kind: 'tcp', t: isoSeconds(e.time) - t0, frame: e.frame, from: e.from, event: e.kind, dc: d.id, synNumber: isSyn ? syn : 0, outcome: d.outcome, unanswered: isSyn && !answered && !rejected && !unseen, answerUnseen: unseen, rejected: isSyn && rejected, by: e.by ?? null, reason: e.reason ?? null });
    }
  }
  tcp.sort((a, b) => a.t - b.t || a.frame - b.frame);

  // Merge: control rows keep their order; a TCP row goes before the first control row after it.
  const merged: LadderRow[] = [];
  let j = 0;
  for (const c of control) {
    while (j < tcp.length && (tcp[j].t < c.t || (tcp[j].t === c.t && c.kind === 'control' && tcp[j].frame < c.frame))) merged.push(tcp[j++]);
    merged.push(c);
  }
  while (j < tcp.length) merged.push(tcp[j++]);

  // A failed connection's note after its last row (its TCP events, or its announcement).
  const last = new Map<number, number>();
  merged.forEach((r, i) => {
    if (r.kind === 'tcp') last.set(r.dc, i);
    else if (r.kind === 'control') for (const id of r.announces) if (!last.has(id) || (last.get(id) as number) < i) last.set(id, i);
  });
  const notesAfter = new Map<number, NoteRow[]>();
  for (const d of s.dataConnections) {
    if (!isFailed(d) && d.outcome !== 'incomplete') continue;
    const at = last.get(d.id) ?? merged.length - 1;
    const row = merged[at];
    const note: NoteRow = { kind: 'note', t: row ? row.t : 0, dc: d.id };
    const list = notesAfter.get(at);
    if (list) list.push(note);
    else notesAfter.set(at, [note]);
  }
  const withNotes: LadderRow[] = [];
  (notesAfter.get(-1) ?? []).forEach((n) => withNotes.push(n));
  merged.forEach((r, i) => {
    withNotes.push(r);
    for (const n of notesAfter.get(i) ?? []) withNotes.push(n);
  });

  const rows = bound(collapse(withNotes, dcs), maxRows);
  return { session: s, rows, dcs, hasTimeline: tl !== undefined };
}

/**
 * Runs of uneventful transfers collapse: the rows are cut into chunks, one starting at each
 * PORT/PASV-like command; a chunk is quiet when its data connections completed (or went unused),
 * no reply in it is 4xx/5xx and it holds no note or gap. Of a run of at least LADDER_COLLAPSE_MIN
 * quiet chunks the first LADDER_COLLAPSE_KEEP_FIRST and the last LADDER_COLLAPSE_KEEP_LAST stay.
 */
function collapse(rows: LadderRow[], dcs: Map<number, DataConnectionReport>): LadderRow[] {
  const chunks: LadderRow[][] = [[]];
  for (const r of rows) {
    if (r.kind === 'control' && r.from === 'client' && ANNOUNCING_VERBS.has(verbOf(r))) chunks.push([]);
    chunks[chunks.length - 1].push(r);
  }
  const quiet = (c: LadderRow[], first: boolean): boolean => {
    if (first) return false; // the login and everything before the first announcement
    let transfers = 0;
    for (const r of c) {
      if (r.kind === 'note' || r.kind === 'gap') return false;
      if (r.kind === 'control') {
        if (r.code !== null && r.code >= 400) return false;
        for (const id of r.announces) {
          const d = dcs.get(id);
          if (!d || !QUIET.has(d.outcome)) return false;
          transfers++;
        }
      }
      if (r.kind === 'tcp' && !QUIET.has(r.outcome)) return false;
    }
    return transfers > 0;
  };
  const out: LadderRow[] = [];
  let i = 0;
  while (i < chunks.length) {
    if (!quiet(chunks[i], i === 0)) {
      out.push(...chunks[i++]);
      continue;
    }
    let k = i;
    while (k < chunks.length && quiet(chunks[k], k === 0)) k++;
    const run = chunks.slice(i, k);
    if (run.length >= LADDER_COLLAPSE_MIN) {
      for (const c of run.slice(0, LADDER_COLLAPSE_KEEP_FIRST)) out.push(...c);
      const hidden = run.slice(LADDER_COLLAPSE_KEEP_FIRST, run.length - LADDER_COLLAPSE_KEEP_LAST);
      out.push(gapOf(hidden.flat(), 'completed transfer'));
      for (const c of run.slice(run.length - LADDER_COLLAPSE_KEEP_LAST)) out.push(...c);
    } else for (const c of run) out.push(...c);
    i = k;
  }
  return out;
}

/** One row standing for left-out rows: how many transfers, commands and replies, TCP events. */
function gapOf(hidden: LadderRow[], what: string): GapRow {
  let transfers = 0;
  let control = 0;
  let tcp = 0;
  let from = Infinity;
  let to = -Infinity;
  let notes = 0;
  for (const r of hidden) {
    if (r.kind === 'control') {
      control++;
      transfers += r.announces.length;
    } else if (r.kind === 'tcp') tcp++;
    else if (r.kind === 'note') notes++;
    if (r.kind !== 'note') {
      from = Math.min(from, r.t);
      to = Math.max(to, r.t);
    }
  }
  const parts = [`${control.toLocaleString('en-US')} command${control === 1 ? '' : 's'} and replies`];
  if (tcp) parts.push(`${tcp.toLocaleString('en-US')} TCP event${tcp === 1 ? '' : 's'}`);
  if (notes) parts.push(`${notes} diagnos${notes === 1 ? 'is' : 'es'}`);
  const span = Number.isFinite(from) ? `, ${rel(from)} .. ${rel(to)}` : '';
  const head = what === 'completed transfer' ? `${transfers.toLocaleString('en-US')} more completed transfer${transfers === 1 ? '' : 's'}` : `${hidden.length.toLocaleString('en-US')} rows left out`;
  return { kind: 'gap', t: Number.isFinite(from) ? from : 0, text: `… ${head} (${parts.join(', ')}${span})` };
}

/**
 * Past `max` rows, two thirds of `max` are kept — the first and last sixth of the budget always,
 * then rows that matter (failed connections' TCP events and notes, 4xx/5xx replies) while room is
 * left — and each stretch left out becomes one gap row: at most 4/3 of `max` + 1 rows in all.
 */
function bound(rows: LadderRow[], max: number): LadderRow[] {
  if (rows.length <= max) return rows;
  const budget = Math.max(4, max - Math.floor(max / 3)); // room left for the gap rows
  const keep = new Uint8Array(rows.length);
  const edge = Math.floor(budget / 4);
  let kept = 0;
  for (let i = 0; i < edge; i++, kept++) keep[i] = 1;
  for (let i = rows.length - edge; i < rows.length; i++, kept++) keep[i] = 1;
  const matters = (r: LadderRow): boolean => r.kind === 'note' || (r.kind === 'tcp' && FAILED_OUTCOMES.has(r.outcome)) || (r.kind === 'control' && r.code !== null && r.code >= 400);
  for (let i = edge; i < rows.length - edge && kept < budget; i++) {
    if (!keep[i] && matters(rows[i])) {
      keep[i] = 1;
      kept++;
    }
  }
  const out: LadderRow[] = [];
  let hidden: LadderRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (keep[i]) {
      if (hidden.length) out.push(gapOf(hidden, 'rows'));
      hidden = [];
      out.push(rows[i]);
    } else hidden.push(rows[i]);
  }
  if (hidden.length) out.push(gapOf(hidden, 'rows'));
  return out;
}

/** Relative time: `+1.234 s` (ms precision; the report has the exact times). */
export function rel(t: number): string {
  return `+${t.toFixed(3)}s`;
}

/** The label of a TCP row: `[2] SYN #3 (no answer)`, `[2] SYN-ACK`, `[1] RST`. */
export function tcpLabel(r: TcpRow, d?: DataConnectionReport): string {
  if (r.event === 'icmp-unreachable') return `[${r.dc}] ${r.reason ?? 'ICMP destination unreachable'} from ${r.by ?? '?'}`;
  const name = r.event === 'syn' || r.event === 'syn-retransmit' ? `SYN${r.synNumber > 1 ? ` #${r.synNumber} (retransmission)` : ''}` : r.event.toUpperCase();
  const where = r.event === 'syn' && d?.from ? ` ${endpointOrDash(d.from)} -> ${endpointOrDash(d.to)}` : '';
  return `[${r.dc}] ${name}${where}${r.unanswered ? ' - no answer' : r.rejected ? ' - rejected' : r.answerUnseen ? ' - answer not captured' : ''}`;
}


/** One line about a data connection: `[1] active RETR small.txt  NO-ANSWER  server 198.51.100.20:20 -> 192.0.2.10:40040`. */
export function dcHeadline(d: DataConnectionReport): string {
  const xfer = d.command ? `${d.command}${d.argument ? ` ${d.argument}` : ''}` : 'no transfer command';
  const conn = d.from ? `${d.initiator} ${endpointOrDash(d.from)} -> ${endpointOrDash(d.to)}` : `${d.initiator} expected to connect, no connection seen`;
  return `[${d.id}] ${d.mode} ${xfer}  ${d.outcome.toUpperCase()}  ${conn}`;
}

// --- text

const WIDTH = 100;
/** Columns: relative time (10) and frame (8), then the client lane, the arrow span, the server lane. */
const TIME_W = 11;
const FRAME_W = 8;
const LEFT = TIME_W + FRAME_W;
const RIGHT = WIDTH - 1;
const SPAN = RIGHT - LEFT - 1;

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : `${s.slice(0, nl)} …`;
}

/** A label cut to fit `n` columns (terminal-safe). */
function fit(s: string, n: number): string {
  const t = termSafe(firstLine(s), 400);
  return t.length > n ? `${t.slice(0, Math.max(0, n - 1))}…` : t;
}

/** An ICMP rejection: from the device (`*`, where a rejected SYN's `X` stops) back to the lane
 * of the SYN's sender. */
function deviceArrow(label: string, rightward: boolean): string {
  const inner = SPAN;
  const start = 4; // the X of the rejected SYN sits 5 columns from the far lane
  const len = inner - start;
  const text = fit(label, len - 6);
  const body = ` ${text} `;
  const left = Math.max(1, Math.floor((len - 1 - body.length) / 2));
  const right = Math.max(1, len - 1 - body.length - left);
  const run = '~'.repeat(left) + body + '~'.repeat(right);
  return rightward ? `|${' '.repeat(start)}*${run.slice(0, len - 2)}>|` : `|<${run.slice(0, len - 2)}*${' '.repeat(start)}|`;
}

/** `|------ label ------>|` or `|<----- label -------|` between the lanes, `stop` short of the
 * far lane (an unanswered SYN) with an `X`. */
function arrow(label: string, rightward: boolean, ch: string, stopShort: boolean): string {
  const inner = SPAN;
  const text = fit(label, inner - 8);
  const body = ` ${text} `;
  const left = Math.max(2, Math.floor((inner - body.length) / 2));
  const right = Math.max(2, inner - body.length - left);
  let line = ch.repeat(left) + body + ch.repeat(right);
  if (rightward) line = stopShort ? `${line.slice(0, inner - 5)}X    ` : `${line.slice(0, inner - 1)}>`;
  else line = stopShort ? `    X${line.slice(5)}` : `<${line.slice(1)}`;
  return `|${line}|`;
}

function wrapText(text: string, indent: number, cont = indent): string[] {
  const out: string[] = [];
  let line = '';
  let at = indent;
  for (const word of text.split(' ')) {
    if (line && at + line.length + 1 + word.length > WIDTH) {
      out.push(' '.repeat(at) + line);
      at = cont;
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(' '.repeat(at) + line);
  return out.map((l) => (l.length > WIDTH ? `${l.slice(0, WIDTH - 1)}…` : l));
}

/** The ladder as plain text within 100 columns: client lane left, server lane right. */
export function renderLadderText(l: Ladder): string {
  const s = l.session;
  const out: string[] = [];
  out.push(fit(`Session ${s.id}  client ${endpointOrDash(s.client)} -> server ${endpointOrDash(s.server)}  mode ${s.mode}`, WIDTH));
  out.push(fit(`${s.start}  user ${s.user === null ? '-' : JSON.stringify(s.user)} login ${s.login}  ${s.commands} commands  ${s.dataConnections.length} data connection${s.dataConnections.length === 1 ? '' : 's'}  captured ${s.capturePoint}`, WIDTH));
  if (!l.hasTimeline) out.push('(no timeline recorded: commands and replies are not shown)');
  out.push('');
  const head = `${'time'.padEnd(TIME_W)}${'frame'.padEnd(FRAME_W)}`;
  const lanes = `client ${endpointOrDash(s.client)}`;
  const srv = `server ${endpointOrDash(s.server)}`;
  out.push(`${head}${fit(lanes, 40).padEnd(WIDTH - LEFT - Math.min(srv.length, 40))}${fit(srv, 40)}`);
  const blank = `${' '.repeat(LEFT)}|${' '.repeat(SPAN)}|`;
  for (const r of l.rows) {
    const when = r.kind === 'note' ? '' : rel(r.t);
    const prefix = `${when.padEnd(TIME_W)}${r.kind === 'control' || r.kind === 'tcp' ? `#${r.frame}`.padEnd(FRAME_W) : ' '.repeat(FRAME_W)}`;
    if (r.kind === 'control') {
      const ann = r.announces.length ? `  => [${r.announces.join(',')}]` : '';
      out.push(prefix + arrow(firstLine(r.text) + ann, r.from === 'client', '-', false));
    } else if (r.kind === 'tcp') {
      if (r.event === 'icmp-unreachable') out.push(prefix + deviceArrow(tcpLabel(r), r.from === 'client'));
      else out.push(prefix + arrow(tcpLabel(r, l.dcs.get(r.dc)), r.from === 'client', '=', r.unanswered || r.rejected));
    } else if (r.kind === 'gap') {
      out.push(blank);
      out.push(...wrapText(`: ${termSafe(r.text, 400)}`, LEFT, LEFT + 2));
      out.push(blank);
    } else {
      const d = l.dcs.get(r.dc);
      if (!d) continue;
      out.push(...wrapText(`!! ${termSafe(dcHeadline(d), 300)}`, LEFT + 2, LEFT + 5));
      out.push(...wrapText(termSafe(d.diagnosis, 800), LEFT + 5));
      if (!d.diagnosis.includes(d.firewallRule)) out.push(...wrapText(`needed: ${termSafe(d.firewallRule, 300)}`, LEFT + 5));
    }
  }
  out.push(blank);
  if (s.dataConnections.length) {
    const counts = new Map<Outcome, number>();
    for (const d of s.dataConnections) counts.set(d.outcome, (counts.get(d.outcome) ?? 0) + 1);
    const failed = s.dataConnections.filter(isFailed).map((d) => d.id);
    out.push(...wrapText(`data connections: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}${failed.length ? `; failed: ${failed.slice(0, 20).map((id) => `[${id}]`).join(' ')}${failed.length > 20 ? ' …' : ''}` : ''}`, 0, 2));
  }
  return out.map((x) => x.trimEnd()).join('\n') + '\n';
}

/** `analyze --ladder --session ID`: the text ladder of each session shown, then nothing else. */
export class LadderSink implements ReportSink {
  private any = false;
  constructor(private readonly out: Out) {}
  begin(): void {}
  session(s: SessionReport): void {
    this.out.write(`${this.any ? '\n' : ''}${renderLadderText(ladderOf(s))}`);
    this.any = true;
  }
  end(_tail: ReportTail): void {
    if (!this.any) this.out.write('No such session (see the session ids of `ftp-pcap analyze`).\n');
  }
}
