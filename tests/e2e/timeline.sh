# Timelines (the default output): a UDP datagram to a closed port, a ping,
# a TCP connect to a closed port and an iptables-dropped datagram each
# print as one complete block, steps in order, with hints; --json lines
# parse with jq; --drops keeps whole paths; --idle flushes open packets.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up ppt 16 || { fail "lab setup"; exit 1; }
lab_exec ppt-b iptables -A INPUT -p udp --dport 9999 -j DROP || { fail "iptables rule"; exit 1; }
A=198.18.16.1 B=198.18.16.2

traffic() {
	lab_exec ppt-a bash -c "echo closed > /dev/udp/$B/7778"
	lab_exec ppt-a ping -c 1 -W 1 $B >/dev/null
	lab_exec ppt-a bash -c "echo > /dev/tcp/$B/7779" 2>/dev/null
	lab_exec ppt-a bash -c "echo filtered > /dev/udp/$B/9999"
	sleep 0.5
}

# The first block whose header matches an ERE.
block() { # file regex
	RE=$2 awk '/^#[0-9]+ / { inb = ($0 ~ ENVIRON["RE"]) ; if (inb && done) inb = 0; if (inb) done = 1 } inb' "$1"
}
# The first block whose header matches an ERE and whose body matches another.
block_with() { # file header-regex body-regex
	RE=$2 BODY=$3 awk '
		function out() { if (buf != "" && buf ~ ENVIRON["BODY"] && !done) { printf "%s", buf; done = 1 } buf = "" }
		/^#[0-9]+ / { out(); inb = ($0 ~ ENVIRON["RE"]) }
		inb { buf = buf $0 "\n" }
		END { out() }' "$1"
}
jqc() { jq -e "$@" >/dev/null; }
# "probe netns iface" of each step of a block, one a line.
steps() {
	awk '/^    \+/ { for (i = 1; i <= NF; i++) if ($i ~ /^(net_dev_queue|netif_receive_skb|kfree_skb|consume_skb)$/) { print $i, $(i+1), $(i+2); break } }'
}
# Succeeds when every step's time since the first is >= 0 and never
# decreases, and no per-step delta is negative.
deltas_ok() {
	awk 'function ns(s,  v) { sub(/^\(?\+/, "", s); sub(/\)$/, "", s); v = s + 0
		if (s ~ /us$/) return v * 1e3; if (s ~ /ms$/) return v * 1e6; if (s ~ /s$/) return v * 1e9; return -1 }
	     /^#[0-9]+ / { last = -1 }
	     /^    [-+]/ { t = ns($1); if ($1 !~ /^\+/ || t < 0 || t < last) bad = 1; last = t
	                   if ($2 ~ /^\(/ && $2 !~ /^\(\+/) bad = 1; n++ }
	     END { exit (bad || n == 0) }'
}
want_steps() { # block-text expected-steps what
	local got
	got=$(steps <<<"$1")
	if [ "$got" = "$2" ]; then pass "$3"; else fail "$3: got [$got]"; fi
}

# All namespaces: the whole path from ppt-a's veth-a to ppt-b's veth-b.
pp_start "$LAB_DIR/pp" || { fail "pktpath started"; cat "$LAB_DIR/pp.err"; exit 1; }
traffic
pp_stop
out=$LAB_DIR/pp.out
check "exit status 0 after SIGINT (got $PP_RC)" [ "$PP_RC" -eq 0 ]
[ "$PP_RC" -eq 0 ] || sed "s/^/# pp.err: /" "$LAB_DIR/pp.err" | tail -5
check "no stream column header in timeline mode" bash -c "! grep -q '^TIME ' '$out'"
check "no colour escapes when stdout is not a terminal" bash -c "! grep -q $'\033' '$out'"

udp=$(block "$out" "^#[0-9]+ UDP $A:[0-9]+ > $B:7778 ")
want_steps "$udp" "net_dev_queue ppt-a veth-a
netif_receive_skb ppt-b veth-b
kfree_skb ppt-b veth-b" "UDP to a closed port: tx, rx, drop in order"
check "UDP to a closed port: NO_SOCKET at __udp4_lib_rcv" grep -qE 'DROP NO_SOCKET at __udp4_lib_rcv\+0x' <<<"$udp"
check "UDP to a closed port: stack printed" grep -qE '^ +stack: .*__udp4_lib_rcv.*ip_local_deliver' <<<"$udp"
check "UDP to a closed port: hint names port and namespace" \
	grep -q 'hint: nothing listens on udp port 7778 in netns ppt-b' <<<"$udp"
check "UDP to a closed port: transmit names the sender (bash)" grep -qE 'net_dev_queue .* tx  pid [0-9]+ \(bash\)' <<<"$udp"
check "UDP to a closed port: deltas non-negative and ordered" deltas_ok <<<"$udp"
check "UDP to a closed port: complete (no open marker)" bash -c "! head -1 <<<'$udp' | grep -q '(open\|(its end\|(flushed'"

ping=$(block "$out" "^#[0-9]+ ICMP $A > $B echo-request ")
want_steps "$ping" "net_dev_queue ppt-a veth-a
netif_receive_skb ppt-b veth-b
consume_skb ppt-b veth-b" "ping request: tx, rx, free in order"
check "ping request: sent by ping" grep -qE 'tx  pid [0-9]+ \(ping\)' <<<"$ping"
check "ping request: received as pkt_type HOST" grep -q 'rx  pkt_type HOST' <<<"$ping"
check "ping request: deltas non-negative and ordered" deltas_ok <<<"$ping"
check "ping request: no hint (nothing dropped)" bash -c "! grep -q 'hint:' <<<'$ping'"
reply=$(block_with "$out" "^#[0-9]+ ICMP $B > $A echo-reply " "net_dev_queue")
# The reply then ends in ppt-a: consumed, or (ping on a raw socket, which
# gets its own clone) dropped NO_SOCKET by ping_rcv.
want_steps "$(grep -vE "^    \+.* nf [A-Z]+ ((first|last) )?" <<<"$reply" | head -3)" "net_dev_queue ppt-b veth-b
netif_receive_skb ppt-a veth-a" "ping reply: tx in ppt-b, then rx in ppt-a"
check "ping reply: ends in ppt-a" grep -qE '^    \+.*(consume_skb|kfree_skb) +ppt-a ' <<<"$reply"
check "ping reply: deltas non-negative and ordered" deltas_ok <<<"$reply"

syn=$(block "$out" "^#[0-9]+ TCP $A:[0-9]+ > $B:7779 \[S\] ")
want_steps "$syn" "net_dev_queue ppt-a veth-a
netif_receive_skb ppt-b veth-b
kfree_skb ppt-b veth-b" "TCP SYN to a closed port: tx, rx, drop in order"
check "TCP SYN to a closed port: NO_SOCKET at tcp_v4_rcv" grep -qE 'DROP NO_SOCKET at tcp_v4_rcv\+0x' <<<"$syn"
check "TCP SYN to a closed port: hint names tcp port and namespace" \
	grep -q 'hint: nothing listens on tcp port 7779 in netns ppt-b' <<<"$syn"
check "TCP SYN: deltas non-negative and ordered" deltas_ok <<<"$syn"

nf=$(block "$out" "^#[0-9]+ UDP $A:[0-9]+ > $B:9999 ")
want_steps "$nf" "net_dev_queue ppt-a veth-a
netif_receive_skb ppt-b veth-b
kfree_skb ppt-b veth-b" "iptables-dropped datagram: tx, rx, drop in order"
check "iptables-dropped datagram: NETFILTER_DROP" grep -q 'DROP NETFILTER_DROP at ' <<<"$nf"
check "iptables-dropped datagram: hint names the rule and the INPUT hook" \
	grep -qE "hint: the nftables rule '[^']*udp dport 9999 [^']*drop' \(table ip filter, chain INPUT, handle [0-9]+\) dropped it in the INPUT hook in netns ppt-b" <<<"$nf"
check "iptables-dropped datagram: deltas non-negative and ordered" deltas_ok <<<"$nf"

check "every block in the run has ordered, non-negative deltas" deltas_ok <"$out"
check "blocks are numbered 1, 2, 3... in print order" \
	bash -c "grep -oE '^#[0-9]+' '$out' | tr -d '#' | awk '\$1 != NR { exit 1 }'"
err=$LAB_DIR/pp.err
check "report counts packets and how they ended" grep -qE '^pktpath: [0-9]+ packets \(dropped [0-9]+, freed [0-9]+' "$err"
check "report says how many were flushed early" grep -qE '[0-9]+ flushed early' "$err"
check "report lists drop locations by reason" grep -qE '^  NETFILTER_DROP +nft_do_chain|^  NETFILTER_DROP +nf_hook_slow' "$err"
check "report still says how many events were lost" grep -qE '[0-9]+ lost' "$err"

# --drops in timeline mode: only dropped packets, each with its whole path.
pp_start "$LAB_DIR/dr" --drops || { fail "--drops: pktpath started"; cat "$LAB_DIR/dr.err"; exit 1; }
traffic
pp_stop
dudp=$(block "$LAB_DIR/dr.out" "^#[0-9]+ UDP $A:[0-9]+ > $B:7778 ")
want_steps "$dudp" "net_dev_queue ppt-a veth-a
netif_receive_skb ppt-b veth-b
kfree_skb ppt-b veth-b" "--drops: the dropped datagram keeps its whole path"
check "--drops: the ping (not dropped) is not printed" bash -c "! grep -q 'echo-request' '$LAB_DIR/dr.out'"
check "--drops: every block has a DROP step" \
	bash -c "awk '/^#[0-9]+ /{ if (n && !d) bad=1; n++; d=0 } / DROP /{ d=1 } END { exit (bad || (n && !d) || !n) }' '$LAB_DIR/dr.out'"

# --json: one object per packet; every line parses, fields as documented.
pp_start "$LAB_DIR/js" --json || { fail "--json: pktpath started"; cat "$LAB_DIR/js.err"; exit 1; }
traffic
pp_stop
js=$LAB_DIR/js.out
check "--json: output is not empty" [ -s "$js" ]
check "--json: every line parses with jq" bash -c "while IFS= read -r l; do jq -e . >/dev/null <<<\"\$l\" || exit 1; done <'$js'"
check "--json: every line is a v1 packet with the documented fields" \
	bash -c "jq -e 'select(.type != \"counters\") | select((.v == 3 and .type == \"packet\" and (.seq|type) == \"number\" and (.skb|test(\"^0x[0-9a-f]+$\")) and (.end|IN(\"drop\",\"free\",\"idle\",\"evicted\",\"reused\",\"exit\")) and (.packet|type) == \"string\" and (.events|length) > 0 and all(.events[]; (.delta_ns >= 0) and (.probe|type) == \"string\" and (.ts_ns|type) == \"number\")) | not)' '$js' | grep -q . && exit 1; exit 0"
jnf=$(jq -c "select(.type == \"packet\") | select(.packet|test(\"^UDP $A:[0-9]+ > $B:9999 \"))" "$js" | head -1)
check "--json: iptables drop has end, steps and drop fields" \
	jqc '[.events[] | select(.group != "netfilter")] as $e | .end == "drop" and ([$e[].probe] == ["net_dev_queue","netif_receive_skb","kfree_skb"]) and ($e[2].reason == "NETFILTER_DROP") and ($e[2].netns == "ppt-b") and ($e[2].ifname == "veth-b") and ($e[2].stack|length) > 2 and ($e[2].hint|test("INPUT hook"))' <<<"${jnf:-null}"
check "--json: deltas ordered" jqc '[.events[].delta_ns] as $d | $d == ($d|sort) and $d[0] == 0' <<<"${jnf:-null}"

pp_start "$LAB_DIR/js2" --stream --json --netns ppt-b || { fail "--stream --json: pktpath started"; exit 1; }
traffic
pp_stop
check "--stream --json: every line parses as a v1 event" \
	bash -c "[ -s '$LAB_DIR/js2.out' ] && jq -e 'select(.type != \"counters\") | select((.v == 3 and .type == \"event\" and (.probe|type) == \"string\") | not)' '$LAB_DIR/js2.out' | grep -q . && exit 1; [ -s '$LAB_DIR/js2.out' ]"
check "--stream --json: NO_SOCKET drop with hint" \
	bash -c "jq -e 'select(.reason == \"NO_SOCKET\" and ((.hint // \"\")|test(\"udp port 7778 in netns ppt-b\")))' '$LAB_DIR/js2.out' | grep -q ."

# --idle: in ppt-b alone the echo reply's free (in ppt-a) is never seen;
# it is printed after the idle time, marked, while pktpath still runs.
pp_start "$LAB_DIR/idle" --netns ppt-b --idle 200 || { fail "--idle: pktpath started"; exit 1; }
lab_exec ppt-a ping -c 1 -W 1 $B >/dev/null
sleep 1
cp "$LAB_DIR/idle.out" "$LAB_DIR/idle.early"
pp_stop
check "--idle 200: open packet printed before exit, marked as such" \
	grep -qE "^#[0-9]+ ICMP $B > $A echo-reply .*\(open: no drop or free seen within --idle\)" "$LAB_DIR/idle.early"
check "--idle: report counts packets whose end was not seen" grep -qE 'no end seen [0-9]+ \[idle [1-9]' "$LAB_DIR/idle.err"

# Colours: on a terminal (script(1) gives pktpath a pty), unless NO_COLOR.
tty_run() { # output-file, env assignments...
	local f=$1
	shift
	env "$@" script -qec "$PKTPATH --netns ppt-b -t 2.5" /dev/null >"$f" 2>&1 &
	local p=$!
	for _ in $(seq 1 50); do grep -q 'pktpath: ready' "$f" && break; sleep 0.1; done
	lab_exec ppt-a bash -c "echo closed > /dev/udp/$B/7778"
	wait $p
}
tty_run "$LAB_DIR/tty.out" TERM=xterm
check "on a terminal: the DROP is coloured" grep -q $'\033\\[31m\033\\[1mDROP NO_SOCKET' "$LAB_DIR/tty.out"
tty_run "$LAB_DIR/nocolor.out" TERM=xterm NO_COLOR=1
check "on a terminal with NO_COLOR: the drop is there, uncoloured" \
	bash -c "grep -q 'DROP NO_SOCKET' '$LAB_DIR/nocolor.out' && ! grep -q $'\033' '$LAB_DIR/nocolor.out'"
