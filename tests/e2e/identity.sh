# One packet, one timeline (issue 12), on this machine's backend:
#  - N datagrams to a socket that reads them: N timelines (text, with and
#    without -w), N JSON packet objects, N pcapng frames, each timeline one
#    transmit and one receive;
#  - a bulk TCP transfer: one timeline per segment the sender's kernel
#    counted (TcpOutSegs), within 1%, and no "events beyond N";
#  - a small ring buffer under a flood: every timeline that is not the
#    whole path is marked, and the summary counts the marked ones;
#  - a filtered run next to a flood in another namespace prints none of it
#    while selected UDP and TCP traffic run (IDENTITY_FLOOD_SECS, default 5;
#    30 for the long version);
#  - the first datagram to an unresolved neighbour: one timeline, with the
#    neighbour wait named.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
T=$(cd "$(dirname "$PKTPATH")/.." && pwd)/tools
[ -x "$T/udpsink" ] || T=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up idn 93 || { fail "lab setup"; exit 1; }
A=198.18.93.1 B=198.18.93.2
# TCP from idn-a: one segment an skb (no GSO), so the kernel's segment
# count is one per skb; at a rate the consumer keeps up with (an event lost
# and the count means nothing): 40 Mbit/s, ~3,400 segments a second.
ip -n idn-a link set veth-a gso_max_segs 1 || fail "gso_max_segs 1 on veth-a"
lab_exec idn-a tc qdisc add dev veth-a root tbf rate 40mbit burst 16k latency 20ms || fail "tbf on veth-a"
N=${IDENTITY_N:-2000}
FLOOD_SECS=${IDENTITY_FLOOD_SECS:-5}
command -v tshark >/dev/null || { fail "tshark installed (tests/deps.sh)"; exit 1; }

# N datagrams from one socket, in bursts the reader keeps up with.
send_udp() { # port count
	lab_exec idn-a bash -c "exec 3>/dev/udp/$B/$1; for ((i = 1; i <= $2; i++)); do echo \$i >&3; (( i % 100 == 0 )) && sleep 0.02; done; :"
}
headers() { grep -cE "$2" "$1"; }
# IDENTITY_PARTS: which parts to run (all by default); LAB_KEEP=DIR keeps
# the outputs there (tests/lib/lab.sh).
part() { [[ " ${IDENTITY_PARTS:-udp tcp loss flood neigh} " == *" $1 "* ]]; }

if part udp; then
# ---- UDP to a reading socket ----
# A port and a reader for each run: nothing of one run is still queued
# when the next starts.
run_udp() { # name port pktpath-args...
	local name=$1 port=$2
	shift 2
	lab_bg idn-b "$T/udpsink" "$port" 60 >/dev/null
	sleep 0.3
	pp_start "$LAB_DIR/$name" "$@" "udp port $port" || { fail "$name: pktpath started"; cat "$LAB_DIR/$name.err"; return 1; }
	send_udp "$port" "$N"
	sleep 0.5
	pp_stop
	[ "$PP_RC" -eq 0 ] || { fail "$name: exit status $PP_RC"; tail -3 "$LAB_DIR/$name.err"; }
}
run_udp udp_text 7000
got=$(headers "$LAB_DIR/udp_text.out" "^#[0-9]+ UDP $A:[0-9]+ > $B:7000 ")
check "UDP to a reader, text: $N datagrams, $got timelines" [ "$got" -eq "$N" ]
check "UDP to a reader, text: no events cut" bash -c "! grep -q 'events beyond' '$LAB_DIR/udp_text.err'"
grep '^pktpath: [0-9]* packets' "$LAB_DIR/udp_text.err" | sed 's/^/# /'

run_udp udp_w 7003 -w "$LAB_DIR/udp.pcapng"
got=$(headers "$LAB_DIR/udp_w.out" "^#[0-9]+ UDP $A:[0-9]+ > $B:7003 ")
frames=$(tshark -r "$LAB_DIR/udp.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)
check "UDP to a reader, text -w: $N datagrams, $got timelines" [ "$got" -eq "$N" ]
check "UDP to a reader, text -w: $N datagrams, $frames pcapng frames" [ "$frames" -eq "$N" ]

run_udp udp_json 7004 --json -w "$LAB_DIR/udpj.pcapng"
J=$LAB_DIR/udp_json.out
got=$(jq -c 'select(.type == "packet")' "$J" | wc -l)
check "UDP to a reader, JSON -w: $N datagrams, $got packet objects" [ "$got" -eq "$N" ]
frames=$(tshark -r "$LAB_DIR/udpj.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)
check "UDP to a reader, JSON -w: $N datagrams, $frames pcapng frames" [ "$frames" -eq "$N" ]
# The packets whose device steps are not one transmit then one receive,
# with their steps (shown when there are any).
odd=$(jq -c 'select(.type == "packet") | select([.events[] | select(.probe == "net_dev_queue" or .probe == "netif_receive_skb") | .probe] != ["net_dev_queue", "netif_receive_skb"]) | [.seq, [.events[] | [.probe, .netns, .packet]]]' "$J")
bad=$(grep -c . <<<"$odd")
check "UDP to a reader, JSON: every packet one transmit then one receive ($bad others)" [ "$bad" -eq 0 ] ||
	head -n 2 <<<"$odd" | sed 's/^/# /'
ids=$(jq -r 'select(.type == "packet") | .events[0].ip_id' "$J" | sort -u | wc -l)
check "UDP to a reader, JSON: $N distinct IPv4 ids ($ids)" [ "$ids" -eq "$N" ]
fi

if part tcp; then
# ---- bulk TCP: one timeline per segment the sender sent ----
outsegs() { lab_exec idn-a nstat -az TcpOutSegs | awk '$1 == "TcpOutSegs" { print $2 }'; }
lab_bg idn-b "$T/tcpstream" server 7100 >/dev/null
sleep 0.3
pp_start "$LAB_DIR/tcp" "tcp and src host $A and port 7100" || { fail "tcp: pktpath started"; cat "$LAB_DIR/tcp.err"; }
s0=$(outsegs)
lab_exec idn-a "$T/tcpstream" client $B 7100 1 >/dev/null
s1=$(outsegs)
sleep 0.5
pp_stop
segs=$((s1 - s0))
got=$(headers "$LAB_DIR/tcp.out" "^#[0-9]+ TCP $A:[0-9]+ > $B:7100 ")
echo "# TCP: $segs segments sent (TcpOutSegs), $got timelines"
grep -E '^pktpath: [0-9]+ (events|packets)' "$LAB_DIR/tcp.err" | sed 's/^/# /'
check "bulk TCP: segments sent counted ($segs)" [ "$segs" -gt 1000 ]
check "bulk TCP: timelines within 1% of $segs segments ($got)" \
	awk -v a="$got" -v b="$segs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d * 100 <= b) }'
check "bulk TCP: no events beyond a packet's cap" bash -c "! grep -q 'events beyond' '$LAB_DIR/tcp.err'"
check "bulk TCP: no events lost" grep -qE ' 0 lost,' "$LAB_DIR/tcp.err"
fi

if part loss; then
# ---- small ring buffer under a flood: incomplete timelines are marked ----
# First the whole path of one such datagram, with room for every event.
pp_start "$LAB_DIR/cal" --json 'udp port 9' || fail "calibration: pktpath started"
lab_exec idn-a "$T/udpflood" $B 9 5 2 >/dev/null
sleep 0.5
pp_stop
whole=$(jq -c 'select(.type == "packet") | [.events[].probe]' "$LAB_DIR/cal.out" | sort | uniq -c | sort -rn | head -1 | sed -E 's/^ *[0-9]+ //')
echo "# the whole path: $whole"
check "calibration: 5 datagrams, 5 identical whole paths" \
	[ "$(jq -c 'select(.type == "packet") | [.events[].probe]' "$LAB_DIR/cal.out" | grep -cxF "$whole")" -eq 5 ]
pp_start "$LAB_DIR/lossy" --json --ringbuf 16K 'udp port 9' || fail "lossy: pktpath started"
lab_exec idn-a "$T/udpflood" $B 9 100000 3 >/dev/null
sleep 0.5
pp_stop
L=$LAB_DIR/lossy.out
lost=$(sed -nE 's/.* ([0-9]+) lost, .*/\1/p' "$LAB_DIR/lossy.err")
total=$(jq -c 'select(.type == "packet")' "$L" | wc -l)
marked=$(jq -c 'select(.type == "packet" and .events_lost_meanwhile)' "$L" | wc -l)
partial=$(jq -c --argjson w "$whole" 'select(.type == "packet") | select([.events[].probe] != $w)' "$L" | wc -l)
unmarked=$(jq -c --argjson w "$whole" 'select(.type == "packet" and (.events_lost_meanwhile | not)) | select([.events[].probe] != $w)' "$L" | wc -l)
summary=$(sed -nE 's/^pktpath: ([0-9]+) packets marked incomplete.*/\1/p' "$LAB_DIR/lossy.err")
echo "# flood into a 16K ring: $lost events lost; $total timelines, $partial not the whole path, $marked marked ($((marked - partial)) whole ones among them: a mark says 'may be')"
check "lossy: events were lost (the check means something)" [ "${lost:-0}" -gt 0 ]
check "lossy: every timeline that is not the whole path is marked ($unmarked not)" [ "$unmarked" -eq 0 -a "$partial" -gt 0 ]
check "lossy: the summary counts the marked timelines (${summary:-none} = $marked)" [ "${summary:--1}" -eq "$marked" ]
fi

if part flood; then
# ---- a filtered run next to an unrelated flood ----
lab_up idf 94 || { fail "flood lab setup"; exit 1; }
lab_bg idn-b "$T/tcpstream" server 7101 >/dev/null
# A reader: with none, ICMP errors come back and the connected sender's next
# send fails (ECONNREFUSED), so fewer datagrams leave than it tried.
lab_bg idn-b "$T/udpsink" 7005 60 >/dev/null
sleep 0.3
pp_start "$LAB_DIR/sel" "net 198.18.93.0/24" || fail "selected: pktpath started"
lab_bg idf-a "$T/udpflood" 198.18.94.2 9 100000000 "$FLOOD_SECS"
flood=$!
lab_exec idn-a "$T/tcpstream" client $B 7101 "$FLOOD_SECS" >/dev/null &
tcp=$!
send_udp 7005 $((FLOOD_SECS * 200))
wait $tcp $flood
sleep 0.5
pp_stop
S=$LAB_DIR/sel.out
echo "# $FLOOD_SECS s next to a flood: $(grep -c '^#' "$S") timelines; $(grep -E '^pktpath: [0-9]+ events' "$LAB_DIR/sel.err")"
check "next to a flood for $FLOOD_SECS s: none of its packets printed" bash -c "! grep -qE '198\\.18\\.94\\.|idf-' '$S'"
got=$(headers "$S" "^#[0-9]+ UDP $A:[0-9]+ > $B:7005 ")
check "next to a flood: the selected UDP datagrams printed ($got of $((FLOOD_SECS * 200)))" [ "$got" -eq $((FLOOD_SECS * 200)) ]
check "next to a flood: the selected TCP stream printed" [ "$(headers "$S" "^#[0-9]+ TCP $A:[0-9]+ > $B:7101 ")" -gt 100 ]
fi

if part neigh; then
# ---- the first datagram to an unresolved neighbour ----
ip -n idn-a neigh flush dev veth-a
pp_start "$LAB_DIR/neigh" 'udp port 7002' || fail "neighbour: pktpath started"
lab_exec idn-a bash -c "echo first > /dev/udp/$B/7002"
sleep 0.5
pp_stop
U=$LAB_DIR/neigh.out
check "unresolved neighbour: one timeline ($(grep -c '^#' "$U"))" [ "$(grep -c '^#' "$U")" -eq 1 ]
check "unresolved neighbour: the probe's copy is marked in it" grep -q "copy freed: the neighbour probe's" "$U"
check "unresolved neighbour: the wait is named" grep -qE 'net_dev_queue .*neighbour resolved after [0-9.]+(us|ms)' "$U"
sed 's/^/# /' "$U"
fi
