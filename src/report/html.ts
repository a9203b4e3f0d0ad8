/**
 * `analyze --format html`: the postmortem page. One self-contained file — inline CSS,
 * inline SVG, a few lines of inline JS, nothing fetched — that opens offline and from a mail
 * attachment. A Content-Security-Policy meta forbids everything external: `default-src 'none'`,
 * the inline style and script allowed by their SHA-256 only, images only as data: URLs.
 *
 * Streamed like the other sinks: each session's section (a ladder diagram from ladder.ts, its data
 * connections with diagnosis and the firewall rule each needed, its findings) is written as the
 * session is finalized; the capture summary and the table of sessions (failing ones first) are
 * known only at the end, so they are written last and CSS (`order`) shows them at the top.
 * Memory: one small table row per session (HTML_MAX_TABLE_ROWS); the page is bounded by
 * HTML_MAX_LADDERS_* sessions drawn and LADDER_MAX_ROWS rows per ladder.
 *
 * Everything from the capture goes through `esc()` (text and attribute values alike: & < > " '
 * escaped, control characters shown as \xNN, length bounded). The page is also well-formed XML
 * (every element closed, no `<` or `&` in the inline style and script), so XML tools read it.
 */
import { createHash } from 'node:crypto';
import type { DataConnectionReport, Finding, Outcome, SessionReport } from '../ftp/model.js';
import { OUTCOMES } from '../ftp/model.js';
import { HTML_MAX_LADDERS_FAILING, HTML_MAX_LADDERS_OTHER, HTML_MAX_TABLE_ROWS } from '../limits.js';
import { endpointOrDash, limitsText, type AnalysisReport, type ReportSink, type ReportTail } from './analysis.js';
import { FAILED_OUTCOMES, dcHeadline, isFailed, ladderOf, rel, tcpLabel, type Ladder, type LadderRow } from './ladder.js';
import type { Out } from './out.js';
import { offsetText } from '../capture/index.js';
import { cutLabel, esc, wrapWords } from './html-escape.js';
import { pathLadderHtml } from './html-path.js';
import { translationText, type ComparedPoints, type Comparison } from './comparison.js';

export { esc };

// The inline style and script: constants, allowed by their hash in the CSP. Neither may hold
// `<` or `&` (the page stays well-formed XML).
const CSS = `
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
#report { display: flex; flex-direction: column; max-width: 1240px; margin: 0 auto; padding: 0 16px 40px; }
#top { order: -2; }
#overview { order: -1; }
#ftp-overview { order: -1; }
h1 { font-size: 22px; margin: 18px 0 4px; }
h2 { font-size: 17px; margin: 0 0 6px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
section.failing { border-left: 4px solid var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
th { background: #f6f8fa; }
td.diag { max-width: 520px; }
.muted, .meta { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 7px; margin: 1px 2px; font-size: 12px; color: #fff; background: var(--muted); white-space: nowrap; }
.b-completed { background: var(--ok); }
.b-no-answer, .b-refused, .b-reset, .b-truncated, .b-error { background: var(--bad); }
.b-not-attempted, .b-aborted, .b-failed, .b-warning { background: var(--warn); }
.b-unused, .b-incomplete, .b-info { background: var(--muted); }
.rule { font-family: ui-monospace, monospace; font-size: 12px; background: #fff8c5; padding: 1px 4px; }
.ladder { width: 100%; height: auto; display: block; margin: 8px 0; }
.ladder text { font: 12px system-ui, sans-serif; fill: #1f2328; }
.ladder .t, .ladder .fr { fill: var(--muted); font-family: ui-monospace, monospace; font-size: 11px; }
.ladder .lane { stroke: #8c959f; stroke-width: 2; }
.ladder .lanehead { font-weight: 600; }
.ladder .ctl { stroke: #424a53; stroke-width: 1.3; fill: none; }
.ladder .head { fill: #424a53; }
.ladder .err { stroke: var(--bad); }
.ladder .head.err, .ladder text.err { fill: var(--bad); stroke: none; }
.ladder .tcp { stroke-width: 2; stroke-dasharray: 6 3; fill: none; }
.ladder .gap { fill: var(--muted); font-style: italic; }
.ladder .gapband { fill: #eaeef2; }
.ladder .note { fill: #fff8f8; stroke: var(--bad); }
.ladder .note.o-incomplete { fill: #f6f8fa; stroke: var(--muted); }
.ladder .nt { font-size: 12px; }
.ladder .nh { font-weight: 600; }
.ladder .nr { font-family: ui-monospace, monospace; font-size: 11px; }
.ladder .o-completed, .ladder .o-unused { stroke: var(--ok); }
.ladder .o-no-answer, .ladder .o-refused, .ladder .o-reset, .ladder .o-truncated { stroke: var(--bad); }
.ladder .o-not-attempted, .ladder .o-aborted, .ladder .o-failed { stroke: var(--warn); }
.ladder .o-incomplete { stroke: var(--muted); }
.ladder text.o-completed, .ladder text.o-unused, .ladder .head.o-completed, .ladder .head.o-unused { fill: var(--ok); stroke: none; }
.ladder text.o-no-answer, .ladder text.o-refused, .ladder text.o-reset, .ladder text.o-truncated, .ladder .head.o-no-answer, .ladder .head.o-refused, .ladder .head.o-reset, .ladder .head.o-truncated { fill: var(--bad); stroke: none; }
.ladder text.o-not-attempted, .ladder text.o-aborted, .ladder text.o-failed, .ladder .head.o-not-attempted, .ladder .head.o-aborted, .ladder .head.o-failed { fill: var(--warn); stroke: none; }
.ladder text.o-incomplete, .ladder .head.o-incomplete { fill: var(--muted); stroke: none; }
.ladder .x { font-weight: 700; font-size: 15px; }
.ladder a text { text-decoration: underline; }
#report.only-failing .ok { display: none; }
label.filter { font-size: 13px; color: var(--muted); }
.wsf { font-size: 12px; color: var(--muted); margin: 4px 0; overflow-wrap: anywhere; }
.wsf code { color: #1f2328; }
button.copy { font-size: 11px; padding: 0 6px; cursor: pointer; }
h3.pathhead { font-size: 14px; margin: 14px 0 2px; }
.ladder .lane.tap { stroke: #afb8c1; stroke-width: 1.5; stroke-dasharray: 4 3; }
.ladder circle.seen { fill: #424a53; stroke: #fff; stroke-width: 1.5; }
.ladder circle.seen.o-completed { fill: var(--ok); }
.ladder circle.seen.o-no-answer, .ladder circle.seen.o-refused, .ladder circle.seen.err { fill: var(--bad); }
.ladder circle.seen.o-not-attempted { fill: var(--warn); }
.ladder circle.seen.o-incomplete { fill: var(--muted); }
.ladder circle.unseen { fill: #fff; stroke: #8c959f; stroke-width: 1.5; }
`;

const JS = `
document.getElementById('only-failing').addEventListener('change', function (e) {
  document.getElementById('report').classList.toggle('only-failing', e.target.checked);
});
// the copy buttons (no ampersand: the page stays well-formed XML)
document.addEventListener('click', function (e) {
  var b = e.target.closest ? e.target.closest('button.copy') : null;
  var t = b ? document.getElementById(b.getAttribute('data-copy')) : null;
  if (!t || !navigator.clipboard) return;
  navigator.clipboard.writeText(t.textContent).then(function () { b.textContent = 'copied'; });
});
`;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
/** The page's policy: nothing but its own inline style and script (by hash), data: images. */
export const CSP = `default-src 'none'; style-src 'sha256-${sha256(CSS)}'; script-src 'sha256-${sha256(JS)}'; img-src data:; base-uri 'none'; form-action 'none'`;

const plural = (n: number, w: string): string => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;

/** A session fails when a data connection failed or a finding is an error. */
function failing(s: SessionReport): boolean {
  return s.dataConnections.some(isFailed) || s.findings.some((f) => f.severity === 'error');
}

interface TableRow {
  id: number;
  failing: boolean;
  drawn: boolean;
  html: string;
}

function outcomeBadges(counts: Partial<Record<Outcome, number>>): string {
  return OUTCOMES.filter((o) => (counts[o] ?? 0) > 0)
    .map((o) => `<span class="badge b-${o}">${counts[o] ?? 0} ${o}</span>`)
    .join(' ');
}

function topFinding(fs: readonly Finding[]): string {
  const f = fs[0];
  return f ? `<span class="badge b-${f.severity}">${f.severity}</span> <code>${f.code}</code> ${esc(f.message, 160)}` : '<span class="muted">none</span>';
}

export class HtmlSink implements ReportSink {
  private rows: TableRow[] = [];
  private rowsDropped = 0;
  private drawnFailing = 0;
  private drawnOther = 0;
  private notDrawn = 0;
  private tool: AnalysisReport['tool'] = { name: 'ftp-pcap', version: '0.0.0' };
  /** `analyze --at`: every point's sessions, to draw each session at every point. */
  private compared: ComparedPoints | null = null;

  constructor(private readonly out: Out) {}

  points(p: ComparedPoints): void {
    this.compared = p;
  }

  begin(tool: AnalysisReport['tool']): void {
    this.tool = tool;
    this.out.write(
      `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<meta http-equiv="Content-Security-Policy" content="${CSP}" />\n<meta name="referrer" content="no-referrer" />\n<meta name="viewport" content="width=device-width, initial-scale=1" />\n<title>ftp-pcap postmortem</title>\n<link rel="icon" href="data:," />\n<style>${CSS}</style>\n</head>\n<body>\n<main id="report">\n`,
    );
  }

  session(s: SessionReport): void {
    const bad = failing(s);
    const draw = bad ? this.drawnFailing < HTML_MAX_LADDERS_FAILING : this.drawnOther < HTML_MAX_LADDERS_OTHER;
    if (draw) {
      if (bad) this.drawnFailing++;
      else this.drawnOther++;
      this.out.write(sessionSection(s, bad, this.compared));
    } else this.notDrawn++;
    this.addRow(s, bad, draw);
  }

  private addRow(s: SessionReport, bad: boolean, drawn: boolean): void {
    const counts: Partial<Record<Outcome, number>> = {};
    for (const d of s.dataConnections) counts[d.outcome] = (counts[d.outcome] ?? 0) + 1;
    const id = drawn ? `<a href="#s${s.id}">${s.id}</a>` : `${s.id}`;
    const html = `<tr class="${bad ? 'failing' : 'ok'}"><td>${id}</td><td class="mono">${esc(endpointOrDash(s.client))} → ${esc(endpointOrDash(s.server))}</td><td>${s.mode}${s.tls ? ' (TLS)' : ''}</td><td>${s.user === null ? '<span class="muted">-</span>' : esc(s.user, 80)} <span class="muted">${s.login}</span></td><td>${outcomeBadges(counts) || '<span class="muted">none</span>'}</td><td>${topFinding(s.findings)}</td></tr>\n`;
    const row: TableRow = { id: s.id, failing: bad, drawn, html };
    if (this.rows.length < HTML_MAX_TABLE_ROWS) {
      this.rows.push(row);
      return;
    }
    // Full: a failing session takes the place of the last non-failing one kept.
    this.rowsDropped++;
    if (!bad) return;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      if (!this.rows[i].failing) {
        this.rows.splice(i, 1);
        this.rows.push(row);
        return;
      }
    }
  }

  end(tail: ReportTail): void {
    const o: string[] = [];
    o.push(`<header id="top"><h1>FTP postmortem</h1><p class="muted">${esc(this.tool.name)} ${esc(this.tool.version)} · client lane left, server lane right · times relative to each session's start · <label class="filter"><input type="checkbox" id="only-failing" /> only failing sessions</label></p></header>\n`);
    o.push('<section id="overview">\n<h2>Capture</h2>\n<table class="inputs"><tr><th>input</th><th>format</th><th>packets</th><th>first</th><th>last</th><th>read</th></tr>\n');
    for (const i of tail.inputs) {
      const errs = i.errors.map((e) => `${esc(e.message, 200)} at ${offsetText(e)}`).join('; ');
      o.push(`<tr><td class="mono">${esc(i.path, 300)}</td><td>${esc(i.format ?? 'unreadable')}${i.gzip ? ' (gzip)' : ''}</td><td>${i.packets.toLocaleString('en-US')}</td><td class="mono">${esc(i.firstTime ?? '-')}</td><td class="mono">${esc(i.lastTime ?? '-')}</td><td>${i.complete ? 'complete' : `<span class="badge b-error">incomplete</span> ${errs}`}</td></tr>\n`);
    }
    o.push('</table>\n');
    const sm = tail.summary;
    o.push(`<p>${plural(sm.sessions, 'session')}, ${plural(sm.dataConnections, 'data connection')} ${outcomeBadges(sm.byOutcome)}</p>\n`);
    const codes = Object.entries(sm.findings);
    if (codes.length) o.push(`<p>Findings: ${codes.map(([k, n]) => `<code>${esc(k)}</code> ${n}`).join(', ')}</p>\n`);
    for (const f of tail.findings) o.push(`<p><span class="badge b-${f.severity}">${f.severity}</span> <code>${f.code}</code> ${esc(f.message, 600)}</p>\n`);
    for (const line of limitsText(tail.limits)) o.push(`<p class="muted">${esc(line)}</p>\n`);
    const probs = Object.entries(tail.problems).filter(([, n]) => n > 0);
    if (probs.length) o.push(`<p class="muted">Decode problems: ${probs.map(([k, n]) => `${esc(k)} ${n}`).join(', ')}</p>\n`);
    if (tail.comparison) o.push(pointsHtml(tail.comparison));
    o.push('<h2>Sessions</h2>\n');
    if (this.rows.length === 0) o.push('<p>No FTP control sessions found (port 21, --ports, or a 220 banner followed by an FTP command).</p>\n');
    else {
      const rows = [...this.rows].sort((a, b) => Number(b.failing) - Number(a.failing) || a.id - b.id);
      o.push('<table class="sessions"><tr><th>#</th><th>client → server</th><th>mode</th><th>user</th><th>data connections</th><th>top finding</th></tr>\n');
      for (const r of rows) o.push(r.html);
      o.push('</table>\n');
      if (this.rowsDropped) o.push(`<p class="muted">${plural(this.rowsDropped, 'more session')} not listed (HTML_MAX_TABLE_ROWS).</p>\n`);
      if (this.notDrawn) o.push(`<p class="muted">${plural(this.notDrawn, 'session')} not drawn (the first ${HTML_MAX_LADDERS_FAILING} failing and ${HTML_MAX_LADDERS_OTHER} other sessions are); <code>--session ID</code> draws any one.</p>\n`);
    }
    o.push('</section>\n</main>\n');
    o.push(`<script>${JS}</script>\n</body>\n</html>\n`);
    this.out.write(o.join(''));
  }
}

/** `analyze --at`: the capture points in path order, the clocks' offsets, NAT between them (each
 * data connection's verdict is in its row). */
function pointsHtml(c: Comparison): string {
  const o = [`<h2>Capture points</h2>\n<p>${c.points.map((p) => `<b>${esc(p.name)}</b> <span class="mono">${esc(p.file, 300)}</span> (${plural(p.sessions, 'session')})`).join(' → ')} <span class="muted">client side first (${c.order})</span></p>\n`];
  for (const f of c.offsets) o.push(`<p>clock offset ${esc(f.b)} → ${esc(f.a)}: ${f.offsetSeconds === null ? 'unknown' : `${(f.offsetSeconds * 1000).toFixed(3)} ms`} <span class="muted">(${plural(f.samples, 'packet')})</span></p>\n`);
  const nats = [...new Set(c.sessions.flatMap((s) => (s.nat ? [translationText(s.nat)] : [])))];
  for (const n of nats.slice(0, MAX_FINDINGS)) o.push(`<p class="mono">${esc(n, 600)}</p>\n`);
  return o.join('');
}

// --- one session

const MAX_DC_ROWS_FAILED = 200;
const MAX_DC_ROWS_OTHER = 50;
const MAX_FINDINGS = 50;

function sessionSection(s: SessionReport, bad: boolean, compared: ComparedPoints | null): string {
  const o: string[] = [];
  const nBad = s.dataConnections.filter(isFailed).length;
  o.push(`<section class="session ${bad ? 'failing' : 'ok'}" id="s${s.id}">\n`);
  o.push(`<h2>Session ${s.id} <span class="mono">${esc(endpointOrDash(s.client))} → ${esc(endpointOrDash(s.server))}</span> <span class="badge">${s.mode}</span>${s.tls ? ' <span class="badge">TLS</span>' : ''}${nBad ? ` <span class="badge b-error">${plural(nBad, 'failed data connection')}</span>` : ''}</h2>\n`);
  const who = s.user === null ? (s.login === 'none' ? 'no login seen' : `login ${s.login}`) : `user <b>${esc(s.user, 120)}</b> login ${s.login}`;
  o.push(`<p class="meta">${esc(s.start)} · ${who} · ${plural(s.commands, 'command')} · ${plural(s.dataConnections.length, 'data connection')} · captured ${s.capturePoint}${s.midStream ? ' · picked up mid-session' : ''}${s.banner ? ` · banner <code>${esc(s.banner.split('\n')[0], 160)}</code>` : ''}</p>\n`);
  o.push(ladderSvg(ladderOf(s)));
  if (compared) o.push(pathLadderHtml(compared, s.id));
  o.push(filterLine(`wsf-s${s.id}`, 'Wireshark filter', s.wiresharkFilter, s.evidence ?? null));
  o.push(dcTable(s));
  if (s.findings.length) {
    o.push('<ul class="findings">\n');
    for (const f of s.findings.slice(0, MAX_FINDINGS)) {
      const frames = f.frames.length ? ` <span class="muted">(frames ${f.frames.slice(0, 8).join(', ')}${f.frames.length > 8 ? ', …' : ''})</span>` : '';
      o.push(`<li><span class="badge b-${f.severity}">${f.severity}</span> <code>${f.code}</code> ${esc(f.message, 800)}${frames}</li>\n`);
    }
    if (s.findings.length > MAX_FINDINGS) o.push(`<li class="muted">${plural(s.findings.length - MAX_FINDINGS, 'more finding')}</li>\n`);
    o.push('</ul>\n');
  }
  o.push('</section>\n');
  return o.join('');
}

/** A display filter with a copy button, and the session's evidence capture (`--evidence`) linked
 * by its name: the page and the capture files are meant to sit in one folder. */
function filterLine(id: string, label: string, filter: string | null, evidence: string | null, inline = false): string {
  if (filter === null) return '';
  const file = evidence !== null ? ` · evidence <a href="${esc(encodeURIComponent(evidence))}">${esc(evidence, 300)}</a>` : '';
  const body = `${label} <code id="${id}">${esc(filter, 4000)}</code> <button type="button" class="copy" data-copy="${id}" title="copy the filter">copy</button>${file}`;
  return inline ? `<br /><span class="wsf">${body}</span>` : `<p class="wsf">${body}</p>\n`;
}

function dcTable(s: SessionReport): string {
  if (s.dataConnections.length === 0) return '<p class="muted">No data connection announced or seen.</p>\n';
  const failed = s.dataConnections.filter((d) => isFailed(d) || d.outcome === 'incomplete');
  const other = s.dataConnections.filter((d) => !(isFailed(d) || d.outcome === 'incomplete'));
  const shown = [...failed.slice(0, MAX_DC_ROWS_FAILED), ...other.slice(0, MAX_DC_ROWS_OTHER)].sort((a, b) => a.id - b.id);
  const o: string[] = ['<table class="dcs"><tr><th>#</th><th>mode</th><th>transfer</th><th>connection</th><th>bytes</th><th>replies</th><th>outcome</th><th>diagnosis · firewall rule needed</th></tr>\n'];
  for (const d of shown) o.push(dcRow(s, d));
  o.push('</table>\n');
  const hidden = s.dataConnections.length - shown.length;
  if (hidden) o.push(`<p class="muted">${plural(hidden, 'more data connection')} not listed (${OUTCOMES.filter((x) => !FAILED_OUTCOMES.has(x)).join(', ')}).</p>\n`);
  return o.join('');
}

function dcRow(s: SessionReport, d: DataConnectionReport): string {
  const a = d.announced;
  const ann = a ? `${a.command} ${esc(endpointOrDash({ ip: a.ip ?? '?', port: a.port }))} <span class="muted">frame ${a.frame}</span>` : '<span class="muted">no announcement</span>';
  const xfer = d.command ? `${esc(d.command)} ${d.argument ? esc(d.argument, 300) : ''}` : '<span class="muted">-</span>';
  const conn = d.from ? `${d.initiator} ${esc(endpointOrDash(d.from))} → ${esc(endpointOrDash(d.to))}${d.tcp ? ` <span class="muted">[${esc(d.tcp.state)} ${esc(d.tcp.history, 40)}]</span>` : ''}` : `${d.initiator} expected to connect; no connection seen`;
  const f = d.file;
  // --hash: the payload under the byte count (the hash in full: it is what gets compared)
  const file = f ? `<br /><span class="mono muted">sha256 ${f.sha256 ?? '-'}</span><br />${f.complete ? 'complete' : `<b>incomplete</b> (${esc(f.incomplete ?? '')}${f.missedBytes > 0 ? `, ${f.missedBytes} B missed` : ''})`}${f.extracted ? ` → ${esc(f.extracted, 300)}` : ''}` : '';
  const bytes = d.bytes !== null ? `${d.bytes}${d.expectedBytes !== null ? ` / ${d.expectedBytes}` : ''}${file}` : '-';
  const rule = isFailed(d) || d.outcome === 'incomplete' ? `${esc(d.diagnosis, 1200)}<br /><span class="rule">${esc(d.firewallRule, 300)}</span>` : `<span class="muted">${esc(d.firewallRule, 300)}</span>`;
  const across = d.acrossPoints ? `<br /><span class="path path-${d.acrossPoints.path}">between the capture points: ${esc(d.acrossPoints.sentence, 1200)}</span>` : '';
  const diag = `${rule}${across}${filterLine(`wsf-s${s.id}-d${d.id}`, 'filter', d.wiresharkFilter, null, true)}`;
  return `<tr id="s${s.id}-d${d.id}"><td>${d.id}</td><td>${d.mode}<br />${ann}</td><td>${xfer}</td><td class="mono">${conn}</td><td>${bytes}</td><td>${d.replies.join(', ') || '-'}</td><td><span class="badge b-${d.outcome}">${d.outcome}</span></td><td class="diag">${diag}</td></tr>\n`;
}

// --- the SVG ladder

const W = 1200;
const X_TIME = 6;
const X_FRAME = 78;
const X_CLIENT = 200;
const X_SERVER = 600;
const X_LINK = 618;
const X_NOTE = 680;
const NOTE_W = W - X_NOTE - 6;
const NOTE_CHARS = 76;
const ROW_H = 22;
const TOP = 52;
const LABEL_CHARS = 60;


/** An arrow from one lane to the other: line, arrowhead (or ✕ short of the far lane), label. */
function arrowSvg(y: number, fromClient: boolean, cls: string, label: string, title: string, stopShort: boolean, href: string | null): string {
  const x1 = fromClient ? X_CLIENT : X_SERVER;
  const far = fromClient ? X_SERVER : X_CLIENT;
  const x2 = stopShort ? x1 + (far - x1) * 0.8 : far;
  const dir = x2 > x1 ? 1 : -1;
  const head = stopShort
    ? `<text class="x ${cls}" x="${(x2 + dir * 4).toFixed(1)}" y="${y + 5}" text-anchor="middle">✕</text>`
    : `<path class="head ${cls}" d="M${x2} ${y} l${-dir * 9} -4 v8 z" />`;
  const mid = (X_CLIENT + X_SERVER) / 2;
  let text = `<text class="${cls.startsWith('o-') ? cls : ''}" x="${mid}" y="${y - 5}" text-anchor="middle">${esc(label, 200)}<title>${esc(title, 600)}</title></text>`;
  if (href) text = `<a href="${href}">${text}</a>`;
  return `<line class="${cls.startsWith('o-') ? 'tcp' : 'ctl'} ${cls}" x1="${x1}" y1="${y}" x2="${(x2 - (stopShort ? 0 : dir * 8)).toFixed(1)}" y2="${y}" />${head}${text}\n`;
}

/** An ICMP rejection: from the rejecting device (a diamond where a rejected SYN's ✕ stops,
 * titled with its address) back to the lane of the SYN's sender. */
function deviceArrowSvg(y: number, fromClient: boolean, cls: string, label: string, title: string, device: string, href: string): string {
  const far = fromClient ? X_SERVER : X_CLIENT;
  const near = fromClient ? X_CLIENT : X_SERVER;
  const x1 = near + (far - near) * 0.2;
  const dir = far > x1 ? 1 : -1;
  const mark = `<path class="head ${cls}" d="M${x1.toFixed(1)} ${y - 6} l6 6 l-6 6 l-6 -6 z"><title>${esc(`rejecting device ${device}`, 200)}</title></path>`;
  const head = `<path class="head ${cls}" d="M${far} ${y} l${-dir * 9} -4 v8 z" />`;
  const mid = (x1 + far) / 2;
  const text = `<a href="${href}"><text class="${cls}" x="${mid.toFixed(1)}" y="${y - 5}" text-anchor="middle">${esc(label, 200)}<title>${esc(title, 600)}</title></text></a>`;
  return `<line class="tcp ${cls}" x1="${x1.toFixed(1)}" y1="${y}" x2="${(far - dir * 8).toFixed(1)}" y2="${y}" />${mark}${head}${text}\n`;
}

function ladderSvg(l: Ladder): string {
  const s = l.session;
  const sid = `s${s.id}`;
  const body: string[] = [];
  const yOf = new Map<LadderRow, number>();
  let y = TOP;
  for (const r of l.rows) {
    if (r.kind === 'note') {
      yOf.set(r, y); // beside the row it follows
      continue;
    }
    y += ROW_H;
    yOf.set(r, y);
  }
  const rowsBottom = y + ROW_H;

  // Where each data connection's rows are: its announcement and its TCP events.
  const span = new Map<number, { from: number; to: number; ann: number | null }>();
  const mark = (dc: number, yy: number, ann: boolean): void => {
    const sp = span.get(dc);
    if (!sp) span.set(dc, { from: yy, to: yy, ann: ann ? yy : null });
    else {
      sp.from = Math.min(sp.from, yy);
      sp.to = Math.max(sp.to, yy);
      if (ann && sp.ann === null) sp.ann = yy;
    }
  };

  for (const r of l.rows) {
    const ry = yOf.get(r) ?? 0;
    if (r.kind === 'control') {
      const err = r.code !== null && r.code >= 400;
      const ann = r.announces.length ? `  ⇒ [${r.announces.join(', ')}]` : '';
      for (const id of r.announces) mark(id, ry, true);
      const href = r.announces.length ? `#${sid}-d${r.announces[0]}` : null;
      body.push(`<text class="t" x="${X_TIME}" y="${ry + 4}">${rel(r.t)}</text><text class="fr" x="${X_FRAME}" y="${ry + 4}">#${r.frame}</text>`);
      body.push(arrowSvg(ry, r.from === 'client', err ? 'err' : '', cutLabel(r.text, LABEL_CHARS) + ann, r.text, false, href));
    } else if (r.kind === 'tcp') {
      mark(r.dc, ry, false);
      const label = tcpLabel(r, l.dcs.get(r.dc));
      body.push(`<text class="t" x="${X_TIME}" y="${ry + 4}">${rel(r.t)}</text><text class="fr" x="${X_FRAME}" y="${ry + 4}">#${r.frame}</text>`);
      if (r.event === 'icmp-unreachable') body.push(deviceArrowSvg(ry, r.from === 'client', `o-${r.outcome}`, cutLabel(label, LABEL_CHARS), `${label} (data connection ${r.dc}, ${r.outcome})`, r.by ?? '', `#${sid}-d${r.dc}`));
      else body.push(arrowSvg(ry, r.from === 'client', `o-${r.outcome}`, cutLabel(label, LABEL_CHARS), `${label} (data connection ${r.dc}, ${r.outcome})`, r.unanswered || r.rejected, `#${sid}-d${r.dc}`));
    } else if (r.kind === 'gap') {
      body.push(`<rect class="gapband" x="${X_FRAME - 8}" y="${ry - 13}" width="${X_LINK + 56 - X_FRAME}" height="${ROW_H - 4}" rx="4" /><text class="gap" x="${(X_FRAME + X_LINK + 48) / 2}" y="${ry + 1}" text-anchor="middle">${esc(cutLabel(r.text, 100))}<title>${esc(r.text)}</title></text>\n`);
    }
  }

  // Links from each announcement down to its connection's TCP events, coloured by outcome.
  let k = 0;
  for (const [id, sp] of span) {
    const d = l.dcs.get(id);
    if (!d || sp.to === sp.from) continue;
    const x = X_LINK + (k++ % 6) * 8;
    body.push(`<path class="tcp o-${d.outcome}" d="M${X_SERVER + 4} ${sp.from} H${x} V${sp.to} H${X_SERVER + 4}" />\n`);
  }

  // Notes (diagnosis and the rule needed) beside the failed connections, pushed down when they
  // would overlap the one above.
  let noteBottom = 0;
  for (const r of l.rows) {
    if (r.kind !== 'note') continue;
    const d = l.dcs.get(r.dc);
    if (!d) continue;
    const anchor = yOf.get(r) ?? TOP;
    const head = cutLabel(dcHeadline(d), NOTE_CHARS - 8);
    const lines = wrapWords(d.diagnosis, NOTE_CHARS, 8);
    const rule = wrapWords(`firewall rule needed: ${d.firewallRule}`, NOTE_CHARS - 4, 3);
    const h = 10 + 16 * (1 + lines.length + rule.length);
    const top = Math.max(anchor - 12, noteBottom + 8);
    noteBottom = top + h;
    const tspans = [
      `<tspan class="nh" x="${X_NOTE + 8}" dy="0">${esc(head)}</tspan>`,
      ...lines.map((t) => `<tspan x="${X_NOTE + 8}" dy="16">${esc(t)}</tspan>`),
      ...rule.map((t) => `<tspan class="nr" x="${X_NOTE + 8}" dy="16">${esc(t)}</tspan>`),
    ].join('');
    body.push(`<path class="tcp o-${d.outcome}" d="M${X_SERVER + 4} ${anchor} H${X_NOTE}" /><a href="#${sid}-d${d.id}"><rect class="note o-${d.outcome}" x="${X_NOTE}" y="${top}" width="${NOTE_W}" height="${h}" rx="5" /></a><text class="nt" x="${X_NOTE + 8}" y="${top + 18}">${tspans}</text>\n`);
  }

  const height = Math.max(rowsBottom, noteBottom + 10);
  const head: string[] = [];
  head.push(`<svg class="ladder" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="Ladder diagram of session ${s.id}">\n`);
  head.push(`<text class="lanehead" x="${X_CLIENT}" y="18" text-anchor="middle">client</text><text class="fr" x="${X_CLIENT}" y="34" text-anchor="middle">${esc(endpointOrDash(s.client))}</text>`);
  head.push(`<text class="lanehead" x="${X_SERVER}" y="18" text-anchor="middle">server</text><text class="fr" x="${X_SERVER}" y="34" text-anchor="middle">${esc(endpointOrDash(s.server))}</text>`);
  head.push(`<text class="fr" x="${X_TIME}" y="34">time</text><text class="fr" x="${X_FRAME}" y="34">frame</text>`);
  if (!l.hasTimeline) head.push(`<text class="gap" x="${X_NOTE}" y="34">commands and replies not recorded</text>`);
  head.push(`<line class="lane" x1="${X_CLIENT}" y1="40" x2="${X_CLIENT}" y2="${height - 4}" /><line class="lane" x1="${X_SERVER}" y1="40" x2="${X_SERVER}" y2="${height - 4}" />\n`);
  return head.join('') + body.join('') + '</svg>\n';
}
