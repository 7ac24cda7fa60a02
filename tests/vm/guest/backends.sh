#!/bin/bash
# The fentry and kprobe backends on a real Debian kernel (run inside the
# test VM by tests/vm/run.sh). For each backend the kernel offers:
#   1. ping between namespaces: ip_finish_output (with its output device)
#      on the sender, ip_rcv on the receiver;
#   2. iptables INPUT DROP: nf_hook_slow at INPUT, the table's DROP verdict,
#      then the drop with reason NETFILTER_DROP;
#   3. a namespace router: ip_forward, output device, gateway and table; without
#      the route the packet's drop says no route; over IPv6, ip6_forward
#      and the route at ip6_finish_output (device, gateway, table);
#   4. a bridge: br_handle_frame on the ingress port, br_forward to the
#      egress port;
#   5. UDP to a closed port: the drop with reason NO_SOCKET, from the
#      reason-carrying function itself.
# And --wide (kprobes): > 1000 functions, the ping in > 20 of them.
# Where the kernel lacks something (read from the kernel: tests/lib/kernel_caps.sh)
# the check asks for pktpath's one line saying so instead: 5.10 has no drop
# reasons and no module BTF (no nft_do_chain table, no bridge functions).
# The kprobe run hides ip_rcv_finish from the catalog (PKTPATH_TEST_HIDE_FUNCS):
# one warning line names it, and everything else still works.
# Prints MATRIX lines for the README's kernel table (tests/vm/table.sh).
set -u
cd "$(dirname "$0")/../../.."
. tests/lib/lab.sh
. tests/lib/check.sh
. tests/lib/kernel_caps.sh
PKTPATH=${PKTPATH:-$(command -v pktpath)}
REL=$(uname -r)


lab_up bk 70 || { fail "lab set-up"; exit 1; }
lab_exec bk-b iptables -A INPUT -p udp --dport 7001 -j DROP || fail "iptables rule"

# Router: rt-a (198.18.71.1) -- rt-r -- rt-b (198.18.72.1, and 198.18.73.1
# behind it, reached through a gateway); over IPv6 the same with
# 2001:2:0:71::/64, 2001:2:0:72::/64 and 2001:2:0:73::1 (RFC 5180).
lab_ns rt-a && lab_ns rt-r && lab_ns rt-b &&
	lab_veth rt-a eth0 rt-r ra && lab_veth rt-r rb rt-b eth0 &&
	ip -n rt-a addr add 198.18.71.1/24 dev eth0 && ip -n rt-r addr add 198.18.71.254/24 dev ra &&
	ip -n rt-r addr add 198.18.72.254/24 dev rb && ip -n rt-b addr add 198.18.72.1/24 dev eth0 &&
	ip -n rt-b addr add 198.18.73.1/32 dev lo &&
	ip -n rt-a route add default via 198.18.71.254 && ip -n rt-b route add default via 198.18.72.254 &&
	ip -n rt-r route add 198.18.73.0/24 via 198.18.72.1 &&
	ip netns exec rt-r sysctl -qw net.ipv4.ip_forward=1 ||
	fail "router set-up"
ip -n rt-a addr add 2001:2:0:71::1/64 dev eth0 nodad && ip -n rt-r addr add 2001:2:0:71::fe/64 dev ra nodad &&
	ip -n rt-r addr add 2001:2:0:72::fe/64 dev rb nodad && ip -n rt-b addr add 2001:2:0:72::1/64 dev eth0 nodad &&
	ip -n rt-b addr add 2001:2:0:73::1/128 dev lo &&
	ip -n rt-a -6 route add default via 2001:2:0:71::fe && ip -n rt-b -6 route add default via 2001:2:0:72::fe &&
	ip -n rt-r -6 route add 2001:2:0:73::/64 via 2001:2:0:72::1 &&
	ip netns exec rt-r sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip netns exec rt-a ping -6 -c 1 -W 5 2001:2:0:73::1 >/dev/null || # neighbour discovery done before tracing
	fail "IPv6 router set-up"

# Bridge: br-x (198.18.74.1) -- [br-s: br0 joins px, py] -- br-y (198.18.74.2).
lab_ns br-x && lab_ns br-s && lab_ns br-y &&
	lab_veth br-x eth0 br-s px && lab_veth br-y eth0 br-s py &&
	ip -n br-s link add br0 type bridge && ip -n br-s link set px master br0 &&
	ip -n br-s link set py master br0 && ip -n br-s link set br0 up &&
	ip -n br-x addr add 198.18.74.1/24 dev eth0 && ip -n br-y addr add 198.18.74.2/24 dev eth0 ||
	fail "bridge set-up"

udp_send() { # NS DST PORT
	ip netns exec "$1" bash -c "echo pktpath-test >/dev/udp/$2/$3" 2>/dev/null
}

# Line number of the first line of FILE matching all the given patterns.
first_line() {
	local f=$1
	shift
	awk -v n="$#" 'BEGIN { for (i = 2; i < ARGC; i++) p[i - 1] = ARGV[i]; ARGC = 2 }
		{ ok = 1; for (i = 1; i <= n; i++) if (index($0, p[i]) == 0) ok = 0; if (ok) { print NR; exit } }' "$f" "$@"
}
seen() { [ -n "$(first_line "$@")" ]; }
before() { # FILE A-PATTERN B-PATTERN: a line with A comes before one with B
	local a b
	a=$(first_line "$1" "$2")
	b=$(first_line "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

run_backend() {
	local b=$1 out="$LAB_DIR/$1" hide=
	[ "$b" = kprobe ] && hide=ip_rcv_finish
	if ! PKTPATH_TEST_HIDE_FUNCS=$hide pp_start "$out" --backend "$b" --stream "net 198.18.64.0/20 or net 2001:2:0:70::/60"; then
		fail "$b: pktpath started"
		cat "$out.err"
		return
	fi
	lab_exec bk-a ping -c 2 -W 2 198.18.70.2 >/dev/null
	udp_send bk-a 198.18.70.2 7001
	udp_send bk-a 198.18.70.2 7002
	ip netns exec rt-a ping -c 1 -W 2 198.18.73.1 >/dev/null
	ip netns exec rt-a ping -6 -c 1 -W 2 2001:2:0:73::1 >/dev/null
	# A fresh ARP exchange each run: its broadcast is what the bridge clones.
	ip -n br-x neigh flush all
	ip -n br-y neigh flush all
	ip netns exec br-x ping -c 1 -W 2 198.18.74.2 >/dev/null
	ip -n rt-r route del 198.18.73.0/24
	ip netns exec rt-a ping -c 1 -W 1 198.18.73.1 >/dev/null
	ip -n rt-r route add 198.18.73.0/24 via 198.18.72.1
	sleep 1
	pp_stop
	local o="$out.out" e="$out.err"
	check "$b: backend line names $b" grep -q "^backend: $b " "$e"
	check "$b: exit status 0" [ "$PP_RC" -eq 0 ]
	check "$b: no verifier output on stderr" bash -c "! grep -qiE 'libbpf:|verifier|^[0-9]+: \\(' '$e'"
	# The drop as this kernel reports it: its reason by name (5.17+), else
	# pktpath's own words for "no reason here".
	local r_nosock="DROP NO_SOCKET" r_nf="DROP NETFILTER_DROP" r_noroute="DROP IP_INNOROUTES"
	if ! kc_drop_reason; then
		r_nosock="DROP (no reason" r_nf="DROP (no reason" r_noroute="DROP (no reason"
		check "$b: no drop reasons here: pktpath says so in one line" \
			[ "$(grep -c 'drops carry no reason on this kernel' "$e")" -eq 1 ]
	fi
	# 1. ping
	check "$b: ping: ip_finish_output on the sender with its output device" \
		seen "$o" "ip_finish_output" " bk-a " "echo-request" "dev veth-a"
	check "$b: ping: ip_rcv on the receiver" seen "$o" "ip_rcv " " bk-b " "echo-request"
	# 2. netfilter
	check "$b: iptables: nf_hook_slow at INPUT" seen "$o" "nf_hook_slow" "> 198.18.70.2:7001" "hook INPUT"
	if kc_module_btf; then
		check "$b: iptables: nft_do_chain names table filter" \
			seen "$o" "nft_do_chain" "> 198.18.70.2:7001" "table filter" "hook INPUT"
		check "$b: iptables: the drop: $r_nf in hook INPUT, table filter, verdict DROP" \
			seen "$o" "> 198.18.70.2:7001" "$r_nf" "hook INPUT" "table filter" "verdict DROP"
	else
		check "$b: no module BTF: one warning line names nft_do_chain and the bridge functions" \
			[ "$(grep -c 'not in this kernel.s BTF.*nft_do_chain.*br_handle_frame.*no module BTF' "$e")" -eq 1 ]
		check "$b: iptables: the drop: $r_nf in hook INPUT, verdict DROP (no table without module BTF)" \
			seen "$o" "> 198.18.70.2:7001" "$r_nf" "hook INPUT" "verdict DROP"
	fi
	check "$b: iptables: nf_hook_slow comes before the drop" \
		before "$o" "hook INPUT" "$r_nf"
	# 3. router
	check "$b: router: ip_forward" seen "$o" "ip_forward" " rt-r " "198.18.73.1"
	check "$b: router: output device, gateway and table" \
		seen "$o" "ip_finish_output" " rt-r " "dev rb via 198.18.72.1 type unicast table main"
	check "$b: IPv6 router: ip6_forward" seen "$o" "ip6_forward" " rt-r " "2001:2:0:73::1" "echo-request"
	check "$b: IPv6 router: ip6_finish_output names output device, gateway and table" \
		seen "$o" "ip6_finish_output" " rt-r " "echo-request" "dev rb via 2001:2:0:72::1 type unicast table main"
	check "$b: IPv6 sender: ip6_finish_output names its device and gateway" \
		seen "$o" "ip6_finish_output" " rt-a " "echo-request" "dev eth0 via 2001:2:0:71::fe"
	if kc_drop_reason; then
		check "$b: router: without the route, the drop says no route" \
			seen "$o" " rt-r " "198.18.73.1" "$r_noroute"
	else
		check "$b: router: without the route, the drop is located in ip_error (no reason here)" \
			seen "$o" " rt-r " "198.18.73.1" "$r_noroute" "at ip_error"
	fi
	# 4. bridge
	if kc_module_btf; then
		check "$b: bridge: br_handle_frame on the ingress port" seen "$o" "br_handle_frame" " br-s " " px "
		check "$b: bridge: br_forward to the egress port" seen "$o" "br_forward" " br-s " "port py"
	fi
	# A clone: the bridge floods the first ARP request to the other port and
	# keeps a clone for its own device; the clone is reported and, being a
	# clone of a selected packet, followed although nothing else selects it.
	local clone
	clone=$(awk '$4 == "skb_clone" && $5 == "br-s" { for (i = 1; i < NF; i++) if ($i == "clone" && $(i+1) == "skb") c[$(i+2)] = 1 }
		$5 == "br-s" && ($2 in c) && $4 != "skb_clone" { print $2; exit }' "$o")
	check "$b: clone: skb_clone in the bridge names a clone that is then followed (${clone:-none})" [ -n "$clone" ]
	# 5. closed port: the drop function this kernel has, located where the
	# kernel frees it (__udp4_lib_rcv, or udp_rcv where it is inlined: 7.x).
	local dropfn=kfree_skb loc=__udp4_lib_rcv
	if kc_sym sk_skb_reason_drop; then
		dropfn=sk_skb_reason_drop
	elif kc_sym kfree_skb_reason; then
		dropfn=kfree_skb_reason
	fi
	kc_sym __udp4_lib_rcv || loc=udp_rcv
	check "$b: closed port: $r_nosock from $dropfn" seen "$o" "$dropfn" "> 198.18.70.2:7002" "$r_nosock"
	check "$b: closed port: located in $loc" seen "$o" "> 198.18.70.2:7002" "$r_nosock" "at $loc+"
	# 6. a point hidden from the catalog: one warning line, the rest works.
	if [ -n "$hide" ]; then
		check "$b: $hide hidden from the catalog: exactly one warning line names it" \
			[ "$(grep -c "^pktpath: warning: .*$hide" "$e")" -eq 1 ]
		check "$b: $hide hidden: not traced, ip_rcv and ip_local_deliver still are" \
			bash -c "! grep -q ' $hide ' '$o' && grep -q ' ip_local_deliver ' '$o' && grep -q ' ip_rcv ' '$o'"
	fi
	# What pktpath said, and its drops, for the console log.
	sed 's/^/# '"$b"' stderr: /' "$e" | head -n 12
	grep 'DROP' "$o" | cut -c1-60,120-260 | head -n 8 | sed 's/^/# '"$b"' drop: /'
	# For the kernel table.
	local pts
	pts=$(kc_points "$b")
	matrix "$b" points "${pts:-?}"
	if kc_drop_reason && seen "$o" "> 198.18.70.2:7002" "DROP NO_SOCKET"; then
		matrix "$b" drops "reason, location, stack"
	elif seen "$o" "> 198.18.70.2:7002" "DROP (no reason"; then
		matrix "$b" drops "location, stack; no reason (kernel)"
	else
		matrix "$b" drops "FAILED"
	fi
	if seen "$o" "> 198.18.70.2:7001" "hook INPUT" "table filter" "verdict DROP"; then
		matrix "$b" netfilter "hook, table, chain, verdict"
	elif seen "$o" "> 198.18.70.2:7001" "hook INPUT" "verdict DROP"; then
		matrix "$b" netfilter "hook, verdict; no table (no module BTF)"
	else
		matrix "$b" netfilter "FAILED"
	fi
	if seen "$o" "br_forward" "port py"; then
		matrix "$b" bridge "ports"
	elif grep -q 'br_handle_frame.*no module BTF' "$e"; then
		matrix "$b" bridge "none (no module BTF)"
	else
		matrix "$b" bridge "FAILED"
	fi
}

for b in fentry kprobe; do
	if kc_list | grep -q "^backends:.* $b available"; then
		run_backend "$b"
	else
		fail "$b backend available on this kernel"
	fi
done

# --wide: every traceable function taking an skb, through one kprobe.multi
# link. Only where the kernel has kprobe.multi: one kprobe per function for
# more than a thousand functions takes minutes under emulation.
if kc_list | grep -q "kprobe.multi available"; then
	out="$LAB_DIR/wide"
	if PP_START_TRIES=600 pp_start "$out" --wide -n bk-b --stream --no-stack icmp; then
		lab_exec bk-a ping -c 2 -W 2 198.18.70.2 >/dev/null
		sleep 1
		pp_stop
		n=$(sed -n 's/^wide: \([0-9]*\) functions attached.*/\1/p' "$out.err")
		t=$(sed -n 's/^wide: .* in \([0-9.]*\) s$/\1/p' "$out.err")
		fns=$(awk '/echo-re/ { print $4 }' "$out.out" | sort -u | grep -c .)
		check "--wide: more than 1000 functions attached (${n:-none}; attach took ${t:-?}s)" [ "${n:-0}" -gt 1000 ]
		check "--wide: attach time printed" [ -n "$t" ]
		check "--wide: the ping seen in more than 20 functions ($fns)" [ "$fns" -gt 20 ]
		check "--wide: detach time printed" grep -q "^wide: detached in" "$out.err"
	else
		fail "--wide: pktpath started"
		tail -5 "$out.err"
	fi
else
	echo "# --wide not run on $REL: no kprobe.multi (one kprobe per function is too slow under emulation)"
fi
