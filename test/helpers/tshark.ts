/** tshark's recorded view of the repo's captures (test/tshark/record.sh), parsed for comparison. */
import { readFileSync, existsSync } from 'node:fs';
import { findFiles } from './capture.js';

export interface TsharkFrame {
  frame: number;
  /** "sec.nnnnnnnnn" exactly as tshark printed it. */
  epoch: string;
  len: number;
  capLen: number;
  interfaceId: number | null;
  ipSrc: string;
  ipDst: string;
  ipv6Src: string;
  ipv6Dst: string;
  srcPort: number | null;
  dstPort: number | null;
  seq: number | null;
  ack: number | null;
  flags: number | null;
  tcpLen: number | null;
  /** 802.1Q tag (vlan.id): the C-tag when there is an 802.1ad S-tag. */
  vlanId: number | null;
  /** 802.1ad S-tag (ieee8021ad.id). */
  sVlanId: number | null;
}

export interface TsharkView {
  path: string;
  tsv: string;
  frames: TsharkFrame[];
}

const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));

export function tsharkViews(): TsharkView[] {
  return findFiles('test/tshark', (n) => n.endsWith('.tsv')).flatMap((tsv) => {
    const lines = readFileSync(tsv, 'utf8').split('\n').filter((l) => l.length > 0);
    const path = lines[0]?.startsWith('# ') ? lines[0].slice(2) : '';
    if (!path || !existsSync(path)) return [];
    const frames = lines.slice(1).map((l): TsharkFrame => {
      const c = l.split('\t');
      return {
        frame: Number(c[0]),
        epoch: c[1],
        len: Number(c[2]),
        capLen: Number(c[3]),
        interfaceId: num(c[4]),
        ipSrc: c[5] ?? '',
        ipDst: c[6] ?? '',
        ipv6Src: c[7] ?? '',
        ipv6Dst: c[8] ?? '',
        srcPort: num(c[9]),
        dstPort: num(c[10]),
        seq: num(c[11]),
        ack: num(c[12]),
        flags: c[13] ? parseInt(c[13], 16) : null,
        tcpLen: num(c[14]),
        vlanId: num(c[15]),
        sVlanId: num(c[16]),
      };
    });
    return [{ path, tsv, frames }];
  });
}
