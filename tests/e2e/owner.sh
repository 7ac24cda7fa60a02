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
flow() { awk -v p="$1" '$4=="net_dev_queue" && $0 ~ p' "$out"; }
wrong() { awk -v o="$1" '$10 != o' <<<"$2"; }

icmp=$(flow 'ICMP 198.18.16.1 > 198.18.16.2 echo-request')
check "ping: 5 echo requests sent ($(grep -c . <<<"$icmp"))" [ "$(grep -c . <<<"$icmp")" -eq 5 ]
check "ping: every one owned by $ping/ping" [ -z "$(wrong "$ping/ping" "$icmp")" ]
udpf=$(flow 'UDP 198.18.16.1:[0-9]+ > 198.18.16.2:7000')
check "udp: 50 datagrams sent ($(grep -c . <<<"$udpf"))" [ "$(grep -c . <<<"$udpf")" -eq 50 ]
check "udp: every one owned by $udp/udpflood" [ -z "$(wrong "$udp/udpflood" "$udpf")" ]
tcpf=$(flow 'TCP 198.18.16.1:[0-9]+ > 198.18.16.2:8080')
acks=$(grep -c '\[\.\]' <<<"$tcpf")
check "tcp: client segments seen ($(grep -c . <<<"$tcpf")), pure ACKs among them ($acks)" [ "$acks" -gt 0 ]
check "tcp: every client segment, ACKs included, owned by $tcp/tcppeer" [ -z "$(wrong "$tcp/tcppeer" "$tcpf")" ]
# The receiving side: the same packets arriving at veth-b still name the
# process that owns them.
rxf() { awk -v p="$1" '$4=="netif_receive_skb" && $0 ~ p' "$LAB_DIR/rx.out"; }
r=$(rxf 'ICMP 198.18.16.1 > 198.18.16.2 echo-request')
check "receive side: 5 echo requests ($(grep -c . <<<"$r"))" [ "$(grep -c . <<<"$r")" -eq 5 ]
check "receive side: every echo request owned by $ping/ping" [ -z "$(wrong "$ping/ping" "$r")" ]
r=$(rxf 'UDP 198.18.16.1:[0-9]+ > 198.18.16.2:7000')
check "receive side: 50 datagrams ($(grep -c . <<<"$r"))" [ "$(grep -c . <<<"$r")" -eq 50 ]
check "receive side: every datagram owned by $udp/udpflood" [ -z "$(wrong "$udp/udpflood" "$r")" ]
r=$(rxf 'TCP 198.18.16.1:[0-9]+ > 198.18.16.2:8080')
check "receive side: client segments arrived ($(grep -c . <<<"$r"))" [ -n "$r" ]
check "receive side: every client segment owned by $tcp/tcppeer" [ -z "$(wrong "$tcp/tcppeer" "$r")" ]
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
