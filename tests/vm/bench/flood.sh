#!/bin/bash
# The price of watching inside a VM guest (issue 15): a 64-byte UDP flood
# between two lab namespaces, untraced and under pktpath matching nothing
# ('udp dst port 4') with each backend the guest offers, with and without
# --netns. Not a test of tests/vm/guest/ (make test does not run it): the
# benchmark's guest half, booted by tests/vm/bench/run.sh (make bench).
# Under TCG absolute rates mean nothing; only ratios within one guest do.
#
# Every traced run sits between two untraced ones, and its ratio is its rate
# over the mean of those two: the host's load drifts under an emulated
# guest, and a tracer takes 10-60 s to get ready, so only neighbours compare.
# GB_REPS repetitions (3), each running every contender once, in turn.
# Then GB_STATS_REPS (1) more with kernel.bpf_stats_enabled (it costs time
# itself, so not during the rates): each program's ns and runs per packet
# through the receiving veth (received + sent).
#
# With /usr/bin/pktpath-cmp in the guest (PKTPATH_VM_CMP, tests/vm/initramfs.sh)
# the fentry and kprobe contenders also run that build, alternated with this
# one in the same repetitions: a before/after comparison in one guest.
#
# Settings come from the kernel command line (tests/vm/run.sh
# PKTPATH_VM_APPEND): GB_REPS, GB_SECS (flood length, 2 s), GB_STATS_REPS,
# GB_NETNS (1: the --netns contenders too), GB_NORULES (0; 1: each backend
# also with --no-rules, without pktpath's nftables trace table, to tell
# its price from the backend's), GB_HOLLOW (1; 0: no floor contender:
# fentry with PKTPATH_BENCH_HOLLOW, every fentry program returning at once,
# what attaching to the functions costs by itself), GB_BACKENDS
# (comma-separated, "tracepoint,fentry,kprobe"). On the host (tracepoint only, as a check of
# the script): GB_KEEP=1 keeps the scratch files in /tmp/gb-keep.
# Prints, besides PASS/FAIL lines for what must work (each tracer got ready,
# on the backend asked for, and exited 0 having produced nothing):
#   BENCH run REP CONTENDER PKT_PER_S     every flood, in order (untraced: "base")
#   BENCH prog CONTENDER PROGRAM NS_PER_PKT RUNS_PER_PKT   (per stats repetition)
#   BENCH info KEY VALUE...
# which tests/vm/run.sh collects (build/vm/bench.txt) and
# tests/vm/bench/report.sh turns into the benchmark's table.
set -u
cd "$(dirname "$0")/../../.."
. tests/lib/lab.sh
. tests/lib/check.sh
. tests/lib/bpf_stats.sh
PKTPATH=${PKTPATH:-$(command -v pktpath)}
NEW=$PKTPATH
CMP=$(command -v pktpath-cmp)
FLOOD=$(command -v udpflood || echo "$PWD/build/tools/udpflood")
REPS=${GB_REPS:-3}
SECS=${GB_SECS:-2}
STATS_REPS=${GB_STATS_REPS:-1}
IFS=, read -ra BACKENDS <<<"${GB_BACKENDS:-tracepoint,fentry,kprobe}"
export PP_START_TRIES=1200 # kprobe with a filter once took 60 s to verify on 6.12
NOMATCH='udp dst port 4'

trap 'bpf_stats_restore; [ -n "${GB_KEEP:-}" ] && cp -r "$LAB_DIR" /tmp/gb-keep; lab_down' EXIT
lab_up gb 95 || { fail "bench: lab set-up"; exit 1; }

# Contenders: BACKEND[-netns|-norules][-cmp].
contenders=()
for b in "${BACKENDS[@]}"; do
	contenders+=("$b")
	[ -n "$CMP" ] && [ "$b" != tracepoint ] && contenders+=("$b-cmp")
	[ "${GB_HOLLOW:-1}" = 1 ] && [ "$b" = fentry ] && contenders+=("$b-hollow")
done
if [ "${GB_NETNS:-1}" = 1 ]; then
	for b in "${BACKENDS[@]}"; do
		contenders+=("$b-netns")
	done
fi
if [ "${GB_NORULES:-0}" = 1 ]; then
	for b in "${BACKENDS[@]}"; do
		contenders+=("$b-norules")
		[ -n "$CMP" ] && [ "$b" != tracepoint ] && contenders+=("$b-norules-cmp")
	done
fi
echo "BENCH info release $(uname -r)"
echo "BENCH info reps $REPS secs $SECS stats_reps $STATS_REPS"
echo "BENCH info contenders ${contenders[*]}"
[ -n "$CMP" ] && echo "BENCH info cmp $("$CMP" --version 2>&1 | head -n 1)"
echo "BENCH info new $("$NEW" --version 2>&1 | head -n 1)"

flood() { # packets/s the sender achieved, or -
	local v
	v=$(ip netns exec gb-a "$FLOOD" 198.18.95.2 9 100000000 "$SECS" | awk '/^sent/ && $4 > 0 {printf "%.0f\n", $2 / $4}')
	echo "${v:--}"
}
veth_pkts() { # packets through the receiving veth so far (both directions)
	ip netns exec gb-b cat /sys/class/net/veth-b/statistics/rx_packets /sys/class/net/veth-b/statistics/tx_packets 2>/dev/null |
		awk '{n += $1} END {print n + 0}'
}

# fentry programs are slots (pp_fe_N): the kernel function each serves, from
# its link's fdinfo (target BTF object and id) and that BTF's listing, as
# "prog_id function" lines.
link_funcs() { # PID
	local links=$LAB_DIR/links o
	awk '/^link_type:/ {t = $2} /^prog_id:/ {p = $2} /^target_obj_id:/ {o = $2}
	     /^target_btf_id:/ && t == "tracing" {print p, o, $2}' /proc/"$1"/fdinfo/* 2>/dev/null >"$links"
	for o in $(awk '{print $2}' "$links" | sort -u); do
		bpftool btf dump id "$o" format raw 2>/dev/null |
			awk -v o="$o" 'FILENAME == ARGV[1] {if ($2 == o) want["[" $3 "]"] = $1; next}
			     $2 == "FUNC" && ($1 in want) {n = $3; gsub(/\047/, "", n); print want[$1], n}' "$links" -
	done
}
named() { # FUNCS SNAPSHOT: the snapshot, slot programs named with their function
	awk 'FILENAME == ARGV[1] {f[$1] = $2; next} {if ($1 in f) $2 = $2 ":" f[$1]; print}' "$1" "$2"
}

declare -A checked=()
# traced CONTENDER: pktpath started as the contender says, one flood, stopped.
# Sets RATE (or -). With STATS set, writes the programs' cost per
# packet to $LAB_DIR/CONTENDER.cost.
STATS=
traced() {
	local c=$1 b=${1%%-*} bin=$NEW args=(--stream) out p0 p1 hollow=
	[[ $c == *-cmp ]] && bin=$CMP
	[[ $c == *-hollow ]] && hollow=1
	[[ $c == *-netns* ]] && args+=(--netns gb-b)
	[[ $c == *-norules* ]] && args+=(--no-rules)
	out=$LAB_DIR/$c
	if ! PKTPATH=$bin PKTPATH_BENCH_HOLLOW=$hollow pp_start "$out" --backend "$b" "${args[@]}" "$NOMATCH"; then
		fail "bench: $c: pktpath got ready: $(tail -n 1 "$out.err")"
		pp_stop
		RATE=-
		return
	fi
	if [ -n "$STATS" ]; then
		bpf_stats_snap "$PP_PID" >"$out.s0"
		p0=$(veth_pkts)
	fi
	RATE=$(flood)
	if [ -n "$STATS" ]; then
		bpf_stats_snap "$PP_PID" >"$out.s1"
		p1=$(veth_pkts)
		link_funcs "$PP_PID" >"$out.funcs"
		named "$out.funcs" "$out.s0" >"$out.n0"
		named "$out.funcs" "$out.s1" >"$out.n1"
		if [ "$p1" -gt "$p0" ]; then
			bpf_stats_cost "$out.n0" "$out.n1" $((p1 - p0)) >"$out.cost"
		else
			: >"$out.cost"
		fi
	fi
	pp_stop
	# Once per contender: it ran as asked and what it reported adds up.
	if [ -z "${checked[$c]:-}" ]; then
		checked[$c]=1
		check "bench: $c: backend $b, exit status 0" bash -c "[ $PP_RC -eq 0 ] && grep -q '^backend: $b' '$out.err'"
		check "bench: $c: nothing matched, nothing produced ($(grep -E '^pktpath: [0-9]+ events' "$out.err"))" \
			grep -qE '^pktpath: 0 events.*, 0 lost, 0 produced$' "$out.err"
		# What pktpath said at start besides "ready" (its nftables table:
		# selective or tracing every packet), for the report.
		[ -n "$hollow" ] && check "bench: $c: pktpath said its programs are hollow" grep -q 'PKTPATH_BENCH_HOLLOW is set' "$out.err"
		grep -vE '^(backend:|pktpath: ready|pktpath: [0-9]+ events|pktpath: warning: PKTPATH_BENCH_HOLLOW)' "$out.err" | head -n 3 | cut -c 1-300 |
			sed "s/^/BENCH info said $c /"
	fi
}

for rep in $(seq 1 "$REPS"); do
	for c in "${contenders[@]}"; do
		v=$(flood)
		echo "BENCH run $rep base $v"
		traced "$c"
		echo "BENCH run $rep $c $RATE"
	done
done
v=$(flood)
echo "BENCH run $REPS base $v"

if [ "$STATS_REPS" -gt 0 ]; then
	if bpf_stats_on; then
		STATS=1
		for rep in $(seq 1 "$STATS_REPS"); do
			for c in "${contenders[@]}"; do
				[[ $c == *-netns* ]] && continue # the common invocation only: time is short under TCG
				traced "$c"
				[ -s "$LAB_DIR/$c.cost" ] || continue
				while read -r name ns runs; do
					echo "BENCH prog $c $name $ns $runs"
				done <"$LAB_DIR/$c.cost"
			done
		done
		STATS=
		bpf_stats_restore
	else
		echo "BENCH info stats none (kernel.bpf_stats_enabled cannot be set)"
	fi
fi
pass "bench: $REPS repetitions of ${#contenders[@]} contenders measured"
