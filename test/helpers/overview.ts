/**
 * The overview tests' oracle for firewall rules, written apart from src/report/overview.ts: one
 * rule per (direction, server, client key) and per run of ports no wider apart than
 * OVERVIEW_RULE_PORT_GAP. The client key is the test's (an address, or its /24).
 */
import type { DataConnectionReport, SessionReport } from '../../src/ftp/model.js';
import { OVERVIEW_RULE_PORT_GAP } from '../../src/limits.js';

export function expectedRuleCount(blocked: readonly { s: SessionReport; d: DataConnectionReport }[], clientKey: (ip: string) => string): number {
  const keys = new Map<string, number[]>();
  for (const { s, d } of blocked) {
    const k = `${d.initiator === 'client' ? 'inbound-to-server' : 'inbound-to-client'}|${s.server.ip}|${clientKey(s.client.ip)}`;
    keys.set(k, [...(keys.get(k) ?? []), d.announced?.port ?? d.to?.port ?? -1]);
  }
  let distinct = 0;
  for (const ports of keys.values()) {
    const sorted = [...ports].sort((a, b) => a - b);
    distinct += 1 + sorted.filter((p, i) => i > 0 && p - sorted[i - 1] > OVERVIEW_RULE_PORT_GAP).length;
  }
  return distinct;
}
