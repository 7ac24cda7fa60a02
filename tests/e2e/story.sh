# The story of a packet (issue 17).
# 1. NAT rewrites are steps: a ping and a TCP connection from st-c through the
#    router st-r (MASQUERADE on out0; DNAT 198.18.82.9:80 -> 198.18.82.2:8080)
#    to st-s: each timeline says the rewrite once, at the hook and namespace
#    that made it (the BPF netfilter link's `last` end of that hook), the reply
#    the reverse rewrite; the header shows the packet as first seen; the same
#    words in --stream, JSON ("rewrite") and the pcapng comment. The route
#    taken: locally sent (device, gateway, type), forwarded (on-link), local.
# 2. The owner travels with the packet: in a --stream run of a bulk TCP
#    transfer every line of the client's segments names the client, on both
#    sides (device and netfilter lines alike).
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools

# st-c (198.18.81.2, eth0) -- (in0 198.18.81.1) st-r (out0 198.18.82.1) -- (eth0 198.18.82.2) st-s
story_up() {
	local ns tmp="pp$$s"
	for ns in st-c st-r st-s; do
		ip netns add $ns && LAB_NAMESPACES+=($ns) || return 1
		ip -n $ns link set lo up || return 1
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip link add ${tmp}c type veth peer name ${tmp}i || return 1
	ip link add ${tmp}s type veth peer name ${tmp}o || return 1
	ip link set ${tmp}c netns st-c && ip link set ${tmp}i netns st-r || return 1
	ip link set ${tmp}s netns st-s && ip link set ${tmp}o netns st-r || return 1
	ip -n st-c link set ${tmp}c name eth0 && ip -n st-r link set ${tmp}i name in0 || return 1
	ip -n st-s link set ${tmp}s name eth0 && ip -n st-r link set ${tmp}o name out0 || return 1
	ip -n st-c addr add 198.18.81.2/24 dev eth0 && ip -n st-r addr add 198.18.81.1/24 dev in0 || return 1
	ip -n st-r addr add 198.18.82.1/24 dev out0 && ip -n st-s addr add 198.18.82.2/24 dev eth0 || return 1
	ip -n st-c link set eth0 up && ip -n st-r link set in0 up || return 1
	ip -n st-r link set out0 up && ip -n st-s link set eth0 up || return 1
	ip -n st-c route add default via 198.18.81.1 || return 1
	ip netns exec st-r sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec st-r iptables -t nat -A POSTROUTING -o out0 -j MASQUERADE || return 1
	ip netns exec st-r iptables -t nat -A PREROUTING -d 198.18.82.9 -p tcp --dport 80 \
		-j DNAT --to-destination 198.18.82.2:8080 || return 1
	# Neighbours resolved (and conntrack warm) before tracing.
	ip netns exec st-c ping -c1 -W2 198.18.82.2 >/dev/null
}

story_up || { fail "router lab setup"; exit 1; }
ip netns exec st-s "$TOOLS/tcppeer" server 8080 2000 >"$LAB_DIR/server.log" 2>&1 &
LAB_PIDS+=($!)
sleep 0.2

# Timelines, JSON and pcapng at once from one recording: record live, replay.
pp_start "$LAB_DIR/nat" --record "$LAB_DIR/nat.rec" -w "$LAB_DIR/nat.pcapng" 'net 198.18.80.0/22' || { fail "pktpath started"; exit 1; }
ip netns exec st-c ping -c1 -W2 198.18.82.2 >/dev/null &
ping=$!
wait $ping
ip netns exec st-c "$TOOLS/tcppeer" client 198.18.82.9 80 2000 >"$LAB_DIR/client.log" 2>&1
sleep 0.5
pp_stop
check "pktpath exits 0 ($PP_RC)" [ "$PP_RC" -eq 0 ]
out=$LAB_DIR/nat.out
"$PKTPATH" -r "$LAB_DIR/nat.rec" --json >"$LAB_DIR/nat.json" 2>/dev/null
"$PKTPATH" -r "$LAB_DIR/nat.rec" --stream >"$LAB_DIR/nat.stream" 2>/dev/null

# A timeline: its header line and steps, by a pattern on the header.
block() { P=$1 awk '/^#[0-9]+ / { on = ($0 ~ ENVIRON["P"]) } on' "$out"; }
# Lines of a block that say a rewrite.
nat_lines() { grep -E '  [SD]NAT ' <<<"$1"; }

req=$(block "ICMP 198.18.81.2 > 198.18.82.2 echo-request id $ping ")
check "ping: the request's header shows it as sent (198.18.81.2 > 198.18.82.2)" [ -n "$req" ]
check "ping: its header names ping as the owner" grep -q "^#.* owner $ping (ping) " <<<"$req" ||
	{ head -n 8 <<<"$req"; grep -E "^#[0-9]+ ICMP .* id $ping " "$out"; } | sed 's/^/# /' # for a failure's log
n=$(nat_lines "$req")
check "ping: one rewrite on the request ($(grep -c . <<<"$n"))" [ "$(grep -c . <<<"$n")" -eq 1 ]
check "ping: SNAT 198.18.81.2 -> 198.18.82.1 at nf POSTROUTING last in st-r out0" \
	grep -qE '^ +\+[0-9.]+us +\(\+[0-9.]+us\) +nf POSTROUTING last st-r +out0 .*  SNAT 198\.18\.81\.2 -> 198\.18\.82\.1$' <<<"$n"
rep=$(block "ICMP 198.18.82.2 > 198.18.82.1 echo-reply id $ping ")
n=$(nat_lines "$rep")
check "ping: the reply's timeline (198.18.82.2 > 198.18.82.1) has one rewrite ($(grep -c . <<<"$n"))" \
	[ -n "$rep" -a "$(grep -c . <<<"$n")" -eq 1 ]
check "ping: the reply's reverse rewrite DNAT 198.18.82.1 -> 198.18.81.2 at nf PREROUTING last in st-r" \
	grep -qE 'nf PREROUTING last st-r +out0 .*  DNAT 198\.18\.82\.1 -> 198\.18\.81\.2$' <<<"$n"

syn=$(block 'TCP 198.18.81.2:[0-9]+ > 198.18.82.9:80 \[S\] ')
n=$(nat_lines "$syn")
check "tcp: the SYN's header shows it as sent, to 198.18.82.9:80" [ -n "$syn" ]
check "tcp: the SYN has two rewrites ($(grep -c . <<<"$n"))" [ "$(grep -c . <<<"$n")" -eq 2 ]
check "tcp: DNAT 198.18.82.9:80 -> 198.18.82.2:8080 at nf PREROUTING last in st-r in0" \
	grep -qE 'nf PREROUTING last st-r +in0 .*  DNAT 198\.18\.82\.9:80 -> 198\.18\.82\.2:8080$' <<<"$n"
check "tcp: SNAT 198.18.81.2 -> 198.18.82.1 at nf POSTROUTING last in st-r out0, after the DNAT" \
	bash -c 'grep -qE "nf POSTROUTING last st-r +out0 .*  SNAT 198\.18\.81\.2(:[0-9]+)? -> 198\.18\.82\.1(:[0-9]+)?$" <<<"$1" &&
		[ "$(grep -n " SNAT " <<<"$1" | cut -d: -f1)" -gt "$(grep -n " DNAT " <<<"$1" | cut -d: -f1)" ]' _ "$n"
check "tcp: the SYN is one timeline from st-c to st-s (the router's reallocated buffer did not split it)" \
	bash -c 'grep -q "net_dev_queue .*st-c" <<<"$1" && grep -q "netif_receive_skb .*st-s" <<<"$1"' _ "$syn"
synack=$(block 'TCP 198.18.82.2:8080 > 198.18.82.1:[0-9]+ \[S\.\] ')
n=$(nat_lines "$synack")
check "tcp: the SYN-ACK's reverse rewrites: DNAT 198.18.82.1 -> 198.18.81.2 at PREROUTING, SNAT 198.18.82.2:8080 -> 198.18.82.9:80 at POSTROUTING" \
	bash -c 'grep -qE "nf PREROUTING last st-r +out0 .*  DNAT 198\.18\.82\.1(:[0-9]+)? -> 198\.18\.81\.2(:[0-9]+)?$" <<<"$1" &&
		grep -qE "nf POSTROUTING last st-r +in0 .*  SNAT 198\.18\.82\.2:8080 -> 198\.18\.82\.9:80$" <<<"$1" &&
		[ "$(grep -c . <<<"$1")" -eq 2 ]' _ "$n"
# Nothing rewrites outside the router, and no timeline says a rewrite twice.
check "no rewrite said outside st-r" [ -z "$(grep -E '  [SD]NAT ' "$out" | grep -v ' st-r ')" ]
dup=$(awk '/^#[0-9]+ / { delete s } / [SD]NAT / { k = $NF " " $(NF-2); if (s[k]++) print }' "$out")
check "no timeline says the same rewrite twice" [ -z "$dup" ]
# Segments after the handshake: each client->server data segment is rewritten too.
data=$(grep -cE '^#[0-9]+ TCP 198\.18\.81\.2:[0-9]+ > 198\.18\.82\.9:80 \[\.?P?\.?\]' "$out")
ok=$(awk '/^#[0-9]+ TCP 198\.18\.81\.2:[0-9]+ > 198\.18\.82\.9:80 / { h = 1; d = 0; s = 0 } /^#/ && !/198\.18\.82\.9:80 / { h = 0 }
	h && / DNAT 198\.18\.82\.9:80 -> 198\.18\.82\.2:8080$/ { d = 1 } h && / SNAT 198\.18\.81\.2/ { s = 1 }
	h && d && s { n++; h = 0 } END { print n + 0 }' "$out")
all=$(grep -cE '^#[0-9]+ TCP 198\.18\.81\.2:[0-9]+ > 198\.18\.82\.9:80 ' "$out")
check "tcp: every client segment that crossed the router says both rewrites ($ok of $all)" [ "$all" -gt 3 -a "$ok" -eq "$all" ]

# The route taken (tracepoint backend: the skb's route at the hooks' last end,
# or at their only step where pktpath's link is alone in the hook).
check "route: the request sent by st-c: nf OUTPUT (last, or alone) says dev eth0 via 198.18.81.1 type unicast" \
	grep -qE 'nf OUTPUT( last)? +st-c +- .* dev eth0 via 198\.18\.81\.1 type unicast mtu 1500' <<<"$req"
check "route: forwarded by st-r: nf FORWARD (last, or alone) says dev out0 on-link type unicast table main" \
	grep -qE 'nf FORWARD( last)? +st-r +in0 .* dev out0 on-link type unicast table main mtu 1500' <<<"$req"
check "route: delivered in st-s: nf INPUT (last, or alone) says type local" \
	grep -qE 'nf INPUT( last)? +st-s +eth0 .* dev lo type local mtu' <<<"$req"
check "route: the reply forwarded back: dev in0" grep -qE 'nf FORWARD( last)? +st-r +out0 .* dev in0 on-link type unicast' <<<"$rep"

# JSON: the event where it changed carries "rewrite".
js=$(jq -c '.events[]? | select(.rewrite) | [.probe, .netns, .rewrite.snat.from, .rewrite.snat.to, .rewrite.dnat.from, .rewrite.dnat.to, .rewrite.text]' "$LAB_DIR/nat.json" 2>&1)
check "json: the request's SNAT on nf POSTROUTING last in st-r" \
	grep -qF '["nf POSTROUTING last","st-r","198.18.81.2","198.18.82.1",null,null,"SNAT 198.18.81.2 -> 198.18.82.1"]' <<<"$js"
check "json: the SYN's DNAT with ports" grep -qF '["nf PREROUTING last","st-r",null,null,"198.18.82.9:80","198.18.82.2:8080","DNAT 198.18.82.9:80 -> 198.18.82.2:8080"]' <<<"$js"
check "json: the request's route at OUTPUT in st-c with its gateway" \
	bash -c "jq -c '.events[]? | select((.probe == \"nf OUTPUT last\" or .probe == \"nf OUTPUT\") and .netns == \"st-c\") | .route | [.dev, .gateway, .type]' '$LAB_DIR/nat.json' | grep -qF '[\"eth0\",\"198.18.81.1\",\"unicast\"]'"
check "json: schema version 3" [ "$(jq -r .v "$LAB_DIR/nat.json" | sort -u | tr '\n' ' ')" = "3 " ]
check "--stream: the rewrite on its line too" \
	grep -qE 'nf:POSTROUTING:last st-r +out0 .* SNAT 198\.18\.81\.2 -> 198\.18\.82\.1( |$)' "$LAB_DIR/nat.stream"
if command -v tshark >/dev/null; then
	CF=$(tshark -G fields 2>/dev/null | awk -F'\t' '$3 == "frame.comment" { print $3; exit }')
	tshark -r "$LAB_DIR/nat.pcapng" -T fields -e "${CF:-pkt_comment}" >"$LAB_DIR/comments" 2>/dev/null
	check "pcapng: the request's comment says the SNAT" grep -q "echo-request.* SNAT 198.18.81.2 -> 198.18.82.1" "$LAB_DIR/comments"
else
	fail "pcapng: tshark installed (tests/deps.sh)"
fi

# 2. The owner on every line of the client's segments, both sides, --stream.
lab_up ppst 84 || { fail "lab setup"; exit 1; }
ip netns exec ppst-b "$TOOLS/tcppeer" server 8090 0 >"$LAB_DIR/srv2.log" 2>&1 &
LAB_PIDS+=($!)
sleep 0.2
pp_start "$LAB_DIR/bulk" --stream 'host 198.18.84.1 and tcp port 8090' || { fail "bulk: pktpath started"; exit 1; }
ip netns exec ppst-a "$TOOLS/tcppeer" client 198.18.84.2 8090 150000 &
cli=$!
wait $cli
sleep 0.3
pp_stop
# Columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
segs=$(awk '$11 == "TCP" && $12 ~ /^198\.18\.84\.1:/ && $14 == "198.18.84.2:8090"' "$LAB_DIR/bulk.out")
tot=$(grep -c . <<<"$segs")
named=$(awk -v o="$cli/tcppeer" '$10 == o' <<<"$segs" | grep -c .)
for side in ppst-a ppst-b; do
	s=$(awk -v n=$side '$5 == n' <<<"$segs" | grep -c .)
	sn=$(awk -v n=$side -v o="$cli/tcppeer" '$5 == n && $10 == o' <<<"$segs" | grep -c .)
	check "bulk --stream: $side: every line of the client's segments names the client ($sn of $s)" [ "$s" -gt 100 -a "$sn" -eq "$s" ]
done
echo "# bulk --stream: $named of $tot client-segment lines name $cli/tcppeer"
check "bulk --stream: netfilter lines on the receive side carried the owner (learned at ...)" \
	grep -qE ' nf:INPUT(:last)? +ppst-b .* owner learned at ' "$LAB_DIR/bulk.out"
lost=$(grep -oE '[0-9]+ lost' "$LAB_DIR/bulk.err" | head -1)
echo "# bulk --stream: events ${lost:-? lost}"

# 3. Decoding like tcpdump, in the namespace ppsd-b: ARP who-has / is-at,
#    IPv6 neighbour solicitation and advertisement, ICMP and ICMPv6 errors
#    with the packet they quote, IPv6 extension headers (fragments, MLD's
#    hop-by-hop), VLAN-tagged frames. IPv6 addresses from
#    2001:2::/48 (RFC 5180, benchmarking). This kernel has no VLAN devices
#    (CONFIG_VLAN_8021Q is not set): a tc program on veth-a's egress tags the
#    frames with bpf_skb_vlan_push instead — one 802.1Q tag (carried out of
#    band, as VLAN devices and NICs do), or 802.1Q inside 802.1ad (the outer
#    out of band, the inner in the frame). veth-b drops them (no VLAN there).
LAB_IPV6=1 lab_up ppsd 85 || { fail "decode lab setup"; exit 1; }
lab_exec ppsd-a ip addr add 2001:2:0:85::1/64 dev veth-a nodad || fail "ipv6 address"
lab_exec ppsd-b ip addr add 2001:2:0:85::2/64 dev veth-b nodad || fail "ipv6 address"
mac=$(lab_exec ppsd-b cat /sys/class/net/veth-b/address)
cat >"$LAB_DIR/tag.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
static long (*skb_vlan_push)(struct __sk_buff *skb, __u16 proto, __u16 tci) = (void *)BPF_FUNC_skb_vlan_push;
__attribute__((section("tc/q"), used)) int tag_q(struct __sk_buff *skb)
{
	skb_vlan_push(skb, __builtin_bswap16(0x8100), 100);
	return TC_ACT_OK;
}
__attribute__((section("tc/qinq"), used)) int tag_qinq(struct __sk_buff *skb)
{
	skb_vlan_push(skb, __builtin_bswap16(0x8100), 100);
	skb_vlan_push(skb, __builtin_bswap16(0x88a8), 200);
	return TC_ACT_OK;
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -c "$LAB_DIR/tag.c" -o "$LAB_DIR/tag.o" || fail "decode: build the tagging tc program"
lab_exec ppsd-a tc qdisc add dev veth-a clsact || fail "decode: clsact"
lab_exec ppsd-a ip neigh flush all
pp_start "$LAB_DIR/dec" --stream --netns ppsd-b || { fail "decode: pktpath started"; exit 1; }
lab_exec ppsd-a ping -c1 -W2 198.18.85.2 >/dev/null || fail "decode: ping after ARP"
lab_exec ppsd-a ping -6 -c1 -W2 2001:2:0:85::2 >/dev/null || fail "decode: ping6 after ND"
lab_exec ppsd-a bash -c 'echo x > /dev/udp/198.18.85.2/7779; echo x > /dev/udp/2001:2:0:85::2/7779'
# IPv6 extension headers: a ping of 3000 bytes leaves in three fragments
# (fragment header), and the reply too; a new address joins its
# solicited-node group with an MLDv2 report behind a hop-by-hop header.
lab_exec ppsd-a ping -6 -s 3000 -c1 -W2 2001:2:0:85::2 >/dev/null || fail "decode: ping6 -s 3000"
lab_exec ppsd-b ip addr add 2001:2:0:85::3/64 dev veth-b nodad || fail "decode: a second IPv6 address"
# VXLAN between the two: vni 42, inner 198.18.88.0/24.
for s in a:1:2 b:2:1; do
	ns=ppsd-${s%%:*} me=${s#*:} me=${me%:*} peer=${s##*:}
	lab_exec $ns ip link add vx0 type vxlan id 42 local 198.18.85.$me remote 198.18.85.$peer dstport 4789 \
		dev veth-${s%%:*} || fail "decode: vxlan device"
	lab_exec $ns ip addr add 198.18.88.$me/24 dev vx0 && lab_exec $ns ip link set vx0 up
done
lab_exec ppsd-a ping -c1 -W2 198.18.88.2 >/dev/null || fail "decode: ping over VXLAN"
lab_exec ppsd-a ip link del vx0
sleep 0.2
lab_exec ppsd-a tc filter add dev veth-a egress bpf da obj "$LAB_DIR/tag.o" sec tc/q || fail "decode: tc filter (802.1Q)"
lab_exec ppsd-a ping -c1 -W1 198.18.85.2 >/dev/null # tagged: veth-b drops it
lab_exec ppsd-a ip neigh flush all
lab_exec ppsd-a ping -c1 -W1 198.18.85.2 >/dev/null # its ARP request, tagged
lab_exec ppsd-a tc filter del dev veth-a egress
lab_exec ppsd-a tc filter add dev veth-a egress bpf da obj "$LAB_DIR/tag.o" sec tc/qinq || fail "decode: tc filter (QinQ)"
lab_exec ppsd-a ip neigh replace 198.18.85.2 lladdr "$mac" dev veth-a nud permanent
lab_exec ppsd-a ping -c1 -W1 198.18.85.2 >/dev/null
sleep 0.5
pp_stop
lab_exec ppsd-a tc qdisc del dev veth-a clsact
d=$LAB_DIR/dec.out
has() { check "decode: $1" grep -qE "$2" "$d"; }
has "ARP request: 'ARP, Request who-has 198.18.85.2 tell 198.18.85.1'" \
	'netif_receive_skb +ppsd-b +veth-b .* ARP, Request who-has 198\.18\.85\.2 tell 198\.18\.85\.1 len '
has "ARP reply: 'ARP, Reply 198.18.85.2 is-at $mac'" "net_dev_queue +ppsd-b +veth-b .* ARP, Reply 198\.18\.85\.2 is-at $mac len "
has "ICMPv6 neighbour solicitation: 'neighbor-solicit who has 2001:2:0:85::2'" \
	'ICMP6 2001:2:0:85::1 > ff02::1:ff00:2 neighbor-solicit who has 2001:2:0:85::2 '
has "ICMPv6 neighbour advertisement: 'neighbor-advert tgt is 2001:2:0:85::2'" \
	'ICMP6 2001:2:0:85::2 > 2001:2:0:85::1 neighbor-advert tgt is 2001:2:0:85::2 '
has "ICMP port unreachable quotes the datagram" \
	'ICMP 198\.18\.85\.2 > 198\.18\.85\.1 unreachable code 3 \(port\) for UDP 198\.18\.85\.1:[0-9]+ > 198\.18\.85\.2:7779 '
has "ICMPv6 port unreachable quotes the datagram" \
	'ICMP6 2001:2:0:85::2 > 2001:2:0:85::1 unreachable code 4 \(port\) for UDP \[2001:2:0:85::1\]:[0-9]+ > \[2001:2:0:85::2\]:7779 '
has "IPv6 first fragment: 'frag (0|1448)' then the echo request behind the fragment header" \
	'netif_receive_skb +ppsd-b +veth-b .* ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 frag \(0\|1448\) echo-request id [0-9]+ seq 1 len '
has "IPv6 later fragments: offset and length, no L4" \
	'netif_receive_skb +ppsd-b +veth-b .* ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 frag \(1448\|1448\) len '
has "IPv6 last fragment" 'netif_receive_skb +ppsd-b +veth-b .* ICMP6 2001:2:0:85::1 > 2001:2:0:85::2 frag \(2896\|112\) len '
has "IPv6 fragmented reply on its way out: 'frag (0|1448) echo-reply'" \
	'net_dev_queue +ppsd-b +veth-b .* ICMP6 2001:2:0:85::2 > 2001:2:0:85::1 frag \(0\|1448\) echo-reply id [0-9]+ seq 1 len '
has "MLDv2 report behind hop-by-hop: 'HBH (rtalert: 0x0000) (padn) multicast-listener-report-v2 N group record(s): ...'" \
	'net_dev_queue +ppsd-b +veth-b .* ICMP6 [0-9a-f:]+ > ff02::16 HBH \(rtalert: 0x0000\) \(padn\) multicast-listener-report-v2 [0-9]+ group record\(s\): ff02::'
has "VXLAN: the outer datagram with the inner ping: 'UDP … > 198.18.85.2:4789 vxlan vni 42: ICMP 198.18.88.1 > 198.18.88.2 echo-request'" \
	'netif_receive_skb +ppsd-b +veth-b .* UDP 198\.18\.85\.1:[0-9]+ > 198\.18\.85\.2:4789 vxlan vni 42: ICMP 198\.18\.88\.1 > 198\.18\.88\.2 echo-request id [0-9]+ seq 1 '
has "VXLAN: the inner ARP request" \
	'UDP 198\.18\.85\.1:[0-9]+ > 198\.18\.85\.2:4789 vxlan vni 42: ARP, Request who-has 198\.18\.88\.2 tell 198\.18\.88\.1 '
has "802.1Q (out of band): 'vlan 100, ICMP 198.18.85.1 > 198.18.85.2 echo-request' received on veth-b" \
	'netif_receive_skb +ppsd-b +veth-b .* vlan 100, ICMP 198\.18\.85\.1 > 198\.18\.85\.2 echo-request '
has "802.1Q: the ARP request inside the tag" \
	'netif_receive_skb +ppsd-b +veth-b .* vlan 100, ARP, Request who-has 198\.18\.85\.2 tell 198\.18\.85\.1 '
has "802.1ad outside (out of band), 802.1Q inside (in the frame): '802.1ad vlan 200, vlan 100, ICMP ...'" \
	'netif_receive_skb +ppsd-b +veth-b .* 802\.1ad vlan 200, vlan 100, ICMP 198\.18\.85\.1 > 198\.18\.85\.2 '
check "decode: only what veth-a tagged says vlan (received on veth-b)" \
	[ -z "$(grep -E 'vlan [0-9]' "$d" | grep -vE ' ppsd-b +veth-b ')" ]

# 3b. A pcap expression on the VXLAN's inner packet: libpcap has no vxlan
#     keyword (1.10), so by offsets from the UDP header (8 UDP + 8 VXLAN +
#     14 Ethernet: the inner IPv4 header at udp[30], its destination at
#     udp[46:4]). The encapsulated request to 198.18.88.2 is selected; its
#     reply (inner destination 198.18.88.1) and plain datagrams are not.
#     After decapsulation the skb carries another packet by the identity
#     rules (another protocol, both addresses changed): not followed there.
for s in a:1:2 b:2:1; do
	ns=ppsd-${s%%:*} me=${s#*:} me=${me%:*} peer=${s##*:}
	lab_exec $ns ip link del vx0 2>/dev/null
	lab_exec $ns ip link add vx0 type vxlan id 42 local 198.18.85.$me remote 198.18.85.$peer dstport 4789 \
		dev veth-${s%%:*} && lab_exec $ns ip addr add 198.18.88.$me/24 dev vx0 && lab_exec $ns ip link set vx0 up ||
		fail "inner: vxlan device"
done
lab_exec ppsd-a ip neigh flush all
lab_exec ppsd-a ping -c1 -W2 198.18.88.2 >/dev/null || fail "inner: ping over VXLAN before tracing"
pp_start "$LAB_DIR/inner" 'udp port 4789 and udp[46:4] = 0xc6125802' || { fail "inner: pktpath started"; exit 1; }
lab_exec ppsd-a ping -c1 -W2 198.18.88.2 >/dev/null
lab_exec ppsd-a bash -c 'echo x > /dev/udp/198.18.85.2/7780'
sleep 0.3
pp_stop
io=$LAB_DIR/inner.out
vreq=$(awk '/^#[0-9]+ / { on = ($0 ~ /:4789 vxlan vni 42: ICMP 198\.18\.88\.1 > 198\.18\.88\.2 echo-request /) } on' "$io")
check "inner: the VXLAN-encapsulated request to 198.18.88.2 is selected by 'udp[46:4] = 0xc6125802'" [ -n "$vreq" ]
check "inner: its outer datagram seen from ppsd-a's veth-a to ppsd-b's veth-b" \
	bash -c 'grep -qE "net_dev_queue +ppsd-a +veth-a " <<<"$1" && grep -qE "netif_receive_skb +ppsd-b +veth-b " <<<"$1"' _ "$vreq"
check "inner: nothing else selected (the reply's inner destination is 198.18.88.1; the plain datagram)" \
	[ "$(grep -c '^#' "$io")" -eq 1 ]
lab_exec ppsd-a ip link del vx0
lab_exec ppsd-b ip link del vx0

# 4. The owner of a server's segments, the server older than pktpath and
#    accepting its connection 300 ms after it came: meanwhile the kernel
#    acknowledges the client's data from softirq on a socket no process
#    holds yet. Each such step is named by the kernel (the socket used in
#    process context), by sock_diag and /proc (a listener's or an accepted
#    socket's process), or at print time from a later packet of the same
#    socket and flow (JSON source "socket") when both missed it when it was
#    sent — which of these depends on timing (sock_diag's /proc map is
#    refreshed at most once a second), so the count of each is printed, and
#    the check is that every server segment names the server.
lab_up ppso 86 || { fail "server owner: lab setup"; exit 1; }
ip netns exec ppso-b "$TOOLS/tcppeer" server 8091 2000 300 >"$LAB_DIR/srv4.log" 2>&1 &
srv=$!
LAB_PIDS+=($srv)
sleep 0.3
pp_start "$LAB_DIR/late" --record "$LAB_DIR/late.rec" 'host 198.18.86.1 and tcp port 8091' ||
	{ fail "server owner: pktpath started"; exit 1; }
ip netns exec ppso-a "$TOOLS/tcppeer" client 198.18.86.2 8091 2000 >/dev/null 2>&1 &
cli=$!
wait $cli
sleep 0.3
pp_stop
"$PKTPATH" -r "$LAB_DIR/late.rec" --json >"$LAB_DIR/late.json" 2>/dev/null
srvsegs=$(grep -E '^#[0-9]+ TCP 198\.18\.86\.2:8091 > 198\.18\.86\.1:[0-9]+ ' "$LAB_DIR/late.out")
ns=$(grep -c . <<<"$srvsegs")
nn=$(grep -c " owner $srv (tcppeer) " <<<"$srvsegs")
check "server owner: every server segment's header names the server $srv ($nn of $ns)" [ "$ns" -gt 2 -a "$nn" -eq "$ns" ]
src=$(jq -r '.events[]? | select(.netns == "ppso-b" and .owner and (.owner.learned_at | not)) | .owner.source' \
	"$LAB_DIR/late.json" | sort | uniq -c | awk '{ printf "%s%s %s", s, $2, $1; s = ", " }')
echo "# server owner: steps in ppso-b named by their own record or at print time, by source: ${src:-none}"
bad=$(jq -c --argjson s "$srv" 'select(.packet? // "" | startswith("TCP 198.18.86.2:8091 ")) | .events[] |
	select(.netns == "ppso-b" and .owner and (.owner.learned_at | not) and .owner.pid != $s)' "$LAB_DIR/late.json" | grep -c .)
check "server owner: every step of the server's segments in ppso-b that names an owner names the server ($bad others)" \
	[ "$bad" -eq 0 ]
