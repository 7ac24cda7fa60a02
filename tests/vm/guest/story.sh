#!/bin/bash
# The story of a packet on the fentry and kprobe backends (run inside the
# test VM by tests/vm/run.sh; the host has neither): a ping from st-c through
# the router st-r (MASQUERADE on out0) to st-s. The request's timeline says
# `SNAT 198.18.81.2 -> 198.18.82.1` once, in st-r, at the first step after
# the hook that made it ("in hook POSTROUTING" when that step is not the
# hook's own); the reply's says the reverse DNAT once. An ARP exchange is
# decoded (`ARP, Request who-has`) and the ping's sender names every step.
set -u
cd "$(dirname "$0")/../../.."
. tests/lib/lab.sh
. tests/lib/check.sh
PKTPATH=${PKTPATH:-$(command -v pktpath)}

lab_ns st-c && lab_ns st-r && lab_ns st-s &&
	lab_veth st-c eth0 st-r in0 && lab_veth st-r out0 st-s eth0 &&
	ip -n st-c addr add 198.18.81.2/24 dev eth0 && ip -n st-r addr add 198.18.81.1/24 dev in0 &&
	ip -n st-r addr add 198.18.82.1/24 dev out0 && ip -n st-s addr add 198.18.82.2/24 dev eth0 &&
	ip -n st-c route add default via 198.18.81.1 &&
	ip netns exec st-r sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec st-r iptables -t nat -A POSTROUTING -o out0 -j MASQUERADE ||
	{ fail "router set-up"; exit 1; }

for b in fentry kprobe; do
	out=$LAB_DIR/$b
	if ! PP_START_TRIES=600 pp_start "$out" --backend "$b" 'net 198.18.80.0/22 or arp'; then
		fail "$b: pktpath started"
		cat "$out.err"
		continue
	fi
	# Neighbours forgotten now, on both ends of the link: a router's probe
	# during the slow start-up would teach st-c the gateway's address.
	ip -n st-c neigh flush all
	ip -n st-r neigh flush all
	ip netns exec st-c ping -c 1 -W 3 198.18.82.2 >/dev/null &
	ping=$!
	wait $ping
	sleep 1
	pp_stop
	block() { awk -v p="$1" '/^#[0-9]+ / { on = ($0 ~ p) } on' "$out.out"; }
	req=$(block "ICMP 198.18.81.2 > 198.18.82.2 echo-request id $ping ")
	rep=$(block "ICMP 198.18.82.2 > 198.18.82.1 echo-reply id $ping ")
	n=$(grep -E '  [SD]NAT ' <<<"$req")
	check "$b: the request's header as sent, owner ping" grep -q "^#.* owner $ping (ping) " <<<"$req"
	check "$b: one rewrite on the request, SNAT 198.18.81.2 -> 198.18.82.1 in st-r, naming POSTROUTING ($(grep -c . <<<"$n"))" \
		bash -c '[ "$(grep -c . <<<"$1")" -eq 1 ] && grep -qE "( nf POSTROUTING last st-r .*  SNAT 198\.18\.81\.2 -> 198\.18\.82\.1| st-r .*  SNAT 198\.18\.81\.2 -> 198\.18\.82\.1 in hook POSTROUTING)$" <<<"$1"' _ "$n"
	echo "# $b: ${n# }"
	n=$(grep -E '  [SD]NAT ' <<<"$rep")
	check "$b: one rewrite on the reply, DNAT 198.18.82.1 -> 198.18.81.2 in st-r, naming PREROUTING ($(grep -c . <<<"$n"))" \
		bash -c '[ "$(grep -c . <<<"$1")" -eq 1 ] && grep -qE "( nf PREROUTING last st-r .*  DNAT 198\.18\.82\.1 -> 198\.18\.81\.2| st-r .*  DNAT 198\.18\.82\.1 -> 198\.18\.81\.2 in hook PREROUTING)$" <<<"$1"' _ "$n"
	echo "# $b: ${n# }"
	if grep -q '^#[0-9]* ARP, Request who-has 198\.18\.81\.1 tell 198\.18\.81\.2 ' "$out.out"; then
		pass "$b: ARP decoded (ARP, Request who-has 198.18.81.1 tell 198.18.81.2)"
	else
		fail "$b: ARP decoded (ARP, Request who-has 198.18.81.1 tell 198.18.81.2)"
		grep -A8 -E '^#[0-9]+ .*(ARP|0x0806)' "$out.out" | head -20 | sed 's/^/# /'
	fi
done
