/**
 * Capture + decode against tshark, field by field, on every capture in the repository (all link
 * types and formats the lab makes): addresses, ports, sequence and acknowledgement numbers, flags,
 * TCP payload length on the wire, outermost VLAN id. tshark's view is recorded in test/tshark/
 * (test/tshark/record.sh, run with IP defragmentation off).
 */
import { describe, it, expect } from 'vitest';
import { readCaptures } from '../../src/capture/index.js';
import { Decoder, DecodeStatus, newPacket, formatIp } from '../../src/decode/index.js';
import { tsharkViews } from '../helpers/tshark.js';

interface Decoded {
  status: number;
  reassembled: boolean;
  tunnels: number;
  ipVersion: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  tcpLen: number;
  vlans: number[];
  /** An ICMP destination unreachable quoting TCP: its sender (the outer source). */
  icmpSender: string | null;
}

async function decodeAll(path: string): Promise<Decoded[]> {
  const d = new Decoder();
  const p = newPacket();
  const out: Decoded[] = [];
  await readCaptures([path], (rec) => {
    const status = d.decode(rec, p);
    out.push({
      status,
      reassembled: p.reassembled,
      tunnels: p.tunnels,
      ipVersion: p.ipVersion,
      src: p.ipVersion ? formatIp(p.src) : '',
      dst: p.ipVersion ? formatIp(p.dst) : '',
      srcPort: p.srcPort,
      dstPort: p.dstPort,
      seq: p.seq,
      ack: p.ack,
      flags: p.flags,
      tcpLen: p.payloadWireLength,
      vlans: [...p.vlanIds],
      icmpSender: p.icmpQuote ? formatIp(p.icmpSender) : null,
    });
  });
  return out;
}

const views = tsharkViews();

describe('decode agrees with tshark on real captures', () => {
  for (const v of views) {
    it(v.path, async () => {
      const ours = await decodeAll(v.path);
      // Recorded with the innermost fields (test/tshark/record.sh).
      const tunnelled = /vxlan|fixtures\/tunnel\//.test(v.path);
      expect(ours.length).toBe(v.frames.length);
      let tcpFrames = 0;
      let reassembled = 0;
      for (let i = 0; i < ours.length; i++) {
        const o = ours[i];
        const t = v.frames[i];
        const where = `${v.path} frame ${t.frame}`;
        if (t.sVlanId !== null) expect(o.vlans.slice(0, 2), where).toEqual([t.sVlanId, t.vlanId]);
        else if (t.vlanId !== null) expect(o.vlans[0], where).toBe(t.vlanId);
        else expect(o.vlans, where).toEqual([]);
        if ((o.reassembled && o.tunnels !== 0) || (tunnelled && o.status === DecodeStatus.FRAGMENT_PENDING)) {
          // Outer fragments of a tunnelled packet: tshark (defragmentation off) shows the inner
          // header in the first fragment and the tunnel's in the last; we the tunnel's while
          // the fragments are held, then the packet it carried once whole. Checked by the TCP
          // connections they make (test/pipeline/tunnels.test.ts, the golden of 21-vxlan).
          reassembled++;
          continue;
        }
        // A tunnelled capture's view holds the innermost fields (test/tshark/record.sh), but
        // an IPv6 packet inside an IPv4 tunnel still has an ip.src: the tunnel's.
        if (o.tunnels !== 0 && o.ipVersion === 0) {
          // A tunnel carrying no IP (ARP inside VXLAN): tshark's last ip.src is the tunnel's.
          expect(o.status, where).toBe(DecodeStatus.NON_IP);
          continue;
        }
        if (o.icmpSender !== null) {
          // ICMP quoting TCP (src/decode/icmp.ts): the packet is the quoted segment; tshark's first
          // address is the ICMP message's, sent back to the quoted segment's sender, and its ports
          // are the quoted ones.
          expect(o, where).toMatchObject({ icmpSender: t.ipSrc || t.ipv6Src, src: t.ipDst || t.ipv6Dst, srcPort: t.srcPort, dstPort: t.dstPort });
          expect(o.status, where).toBe(DecodeStatus.ICMP);
          continue;
        }
        if (t.ipSrc && !(t.ipv6Src && o.ipVersion === 6)) {
          expect(o, where).toMatchObject({ ipVersion: 4, src: t.ipSrc, dst: t.ipDst });
        } else if (t.ipv6Src) {
          expect(o, where).toMatchObject({ ipVersion: 6, src: t.ipv6Src, dst: t.ipv6Dst });
        }
        // A fragment's TCP header is decoded by us once the datagram is whole (at its last
        // fragment); tshark, with defragmentation off, shows it on none or the first.
        if (o.status === DecodeStatus.FRAGMENT_PENDING || o.reassembled) {
          reassembled++;
          continue;
        }
        if (t.srcPort !== null && t.seq !== null) {
          tcpFrames++;
          expect(o.status, where).toBe(DecodeStatus.TCP);
          expect(o, where).toMatchObject({ srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack, flags: (t.flags ?? 0) & 0xff, tcpLen: t.tcpLen });
        } else {
          expect(o.status, where).not.toBe(DecodeStatus.TCP);
        }
      }
      expect(tcpFrames + reassembled).toBeGreaterThan(0);
    });
  }
});
