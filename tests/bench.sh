#!/bin/bash
# make bench: the price of tracing, side by side, in one run on one lab.
# Workloads, each for a fixed time inside the lab (two namespaces, veth):
#   udp  64-byte UDP flood, figure packets/s the sender achieves (veth
#        receive work runs on the sender's CPU, so tracing cost on either
#        side shows up here);
#   tcp  one bulk TCP stream (64 KiB writes), figure MB/s delivered.
# Contenders alternate within each repetition so drift in the machine hits
# all alike: no tracing; tcpdump on the receiving veth (filter matching
# nothing / matching, writing a pcap); bpftrace on the same four tracepoints
# with the same selection by hand (tests/bench.bt; nothing / matching);
# pktpath in the receiving namespace (matching nothing; matching, --stream
# and timelines, output to a file; matching nothing also without --netns,
# the common invocation, with netfilter programs in every namespace). For
# each tracer process: CPU time during the workload and peak RSS. pktpath:
# delivered/lost/produced, start to "ready", SIGINT to exit. Then, in
# STATS_REPS more repetitions with kernel.bpf_stats_enabled (which costs
# time itself, so not during the throughput runs): each BPF tracer's
# programs' run time per packet on the receiving veth (rx + tx), in total
# and per program (tests/lib/bpf_stats.sh). Last, the fentry and kprobe
# backends in a 6.12 VM guest (tests/vm/bench/). Report:
# build/bench/report.md and ratios.png.
set -u
cd "$(dirname "$0")/.."
. tests/lib/lab.sh
. tests/lib/bpf_stats.sh
PKTPATH=$PWD/build/pktpath
TOOLS=$PWD/build/tools
REPS=${REPS:-5}
SECS=${SECS:-3}
STATS_REPS=${STATS_REPS:-3}
out=build/bench
mkdir -p "$out"
report=$out/report.md

# bpftrace reads tracepoint formats from tracefs.
mounted_tracefs=
if command -v bpftrace >/dev/null && [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null && mounted_tracefs=1
fi
have_bpftrace=
command -v bpftrace >/dev/null && [ -e /sys/kernel/tracing/events ] && have_bpftrace=1
cleanup() {
	bpf_stats_restore
	lab_down
	[ -n "$mounted_tracefs" ] && umount /sys/kernel/tracing 2>/dev/null
}
trap cleanup EXIT

lab_up ppb 30 || { echo "bench: lab setup failed" >&2; exit 1; }
NSINO=$(stat -Lc %i /run/netns/ppb-b)
declare -A MATCH=([udp]='udp dst port 9' [tcp]='tcp port 5001')
declare -A NOMATCH=([udp]='udp dst port 4' [tcp]='tcp port 4')
declare -A BT_MATCH=([udp]='17 9' [tcp]='6 5001')
declare -A BT_NOMATCH=([udp]='17 4' [tcp]='6 4')
declare -A UNIT=([udp]='pkt/s' [tcp]='MB/s')

work() { # udp|tcp: runs the workload, prints its figure
	case $1 in
	udp)
		ip netns exec ppb-a "$TOOLS/udpflood" 198.18.30.2 9 100000000 "$SECS" |
			awk '/^sent/ {printf "%.0f\n", $2 / $4}'
		;;
	tcp)
		ip netns exec ppb-b "$TOOLS/tcpstream" server 5001 >"$LAB_DIR/srv.out" &
		local srv=$!
		for _ in $(seq 1 200); do grep -q listening "$LAB_DIR/srv.out" 2>/dev/null && break; sleep 0.05; done
		ip netns exec ppb-a "$TOOLS/tcpstream" client 198.18.30.2 5001 "$SECS" |
			awk '/^sent/ {printf "%.1f\n", $2 / $4 / 1e6}'
		wait $srv
		;;
	esac
}
wait_for() { # file, pattern (empty: the file exists), tenths of a second
	for _ in $(seq 1 "$3"); do
		if [ -z "$2" ]; then [ -e "$1" ] && return 0; else grep -q "$2" "$1" 2>/dev/null && return 0; fi
		sleep 0.1
	done
	return 1
}
veth_pkts() { # packets through the receiving veth so far (both directions)
	ip netns exec ppb-b cat /sys/class/net/veth-b/statistics/rx_packets /sys/class/net/veth-b/statistics/tx_packets |
		awk '{n += $1} END {print n}'
}
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat 2>/dev/null || echo 0; }
hwm_kb() { sed -nE 's/^VmHWM:[[:space:]]*([0-9]+) kB$/\1/p' /proc/"$1"/status 2>/dev/null; }
TCK=$(getconf CLK_TCK)

# traced NAME READYFILE PATTERN CMD...: starts the tracer, waits for it to be
# ready, runs the workload, stops it with SIGINT (restored to its default
# action: background jobs of a script start with it ignored). Prints
# "figure cpu_s rss_kb ready_ms". With STATS=1 (bpf_stats on) it also
# writes the tracer's BPF run time per packet to $LAB_DIR/NAME.cost.
STATS=
traced() {
	local name=$1 readyfile=$2 pat=$3 wl=$4 t0
	shift 4
	rm -f "$readyfile" # a file left by the previous run would say "ready" at once
	t0=$(date +%s%N)
	env --default-signal=INT "$@" >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err" &
	local pid=$!
	if ! wait_for "$readyfile" "$pat" 600; then
		echo "bench: $name did not get ready: $(tail -n 2 "$LAB_DIR/$name.err")" >&2
		kill -INT $pid 2>/dev/null
		wait $pid
		echo "- - - -"
		return
	fi
	local c0 v c1 rss p0 p1 ready_ms=$((($(date +%s%N) - t0) / 1000000))
	if [ -n "$STATS" ]; then
		bpf_stats_snap $pid >"$LAB_DIR/$name.s0"
		p0=$(veth_pkts)
	fi
	c0=$(cpu_ticks $pid)
	v=$(work "$wl")
	c1=$(cpu_ticks $pid)
	if [ -n "$STATS" ]; then
		bpf_stats_snap $pid >"$LAB_DIR/$name.s1"
		p1=$(veth_pkts)
		if [ -s "$LAB_DIR/$name.s0" ] && [ "$p1" -gt "$p0" ]; then
			bpf_stats_cost "$LAB_DIR/$name.s0" "$LAB_DIR/$name.s1" $((p1 - p0)) >"$LAB_DIR/$name.cost"
		else
			: >"$LAB_DIR/$name.cost"
		fi
	fi
	rss=$(hwm_kb $pid)
	v=${v:--} # a workload that failed (said on stderr) leaves no figure
	kill -INT $pid
	wait $pid
	echo "$v $(awk -v a="$c0" -v b="$c1" -v t="$TCK" 'BEGIN {printf "%.2f", (b - a) / t}') ${rss:--} $ready_ms"
}

contenders=(baseline tcpdump-nomatch tcpdump-match)
[ -n "$have_bpftrace" ] && contenders+=(bpftrace-nomatch bpftrace-match)
contenders+=(pktpath-nomatch pktpath-nomatch-all pktpath-stream pktpath-timeline)
declare -A res cpu rss rdy counts bt nsp
# contend CONTENDER WORKLOAD: one run, prints "figure cpu_s rss_kb ready_ms".
contend() {
	local c=$1 wl=$2 f a args
	case $c in
	baseline) echo "$(work "$wl") - - -" ;;
	tcpdump-*)
		[ "$c" = tcpdump-match ] && f=${MATCH[$wl]} || f=${NOMATCH[$wl]}
		traced "$c" "$LAB_DIR/$c.err" listening "$wl" \
			ip netns exec ppb-b tcpdump -i veth-b -n -s 96 -w "$LAB_DIR/tcpdump.pcap" "$f"
		rm -f "$LAB_DIR/tcpdump.pcap" ;;
	bpftrace-*)
		[ "$c" = bpftrace-match ] && a=${BT_MATCH[$wl]} || a=${BT_NOMATCH[$wl]}
		rm -f "$LAB_DIR/$c.ready"
		# shellcheck disable=SC2086
		traced "$c" "$LAB_DIR/$c.ready" "" "$wl" \
			bpftrace --unsafe -o "$LAB_DIR/$c.bt" tests/bench.bt "$NSINO" $a "$LAB_DIR/$c.ready" ;;
	pktpath-*)
		args=(--netns ppb-b)
		case $c in
		pktpath-nomatch) args+=(--stream "${NOMATCH[$wl]}") ;;
		pktpath-nomatch-all) args=(--stream "${NOMATCH[$wl]}") ;; # every namespace
		pktpath-stream) args+=(--stream "${MATCH[$wl]}") ;;
		pktpath-timeline) args+=("${MATCH[$wl]}") ;;
		esac
		traced "$c" "$LAB_DIR/$c.err" 'pktpath: ready' "$wl" "$PKTPATH" "${args[@]}" ;;
	esac
}
for rep in $(seq 1 "$REPS"); do
	for wl in udp tcp; do
		for c in "${contenders[@]}"; do
			r=$(contend "$c" "$wl")
			case $c in
			bpftrace-*) bt[$wl:$c]+="$(grep -c '^[0-9]' "$LAB_DIR/$c.bt") $(awk '/^Lost/ {n += $2} END {print n + 0}' "$LAB_DIR/$c.bt");" ;;
			pktpath-*) counts[$wl:$c]+="$(sed -nE 's/^pktpath: ([0-9]+) events.*, ([0-9]+) lost, ([0-9]+) produced$/\1 \2 \3/p' "$LAB_DIR/$c.err");" ;;
			esac
			read -r v cs rk rm <<<"$r"
			res[$wl:$c]+="$v " cpu[$wl:$c]+="$cs " rss[$wl:$c]+="$rk " rdy[$wl:$c]+="$rm "
			echo "rep $rep $wl $c: $v ${UNIT[$wl]} (tracer CPU ${cs} s, peak RSS ${rk} kB, ready after ${rm} ms)" >&2
		done
	done
done

# The BPF tracers' in-kernel price, exactly: program run time per packet
# (separate runs: the statistics slow every program down a little).
bpf_stats_on || echo "bench: cannot enable kernel.bpf_stats_enabled: no ns/packet column" >&2
: >"$LAB_DIR/progs"
if [ -n "$BPF_STATS_OLD" ]; then
	STATS=1
	for rep in $(seq 1 "$STATS_REPS"); do
		for wl in udp tcp; do
			for c in "${contenders[@]}"; do
				case $c in bpftrace-* | pktpath-*) ;; *) continue ;; esac
				contend "$c" "$wl" >/dev/null
				t=$(awk '$1 == "total" {print $2}' "$LAB_DIR/$c.cost")
				nsp[$wl:$c]+="${t:--} "
				awk -v k="$wl $c" '$1 != "total" {print k, $1, $2, $3}' "$LAB_DIR/$c.cost" >>"$LAB_DIR/progs"
				echo "stats rep $rep $wl $c: ${t:--} ns of BPF per packet" >&2
			done
		done
	done
	STATS=
	bpf_stats_restore
fi

# Time to "ready" and from SIGINT to exit (tracepoint backend: the only one
# this kernel offers), 5 runs.
ready=() stop=()
for _ in 1 2 3 4 5; do
	rm -f "$LAB_DIR/rt.err"
	t0=$(date +%s%N)
	"$PKTPATH" --netns ppb-b >/dev/null 2>"$LAB_DIR/rt.err" &
	pp=$!
	wait_for "$LAB_DIR/rt.err" ready 100
	t1=$(date +%s%N)
	kill -INT $pp
	wait $pp
	t2=$(date +%s%N)
	ready+=($(((t1 - t0) / 1000000)))
	stop+=($(((t2 - t1) / 1000000)))
done

median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk '{a[NR]=$1} END {if (!NR) print "-"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print (NR ? lo "–" hi : "-")}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }
rm -f "$out/ratios.dat"

# Replay decode rate: record a traced flood (timelines), then read it back
# with -r, output to /dev/null, timelines and --stream.
rec=$LAB_DIR/replay.rec
"$PKTPATH" -n ppb-b --record "$rec" --ringbuf 64M "${MATCH[udp]}" >/dev/null 2>"$LAB_DIR/rec.err" &
rp=$!
wait_for "$LAB_DIR/rec.err" "pktpath: ready" 100
ip netns exec ppb-a "$TOOLS/udpflood" 198.18.30.2 9 100000000 $((2 * SECS)) >/dev/null
kill -INT $rp
wait $rp
rec_events=$(sed -nE 's/^pktpath: ([0-9]+) events.*/\1/p' "$LAB_DIR/rec.err")
replay_rate() { # extra options: events per second replayed
	local t0 t1
	t0=$(date +%s.%N)
	"$PKTPATH" -r "$rec" "$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v n="${rec_events:-0}" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}'
}
replay_tl=$(replay_rate)
replay_st=$(replay_rate --stream)

{
	echo "# pktpath benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), backend tracepoint."
	echo "$REPS repetitions of ${SECS} s per workload and contender, contenders alternated in each repetition;"
	echo "anything else running on the machine adds noise: compare the ranges."
	echo "Tracer CPU: user + system time of the tracer's own process during the workload (the BPF programs'"
	echo "time in the kernel shows in the workload's figure, not here); RSS: its peak (VmHWM)."
	for wl in udp tcp; do
		echo
		case $wl in
		udp) echo "## 64-byte UDP flood (packets/s); filter matching: \`${MATCH[udp]}\`, nothing: \`${NOMATCH[udp]}\`" ;;
		tcp) echo "## One TCP stream, 64 KiB writes (MB/s); filter matching: \`${MATCH[tcp]}\`, nothing: \`${NOMATCH[tcp]}\`" ;;
		esac
		echo
		echo "| contender | median ${UNIT[$wl]} | range | ratio to baseline | BPF ns/packet (median) | tracer CPU s (median) | peak RSS MiB (median) | start to ready ms (median) |"
		echo "|---|---:|---|---:|---:|---:|---:|---:|"
		base=$(median <<<"${res[$wl:baseline]}")
		for c in "${contenders[@]}"; do
			m=$(median <<<"${res[$wl:$c]}")
			r=$(ratio "$m" "$base")
			rk=$(median <<<"${rss[$wl:$c]}")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$m" "$(spread <<<"${res[$wl:$c]}")" "$r" \
				"$(median <<<"${nsp[$wl:$c]:-}")" "$(median <<<"${cpu[$wl:$c]}")" "$([ "$rk" = - ] && echo - || awk -v k="$rk" 'BEGIN {printf "%.1f", k / 1024}')" \
				"$(median <<<"${rdy[$wl:$c]}")"
			echo "$wl $c $r" >>"$out/ratios.dat"
		done
		echo
		echo "pktpath's accounting per run (delivered/lost/produced; delivered + lost must equal produced):"
		echo
		for c in pktpath-nomatch pktpath-nomatch-all pktpath-stream pktpath-timeline; do
			echo "- $c: $(tr ';' '\n' <<<"${counts[$wl:$c]:-}" | grep . | awk '{ok = ($1 + $2 == $3) ? "adds up" : "DOES NOT ADD UP"; printf "%s/%s/%s (%s); ", $1, $2, $3, ok}')"
		done
		if [ -n "$have_bpftrace" ]; then
			echo "- bpftrace-match, lines printed/events it reported lost: $(tr ';' '\n' <<<"${bt[$wl:bpftrace-match]:-}" | grep . | awk '{printf "%s/%s; ", $1, $2}')"
		fi
		if [ -s "$LAB_DIR/progs" ]; then
			echo
			echo "BPF run time per packet on veth-b, by program (median of $STATS_REPS runs with kernel.bpf_stats_enabled: ns, and runs per packet):"
			echo
			for c in "${contenders[@]}"; do
				awk -v w="$wl" -v c="$c" '$1 == w && $2 == c {print $3}' "$LAB_DIR/progs" | sort -u | while read -r p; do
					printf '%s %s %s; ' "$p" "$(awk -v w="$wl" -v c="$c" -v p="$p" '$1 == w && $2 == c && $3 == p {print $4}' "$LAB_DIR/progs" | median)" \
						"$(awk -v w="$wl" -v c="$c" -v p="$p" '$1 == w && $2 == c && $3 == p {print $5}' "$LAB_DIR/progs" | median)"
				done >"$LAB_DIR/progline"
				[ -s "$LAB_DIR/progline" ] && echo "- $c: $(cat "$LAB_DIR/progline")"
			done
		fi
	done
	echo
	echo "pktpath start to \"ready\": median $(echo "${ready[*]}" | median) ms (range $(echo "${ready[*]}" | spread)); SIGINT to exit: median $(echo "${stop[*]}" | median) ms (range $(echo "${stop[*]}" | spread)); 5 runs each."
	[ -z "$have_bpftrace" ] && echo && echo "bpftrace is not installed (or tracefs not mounted): its rows are missing."
	echo
	echo "## Against the targets of issue 7"
	echo
	for wl in udp tcp; do
		base=$(median <<<"${res[$wl:baseline]}")
		n=$(ratio "$(median <<<"${res[$wl:pktpath-nomatch]}")" "$base")
		s=$(ratio "$(median <<<"${res[$wl:pktpath-stream]}")" "$base")
		t=$(ratio "$(median <<<"${res[$wl:pktpath-timeline]}")" "$base")
		echo "- $wl: filter matching nothing $n x baseline (target >= 0.95: $(awk -v x="$n" 'BEGIN {print (x >= 0.95 ? "met" : sprintf("missed by %.2f", 0.95 - x))}')); tracing every packet $s (stream) / $t (timelines) x baseline (target >= 0.5: $(awk -v x="$s" -v y="$t" 'BEGIN {m = x < y ? x : y; print (m >= 0.5 ? "met" : sprintf("missed by %.2f", 0.5 - m))}'))."
	done
	for wl in udp tcp; do
		base=$(median <<<"${res[$wl:baseline]}")
		n=$(ratio "$(median <<<"${res[$wl:pktpath-nomatch]}")" "$base")
		a=$(ratio "$(median <<<"${res[$wl:pktpath-nomatch-all]}")" "$base")
		echo "- $wl, matching nothing without --netns: $a x baseline against $n with it (issue 15: within 0.05: $(awk -v x="$n" -v y="$a" 'BEGIN {d = x - y; print (d <= 0.05 ? "met" : sprintf("missed by %.2f", d - 0.05))}'))."
	done
	r=$(echo "${ready[*]}" | median)
	echo "- ready in $r ms (target < 500 ms: $(awk -v x="$r" 'BEGIN {print (x < 500 ? "met" : "missed")}'))."
	echo "- replay decode rate ($rec_events recorded events, $(du -h "$rec" | cut -f1)): ${replay_tl} events/s as timelines, ${replay_st} events/s as --stream (target >= 2,000,000: $(awk -v x="$replay_tl" 'BEGIN {print (x >= 2000000 ? "met" : sprintf("missed by a factor %.1f", 2000000 / (x ? x : 1)))}'))."
	echo
	echo "Plot: ratios.png (ratio to baseline per contender, both workloads)."
} >"$report"

# The fentry and kprobe backends, which this kernel lacks: the same flood
# in the kernel matrix's 6.12 guest, as ratios within the guest
# (tests/vm/bench/run.sh; it boots QEMU, so after the host's figures and
# under the VM lock). BENCH_GUEST=0 skips it.
if [ "${BENCH_GUEST:-1}" = 1 ]; then
	rm -f "$out/guest.md"
	echo "bench: the 6.12 guest (QEMU, several minutes)" >&2
	flock /tmp/pktpath-vm.lock tests/vm/bench/run.sh >"$out/guest.out" 2>&1
	if [ -s "$out/guest.md" ]; then
		{ echo; cat "$out/guest.md"; } >>"$report"
		grep '^FAIL' "$out/guest.out" | sed 's/^/- guest check: /' >>"$report"
	else
		{ echo; echo "## 6.12 guest"; echo; echo "Not measured: $(grep -m1 '^FAIL' "$out/guest.out" || tail -n 1 "$out/guest.out") (build/bench/guest.out)."; } >>"$report"
		guest_failed=1
	fi
else
	{ echo; echo "## 6.12 guest"; echo; echo "Not measured: skipped (BENCH_GUEST=${BENCH_GUEST})."; } >>"$report"
fi

if command -v gnuplot >/dev/null; then
	awk '$1 == "udp" {u[$2] = $3; order[++n] = $2} $1 == "tcp" {t[$2] = $3}
	     END {for (i = 1; i <= n; i++) {c = order[i]; print c, (u[c] == "-" ? 0 : u[c]), (t[c] == "-" ? 0 : t[c])}}' \
		"$out/ratios.dat" >"$out/ratios.cols"
	gnuplot <<GP 2>"$LAB_DIR/gnuplot.err" || echo "bench: gnuplot failed: $(cat "$LAB_DIR/gnuplot.err")" >&2
set terminal pngcairo size 1000,520 noenhanced
set output "$out/ratios.png"
set title "Throughput with tracing / without (median of $REPS runs, $(nproc) CPUs, kernel $(uname -r))"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:1.25]
set ylabel "ratio to baseline"
set xtics rotate by -30
set grid ytics
set arrow from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 2 lc rgb "#008800"
set arrow from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 2 lc rgb "#cc0000"
plot "$out/ratios.cols" using 2:xtic(1) title "UDP flood pkt/s", "" using 3 title "TCP stream MB/s"
GP
else
	echo "bench: gnuplot not installed, no plot" >&2
fi
cat "$report"
# A guest half that measured nothing is a failed run, not a shorter report.
if [ -n "${guest_failed:-}" ]; then
	echo "bench: the 6.12 guest measured nothing: build/bench/guest.out says why" >&2
	exit 1
fi
