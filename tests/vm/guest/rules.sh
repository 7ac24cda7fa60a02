#!/bin/bash
# Runs inside a test VM: the nftables rule of a netfilter drop is named on
# the fentry and kprobe backends too (nftables' trace works on every
# backend), and pktpath's trace table is gone after exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"
lab_up vru 120 || { fail "lab setup"; exit 1; }
lab_exec vru-b iptables -A INPUT -p udp --dport 9999 -j DROP || { fail "iptables rule"; exit 1; }
for bk in tracepoint fentry kprobe; do
	pp_start "$LAB_DIR/$bk" --backend "$bk" --drops --netns vru-b udp ||
		{ fail "[$bk] pktpath started: $(tail -2 "$LAB_DIR/$bk.err")"; continue; }
	lab_exec vru-a bash -c 'echo x > /dev/udp/198.18.120.2/9999'
	sleep 2
	pp_stop
	check "[$bk] the drop names the iptables-nft rule, table, chain and handle" \
		grep -qE "hint: the nftables rule '[^']*udp dport 9999 [^']*drop' \(table ip filter, chain INPUT, handle [0-9]+\)" "$LAB_DIR/$bk.out"
	check "[$bk] nothing of pktpath's left in the ruleset" bash -c "! ip netns exec vru-b nft list ruleset | grep -q pktpath"
done
