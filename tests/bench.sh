#!/bin/bash
# make bench: the price of tracing, side by side, in one run on one lab.
# Workload: a 64-byte UDP flood between two namespaces (veth) for a fixed
# time; figure: packets/s the sender achieves (veth receive work runs on the
# sender's CPU, so tracing cost on either side shows up here), as a ratio to
# no tracing. Contenders alternate within each repetition so drift in the
# machine hits all of them alike. Report: build/bench/report.md.
set -u
cd "$(dirname "$0")/.."
. tests/lib/lab.sh
PKTPATH=$PWD/build/pktpath
FLOOD=$PWD/build/tools/udpflood
REPS=${REPS:-5}
SECS=${SECS:-3}
out=build/bench
mkdir -p "$out"
report=$out/report.md

lab_up ppb 30 || { echo "bench: lab setup failed" >&2; exit 1; }
MATCH='udp dst port 9'
NOMATCH='udp dst port 4'

flood() { # prints packets/s
	ip netns exec ppb-a "$FLOOD" 198.18.30.2 9 100000000 "$SECS" |
		awk '/^sent/ {printf "%.0f\n", $2 / $4}'
}
wait_ready() { # file
	for _ in $(seq 1 100); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
run_pktpath() { # name, args...
	local name=$1
	shift
	"$PKTPATH" "$@" >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err" &
	local pp=$!
	wait_ready "$LAB_DIR/$name.err"
	local pps
	pps=$(flood)
	kill -INT $pp
	wait $pp
	echo "$pps"
	sed -nE 's/^pktpath: ([0-9]+) events.*, ([0-9]+) lost, ([0-9]+) produced$/\1 \2 \3/p' "$LAB_DIR/$name.err" >"$LAB_DIR/$name.counts"
}
run_tcpdump() { # args...
	ip netns exec ppb-b tcpdump -i veth-b -n -w "$LAB_DIR/tcpdump.pcap" "$@" 2>"$LAB_DIR/tcpdump.err" &
	local td=$!
	for _ in $(seq 1 100); do grep -q listening "$LAB_DIR/tcpdump.err" && break; sleep 0.05; done
	flood
	kill -INT $td
	wait $td
}

contenders=(baseline tcpdump-nomatch tcpdump-match pktpath-nomatch pktpath-stream pktpath-timeline)
declare -A res counts
for rep in $(seq 1 "$REPS"); do
	for c in "${contenders[@]}"; do
		case $c in
		baseline) v=$(flood) ;;
		tcpdump-nomatch) v=$(run_tcpdump "$NOMATCH") ;;
		tcpdump-match) v=$(run_tcpdump "$MATCH") ;;
		pktpath-nomatch) v=$(run_pktpath "$c" --stream --netns ppb-b "$NOMATCH") ;;
		pktpath-stream) v=$(run_pktpath "$c" --stream --netns ppb-b "$MATCH") ;;
		pktpath-timeline) v=$(run_pktpath "$c" --netns ppb-b "$MATCH") ;;
		esac
		res[$c]+="$v "
		[ -f "$LAB_DIR/$c.counts" ] && counts[$c]+="$(cat "$LAB_DIR/$c.counts");"
		echo "rep $rep $c: $v pkt/s" >&2
	done
done

# Time to "ready" and from SIGINT to exit (tracepoint backend), 5 runs.
ready=() stop=()
for _ in 1 2 3 4 5; do
	t0=$(date +%s%N)
	"$PKTPATH" --netns ppb-b >/dev/null 2>"$LAB_DIR/rt.err" &
	pp=$!
	wait_ready "$LAB_DIR/rt.err"
	t1=$(date +%s%N)
	kill -INT $pp
	wait $pp
	t2=$(date +%s%N)
	ready+=($(((t1 - t0) / 1000000)))
	stop+=($(((t2 - t1) / 1000000)))
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { tr ' ' '\n' | grep . | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {print lo "–" hi}'; }
base=$(median <<<"${res[baseline]}")
{
	echo "# pktpath benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r), backend tracepoint."
	echo "64-byte UDP flood between two namespaces over veth, ${SECS} s per run, $REPS repetitions,"
	echo "contenders alternated in each repetition. Filter that matches: \`$MATCH\`; that matches nothing: \`$NOMATCH\`."
	echo
	echo "| contender | median pkt/s | range | ratio to baseline |"
	echo "|---|---:|---|---:|"
	for c in "${contenders[@]}"; do
		m=$(median <<<"${res[$c]}")
		printf '| %s | %s | %s | %.2f |\n' "$c" "$m" "$(spread <<<"${res[$c]}")" "$(echo "$m $base" | awk '{print $1/$2}')"
	done
	echo
	echo "pktpath's own accounting per run (delivered, lost, produced; delivered + lost must equal produced):"
	echo
	for c in pktpath-nomatch pktpath-stream pktpath-timeline; do
		echo "- $c: $(tr ';' '\n' <<<"${counts[$c]:-}" | grep . | awk '{ok = ($1 + $2 == $3) ? "adds up" : "DOES NOT ADD UP"; printf "%s/%s/%s (%s); ", $1, $2, $3, ok}')"
	done
	echo
	echo "Start to \"ready\": median $(echo "${ready[*]}" | median) ms; SIGINT to exit: median $(echo "${stop[*]}" | median) ms (5 runs each)."
	echo
	echo "Targets (issue 7): filter matching nothing >= 0.95 x baseline; tracing every packet >= 0.5 x baseline"
	echo "with delivered + lost = produced; ready < 500 ms. Not measured yet: bpftrace (not installed),"
	echo "TCP throughput, CPU time and RSS, replay decode rate (no recording format yet)."
} >"$report"
cat "$report"
