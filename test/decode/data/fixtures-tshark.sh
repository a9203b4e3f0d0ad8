#!/usr/bin/env bash
# Records tshark's view of every classic-pcap capture under fixtures/ (the lab's captures) into
# fixtures.tshark.txt.gz, for ../fixtures.test.ts. Each file starts with "#FILE sha256": when the
# lab remakes a capture the test skips it until this script is rerun.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp)
for f in ../../../fixtures/*.pcap; do
  echo "#$(basename "$f") $(sha256sum "$f" | cut -d' ' -f1)" >> "$out"
  tshark -r "$f" -T fields -E separator='|' -E occurrence=a -E aggregator=, \
    -o ip.defragment:TRUE -o ipv6.defragment:TRUE \
    -e frame.number -e frame.len -e frame.cap_len -e ieee8021ad.id -e vlan.id -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
    -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.len \
    -e udp.srcport -e udp.dstport 2>/dev/null >> "$out"
done
gzip -9 -n -c "$out" > fixtures.tshark.txt.gz
rm "$out"
