# The route a packet takes, on the tracepoint backend (BPF netfilter links
# read the skb's route): a ping from A through router B to C. A's OUTPUT
# names the device and the gateway, B's FORWARD the device on-link, C's
# INPUT a local delivery; the reply the same the other way; JSON carries it.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up prt 134 || { fail "lab setup"; exit 1; }
# prt-b routes between prt-a (198.18.134.0/24) and prt-c (198.18.135.0/24).
lab_ns prt-c && lab_veth prt-b veth-c prt-c veth-c &&
	ip -n prt-b addr add 198.18.135.1/24 dev veth-c && ip -n prt-c addr add 198.18.135.2/24 dev veth-c &&
	ip netns exec prt-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip netns exec prt-b sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n prt-a route add 198.18.135.0/24 via 198.18.134.2 &&
	ip -n prt-c route add 198.18.134.0/24 via 198.18.135.1 || { fail "router set-up"; exit 1; }
lab_exec prt-a ping -c1 -W2 198.18.135.2 >/dev/null || { fail "the router forwards"; exit 1; }

for mode in text json; do
	args=()
	[ $mode = json ] && args=(--json)
	pp_start "$LAB_DIR/$mode" "${args[@]}" 'icmp and host 198.18.135.2' || { fail "$mode: pktpath started"; continue; }
	lab_exec prt-a ping -c1 -W2 198.18.135.2 >/dev/null
	sleep 1
	pp_stop
done

out=$LAB_DIR/text.out
req=$(awk '/^#[0-9]+ ICMP 198.18.134.1 > 198.18.135.2 echo-request/{b=1; next} /^#/{b=0} b' "$out")
rep=$(awk '/^#[0-9]+ ICMP 198.18.135.2 > 198.18.134.1 echo-reply/{b=1; next} /^#/{b=0} b' "$out")
check "request: A's OUTPUT names device and gateway" \
	grep -qE 'nf OUTPUT last +prt-a .* dev veth-a via 198\.18\.134\.2 type unicast mtu 1500' <<<"$req"
check "request: B's FORWARD names the output device, on-link" \
	grep -qE 'nf FORWARD last +prt-b +veth-b .* dev veth-c on-link type unicast mtu 1500' <<<"$req"
check "request: C's INPUT says local delivery" grep -qE 'nf INPUT last +prt-c +veth-c .* type local' <<<"$req"
# One route per hook where it was decided: A's OUTPUT, B's FORWARD, C's
# INPUT; none at PREROUTING or POSTROUTING (three namespaces, five hooks).
n=$(grep -cE '^ .* nf [A-Z]+ (first|last) .* dev [^ ]+ (via|on-link|type)' <<<"$req")
check "request: exactly 3 steps carry a route ($n)" [ "$n" -eq 3 ]
check "request: no route at PREROUTING or POSTROUTING" \
	bash -c "! grep -E 'nf (PREROUTING|POSTROUTING)' <<<'$req' | grep -q ' dev '"
check "reply: C's OUTPUT via the router, B's FORWARD to veth-b" \
	bash -c "grep -qE 'nf OUTPUT last +prt-c .* dev veth-c via 198\.18\.135\.1 type unicast' <<<'$rep' &&
		grep -qE 'nf FORWARD last +prt-b +veth-c .* dev veth-b on-link type unicast' <<<'$rep'"
check "JSON: the FORWARD event carries the route object" \
	grep -qE '"nf_hook":"FORWARD","nf_priority":[0-9]+,"route":\{"dev":"veth-c","ifindex":[0-9]+,"mtu":1500,"type":"unicast","gateway":null,"text":"dev veth-c on-link type unicast mtu 1500"\}' "$LAB_DIR/json.out"
check "JSON: A's OUTPUT route names its gateway" \
	grep -qE '"nf_hook":"OUTPUT","nf_priority":[0-9]+,"route":\{"dev":"veth-a","ifindex":[0-9]+,"mtu":1500,"type":"unicast","gateway":"198\.18\.134\.2"' "$LAB_DIR/json.out"
