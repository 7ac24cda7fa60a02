# --record FILE, then -r FILE: the replay prints byte for byte what the live
# run printed (timelines, --stream, --json), after the namespaces are gone
# and without privileges; a truncated or corrupt recording gets one line
# on stderr and exit status 7, never a crash (the ASan build runs).
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up rec 55 || { fail "lab setup"; exit 1; }
A=198.18.55.1 B=198.18.55.2
lab_bg rec-b "$TOOLS/udpecho" serve 7000 100 60 >/dev/null

traffic() {
	lab_exec rec-a ping -c 1 -W 1 $B >/dev/null
	lab_exec rec-a bash -c "echo closed > /dev/udp/$B/7778"
	lab_exec rec-a "$TOOLS/udpecho" ask $B 7000 || fail "UDP exchange answered"
	sleep 0.3
}

D=$(mktemp -d /tmp/pktpath-rec.XXXXXX)
chmod 755 "$D"
trap 'rm -rf "$D"; lab_down' EXIT

# live run: NAME ARGS... -> $D/NAME.out, $D/NAME.err, $D/NAME.rec
live() {
	local name=$1
	shift
	pp_start "$LAB_DIR/$name" --record "$D/$name.rec" "$@" || { fail "$name: pktpath started"; cat "$LAB_DIR/$name.err"; return 1; }
	traffic
	pp_stop
	check "$name: live run exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
	cp "$LAB_DIR/$name.out" "$D/$name.out"
	cp "$LAB_DIR/$name.err" "$D/$name.err"
	chmod 644 "$D/$name".*
}
live tl
live stream --stream
live json --json
live drops --drops
check "timelines: the live output has the ping, the closed port and the exchange" \
	bash -c "grep -q 'echo-request' '$D/tl.out' && grep -q 'DROP NO_SOCKET at __udp4_lib_rcv' '$D/tl.out' && grep -qE '^#[0-9]+ UDP $B:7000 > $A:' '$D/tl.out'"
check "timelines: the live output has a stack and a hint" \
	bash -c "grep -q '^ *stack: ' '$D/tl.out' && grep -q 'hint: nothing listens on udp port 7778 in netns rec-b' '$D/tl.out'"

# Offline: the namespaces (whose names the output prints) are gone, and the
# replay runs as nobody: no privileges, no BPF.
ip netns del rec-a
ip netns del rec-b
cp "$PKTPATH" "$D/pktpath"
chmod 755 "$D/pktpath"
replay() { # name, args...
	local name=$1
	shift
	setpriv --reuid=65534 --regid=65534 --clear-groups "$D/pktpath" -r "$D/$name.rec" "$@" \
		>"$D/$name.replay" 2>"$D/$name.replay.err"
	local rc=$?
	check "$name: replay exit status 0 (got $rc)" [ $rc -eq 0 ]
	check "$name: replay output is byte-identical to the live output" cmp "$D/$name.out" "$D/$name.replay"
}
replay tl
replay stream --stream
replay json --json
replay drops --drops
check "timelines: the replay's report matches the live one" \
	bash -c "diff <(grep -vE '^(backend|pktpath: ready|pktpath: nftables: )' '$D/tl.err') '$D/tl.replay.err' >/dev/null"
check "--json replay: every line parses" bash -c "jq -e . '$D/json.replay' >/dev/null"
# Other output options on the same recording: its own view, still offline.
"$D/pktpath" -r "$D/tl.rec" --drops >"$D/tl.drops" 2>/dev/null
check "a timeline recording replayed with --drops: only the drops" \
	bash -c "grep -q 'DROP NO_SOCKET' '$D/tl.drops' && ! grep -q 'echo-request' '$D/tl.drops'"
"$D/pktpath" -r "$D/tl.rec" -c 1 >"$D/tl.c1" 2>/dev/null
check "-c 1 on a replay: one packet" [ "$(grep -c '^#' "$D/tl.c1")" -eq 1 ]

# Broken recordings: one line, exit status 7, nothing on stdout.
broken() { # what, file, pattern
	"$PKTPATH" -r "$2" >"$D/b.out" 2>"$D/b.err"
	local rc=$?
	check "$1: exit status 7 (got $rc)" [ $rc -eq 7 ]
	check "$1: one line on stderr" [ "$(wc -l <"$D/b.err")" -eq 1 ]
	check "$1: says '$3'" grep -q -- "$3" "$D/b.err"
	check "$1: nothing printed" [ ! -s "$D/b.out" ]
}
size=$(stat -c %s "$D/tl.rec")
# Issue 18: a recording cut short (its run killed, its disk full) is read up
# to its last complete record, with a note saying so and how much is
# missing, and exit status 8 (it used to be refused whole, exit 7).
cut() { # what, file, live output to compare, args...
	local what=$1 file=$2 live=$3
	shift 3
	"$PKTPATH" -r "$file" "$@" >"$D/c.out" 2>"$D/c.err"
	local rc=$?
	check "$what: exit status 8 (got $rc)" [ $rc -eq 8 ]
	check "$what: one note says it was cut short and how much is missing" \
		grep -qE "cut short at byte [0-9]+ .*: printed up to its last complete record; [0-9]+ bytes of a partial record ignored" "$D/c.err"
	check "$what: the summary does not claim counts it lacks" grep -q "lost and produced unknown (the recording was cut short)" "$D/c.err"
	check "$what: something was printed" [ -s "$D/c.out" ]
	check "$what: what is printed is the start of the live output" \
		cmp -s "$D/c.out" <(head -c "$(stat -c %s "$D/c.out")" "$live")
}
ssize=$(stat -c %s "$D/stream.rec")
head -c $((ssize / 2 + 3)) "$D/stream.rec" >"$D/half.rec"
cut "--stream recording cut in the middle of a record" "$D/half.rec" "$D/stream.out" --stream
head -c $((size - 24 - 8)) "$D/tl.rec" >"$D/noend.rec"
cut "recording cut before the end record" "$D/noend.rec" "$D/tl.out"
check "recording cut before the end record: every packet of the live run is there" cmp -s "$D/c.out" "$D/tl.out"
head -c 10 "$D/tl.rec" >"$D/tiny.rec"
broken "shorter than the header" "$D/tiny.rec" "shorter than a recording's header"
: >"$D/empty.rec"
broken "empty file" "$D/empty.rec" "empty file"
{ printf 'NOTPKTPA'; tail -c +9 "$D/tl.rec"; } >"$D/magic.rec"
broken "wrong magic" "$D/magic.rec" "not a pktpath recording"
{ head -c 28 "$D/tl.rec"; printf '\377\377\377\177'; tail -c +33 "$D/tl.rec"; } >"$D/len.rec"
broken "a record claiming 2 GB" "$D/len.rec" "claims"
broken "a device given as a recording" /dev/null "not a regular file"
"$PKTPATH" -r "$D/none.rec" >/dev/null 2>"$D/b.err"
check "missing recording: exit status 7 and the reason" bash -c "[ $? -eq 7 ] && grep -q 'No such file' '$D/b.err'"
"$PKTPATH" -r "$D/tl.rec" udp >/dev/null 2>"$D/b.err"
check "-r with an EXPRESSION: usage error" [ $? -eq 2 ]

# A recording whose run was killed (SIGKILL: no end record, stdio buffer
# not flushed): readable up to about a second before the kill.
lab_up rek 56 || { fail "lab setup (SIGKILL)"; exit 1; }
pp_start "$LAB_DIR/kill" --stream --record "$D/kill.rec" -n rek-b || fail "SIGKILL: pktpath started"
lab_exec rek-a ping -c 3 -i 0.2 -W 1 198.18.56.2 >/dev/null
sleep 2.5 # the recording is written out once a second
kill -KILL "$PP_PID"
wait "$PP_PID" 2>/dev/null
"$PKTPATH" -r "$D/kill.rec" --stream >"$D/kill.out" 2>"$D/kill.err"
rc=$?
check "SIGKILLed recording: readable, exit status 8 (got $rc)" [ $rc -eq 8 ]
check "SIGKILLed recording: the pings before the kill are there" grep -q 'echo-request' "$D/kill.out"
check "SIGKILLed recording: said to be cut short" grep -q 'cut short at byte' "$D/kill.err"

# A full disk (a 64 KiB tmpfs): the live run says so on its own line, with
# exit status 1, and the recording reads up to its last complete record.
mkdir -p "$D/small"
mount -t tmpfs -o size=64k pktpath-rec-test "$D/small" || fail "full disk: tmpfs mounted"
trap 'umount "$D/small" 2>/dev/null; rm -rf "$D"; lab_down' EXIT
pp_start "$LAB_DIR/full" --stream --record "$D/small/full.rec" -n rek-b || fail "full disk: pktpath started"
lab_exec rek-a ping -c 300 -i 0.002 -W 1 198.18.56.2 >/dev/null
sleep 1.5
pp_stop
check "full disk: exit status 1 (got $PP_RC)" [ "$PP_RC" -eq 1 ]
check "full disk: one line says the recording failed and what it holds" \
	grep -qE "^pktpath: writing $D/small/full.rec: No space left on device: the recording holds [0-9]+ events at most, [0-9]+ later ones were not written" "$LAB_DIR/full.err"
"$PKTPATH" -r "$D/small/full.rec" --stream >"$D/full.out" 2>"$D/full.err"
rc=$?
check "full disk: the recording reads to its last complete record, exit status 8 (got $rc)" [ $rc -eq 8 ]
check "full disk: what it holds is printed ($(grep -c echo-request "$D/full.out") echo requests)" grep -q 'echo-request' "$D/full.out"
umount "$D/small"
