# A filter expression selects exactly the matching packets, live: UDP to
# two hosts and two ports at once, only one (host, port) pair must show,
# every one of its datagrams, each followed until it is freed.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
UDPFLOOD=$(cd "$(dirname "$0")/../.." && pwd)/build/tools/udpflood
N=20

lab_up ppf 7 || { fail "lab setup"; exit 1; }
lab_exec ppf-b ip addr add 198.18.7.3/24 dev veth-b || { fail "second address"; exit 1; }
lab_exec ppf-a ping -c1 -W2 198.18.7.3 >/dev/null || { fail "second address unreachable"; exit 1; }

out=$LAB_DIR/pp.out
pp_start "$LAB_DIR/pp" --stream --netns ppf-b -t 4 'udp and dst host 198.18.7.2 and dst port 5001' ||
	{ fail "pktpath started: $(cat "$LAB_DIR/pp.err")"; exit 1; }
for host in 198.18.7.2 198.18.7.3; do
	for port in 5001 5002; do
		lab_bg ppf-a "$UDPFLOOD" "$host" "$port" "$N" 2
	done
done
wait "$PP_PID"
rc=$?
check "pktpath with a filter exits 0 (got $rc)" [ $rc -eq 0 ]

rx=$(grep -c 'netif_receive_skb.*198\.18\.7\.1:[0-9]* > 198\.18\.7\.2:5001' "$out")
check "$rx of $N matching datagrams received" [ "$rx" -eq "$N" ]
others=$(grep -E -c '198\.18\.7\.3|:5002' "$out")
check "no other (host, port) pair shows ($others unrelated events)" [ "$others" -eq 0 ]
# Each matched skb is reported once more where it ends (no socket: dropped).
ends=$(grep -E -c 'kfree_skb|consume_skb' "$out")
check "$ends matched packets followed to their end" [ "$ends" -ge "$N" ]

# Every program that reports packets filters them, including the delivery
# to a receiving process: a TCP transfer the expression does not match
# shows nothing at all (a program left without the filter would match all).
lab_bg ppf-b "$(dirname "$UDPFLOOD")/tcpstream" server 5003 >"$LAB_DIR/tcpsrv.out"
for i in $(seq 1 50); do grep -q listening "$LAB_DIR/tcpsrv.out" 2>/dev/null && break; sleep 0.1; done
pp_start "$LAB_DIR/nomatch" --stream -n ppf-b 'tcp port 4' || { fail "nomatch: pktpath started"; exit 1; }
ip netns exec ppf-a "$(dirname "$UDPFLOOD")/tcpstream" client 198.18.7.2 5003 1 >/dev/null
pp_stop
n=$(sed -nE 's/^pktpath: ([0-9]+) events.*/\1/p' "$LAB_DIR/nomatch.err")
check "a TCP transfer to port 5003 with 'tcp port 4': no event (${n:-?})" [ "${n:-1}" -eq 0 ]
