#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
# The tracepoint backend (--backend tracepoint) and its drop reasons on this kernel: a UDP datagram to a
# closed port (NO_SOCKET in __udp4_lib_rcv) and one dropped by an iptables-nft
# rule (NETFILTER_DROP through nf_hook_slow). Also proves the guest's
# netfilter modules carry a `-p udp --dport N -j DROP` rule. Reason numbers
# differ between 6.1 and 6.12; pktpath names them from each kernel's BTF.
# Before 5.17 kfree_skb carries no reason: pktpath must say so in one line
# and still report both drops with location and stack.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"
. "$here/../../lib/kernel_caps.sh"

lab_up vmdrop 21 || { fail "lab setup"; exit 1; }
check "iptables-nft: DROP rule for udp port 9999 in vmdrop-b" \
	lab_exec vmdrop-b iptables -A INPUT -p udp --dport 9999 -j DROP

pp_start "$LAB_DIR/pp" --backend tracepoint --stream -n vmdrop-b udp || {
	fail "drops: pktpath started"
	cat "$LAB_DIR/pp.err"
	exit 1
}
# Each netfilter link pktpath holds: "pf hook prio" (fdinfo).
links=$(for f in /proc/"$PP_PID"/fdinfo/*; do
	grep -q '^link_type:[[:space:]]*netfilter' "$f" 2>/dev/null && awk '/^pf:/ {print $2, $4, $6}' "$f"
done | sort)
lab_exec vmdrop-a bash -c 'echo closed > /dev/udp/198.18.21.2/7778'
lab_exec vmdrop-a bash -c 'echo filtered > /dev/udp/198.18.21.2/9999'
sleep 0.5
pp_stop
out=$LAB_DIR/pp.out
check "drops: pktpath exited 0 after SIGINT (got $PP_RC)" [ "$PP_RC" -eq 0 ]

# The event line of each datagram and the stack line after it.
r_nosock=NO_SOCKET r_nf=NETFILTER_DROP
if ! kc_drop_reason; then
	r_nosock='\(no reason: kernel before 5.17\)' r_nf=$r_nosock
	check "drops: no drop reasons on this kernel: pktpath says so in one line" \
		[ "$(grep -c 'drops carry no reason on this kernel' "$LAB_DIR/pp.err")" -eq 1 ]
fi
loc=__udp4_lib_rcv
kc_sym __udp4_lib_rcv || loc=udp_rcv # inlined into udp_rcv (7.x)
nosock=$(grep -A1 '198.18.21.1:[0-9]* > 198.18.21.2:7778' "$out" | grep -m1 -A1 'DROP')
check "drops: UDP to a closed port is $r_nosock at $loc" \
	grep -qE "DROP $r_nosock at $loc\+0x[0-9a-f]+" <<<"$nosock"
nf=$(grep -A1 '198.18.21.1:[0-9]* > 198.18.21.2:9999' "$out" | grep -m1 -A1 'DROP')
check "drops: iptables DROP is $r_nf with nf_hook_slow in the stack" \
	bash -c 'grep -qE "DROP $2" <<<"$1" && grep -qE "stack: .*nf_hook_slow" <<<"$1"' _ "$nf" "$r_nf"
# Netfilter without kprobes: BPF netfilter links (6.4+), else one line saying so.
if kc_nflink; then
	check "drops: netfilter link: the filtered datagram entered INPUT and never left it" \
		bash -c 'grep "198.18.21.2:9999" "$1" | grep -q "nf:INPUT:first" && ! grep "198.18.21.2:9999" "$1" | grep -q "nf:INPUT:last"' _ "$out"
	# "last" only where something besides pktpath's link is registered:
	# ipv4 INPUT (the DROP rule), not ipv4 FORWARD (nothing there).
	check "drops: netfilter links: one first-priority link at each of the 10 hooks" \
		[ "$(awk '$3 < 0' <<<"$links" | wc -l)" -eq 10 ]
	check "drops: netfilter links: a last-priority link at ipv4 INPUT, which the rule joined" \
		bash -c 'awk "\$1 == 2 && \$2 == 1 && \$3 > 0" <<<"$1" | grep -q .' _ "$links"
	check "drops: netfilter links: none at the end of ipv4 FORWARD, which holds nothing else" \
		bash -c '! awk "\$1 == 2 && \$2 == 2 && \$3 > 0" <<<"$1" | grep -q .' _ "$links"
	matrix tracepoint netfilter "hook entered, not left (netfilter links; last end only where the hook holds more)"
else
	check "drops: no netfilter links on this kernel: pktpath says so in one line" \
		[ "$(grep -c 'netfilter hooks not observed: no BPF netfilter links' "$LAB_DIR/pp.err")" -eq 1 ]
	matrix tracepoint netfilter "none (no netfilter links before 6.4)"
fi
pts=$(kc_points tracepoint)
matrix tracepoint points "${pts:-?}"
matrix tracepoint bridge "device rx/tx only"
if kc_drop_reason; then
	matrix tracepoint drops "reason, location, stack"
else
	matrix tracepoint drops "location, stack; no reason (kernel)"
fi
if [ -z "$nosock" ] || [ -z "$nf" ]; then
	echo "---- pktpath stdout"; cat "$out"; echo "---- stderr"; cat "$LAB_DIR/pp.err"
fi
