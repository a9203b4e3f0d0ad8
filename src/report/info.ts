/**
 * `ftp-pcap info`: what capinfos tells, plus what an FTP analyst wants first — which TCP server
 * ports carry connections, which of them look like FTP control (port 21, or a 220 banner as the
 * first bytes the server sent), and what could not be decoded.
 *
 * The collector sees every packet but does per-flow work only for SYN, SYN-ACK and segments that
 * start with "220": a full flow table is the TCP stage's job, and `info` must stay at capture speed.
 */
import type { CaptureReader } from '../capture/index.js';
import { isoTime, offsetText } from '../capture/index.js';
import { DecodeStatus, TcpFlag, type Packet } from '../decode/packet.js';
import { ENCAP_COUNT, ENCAP_NAMES, type EncapName } from '../decode/tunnel.js';
import { formatIp } from '../decode/address.js';
import { INFO_MAX_FLOWS } from '../limits.js';
import { startsWithGreeting } from '../ftp/replies.js';
import { inputsOf, type InfoInput } from './inputs.js';
import { termSafe, wireText } from './escape.js';

interface Flow {
  /** Server's initial sequence number + 1 (first byte of its stream), -1 until the SYN-ACK. */
  serverFirstSeq: number;
  port: number;
}

interface PortStats {
  connections: number;
  answered: number;
  ftpBanners: number;
  banner: string | null;
}

export class InfoCollector {
  readonly byStatus = new Float64Array(8);
  ipv4 = 0;
  ipv6 = 0;
  vlanTagged = 0;
  /** Packets per encapsulation (Encap order), counted when whole (not per outer fragment). */
  readonly tunnelled = new Float64Array(ENCAP_COUNT);
  synPackets = 0;
  untrackedSyns = 0;
  private readonly flows = new Map<string, Flow>();
  private readonly ports = new Map<number, PortStats>();

  packet(status: DecodeStatus, p: Packet): void {
    this.byStatus[status]++;
    if (p.ipVersion === 4) this.ipv4++;
    else if (p.ipVersion === 6) this.ipv6++;
    if (p.vlanIds.length > 0) this.vlanTagged++;
    const t = p.tunnels;
    if (t !== 0 && status !== DecodeStatus.FRAGMENT_PENDING) {
      for (let i = 0; i < ENCAP_COUNT; i++) if (t & (1 << i)) this.tunnelled[i]++;
    }
    if (status !== DecodeStatus.TCP) return;
    const flags = p.flags;
    if (flags & TcpFlag.SYN) {
      this.synPackets++;
      if (flags & TcpFlag.ACK) this.synAck(p);
      else this.syn(p);
      return;
    }
    // A greeting at the very start of a segment.
    if (startsWithGreeting(p.buf, p.payloadOff, p.payloadLength)) this.maybeBanner(p);
  }

  private key(p: Packet, clientToServer: boolean): string {
    const c = clientToServer ? p.src : p.dst;
    const s = clientToServer ? p.dst : p.src;
    const cp = clientToServer ? p.srcPort : p.dstPort;
    const sp = clientToServer ? p.dstPort : p.srcPort;
    return `${formatIp(c)}|${cp}|${formatIp(s)}|${sp}`;
  }

  private portStats(port: number): PortStats {
    let s = this.ports.get(port);
    if (!s) {
      s = { connections: 0, answered: 0, ftpBanners: 0, banner: null };
      this.ports.set(port, s);
    }
    return s;
  }

  private syn(p: Packet): void {
    const k = this.key(p, true);
    if (this.flows.has(k)) return; // a retransmitted SYN
    if (this.flows.size >= INFO_MAX_FLOWS) {
      this.untrackedSyns++;
      return;
    }
    this.flows.set(k, { serverFirstSeq: -1, port: p.dstPort });
    this.portStats(p.dstPort).connections++;
  }

  private synAck(p: Packet): void {
    const f = this.flows.get(this.key(p, false));
    if (!f || f.serverFirstSeq >= 0) return;
    f.serverFirstSeq = (p.seq + 1) >>> 0;
    this.portStats(f.port).answered++;
  }

  private maybeBanner(p: Packet): void {
    const k = this.key(p, false);
    const f = this.flows.get(k);
    if (!f || f.serverFirstSeq !== p.seq) return;
    const s = this.portStats(f.port);
    s.ftpBanners++;
    if (s.banner === null) {
      const end = p.buf.indexOf(0x0d, p.payloadOff);
      const stop = end >= 0 && end < p.payloadOff + p.payloadLength ? end : p.payloadOff + p.payloadLength;
      s.banner = wireText(p.buf, p.payloadOff, stop, 120);
    }
    // The banner was the only thing this flow was kept for.
    f.serverFirstSeq = -2;
  }

  portTable(): PortRow[] {
    return [...this.ports.entries()]
      .map(([port, s]) => ({
        port,
        connections: s.connections,
        answered: s.answered,
        ftp: port === 21 || s.ftpBanners > 0,
        ftpBanners: s.ftpBanners,
        banner: s.banner,
      }))
      .sort((a, b) => Number(b.ftp) - Number(a.ftp) || b.connections - a.connections || a.port - b.port);
  }
}

export interface PortRow {
  port: number;
  connections: number;
  answered: number;
  /** Port 21, or the server's first bytes were a 220 reply. */
  ftp: boolean;
  ftpBanners: number;
  banner: string | null;
}

export type { InfoInput } from './inputs.js';

export interface InfoReport {
  tool: { name: string; version: string };
  inputs: InfoInput[];
  totals: {
    packets: number;
    bytes: number;
    firstTime: string | null;
    lastTime: string | null;
    durationSeconds: number | null;
    packetsPerSecond: number | null;
  };
  traffic: { ipv4: number; ipv6: number; tcp: number; udp: number; icmp: number; otherIp: number; nonIp: number; vlanTagged: number; fragmentsHeld: number; malformed: number; unsupportedLink: number };
  /**
   * Packets that arrived encapsulated, per encapsulation (only those seen; a packet in ERSPAN
   * counts under `gre` and its ERSPAN type). `traffic` counts what was inside: the innermost IP
   * and transport.
   */
  encapsulations: Partial<Record<EncapName, number>>;
  decodeProblems: Record<string, number>;
  tcp: { connections: number; answered: number; synPackets: number; servers: PortRow[] };
  ftpPorts: number[];
  limits: Record<string, number>;
  /** Files found in directories or by globs and not read, by reason (src/capture/expand.ts); only when some were. */
  skippedFiles?: Record<string, number>;
}

export function buildInfoReport(version: string, readers: readonly CaptureReader[], c: InfoCollector, decodeCounters: Record<string, number>, skipped: Record<string, number> = {}): InfoReport {
  const inputs = inputsOf(readers);
  // Overall span: earliest first and latest last over all inputs.
  let first: CaptureReader | null = null;
  let last: CaptureReader | null = null;
  for (const r of readers) {
    if (r.firstSec < 0) continue;
    if (!first || r.firstSec < first.firstSec || (r.firstSec === first.firstSec && r.firstNsec < first.firstNsec)) first = r;
    if (!last || r.lastSec > last.lastSec || (r.lastSec === last.lastSec && r.lastNsec > last.lastNsec)) last = r;
  }
  const packets = readers.reduce((a, r) => a + r.packets, 0);
  const duration = first && last ? last.lastSec - first.firstSec + (last.lastNsec - first.firstNsec) / 1e9 : null;
  const s = c.byStatus;
  const servers = c.portTable();
  const problems: Record<string, number> = {};
  for (const [k, v] of Object.entries(decodeCounters)) if (v > 0) problems[k] = v;
  return {
    tool: { name: 'ftp-pcap', version },
    inputs,
    totals: {
      packets,
      bytes: readers.reduce((a, r) => a + r.capturedBytes, 0),
      firstTime: first ? isoTime(first.firstSec, first.firstNsec) : null,
      lastTime: last ? isoTime(last.lastSec, last.lastNsec) : null,
      durationSeconds: duration,
      packetsPerSecond: duration && duration > 0 ? packets / duration : null,
    },
    traffic: {
      ipv4: c.ipv4,
      ipv6: c.ipv6,
      tcp: s[DecodeStatus.TCP],
      udp: s[DecodeStatus.UDP],
      icmp: s[DecodeStatus.ICMP],
      otherIp: s[DecodeStatus.OTHER_IP],
      nonIp: s[DecodeStatus.NON_IP],
      vlanTagged: c.vlanTagged,
      fragmentsHeld: s[DecodeStatus.FRAGMENT_PENDING],
      malformed: s[DecodeStatus.MALFORMED],
      unsupportedLink: s[DecodeStatus.UNSUPPORTED_LINK],
    },
    encapsulations: encapsulationsOf(c.tunnelled),
    decodeProblems: problems,
    tcp: {
      connections: servers.reduce((a, p) => a + p.connections, 0),
      answered: servers.reduce((a, p) => a + p.answered, 0),
      synPackets: c.synPackets,
      servers,
    },
    ftpPorts: servers.filter((p) => p.ftp).map((p) => p.port),
    limits: c.untrackedSyns > 0 ? { 'info-max-flows': c.untrackedSyns } : {},
    ...(Object.keys(skipped).length > 0 ? { skippedFiles: { ...skipped } } : {}),
  };
}

function encapsulationsOf(counts: Float64Array): Partial<Record<EncapName, number>> {
  const out: Partial<Record<EncapName, number>> = {};
  for (let i = 0; i < ENCAP_COUNT; i++) if (counts[i] !== 0) out[ENCAP_NAMES[i]] = counts[i];
  return out;
}

/** How the text report names each encapsulation. */
const ENCAP_LABELS: Record<EncapName, string> = {
  vxlan: 'VXLAN',
  geneve: 'Geneve',
  gre: 'GRE',
  'erspan-1': 'ERSPAN I',
  'erspan-2': 'ERSPAN II',
  'erspan-3': 'ERSPAN III',
  ipip: 'IPv4-in-IPv4',
  '6in4': '6in4',
  '4in6': '4in6',
  '6in6': 'IPv6-in-IPv6',
  mpls: 'MPLS',
  pppoe: 'PPPoE',
};

/** `skippedFiles` as one text line: "2 not-a-capture, 1 hidden". */
export function skippedText(skipped: Record<string, number>): string {
  return Object.entries(skipped)
    .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
    .join(', ');
}

const n = (v: number): string => v.toLocaleString('en-US');

/** More inputs than this (an archive directory) get one line each in the text, not a block of ten. */
const FULL_INPUT_BLOCKS = 20;

export function renderInfoText(r: InfoReport, maxPorts = 20): string {
  const out: string[] = [];
  if (r.inputs.length > FULL_INPUT_BLOCKS) {
    out.push(`Files:             ${n(r.inputs.length)} (one line each; --format json has every detail)`);
    for (const i of r.inputs) {
      const fmt = `${i.format ?? 'unreadable'}${i.gzip ? ' (gzip)' : ''}`;
      out.push(`  ${termSafe(i.path)}  ${fmt}  ${n(i.packets)} packets  ${i.firstTime ?? '-'} .. ${i.lastTime ?? '-'}${i.complete ? '' : `  NOT READ TO THE END: ${i.errors.map((e) => `${termSafe(e.message)} at ${offsetText(e)}`).join('; ')}`}`);
    }
    out.push('');
  }
  for (const i of r.inputs.length > FULL_INPUT_BLOCKS ? [] : r.inputs) {
    const kind = i.format === 'pcap' ? 'pcap (microsecond timestamps)' : i.format === 'pcap-nsec' ? 'pcap (nanosecond timestamps)' : (i.format ?? 'unknown');
    const fmt = [kind, i.gzip ? 'gzip-compressed' : null, i.byteOrder].filter(Boolean).join(', ');
    out.push(`File:              ${termSafe(i.path)}`);
    out.push(`Format:            ${fmt}`);
    for (const f of i.interfaces) {
      out.push(`Interface:         ${f.linkTypeName} (${f.linkType})${f.name ? ` "${termSafe(f.name, 64)}"` : ''}, snap length ${f.snapLength}`);
    }
    out.push(`Packets:           ${n(i.packets)}`);
    out.push(`Data size:         ${n(i.bytes)} bytes${i.fileSize !== null ? ` (file ${n(i.fileSize)} bytes)` : ''}`);
    if (i.firstTime) out.push(`First packet:      ${i.firstTime}`);
    if (i.lastTime) out.push(`Last packet:       ${i.lastTime}`);
    if (i.durationSeconds !== null) out.push(`Duration:          ${i.durationSeconds.toFixed(6)} s`);
    if (i.outOfOrderTimestamps) out.push(`Out of order:      ${n(i.outOfOrderTimestamps)} timestamps earlier than the one before`);
    out.push(`Read to the end:   ${i.complete ? 'yes' : `NO — ${i.errors.map((e) => `${termSafe(e.message)} at ${offsetText(e)}`).join('; ')}`}`);
    for (const w of i.warnings ?? []) out.push(`Warning:           ${termSafe(w.message)} at ${offsetText(w)}`);
    out.push('');
  }
  if (r.inputs.length > 1) {
    out.push(`All inputs:        ${n(r.inputs.length)} files, ${n(r.totals.packets)} packets, ${n(r.totals.bytes)} bytes, ${r.totals.firstTime ?? '-'} to ${r.totals.lastTime ?? '-'}`);
  }
  if (r.skippedFiles) out.push(`Files skipped:     ${skippedText(r.skippedFiles)} (in the directories and globs given)`);
  if (r.inputs.length > 1 || r.skippedFiles) out.push('');
  const t = r.traffic;
  out.push(`Traffic:           IPv4 ${n(t.ipv4)}, IPv6 ${n(t.ipv6)}; TCP ${n(t.tcp)}, UDP ${n(t.udp)}, ICMP ${n(t.icmp)}, other IP ${n(t.otherIp)}, non-IP ${n(t.nonIp)}` + (t.vlanTagged ? `; VLAN-tagged ${n(t.vlanTagged)}` : ''));
  const tun = Object.entries(r.encapsulations) as [EncapName, number][];
  if (tun.length) out.push(`Tunnelled packets: ${tun.map(([k, v]) => `${ENCAP_LABELS[k]} ${n(v)}`).join(', ')} (counted above by what they carried)`);
  const probs = Object.entries(r.decodeProblems);
  out.push(`Decode problems:   ${probs.length ? probs.map(([k, v]) => `${k} ${n(v)}`).join(', ') : 'none'}`);
  out.push('');
  out.push(`TCP connections:   ${n(r.tcp.connections)} opened with a SYN, ${n(r.tcp.answered)} answered (SYN-ACK)`);
  if (r.tcp.servers.length) {
    out.push('  server port  connections  answered  FTP');
    for (const p of r.tcp.servers.slice(0, maxPorts)) {
      const why = p.ftp ? (p.ftpBanners ? `yes: 220 banner${p.port === 21 ? ', port 21' : ''}` + (p.banner ? ` "${termSafe(p.banner, 60)}"` : '') : 'port 21, no banner seen') : '';
      out.push(`  ${String(p.port).padStart(11)}  ${n(p.connections).padStart(11)}  ${n(p.answered).padStart(8)}  ${why}`);
    }
    if (r.tcp.servers.length > maxPorts) out.push(`  ... ${n(r.tcp.servers.length - maxPorts)} more server ports (--format json lists all)`);
  }
  out.push(`FTP control ports: ${r.ftpPorts.length ? r.ftpPorts.join(', ') : 'none found'}`);
  for (const [k, v] of Object.entries(r.limits)) out.push(`Limit reached:     ${k} (${n(v)} not tracked)`);
  return out.join('\n') + '\n';
}
