# A ping between two lab namespaces, seen on both veths with the right
# process and packet type.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up ppp 11 || { fail "lab setup"; exit 1; }

pp_start "$LAB_DIR/pp" --stream || { fail "pktpath started"; cat "$LAB_DIR/pp.err"; exit 1; }
ip netns exec ppp-a ping -c 3 -i 0.2 198.18.11.2 >/dev/null &
ping_pid=$!   # ip netns exec execs ping: same pid
wait $ping_pid
sleep 0.3
pp_stop
out=$LAB_DIR/pp.out
ns_a=ppp-a ns_b=ppp-b

# Columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM PACKET...
req_tx=$(awk -v ns=$ns_a '$4=="net_dev_queue" && $5==ns && $6=="veth-a" && /ICMP 198.18.11.1 > 198.18.11.2 echo-request/' "$out")
req_rx=$(awk -v ns=$ns_b '$4=="netif_receive_skb" && $5==ns && $6=="veth-b" && /ICMP 198.18.11.1 > 198.18.11.2 echo-request/' "$out")
rep_tx=$(awk -v ns=$ns_b '$4=="net_dev_queue" && $5==ns && $6=="veth-b" && /ICMP 198.18.11.2 > 198.18.11.1 echo-reply/' "$out")
rep_rx=$(awk -v ns=$ns_a '$4=="netif_receive_skb" && $5==ns && $6=="veth-a" && /ICMP 198.18.11.2 > 198.18.11.1 echo-reply/' "$out")

check "3 echo requests on transmit from $ns_a veth-a" [ "$(grep -c . <<<"$req_tx")" -eq 3 ]
check "echo request transmit names ping's pid $ping_pid and comm" \
	bash -c "awk '\$8 != $ping_pid || \$9 != \"ping\"' <<<'$req_tx' | grep -q . && exit 1 || [ -n '$req_tx' ]"
check "3 echo requests received on $ns_b veth-b" [ "$(grep -c . <<<"$req_rx")" -eq 3 ]
check "echo request receive has pkt_type HOST" bash -c "awk '\$7 != \"HOST\"' <<<'$req_rx' | grep -q . && exit 1 || [ -n '$req_rx' ]"
check "3 echo replies on transmit from $ns_b veth-b" [ "$(grep -c . <<<"$rep_tx")" -eq 3 ]
check "3 echo replies received on $ns_a veth-a" [ "$(grep -c . <<<"$rep_rx")" -eq 3 ]
check "echo reply receive has pkt_type HOST" bash -c "awk '\$7 != \"HOST\"' <<<'$rep_rx' | grep -q . && exit 1 || [ -n '$rep_rx' ]"
check "echo id and seq decoded" grep -qE 'echo-request id [0-9]+ seq 3 ' <<<"$req_tx"
