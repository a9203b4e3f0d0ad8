/**
 * ICMP destination-unreachable messages about tracked connections (TcpTracker.icmp): which
 * connection an ICMP message quoting a TCP segment speaks about, and whether it is believed.
 *
 * Contract: `rejectionOf(table, p)` (p: a decoded ICMP packet whose addresses, ports and seq are
 * the quoted segment's) finds the connection on that 4-tuple and records `p` as its `rejection`
 * when the quoted sequence number is one its sender used, from its ISN to the next byte it would
 * send (RFC 5927 §4.1: a stale or forged message about an earlier connection on the same ports is
 * not believed), and only the first such message. Pure apart from that one field.
 */
import { formatIp } from '../decode/address.js';
import { icmpCodeText } from '../decode/icmp.js';
import type { Packet } from '../decode/packet.js';
import type { Conn } from './connection.js';
import { addressWords, endpointHash, flowHash } from './flow.js';
import { sameWords } from './follows.js';
import { seqDiff } from './sequence.js';
import type { Direction } from './stream.js';

/** Recorded on the connection, not believed (stale, out of window, a second one), or no tracked
 * connection on that 4-tuple. */
export type Rejection = 'recorded' | 'not-believed' | 'no-connection';

export function rejectionOf(table: ReadonlyMap<number, Conn>, p: Packet): Rejection {
  const v = p.ipVersion === 6 ? 6 : 4;
  const a = addressWords(p.src);
  const b = addressWords(p.dst);
  if (a === null || b === null || a.version !== v || b.version !== v) return 'not-believed';
  const sw = a.w;
  const dw = b.w;
  const sp = p.srcPort;
  const dp = p.dstPort;
  const h = flowHash(endpointHash(sw[0], sw[1], sw[2], sw[3], sp), endpointHash(dw[0], dw[1], dw[2], dw[3], dp), v);
  for (let c = table.get(h) ?? null; c !== null; c = c.hashNext) {
    if (c.ipVersion !== v) continue;
    const o = [c.o0, c.o1, c.o2, c.o3];
    const r = [c.r0, c.r1, c.r2, c.r3];
    let dir: Direction;
    if (c.origPort === sp && c.respPort === dp && sameWords(o, sw) && sameWords(r, dw)) dir = 0;
    else if (c.origPort === dp && c.respPort === sp && sameWords(o, dw) && sameWords(r, sw)) dir = 1;
    else continue;
    const me = c.endpoint(dir);
    const seq = p.seq | 0;
    const synced = me.sentSyn || me.sentSynAck;
    if (synced ? seqDiff(seq, me.isn) < 0 || (me.started && seqDiff(seq, me.next) > 0) : !me.plausible(seq)) return 'not-believed';
    if (c.rejection !== null) return 'not-believed';
    c.rejection = {
      from: formatIp(p.icmpSender),
      version: v,
      type: p.icmpType,
      code: p.icmpCode,
      text: icmpCodeText(v, p.icmpCode),
      frame: p.frame,
      time: { sec: p.tsSec, nsec: p.tsNsec },
      quoted: dir,
    };
    return 'recorded';
  }
  return 'no-connection';
}
