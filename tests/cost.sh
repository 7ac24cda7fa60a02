#!/bin/bash
# The in-kernel price of watching, exactly: ns of pktpath's BPF programs per
# packet of a bounded 64-byte UDP flood between two lab namespaces, from the
# kernel's run-time statistics (tests/lib/bpf_stats.sh). Unlike make bench's
# throughput ratios this does not need a quiet machine.
#   tests/cost.sh [CONFIG...]   configs: nomatch-netns nomatch match-netns match-netns-nostack (default: the first two)
# Env: REPS (3), PKTS (100000 datagrams, at most 5 s each), PKTPATH, ARGS
# (more pktpath options: --ringbuf 256M keeps a matching flood from losing
# events, whose cost differs from a delivered one's), and
# CMP=OTHER_PKTPATH to compare two builds, alternated within each repetition
# (the machine's load drifts: only runs close in time compare well).
# Prints per config, build and repetition the total ns/packet, then each
# program's ns/packet (median, and minimum: the least disturbed run) and
# runs/packet. Run under
# flock /tmp/pktpath-e2e.lock.
set -u
cd "$(dirname "$0")/.."
. tests/lib/lab.sh
. tests/lib/bpf_stats.sh
PKTPATH=${PKTPATH:-$PWD/build/pktpath}
TOOLS=$PWD/build/tools
REPS=${REPS:-3}
PKTS=${PKTS:-100000}
configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(nomatch-netns nomatch)

trap 'bpf_stats_restore; lab_down' EXIT
lab_up ppk 33 || { echo "cost: lab setup failed" >&2; exit 1; }
bpf_stats_on || { echo "cost: cannot enable kernel.bpf_stats_enabled" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {if (!NR) print "-"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

builds=("$PKTPATH")
[ -n "${CMP:-}" ] && builds+=("$CMP")
run() { # config build repetition: one traced flood
	local cfg=$1 bin=$2 rep=$3 tag=$1 args pp sent
	[ -n "${CMP:-}" ] && tag="$1 $([ "$bin" = "$CMP" ] && echo cmp || echo new)"
	case $cfg in
	nomatch-netns) args=(--netns ppk-b --stream 'udp dst port 4') ;;
	nomatch) args=(--stream 'udp dst port 4') ;;
	match-netns) args=(--netns ppk-b --stream 'udp dst port 9') ;;
	match-netns-nostack) args=(--netns ppk-b --stream --no-stack 'udp dst port 9') ;;
	*) echo "cost: unknown config $cfg" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	"$bin" ${ARGS:-} "${args[@]}" >/dev/null 2>"$LAB_DIR/pp.err" &
	pp=$!
	for _ in $(seq 1 150); do grep -q 'pktpath: ready' "$LAB_DIR/pp.err" && break; sleep 0.1; done
	if ! grep -q 'pktpath: ready' "$LAB_DIR/pp.err"; then
		echo "cost: pktpath did not get ready: $(tail -n 2 "$LAB_DIR/pp.err")" >&2
		kill -INT $pp; wait $pp; exit 1
	fi
	bpf_stats_snap $pp >"$LAB_DIR/a"
	sent=$(ip netns exec ppk-a "$TOOLS/udpflood" 198.18.33.2 9 "$PKTS" 5 | awk '/^sent/ {print $2}')
	bpf_stats_snap $pp >"$LAB_DIR/b"
	kill -INT $pp
	wait $pp
	bpf_stats_cost "$LAB_DIR/a" "$LAB_DIR/b" "${sent:-0}" >"$LAB_DIR/c"
	echo "$tag rep $rep: $(awk '$1 == "total" {print $2 " ns/packet, " $3 " program runs/packet"}' "$LAB_DIR/c") ($sent packets; $(grep -E '^pktpath: [0-9]+ events' "$LAB_DIR/pp.err"))"
	if ! awk '$1 == "total" && $3 > 0 {ok = 1} END {exit !ok}' "$LAB_DIR/c"; then
		echo "cost: $tag rep $rep: no program of pktpath ran (not counted); its stderr:" >&2
		sed 's/^/  /' "$LAB_DIR/pp.err" >&2
		return
	fi
	cat "$LAB_DIR/c" >>"$LAB_DIR/prog.${tag// /.}"
}

for rep in $(seq 1 "$REPS"); do
	for cfg in "${configs[@]}"; do
		for bin in "${builds[@]}"; do
			run "$cfg" "$bin" "$rep"
		done
	done
done
for f in "$LAB_DIR"/prog.*; do
	echo "${f##*/prog.}, of $REPS (program, ns/packet median and minimum, runs/packet median):"
	for p in $(awk '{print $1}' "$f" | sort -u); do
		printf '  %-16s %8s %8s %6s\n' "$p" "$(awk -v p="$p" '$1 == p {print $2}' "$f" | median)" \
			"$(awk -v p="$p" '$1 == p {print $2}' "$f" | sort -g | head -1)" \
			"$(awk -v p="$p" '$1 == p {print $3}' "$f" | median)"
	done
done
