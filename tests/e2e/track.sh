# Tracking: a packet that matched before a DNAT rule rewrote its
# destination is still reported afterwards; with --no-track it is not.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up ppn 17 || { fail "lab setup"; exit 1; }
lab_exec ppn-b iptables -t nat -A PREROUTING -p udp --dport 6000 -j DNAT --to-destination 198.18.17.2:6001 ||
	{ fail "DNAT rule"; exit 1; }

for mode in track no-track; do
	args=(--stream --netns ppn-b)
	[ $mode = no-track ] && args+=(--no-track)
	pp_start "$LAB_DIR/$mode" "${args[@]}" 'udp dst port 6000' || { fail "$mode: pktpath started"; continue; }
	for i in 1 2 3; do
		lab_exec ppn-a bash -c 'echo x > /dev/udp/198.18.17.2/6000'
	done
	sleep 0.3
	pp_stop
	rx=$(grep -c 'netif_receive_skb.* > 198.18.17.2:6000 ' "$LAB_DIR/$mode.out")
	after=$(grep -c 'kfree_skb.* > 198.18.17.2:6001 .*DROP NO_SOCKET' "$LAB_DIR/$mode.out")
	check "$mode: 3 datagrams matched on receive, before DNAT ($rx)" [ "$rx" -eq 3 ]
	if [ $mode = track ]; then
		check "track: all 3 reported after DNAT rewrote them to :6001 ($after)" [ "$after" -eq 3 ]
	else
		check "no-track: none reported after DNAT ($after)" [ "$after" -eq 0 ]
	fi
done
