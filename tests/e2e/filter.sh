#!/bin/bash
# A filter expression selects exactly the matching packets, live: UDP to
# two hosts and two ports at once, only one (host, port) pair must show,
# every one of its datagrams, each followed until it is freed.

cd "$(dirname "$0")/../.."
# lab.sh is not "set -u" clean, so this script is not either.
. tests/lib/lab.sh

PKTPATH=${PKTPATH:-build/pktpath}
UDPFLOOD=build/tools/udpflood
N=20
fail() { echo "FAIL $*"; exit 1; }

lab_up ppf 7 || fail "lab setup"
lab_exec ppf-b ip addr add 198.18.7.3/24 dev veth-b || fail "second address"
lab_exec ppf-a ping -c1 -W2 198.18.7.3 >/dev/null || fail "second address unreachable"

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"; lab_down' EXIT
"$PKTPATH" --netns ppf-b -t 4 'udp and dst host 198.18.7.2 and dst port 5001' >"$out" 2>"$err" &
pp=$!
for _ in $(seq 50); do grep -q ready "$err" && break; sleep 0.1; done
grep -q ready "$err" || fail "pktpath did not start: $(cat "$err")"

for host in 198.18.7.2 198.18.7.3; do
	for port in 5001 5002; do
		lab_bg ppf-a "$UDPFLOOD" "$host" "$port" "$N" 2
	done
done
wait "$pp"
echo "PASS pktpath exited with status $?"

rx=$(grep -c 'netif_receive_skb.*198\.18\.7\.1:[0-9]* > 198\.18\.7\.2:5001' "$out")
[ "$rx" -eq "$N" ] && echo "PASS $rx of $N matching datagrams received" || fail "$rx of $N matching datagrams seen: $(cat "$out")"
others=$(grep -E -c '198\.18\.7\.3|:5002' "$out")
[ "$others" -eq 0 ] && echo "PASS no other (host, port) pair shows" || fail "$others unrelated events: $(cat "$out")"
# Each matched skb is reported once more where it ends (no socket: dropped).
ends=$(grep -E -c 'kfree_skb|consume_skb' "$out")
[ "$ends" -ge "$N" ] && echo "PASS $ends matched packets followed to their end" || fail "only $ends ends seen: $(cat "$out")"
