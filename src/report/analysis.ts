/**
 * The report model of `ftp-pcap analyze` (DESIGN.md §4) and its writers: JSON (one document) and
 * text for terminals. Every other format (NDJSON, XML, HTML) is written from this same model.
 */
import type { InfoInput } from './inputs.js';
import type { Finding, SessionReport, Outcome, DataMode } from '../ftp/model.js';
import { OUTCOMES, DATA_MODES } from '../ftp/model.js';
import { termSafe } from './escape.js';

export interface AnalysisReport {
  tool: { name: 'ftp-pcap'; version: string };
  inputs: InfoInput[];
  /** Every input read to its end. */
  complete: boolean;
  sessions: SessionReport[];
  /** Findings that span sessions (brute-force from one client). */
  findings: (Finding & { client: string })[];
  summary: {
    sessions: number;
    dataConnections: number;
    byOutcome: Record<Outcome, number>;
    byMode: Record<DataMode, number>;
    findings: Record<string, number>;
  };
  /** Anything dropped or skipped to stay within a bound (src/limits.ts), by name. */
  limits: Record<string, number>;
  /** Decode and parsing anomalies, by stable reason name. */
  problems: Record<string, number>;
}

export function summarize(sessions: SessionReport[], cross: AnalysisReport['findings']): AnalysisReport['summary'] {
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const byMode = Object.fromEntries(DATA_MODES.map((m) => [m, 0])) as Record<DataMode, number>;
  const findings: Record<string, number> = {};
  let dc = 0;
  for (const s of sessions) {
    for (const d of s.dataConnections) {
      dc++;
      byOutcome[d.outcome]++;
      byMode[d.mode]++;
    }
    for (const f of s.findings) findings[f.code] = (findings[f.code] ?? 0) + 1;
  }
  for (const f of cross) findings[f.code] = (findings[f.code] ?? 0) + 1;
  return { sessions: sessions.length, dataConnections: dc, byOutcome, byMode, findings };
}

export function renderJson(r: AnalysisReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

const FAILED = new Set<Outcome>(['no-answer', 'refused', 'not-attempted', 'reset', 'aborted', 'truncated', 'failed']);
const SEV_MARK: Record<string, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

function ep(e: { ip: string; port: number } | null): string {
  if (!e) return '-';
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** A terminal report: per session, one line per data connection, then the findings. */
export function renderText(r: AnalysisReport): string {
  const out: string[] = [];
  for (const i of r.inputs) {
    out.push(`${termSafe(i.path)}: ${i.format ?? 'unreadable'}${i.gzip ? ' (gzip)' : ''}, ${i.packets.toLocaleString('en-US')} packets, ${i.firstTime ?? '-'} .. ${i.lastTime ?? '-'}${i.complete ? '' : `  [INCOMPLETE: ${i.errors.map((e) => `${termSafe(e.message)} at byte offset ${e.offset}`).join('; ')}]`}`);
  }
  out.push('');
  if (r.sessions.length === 0) out.push('No FTP control sessions found (port 21, --ports, or a 220 banner followed by an FTP command).');
  for (const s of r.sessions) {
    const bad = s.dataConnections.filter((d) => FAILED.has(d.outcome)).length;
    out.push(`Session ${s.id}  ${ep(s.client)} -> ${ep(s.server)}  ${s.start}  mode ${s.mode}${s.tls ? '  TLS' : ''}${bad ? `  ${bad} failed data connection${bad === 1 ? '' : 's'}` : ''}`);
    const who = s.user === null ? 'no login seen' : `user ${termSafe(JSON.stringify(s.user), 80)} login ${s.login}`;
    out.push(`  ${who}${s.banner ? `; banner ${termSafe(JSON.stringify(s.banner.split('\n')[0]), 80)}` : ''}${s.midStream ? '; picked up mid-session' : ''}`);
    for (const d of s.dataConnections) {
      const ann = d.announced ? `${d.announced.command} ${ep({ ip: d.announced.ip ?? '?', port: d.announced.port })} (frame ${d.announced.frame})` : 'no announcement';
      const conn = d.from ? `${d.initiator} ${ep(d.from)} -> ${ep(d.to)}` : `${d.initiator} expected to connect, no connection seen`;
      const xfer = d.command ? `${d.command}${d.argument ? ` ${termSafe(d.argument, 80)}` : ''}` : '-';
      const bytes = d.bytes !== null ? `${d.bytes}${d.expectedBytes !== null ? `/${d.expectedBytes}` : ''} B` : '';
      out.push(`  [${d.id}] ${d.mode.padEnd(16)} ${d.outcome.toUpperCase().padEnd(13)} ${xfer}  ${bytes}  replies ${d.replies.join(',') || '-'}`);
      out.push(`      ${ann}; ${conn}${d.tcp ? ` [${d.tcp.state} ${d.tcp.history}]` : ''}`);
      if (FAILED.has(d.outcome) || d.outcome === 'incomplete') {
        out.push(`      ${termSafe(d.diagnosis, 400)}`);
        out.push(`      needed: ${d.firewallRule}`);
      }
    }
    for (const f of s.findings) out.push(`  ${SEV_MARK[f.severity]} ${f.code}: ${termSafe(f.message, 400)}${f.frames.length ? ` (frames ${f.frames.slice(0, 8).join(', ')}${f.frames.length > 8 ? ', ...' : ''})` : ''}`);
    out.push('');
  }
  for (const f of r.findings) out.push(`${SEV_MARK[f.severity]} ${f.code}: ${termSafe(f.message, 400)}`);
  const sm = r.summary;
  const outcomes = Object.entries(sm.byOutcome).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  out.push(`Summary: ${sm.sessions} session${sm.sessions === 1 ? '' : 's'}, ${sm.dataConnections} data connection${sm.dataConnections === 1 ? '' : 's'}${outcomes ? ` (${outcomes})` : ''}`);
  const lim = Object.entries(r.limits).filter(([, n]) => n > 0);
  if (lim.length) out.push(`Limits reached: ${lim.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return out.join('\n') + '\n';
}
