#!/usr/bin/env bash
# Recipe for the real captures in this folder (run as root on Linux with tcpdump, tshark, curl
# and python3-pyftpdlib). Each capture is followed by the tshark field dump the tests compare
# against (CI has no tshark). Rerunning changes ports, sequence numbers and times: rerun the
# tshark dumps with it, never edit them by hand.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(mktemp -d)
printf 'hello ftp-pcap\n' > "$ROOT/hello.txt"
head -c 3000 /dev/urandom | base64 > "$ROOT/small.txt"

python3 -m pyftpdlib -p 2121 -i 127.0.0.1 -d "$ROOT" >/dev/null 2>&1 & S4=$!
python3 -m pyftpdlib -p 2122 -i ::1 -d "$ROOT" >/dev/null 2>&1 & S6=$!
trap 'kill $S4 $S6 2>/dev/null || true; rm -rf "$ROOT"' EXIT
sleep 1

# cap NAME TCPDUMP-ARGS... -- COMMAND...: capture while COMMAND runs.
cap() {
  local name=$1; shift
  local args=()
  while [ "$1" != "--" ]; do args+=("$1"); shift; done; shift
  tcpdump -U -n "${args[@]}" -w "$name.pcap" 2>/dev/null & local T=$!
  sleep 1
  "$@" >/dev/null
  sleep 1
  kill -INT $T; wait $T || true
}

# Ethernet (Linux lo is DLT_EN10MB), IPv4: PASV retrieve, then an active (PORT) listing.
cap lo-ipv4 -i lo tcp port 2121 or portrange 30000-65535 and host 127.0.0.1 -- \
  sh -c 'curl -s --disable-epsv ftp://127.0.0.1:2121/hello.txt; curl -s --disable-eprt -P 127.0.0.1 ftp://127.0.0.1:2121/'
# Ethernet, IPv6 over ::1, passive (EPSV) retrieve.
cap lo-ipv6 -i lo ip6 and tcp -- curl -s 'ftp://[::1]:2122/hello.txt'
# Linux cooked v1 (tcpdump -i any gives SLL2 since libpcap 1.10: ask for SLL), IPv4.
cap any-sll -i any -y LINUX_SLL tcp port 2121 or portrange 30000-65535 and host 127.0.0.1 -- curl -s ftp://127.0.0.1:2121/hello.txt
# Linux cooked v2, IPv6.
cap any-sll2 -i any -y LINUX_SLL2 ip6 and tcp -- curl -s 'ftp://[::1]:2122/hello.txt'
# Snap length 80: payloads cut, the IP total length says how much the wire had.
cap lo-snap80 -i lo -s 80 tcp and host 127.0.0.1 -- curl -s ftp://127.0.0.1:2121/small.txt
# IPv4 and IPv6 fragments (eth0, MTU 1400; IPv6 to all-nodes multicast so no neighbour
# discovery is needed; UDP: the kernel fragments datagrams above the 1500-byte MTU; TCP
# never is). Nobody listens on port 9: ICMP port unreachable may follow.
cap eth-frag -i eth0 -s 0 'ip[6:2] & 0x3fff != 0 or udp port 9 or ip6[6] = 44' -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(bytes(range(256)) * 16, ("192.0.2.1", 9))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(bytes(range(256)) * 12, ("ff02::1", 9, 0, socket.if_nametoindex("eth0")))'

F='-T fields -E separator=| -E occurrence=f'
for f in lo-ipv4 lo-ipv6 any-sll any-sll2 lo-snap80; do
  tshark -r "$f.pcap" $F -e frame.number -e frame.len -e frame.cap_len -e ip.src -e ip.dst \
    -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw \
    -e tcp.flags -e tcp.window_size_value -e tcp.hdr_len -e tcp.len \
    -e tcp.options.mss_val -e tcp.options.wscale.shift -e tcp.options.timestamp.tsval \
    -e tcp.options.timestamp.tsecr > "$f.tshark.txt"
done
tshark -r eth-frag.pcap -o ip.defragment:TRUE -o ipv6.defragment:TRUE $F -e frame.number \
  -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.flags.mf -e ip.frag_offset \
  -e ipv6.fraghdr.offset -e ipv6.fraghdr.more -e udp.srcport -e udp.dstport -e udp.length \
  -e ip.proto -e ipv6.nxt > eth-frag.tshark.txt
