# The kprobe programs go through this kernel's verifier with expressions
# of every size, with room to spare. This kernel has no kprobes, but it
# loads kprobe programs: PKTPATH_TEST_KPROBES makes pktpath take kprobes as
# present, so its programs are loaded (attaching them then fails, one
# warning a function). A newer verifier than 5.10's or 6.1's: this catches
# a program grown past the limit early; the VM matrix is the proof on
# those kernels. No traffic, no lab.
. "$(dirname "$0")/../lib/check.sh"
dir=$(mktemp -d /tmp/pktpath-verifier.XXXXXX)
trap 'rm -rf "$dir"' EXIT
LIMIT=1000000
ROOM=600000 # no program above 60% of the limit

long="net 198.18.101.0/24"
for i in $(seq 102 116); do long="$long or net 198.18.$i.0/24"; done

n=0
load() { # LABEL ARGS...: pktpath --backend kprobe ARGS loads; every program within ROOM
	local f=$dir/$((n += 1)) what="kprobe $1"
	shift
	PKTPATH_TEST_KPROBES=1 PKTPATH_VERIFIER_STATS=1 timeout 300 "$PKTPATH" -v --backend kprobe -c 1 -t 1 "$@" >"$f.out" 2>"$f.err"
	local rc=$?
	check "$what: loaded and ready (status $rc)" grep -q '^pktpath: ready' "$f.err"
	check "$what: no refusal from the verifier" bash -c "! grep -q 'verifier gave up' '$f.err'"
	# libbpf prints each program's log: "prog 'NAME': -- BEGIN PROG LOAD LOG --"
	# then "processed N insns (limit 1000000) ...".
	awk '/BEGIN PROG LOAD LOG/ { match($0, /prog .[a-z0-9_]+/); p = substr($0, RSTART + 6, RLENGTH - 6) }
	     /^processed [0-9]+ insns/ { print p, $2 }' "$f.err" >"$f.stats"
	local kp big
	kp=$(grep -c '^pp_kp_' "$f.stats")
	big=$(awk -v r=$ROOM '$2 > r' "$f.stats" | tr '\n' ' ')
	check "$what: the kernel's statistics for the kprobe programs ($kp)" [ "$kp" -ge 5 ]
	check "$what: no program above $ROOM of the verifier's $LIMIT instructions (${big:-none}; largest $(sort -k2 -n "$f.stats" | tail -1))" [ -z "$big" ]
}
load "(no expression)"
load udp udp
load "net /20" 'net 198.18.64.0/20'
load "16 networks" "$long"
load "-w, 16 networks" -w "$dir/w.pcapng" "$long"
load "--pid, two ports" --pid 1 'tcp port 80 or udp port 53'
load "--drops icmp" --drops icmp
