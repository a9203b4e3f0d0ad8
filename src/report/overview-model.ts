/**
 * The overview's output model (OverviewReport and its rows): what `Overview.report()` (overview.ts)
 * returns and the text, JSON and HTML writers read. Types only. Every list in it is bounded by a
 * limit in src/limits.ts named where the field is documented.
 */
import type { DataMode, FindingCode, Outcome, TransferDirection } from '../ftp/model.js';

export type RuleDirection = 'inbound-to-server' | 'inbound-to-client';

export interface PortRange {
  from: number;
  to: number;
}

export interface ExampleSession {
  session: number;
  /** Null in a group of refused control connections (`control-refused`): the session is the attempt. */
  dataConnection: number | null;
  time: string;
}

export interface FailureGroup {
  outcome: Outcome;
  code: FindingCode | null;
  /** Who was expected to open the data connection (client: passive modes; server: active). */
  initiator: 'client' | 'server';
  server: string;
  /** Announced ports of the group's connections (null when none was announced). */
  ports: PortRange | null;
  /** Smallest prefix covering the clients (`192.0.2.0/28`), or the one address. */
  clientNetwork: string;
  /** The clients, when there are at most OVERVIEW_GROUP_CLIENTS of them (else null: see clientNetwork). */
  clients: string[] | null;
  /** Its failed data connections; 0 in a group of refused control connections (`control-refused`,
   * initiator client, ports the control port), where `sessions` counts the attempts. */
  dataConnections: number;
  sessions: number;
  firstTime: string;
  lastTime: string;
  examples: ExampleSession[];
  /** Frames that show the first example's failure (its finding's frames). */
  exampleFrames: number[];
}

export interface FirewallRule {
  direction: RuleDirection;
  /** Who opens the connection: the client network (inbound to server) or the server (inbound to client). */
  source: string;
  /** Who receives it: the server (inbound to server) or the client network (inbound to client). */
  destination: string;
  ports: PortRange;
  /** Blocked connections the rule would have let through. */
  connections: number;
  /** `allow 198.51.100.0/24 -> 203.0.113.10:40000-40009 (inbound to server)` */
  text: string;
}

export interface HostRow {
  ip: string;
  sessions: number;
  dataConnections: number;
  failed: number;
  bytes: number;
  byOutcome: Partial<Record<Outcome, number>>;
  /** Servers: `pasv-address-mismatch` findings; clients: `port-address-mismatch` findings. */
  addressMismatches: number;
  /** Addresses announced instead of the host's own (first OVERVIEW_GROUP_CLIENTS). */
  announcedAddresses: string[];
  failedLogins: number;
  bruteForce: boolean;
}

export interface TimeBucket {
  start: string;
  sessions: number;
  dataConnections: number;
  failed: number;
}

export interface OverviewReport {
  sessions: number;
  dataConnections: number;
  firstTime: string | null;
  lastTime: string | null;
  failedDataConnections: number;
  failureGroups: FailureGroup[];
  firewallRules: FirewallRule[];
  byMode: Record<DataMode, number>;
  logins: { success: number; failed: number; none: number; unknown: number };
  encryptedSessions: number;
  bytes: Record<TransferDirection, number>;
  /** Busiest first (by sessions, then data connections, then address), OVERVIEW_TOP_HOSTS each. */
  servers: HostRow[];
  clients: HostRow[];
  /** Servers with an address mismatch, and clients with failed logins, beyond the busiest. */
  serversWithMismatches: HostRow[];
  clientsWithFailedLogins: HostRow[];
  timeline: { bucketSeconds: number; buckets: TimeBucket[] };
  /** Counted when a bound of src/limits.ts was hit (the overview is then a lower bound). */
  dropped: Record<string, number>;
}
