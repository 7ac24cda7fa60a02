#!/bin/bash
# make demo: a two-namespace lab, pktpath tracing the host while the lab
# sends a ping, a UDP datagram to a closed port, a TCP connect to a closed
# port and a datagram an iptables rule drops. Everything is removed after.
set -u
cd "$(dirname "$0")/.."
. tests/lib/lab.sh
PKTPATH=${PKTPATH:-$PWD/build/pktpath}

lab_up demo 0 || { echo "demo: lab setup failed" >&2; exit 1; }
lab_exec demo-b iptables -A INPUT -p udp --dport 9999 -j DROP

echo "# lab: demo-a (198.18.0.1, veth-a) <-> demo-b (198.18.0.2, veth-b)"
echo "# \$ pktpath -t 4 net 198.18.0.0/24"
"$PKTPATH" -t 4 net 198.18.0.0/24 >"$LAB_DIR/out" 2>"$LAB_DIR/err" &
pp=$!
LAB_PIDS+=("$pp")
for i in $(seq 1 50); do grep -q ready "$LAB_DIR/err" 2>/dev/null && break; sleep 0.1; done
lab_exec demo-a ping -c 1 198.18.0.2 >/dev/null
lab_exec demo-a bash -c 'echo hello > /dev/udp/198.18.0.2/7778'
lab_exec demo-a bash -c 'exec 3<>/dev/tcp/198.18.0.2/8080' 2>/dev/null
lab_exec demo-a bash -c 'echo filtered > /dev/udp/198.18.0.2/9999'
wait "$pp"
status=$?
# What pktpath said before it was ready, the packets, then what it said at the end.
sed -n '/^pktpath: ready$/q; p' "$LAB_DIR/err"
cat "$LAB_DIR/out"
sed -n '/^pktpath: ready$/,$ {/^pktpath: ready$/d; p}' "$LAB_DIR/err"
exit $status
