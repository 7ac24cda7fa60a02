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
head -c $((size / 2)) "$D/tl.rec" >"$D/half.rec"
broken "truncated in the middle" "$D/half.rec" "truncated at byte"
head -c $((size - 24 - 8)) "$D/tl.rec" >"$D/noend.rec"
broken "cut before the end record" "$D/noend.rec" "no end record"
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
