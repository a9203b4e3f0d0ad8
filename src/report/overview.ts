/**
 * The overview of a busy capture: what is broken, for whom, and which firewall rule fixes it.
 *
 * Built from fixed-size aggregates fed one session report at a time (`add`), never from the list
 * of sessions: memory is bounded by the OVERVIEW_* limits of src/limits.ts whatever the capture's
 * size, and each bound that is hit is counted in `dropped`. Two overviews of disjoint session sets
 * `merge` into the overview of their union, exactly (every aggregate is a sum, a min/max, a set
 * union or a first-K by (time, id)), as long as no bound was hit.
 *
 * - failure groups: failed data connections (FAILED_OUTCOMES) with the same outcome, the same
 *   finding code, the same server address and the same client network (the client's /24 for IPv4,
 *   /64 for IPv6); the group shows the announced ports' range, the smallest prefix covering its
 *   clients (or the short list of them), first/last time, counts, example sessions and the frames
 *   of the first example.
 * - firewall rules: connections that were blocked at their setup (`no-answer`, `refused`: a SYN
 *   the capture shows unanswered or rejected) need a rule, unless they went to a wrong announced
 *   address or a privileged port (NOT_A_RULE: the announcement is what needs fixing); one per (direction, server, client
 *   network, port range), the announced ports merged into ranges when they lie within
 *   OVERVIEW_RULE_PORT_GAP of each other (a server's passive range shows as the ports it handed
 *   out). The ranges depend only on the set of ports, so the merge is order-independent.
 * - the mix: data connection modes, session logins, encrypted sessions, bytes per direction, per
 *   server (outcomes, address mismatches) and per client (failed logins, brute force), and a
 *   timeline whose buckets are powers of two seconds aligned on the epoch, the smallest that holds
 *   the capture's span in OVERVIEW_TIME_BUCKETS buckets (a function of the first and last times
 *   only: shards agree).
 */
import type { DataConnectionReport, DataMode, Finding, FindingCode, Outcome, SessionReport, TransferDirection } from '../ftp/model.js';
import { DATA_MODES, FAILED_OUTCOMES, OUTCOMES } from '../ftp/model.js';
import {
  OVERVIEW_EXAMPLES,
  OVERVIEW_EXAMPLE_FRAMES,
  OVERVIEW_GROUP_CLIENTS,
  OVERVIEW_MAX_GROUPS,
  OVERVIEW_MAX_HOSTS,
  OVERVIEW_MAX_RULES,
  OVERVIEW_RULE_PORT_GAP,
  OVERVIEW_TIME_BUCKETS,
  OVERVIEW_TOP_HOSTS,
} from '../limits.js';
import { AddressSet, compareIp, copySet, networkKey } from './overview-addresses.js';
import type { RuleDirection, PortRange, ExampleSession, FailureGroup, FirewallRule, HostRow, TimeBucket, OverviewReport } from './overview-model.js';

export type { ExampleSession, FailureGroup, FirewallRule, HostRow, OverviewReport, PortRange, RuleDirection, TimeBucket } from './overview-model.js';
export { coveringPrefix } from './overview-addresses.js';

/** Sessions from which the overview comes first without being asked for (`--overview` forces it,
 * `--no-overview` leaves it out): more than a screenful of session blocks. */
export const OVERVIEW_AUTO_SESSIONS = 20;

/** Outcomes that show a connection blocked at its setup: what a firewall rule lets through. */
const BLOCKED: ReadonlySet<Outcome> = new Set<Outcome>(['no-answer', 'refused']);

// --- times ------------------------------------------------------------------------------------

/** ISO 8601 times of one capture compare as text only at the same precision: compare as numbers.
 * The whole seconds are parsed once per distinct second (consecutive times share it), the fraction
 * digit by digit: no garbage per call. */
let lastHead = '';
let lastWhole = 0;
function timeValue(iso: string): number {
  const dot = iso.indexOf('.', 19);
  const head = iso.slice(0, 19);
  if (head !== lastHead) {
    lastHead = head;
    lastWhole = Date.parse(`${head}Z`) / 1000;
  }
  if (dot < 0) return lastWhole;
  let frac = 0;
  let scale = 1;
  for (let i = dot + 1; i < iso.length; i++) {
    const c = iso.charCodeAt(i);
    if (c < 48 || c > 57) break;
    frac = frac * 10 + (c - 48);
    scale *= 10;
  }
  return lastWhole + frac / scale;
}

interface Example extends ExampleSession {
  t: number;
  frames: number[];
}

/** Keeps the OVERVIEW_EXAMPLES earliest sessions by (time, session, connection), each with its
 * earliest connection: merge-exact (a session's connections all come in one `add`). */
function addExample(list: Example[], e: Example): void {
  const before = (a: Example, b: Example): boolean => a.t < b.t || (a.t === b.t && (a.session < b.session || (a.session === b.session && (a.dataConnection ?? 0) < (b.dataConnection ?? 0))));
  const same = list.findIndex((x) => x.session === e.session);
  if (same >= 0) {
    if (!before(e, list[same])) return;
    list.splice(same, 1);
  }
  let i = list.length;
  while (i > 0 && before(e, list[i - 1])) i--;
  if (i >= OVERVIEW_EXAMPLES) return;
  list.splice(i, 0, e);
  if (list.length > OVERVIEW_EXAMPLES) list.pop();
}

// --- aggregates --------------------------------------------------------------------------------

interface Group {
  outcome: Outcome;
  code: FindingCode | null;
  initiator: 'client' | 'server';
  server: string;
  portLo: number;
  portHi: number;
  clients: AddressSet;
  dataConnections: number;
  sessions: number;
  first: number;
  firstIso: string;
  last: number;
  lastIso: string;
  examples: Example[];
}

interface Range {
  lo: number;
  hi: number;
  n: number;
}

interface RuleKey {
  direction: RuleDirection;
  server: string;
  clients: AddressSet;
  /** Sorted, disjoint, more than OVERVIEW_RULE_PORT_GAP apart. */
  ranges: Range[];
}

/** Adds a range of ports to sorted ranges, joining every range within OVERVIEW_RULE_PORT_GAP. */
export function addRange(ranges: Range[], r: Range): void {
  let lo = r.lo;
  let hi = r.hi;
  let n = r.n;
  const keep: Range[] = [];
  for (const x of ranges) {
    if (x.hi + OVERVIEW_RULE_PORT_GAP >= lo && hi + OVERVIEW_RULE_PORT_GAP >= x.lo) {
      lo = Math.min(lo, x.lo);
      hi = Math.max(hi, x.hi);
      n += x.n;
    } else keep.push(x);
  }
  keep.push({ lo, hi, n });
  keep.sort((a, b) => a.lo - b.lo);
  ranges.length = 0;
  ranges.push(...keep);
}

interface Host {
  sessions: number;
  dataConnections: number;
  failed: number;
  bytes: number;
  byOutcome: Partial<Record<Outcome, number>>;
  mismatches: number;
  announced: string[];
  failedLogins: number;
  bruteForce: boolean;
}

const newHost = (): Host => ({ sessions: 0, dataConnections: 0, failed: 0, bytes: 0, byOutcome: {}, mismatches: 0, announced: [], failedLogins: 0, bruteForce: false });

function countData(h: Host, d: DataConnectionReport): void {
  h.dataConnections++;
  h.bytes += d.bytes ?? 0;
  h.byOutcome[d.outcome] = (h.byOutcome[d.outcome] ?? 0) + 1;
  if (FAILED_OUTCOMES.has(d.outcome)) h.failed++;
}

function mergeHost(a: Host, b: Host): void {
  a.sessions += b.sessions;
  a.dataConnections += b.dataConnections;
  a.failed += b.failed;
  a.bytes += b.bytes;
  for (const [k, v] of Object.entries(b.byOutcome) as [Outcome, number][]) a.byOutcome[k] = (a.byOutcome[k] ?? 0) + v;
  a.mismatches += b.mismatches;
  for (const ip of b.announced) noteAnnounced(a, ip);
  a.failedLogins += b.failedLogins;
  a.bruteForce ||= b.bruteForce;
}

function noteAnnounced(h: Host, ip: string): void {
  if (h.announced.includes(ip)) return;
  h.announced.push(ip);
  h.announced.sort(compareIp);
  if (h.announced.length > OVERVIEW_GROUP_CLIENTS) h.announced.pop();
}

/** The finding that names a failed connection's cause: an address mismatch or bounce on the same
 * connection says more than the outcome's own code. */
const CAUSE_RANK: Partial<Record<FindingCode, number>> = { 'pasv-address-mismatch': 3, 'port-address-mismatch': 3, 'ftp-bounce': 3, 'privileged-data-port': 2 };

/** Causes a firewall rule does not fix, or must not: a wrong announced address (NAT, bounce) needs
 * the announcement fixed, and a data port below 1024 is what RFC 2577 §3 says a server should
 * refuse to connect to, not a port to open. */
const NOT_A_RULE: ReadonlySet<FindingCode> = new Set<FindingCode>(['pasv-address-mismatch', 'port-address-mismatch', 'ftp-bounce', 'privileged-data-port']);

function causeOf(s: SessionReport, d: DataConnectionReport): Finding | null {
  let best: Finding | null = null;
  let rank = -1;
  for (const f of s.findings) {
    if (f.dataConnection !== d.id) continue;
    const r = CAUSE_RANK[f.code] ?? 0;
    if (r > rank) {
      best = f;
      rank = r;
    }
  }
  return best;
}

export class Overview {
  sessions = 0;
  dataConnections = 0;
  failed = 0;
  private first = Infinity;
  private firstIso: string | null = null;
  private last = -Infinity;
  private lastIso: string | null = null;
  private readonly groups = new Map<string, Group>();
  private readonly rules = new Map<string, RuleKey>();
  readonly byMode = Object.fromEntries(DATA_MODES.map((m) => [m, 0])) as Record<DataMode, number>;
  readonly logins = { success: 0, failed: 0, none: 0, unknown: 0 };
  encrypted = 0;
  readonly bytes: Record<TransferDirection, number> = { download: 0, upload: 0, listing: 0 };
  private readonly servers = new Map<string, Host>();
  private readonly clients = new Map<string, Host>();
  /** Timeline: bucket index (floor(t / width)) -> counts; width = 2^shift seconds. */
  private shift = 0;
  private readonly buckets = new Map<number, [number, number, number]>();
  readonly dropped: Record<string, number> = {};

  private drop(name: string, n = 1): void {
    this.dropped[name] = (this.dropped[name] ?? 0) + n;
  }

  /** One session report, as it is finalized. */
  add(s: SessionReport): void {
    this.sessions++;
    const t = timeValue(s.start);
    this.span(t, s.start);
    this.span(timeValue(s.end), s.end);
    this.bucket(t, 0);
    this.logins[s.login]++;
    if (s.tls) this.encrypted++;
    const server = this.host(this.servers, s.server.ip);
    const client = this.host(this.clients, s.client.ip);
    if (server) server.sessions++;
    if (client) client.sessions++;
    // Counted as the brute-force finding counts them (src/ftp/bruteforce.ts): a login-failed
    // finding's frames are the failed attempts.
    const loginFailed = s.findings.find((f) => f.code === 'login-failed');
    if (loginFailed && client) client.failedLogins += loginFailed.frames.length || 1;
    for (const f of s.findings) {
      if (f.code === 'pasv-address-mismatch' && server) server.mismatches++;
      if (f.code === 'port-address-mismatch' && client) client.mismatches++;
    }
    const refused = s.findings.find((f) => f.code === 'control-refused');
    if (refused) this.refusedControl(s, t, refused);
    let seenGroups: Set<string> | null = null;
    for (const d of s.dataConnections) {
      this.dataConnections++;
      this.byMode[d.mode]++;
      if (d.direction && d.bytes) this.bytes[d.direction] += d.bytes;
      const dt = d.tcp ? timeValue(d.tcp.start) : t;
      this.bucket(dt, 1);
      if (server) countData(server, d);
      if (client) countData(client, d);
      // An announced address that is not the announcer's own (NAT, bounce).
      const ann = d.announced?.ip;
      if (ann && d.initiator === 'client' && ann !== s.server.ip && server) noteAnnounced(server, ann);
      if (ann && d.initiator === 'server' && ann !== s.client.ip && client) noteAnnounced(client, ann);
      if (!FAILED_OUTCOMES.has(d.outcome)) continue;
      this.failed++;
      this.bucket(dt, 2);
      const cause = causeOf(s, d);
      const key = this.failure(s, d, dt, cause);
      seenGroups ??= new Set<string>();
      if (key !== null && !seenGroups.has(key)) {
        seenGroups.add(key);
        const g = this.groups.get(key);
        if (g) g.sessions++;
      }
      // A connection sent to a wrong announced address (NAT without the masquerade address, a
      // bounce) needs the announcement fixed, not a rule: it shows under the address mismatches.
      if (BLOCKED.has(d.outcome) && !(cause && NOT_A_RULE.has(cause.code))) this.rule(s, d);
    }
  }

  /** Cross-session findings (brute force, known at the end): marks the clients. */
  addCross(findings: readonly (Finding & { client: string })[]): void {
    for (const f of findings) {
      if (f.code !== 'brute-force') continue;
      const h = this.host(this.clients, f.client);
      if (h) h.bruteForce = true;
    }
  }

  private span(t: number, iso: string): void {
    if (t < this.first) {
      this.first = t;
      this.firstIso = iso;
    }
    if (t > this.last) {
      this.last = t;
      this.lastIso = iso;
    }
  }

  private host(map: Map<string, Host>, ip: string): Host | null {
    let h = map.get(ip);
    if (!h) {
      if (map.size >= OVERVIEW_MAX_HOSTS) {
        this.drop(map === this.servers ? 'overview-servers-dropped' : 'overview-clients-dropped');
        return null;
      }
      h = newHost();
      map.set(ip, h);
    }
    return h;
  }

  private bucket(t: number, which: 0 | 1 | 2, n = 1): void {
    const i = Math.floor(t / 2 ** this.shift);
    const b = this.buckets.get(i);
    if (b) b[which] += n;
    else this.buckets.set(i, which === 0 ? [n, 0, 0] : which === 1 ? [0, n, 0] : [0, 0, n]);
    this.fit();
  }

  /** Doubles the bucket width until the span of the capture fits in OVERVIEW_TIME_BUCKETS. */
  private fit(): void {
    while (Number.isFinite(this.first) && Math.floor(this.last / 2 ** this.shift) - Math.floor(this.first / 2 ** this.shift) + 1 > OVERVIEW_TIME_BUCKETS) this.widen();
  }

  private widen(): void {
    const old = [...this.buckets];
    this.buckets.clear();
    this.shift++;
    for (const [i, b] of old) {
      const j = Math.floor(i / 2);
      const c = this.buckets.get(j);
      if (c) for (let k = 0; k < 3; k++) c[k] += b[k];
      else this.buckets.set(j, [...b]);
    }
  }

  private failure(s: SessionReport, d: DataConnectionReport, t: number, cause: Finding | null): string | null {
    const code = cause?.code ?? null;
    const serverIp = s.server.ip;
    const key = `${d.outcome}|${code ?? ''}|${d.initiator}|${serverIp}|${networkKey(s.client.ip)}`;
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= OVERVIEW_MAX_GROUPS) {
        this.drop('overview-groups-dropped');
        return null;
      }
      g = { outcome: d.outcome, code, initiator: d.initiator, server: serverIp, portLo: Infinity, portHi: -Infinity, clients: new AddressSet(), dataConnections: 0, sessions: 0, first: Infinity, firstIso: '', last: -Infinity, lastIso: '', examples: [] };
      this.groups.set(key, g);
    }
    g.dataConnections++;
    g.clients.add(s.client.ip);
    const port = d.announced?.port ?? d.to?.port;
    if (port !== undefined) {
      g.portLo = Math.min(g.portLo, port);
      g.portHi = Math.max(g.portHi, port);
    }
    const iso = d.tcp?.start ?? s.start;
    if (t < g.first) [g.first, g.firstIso] = [t, iso];
    if (t > g.last) [g.last, g.lastIso] = [t, iso];
    addExample(g.examples, { session: s.id, dataConnection: d.id, time: iso, t, frames: (cause?.frames ?? []).slice(0, OVERVIEW_EXAMPLE_FRAMES) });
    return key;
  }

  /** A refused control connection (its control-refused finding): grouped with the others refused
   * by the same server, from the same client network. */
  private refusedControl(s: SessionReport, t: number, f: Finding): void {
    const key = `control-refused|${s.server.ip}|${networkKey(s.client.ip)}`;
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= OVERVIEW_MAX_GROUPS) {
        this.drop('overview-groups-dropped');
        return;
      }
      g = { outcome: 'refused', code: 'control-refused', initiator: 'client', server: s.server.ip, portLo: Infinity, portHi: -Infinity, clients: new AddressSet(), dataConnections: 0, sessions: 0, first: Infinity, firstIso: '', last: -Infinity, lastIso: '', examples: [] };
      this.groups.set(key, g);
    }
    g.sessions++;
    g.clients.add(s.client.ip);
    g.portLo = Math.min(g.portLo, s.server.port);
    g.portHi = Math.max(g.portHi, s.server.port);
    if (t < g.first) [g.first, g.firstIso] = [t, s.start];
    if (t > g.last) [g.last, g.lastIso] = [t, s.start];
    addExample(g.examples, { session: s.id, dataConnection: null, time: s.start, t, frames: f.frames.slice(0, OVERVIEW_EXAMPLE_FRAMES) });
  }

  private rule(s: SessionReport, d: DataConnectionReport): void {
    const port = d.announced?.port ?? d.to?.port;
    if (port === undefined) return;
    // Passive: the client opens a connection to the server's announced port. Active: the server
    // opens one to the client's announced port.
    const direction: RuleDirection = d.initiator === 'client' ? 'inbound-to-server' : 'inbound-to-client';
    const server = s.server.ip;
    const key = `${direction}|${server}|${networkKey(s.client.ip)}`;
    let r = this.rules.get(key);
    if (!r) {
      if (this.rules.size >= OVERVIEW_MAX_RULES) {
        this.drop('overview-rules-dropped');
        return;
      }
      r = { direction, server, clients: new AddressSet(), ranges: [] };
      this.rules.set(key, r);
    }
    r.clients.add(s.client.ip);
    addRange(r.ranges, { lo: port, hi: port, n: 1 });
  }

  /** Adds another overview of other sessions (a shard's): the result is the overview of both. */
  merge(o: Overview): void {
    this.sessions += o.sessions;
    this.dataConnections += o.dataConnections;
    this.failed += o.failed;
    if (o.firstIso !== null) this.span(o.first, o.firstIso);
    if (o.lastIso !== null) this.span(o.last, o.lastIso);
    for (const [k, g] of o.groups) {
      const h = this.groups.get(k);
      if (!h) {
        if (this.groups.size >= OVERVIEW_MAX_GROUPS) this.drop('overview-groups-dropped', g.dataConnections);
        else this.groups.set(k, { ...g, clients: copySet(g.clients), examples: [...g.examples] });
        continue;
      }
      h.dataConnections += g.dataConnections;
      h.sessions += g.sessions;
      h.portLo = Math.min(h.portLo, g.portLo);
      h.portHi = Math.max(h.portHi, g.portHi);
      h.clients.merge(g.clients);
      if (g.first < h.first) [h.first, h.firstIso] = [g.first, g.firstIso];
      if (g.last > h.last) [h.last, h.lastIso] = [g.last, g.lastIso];
      for (const e of g.examples) addExample(h.examples, e);
    }
    for (const [k, r] of o.rules) {
      const q = this.rules.get(k);
      if (!q) {
        if (this.rules.size >= OVERVIEW_MAX_RULES) this.drop('overview-rules-dropped', r.ranges.reduce((n, x) => n + x.n, 0));
        else this.rules.set(k, { ...r, clients: copySet(r.clients), ranges: r.ranges.map((x) => ({ ...x })) });
        continue;
      }
      q.clients.merge(r.clients);
      for (const x of r.ranges) addRange(q.ranges, { ...x });
    }
    for (const m of DATA_MODES) this.byMode[m] += o.byMode[m];
    this.logins.success += o.logins.success;
    this.logins.failed += o.logins.failed;
    this.logins.none += o.logins.none;
    this.logins.unknown += o.logins.unknown;
    this.encrypted += o.encrypted;
    for (const k of Object.keys(this.bytes) as TransferDirection[]) this.bytes[k] += o.bytes[k];
    for (const [mine, theirs] of [[this.servers, o.servers], [this.clients, o.clients]] as const) {
      for (const [ip, h] of theirs) {
        const x = this.host(mine, ip);
        if (x) mergeHost(x, h);
      }
    }
    while (this.shift < o.shift) this.widen();
    for (const [i, b] of o.buckets) {
      const j = Math.floor(i / 2 ** (this.shift - o.shift));
      for (let k = 0; k < 3; k++) if (b[k]) this.bucket(j * 2 ** this.shift, k as 0 | 1 | 2, b[k]);
    }
    this.fit();
    for (const [k, v] of Object.entries(o.dropped)) this.drop(k, v);
  }

  /** The overview as the report shows it. */
  report(): OverviewReport {
    // Largest first: failed data connections, or the refused attempts of a control-refused group.
    const size = (g: Group): number => (g.code === 'control-refused' ? g.sessions : g.dataConnections);
    const groups = [...this.groups.values()].sort((a, b) => size(b) - size(a) || a.first - b.first || (a.server < b.server ? -1 : 1));
    const rules: FirewallRule[] = [];
    for (const r of [...this.rules.values()].sort((a, b) => compareIp(a.server, b.server) || (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0) || compareIp(a.clients.lo, b.clients.lo))) {
      for (const x of r.ranges) rules.push(ruleOf(r, x));
    }
    const rows = (map: Map<string, Host>): HostRow[] => [...map].map(([ip, h]) => hostRow(ip, h));
    const busiest = (a: HostRow, b: HostRow): number => b.sessions - a.sessions || b.dataConnections - a.dataConnections || compareIp(a.ip, b.ip);
    const servers = rows(this.servers).sort(busiest);
    const clients = rows(this.clients).sort(busiest);
    const width = 2 ** this.shift;
    const buckets: TimeBucket[] = [];
    if (Number.isFinite(this.first)) {
      const lo = Math.floor(this.first / width);
      const hi = Math.floor(this.last / width);
      for (let i = lo; i <= hi; i++) {
        const b = this.buckets.get(i) ?? [0, 0, 0];
        buckets.push({ start: new Date(i * width * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z'), sessions: b[0], dataConnections: b[1], failed: b[2] });
      }
    }
    return {
      sessions: this.sessions,
      dataConnections: this.dataConnections,
      firstTime: this.firstIso,
      lastTime: this.lastIso,
      failedDataConnections: this.failed,
      failureGroups: groups.map(groupOf),
      firewallRules: rules,
      byMode: { ...this.byMode },
      logins: { ...this.logins },
      encryptedSessions: this.encrypted,
      bytes: { ...this.bytes },
      servers: servers.slice(0, OVERVIEW_TOP_HOSTS),
      clients: clients.slice(0, OVERVIEW_TOP_HOSTS),
      serversWithMismatches: servers.filter((h) => h.addressMismatches > 0 || h.announcedAddresses.length > 0).slice(0, OVERVIEW_TOP_HOSTS),
      clientsWithFailedLogins: clients.filter((h) => h.failedLogins > 0).sort((a, b) => Number(b.bruteForce) - Number(a.bruteForce) || b.failedLogins - a.failedLogins || compareIp(a.ip, b.ip)).slice(0, OVERVIEW_TOP_HOSTS),
      timeline: { bucketSeconds: width, buckets },
      dropped: { ...this.dropped },
    };
  }
}

function hostRow(ip: string, h: Host): HostRow {
  return { ip, sessions: h.sessions, dataConnections: h.dataConnections, failed: h.failed, bytes: h.bytes, byOutcome: Object.fromEntries(OUTCOMES.filter((o) => h.byOutcome[o]).map((o) => [o, h.byOutcome[o]])), addressMismatches: h.mismatches, announcedAddresses: [...h.announced], failedLogins: h.failedLogins, bruteForce: h.bruteForce };
}

function groupOf(g: Group): FailureGroup {
  return {
    outcome: g.outcome,
    code: g.code,
    initiator: g.initiator,
    server: g.server,
    ports: Number.isFinite(g.portLo) ? { from: g.portLo, to: g.portHi } : null,
    clientNetwork: g.clients.network,
    clients: g.clients.clients,
    dataConnections: g.dataConnections,
    sessions: g.sessions,
    firstTime: g.firstIso,
    lastTime: g.lastIso,
    examples: g.examples.map((e) => ({ session: e.session, dataConnection: e.dataConnection, time: e.time })),
    exampleFrames: g.examples[0]?.frames ?? [],
  };
}

const hostText = (ip: string): string => (ip.includes(':') && !ip.includes('/') ? `[${ip}]` : ip);
const portsText = (p: PortRange): string => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`);

function ruleOf(r: RuleKey, x: Range): FirewallRule {
  const net = r.clients.network;
  const [source, destination] = r.direction === 'inbound-to-server' ? [net, r.server] : [r.server, net];
  const ports = { from: x.lo, to: x.hi };
  const text = `allow ${source} -> ${hostText(destination)}:${portsText(ports)} (${r.direction.replace(/-/g, ' ')})`;
  return { direction: r.direction, source, destination, ports, connections: x.n, text };
}

// --- firewall syntaxes (text to review; never applied) -----------------------------------------

export type RuleSyntax = 'nft' | 'iptables';
export const RULE_SYNTAXES: readonly RuleSyntax[] = ['nft', 'iptables'];

/** A rule in nftables or iptables syntax, for the filter table's forward/input chain. The addresses
 * and ports come from the capture: they were parsed as addresses and numbers, so they can hold no
 * shell or nft syntax. */
export function ruleSyntax(r: FirewallRule, syntax: RuleSyntax): string {
  const v6 = r.source.includes(':') || r.destination.includes(':');
  const dport = r.ports.from === r.ports.to ? `${r.ports.from}` : `${r.ports.from}${syntax === 'nft' ? '-' : ':'}${r.ports.to}`;
  const note = `ftp-pcap: ${r.connections} blocked connection${r.connections === 1 ? '' : 's'}, ${r.direction.replace(/-/g, ' ')}`;
  if (syntax === 'nft') {
    const fam = v6 ? 'ip6' : 'ip';
    return `add rule inet filter forward ${fam} saddr ${r.source} ${fam} daddr ${r.destination} tcp dport ${dport} ct state new accept comment "${note}"`;
  }
  const cmd = v6 ? 'ip6tables' : 'iptables';
  return `${cmd} -A FORWARD -p tcp -s ${r.source} -d ${r.destination} --dport ${dport} -m conntrack --ctstate NEW -j ACCEPT -m comment --comment "${note}"`;
}
