# Who sent it: a ping, a UDP sender and a TCP client run at once; every
# packet of each flow names its owner, including the TCP client's ACKs and
# retransmissions that the kernel sends from softirq and timers.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up ppo 16 || { fail "lab setup"; exit 1; }

ip netns exec ppo-b "$TOOLS/tcppeer" server 8080 60000 >"$LAB_DIR/server.log" &
server=$!
LAB_PIDS+=("$server")
for i in $(seq 1 50); do grep -q listening "$LAB_DIR/server.log" && break; sleep 0.1; done

pp_start "$LAB_DIR/rx" --stream --netns ppo-b -i veth-b || { fail "receive-side pktpath started"; exit 1; }
RX_RUN=$PP_PID
pp_start "$LAB_DIR/pp" --stream --netns ppo-a -i veth-a || { fail "pktpath started"; exit 1; }
ip netns exec ppo-a ping -c 5 -i 0.1 198.18.16.2 >/dev/null &
ping=$!
ip netns exec ppo-a "$TOOLS/udpflood" 198.18.16.2 7000 50 5 >/dev/null &
udp=$!
ip netns exec ppo-a "$TOOLS/tcppeer" client 198.18.16.2 8080 20000 &
tcp=$!
wait $ping $udp $tcp
sleep 0.3
pp_stop
TX_RC=$PP_RC
PP_PID=$RX_RUN
pp_stop
out=$LAB_DIR/pp.out

# Columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
events() { awk -v pr="$1" -v p="$2" '$4==pr && $0 ~ p' "$3"; } # probe, pattern, file
wrong() { awk -v o="$1" '$10 != o' <<<"$2"; }
# owned SIDE FILE PROBE WHAT PATTERN OWNER WANT: exactly WANT events (or at
# least one when WANT is "some"), every one owned by OWNER.
owned() {
	local side=$1 file=$2 probe=$3 what=$4 pat=$5 owner=$6 want=$7 lines n
	lines=$(events "$probe" "$pat" "$file")
	n=$(grep -c . <<<"$lines")
	if [ "$want" = some ]; then
		check "$side: $what seen ($n)" [ "$n" -gt 0 ]
	else
		check "$side: $want $what ($n)" [ "$n" -eq "$want" ]
	fi
	check "$side: every one of the $what owned by $owner" [ -z "$(wrong "$owner" "$lines")" ]
}

ICMP='ICMP 198.18.16.1 > 198.18.16.2 echo-request'
UDP='UDP 198.18.16.1:[0-9]+ > 198.18.16.2:7000'
TCP='TCP 198.18.16.1:[0-9]+ > 198.18.16.2:8080'
owned "send side" "$out" net_dev_queue "echo requests" "$ICMP" "$ping/ping" 5
owned "send side" "$out" net_dev_queue datagrams "$UDP" "$udp/udpflood" 50
owned "send side" "$out" net_dev_queue "client segments, ACKs included," "$TCP" "$tcp/tcppeer" some
tcpf=$(events net_dev_queue "$TCP" "$out")
acks=$(grep -c '\[\.\]' <<<"$tcpf")
check "send side: pure ACKs among the client segments ($acks)" [ "$acks" -gt 0 ]
# The receiving side: the same packets arriving at veth-b still name the
# process that owns them.
owned "receive side" "$LAB_DIR/rx.out" netif_receive_skb "echo requests" "$ICMP" "$ping/ping" 5
owned "receive side" "$LAB_DIR/rx.out" netif_receive_skb datagrams "$UDP" "$udp/udpflood" 50
owned "receive side" "$LAB_DIR/rx.out" netif_receive_skb "client segments" "$TCP" "$tcp/tcppeer" some
softirq=$(awk -v p="$tcp" '$8 != p' <<<"$tcpf" | grep -c .)
echo "# $softirq client segments were sent while another task was current (softirq)"

# Retransmissions: the client's data is never ACKed for a while, so the
# kernel resends it from its retransmit timer.
ip netns exec ppo-b "$TOOLS/tcppeer" server 8081 0 >"$LAB_DIR/server2.log" &
LAB_PIDS+=($!)
for i in $(seq 1 50); do grep -q listening "$LAB_DIR/server2.log" && break; sleep 0.1; done
pp_start "$LAB_DIR/rt" --stream --netns ppo-a -i veth-a 'tcp port 8081' || { fail "pktpath started"; exit 1; }
ip netns exec ppo-a "$TOOLS/tcppeer" client 198.18.16.2 8081 200000 &
tcp2=$!
sleep 0.3
lab_exec ppo-a iptables -A INPUT -p tcp --sport 8081 -j DROP
sleep 2.5
lab_exec ppo-a iptables -D INPUT -p tcp --sport 8081 -j DROP
wait $tcp2
sleep 0.3
pp_stop
rt=$(awk '$4=="net_dev_queue" && /198.18.16.1:[0-9]+ > 198.18.16.2:8081/' "$LAB_DIR/rt.out")
timer=$(awk -v p="$tcp2" '$8 != p' <<<"$rt")
check "retransmissions sent from timer context ($(grep -c . <<<"$timer"))" [ -n "$timer" ]
check "retransmissions owned by $tcp2/tcppeer" [ -z "$(wrong "$tcp2/tcppeer" "$timer")" ]
wrong "$tcp2/tcppeer" "$timer" | head -5 | sed "s/^/# wrong: /"

# --pid and --comm select by owner in the kernel, while the other flows run.
ip netns exec ppo-b "$TOOLS/tcppeer" server 8082 20000 >"$LAB_DIR/server3.log" &
LAB_PIDS+=($!)
for i in $(seq 1 50); do grep -q listening "$LAB_DIR/server3.log" && break; sleep 0.1; done
# The client stops itself before exec, so its pid is known before it sends.
ip netns exec ppo-a bash -c 'kill -STOP $$; exec "$0" client 198.18.16.2 8082 20000' "$TOOLS/tcppeer" &
tcp3=$!
pp_start "$LAB_DIR/bypid" --stream --pid "$tcp3" || { fail "--pid: pktpath started"; exit 1; }
PID_RUN=$PP_PID
pp_start "$LAB_DIR/bycomm" --stream --comm udpflood || { fail "--comm: pktpath started"; exit 1; }
COMM_RUN=$PP_PID
ip netns exec ppo-a ping -c 3 -i 0.1 198.18.16.2 >/dev/null &
p3=$!
ip netns exec ppo-a "$TOOLS/udpflood" 198.18.16.2 7001 30 5 >/dev/null &
u3=$!
kill -CONT "$tcp3"
wait $tcp3 $p3 $u3
sleep 0.3
PP_PID=$PID_RUN; pp_stop
PP_PID=$COMM_RUN; pp_stop
mine=$(awk 'NR>1 && $4 != "" && $1 !~ /^stack:/' "$LAB_DIR/bypid.out")
sent=$(awk '$4=="net_dev_queue" && /198.18.16.1:[0-9]+ > 198.18.16.2:8082/' <<<"$mine" | grep -c .)
check "--pid: the client's segments are there ($sent)" [ "$sent" -gt 5 ]
check "--pid: every event is owned by $tcp3/tcppeer" [ -z "$(wrong "$tcp3/tcppeer" "$mine")" ]
check "--pid: nothing of ping or udpflood" bash -c "! grep -qE 'ICMP|UDP' '$LAB_DIR/bypid.out'"
theirs=$(awk 'NR>1 && $4 != "" && $1 !~ /^stack:/' "$LAB_DIR/bycomm.out")
udp3=$(awk '$4=="net_dev_queue" && /> 198.18.16.2:7001/' <<<"$theirs" | grep -c .)
check "--comm: all 30 datagrams of udpflood ($udp3)" [ "$udp3" -eq 30 ]
check "--comm: every event owned by udpflood" [ -z "$(awk '$10 !~ /\/udpflood$/' <<<"$theirs")" ]
