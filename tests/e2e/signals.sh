# SIGINT and SIGTERM during a flood: summary, exit 0, counts that add up,
# and nothing of this pktpath left in the kernel afterwards — the kernel's
# program and link lists are the oracle, keyed on the ids this process held
# (tests/lib/bpfheld.sh), so other pktpath runs on the machine do not
# matter. (SIGKILL: robust_kill.sh.)
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/../lib/bpfheld.sh"
FLOOD=$(cd "$(dirname "$0")/../.." && pwd)/build/tools/udpflood
L=${SIGNALS_LAB:-ppf} N=${SIGNALS_NET:-15} # another name and subnet to run beside a copy of this test
lab_up "$L" "$N" || { fail "lab setup"; exit 1; }
check "no orphaned pktpath program before the test" [ -z "$(pp_orphans)" ]

counts() { # file: "delivered lost produced"
	sed -nE 's/^pktpath: ([0-9]+) events.*, ([0-9]+) lost, ([0-9]+) produced$/\1 \2 \3/p' "$1"
}

for sig in INT TERM; do
	pp_start "$LAB_DIR/$sig" --stream --netns "$L-b" || { fail "SIG$sig: pktpath started"; cat "$LAB_DIR/$sig.err"; continue; }
	progs=$(held_ids "$PP_PID" prog) links=$(held_ids "$PP_PID" link)
	check "SIG$sig: programs and links are held while running ($(echo "$progs" | grep -c .), $(echo "$links" | grep -c .))" \
		test -n "$progs" -a -n "$links"
	ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 300000 6 >"$LAB_DIR/flood.$sig" &
	flood=$!
	sleep 1.5
	kill -"$sig" "$PP_PID"
	wait "$PP_PID"
	rc=$?
	wait $flood
	check "SIG$sig during a flood: exit status 0 (got $rc)" [ $rc -eq 0 ]
	check "SIG$sig: summary printed" grep -qE '^pktpath: [0-9]+ events .*[0-9]+ lost' "$LAB_DIR/$sig.err"
	read -r n lost produced < <(counts "$LAB_DIR/$sig.err")
	check "SIG$sig: the flood was seen (${n:-0} events)" [ "${n:-0}" -gt 1000 ]
	check "SIG$sig: delivered ${n:-?} + lost ${lost:-?} = produced ${produced:-?}" [ "$((${n:-0} + ${lost:-0}))" -eq "${produced:--1}" ]
	check "SIG$sig: every counted event was printed" [ "${n:-0}" -eq "$(($(wc -l <"$LAB_DIR/$sig.out") - 1 - $(grep -c '^ *stack:' "$LAB_DIR/$sig.out")))" ]
	left=$(gone prog $progs)
	check "SIG$sig: none of its programs remains (left: ${left:-none})" [ -z "$left" ]
	left=$(gone link $links)
	check "SIG$sig: none of its links remains (left: ${left:-none})" [ -z "$left" ]
done

# A ring buffer far too small for the flood: events are lost, and counted
# exactly — delivered + lost = produced. No netfilter links, so the events
# per datagram are known.
pp_start "$LAB_DIR/small" --stream --ringbuf 16K --no-netfilter --netns "$L-b" || { fail "small buffer: pktpath started"; exit 1; }
ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 200000 4 >"$LAB_DIR/small.flood"
pp_stop
read -r ev lost produced < <(counts "$LAB_DIR/small.err")
check "small buffer: exit 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
check "small buffer: events were lost and said so (${lost:-none} lost)" [ "${lost:-0}" -gt 0 ]
check "small buffer: delivered ${ev:-?} + lost ${lost:-?} = produced ${produced:-?}" \
	[ "$((${ev:-0} + ${lost:-0}))" -eq "${produced:--1}" ]
# Each datagram is received and dropped in $L-b (2 events), or dropped on
# the way in (1); a few ARP packets may add to it.
sent=$(awk '/^sent/ {print $2}' "$LAB_DIR/small.flood")
check "small buffer: produced ${produced:-?} fits the ${sent:-?} datagrams sent (sent <= produced <= 2 x sent + 50)" \
	test "${sent:-0}" -gt 0 -a "${produced:-0}" -ge "${sent:-1}" -a "${produced:-0}" -le $((2 * ${sent:-0} + 50))

# stdout closed by the reader (`pktpath | head -1`): pktpath stops by itself,
# cleanly, and leaves nothing loaded.
# The flood starts once pktpath is ready (one that ended before would leave
# nothing to print, and head waiting).
for mode in --stream --json; do
	: >"$LAB_DIR/pipe.err"
	(
		timeout 20 "$PKTPATH" $mode --netns "$L-b" 2>"$LAB_DIR/pipe.err" | head -1 >/dev/null
		echo "${PIPESTATUS[0]}" >"$LAB_DIR/pipe.rc"
	) &
	pipeline=$!
	for _ in $(seq 1 150); do
		grep -q 'pktpath: ready' "$LAB_DIR/pipe.err" && break
		sleep 0.1
	done
	ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 100000 3 >/dev/null &
	flood=$!
	wait $pipeline
	rc=$(cat "$LAB_DIR/pipe.rc")
	wait $flood
	check "pktpath $mode | head -1: exits by itself with status 0 (got $rc)" [ "$rc" -eq 0 ]
	check "pktpath $mode | head -1: no orphaned program remains" [ -z "$(pp_orphans)" ]
done
check "pktpath --json | head -1: counts add up and what was not printed is said" grep -q 'not printed: the reader closed the output' "$LAB_DIR/pipe.err"
read -r n lost produced < <(counts "$LAB_DIR/pipe.err")
check "pktpath --json | head -1: delivered ${n:-?} + lost ${lost:-?} = produced ${produced:-?}" [ "$((${n:-0} + ${lost:-0}))" -eq "${produced:--1}" ]

# Issue 18. A write to stdout that fails for another reason than a closed
# pipe is an error: one line naming the file and the error, exit 1, and
# the summary says how many events were not written; the counts add up.
outfail() { # what, redirection (as a bash word), args...
	local what=$1 redir=$2
	shift 2
	: >"$LAB_DIR/full.err"
	eval "timeout 30 \"\$PKTPATH\" \"\$@\" --netns $L-b -t 4 $redir 2>\"\$LAB_DIR/full.err\" &"
	local pid=$! i
	for i in $(seq 1 100); do grep -q 'pktpath: ready' "$LAB_DIR/full.err" && break; sleep 0.1; done
	ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 50000 2 >/dev/null
	wait $pid
	local rc=$?
	check "$what: exit status 1 (got $rc)" [ $rc -eq 1 ]
	check "$what: one line names the file and the error" grep -qE "^pktpath: cannot write to standard output.*: ${ERRTEXT}$" "$LAB_DIR/full.err"
	check "$what: the summary says how many were not written" grep -qE "^pktpath: [0-9]+ (events|packets) not written \(standard output: ${ERRTEXT}\)" "$LAB_DIR/full.err"
	read -r n lost produced < <(counts "$LAB_DIR/full.err")
	# (--stream fails on its header line, before any event: 0 is right.)
	check "$what: delivered ${n:-?} + lost ${lost:-?} = produced ${produced:-?}" [ -n "$n" -a "$((${n:-0} + ${lost:-0}))" -eq "${produced:--1}" ]
	case "$*" in *--json*|"") check "$what: events were delivered before the failure (${n:-0})" [ "${n:-0}" -gt 0 ] ;; esac
	check "$what: nothing left attached" [ -z "$(pp_orphans)" ]
}
ERRTEXT="No space left on device"
outfail "--stream >/dev/full" ">/dev/full" --stream
outfail "--json --stream >/dev/full" ">/dev/full" --json --stream
outfail "timelines >/dev/full" ">/dev/full"
ERRTEXT="Bad file descriptor"
outfail "--stream >&- (stdout closed)" ">&-" --stream

# -w and --record both failing: each says its own failure on its own line.
mknod "$LAB_DIR/full2" c 1 7 # a second /dev/full: one file each
pp_start "$LAB_DIR/both" --netns "$L-b" -w /dev/full --record "$LAB_DIR/full2" || fail "-w and --record both failing: started"
ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 20000 2 >/dev/null
pp_stop
rc=$PP_RC
check "-w and --record both failing: exit status 1 (got $rc)" [ $rc -eq 1 ]
check "-w and --record both failing: two lines, one for each file" \
	[ "$(grep -c "^pktpath: writing \(/dev/full\|$LAB_DIR/full2\): No space left on device" "$LAB_DIR/both.err")" -eq 2 ]
check "-w and --record both failing: each says how much it holds" [ "$(grep -c "later ones were not written" "$LAB_DIR/both.err")" -eq 2 ]

# -c N stops at exactly N, with --stream and --json (libbpf's poll stops
# only on a negative callback return), and the rest is counted.
# The flood starts once pktpath is ready: a flood that ended before would
# leave -c waiting.
for mode in "--stream" "--stream --json"; do
	# shellcheck disable=SC2086
	pp_start "$LAB_DIR/c" $mode -c 123 --netns "$L-b" || fail "$mode -c 123: pktpath started"
	ip netns exec "$L-a" "$FLOOD" "198.18.$N.2" 9 100000 3 >/dev/null &
	flood=$!
	rc=124
	for _ in $(seq 1 300); do
		kill -0 "$PP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$PP_PID" 2>/dev/null && kill -KILL "$PP_PID" # still waiting after 30 s
	wait "$PP_PID"
	rc=$?
	wait $flood
	lines=$(grep -vc '^ *stack:\|^TIME\|"type":"counters"' "$LAB_DIR/c.out") # the JSON counters line is not an event
	check "$mode -c 123 under a flood: exit 0 (got $rc)" [ $rc -eq 0 ]
	check "$mode -c 123 under a flood: exactly 123 events printed (got $lines)" [ "$lines" -eq 123 ]
	read -r n lost produced < <(counts "$LAB_DIR/c.err")
	check "$mode -c 123: delivered ${n:-?} + lost ${lost:-?} = produced ${produced:-?}" [ "$((${n:-0} + ${lost:-0}))" -eq "${produced:--1}" ]
	more=$(sed -nE 's/^pktpath: ([0-9]+) more events received after -c 123, not printed$/\1/p' "$LAB_DIR/c.err")
	check "$mode -c 123: printed 123 + not printed ${more:-0} = delivered ${n:-?}" [ "$((123 + ${more:-0}))" -eq "${n:--1}" ]
done

# `| head -1` with nothing to print after the header: the reader's leaving
# is noticed without a write (poll on the pipe), not at the next packet.
t0=$(date +%s)
timeout 20 "$PKTPATH" --stream --netns "$L-b" 'host 198.19.200.200' 2>"$LAB_DIR/idle.err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
check "idle pktpath --stream | head -1: exits by itself, status 0 (got $rc, $(($(date +%s) - t0)) s)" [ "$rc" -eq 0 ]
