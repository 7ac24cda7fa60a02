# Backends on this machine's kernel, which has neither kprobes nor fentry:
# asking for them fails with one line and exit status 6, nothing loaded;
# --list-probes says how each catalog point is reached here. (The fentry
# and kprobe backends themselves are tested on Debian kernels in tests/vm.)
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"

one_line_exit() { # WHAT STATUS PATTERN ARGS...
	local what=$1 want=$2 pat=$3 rc
	shift 3
	"$PKTPATH" "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
	rc=$?
	check "$what: exit status $want (got $rc)" [ "$rc" -eq "$want" ]
	check "$what: one line on stderr" [ "$(grep -c . "$LAB_DIR/err")" -eq 1 ]
	check "$what: says why ($(head -c 120 "$LAB_DIR/err"))" grep -qE "$pat" "$LAB_DIR/err"
	check "$what: nothing on stdout" [ ! -s "$LAB_DIR/out" ]
}

kp=available fe=available
[ -e /sys/bus/event_source/devices/kprobe/type ] || kp=missing
lp=$("$PKTPATH" --list-probes 2>&1)
grep -q "^backends: fentry available" <<<"$lp" || fe=missing
echo "# this kernel: kprobes $kp, fentry $fe"

if [ "$kp" = missing ]; then
	one_line_exit "--backend kprobe without kprobes" 6 "kprobe is not available.*CONFIG_KPROBES" --backend kprobe
	one_line_exit "--wide without kprobes" 6 "wide needs kprobes" --wide
fi
if [ "$fe" = missing ]; then
	one_line_exit "--backend fentry without fentry" 6 "fentry is not available" --backend fentry
fi
one_line_exit "--backend with an unknown name" 2 "invalid backend 'bpftrace'" --backend bpftrace
check "no pktpath program left loaded" [ -z "$(pp_progs_loaded)" ]

check "--list-probes: names the backends and what they lack" grep -qE "^backends: fentry .*; kprobe .*; tracepoint available" <<<"$lp"
check "--list-probes: the device receive point by tracepoint" grep -qE "^rx +netif_receive_skb +tracepoint net:netif_receive_skb" <<<"$lp"
check "--list-probes: drops by the skb:kfree_skb tracepoint" grep -qE "^drop +[a-z_]+ +tracepoint skb:kfree_skb" <<<"$lp"
check "--list-probes: nf_hook_slow by the netfilter link" grep -qE "^netfilter +nf_hook_slow +netfilter link" <<<"$lp"
if [ "$kp" = missing ] && [ "$fe" = missing ]; then
	check "--list-probes: ip_rcv unavailable, and why" \
		grep -qE "^rx +ip_rcv +unavailable +no fentry and no kprobes" <<<"$lp"
fi
# Its first screen: what --backend auto gives on this kernel, what not, why.
head_lines=$(sed -n '1,/^backends:/p' <<<"$lp" | grep -c .)
check "--list-probes: the summary fits one screen ($head_lines lines before the table)" [ "$head_lines" -le 20 ]
check "--list-probes: first line names the kernel and the backend auto uses" \
	grep -qE "^Linux $(uname -r | sed 's/[.+]/\\&/g'): --backend auto uses (fentry|kprobe|tracepoint)" <<<"$(head -n 1 <<<"$lp")"
check "--list-probes: says what you get, with the catalog points by group" \
	grep -qE "^  catalog points by group: rx [0-9]+/4 route [0-9]+/6 netfilter [0-9]+/3" <<<"$lp"
if [ "$kp" = missing ] && [ "$fe" = missing ]; then
	check "--list-probes: says what you do not get, and why" \
		grep -qE "^  IP-layer functions, routing decisions( \(the look-up's result, the input route\))?, netfilter tables and chains, bridge ports: they need fentry or kprobes" <<<"$lp"
	check "--list-probes: says the route taken comes from the netfilter links" \
		grep -qE "^  the route taken \(device, gateway, type, table: IPv6's, and IPv4's for forwarded packets\) at the INPUT, FORWARD and OUTPUT netfilter links;" <<<"$lp"
fi
# The test switch that hides a function from the catalog's view of the kernel.
check "--list-probes: a function hidden by PKTPATH_TEST_HIDE_FUNCS is reported as absent" \
	bash -c 'PKTPATH_TEST_HIDE_FUNCS=ip_rcv,ip_forward "$1" --list-probes | grep -cE "^(rx +ip_rcv|route +ip_forward) +unavailable +not in this kernel.s BTF" | grep -qx 2' _ "$PKTPATH"
n=$(grep -cE "^(rx|route|netfilter|bridge|tx|clone|drop|free|owner) " <<<"$lp")
# The catalog's rows (cmd/attach/catalog.c: {...} and RX(...)) and the two device tracepoints.
want=$(($(grep -cE '^	(\{"|RX\()' "$(dirname "$0")/../../cmd/attach/catalog.c") + 2))
check "--list-probes: every catalog point listed ($n of $want)" [ "$n" -eq "$want" ]

# The backend line names what runs and why the others do not.
lab_up ppbk 25 || { fail "lab setup"; exit 1; }
pp_start "$LAB_DIR/pp" -n ppbk-b icmp || { fail "pktpath started"; exit 1; }
lab_exec ppbk-a ping -c 1 -W 2 198.18.25.2 >/dev/null
sleep 0.5
pp_stop
check "auto picks what the kernel has: $(head -1 "$LAB_DIR/pp.err")" \
	grep -qE "^backend: (tracepoint|kprobe|fentry) \(fentry: .*; kprobes: .*\)$" "$LAB_DIR/pp.err"
check "the ping's timeline printed" grep -qE "^#1 ICMP 198.18.25.1 > 198.18.25.2 echo-request" "$LAB_DIR/pp.out"
