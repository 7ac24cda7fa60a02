#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
# fentry and kprobe: a packet turned away is remembered by its headers
# (bpf/decided.bpf.h), and when the expression reads no further than they
# cover, the netfilter points keep that verdict instead of forgetting it. A
# packet NAT makes match must still be shown: its rewritten headers no
# longer match what was remembered. Two datagrams from vmdec-a, neither
# matching as sent ('udp port 7002 or udp port 7004'):
#  - to 7003, DNAT'd in vmdec-a's OUTPUT to 7004: turned away at OUTPUT's
#    hook, shown from the next output point on, and its drop in vmdec-b;
#  - to 7001, DNAT'd in vmdec-b's PREROUTING to 7002: turned away at
#    the device receive, shown at its drop by INPUT's rule (not at a
#    closed port: the ICMP error sent before that drop would take the
#    per-CPU note, and the check would pass without it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"
PKTPATH=${PKTPATH:-$(command -v pktpath)}

lab_up vmdec 23 || { fail "lab setup"; exit 1; }
check "decided: rules (OUTPUT DNAT in vmdec-a; PREROUTING DNAT and INPUT DROP in vmdec-b)" bash -c '
	ip netns exec vmdec-a iptables -t nat -A OUTPUT -p udp --dport 7003 -j DNAT --to-destination 198.18.23.2:7004 &&
	ip netns exec vmdec-b iptables -t nat -A PREROUTING -p udp --dport 7001 -j DNAT --to-destination 198.18.23.2:7002 &&
	ip netns exec vmdec-b iptables -A INPUT -p udp --dport 7002 -j DROP'
expr='udp port 7002 or udp port 7004'
reach=$("$PKTPATH" --dump-filter "$expr" | sed -n 's/^L3 reads: at most the first \([0-9]*\) bytes.*/\1/p')
check "decided: the expression reads no more than the 64 bytes remembered (${reach:-unbounded})" [ "${reach:-999}" -le 64 ]

for b in ${BACKENDS:-fentry kprobe}; do  # BACKENDS=tracepoint: the same checks on a host
	out=$LAB_DIR/$b
	if ! PP_START_TRIES=600 pp_start "$out" --backend "$b" --stream "$expr"; then
		fail "decided: $b: pktpath started"
		cat "$out.err"
		continue
	fi
	lab_exec vmdec-a bash -c 'echo out > /dev/udp/198.18.23.2/7003'
	lab_exec vmdec-a bash -c 'echo in > /dev/udp/198.18.23.2/7001'
	sleep 1
	pp_stop
	check "decided: $b: pktpath exited 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
	check "decided: $b: the backend asked for" grep -q "^backend: $b" "$out.err"
	# Stream rows name the packet as it is at each point. One datagram of
	# each was sent: each is dropped once, and nothing may be lost.
	check "decided: $b: no event lost" grep -qE '^pktpath: [0-9]+ events.*, 0 lost' "$out.err"
	outp=$(grep -E '198\.18\.23\.1:[0-9]+ > 198\.18\.23\.2:7004' "$out.out")
	check "decided: $b: OUTPUT's DNAT to 7004 made it match: seen leaving vmdec-a ($(grep -c . <<<"$outp") rows)" \
		grep -q 'vmdec-a' <<<"$outp"
	check "decided: $b: ... and its one drop in vmdec-b (nothing listens on 7004): $(grep -cE 'vmdec-b .*DROP' <<<"$outp")" \
		[ "$(grep -cE 'vmdec-b .*DROP' <<<"$outp")" -eq 1 ]
	prer=$(grep -E '198\.18\.23\.1:[0-9]+ > 198\.18\.23\.2:7002' "$out.out")
	check "decided: $b: PREROUTING's DNAT to 7002 made it match: its one drop by INPUT's rule in vmdec-b ($(grep -cE 'vmdec-b .*DROP' <<<"$prer") of $(grep -c . <<<"$prer") rows)" \
		[ "$(grep -cE 'vmdec-b .*DROP' <<<"$prer")" -eq 1 ]
	check "decided: $b: nothing shown as sent (7001, 7003)" \
		bash -c '! grep -qE "198\.18\.23\.2:700[13]( |$)" "$1"' _ "$out.out"
	if [ -z "$outp" ] || [ -z "$prer" ]; then
		echo "---- $b stdout"; cat "$out.out"; echo "---- stderr"; cat "$out.err"
	fi
done
