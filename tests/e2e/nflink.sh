# Netfilter hooks through BPF netfilter links (tracepoint backend, Linux >= 6.4):
# an iptables INPUT DROP shows the INPUT hook entered at the first priority
# and never left (no last-priority event), then the drop; an allowed datagram
# passes INPUT first and last. The links go away with pktpath, also after
# SIGKILL.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up nfl 51 || { fail "lab setup"; exit 1; }
lab_exec nfl-b iptables -A INPUT -p udp --dport 9999 -j DROP || { fail "iptables rule"; exit 1; }
lab_bg nfl-b "$TOOLS/udpsink" 7001 30 >"$LAB_DIR/sink.out"
for i in $(seq 1 50); do grep -q listening "$LAB_DIR/sink.out" && break; sleep 0.1; done

# Netfilter link ids a process holds, from its fds' fdinfo.
nf_link_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^link_type:[[:space:]]*netfilter' "$f" 2>/dev/null &&
			awk '/^link_id:/ {print $2}' "$f"
	done | sort -n
}
# Which of these link ids the kernel still has.
links_alive() {
	local id
	for id in "$@"; do
		bpftool -j link show id "$id" >/dev/null 2>&1 && echo "$id"
	done
}

if ! pp_start "$LAB_DIR/pp" -n nfl-b udp; then
	fail "pktpath started"
	cat "$LAB_DIR/pp.err"
	exit 1
fi
# Skipped only where the kernel has no BPF netfilter links at all (before
# 6.4); where it has them, a failure to link is a failure of this test.
if ! "$PKTPATH" --list-probes 2>/dev/null | grep -q "netfilter links available"; then
	echo "# not run: $("$PKTPATH" --list-probes 2>/dev/null | grep -o 'netfilter links [^;]*$')"
	pp_stop
	exit 0
fi
check "the netfilter links were made (no warning)" bash -c "! grep -q 'netfilter hooks not observed' '$LAB_DIR/pp.err'"
ids=$(nf_link_ids "$PP_PID")
nids=$(echo $ids | wc -w)
check "20 netfilter links held in nfl-b (2 families x 5 hooks x first/last; got $nids)" [ "$nids" -eq 20 ]
# Their hook and priority, as the kernel reports them.
prios=$(cat /proc/"$PP_PID"/fdinfo/* 2>/dev/null | grep -oE 'prio:[[:space:]]+-?[0-9]+' | awk '{print $2}' | sort -un | tr '\n' ' ')
check "links at the first and last priorities the kernel allows (got $prios)" \
	grep -qE -- '-2147483[0-9]+ .*21474836[0-9]+' <<<"$prios"

lab_exec nfl-a bash -c 'echo filtered > /dev/udp/198.18.51.2/9999'
lab_exec nfl-a bash -c 'echo allowed > /dev/udp/198.18.51.2/7001'
sleep 0.5
pp_stop
out=$LAB_DIR/pp.out
check "exit status 0 after SIGINT (got $PP_RC)" [ "$PP_RC" -eq 0 ]

# One timeline block per packet: from its header to the next header.
block() { RE=$1 awk '/^#[0-9]+ / {p = ($0 ~ ENVIRON["RE"])} p' "$out"; }
drop=$(block '198\.18\.51\.1:[0-9]+ > 198\.18\.51\.2:9999')
pass_=$(block '198\.18\.51\.1:[0-9]+ > 198\.18\.51\.2:7001')
check "dropped datagram: PREROUTING entered and left" \
	bash -c 'grep -q "nf PREROUTING first .*ipv4 prio -" <<<"$1" && grep -q "nf PREROUTING last .*ipv4 prio " <<<"$1"' _ "$drop"
check "dropped datagram: INPUT entered at the first priority" grep -q 'nf INPUT first .*veth-b.*ipv4 prio -' <<<"$drop"
check "dropped datagram: no INPUT last-priority event" bash -c '! grep -q "nf INPUT last" <<<"$1"' _ "$drop"
check "dropped datagram: the drop is NETFILTER_DROP, after INPUT first" \
	bash -c 'grep -A100 "nf INPUT first" <<<"$1" | grep -q "DROP NETFILTER_DROP"' _ "$drop"
check "allowed datagram: INPUT first then INPUT last" \
	bash -c 'grep -A100 "nf INPUT first" <<<"$1" | grep -q "nf INPUT last"' _ "$pass_"
# (Its end is not seen: UDP frees a read datagram without a tracepoint.)
check "allowed datagram: not dropped" bash -c '[ -n "$1" ] && ! grep -q "DROP" <<<"$1"' _ "$pass_"
check "allowed datagram: the host's OUTPUT hook was not crossed (it was received)" \
	bash -c '! grep -q "nf OUTPUT" <<<"$1"' _ "$pass_"
check "summary counts netfilter events" grep -qE 'netfilter [0-9]+' "$LAB_DIR/pp.err"

left=$(links_alive $ids)
check "no netfilter link left after exit (ids $(echo $ids | head -c 40)...; alive: ${left:-none})" [ -z "$left" ]

# SIGKILL: the kernel closes the fds, and with them the links.
if pp_start "$LAB_DIR/pp2" -n nfl-b; then
	ids=$(nf_link_ids "$PP_PID")
	kill -KILL "$PP_PID"
	wait "$PP_PID" 2>/dev/null
	sleep 0.3
	left=$(links_alive $ids)
	check "after SIGKILL, none of its $(echo $ids | wc -w) links remain (alive: ${left:-none})" \
		bash -c '[ -n "$1" ] && [ -z "$2" ]' _ "$ids" "$left"
else
	fail "second pktpath started"
fi

# JSON carries the hook and priority.
# --no-track: the filter itself must match at the hooks (L3 at network_header).
if pp_start "$LAB_DIR/pp3" -n nfl-b --json --no-track udp port 7001; then
	lab_exec nfl-a bash -c 'echo allowed > /dev/udp/198.18.51.2/7001'
	sleep 0.5
	pp_stop
	check "JSON: INPUT last with family and priority" \
		bash -c 'jq -e ".events[]? | select(.nf_hook == \"INPUT\" and .nf_family == \"ipv4\" and .nf_priority > 0 and .group == \"netfilter\")" "$1" >/dev/null' _ "$LAB_DIR/pp3.out"
	check "--no-track: the pcap filter matches at PREROUTING's first priority" \
		bash -c 'jq -e ".events[]? | select(.probe == \"nf PREROUTING first\")" "$1" >/dev/null' _ "$LAB_DIR/pp3.out"
else
	fail "pktpath --json started"
fi

# --no-netfilter: no links, no netfilter steps.
if pp_start "$LAB_DIR/pp4" -n nfl-b --no-netfilter udp; then
	n=$(nf_link_ids "$PP_PID" | wc -l)
	lab_exec nfl-a bash -c 'echo filtered > /dev/udp/198.18.51.2/9999'
	sleep 0.5
	pp_stop
	check "--no-netfilter: no links (got $n) and no nf steps" \
		bash -c '[ "$1" -eq 0 ] && ! grep -q "nf INPUT" "$2" && grep -q "DROP NETFILTER_DROP" "$2"' _ "$n" "$LAB_DIR/pp4.out"
else
	fail "pktpath --no-netfilter started"
fi
