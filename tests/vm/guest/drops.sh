#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
# The tracepoint backend's drop reasons on this kernel: a UDP datagram to a
# closed port (NO_SOCKET in __udp4_lib_rcv) and one dropped by an iptables-nft
# rule (NETFILTER_DROP through nf_hook_slow). Also proves the guest's
# netfilter modules carry a `-p udp --dport N -j DROP` rule. Reason numbers
# differ between 6.1 and 6.12; pktpath names them from each kernel's BTF.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"

lab_up vmdrop 21 || { fail "lab setup"; exit 1; }
check "iptables-nft: DROP rule for udp port 9999 in vmdrop-b" \
	lab_exec vmdrop-b iptables -A INPUT -p udp --dport 9999 -j DROP

pp_start "$LAB_DIR/pp" --stream --drops -n vmdrop-b udp || {
	fail "drops: pktpath started"
	cat "$LAB_DIR/pp.err"
	exit 1
}
lab_exec vmdrop-a bash -c 'echo closed > /dev/udp/198.18.21.2/7778'
lab_exec vmdrop-a bash -c 'echo filtered > /dev/udp/198.18.21.2/9999'
sleep 0.5
pp_stop
out=$LAB_DIR/pp.out
check "drops: pktpath exited 0 after SIGINT (got $PP_RC)" [ "$PP_RC" -eq 0 ]

# The event line of each datagram and the stack line after it.
nosock=$(grep -A1 '198.18.21.1:[0-9]* > 198.18.21.2:7778' "$out" | grep -m1 -A1 'DROP')
check "drops: UDP to a closed port is NO_SOCKET at __udp4_lib_rcv" \
	grep -qE 'DROP NO_SOCKET at __udp4_lib_rcv\+0x[0-9a-f]+' <<<"$nosock"
nf=$(grep -A1 '198.18.21.1:[0-9]* > 198.18.21.2:9999' "$out" | grep -m1 -A1 'DROP')
check "drops: iptables DROP is NETFILTER_DROP with nf_hook_slow in the stack" \
	bash -c 'grep -q "DROP NETFILTER_DROP" <<<"$1" && grep -qE "stack: .*nf_hook_slow" <<<"$1"' _ "$nf"
if [ -z "$nosock" ] || [ -z "$nf" ]; then
	echo "---- pktpath stdout"; cat "$out"; echo "---- stderr"; cat "$LAB_DIR/pp.err"
fi
