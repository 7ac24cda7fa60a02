# -w FILE.pcapng: tshark reads it; the frames are the lab's packets with
# their addresses, one per printed timeline, each commented with that
# timeline's one-line summary, on interfaces named IFACE@NETNS; --snaplen
# bounds the bytes kept; a replay (-r -w) writes the same file.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
command -v tshark >/dev/null || { fail "tshark installed (tests/deps.sh)"; exit 1; }
lab_up rec 57 || { fail "lab setup"; exit 1; }
A=198.18.57.1 B=198.18.57.2
lab_bg rec-b "$TOOLS/udpecho" serve 7000 100 60 >/dev/null
traffic() {
	lab_exec rec-a ping -c 1 -W 1 $B >/dev/null
	lab_exec rec-a bash -c "echo closed > /dev/udp/$B/7778"
	lab_exec rec-a "$TOOLS/udpecho" ask $B 7000 >/dev/null
	sleep 0.3
}
# The comment field: frame.comment (tshark >= 3.6... 4.x), pkt_comment before.
CF=$(tshark -G fields 2>/dev/null | awk -F'\t' '$3 == "frame.comment" { print $3; exit }')
CF=${CF:-pkt_comment}
ts() { tshark -r "$@" 2>/dev/null; }

F=$LAB_DIR/live.pcapng
pp_start "$LAB_DIR/live" -w "$F" --record "$LAB_DIR/live.rec" || { fail "pktpath -w started"; cat "$LAB_DIR/live.err"; exit 1; }
traffic
pp_stop
out=$LAB_DIR/live.out
check "exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
check "the report says how many packets were written" grep -qE "^pktpath: [1-9][0-9]* packets written to $F" "$LAB_DIR/live.err"
check "tshark reads the file" bash -c "tshark -r '$F' -q >/dev/null 2>&1"
blocks=$(grep -c '^#[0-9]' "$out")
frames=$(ts "$F" -T fields -e frame.number | wc -l)
check "one frame per printed timeline ($frames frames, $blocks timelines)" test "$frames" -eq "$blocks" -a "$blocks" -gt 0
ts "$F" -T fields -E separator='|' -e frame.interface_name -e ip.src -e ip.dst -e icmp.type -e udp.dstport -e "$CF" >"$LAB_DIR/fields"
check "the echo request: addresses $A > $B" grep -qE "^[^|]*\|$A\|$B\|8\|\|#[0-9]+ ICMP $A > $B echo-request" "$LAB_DIR/fields"
check "the datagram to the closed port: addresses and port" grep -qE "^[^|]*\|$A\|$B\|\|7778\|#[0-9]+ UDP $A:[0-9]+ > $B:7778 " "$LAB_DIR/fields"
check "the UDP exchange: the answer, $B > $A" grep -qE "^[^|]*\|$B\|$A\|\|[0-9]+\|#[0-9]+ UDP $B:7000 > $A:" "$LAB_DIR/fields"
check "the closed port's comment: its steps and its drop" \
	grep -qE "UDP $A:[0-9]+ > $B:7778 .*: (.* → )?net_dev_queue veth-a@rec-a → (.* → )?netif_receive_skb veth-b@rec-b → (.* → )?kfree_skb veth-b@rec-b DROP NO_SOCKET at __udp4_lib_rcv\+0x" "$LAB_DIR/fields"
check "the echo request is on interface veth-a@rec-a (its first sighting)" grep -qE "^veth-a@rec-a\|$A\|$B\|8\|" "$LAB_DIR/fields"
# Every frame's comment is its timeline: same number, same header (up to
# the skb address) as the printed block.
ok=1
while IFS= read -r c; do
	n=${c%% *}
	h=$(grep -m1 "^$n " "$out" | sed 's/ skb 0x.*//')
	[ -n "$h" ] && [ "${c#"$h: "}" != "$c" ] || { ok=0; echo "comment without its timeline: $c"; }
done < <(ts "$F" -T fields -e "$CF")
check "each frame's comment starts with its timeline's header" [ $ok -eq 1 ]
check "frames captured on transmit are Ethernet" bash -c "tshark -r '$F' -T fields -e eth.type 2>/dev/null | grep -q 0x0800"

# --snaplen
pp_start "$LAB_DIR/snap" -w "$LAB_DIR/snap.pcapng" --snaplen 40 || { fail "--snaplen: pktpath started"; exit 1; }
traffic
pp_stop
ts "$LAB_DIR/snap.pcapng" -T fields -e frame.cap_len -e frame.len >"$LAB_DIR/snap.len"
check "--snaplen 40: frames written" [ -s "$LAB_DIR/snap.len" ]
check "--snaplen 40: no frame keeps more than 40 bytes" awk '$1 > 40 { exit 1 }' "$LAB_DIR/snap.len"
check "--snaplen 40: the ping keeps its original length (98)" awk '$1 == 40 && $2 == 98 { f = 1 } END { exit !f }' "$LAB_DIR/snap.len"
check "--snaplen 40: addresses still decode" bash -c "tshark -r '$LAB_DIR/snap.pcapng' -T fields -e ip.dst 2>/dev/null | grep -q '$B'"
full=$(ts "$F" -T fields -e frame.cap_len | sort -n | tail -1)
check "default snaplen 128: no frame keeps more than 128 bytes (max $full)" [ "${full:-999}" -le 128 ]

# A replay writes the same file.
"$PKTPATH" -r "$LAB_DIR/live.rec" -w "$LAB_DIR/replay.pcapng" >/dev/null 2>&1
check "-r with -w: the same pcapng, byte for byte" cmp "$F" "$LAB_DIR/replay.pcapng"

"$PKTPATH" -w "$LAB_DIR/x.pcapng" --stream >/dev/null 2>"$LAB_DIR/err"
check "-w with --stream: usage error" [ $? -eq 2 ]
"$PKTPATH" --snaplen 300 >/dev/null 2>&1
check "--snaplen beyond 256: usage error" [ $? -eq 2 ]
