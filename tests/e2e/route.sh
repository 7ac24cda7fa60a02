# The route a packet takes, on the tracepoint backend (BPF netfilter links
# read the skb's route): a ping from A through router B to C, over IPv4 and
# IPv6. A's OUTPUT names the device and the gateway, B's FORWARD the device
# on-link, C's INPUT a local delivery; the reply the same the other way; JSON
# carries it. Routes name their table: IPv6 from the route, IPv4 a
# forwarded packet's (from the FIB look-up made for it, bpf/fib.bpf.h), with
# a policy rule on the router the rule's table; with no namespace
# forwarding, the look-up program is not loaded. IPv6 addresses from 2001:2::/48 (RFC 5180,
# benchmarking).
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
LAB_IPV6=1 lab_up prt 134 || { fail "lab setup"; exit 1; }
# prt-b routes between prt-a (198.18.134.0/24, 2001:2:0:134::/64) and prt-c
# (198.18.135.0/24, 2001:2:0:135::/64).
lab_ns prt-c && lab_veth prt-b veth-c prt-c veth-c &&
	ip -n prt-b addr add 198.18.135.1/24 dev veth-c && ip -n prt-c addr add 198.18.135.2/24 dev veth-c &&
	ip netns exec prt-b sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
	ip -n prt-a route add 198.18.135.0/24 via 198.18.134.2 &&
	ip -n prt-c route add 198.18.134.0/24 via 198.18.135.1 &&
	ip -n prt-a addr add 2001:2:0:134::1/64 dev veth-a nodad && ip -n prt-b addr add 2001:2:0:134::2/64 dev veth-b nodad &&
	ip -n prt-b addr add 2001:2:0:135::1/64 dev veth-c nodad && ip -n prt-c addr add 2001:2:0:135::2/64 dev veth-c nodad &&
	ip -n prt-a route add 2001:2:0:135::/64 via 2001:2:0:134::2 &&
	ip -n prt-c route add 2001:2:0:134::/64 via 2001:2:0:135::1 || { fail "router set-up"; exit 1; }
lab_exec prt-a ping -c1 -W2 198.18.135.2 >/dev/null || { fail "the router forwards"; exit 1; }
# The first IPv6 packet through waits out neighbour discovery (about 2 s here).
lab_exec prt-a ping -6 -c1 -W5 2001:2:0:135::2 >/dev/null || { fail "the router forwards IPv6"; exit 1; }

for mode in text json; do
	args=()
	[ $mode = json ] && args=(--json)
	pp_start "$LAB_DIR/$mode" "${args[@]}" '(icmp and host 198.18.135.2) or (icmp6 and host 2001:2:0:135::2)' ||
		{ fail "$mode: pktpath started"; continue; }
	lab_exec prt-a ping -c1 -W2 198.18.135.2 >/dev/null
	lab_exec prt-a ping -6 -c1 -W2 2001:2:0:135::2 >/dev/null
	sleep 1
	pp_stop
done

# The steps of the first timeline of FILE whose header matches REGEX.
steps() { RE=$2 awk '$0 ~ "^#[0-9]+ " ENVIRON["RE"] {b=1; next} /^#/{b=0} b' "$1"; }
out=$LAB_DIR/text.out
req=$(steps "$out" 'ICMP 198.18.134.1 > 198.18.135.2 echo-request')
rep=$(steps "$out" 'ICMP 198.18.135.2 > 198.18.134.1 echo-reply')
check "request: A's OUTPUT names device and gateway (no table: a local send's look-up is not tied to it)" \
	grep -qE 'nf OUTPUT( last)? +prt-a .* dev veth-a via 198\.18\.134\.2 type unicast mtu 1500' <<<"$req"
check "request: B's FORWARD names the output device, on-link, table main" \
	grep -qE 'nf FORWARD( last)? +prt-b +veth-b .* dev veth-c on-link type unicast table main mtu 1500' <<<"$req"
check "request: C's INPUT says local delivery (an IPv4 delivery's table is not said)" \
	grep -qE 'nf INPUT( last)? +prt-c +veth-c .* type local mtu' <<<"$req"
n=$(grep -c ' table ' <<<"$req")
check "request: one router, one step names a table ($n)" [ "$n" -eq 1 ]
# One route per hook where it was decided: A's OUTPUT, B's FORWARD, C's
# INPUT; none at PREROUTING or POSTROUTING (three namespaces, five hooks).
n=$(grep -cE '^ .* nf [A-Z]+ ((first|last) )?.* dev [^ ]+ (via|on-link|type)' <<<"$req")
check "request: exactly 3 steps carry a route ($n)" [ "$n" -eq 3 ]
check "request: no route at PREROUTING or POSTROUTING" \
	bash -c "! grep -E 'nf (PREROUTING|POSTROUTING)' <<<'$req' | grep -q ' dev '"
check "reply: C's OUTPUT via the router, B's FORWARD to veth-b" \
	bash -c "grep -qE 'nf OUTPUT( last)? +prt-c .* dev veth-c via 198\.18\.135\.1 type unicast' <<<'$rep' &&
		grep -qE 'nf FORWARD( last)? +prt-b +veth-c .* dev veth-b on-link type unicast table main' <<<'$rep'"
check "JSON: the FORWARD event carries the route object" \
	grep -qE '"nf_hook":"FORWARD","nf_priority":([0-9]+|-[0-9]+,"nf_alone":true),"route":\{"dev":"veth-c","ifindex":[0-9]+,"mtu":1500,"type":"unicast","gateway":null,"table":"main","text":"dev veth-c on-link type unicast table main mtu 1500"\}' "$LAB_DIR/json.out"
check "JSON: A's OUTPUT route names its gateway" \
	grep -qE '"nf_hook":"OUTPUT","nf_priority":([0-9]+|-[0-9]+,"nf_alone":true),"route":\{"dev":"veth-a","ifindex":[0-9]+,"mtu":1500,"type":"unicast","gateway":"198\.18\.134\.2"' "$LAB_DIR/json.out"

# IPv6: the skb's route is a struct rt6_info; its table from the FIB entry it came from.
req6=$(steps "$out" 'ICMP6 2001:2:0:134::1 > 2001:2:0:135::2 echo-request')
rep6=$(steps "$out" 'ICMP6 2001:2:0:135::2 > 2001:2:0:134::1 echo-reply')
check "IPv6 request: A's OUTPUT names device, gateway and table" \
	grep -qE 'nf OUTPUT( last)? +prt-a .* ipv6 .* dev veth-a via 2001:2:0:134::2 type unicast table main mtu 1500' <<<"$req6"
check "IPv6 request: B's FORWARD names the output device, on-link" \
	grep -qE 'nf FORWARD( last)? +prt-b +veth-b .* ipv6 .* dev veth-c on-link type unicast table main mtu 1500' <<<"$req6"
check "IPv6 request: C's INPUT says local delivery from the local table" \
	grep -qE 'nf INPUT( last)? +prt-c +veth-c .* ipv6 .* type local table local' <<<"$req6"
n=$(grep -cE '^ .* nf [A-Z]+ ((first|last) )?.* dev [^ ]+ (via|on-link|type)' <<<"$req6")
check "IPv6 request: exactly 3 steps carry a route ($n)" [ "$n" -eq 3 ]
check "IPv6 reply: C's OUTPUT via the router, B's FORWARD to veth-b" \
	bash -c "grep -qE 'nf OUTPUT( last)? +prt-c .* dev veth-c via 2001:2:0:135::1 type unicast table main' <<<'$rep6' &&
		grep -qE 'nf FORWARD( last)? +prt-b +veth-c .* dev veth-b on-link type unicast table main' <<<'$rep6'"
check "IPv6 JSON: A's OUTPUT route names its gateway and table" \
	grep -qE '"nf_hook":"OUTPUT","nf_priority":([0-9]+|-[0-9]+,"nf_alone":true),"route":\{"dev":"veth-a","ifindex":[0-9]+,"mtu":1500,"type":"unicast","gateway":"2001:2:0:134::2","table":"main"' "$LAB_DIR/json.out"

# Policy routing on the router: what comes in on veth-b is routed by table
# 100 (with a rule, the kernel looks up tables one by one: local, then 100).
ip -n prt-b route add 198.18.135.0/24 dev veth-c table 100 &&
	ip -n prt-b rule add iif veth-b lookup 100 pref 100 || fail "policy rule on the router"
pp_start "$LAB_DIR/rule" 'icmp and host 198.18.135.2' || fail "rule: pktpath started"
lab_exec prt-a ping -c1 -W2 198.18.135.2 >/dev/null
sleep 1
pp_stop
req=$(steps "$LAB_DIR/rule.out" 'ICMP 198.18.134.1 > 198.18.135.2 echo-request')
rep=$(steps "$LAB_DIR/rule.out" 'ICMP 198.18.135.2 > 198.18.134.1 echo-reply')
check "policy rule: the request's FORWARD names table 100" \
	grep -qE 'nf FORWARD( last)? +prt-b +veth-b .* dev veth-c on-link type unicast table 100 mtu 1500' <<<"$req"
n=$(grep -c ' table ' <<<"$req")
check "policy rule: one step of the request names a table ($n)" [ "$n" -eq 1 ]
check "policy rule: the reply (no rule for veth-c) names table main" \
	grep -qE 'nf FORWARD( last)? +prt-b +veth-c .* dev veth-b on-link type unicast table main' <<<"$rep"

# A namespace that does not forward: the FIB look-up program is not loaded
# (it would run on every look-up of the host for nothing); the router's is.
pp_start "$LAB_DIR/nofwd" --netns prt-a 'icmp and host 198.18.135.2' || fail "no forwarding: pktpath started"
loaded=$(pp_progs_loaded | grep -c '^name pp_fib$')
pp_stop
check "--netns of a namespace that does not forward IPv4: pp_fib not loaded ($loaded)" [ "$loaded" -eq 0 ]
pp_start "$LAB_DIR/fwd" --netns prt-b 'icmp and host 198.18.135.2' || fail "forwarding: pktpath started"
loaded=$(pp_progs_loaded | grep -c '^name pp_fib$')
pp_stop
check "--netns of the router: pp_fib loaded ($loaded)" [ "$loaded" -eq 1 ]
