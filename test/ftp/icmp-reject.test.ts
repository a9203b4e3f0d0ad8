/**
 * Data connections rejected with ICMP (fixtures/lab/scenarios/22-icmp-reject.sh: nftables `reject`
 * at the router, IPv4 and IPv6, passive and active, captured on the client side and on the server
 * side). The truth (fixtures/lab/truth/22-icmp-reject.json, confirmed by check-truth.py with tshark)
 * names each rejected connection's ICMP sender, type and code; every one of them that the capture
 * shows must be `refused` with that sender and the code in words, in every report format.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, analyzeTo } from '../../src/pipeline.js';
import type { ReportSink } from '../../src/report/analysis.js';
import { TextSink } from '../../src/report/analysis.js';
import { NdjsonSink } from '../../src/report/ndjson.js';
import { OcsfSink } from '../../src/report/ocsf.js';
import { XmlSink } from '../../src/report/xml.js';
import { HtmlSink } from '../../src/report/html.js';
import { ladderOf, renderLadderText } from '../../src/report/ladder.js';
import { MemoryOut } from '../report/siem.js';

interface Ep {
  ip: string;
  port: number;
}
interface TruthRejection {
  ip: string;
  icmp: 4 | 6;
  type: number;
  code: number;
  text: string;
}
interface TruthData {
  from: Ep | null;
  to: Ep | null;
  outcome: string;
  rejectedBy?: TruthRejection;
}
interface TruthCapture {
  file: string;
  sessions: { dataConnections: TruthData[] }[];
}

const truth = JSON.parse(readFileSync('fixtures/lab/truth/22-icmp-reject.json', 'utf8')) as { captures: TruthCapture[] };
const key = (a: Ep | null, b: Ep | null): string => `${a?.ip}:${a?.port} -> ${b?.ip}:${b?.port}`;

describe('ICMP rejections in the lab captures (22-icmp-reject)', () => {
  it('the truth holds rejected connections of both modes, both IP versions, both codes, on each side', () => {
    const rejected = truth.captures.flatMap((c) => c.sessions.flatMap((s) => s.dataConnections.filter((d) => d.rejectedBy && d.from).map((d) => ({ file: c.file, ...d }))));
    expect(new Set(rejected.map((d) => d.file)).size).toBe(2);
    expect(new Set(rejected.map((d) => `${d.rejectedBy?.icmp}/${d.rejectedBy?.text}`))).toEqual(new Set(['4/port unreachable', '4/administratively prohibited', '6/port unreachable', '6/administratively prohibited']));
  });

  for (const c of truth.captures) {
    it(`${c.file}: every rejected data connection is refused, naming the sender and the code`, async () => {
      const r = await analyze([join('fixtures', c.file)]);
      const ours = new Map(r.sessions.flatMap((s) => s.dataConnections).filter((d) => d.from).map((d) => [key(d.from, d.to), d]));
      const rejected = c.sessions.flatMap((s) => s.dataConnections).filter((d) => d.rejectedBy && d.from);
      expect(rejected.length).toBeGreaterThan(0);
      for (const t of rejected) {
        const rj = t.rejectedBy!;
        const d = ours.get(key(t.from, t.to));
        expect(d, key(t.from, t.to)).toBeDefined();
        const sender = rj.ip.includes(':') ? `[${rj.ip}]` : rj.ip;
        const words = `${rj.icmp === 6 ? 'ICMPv6' : 'ICMP'} ${rj.text}`;
        expect(d).toMatchObject({
          outcome: 'refused',
          rejectedBy: { ip: rj.ip, protocol: rj.icmp === 6 ? 'icmpv6' : 'icmp', type: rj.type, code: rj.code, reason: rj.text },
        });
        expect(d!.diagnosis).toContain(`rejected by ${sender} with ${words}`);
        expect(d!.firewallRule).toContain(`rejected by ${sender} with ${words}`);
        // The outcome's finding names the ICMP frame among its evidence.
        const s = r.sessions.find((x) => x.dataConnections.includes(d!))!;
        const f = s.findings.find((x) => x.code === 'data-refused' && x.dataConnection === d!.id);
        expect(f?.frames).toContain(d!.rejectedBy!.frame);
      }
    });
  }

  it('every format carries the rejection (text, NDJSON, OCSF, XML, HTML, ladder)', async () => {
    const file = join('fixtures', '22-icmp-reject-server.pcap');
    const run = async (sink: ReportSink, out: MemoryOut, timeline = false): Promise<string> => {
      await analyzeTo([file], { timeline }, sink);
      return out.text;
    };
    const o1 = new MemoryOut();
    expect(await run(new TextSink(o1.asOut()), o1)).toContain('rejected by 198.51.100.1 with ICMP administratively prohibited');
    const o2 = new MemoryOut();
    const events = (await run(new NdjsonSink(o2.asOut()), o2)).trim().split('\n').map((l) => JSON.parse(l) as { event: { dataset: string }; ftp?: { data_connection?: { rejected_by?: unknown } }; related?: { ip?: string[] } });
    const data = events.filter((e) => e.event.dataset === 'ftp_pcap.data_connection' && e.ftp?.data_connection?.rejected_by);
    expect(data).toHaveLength(4);
    expect(data[0]).toMatchObject({ ftp: { data_connection: { rejected_by: { ip: '198.51.100.1', protocol: 'icmp', type: 3, code: 3, reason: 'port unreachable' } } } });
    expect(data[0].related?.ip).toContain('198.51.100.1');
    const o3 = new MemoryOut();
    expect(await run(new OcsfSink(o3.asOut()), o3)).toContain('"rejected_by":{"ip":"2001:db8:5::1","protocol":"icmpv6","type":1,"code":1,"reason":"administratively prohibited"');
    const o4 = new MemoryOut();
    expect((await run(new XmlSink(o4.asOut()), o4)).replace(/\s+/g, '')).toContain('<rejectedBy><ip>198.51.100.1</ip><protocol>icmp</protocol><type>3</type><code>13</code><reason>administrativelyprohibited</reason>');
    const o5 = new MemoryOut();
    const html = await run(new HtmlSink(o5.asOut()), o5, true);
    expect(html).toContain('rejecting device 198.51.100.1');
    expect(html).toContain('ICMPv6 port unreachable from 2001:db8:5::1');
  });

  it('the ladder draws the ICMP message from the rejecting device back to the SYN sender', async () => {
    const r = await analyze([join('fixtures', '22-icmp-reject-client.pcap')], { timeline: true });
    const s = r.sessions.find((x) => x.client.port === 40121)!;
    const text = renderLadderText(ladderOf(s));
    const syn = text.split('\n').find((l) => l.includes('[1] SYN'))!;
    const icmp = text.split('\n').find((l) => l.includes('ICMP administratively prohibited from 192.0.2.1'))!;
    // The SYN stops short of the server with X, the ICMP starts there (*) and points at the client.
    expect(syn).toMatch(/- rejected =*X {4}\|$/);
    expect(icmp).toMatch(/\|<~+ .* ~+\* {4}\|$/);
    expect(icmp).toContain('#42');
  });
});
