/**
 * Wireshark display filters for a session and its data connections: what an engineer pastes into
 * Wireshark's filter bar (or `tshark -Y`) to see exactly the packets the report is about.
 *
 * A connection is `ip.addr == A && ip.addr == B && tcp.port == P && tcp.port == Q` (`ipv6.addr`
 * for IPv6): both directions, on any VLAN or tunnel (Wireshark matches a field in any layer, the
 * inner IP header of a tunnelled packet included), and the ICMP errors quoting it (Wireshark
 * dissects the quoted IP and TCP headers into the same fields). An expected connection no SYN was
 * seen for selects the SYNs to the endpoint it was expected at (what a capture elsewhere on the
 * path would show; none in this capture, by definition). A session is its control connection's
 * filter or'ed with those of its data connections the capture holds.
 * Addresses are the report's, printed by this program from packet bytes: nothing to escape.
 */
import type { DataConnectionReport, Endpoint } from './model.js';

function addrField(ip: string): string {
  return ip.includes(':') ? 'ipv6.addr' : 'ip.addr';
}

/** Both directions of the connection between `a` and `b`. One string built in place (no parts
 * array): it is made for every data connection of every session. */
export function connectionFilter(a: Endpoint, b: Endpoint): string {
  let f = `${addrField(a.ip)} == ${a.ip}`;
  if (b.ip !== a.ip) f += ` && ${addrField(b.ip)} == ${b.ip}`;
  f += ` && tcp.port == ${a.port}`;
  if (b.port !== a.port) f += ` && tcp.port == ${b.port}`;
  return f;
}

/** A data connection: its connection, or the SYNs towards its expected endpoint when none was seen. */
export function dataFilter(conn: { from: Endpoint; to: Endpoint } | null, target: Endpoint | null): string | null {
  if (conn !== null) return connectionFilter(conn.from, conn.to);
  if (target === null) return null;
  return `${addrField(target.ip)} == ${target.ip} && tcp.port == ${target.port} && tcp.flags.syn == 1 && tcp.flags.ack == 0`;
}

/** The session: its control connection and every data connection the capture holds. */
export function sessionFilter(client: Endpoint, server: Endpoint, data: readonly Pick<DataConnectionReport, 'wiresharkFilter' | 'tcp'>[]): string {
  const control = connectionFilter(client, server);
  // A set, in first-seen order: a session of thousands of data connections stays linear.
  let all: Set<string> | null = null;
  for (const d of data) {
    if (d.tcp === null || d.wiresharkFilter === null || d.wiresharkFilter === control) continue;
    (all ??= new Set([control])).add(d.wiresharkFilter);
  }
  if (all === null) return control;
  let f = '';
  for (const one of all) f += `${f === '' ? '' : ' || '}(${one})`;
  return f;
}
