# Errors are for people: one clear line and a distinct exit status each,
# and nothing attached.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"

expect() { # what, status, pattern, pktpath args...
	local what=$1 want=$2 pat=$3
	shift 3
	${RUNAS:-} "$PKTPATH" "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
	local rc=$?
	check "$what: exit status $want (got $rc)" [ $rc -eq "$want" ]
	check "$what: one line on stderr" [ "$(wc -l <"$LAB_DIR/err")" -eq 1 ]
	check "$what: says '$pat'" grep -q -- "$pat" "$LAB_DIR/err"
	check "$what: nothing left attached" [ -z "$(pp_progs_loaded)" ]
}

expect "unknown option" 2 "unknown option '--frobnicate'" --frobnicate
expect "bad count" 2 "invalid count 'abc'" -c abc
expect "bad time" 2 "invalid time '-1'" -t -1
expect "bad ring buffer size" 2 "invalid ring buffer size '3000'" --ringbuf 3000
expect "option without its value" 2 "needs a value" --netns
expect "filter syntax error" 2 "host (" 'host ('
expect "unsupported filter construct" 2 "protochain" ip protochain 6
expect "expression that rejects every packet" 2 "rejects all packets" 'tcp and udp'
expect "missing BTF" 4 "no kernel BTF at /nonexistent/vmlinux" --btf /nonexistent/vmlinux

# Without root: copy the binary where nobody can run it.
cp "$PKTPATH" "$LAB_DIR/pktpath"
chmod 755 "$LAB_DIR" "$LAB_DIR/pktpath"
PKTPATH_ROOT=$PKTPATH
PKTPATH=$LAB_DIR/pktpath
RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect "not root (setpriv to nobody)" 3 "needs root" -t 1
RUNAS=
PKTPATH=$PKTPATH_ROOT
su nobody -s /bin/sh -c "$LAB_DIR/pktpath -t 1" >/dev/null 2>"$LAB_DIR/su.err"
rc=$?
check "not root via su: exit status 3 (got $rc)" [ $rc -eq 3 ]

"$PKTPATH" --help >"$LAB_DIR/help" 2>&1
check "--help exits 0 with examples" bash -c "[ $? -eq 0 ] && grep -q Examples '$LAB_DIR/help'"
"$PKTPATH" --version >"$LAB_DIR/ver" 2>&1
check "--version prints the version" grep -qE '^pktpath [0-9]+\.[0-9]+' "$LAB_DIR/ver"
