# Netfilter hooks through BPF netfilter links (tracepoint backend, Linux >= 6.4):
# an iptables INPUT DROP shows the INPUT hook entered at the first priority
# and never left (no last-priority event), then the drop; an allowed datagram
# passes INPUT first and last. A hook that holds nothing but pktpath's link
# shows one step marked alone, and a rule added while pktpath runs gets the
# hook's end watched. The links go away with pktpath, also after SIGKILL.
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
# Each link's family, hook and priority, as the kernel reports them: "pf hook prio".
nf_links() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^link_type:[[:space:]]*netfilter' "$f" 2>/dev/null &&
			awk '/^pf:/ {print $2, $4, $6}' "$f"
	done | sort
}
# The oracle for the last-priority links: the hooks that hold something
# besides pktpath's link, from the namespace's ruleset itself (each nftables
# base chain's family and hook as "pf hook"; inet holds both families).
# Only nftables registers hooks in these namespaces (iptables is
# iptables-nft; nothing here loads conntrack).
nft_hooks() {
	ip netns exec "$1" nft -j list chains 2>/dev/null |
		jq -r '.nftables[]? | .chain? | select(.hook) | "\(.family) \(.hook)"' |
		awk 'BEGIN {h["prerouting"] = 0; h["input"] = 1; h["forward"] = 2; h["output"] = 3; h["postrouting"] = 4}
		     $1 == "ip" || $1 == "inet" {print 2, h[$2]} $1 == "ip6" || $1 == "inet" {print 10, h[$2]}' | sort -u
}
last_hooks() { awk '$3 > 0 {print $1, $2}' | sort -u; }
export -f last_hooks
iptables_nft=$(iptables -V 2>/dev/null | grep -c nf_tables)
links=$(nf_links "$PP_PID")
held=$(nft_hooks nfl-b)
nfirst=$(awk '$3 < 0' <<<"$links" | wc -l)
check "a first-priority link at each of the 2 x 5 IPv4 and IPv6 hooks (got $nfirst)" \
	[ "$(awk '$3 < -2147483000 {print $1, $2}' <<<"$links" | sort -u | wc -l)" -eq 10 -a "$nfirst" -eq 10 ]
# NFPROTO_IPV4 2, NF_INET_LOCAL_IN 1; FORWARD (2) holds nothing here.
check "a last-priority link at ipv4 INPUT, which the iptables rule joined" \
	bash -c 'awk "\$1 == 2 && \$2 == 1 && \$3 > 2147483000" <<<"$1" | grep -q .' _ "$links"
check "no last-priority link at ipv4 FORWARD, which holds nothing else" \
	bash -c '! awk "\$1 == 2 && \$2 == 2 && \$3 > 0" <<<"$1" | grep -q .' _ "$links"
if [ "$iptables_nft" -eq 1 ]; then
	check "last-priority links exactly at the hooks nfl-b's ruleset holds ($(echo $held | tr ' ' ,)), one each ($(last_hooks <<<"$links" | tr '\n' ' '))" \
		bash -c '[ -n "$1" ] && [ "$(last_hooks <<<"$2")" = "$1" ] && [ "$(awk "\$3 > 0" <<<"$2" | wc -l)" -eq "$(grep -c . <<<"$1")" ]' _ "$held" "$links"
else
	echo "# not run: the last-priority links against the ruleset (iptables is not iptables-nft here)"
fi

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

# A hook alone: nfl-a holds no rule (and, with --no-rules, no table of
# pktpath's). Its OUTPUT is one step, marked alone, with the route. Then an
# iptables rule joins OUTPUT while pktpath runs: within the second that
# pktpath asks the hooks again, a datagram shows OUTPUT first and last, and
# one the rule drops shows OUTPUT first and the drop.
if pp_start "$LAB_DIR/pp5" -n nfl-a --no-rules udp; then
	lab_exec nfl-a bash -c 'echo alone > /dev/udp/198.18.51.2/7002'
	sleep 0.3
	n_before=$(nf_links "$PP_PID" | awk '$3 > 0' | wc -l)
	lab_exec nfl-a iptables -A OUTPUT -p udp --dport 7004 -j DROP
	sleep 1.5
	n_after=$(nf_links "$PP_PID" | awk '$1 == 2 && $2 == 3 && $3 > 0' | wc -l)
	links_after=$(nf_links "$PP_PID")
	held_after=$(nft_hooks nfl-a)
	lab_exec nfl-a bash -c 'echo joined > /dev/udp/198.18.51.2/7003'
	lab_exec nfl-a bash -c 'echo dropped > /dev/udp/198.18.51.2/7004'
	sleep 0.5
	pp_stop
	lab_exec nfl-a iptables -D OUTPUT -p udp --dport 7004 -j DROP
	out=$LAB_DIR/pp5.out
	alone=$(block '198\.18\.51\.1:[0-9]+ > 198\.18\.51\.2:7002')
	joined=$(block '198\.18\.51\.1:[0-9]+ > 198\.18\.51\.2:7003')
	dropped=$(block '198\.18\.51\.1:[0-9]+ > 198\.18\.51\.2:7004')
	check "no last-priority link before the rule (got $n_before)" [ "$n_before" -eq 0 ]
	check "alone: exactly one OUTPUT step, marked alone, with the route ($(grep -c 'nf OUTPUT' <<<"$alone") OUTPUT steps)" \
		bash -c '[ "$(grep -cE "nf OUTPUT" <<<"$1")" -eq 1 ] && grep -qE "nf OUTPUT +nfl-a .*prio -[0-9]+ alone dev veth-a" <<<"$1"' _ "$alone"
	check "alone: exactly one POSTROUTING step, marked alone ($(grep -c 'nf POSTROUTING' <<<"$alone"))" \
		bash -c '[ "$(grep -cE "nf POSTROUTING" <<<"$1")" -eq 1 ] && grep -qE "nf POSTROUTING +nfl-a .* alone" <<<"$1"' _ "$alone"
	check "the rule joined OUTPUT: its last-priority link made (got $n_after)" [ "$n_after" -eq 1 ]
	if [ "$iptables_nft" -eq 1 ]; then
		check "after the rule, last-priority links exactly at the hooks nfl-a's ruleset holds ($(echo $held_after | tr ' ' ,))" \
			bash -c '[ -n "$1" ] && [ "$(last_hooks <<<"$2")" = "$1" ] && [ "$(awk "\$3 > 0" <<<"$2" | wc -l)" -eq "$(grep -c . <<<"$1")" ]' _ "$held_after" "$links_after"
	fi
	check "joined: one OUTPUT first, then one OUTPUT last with the route ($(grep -c 'nf OUTPUT first' <<<"$joined") and $(grep -c 'nf OUTPUT last' <<<"$joined"))" \
		bash -c '[ "$(grep -c "nf OUTPUT first" <<<"$1")" -eq 1 ] && [ "$(grep -c "nf OUTPUT last" <<<"$1")" -eq 1 ] &&
			grep -A100 "nf OUTPUT first" <<<"$1" | grep -qE "nf OUTPUT last .*dev veth-a"' _ "$joined"
	check "joined, dropped by the rule: one OUTPUT first, no OUTPUT last, one NETFILTER_DROP" \
		bash -c '[ "$(grep -c "nf OUTPUT first" <<<"$1")" -eq 1 ] && ! grep -q "nf OUTPUT last" <<<"$1" &&
			[ "$(grep -c "DROP NETFILTER_DROP" <<<"$1")" -eq 1 ]' _ "$dropped"
	check "no warning that a hook's end cannot be watched" bash -c '! grep -q "cannot watch the end" "$1"' _ "$LAB_DIR/pp5.err"
else
	fail "pktpath in nfl-a started"
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
