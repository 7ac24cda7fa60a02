# Sockets older than pktpath, selected in the kernel: a UDP sender and two
# TCP clients open their sockets before pktpath starts; pktpath seeds the
# kernel owner map from /proc/net and /proc/PID/fd, so --pid and --comm
# select all of their packets (the clients' ACKs come from softirq only)
# and none of the other processes running at the same time. Seeding needs
# real socket addresses in /proc/net: kernel.kptr_restrict=1 (root sees
# them); 0 hashes them. The test checks pktpath says so under 0, then sets
# 1 for the rest and puts the old value back at exit.
# Then: a process that exits before its packets are printed (at --idle and
# at SIGINT) still shows its command.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
KPTR=/proc/sys/kernel/kptr_restrict
KPTR_WAS=$(cat "$KPTR")
trap 'echo "$KPTR_WAS" >"$KPTR"; lab_down' EXIT
lab_up ows 40 || { fail "lab setup"; exit 1; }
A=198.18.40.1 B=198.18.40.2

wait_for() { # file word
	local i
	for i in $(seq 1 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	return 1
}
# Program names of our own, so --comm matches nothing else on the host.
ln -s "$(command -v bash)" "$LAB_DIR/owudp"
ln -s "$(command -v bash)" "$LAB_DIR/owshort"
ln -s "$TOOLS/tcpidle" "$LAB_DIR/owtcp1"
ln -s "$TOOLS/tcpidle" "$LAB_DIR/owtcp2"
# Nothing listens on 7000 and 7001: drop quietly, no port unreachable to
# fail the connected sender's next write.
lab_exec ows-b iptables -A INPUT -p udp --dport 7000:7009 -j DROP

# Two TCP clients, connected and idle before pktpath starts.
for port in 8093 8094; do
	ip netns exec ows-b "$TOOLS/tcpidle" server "$port" 20000 >"$LAB_DIR/server$port.log" &
	LAB_PIDS+=($!)
	eval "server$port=$!"
	wait_for "$LAB_DIR/server$port.log" listening || fail "server $port listening"
done
ip netns exec ows-a "$LAB_DIR/owtcp1" client $B 8093 100 >"$LAB_DIR/client1.log" &
tcp1=$!
LAB_PIDS+=($tcp1)
ip netns exec ows-a "$LAB_DIR/owtcp2" client $B 8094 100 >"$LAB_DIR/client2.log" &
tcp2=$!
LAB_PIDS+=($tcp2)
wait_for "$LAB_DIR/server8093.log" got || fail "client 1 connected and sent"
wait_for "$LAB_DIR/server8094.log" got || fail "client 2 connected and sent"
# The UDP sender: socket opened (connected) now, 20 datagrams once told.
mkfifo "$LAB_DIR/go"
ip netns exec ows-a "$LAB_DIR/owudp" -c '
	exec 3>/dev/udp/'$B'/7000 || exit 1
	echo opened
	read -r _ <"$1"
	for i in $(seq 1 20); do printf "datagram %s" "$i" >&3; sleep 0.01; done' owudp "$LAB_DIR/go" >"$LAB_DIR/udp.log" &
udp=$!
LAB_PIDS+=($udp)
wait_for "$LAB_DIR/udp.log" opened || fail "UDP sender opened its socket"

# kptr_restrict 0: socket addresses hashed, seeding unavailable, said once.
echo 0 >"$KPTR"
pp_start "$LAB_DIR/k0" --stream --pid "$tcp1" || fail "kptr_restrict 0: pktpath started"
pp_stop
n=$(grep -c 'cannot seed owners of sockets older than pktpath: /proc/net shows hashed' "$LAB_DIR/k0.err")
check "kptr_restrict 0: seeding unavailable, said once ($n)" [ "$n" -eq 1 ]
pp_start "$LAB_DIR/k0all" --stream --netns ows-a || fail "kptr_restrict 0, no --pid: pktpath started"
pp_stop
check "kptr_restrict 0 without --pid/--comm: no warning" [ -z "$(grep -i warning "$LAB_DIR/k0all.err")" ]

echo 1 >"$KPTR"
pp_start "$LAB_DIR/all" --stream --netns ows-a -i veth-a || { fail "reference pktpath started"; exit 1; }
ALL=$PP_PID
pp_start "$LAB_DIR/pid1" --stream --pid "$tcp1" || { fail "--pid tcp client: pktpath started"; exit 1; }
PID1=$PP_PID
pp_start "$LAB_DIR/pidu" --stream --pid "$udp" || { fail "--pid udp sender: pktpath started"; exit 1; }
PIDU=$PP_PID
pp_start "$LAB_DIR/comm1" --stream --comm owtcp1 || { fail "--comm owtcp1: pktpath started"; exit 1; }
COMM1=$PP_PID
pp_start "$LAB_DIR/commu" --stream --comm owudp || { fail "--comm owudp: pktpath started"; exit 1; }
COMMU=$PP_PID

# Everyone at once: both servers send (the clients only ACK, from
# softirq), the old UDP sender sends, and a new UDP sender and a ping run.
kill -USR1 "$server8093" "$server8094"
echo go >"$LAB_DIR/go"
ip netns exec ows-a "$TOOLS/udpflood" $B 7001 30 5 >/dev/null &
flood=$!
ip netns exec ows-a ping -c 3 -i 0.1 $B >/dev/null &
png=$!
wait "$udp" "$flood" "$png"
wait_for "$LAB_DIR/server8093.log" sent || fail "server 8093 sent"
wait_for "$LAB_DIR/server8094.log" sent || fail "server 8094 sent"
sleep 0.5
for p in $ALL $PID1 $PIDU $COMM1 $COMMU; do PP_PID=$p; pp_stop; eval "rc_$p=$PP_RC"; done
for p in $ALL $PID1 $PIDU $COMM1 $COMMU; do
	eval "rc=\$rc_$p"
	check "pktpath $p: exit 0 (got $rc)" [ "$rc" -eq 0 ]
done
for f in all pid1 pidu comm1 commu; do
	check "$f: no warnings" [ -z "$(grep -i warning "$LAB_DIR/$f.err")" ]
done

# Columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
body() { awk 'NR>1 && $4 != ""' "$1"; }
sent() { body "$1" | awk -v p="$2" '$4=="net_dev_queue" && $0 ~ p'; } # file, packet pattern
count() { grep -c . <<<"$1"; }
TCP1="TCP $A:[0-9]+ > $B:8093"
UDP="UDP $A:[0-9]+ > $B:7000"
ref_tcp=$(count "$(sent "$LAB_DIR/all.out" "$TCP1")")
ref_udp=$(count "$(sent "$LAB_DIR/all.out" "$UDP")")
check "reference: client 1 sent segments after start ($ref_tcp)" [ "$ref_tcp" -gt 5 ]
check "reference: 20 datagrams of the old UDP sender ($ref_udp)" [ "$ref_udp" -eq 20 ]
# What the reference saw of client 1 is owned by it: seeded, not learned.
other=$(sent "$LAB_DIR/all.out" "$TCP1" | awk -v o="$tcp1/owtcp1" '$10 != o')
check "reference: client 1's segments owned by $tcp1/owtcp1" [ -z "$other" ]
[ -n "$other" ] && sed 's/^/# not owned: /' <<<"$other"

# by_owner FILE OWNER SENT-PATTERN WANT LABEL
by_owner() {
	local file=$1 owner=$2 pat=$3 want=$4 label=$5 n
	n=$(count "$(sent "$file" "$pat")")
	check "$label: all $want of its packets on veth-a ($n)" [ "$n" -eq "$want" ]
	check "$label: every event owned by $owner" [ -z "$(body "$file" | awk -v o="$owner" '$10 != o')" ]
	check "$label: nothing of client 2, udpflood or ping" \
		bash -c "! grep -qE ':8094|:7001|ICMP' '$file'"
}
by_owner "$LAB_DIR/pid1.out" "$tcp1/owtcp1" "$TCP1" "$ref_tcp" "--pid old TCP client"
by_owner "$LAB_DIR/comm1.out" "$tcp1/owtcp1" "$TCP1" "$ref_tcp" "--comm owtcp1"
by_owner "$LAB_DIR/pidu.out" "$udp/owudp" "$UDP" 20 "--pid old UDP sender"
by_owner "$LAB_DIR/commu.out" "$udp/owudp" "$UDP" 20 "--comm owudp"
acks=$(sent "$LAB_DIR/pid1.out" "$TCP1" | grep -c '\[\.\]')
check "--pid old TCP client: its pure ACKs are there ($acks)" [ "$acks" -gt 0 ]

# A ping on an ICMP datagram ("ping") socket: its echo replies arrive with
# the peer's kernel ICMP socket in skb->sk, no owner in the kernel map; the
# user-space fallback finds the ping socket by echo id in /proc/net/icmp.
ip netns exec ows-a sysctl -qw net.ipv4.ping_group_range="0 0"
pp_start "$LAB_DIR/echo" --stream --json --netns ows-a -i veth-a icmp || fail "ping socket: pktpath started"
ip netns exec ows-a ping -c 5 -i 0.2 $B >/dev/null &
png2=$!
wait $png2
sleep 0.3
pp_stop
replies=$(grep '"probe":"netif_receive_skb"' "$LAB_DIR/echo.out" | grep "echo-reply")
n=$(count "$replies")
check "ping socket: 5 echo replies received ($n)" [ "$n" -eq 5 ]
check "ping socket: every reply names $png2/ping, found from user space" \
	[ -z "$(grep -v "\"owner\":{\"pid\":$png2,[^}]*\"comm\":\"ping\",[^}]*\"source\":\"sock_diag\"" <<<"$replies")" ]

# Done-when 4: a sender that exits before its datagrams are printed. Only
# ows-a is traced, so their end (in ows-b) is never seen and they print at
# --idle, or at SIGINT.
pp_start "$LAB_DIR/idle" --netns ows-a -i veth-a --idle 2000 'udp port 7002' || fail "--idle: pktpath started"
IDLE=$PP_PID
pp_start "$LAB_DIR/int" --netns ows-a -i veth-a --idle 600000 'udp port 7002' || fail "SIGINT: pktpath started"
INT=$PP_PID
ip netns exec ows-a "$LAB_DIR/owshort" -c 'exec 3>/dev/udp/'$B'/7002; printf one >&3; printf two >&3' &
short=$!
wait $short
check "the short sender has exited" bash -c "! kill -0 $short 2>/dev/null"
# The first datagram may already be out: its timeline ends when the second
# reuses its skb address. The second waits for --idle or SIGINT.
check "its last datagram not printed yet" \
	[ "$(grep -c UDP "$LAB_DIR/idle.out")" -lt 2 -a "$(grep -c UDP "$LAB_DIR/int.out")" -lt 2 ]
sleep 3
# printed FILE [NOTE]: the datagrams' timelines (one, when the second
# reused the first's skb address) all name the exited sender, and hold its
# two transmits.
# NOTE, when given, is the last timeline's: a first one that ended when the
# second reused its address does not carry it.
printed() {
	local heads tx
	heads=$(grep -E "^#[0-9]+ UDP $A:[0-9]+ > $B:7002 " "$1")
	tx=$(grep -cE "net_dev_queue +ows-a +veth-a +tx +pid $short \(owshort\)" "$1")
	[ -n "$heads" ] && [ "$tx" -eq 2 ] &&
		[ -z "$(grep -vE " owner $short \(owshort\) " <<<"$heads")" ] &&
		tail -1 <<<"$heads" | grep -qE " owner $short \(owshort\) .*${2:-}"
}
check "--idle: its datagrams printed after it exited, owner $short (owshort)" printed "$LAB_DIR/idle.out"
PP_PID=$IDLE; pp_stop
PP_PID=$INT; pp_stop
check "SIGINT: its datagrams printed at stop, owner $short (owshort)" printed "$LAB_DIR/int.out" 'pktpath stopped before its end'
