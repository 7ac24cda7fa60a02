# Namespaces and interfaces created after pktpath started print by name.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
pp_start "$LAB_DIR/pp" --stream 'net 198.18.22.0/24' || { fail "pktpath started"; exit 1; }
lab_up ppl 22 || { fail "lab setup"; exit 1; }
ip netns exec ppl-a ping -c 3 -i 0.1 198.18.22.2 >/dev/null
sleep 0.3
pp_stop
out=$LAB_DIR/pp.out
tx=$(awk '$4=="net_dev_queue" && $5=="ppl-a" && $6=="veth-a" && /echo-request/' "$out" | grep -c .)
rx=$(awk '$4=="netif_receive_skb" && $5=="ppl-b" && $6=="veth-b" && /echo-request/' "$out" | grep -c .)
check "a namespace and veth made after start: named on transmit ($tx seen, lab setup pings once more)" [ "$tx" -ge 3 ]
check "and on receive in the other new namespace ($rx seen)" [ "$rx" -ge 3 ]
check "exit 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
[ "$PP_RC" -eq 0 ] || sed "s/^/# pp.err: /" "$LAB_DIR/pp.err" | head -30
