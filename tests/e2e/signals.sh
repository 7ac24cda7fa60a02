# SIGINT and SIGTERM during a flood: summary, exit 0, and nothing of
# pktpath's left in the kernel afterwards (the kernel's program list is the
# oracle).
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
FLOOD=$(cd "$(dirname "$0")/../.." && pwd)/build/tools/udpflood
lab_up ppf 15 || { fail "lab setup"; exit 1; }
check "no pktpath programs loaded before the test" [ -z "$(pp_progs_loaded)" ]

for sig in INT TERM; do
	pp_start "$LAB_DIR/$sig" --stream --netns ppf-b || { fail "SIG$sig: pktpath started"; cat "$LAB_DIR/$sig.err"; continue; }
	check "SIG$sig: programs are loaded while running" [ -n "$(pp_progs_loaded)" ]
	ip netns exec ppf-a "$FLOOD" 198.18.15.2 9 300000 6 >"$LAB_DIR/flood.$sig" &
	flood=$!
	sleep 1.5
	kill -"$sig" "$PP_PID"
	wait "$PP_PID"
	rc=$?
	wait $flood
	check "SIG$sig during a flood: exit status 0 (got $rc)" [ $rc -eq 0 ]
	check "SIG$sig: summary printed" grep -qE '^pktpath: [0-9]+ events .*[0-9]+ lost' "$LAB_DIR/$sig.err"
	n=$(grep -oE '^pktpath: [0-9]+ events' "$LAB_DIR/$sig.err" | grep -oE '[0-9]+')
	check "SIG$sig: the flood was seen ($n events)" [ "${n:-0}" -gt 1000 ]
	lines=$(grep -c 'UDP 198.18.15.1:[0-9]* > 198.18.15.2:9 ' "$LAB_DIR/$sig.out")
	check "SIG$sig: every counted event was printed ($lines lines)" [ "${n:-0}" -eq "$(($(wc -l <"$LAB_DIR/$sig.out") - 1 - $(grep -c '^ *stack:' "$LAB_DIR/$sig.out")))" ]
	check "SIG$sig: no pktpath program remains loaded" [ -z "$(pp_progs_loaded)" ]
done

# A ring buffer far too small for the flood: events are lost, and counted
# exactly — delivered + lost = produced.
pp_start "$LAB_DIR/small" --stream --ringbuf 16K --netns ppf-b || { fail "small buffer: pktpath started"; exit 1; }
ip netns exec ppf-a "$FLOOD" 198.18.15.2 9 200000 4 >/dev/null
pp_stop
read -r ev lost produced < <(sed -nE 's/^pktpath: ([0-9]+) events.*, ([0-9]+) lost, ([0-9]+) produced$/\1 \2 \3/p' "$LAB_DIR/small.err")
check "small buffer: exit 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
check "small buffer: events were lost and said so (${lost:-none} lost)" [ "${lost:-0}" -gt 0 ]
check "small buffer: delivered ${ev:-?} + lost ${lost:-?} = produced ${produced:-?}" \
	[ "$((${ev:-0} + ${lost:-0}))" -eq "${produced:--1}" ]

# stdout closed by the reader (`pktpath | head -1`): pktpath stops by itself,
# cleanly, and leaves nothing loaded.
for mode in --stream --json; do
	ip netns exec ppf-a "$FLOOD" 198.18.15.2 9 100000 3 >/dev/null &
	flood=$!
	timeout 20 "$PKTPATH" $mode --netns ppf-b 2>"$LAB_DIR/pipe.err" | head -1 >/dev/null
	rc=${PIPESTATUS[0]}
	wait $flood
	check "pktpath $mode | head -1: exits by itself with status 0 (got $rc)" [ "$rc" -eq 0 ]
	check "pktpath $mode | head -1: no program remains loaded" [ -z "$(pp_progs_loaded)" ]
done
