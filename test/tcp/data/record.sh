#!/bin/sh
# Records what tshark says about the lab captures, for test/tcp/captures.test.ts (CI has no
# tshark). Run from the repository root after the lab captures change:
#   sh test/tcp/data/record.sh
# For each capture: <name>.follow.txt — `tshark -q -z follow,tcp,raw,N` of every FTP control
# stream (port 21 or 2121); <name>.streams.tsv — per tcp.stream and direction: packets,
# payload bytes on the wire (sum of tcp.len), SYN/FIN/RST counts; <name>.sha256 — the capture
# recorded (the test skips a capture that changed since, saying so in its name).
set -eu
out=test/tcp/data
tshark -v | head -1 > "$out/tshark-version.txt"
for f in fixtures/*.pcap fixtures/*.pcapng; do
  name=$(basename "$f")
  sha256sum "$f" | cut -d' ' -f1 > "$out/$name.sha256"
  streams=$(tshark -r "$f" -Y 'tcp.port==21 || tcp.port==2121' -T fields -e tcp.stream | sort -un)
  : > "$out/$name.follow.txt"
  for s in $streams; do
    tshark -r "$f" -q -z "follow,tcp,raw,$s" >> "$out/$name.follow.txt"
  done
  tshark -r "$f" -Y tcp -T fields -E separator=/t -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport \
    -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.len -e tcp.flags.syn -e tcp.flags.fin -e tcp.flags.reset |
    awk -F'\t' '{
      src = ($2 != "" ? $2 : "[" $3 "]") ":" $4; dst = ($5 != "" ? $5 : "[" $6 "]") ":" $7
      k = $1 "\t" src "\t" dst
      if (!(k in pk)) order[n++] = k
      pk[k]++; by[k] += $8; syn[k] += ($9 == "1" || $9 == "True"); fin[k] += ($10 == "1" || $10 == "True"); rst[k] += ($11 == "1" || $11 == "True")
    } END {
      print "stream\tsrc\tdst\tpackets\tbytes\tsyn\tfin\trst"
      for (i = 0; i < n; i++) { k = order[i]; print k "\t" pk[k] "\t" by[k] "\t" syn[k] "\t" fin[k] "\t" rst[k] }
    }' > "$out/$name.streams.tsv"
done
