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
