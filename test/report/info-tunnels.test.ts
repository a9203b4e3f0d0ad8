/**
 * `info` on tunnelled captures (test/helpers/tunnel.ts around a real lab capture): the traffic,
 * TCP server ports and FTP control ports are those of the inner packets, as in the clean capture,
 * and the encapsulations are counted by name (not as "other IP" or UDP).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInfo } from '../../src/cli/commands/info.js';
import { renderInfoText } from '../../src/report/info.js';
import { readAll } from '../helpers/capture.js';
import { wrapRecords, wrappedPcap, type Wrapping } from '../helpers/tunnel.js';

const FIXTURE = 'fixtures/03-active-blocked.pcap';

describe('info on tunnelled captures', () => {
  it('counts each encapsulation and describes the inner traffic as in the clean capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-info-tunnels-'));
    const clean = await runInfo([FIXTURE]);
    expect(clean.encapsulations).toEqual({});
    const { records } = await readAll([FIXTURE]);
    const cases: [Wrapping, string[]][] = [
      ['vxlan-vlan', ['vxlan']],
      ['erspan2', ['gre', 'erspan-2']],
      ['gre-mpls', ['gre', 'mpls']],
    ];
    for (const [w, names] of cases) {
      const f = join(dir, `wrapped.${w}.pcap`);
      const wrapped = wrapRecords(records, w, { fragmentMtu: 100 });
      writeFileSync(f, wrappedPcap(wrapped));
      const r = await runInfo([f]);
      // GRE+MPLS carries IP only: the capture's two ARP frames stay as they were.
      expect(wrapped.unwrapped, w).toBe(w === 'gre-mpls' ? 2 : 0);
      const n = records.length - wrapped.unwrapped;
      expect(r.encapsulations, w).toEqual(Object.fromEntries(names.map((k) => [k, n])));
      // Outer fragments are held (counted as such, and as IPv4 records, as any fragment is)
      // until the last one makes the packet whole; the outer VLAN tag is counted per record.
      const t = r.traffic;
      expect(t.fragmentsHeld, w).toBeGreaterThan(0);
      expect(t.ipv4 + t.ipv6, w).toBe(clean.traffic.ipv4 + clean.traffic.ipv6 + t.fragmentsHeld);
      const inner = (x: typeof t) => ({ ...x, ipv4: 0, ipv6: 0, fragmentsHeld: 0 });
      expect(inner(t), w).toEqual({ ...inner(clean.traffic), vlanTagged: w === 'vxlan-vlan' ? wrapped.records.length : 0 });
      expect(r.traffic.otherIp, w).toBe(0);
      expect(r.tcp, w).toEqual(clean.tcp);
      expect(r.ftpPorts, w).toEqual(clean.ftpPorts);
      expect(r.decodeProblems['frag-reassembled'], w).toBeGreaterThan(0);
    }
    const text = renderInfoText(await runInfo([join(dir, 'wrapped.erspan2.pcap')]));
    expect(text).toContain(`Tunnelled packets: GRE ${records.length}, ERSPAN II ${records.length} (counted above by what they carried)`);
    expect(renderInfoText(clean)).not.toContain('Tunnelled');
  });
});
