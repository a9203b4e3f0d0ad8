#!/usr/bin/env bash
# Records tshark's view of every capture in the repo as TSV next to the tests (CI has no tshark).
# Run from the repo root after adding or regenerating a capture:  bash test/tshark/record.sh
# (or only some: bash test/tshark/record.sh fixtures/21-vxlan.pcap ...)
# Columns: frame.number frame.time_epoch frame.len frame.cap_len frame.interface_id ip.src ip.dst
#          ipv6.src ipv6.dst tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags tcp.len vlan.id
#          ieee8021ad.id (802.1ad S-tag: tshark does not report it as vlan.id)
# Tunnelled captures (fixtures/tunnel/, *vxlan*): the last occurrence of each field, i.e. the
# innermost IP and TCP (the decoder's packet), VXLAN also on Linux's port 8472.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test/tshark
record_one() {
  local f=$1 occ=f
  local name
  name=$(echo "$f" | tr '/' '_')
  case $f in fixtures/tunnel/*|*vxlan*) occ=l ;; esac
  # -o tcp.desegment/analyze off: report every segment as it is, never a reassembled PDU's fields.
  echo "# $f" > "$out/$name.tsv"
  tshark -r "$f" -n -d udp.port==8472,vxlan -o tcp.desegment_tcp_streams:FALSE -o tcp.analyze_sequence_numbers:FALSE \
    -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
    -T fields -E separator=/t -E occurrence=$occ \
    -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id \
    -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport \
    -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.len -e vlan.id -e ieee8021ad.id \
    2>/dev/null >> "$out/$name.tsv" || true
  echo "$f: $(($(wc -l < "$out/$name.tsv") - 1)) frames"
}
if (($#)); then
  for f in "$@"; do record_one "$f"; done
  exit 0
fi
find fixtures test -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' -o -name '*.pcap[0-9]*' \) \
  -not -path '*/node_modules/*' -not -path 'test/hostile/*' -not -name '*hand-built*' | sort | while read -r f; do
  record_one "$f"
done
