/**
 * The handshake packets of one capture point: each TCP SYN, SYN-ACK and RST, with its frame, time,
 * endpoints and sequence numbers: what matches a connection across points (ISN and ports survive
 * a NAT that rewrites addresses; RFC 9293 §3.4.1) and times it on each tap's clock.
 */
import { readPackets } from '../pipeline.js';
import { DecodeStatus, TcpFlag, type Packet } from '../decode/index.js';
import { formatIp } from '../decode/address.js';
import { COMPARE_MAX_PACKETS } from '../limits.js';

export interface HandshakePacket {
  readonly frame: number;
  /** Capture seconds (float: sub-microsecond at today's epoch). */
  readonly time: number;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  /** IPv4 identification (RFC 791), -1 for IPv6 or a reassembled datagram: what identifies a SYN
   * across a firewall that rewrites its sequence number. */
  readonly ipId: number;
}

export interface PointPackets {
  readonly packets: HandshakePacket[];
  /** Handshake packets past COMPARE_MAX_PACKETS, not kept. */
  readonly dropped: number;
}

const HANDSHAKE = TcpFlag.SYN | TcpFlag.RST;

/** Reads one point's capture files and keeps their handshake packets, in capture order. */
export async function handshakePackets(paths: readonly string[]): Promise<PointPackets> {
  const packets: HandshakePacket[] = [];
  let dropped = 0;
  await readPackets(paths, (status, pkt) => {
    if (status !== DecodeStatus.TCP || (pkt.flags & HANDSHAKE) === 0) return;
    if (packets.length >= COMPARE_MAX_PACKETS) {
      dropped++;
      return;
    }
    packets.push({ frame: pkt.frame, time: pkt.tsSec + pkt.tsNsec / 1e9, src: formatIp(pkt.src), sport: pkt.srcPort, dst: formatIp(pkt.dst), dport: pkt.dstPort, flags: pkt.flags, seq: pkt.seq, ack: pkt.ack, ipId: ipv4Id(pkt) });
  });
  return { packets, dropped };
}

/** The IPv4 identification of a TCP packet: its IPv4 header ends where the TCP header starts, so it
 * starts 4 × IHL bytes before (IHL 5..15, checked against the version nibble and the source address
 * the decoder read); -1 when not found (IPv6, a reassembled datagram). */
function ipv4Id(pkt: Packet): number {
  if (pkt.ipVersion !== 4 || pkt.reassembled) return -1;
  const b = pkt.buf;
  for (let ihl = 5; ihl <= 15; ihl++) {
    const ip = pkt.tcpOff - 4 * ihl;
    if (ip < 0) break;
    if (b[ip] === (0x40 | ihl) && b.compare(pkt.src, 0, 4, ip + 12, ip + 16) === 0) return b.readUInt16BE(ip + 4);
  }
  return -1;
}
