# SIGKILL: pktpath gets no chance to detach, yet nothing of it may stay in
# the kernel — its programs, links and maps live only as long as its file
# descriptors. The oracle is the kernel's own list (bpftool), keyed on the
# ids this very process held (tests/lib/bpfheld.sh), so other pktpath runs
# on the machine do not matter. Killed idle, during a flood, and while
# still loading (before "ready").
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/../lib/bpfheld.sh"
FLOOD=$(cd "$(dirname "$0")/../.." && pwd)/build/tools/udpflood
lab_up rbk 60 || { fail "lab setup"; exit 1; }


kill_and_check() { # what
	local what=$1 progs links maps left
	progs=$(held_ids "$PP_PID" prog)
	links=$(held_ids "$PP_PID" link)
	maps=$(held_ids "$PP_PID" map)
	local np nl nm
	np=$(echo "$progs" | grep -c .) nl=$(echo "$links" | grep -c .) nm=$(echo "$maps" | grep -c .)
	check "$what: pktpath (pid $PP_PID) holds programs, links and maps ($np, $nl, $nm)" \
		test "$np" -ge 4 -a "$nl" -ge 4 -a "$nm" -ge 1
	local unlisted
	unlisted=$(comm -13 <(kernel_ids prog) <(echo "$progs"); comm -13 <(kernel_ids link) <(echo "$links"))
	check "$what: the kernel lists every one of them while it runs" [ -z "$unlisted" ]
	kill -KILL "$PP_PID"
	wait "$PP_PID" 2>/dev/null
	local rc=$?
	check "$what: it died of SIGKILL (status $rc)" [ "$rc" -eq 137 ]
	left=$(gone prog $progs)
	check "$what: none of its programs remains (left: ${left:-none})" [ -z "$left" ]
	left=$(gone link $links)
	check "$what: none of its links remains (left: ${left:-none})" [ -z "$left" ]
	left=$(gone map $maps)
	check "$what: none of its maps remains (left: ${left:-none})" [ -z "$left" ]
}

# Idle.
if pp_start "$LAB_DIR/idle" --netns rbk-b; then
	kill_and_check "SIGKILL idle"
else
	fail "SIGKILL idle: pktpath started"; cat "$LAB_DIR/idle.err"
fi

# During a flood it traces, in timeline mode.
if pp_start "$LAB_DIR/flood" --netns rbk-b 'udp'; then
	ip netns exec rbk-a "$FLOOD" 198.18.60.2 9 2000000 8 >/dev/null &
	flood=$!
	LAB_PIDS+=("$flood")
	sleep 1.5
	check "SIGKILL during a flood: the flood is being traced" [ -n "$(held_ids "$PP_PID" link)" ]
	kill_and_check "SIGKILL during a flood"
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
else
	fail "SIGKILL during a flood: pktpath started"; cat "$LAB_DIR/flood.err"
fi

# While loading: killed at the first moment it holds a program, before
# "ready" (programs loaded, maybe not all attached yet).
"$PKTPATH" --netns rbk-b >"$LAB_DIR/early.out" 2>"$LAB_DIR/early.err" &
PP_PID=$!
LAB_PIDS+=("$PP_PID")
progs=
# A tight loop: loading takes a few hundred ms under ASan.
SECONDS=0
until grep -qs "^prog_id:" /proc/"$PP_PID"/fdinfo/* || [ $SECONDS -gt 15 ] || ! kill -0 "$PP_PID" 2>/dev/null; do :; done
progs=$(held_ids "$PP_PID" prog)
links=$(held_ids "$PP_PID" link)
maps=$(held_ids "$PP_PID" map)
progs=$(printf "%s\n" $progs $(held_ids "$PP_PID" prog) | sort -un)
stage=$(grep -q "pktpath: ready" "$LAB_DIR/early.err" && echo "after ready" || echo "before ready")
kill -KILL "$PP_PID"
wait "$PP_PID" 2>/dev/null
check "SIGKILL while loading: caught it holding programs, $stage ($(echo "$progs" | grep -c .) programs, $(echo "$links" | grep -c .) links)" [ -n "$progs" ]
left=$(gone prog $progs)
check "SIGKILL while loading: none of its programs remains (left: ${left:-none})" [ -z "$left" ]
left=$(gone link $links)
check "SIGKILL while loading: none of its links remains (left: ${left:-none})" [ -z "$left" ]
left=$(gone map $maps)
check "SIGKILL while loading: none of its maps remains (left: ${left:-none})" [ -z "$left" ]
check "no orphaned pktpath program in the kernel (loaded, held by no process)" [ -z "$(pp_orphans)" ]
