# Sockets older than pktpath: a TCP client connects and sends before
# pktpath starts, then sits idle. Afterwards its socket only sends ACKs from
# softirq, which the kernel owner map cannot attribute; sock_diag and /proc
# must name the client, and the JSON must say that is where it came from.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up ppk 21 || { fail "lab setup"; exit 1; }

wait_for() { # file word
	local i
	for i in $(seq 1 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	return 1
}

ip netns exec ppk-b "$TOOLS/tcpidle" server 8090 20000 >"$LAB_DIR/server.log" &
server=$!
LAB_PIDS+=("$server")
wait_for "$LAB_DIR/server.log" listening || { fail "server listening"; exit 1; }
ip netns exec ppk-a "$TOOLS/tcpidle" client 198.18.21.2 8090 100 >"$LAB_DIR/client.log" &
client=$!
LAB_PIDS+=("$client")
wait_for "$LAB_DIR/server.log" got || { fail "client connected and sent"; exit 1; }

pp_start "$LAB_DIR/pp" --stream --json --netns ppk-a -i veth-a 'tcp port 8090' || { fail "pktpath started"; exit 1; }
kill -USR1 "$server"
wait_for "$LAB_DIR/server.log" sent || { fail "server sent its data"; exit 1; }
sleep 0.3
pp_stop
out=$LAB_DIR/pp.out

# The client's segments after the signal: pure ACKs sent from softirq.
acks=$(grep '"probe":"net_dev_queue"' "$out" | grep -E '"packet":"TCP 198\.18\.21\.1:[0-9]+ > 198\.18\.21\.2:8090 \[\.\]')
n=$(grep -c . <<<"$acks")
check "client ACKs sent after pktpath started ($n)" [ "$n" -gt 0 ]
check "every ACK names the client $client/tcpidle" \
	[ -z "$(grep -v "\"owner\":{\"pid\":$client,[^}]*\"comm\":\"tcpidle\"" <<<"$acks")" ]
check "every ACK's owner came from sock_diag, not the kernel map" \
	[ -z "$(grep -v '"source":"sock_diag"' <<<"$acks")" ]
# The fallback only runs for events the kernel map left without an owner,
# so "sock_diag" above also says the map alone would have shown '?'.
check "no pktpath warnings" [ -z "$(grep -i warning "$LAB_DIR/pp.err")" ]
