# Drops the kernel does not call drops: a listener whose accept queue is
# full (backlog 0, never accepting; syncookies off). The kernel frees the
# next client's SYN with consume_skb and counts TcpExtListenOverflows: the
# SYN's timeline says it was lost, --drops shows it (and not the SYN that
# was accepted), the summary and JSON carry the counters that moved.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=${TOOLS:-$(cd "$(dirname "$0")/../.." && pwd)/build/tools}
lab_up xlo 114 || { fail "lab setup"; exit 1; }
lab_exec xlo-b sysctl -qw net.ipv4.tcp_syncookies=0 || { fail "syncookies off"; exit 1; }

run() { # NAME ARGS...: a listener, one client that fills the queue, one that overflows it
	local name=$1
	shift
	pp_start "$LAB_DIR/$name" "$@" 'tcp port 7100 and net 198.18.114.0/24' || { fail "pktpath $* started"; return 1; }
	lab_bg xlo-b "$TOOLS/tcplisten" 7100 6 >"$LAB_DIR/$name.listen"
	sleep 0.3
	lab_bg xlo-a timeout 5 bash -c 'exec 3<>/dev/tcp/198.18.114.2/7100; sleep 5'
	sleep 0.5
	lab_bg xlo-a timeout 5 bash -c 'exec 3<>/dev/tcp/198.18.114.2/7100; sleep 5'
	sleep 2 # the SYN and its first retransmission (1 s later)
	pp_stop
	lab_exec xlo-b pkill -f "tcplisten 7100" 2>/dev/null
	sleep 0.2
}

run tl || exit 1
out=$LAB_DIR/tl.out err=$LAB_DIR/tl.err
syn_port() { sed -nE 's/^#[0-9]+ TCP 198\.18\.114\.1:([0-9]+) > 198\.18\.114\.2:7100 \[S\] .*/\1/p' "$@"; }
ports=$(syn_port "$out" | sort -u)
first=$(syn_port "$out" | head -1)
second=$(grep -v "^$first$" <<<"$ports" | head -1)
echo "client ports (SYNs seen): $(echo $ports)"
lost_hint="lost: the listener on tcp port 7100 in netns xlo-b had a full accept queue: the kernel freed this SYN unanswered and counted it in TcpExtListenOverflows"
syn_block() { P="198.18.114.1:$1 > 198.18.114.2:7100 \\[S\\]" awk '/^#[0-9]+ /{blk = ($0 ~ ENVIRON["P"])} blk' "$out"; }
check "the overflowing client's SYN ($second) ends consumed" grep -q 'consume_skb .*freed (consumed)' <<<"$(syn_block "$second")"
check "and its timeline says it was lost, with ListenOverflows" grep -qF "$lost_hint" <<<"$(syn_block "$second")"
n=$(syn_block "$second" | grep -cF "$lost_hint")
check "its retransmitted SYN too (lost SYNs of that client: $n, want >= 2)" [ "$n" -ge 2 ]
check "the accepted client's SYN is not called lost" bash -c "! grep -qF 'lost:' <<<'$(syn_block "$first")'"
check "the summary names TcpExtListenOverflows in netns xlo-b" \
	grep -qE "^  netns xlo-b: .*TcpExtListenOverflows [0-9]+" "$err"
c=$(grep -oE "TcpExtListenOverflows [0-9]+" "$err" | grep -oE '[0-9]+')
check "the summary's count ($c) is the lost SYNs the timelines report ($n)" [ "${c:-0}" -eq "$n" ]

run dr --drops || exit 1
check "--drops shows the lost SYNs" grep -qF "$lost_hint" "$LAB_DIR/dr.out"
nd=$(grep -c '^#' "$LAB_DIR/dr.out"); nl=$(grep -cF 'lost: the listener' "$LAB_DIR/dr.out")
check "--drops shows only the lost SYNs ($nd packets, $nl lost)" [ "$nd" -eq "$nl" -a "$nd" -ge 1 ]

run js --json || exit 1
check "JSON: the lost SYN's consume event carries 'lost'" \
	bash -c "jq -e -s '[.[] | select(.type==\"packet\") | .events[] | select(.probe==\"consume_skb\" and ((.lost // \"\")|test(\"TcpExtListenOverflows\")))] | length > 0' '$LAB_DIR/js.out' >/dev/null"
check "JSON: a counters line for netns xlo-b with TcpExtListenOverflows" \
	bash -c "jq -e 'select(.type==\"counters\" and .v==3 and .netns==\"xlo-b\" and .moved.TcpExtListenOverflows >= 1)' '$LAB_DIR/js.out' >/dev/null"
