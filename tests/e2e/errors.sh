# Errors are for people: one clear line and a distinct exit status each
# (README, "Exit status"), and nothing attached. "Nothing attached" is
# asked of the kernel: no pktpath program loaded that no live process holds
# (tests/lib/bpfheld.sh), which stays true while other pktpath runs trace
# on the same machine.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/../lib/bpfheld.sh"

expect() { # what, status, pattern, pktpath args...
	local what=$1 want=$2 pat=$3
	shift 3
	${RUNAS:-} "$PKTPATH" "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
	local rc=$?
	check "$what: exit status $want (got $rc)" [ $rc -eq "$want" ]
	check "$what: one line on stderr" [ "$(wc -l <"$LAB_DIR/err")" -eq 1 ]
	check "$what: says '$pat'" grep -q -- "$pat" "$LAB_DIR/err"
	check "$what: nothing on stdout" [ ! -s "$LAB_DIR/out" ]
	check "$what: nothing left attached" [ -z "$(pp_orphans)" ]
}

# Invalid options and numbers: 2.
expect "unknown option" 2 "unknown option '--frobnicate'" --frobnicate
expect "bad count" 2 "invalid count 'abc'" -c abc
expect "zero count" 2 "invalid count '0'" -c 0
expect "bad time" 2 "invalid time '-1'" -t -1
expect "time not a number" 2 "invalid time 'nan'" -t nan
expect "bad ring buffer size" 2 "invalid ring buffer size '3000'" --ringbuf 3000
# 2^44 + 2^10 MiB wraps around 64 bits to exactly 1 GiB if the shift is
# not checked for overflow.
expect "ring buffer size that overflows 64 bits" 2 "invalid ring buffer size" --ringbuf 17592186045440M -t 1
expect "bad --max-open" 2 "invalid max-open '0'" --max-open 0
expect "--max-open too large" 2 "invalid max-open '99999999999'" --max-open 99999999999
expect "bad --idle" 2 "invalid idle time 'soon'" --idle soon
expect "bad pid" 2 "invalid pid 'abc'" -p abc
expect "pid 0" 2 "invalid pid '0'" -p 0
expect "option without its value" 2 "needs a value" --netns
# Expressions: 2, before anything is loaded.
expect "filter syntax error" 2 "host (" 'host ('
expect "filter with a bad address" 2 "invalid IPv4 address '300.1.1.1'" host 300.1.1.1
expect "unsupported filter construct" 2 "protochain" ip protochain 6
expect "expression that rejects every packet" 2 "rejects all packets" 'tcp and udp'
# Unknown interface or namespace: 5.
expect "unknown interface" 5 "no interface 'rbnosuch0'" -i rbnosuch0
expect "unknown namespace name" 5 "unknown network namespace 'rbnosuch'" --netns rbnosuch
expect "unknown namespace inode" 5 "no network namespace with inode 12345" --netns 12345
expect "namespace path that is no namespace" 5 "is not a network namespace" --netns /etc/passwd
ip netns add rbe-x && LAB_NAMESPACES+=(rbe-x)
expect "unknown interface inside a namespace" 5 "no interface 'rbnosuch0' in network namespace rbe-x" --netns rbe-x -i rbnosuch0
# The kernel lacks something: 4.
expect "missing BTF" 4 "no kernel BTF at /nonexistent/vmlinux" --btf /nonexistent/vmlinux
head -c 4096 /dev/urandom >"$LAB_DIR/corrupt.btf"
expect "corrupt BTF file" 4 "BTF at $LAB_DIR/corrupt.btf" --btf "$LAB_DIR/corrupt.btf"
check "corrupt BTF file: the reason is words, not libbpf's internal error number" \
	bash -c "! grep -q 'Unknown error' '$LAB_DIR/err'"

# Privileges: 3.
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
# Root, but with every capability dropped (bounding set empty).
RUNAS="setpriv --inh-caps=-all --bounding-set=-all --"
expect "root without capabilities" 3 "needs root" -t 1
# CAP_BPF and CAP_PERFMON suffice to trace, but entering a namespace for
# -i with --netns needs CAP_SYS_ADMIN (README, Requirements): an interface
# that exists there must not be called unknown.
RUNAS="setpriv --inh-caps=-all --bounding-set=-all,+bpf,+perfmon --"
expect "-i in --netns without CAP_SYS_ADMIN" 3 "CAP_SYS_ADMIN" --netns rbe-x -i lo -t 1
RUNAS=

"$PKTPATH" --help >"$LAB_DIR/help" 2>&1
check "--help exits 0 with examples" bash -c "[ $? -eq 0 ] && grep -q Examples '$LAB_DIR/help'"
check "--help documents the exit statuses" grep -q '5 unknown interface or namespace' "$LAB_DIR/help"
"$PKTPATH" --version >"$LAB_DIR/ver" 2>&1
check "--version prints the version" grep -qE '^pktpath [0-9]+\.[0-9]+' "$LAB_DIR/ver"

# Issue 18. Filter words the translation cannot run are refused with the
# user's own words (they used to compile into a load past the packet that
# never matched: even 'not inbound' matched nothing).
# ('inbound or outbound' is every packet: libpcap folds it to "accept".)
expect "inbound" 2 "'inbound' is not supported" inbound -t 1
expect "not outbound" 2 "'outbound' is not supported" not outbound -t 1
expect "inbound and udp" 2 "'inbound' is not supported" inbound and udp -t 1
expect "ifindex" 2 "'ifindex' is not supported" ifindex 3 -t 1

# What the user typed is escaped and shortened when echoed.
esc=$(printf '\033[2J')
expect "escape bytes in the expression" 2 'host \\x1b\[2J' "host $esc" -t 1
check "escape bytes in the expression: no raw escape byte on stderr" bash -c "! grep -q \$'\\033' '$LAB_DIR/err'"
expect "escape bytes in an interface name" 5 "no interface 'a\\\\x1b" -i "a${esc:0:1}b"
expect "escape bytes in a namespace name" 5 "unknown network namespace 'n\\\\x1b" -n "n${esc:0:1}x"
expect "10,000 parentheses" 2 "bytes in all" "$(printf '(%.0s' $(seq 1 10000))" -t 1
check "10,000 parentheses: the line stays short ($(wc -c <"$LAB_DIR/err") bytes)" [ "$(wc -c <"$LAB_DIR/err")" -lt 600 ]

# Options after the expression, as tcpdump users type them.
timeout 20 "$PKTPATH" udp -t 0.5 --netns rbe-x >"$LAB_DIR/out" 2>"$LAB_DIR/err"
rc=$?
check "options after the expression (pktpath udp -t 0.5 --netns NS): exit 0 (got $rc)" [ $rc -eq 0 ]
check "options after the expression: it traced" grep -q 'pktpath: ready' "$LAB_DIR/err"

# Paths are checked before anything can block on them (timeout 124 = hung).
mkfifo "$LAB_DIR/fifo"
expect_soon() { # like expect, but a hang is a failure of its own
	local what=$1 want=$2 pat=$3
	shift 3
	timeout 15 "$PKTPATH" "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
	local rc=$?
	check "$what: does not hang, exit status $want (got $rc)" [ $rc -eq "$want" ]
	check "$what: one line on stderr" [ "$(grep -vc -e '^backend:' -e '^pktpath: ready' -e '^pktpath: [0-9]* events' "$LAB_DIR/err")" -eq 1 ]
	check "$what: says '$pat'" grep -q -- "$pat" "$LAB_DIR/err"
	check "$what: nothing left attached" [ -z "$(pp_orphans)" ]
}
expect_soon "-n FIFO" 5 "is not a network namespace" -n "$LAB_DIR/fifo" -t 1
expect_soon "-r FIFO" 7 "not a regular file" -r "$LAB_DIR/fifo"
expect_soon "--btf FIFO" 4 "is a FIFO, not a regular file" --btf "$LAB_DIR/fifo" -t 1
expect_soon "-w FIFO without a reader" 1 "a FIFO with no reader" -w "$LAB_DIR/fifo" --netns rbe-x -t 1
expect_soon "--record FIFO without a reader" 1 "a FIFO with no reader" --record "$LAB_DIR/fifo" --netns rbe-x -t 1

# -w and --record naming one file: refused before anything is written,
# also through another spelling of the path and through a hard link.
echo keep >"$LAB_DIR/same"
ln "$LAB_DIR/same" "$LAB_DIR/same.link"
expect "-w X --record X" 2 "name the same file" -w "$LAB_DIR/same" --record "$LAB_DIR/same" -t 1
expect "-w X --record ./X" 2 "name the same file" -w "$LAB_DIR/same" --record "$LAB_DIR/../$(basename "$LAB_DIR")/same" -t 1
expect "-w X --record a hard link to X" 2 "name the same file" -w "$LAB_DIR/same" --record "$LAB_DIR/same.link" -t 1
expect "-w X --record X, X not there yet" 2 "name the same file" -w "$LAB_DIR/new" --record "$LAB_DIR/new" -t 1
check "-w X --record X: X is untouched" [ "$(cat "$LAB_DIR/same")" = keep ]
expect "-r X -w X" 2 "name the same file" -r "$LAB_DIR/same" -w "$LAB_DIR/same.link"
check "-r X -w X: X is untouched" [ "$(cat "$LAB_DIR/same")" = keep ]

# Ctrl-C while the programs load: the documented status 0, nothing left.
# (A background job of a script starts with SIGINT ignored: env gives it
# back its default, as a terminal's Ctrl-C would find it. -t 8 bounds a run
# that missed the signal; stopping before that is the signal's doing.)
for delay in 0.05 0.2 0.4; do
	env --default-signal=INT "$PKTPATH" --netns rbe-x -t 8 >"$LAB_DIR/out" 2>"$LAB_DIR/err" &
	pid=$!
	sleep $delay
	t0=$(date +%s)
	kill -INT $pid
	wait $pid
	rc=$?
	check "SIGINT $delay s after start: exit status 0 (got $rc)" [ $rc -eq 0 ]
	check "SIGINT $delay s after start: stopped by it ($(($(date +%s) - t0)) s)" [ $(($(date +%s) - t0)) -lt 5 ]
	check "SIGINT $delay s after start: nothing left attached" [ -z "$(pp_orphans)" ]
done

# A long expression: libpcap's optimizer takes seconds; pktpath says what
# it is doing, and Ctrl-C stops it at once with status 0.
long="host 198.18.0.1"
for i in $(seq 2 400); do long="$long or host 198.18.$((i / 250)).$((i % 250 + 1))"; done
env --default-signal=INT "$PKTPATH" --dump-filter "$long" >/dev/null 2>"$LAB_DIR/err" &
pid=$!
sleep 3
kill -INT $pid
t0=$(date +%s.%N)
wait $pid
rc=$?
t1=$(date +%s.%N)
check "long expression: says it is still compiling" grep -q 'still compiling the filter' "$LAB_DIR/err"
check "long expression: Ctrl-C stops it with status 0 (got $rc)" [ $rc -eq 0 ]
check "long expression: Ctrl-C stops it at once ($(echo "$t1 - $t0" | bc) s)" [ "$(echo "$t1 - $t0 < 1" | bc)" -eq 1 ]

# Outputs without a run (--help, --version, --dump-filter, --list-probes)
# on a failed stdout: one line, exit 1; on a closed pipe: a quiet 0.
for args in --help --version "--dump-filter udp" --list-probes; do
	"$PKTPATH" $args >/dev/full 2>"$LAB_DIR/err"
	rc=$?
	check "$args >/dev/full: exit status 1 (got $rc)" [ $rc -eq 1 ]
	check "$args >/dev/full: one line says it" \
		bash -c "[ \$(wc -l <'$LAB_DIR/err') -eq 1 ] && grep -q 'cannot write to standard output: No space left on device' '$LAB_DIR/err'"
	"$PKTPATH" $args 2>"$LAB_DIR/err" | head -c 1 >/dev/null
	rc=${PIPESTATUS[0]}
	check "$args | head -c 1: exit status 0 (got $rc)" [ $rc -eq 0 ]
done
