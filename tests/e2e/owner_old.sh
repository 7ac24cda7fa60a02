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

# old_client PORT ADDR LABEL: server in ppk-b, client in ppk-a connected to
# ADDR:PORT and idle before pktpath starts, then the server sends.
old_client() {
	local port=$1 addr=$2 label=$3 server client
	ip netns exec ppk-b "$TOOLS/tcpidle" server "$port" 20000 >"$LAB_DIR/server$port.log" &
	server=$!
	LAB_PIDS+=("$server")
	wait_for "$LAB_DIR/server$port.log" listening || { fail "$label: server listening"; return; }
	ip netns exec ppk-a "$TOOLS/tcpidle" client "$addr" "$port" 100 >"$LAB_DIR/client$port.log" &
	client=$!
	LAB_PIDS+=("$client")
	wait_for "$LAB_DIR/server$port.log" got || { fail "$label: client connected and sent"; return; }

	pp_start "$LAB_DIR/pp$port" --stream --json --netns ppk-a -i veth-a "tcp port $port" ||
		{ fail "$label: pktpath started"; return; }
	kill -USR1 "$server"
	wait_for "$LAB_DIR/server$port.log" sent || fail "$label: server sent its data"
	sleep 0.3
	pp_stop
	local out=$LAB_DIR/pp$port.out acks n

	# The client's segments after the signal: pure ACKs sent from softirq.
	acks=$(grep '"probe":"net_dev_queue"' "$out" |
		grep -E "\"packet\":\"TCP 198\\.18\\.21\\.1:[0-9]+ > 198\\.18\\.21\\.2:$port \\[\\.\\]")
	n=$(grep -c . <<<"$acks")
	check "$label: client ACKs sent after pktpath started ($n)" [ "$n" -gt 0 ]
	check "$label: every ACK names the client $client/tcpidle" \
		[ -z "$(grep -v "\"owner\":{\"pid\":$client,[^}]*\"comm\":\"tcpidle\"" <<<"$acks")" ]
	# The fallback only runs for events the kernel map left without an
	# owner, so "sock_diag" also says the map alone would have shown '?'.
	check "$label: every ACK's owner came from sock_diag, not the kernel map" \
		[ -z "$(grep -v '"source":"sock_diag"' <<<"$acks")" ]
	check "$label: no pktpath warnings" [ -z "$(grep -i warning "$LAB_DIR/pp$port.err")" ]
}

old_client 8090 198.18.21.2 "IPv4 socket"
# IPv4 traffic on a dual-stack AF_INET6 socket: sock_diag lists it as IPv6.
old_client 8091 ::ffff:198.18.21.2 "AF_INET6 socket, v4-mapped"
