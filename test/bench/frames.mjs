// The hand-built frames the decode micro-benchmarks feed the decoder (test/bench/decode-micro.mjs,
// test/bench/decode-ab.mjs): frame(kind, i) for the encapsulations they time.
const hex = (s) => Buffer.from(s, 'hex');
// Headers of the hand-built packets of test/decode/packets.ts (Ethernet / IPv4 / TCP, 16-byte
// payload "USER anonymous\r\n").
const ETH = hex('00005e00530200005e0053010800');
const IPV4 = hex('450000381234400040063c39c000020ac6336415');
const TCP = hex('c3500015fffffff080000001501801f6f63e0000');
const IPV6 = hex('6000000000240640' + '20010db8000000000000000000000010' + '20010db8000000010000000000000021');
const PAYLOAD = Buffer.from('USER anonymous\r\n');

export function frame(kind, i) {
  const tcp = Buffer.from(TCP);
  tcp.writeUInt16BE(1024 + (i % 50000), 0); // vary ports and seq: no constant folding
  tcp.writeUInt32BE((i * 7919) >>> 0, 4);
  switch (kind) {
    case 'eth-ipv4-tcp':
      return Buffer.concat([ETH, IPV4, tcp, PAYLOAD]);
    case 'eth-vlan-ipv4-tcp': {
      const e = Buffer.from(ETH);
      e.writeUInt16BE(0x8100, 12);
      return Buffer.concat([e, hex('00640800'), IPV4, tcp, PAYLOAD]);
    }
    case 'eth-ipv6-tcp': {
      const e = Buffer.from(ETH);
      e.writeUInt16BE(0x86dd, 12);
      return Buffer.concat([e, IPV6, tcp, PAYLOAD]);
    }
    case 'sll2-ipv4-tcp':
      return Buffer.concat([hex('08000000000000010001000600005e0053010000'), IPV4, tcp, PAYLOAD]);
    case 'vxlan-eth-ipv4-tcp': {
      // Ethernet / IPv4 / UDP 4789 / VXLAN VNI 100 around the plain frame (DESIGN.md §2.2).
      const inner = Buffer.concat([ETH, IPV4, tcp, PAYLOAD]);
      const outerIp = hex('4500000000014000401100000a6300010a630909');
      outerIp.writeUInt16BE(20 + 8 + 8 + inner.length, 2);
      const udp = hex('c000 12b5 0000 0000'.replace(/ /g, ''));
      udp.writeUInt16BE(8 + 8 + inner.length, 4);
      return Buffer.concat([ETH, outerIp, udp, hex('0800000000006400'), inner]);
    }
    default:
      throw new Error(kind);
  }
}
