#!/bin/bash
# The guest benchmark's table (markdown) from the BENCH lines tests/vm/run.sh
# collected (build/vm/bench.txt: "SERIES RELEASE run|prog|info ...", written
# by tests/vm/bench/flood.sh in the guest).
#
#   tests/vm/bench/report.sh [build/vm/bench.txt]
#
# A traced run's ratio is its rate over the mean of the untraced runs just
# before and after it; the table gives each contender's median ratio and the
# range, the untraced median rate, and from the bpf_stats repetitions the
# programs' ns and runs per packet (total; each program in a list below).
# A contender with no figure shows "-": nothing is filled in here.
set -u
in=${1:-build/vm/bench.txt}
[ -s "$in" ] || { echo "guest bench: no results in $in" >&2; exit 1; }

awk '
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	if (!n) return "-"
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function lo_hi(list,    n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (!n) return "-"
	lo = hi = a[1]
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
	return sprintf("%.2f–%.2f", lo, hi)
}
function fmt(m) { return (m == "" || m == "-") ? "-" : sprintf("%.2f", m) }
function label(c,    b, s) {
	b = c; sub(/-.*/, "", b); s = b
	if (c ~ /-netns/) s = s " `--netns`"
	if (c ~ /-norules/) s = s " `--no-rules`"
	if (c ~ /-cmp/) s = s " (cmp build)"
	if (c ~ /-hollow/) s = s ", programs returning at once (the floor)"
	return s
}
$3 == "info" && $4 == "contenders" { for (i = 5; i <= NF; i++) order[++nc] = $i; next }
$3 == "info" && $4 == "reps" { reps = $5; secs = $7; sreps = $9; next }
$3 == "info" && ($4 == "new" || $4 == "cmp") { v = $5; for (i = 6; i <= NF; i++) v = v " " $i; build[$4] = v; next }
$3 == "info" && $4 == "stats" { nostats = 1; next }
$3 == "info" && $4 == "said" { v = $6; for (i = 7; i <= NF; i++) v = v " " $i; if (!($5 in said) || v ~ /nftables/) said[$5] = v; next }
$3 == "run" {
	series = $1; rel = $2
	c = $5; v = $6
	if (c == "base") {
		if (v != "-") base = base " " v
		if (pending != "" && prev != "-" && v != "-" && prev + v > 0 && pv != "-")
			ratio[pending] = ratio[pending] " " sprintf("%.3f", pv / ((prev + v) / 2))
		pending = ""; prev = v
	} else {
		pending = c; pv = v
		if (v != "-") rate[c] = rate[c] " " v
	}
	next
}
$3 == "prog" {
	c = $4
	if ($5 == "total") { tot[c] = tot[c] " " $6; runs[c] = runs[c] " " $7 }
	else { key = c SUBSEP $5; if (!(key in pns)) porder[c] = porder[c] " " $5; pns[key] = pns[key] " " $6; pruns[key] = pruns[key] " " $7 }
	next
}
END {
	printf "## %s guest (emulated: Debian %s under QEMU TCG)\n\n", series, rel
	printf "64-byte UDP flood between two lab namespaces (to a closed port) inside the guest, %s s a run; pktpath matching nothing (`--stream '"'"'udp dst port 4'"'"'`), without `--netns` (the common invocation: every namespace) unless said. Under TCG absolute rates mean nothing: each traced run is divided by the mean of the untraced runs just before and after it; %s repetitions, contenders in turn. BPF ns/packet and runs/packet: from `kernel.bpf_stats_enabled` in %s separate repetition(s), per packet through the receiving veth (received + sent).\n\n", secs, reps, (nostats ? "no (the guest could not enable it)" : sreps)
	if ("new" in build) printf "Build: %s", build["new"]
	if ("cmp" in build) printf "; cmp build: %s", build["cmp"]
	printf "\n\n"
	printf "| contender | ratio to untraced (median) | range | pkt/s (median) | BPF ns/packet | BPF programs run per packet |\n|---|---:|---|---:|---:|---:|\n"
	printf "| untraced | 1.00 | – | %s | – | – |\n", median(base)
	for (i = 1; i <= nc; i++) {
		c = order[i]; m = median(ratio[c])
		printf "| %s | %s | %s | %s | %s | %s |\n", label(c), (m == "-" ? "-" : sprintf("%.2f", m)), lo_hi(ratio[c]), median(rate[c]), median(tot[c]), median(runs[c])
		med[c] = m
	}
	printf "\nBPF programs, ns and runs per packet (median of the statistics repetitions):\n\n"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		if (porder[c] == "") continue
		n = split(porder[c], ps, " ")
		line = ""
		for (j = 1; j <= n; j++) { key = c SUBSEP ps[j]; line = line sprintf("%s%s %s ns × %s", (j > 1 ? "; " : ""), ps[j], median(pns[key]), median(pruns[key])) }
		printf "- %s: %s\n", label(c), line
	}
	first = 1
	for (i = 1; i <= nc; i++) {
		c = order[i]
		if (!(c in said)) continue
		if (first) { printf "\nWhat pktpath said at start (its nftables line, else its first line besides the backend and \"ready\"):\n\n"; first = 0 }
		printf "- %s: %s\n", label(c), said[c]
	}
	fe = fmt(med["fentry"]); tp = fmt(med["tracepoint"]); kp = fmt(med["kprobe"]); fl = fmt(med["fentry-hollow"])
	printf "\nIssue 15, in this guest: fentry matching nothing %s (target ≥ 0.80: %s; at least the tracepoint backend'"'"'s %s: %s); kprobe %s.\n", \
		fe, (fe == "-" ? "not measured" : fe + 0 >= 0.80 ? "met" : sprintf("missed by %.2f", 0.80 - fe)), tp, \
		(fe == "-" || tp == "-" ? "not measured" : fe + 0 >= tp + 0 ? "met" : "missed"), kp
	if (fl != "-")
		printf "The floor: the same fentry points with programs that return at once (the device tracepoints in full) ran at %s%s.\n", \
			fl, (fl + 0 < 0.80 ? ": below the 0.80 target before any fentry program does anything" : "")
}' "$in"
