/**
 * The overview (src/report/overview.ts) in each format: text, NDJSON (ECS: one `ftp-overview`
 * event per failure group and per firewall rule, and one for the mix), OCSF, XML and an HTML
 * section with SVG pictures readable without script (a <title> in each mark is its hover text).
 * Addresses and times come from the capture but were parsed as such; the only free text is none:
 * still, everything is escaped for its format.
 */
import { DATA_MODES, OUTCOMES, type Outcome } from '../ftp/model.js';
import type { AnalysisReport } from './analysis.js';
import { termSafe } from './escape.js';
import { esc } from './html.js';
import { ECS_VERSION } from './ndjson.js';
import { OCSF_VERSION } from './ocsf.js';
import { ruleSyntax, type FailureGroup, type FirewallRule, type HostRow, type OverviewReport, type RuleSyntax } from './overview.js';
import { xmlBuilder, xmlElement } from './xml.js';

const plural = (n: number, w: string): string => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;
const portsOf = (g: FailureGroup): string => (g.ports ? (g.ports.from === g.ports.to ? `port ${g.ports.from}` : `ports ${g.ports.from}-${g.ports.to}`) : 'no port announced');
const clientsOf = (g: FailureGroup): string => (g.clients && g.clients.length > 1 ? `${g.clients.length} clients (${g.clients.join(', ')})` : g.clients?.length === 1 ? `client ${g.clients[0]}` : `clients in ${g.clientNetwork}`);
const mib = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** One line that names a failure group. */
export function groupHeadline(g: FailureGroup): string {
  if (g.code === 'control-refused') return `refused (control-refused): ${plural(g.sessions, 'control connection')}, ${clientsOf(g)} -> server ${g.server} ${portsOf(g)}`;
  const path = g.initiator === 'client' ? `${clientsOf(g)} -> server ${g.server} ${portsOf(g)} (passive)` : `server ${g.server} -> ${clientsOf(g)} ${portsOf(g)} (active)`;
  return `${g.outcome}${g.code && g.code !== codeOfOutcome(g.outcome) ? ` (${g.code})` : ''}: ${plural(g.dataConnections, 'data connection')} in ${plural(g.sessions, 'session')}, ${path}`;
}

function codeOfOutcome(o: Outcome): string {
  return o === 'no-answer' || o === 'refused' || o === 'not-attempted' || o === 'reset' ? `data-${o}` : `transfer-${o}`;
}

function hostLine(h: HostRow): string {
  const outcomes = Object.entries(h.byOutcome).map(([k, n]) => `${k} ${n}`).join(', ');
  return `${h.ip.padEnd(16)} ${plural(h.sessions, 'session')}, ${plural(h.dataConnections, 'data connection')}${outcomes ? ` (${outcomes})` : ''}, ${mib(h.bytes)}`;
}

export function overviewText(o: OverviewReport, rules: RuleSyntax | null): string {
  const out: string[] = [];
  out.push(`Overview: ${plural(o.sessions, 'session')}, ${plural(o.dataConnections, 'data connection')} (${o.failedDataConnections} failed), ${o.firstTime ?? '-'} .. ${o.lastTime ?? '-'}`);
  out.push(`  modes: ${DATA_MODES.filter((m) => o.byMode[m] > 0).map((m) => `${m} ${o.byMode[m]}`).join(', ') || 'no data connection'}`);
  out.push(`  logins: success ${o.logins.success}, failed ${o.logins.failed}, none ${o.logins.none}, unknown ${o.logins.unknown}; encrypted sessions ${o.encryptedSessions}`);
  out.push(`  bytes: download ${mib(o.bytes.download)}, upload ${mib(o.bytes.upload)}, listing ${mib(o.bytes.listing)}`);
  if (o.failureGroups.length) {
    out.push(`Failures by cause (${o.failureGroups.length} group${o.failureGroups.length === 1 ? '' : 's'}):`);
    o.failureGroups.forEach((g, i) => {
      out.push(`  ${i + 1}. ${termSafe(groupHeadline(g), 400)}`);
      out.push(`     ${g.firstTime} .. ${g.lastTime}; sessions ${g.examples.map((e) => (e.dataConnection === null ? `${e.session}` : `${e.session}[${e.dataConnection}]`)).join(', ')}${g.sessions > g.examples.length ? ', ...' : ''}${g.exampleFrames.length ? `; frames ${g.exampleFrames.join(', ')} (session ${g.examples[0].session})` : ''}`);
    });
  } else out.push('Failures by cause: none');
  if (o.firewallRules.length) {
    out.push(`Firewall rules needed (${o.firewallRules.length}, from the ports announced; to review, never applied):`);
    for (const r of o.firewallRules) {
      out.push(`  ${termSafe(r.text, 300)}  # ${plural(r.connections, 'blocked connection')}`);
      if (rules) out.push(`    ${ruleSyntax(r, rules)}`);
    }
  }
  if (o.servers.length) {
    out.push('Busiest servers:');
    for (const h of o.servers) out.push(`  ${termSafe(hostLine(h), 300)}`);
  }
  if (o.clients.length) {
    out.push('Busiest clients:');
    for (const h of o.clients) out.push(`  ${termSafe(hostLine(h), 300)}`);
  }
  if (o.serversWithMismatches.length) {
    out.push('Address mismatches (NAT) by server:');
    for (const h of o.serversWithMismatches) out.push(`  ${h.ip} announced ${h.announcedAddresses.join(', ') || '-'} (${plural(h.addressMismatches, 'finding')})`);
  }
  if (o.clientsWithFailedLogins.length) {
    out.push('Failed logins by client:');
    for (const h of o.clientsWithFailedLogins) out.push(`  ${h.ip} ${plural(h.failedLogins, 'failed login')}${h.bruteForce ? ' BRUTE FORCE' : ''}`);
  }
  const dropped = Object.entries(o.dropped);
  if (dropped.length) out.push(`Overview incomplete (bounds of src/limits.ts): ${dropped.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push('', '');
  return out.join('\n');
}

// --- NDJSON (ECS) and OCSF -------------------------------------------------------------------

function observer(tool: AnalysisReport['tool']): Record<string, unknown> {
  return { product: tool.name, version: tool.version, type: 'analyzer' };
}

function groupEvent(g: FailureGroup, tool: AnalysisReport['tool']): Record<string, unknown> {
  return {
    '@timestamp': g.firstTime,
    ecs: { version: ECS_VERSION },
    event: { kind: 'event', category: ['network'], type: ['connection', 'denied'], action: 'ftp-overview', outcome: 'failure', module: 'ftp_pcap', dataset: 'ftp_pcap.overview', start: g.firstTime, end: g.lastTime },
    message: groupHeadline(g),
    destination: { ip: g.server, ...(g.ports && g.ports.from === g.ports.to ? { port: g.ports.from } : {}) },
    server: { ip: g.server },
    ...(g.clients?.length === 1 ? { source: { ip: g.clients[0] }, client: { ip: g.clients[0] } } : {}),
    network: { transport: 'tcp', protocol: g.code === 'control-refused' ? 'ftp' : 'ftp-data' },
    related: { ip: [g.server, ...(g.clients ?? [])] },
    observer: observer(tool),
    ftp: { overview: { kind: 'failure-group', group: g } },
  };
}

function ruleEvent(r: FirewallRule, tool: AnalysisReport['tool'], time: string | null): Record<string, unknown> {
  const [src, dst] = [r.source, r.destination];
  return {
    '@timestamp': time,
    ecs: { version: ECS_VERSION },
    event: { kind: 'event', category: ['network'], type: ['info'], action: 'ftp-overview', module: 'ftp_pcap', dataset: 'ftp_pcap.overview' },
    message: r.text,
    ...(src.includes('/') ? {} : { source: { ip: src } }),
    ...(dst.includes('/') ? {} : { destination: { ip: dst, ...(r.ports.from === r.ports.to ? { port: r.ports.from } : {}) } }),
    network: { transport: 'tcp', protocol: 'ftp-data', direction: r.direction === 'inbound-to-server' ? 'ingress' : 'egress' },
    observer: observer(tool),
    ftp: { overview: { kind: 'firewall-rule', rule: r, nft: ruleSyntax(r, 'nft'), iptables: ruleSyntax(r, 'iptables') } },
  };
}

function mixEvent(o: OverviewReport, tool: AnalysisReport['tool']): Record<string, unknown> {
  const { failureGroups: _g, firewallRules: _r, ...mix } = o;
  return {
    '@timestamp': o.firstTime,
    ecs: { version: ECS_VERSION },
    event: { kind: 'metric', category: ['network'], type: ['info'], action: 'ftp-overview', module: 'ftp_pcap', dataset: 'ftp_pcap.overview', start: o.firstTime, end: o.lastTime },
    message: `FTP overview: ${plural(o.sessions, 'session')}, ${plural(o.dataConnections, 'data connection')} (${o.failedDataConnections} failed), ${plural(o.failureGroups.length, 'failure group')}, ${plural(o.firewallRules.length, 'firewall rule')}.`,
    observer: observer(tool),
    ftp: { overview: { kind: 'summary', ...mix } },
  };
}

export function overviewNdjson(o: OverviewReport, tool: AnalysisReport['tool']): string {
  const events = [mixEvent(o, tool), ...o.failureGroups.map((g) => groupEvent(g, tool)), ...o.firewallRules.map((r) => ruleEvent(r, tool, o.firstTime))];
  return events.map((e) => JSON.stringify(e) + '\n').join('');
}

/** OCSF (the version of src/report/ocsf.ts): each failure group and each firewall rule as a
 * Detection Finding (class 2004), the record itself in `unmapped.ftp_overview`; epoch milliseconds
 * with their `_dt` siblings, as the session events. */
export function overviewOcsf(o: OverviewReport, tool: AnalysisReport['tool']): string {
  const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
  const finding = (kind: string, title: string, uid: string, first: string | null, last: string | null, record: unknown, severity: 1 | 4): Record<string, unknown> => ({
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    time: ms(first),
    ...(first !== null ? { time_dt: first } : {}),
    severity_id: severity,
    severity: severity === 4 ? 'High' : 'Informational',
    status_id: 1,
    status: 'New',
    message: title,
    metadata: { product: { name: tool.name, vendor_name: tool.name, version: tool.version }, version: OCSF_VERSION, profiles: ['datetime'], event_code: `ftp-overview-${kind}`, log_name: 'ftp-pcap analyze' },
    finding_info: { uid, title, desc: title, types: [`ftp-overview-${kind}`], first_seen_time: ms(first), last_seen_time: ms(last), analytic: { uid: `ftp-overview-${kind}`, name: `ftp-overview-${kind}`, type_id: 1, type: 'Rule' }, data_sources: ['packet capture'] },
    is_alert: severity === 4,
    unmapped: { ftp_overview: record },
  });
  const lines = [
    ...o.failureGroups.map((g, i) => finding('failure-group', groupHeadline(g), `ftp-overview-group-${i + 1}`, g.firstTime, g.lastTime, g, 4)),
    ...o.firewallRules.map((r, i) => finding('firewall-rule', r.text, `ftp-overview-rule-${i + 1}`, o.firstTime, o.lastTime, { ...r, nft: ruleSyntax(r, 'nft'), iptables: ruleSyntax(r, 'iptables') }, 1)),
  ];
  return lines.map((e) => JSON.stringify(e) + '\n').join('');
}

export function overviewXml(o: OverviewReport): string {
  return xmlElement(xmlBuilder(), 'overview', o);
}

// --- HTML ----------------------------------------------------------------------------------------

const OUTCOME_COLOUR: Record<Outcome, string> = {
  completed: '#1a7f37',
  unused: '#8c959f',
  incomplete: '#57606a',
  'no-answer': '#cf222e',
  refused: '#a40e26',
  reset: '#e16f24',
  truncated: '#fa4549',
  'not-attempted': '#9a6700',
  aborted: '#bf8700',
  failed: '#d4a72c',
};

/** An axis time: the date and the clock to the second, UTC (the hover texts have the full time). */
const axisTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/**
 * Sessions and data connections per time bucket as bars above the axis, failed data connections
 * below it on their own scale (a few failures among thousands of connections stay visible); each
 * bucket's <title> is its hover.
 */
function timelineSvg(o: OverviewReport): string {
  const b = o.timeline.buckets;
  if (b.length === 0) return '';
  const W = 1000;
  const top = 14;
  const base = 120;
  const band = 34;
  const w = W / b.length;
  const max = Math.max(1, ...b.map((x) => Math.max(x.sessions, x.dataConnections)));
  const maxFailed = Math.max(1, ...b.map((x) => x.failed));
  const y = (n: number): number => (n / max) * (base - top);
  const bars = b
    .map((x, i) => {
      const sx = (i * w).toFixed(1);
      const bw = Math.max(1, w * 0.8);
      const t = `${x.start} (+${o.timeline.bucketSeconds} s): ${plural(x.sessions, 'session')} started, ${plural(x.dataConnections, 'data connection')}, ${x.failed} failed`;
      // Per bucket: sessions started (left half), data connections (right half); failed ones below.
      const half = bw / 2;
      const bar = (n: number, k: number, fill: string): string => (n ? `<rect x="${(i * w + k * half).toFixed(1)}" y="${(base - Math.max(2, y(n))).toFixed(1)}" width="${Math.max(1, half).toFixed(1)}" height="${Math.max(2, y(n)).toFixed(1)}" fill="${fill}" />` : '');
      const failed = x.failed ? `<rect x="${sx}" y="${base + 2}" width="${bw.toFixed(1)}" height="${Math.max(2, (x.failed / maxFailed) * band).toFixed(1)}" fill="#cf222e" />` : '';
      return `<g><title>${esc(t)}</title><rect x="${sx}" y="${top}" width="${bw.toFixed(1)}" height="${base + band - top}" fill="#ffffff" fill-opacity="0" />${bar(x.sessions, 0, '#0969da')}${bar(x.dataConnections, 1, '#9fc5e8')}${failed}</g>`;
    })
    .join('');
  const ty = base + band + 18;
  const axis = `<line x1="0" y1="${base}" x2="${W}" y2="${base}" stroke="#8c959f" /><text x="0" y="${ty}" font-size="12" fill="#57606a">${esc(axisTime(b[0].start))}</text><text x="${W}" y="${ty}" font-size="12" fill="#57606a" text-anchor="end">${esc(axisTime(o.lastTime ?? b[b.length - 1].start))}</text><text x="${W}" y="${top - 2}" font-size="12" fill="#57606a" text-anchor="end">max ${max} per ${o.timeline.bucketSeconds} s</text><text x="${W}" y="${base + band + 2}" font-size="12" fill="#cf222e" text-anchor="end">failed: max ${o.failedDataConnections ? maxFailed : 0} per ${o.timeline.bucketSeconds} s</text>`;
  const ly = ty + 6;
  const legend = `<rect x="260" y="${ly}" width="10" height="10" fill="#0969da" /><text x="274" y="${ly + 9}" font-size="12">sessions started</text><rect x="400" y="${ly}" width="10" height="10" fill="#9fc5e8" /><text x="414" y="${ly + 9}" font-size="12">data connections</text><rect x="550" y="${ly}" width="10" height="10" fill="#cf222e" /><text x="564" y="${ly + 9}" font-size="12">failed data connections (below the axis)</text>`;
  return `<svg class="ladder" viewBox="0 0 ${W} ${ly + 16}" role="img" aria-label="timeline of sessions and failed data connections">${bars}${axis}${legend}</svg>\n`;
}

/** One bar per server (the busiest), its data connections' outcomes side by side. */
function serverBars(o: OverviewReport): string {
  const rows = o.servers.filter((h) => h.dataConnections > 0);
  if (rows.length === 0) return '';
  const W = 1000;
  const rowH = 22;
  const label = 170;
  const max = Math.max(...rows.map((h) => h.dataConnections));
  const parts = rows.map((h, i) => {
    const y = i * rowH + 4;
    let x = label;
    const segs = OUTCOMES.filter((k) => h.byOutcome[k]).map((k) => {
      const n = h.byOutcome[k] ?? 0;
      const w = ((W - label - 120) * n) / max;
      const seg = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(1, w).toFixed(1)}" height="${rowH - 6}" fill="${OUTCOME_COLOUR[k]}"><title>${esc(`${h.ip}: ${k} ${n}`)}</title></rect>`;
      x += w;
      return seg;
    });
    return `<text x="0" y="${y + 13}" font-size="12" font-family="monospace">${esc(h.ip, 40)}</text>${segs.join('')}<text x="${(x + 4).toFixed(1)}" y="${y + 13}" font-size="11" fill="#57606a">${h.dataConnections}${h.failed ? ` (${h.failed} failed)` : ''}</text>`;
  });
  const used = OUTCOMES.filter((k) => rows.some((h) => h.byOutcome[k]));
  const ly = rows.length * rowH + 14;
  const legend = used.map((k, i) => `<rect x="${label + i * 110}" y="${ly - 9}" width="10" height="10" fill="${OUTCOME_COLOUR[k]}" /><text x="${label + 14 + i * 110}" y="${ly}" font-size="12">${k}</text>`).join('');
  return `<svg class="ladder" viewBox="0 0 ${W} ${ly + 8}" role="img" aria-label="data connection outcomes per server">${parts.join('')}${legend}</svg>\n`;
}

/** A time as its clock reading to the millisecond, the full ISO time as its hover text. */
const clock = (iso: string): string => `<span title="${esc(iso)}">${esc(iso.slice(11, 23))}</span>`;

export function overviewHtml(o: OverviewReport): string {
  const h: string[] = [];
  h.push(`<section id="ftp-overview">\n<h2>Overview</h2>\n<p>${plural(o.sessions, 'session')}, ${plural(o.dataConnections, 'data connection')}, <strong>${o.failedDataConnections} failed</strong> · modes ${DATA_MODES.filter((m) => o.byMode[m] > 0).map((m) => `${m} ${o.byMode[m]}`).join(', ') || 'none'} · logins ok ${o.logins.success}, failed ${o.logins.failed} · encrypted ${o.encryptedSessions} · down ${mib(o.bytes.download)}, up ${mib(o.bytes.upload)}, listings ${mib(o.bytes.listing)}</p>\n`);
  h.push(timelineSvg(o));
  h.push(serverBars(o));
  if (o.failureGroups.length) {
    h.push('<h2>Failures by cause</h2>\n<table class="groups"><tr><th>#</th><th>outcome</th><th>server</th><th>clients</th><th>connections</th><th>first .. last</th><th>sessions</th></tr>\n');
    o.failureGroups.forEach((g, i) => {
      const ex = g.examples.map((e) => `<a href="#s${e.session}">${e.session}</a>`).join(', ');
      h.push(`<tr><td>${i + 1}</td><td><span class="badge b-${g.outcome}">${g.outcome}</span>${g.code ? ` <code>${esc(g.code)}</code>` : ''}</td><td class="mono">${esc(g.server)} ${esc(portsOf(g))}</td><td class="mono">${esc(g.clients ? g.clients.join(', ') : g.clientNetwork, 400)}</td><td>${g.code === 'control-refused' ? plural(g.sessions, 'control connection') : `${g.dataConnections} in ${plural(g.sessions, 'session')}`}</td><td class="mono">${clock(g.firstTime)} .. ${clock(g.lastTime)}</td><td>${ex}${g.sessions > g.examples.length ? ' …' : ''}${g.exampleFrames.length ? `<br /><span class="muted">frames ${g.exampleFrames.join(', ')}</span>` : ''}</td></tr>\n`);
    });
    h.push('</table>\n');
  }
  if (o.firewallRules.length) {
    h.push('<h2>Firewall rules needed</h2>\n<p class="muted">From the ports the servers and clients announced; text to review, never applied.</p>\n<table class="rules"><tr><th>rule</th><th>blocked connections</th><th>nftables / iptables</th></tr>\n');
    for (const r of o.firewallRules) h.push(`<tr><td><span class="rule">${esc(r.text)}</span></td><td>${r.connections}</td><td class="mono">${esc(ruleSyntax(r, 'nft'))}<br />${esc(ruleSyntax(r, 'iptables'))}</td></tr>\n`);
    h.push('</table>\n');
  }
  const hosts = (title: string, rows: HostRow[], extra: string, cell: (r: HostRow) => string): void => {
    if (!rows.length) return;
    h.push(`<h2>${title}</h2>\n<table><tr><th>address</th><th>sessions</th><th>data connections</th><th>failed data connections</th><th>bytes</th><th>${extra}</th></tr>\n`);
    for (const r of rows) h.push(`<tr><td class="mono">${esc(r.ip)}</td><td>${r.sessions}</td><td>${r.dataConnections}</td><td>${r.failed}</td><td>${mib(r.bytes)}</td><td>${cell(r)}</td></tr>\n`);
    h.push('</table>\n');
  };
  const logins = (r: HostRow): string => (r.failedLogins ? `${plural(r.failedLogins, 'failed login')}${r.bruteForce ? ' <span class="badge b-error">brute force</span>' : ''}` : '');
  hosts('Busiest servers', o.servers, 'announced addresses', (r) => (r.announcedAddresses.length ? esc(r.announcedAddresses.join(', ')) : ''));
  hosts('Busiest clients', o.clients, 'logins', logins);
  hosts('Address mismatches (NAT) by server', o.serversWithMismatches, 'announced addresses', (r) => esc(r.announcedAddresses.join(', ')));
  hosts('Failed logins by client', o.clientsWithFailedLogins, 'logins', logins);
  const dropped = Object.entries(o.dropped);
  if (dropped.length) h.push(`<p class="muted">Overview incomplete: ${dropped.map(([k, n]) => `${esc(k)} ${n}`).join(', ')}</p>\n`);
  h.push('</section>\n');
  return h.join('');
}
