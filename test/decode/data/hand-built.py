#!/usr/bin/env python3
"""Generates test/decode/packets.ts: the hand-built packets of the decode tests.

Each packet is built here field by field (checksums computed), written to a one-packet pcap,
and tcpdump -XX -nn -v prints the text placed in a comment above its bytes, so a reviewer sees
what tcpdump makes of every hand-built packet. Edge cases (bad lengths...) are made in the
tests by changing named bytes of these. Run: python3 test/decode/data/hand-built.py
"""
import os, struct, subprocess, tempfile

def csum(data):
    if len(data) % 2: data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ip4(a): return bytes(int(x) for x in a.split('.'))
def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed

def tcp(src, dst, sport, dport, seq, ack, flags, win, opts=b'', payload=b'', pseudo=None):
    while len(opts) % 4: opts += b'\0'
    hl = 20 + len(opts)
    h = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, (hl // 4) << 4, flags, win, 0, 0) + opts
    seg = h + payload
    c = csum(pseudo(len(seg)) + seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]

def ipv4(src, dst, proto, payload, ident=0x1234, flags_frag=0x4000, options=b'', ttl=64, total=None):
    hl = 20 + len(options)
    tl = total if total is not None else hl + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | (hl // 4), 0, tl, ident, flags_frag, ttl, proto, 0,
                    ip4(src), ip4(dst)) + options
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def pseudo4(src, dst, proto):
    return lambda n: ip4(src) + ip4(dst) + struct.pack('!BBH', 0, proto, n)

def pseudo6(src, dst, proto):
    return lambda n: ip6(src) + ip6(dst) + struct.pack('!IxxxB', n, proto)

def ipv6(src, dst, nh, payload, plen=None):
    return struct.pack('!IHBB', 0x60000000, len(payload) if plen is None else plen, nh, 64) + \
        ip6(src) + ip6(dst) + payload

def eth(etype, payload, dst='00:00:5e:00:53:02', src='00:00:5e:00:53:01'):
    mac = lambda m: bytes(int(x, 16) for x in m.split(':'))
    return mac(dst) + mac(src) + struct.pack('!H', etype) + payload

C4, S4 = '192.0.2.10', '198.51.100.21'
C6, S6 = '2001:db8::10', '2001:db8:0:1::21'
SYN_OPTS = bytes([2, 4, 0x05, 0xb4, 4, 2, 8, 10]) + struct.pack('!II', 0x01020304, 0) + bytes([1, 3, 3, 7])
USER = b'USER anonymous\r\n'

def tcp4(payload=USER, flags=0x18, opts=b'', sport=50000, dport=21, seq=0xfffffff0, ack=0x80000001):
    return tcp(C4, S4, sport, dport, seq, ack, flags, 502, opts, payload, pseudo4(C4, S4, 6))

def tcp6(payload=USER, flags=0x18):
    return tcp(C6, S6, 50000, 21, 0xfffffff0, 0x80000001, flags, 502, b'', payload, pseudo6(C6, S6, 6))

packets = []  # (name, linktype, bytes, doc)
def add(name, lt, data, doc): packets.append((name, lt, data, doc))

add('ETH_IPV4_TCP_SYN', 1, eth(0x0800, ipv4(C4, S4, 6, tcp4(b'', 0x02, SYN_OPTS, seq=0x9abcdef0, ack=0))),
    'Ethernet, IPv4, TCP SYN with MSS, SACK permitted, timestamps, NOP, window scale 7')
add('ETH_IPV4_TCP_USER', 1, eth(0x0800, ipv4(C4, S4, 6, tcp4())),
    'Ethernet, IPv4, TCP PSH|ACK carrying "USER anonymous\\r\\n", seq near the 2^32 wrap')
add('ETH_IPV4_TCP_ACK_PADDED', 1, eth(0x0800, ipv4(C4, S4, 6, tcp4(b'', 0x10))) + b'\0' * 6,
    'Ethernet, IPv4, bare TCP ACK: 54 bytes padded to the 60-byte Ethernet minimum')
add('ETH_IPV4_OPTIONS', 1, eth(0x0800, ipv4(C4, S4, 6, tcp4(), options=bytes([0x94, 4, 0, 0, 1, 1, 1, 0]))),
    'Ethernet, IPv4 with options (router alert, NOP, NOP, NOP, EOL: IHL 7), TCP with payload')
add('ETH_VLAN_STACK', 1,
    eth(0x88a8, struct.pack('!HH', 0x2000 | 100, 0x8100) + struct.pack('!HH', 200, 0x9100) +
        struct.pack('!HH', 0xf000 | 300, 0x0800) + ipv4(C4, S4, 6, tcp4())),
    'Ethernet, 802.1ad S-tag vid 100 (PCP 1), 802.1Q vid 200, 0x9100 vid 300 (PCP 7, DEI), IPv4, TCP')
add('ETH_ARP', 1, eth(0x0806, bytes.fromhex('0001080006040001') + b'\x00\x00\x5e\x00\x53\x01' + ip4(C4) +
                      b'\0' * 6 + ip4(S4)) + b'\0' * 18, 'Ethernet, ARP request (not IP)')
add('ETH_8023_SNAP_IPV4', 1,
    (lambda p: eth(len(p), p))(bytes([0xaa, 0xaa, 3, 0, 0, 0, 8, 0]) + ipv4(C4, S4, 6, tcp4())),
    'IEEE 802.3 length frame, LLC/SNAP (RFC 1042) carrying IPv4, TCP')
add('ETH_8023_STP', 1, (lambda p: eth(len(p), p, dst='01:80:c2:00:00:00'))(
    bytes([0x42, 0x42, 3]) + bytes(35)), 'IEEE 802.3 length frame, LLC 0x42 (spanning tree BPDU)')
add('ETH_PPPOE_IPV4', 1,
    (lambda ip: eth(0x8864, struct.pack('!BBHHH', 0x11, 0, 0x2a, len(ip) + 2, 0x0021) + ip))(ipv4(C4, S4, 6, tcp4())),
    'Ethernet, PPPoE session 0x002a, PPP protocol IPv4 (0x0021), TCP')
add('ETH_MPLS_IPV6', 1,
    eth(0x8847, struct.pack('!II', (1000 << 12) | 64, (2000 << 12) | 0x100 | 64) + ipv6(C6, S6, 6, tcp6())),
    'Ethernet, MPLS labels 1000 and 2000 (bottom of stack), IPv6, TCP')
add('SLL_IPV4_TCP', 113,
    struct.pack('!HHH8sH', 0, 772, 6, b'\0' * 8, 0x0800) + ipv4(C4, S4, 6, tcp4()),
    'Linux cooked (SLL), unicast to us, ARPHRD_LOOPBACK, IPv4, TCP')
add('SLL2_IPV6_TCP', 276,
    struct.pack('!HHIHBB8s', 0x86dd, 0, 1, 1, 4, 6, b'\x00\x00\x5e\x00\x53\x01\0\0') + ipv6(C6, S6, 6, tcp6()),
    'Linux cooked v2 (SLL2), outgoing on ifindex 1, ARPHRD_ETHER, IPv6, TCP')
add('NULL_LE_IPV4', 0, struct.pack('<I', 2) + ipv4(C4, S4, 6, tcp4()),
    'BSD loopback, AF_INET (2) little-endian (written on x86), IPv4, TCP')
add('NULL_BE_IPV6', 0, struct.pack('>I', 30) + ipv6(C6, S6, 6, tcp6()),
    'BSD loopback, AF_INET6 as macOS (30) big-endian (written on PowerPC), IPv6, TCP')
add('LOOP_IPV6', 108, struct.pack('>I', 24) + ipv6(C6, S6, 6, tcp6()),
    'OpenBSD loopback, network order AF_INET6 (24), IPv6, TCP')
add('RAW_IPV4', 101, ipv4(C4, S4, 6, tcp4()), 'Raw IP (101), IPv4, TCP')
add('RAW_IPV6', 101, ipv6(C6, S6, 6, tcp6()), 'Raw IP (101), IPv6, TCP')
add('IPV4_UDP', 228, ipv4(C4, S4, 17, struct.pack('!HHHH', 5353, 53, 12, 0) + b'abcd'),
    'LINKTYPE_IPV4, UDP 5353 -> 53 with 4 payload bytes (checksum 0: none)')
add('IPV6_ICMPV6', 229, ipv6(C6, S6, 58, bytes([128, 0, 0, 0, 0, 1, 0, 1])),
    'LINKTYPE_IPV6, ICMPv6 echo request (checksum left 0)')

# IPv6 extension headers, each 8 bytes: hop-by-hop (PadN), routing type 0 segments left 0... ,
# destination options (PadN), AH (RFC 4302: length 4 = 24 bytes), then TCP.
hbh = bytes([43, 0, 1, 4, 0, 0, 0, 0])
rth = bytes([60, 0, 4, 0, 0, 0, 0, 0])  # routing type 4 (SRH-less stub), segments left 0
dst = bytes([51, 0, 1, 4, 0, 0, 0, 0])
ah = bytes([6, 4, 0, 0]) + struct.pack('!II', 0x100, 1) + bytes(12)
add('IPV6_EXT_CHAIN', 229, ipv6(C6, S6, 0, hbh + rth + dst + ah + tcp6()),
    'LINKTYPE_IPV6: hop-by-hop, routing, destination options, AH (24 bytes), TCP')
add('IPV6_NO_NEXT', 229, ipv6(C6, S6, 60, bytes([59, 0, 1, 4, 0, 0, 0, 0])),
    'LINKTYPE_IPV6: destination options then no next header (59)')
add('IPV6_ATOMIC_FRAG', 229, ipv6(C6, S6, 44, bytes([6, 0, 0, 0]) + struct.pack('!I', 7) + tcp6()),
    'LINKTYPE_IPV6: atomic fragment (offset 0, M 0, RFC 6946), TCP')

def dump(lt, data):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'p.pcap')
        with open(p, 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, lt))
            f.write(struct.pack('<IIII', 1700000000, 0, len(data), len(data)))
            f.write(data)
        out = subprocess.run(['tcpdump', '-r', p, '-nn', '-v', '-XX', '-tt'], capture_output=True, text=True).stdout
    return out.rstrip()

out = ['// Generated by test/decode/data/hand-built.py: hand-built packets, each with what',
       '// `tcpdump -nn -v -XX` prints for it. Do not edit by hand: change the script and rerun.', '']
out.append("import { LinkType } from '../../src/capture/record.js';")
out.append('')
out.append('export interface HandBuilt {')
out.append('  readonly linkType: number;')
out.append('  readonly hex: string;')
out.append('}')
names = {0: 'NULL', 1: 'ETHERNET', 101: 'RAW', 108: 'LOOP', 113: 'LINUX_SLL', 228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2'}
for name, lt, data, doc in packets:
    out.append('')
    out.append('/** Hand-built: %s.' % doc)
    out.append(' *')
    for line in dump(lt, data).splitlines():
        out.append(' * ' + line.replace('*/', '* /'))
    out.append(' */')
    out.append('export const %s: HandBuilt = {' % name)
    out.append('  linkType: LinkType.%s,' % names[lt])
    h = data.hex()
    out.append('  hex:')
    chunks = [h[i:i + 80] for i in range(0, len(h), 80)]
    for i, c in enumerate(chunks):
        out.append("    '%s'%s" % (c, ' +' if i < len(chunks) - 1 else ','))
    out.append('};')
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packets.ts')
open(path, 'w').write('\n'.join(out) + '\n')
print('wrote', os.path.normpath(path), len(packets), 'packets')
