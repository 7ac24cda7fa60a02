#!/bin/bash
# Turns the kernel matrix's results (build/vm/matrix.txt, written by
# tests/vm/run.sh from the guests' MATRIX lines) into the markdown table the
# README shows: one row per kernel and backend, one column per capability.
#
#   tests/vm/table.sh build/vm/matrix.txt > build/vm/kernel-table.md
#
# Input lines: SERIES RELEASE BACKEND COLUMN VALUE... A cell nobody reported
# is "?" (the test did not get that far), never filled in here.
set -u
in=${1:-build/vm/matrix.txt}
[ -s "$in" ] || { echo "table: no results in $in" >&2; exit 1; }
awk '
{
	key = $2 SUBSEP $3
	if (!(key in seen)) { seen[key] = 1; order[++n] = key; rel[key] = $2; be[key] = $3 }
	v = $5; for (i = 6; i <= NF; i++) v = v " " $i
	cell[key, $4] = v
}
END {
	split("points drops netfilter bridge owners", cols, " ")
	print "| kernel | backend | catalog points | drops | netfilter | bridge | owners |"
	print "|---|---|---|---|---|---|---|"
	# fentry, kprobe, tracepoint for each kernel, kernels in run order
	split("fentry kprobe tracepoint", bs, " ")
	for (i = 1; i <= n; i++) {
		r = rel[order[i]]
		if (r in done) continue
		done[r] = 1
		for (b = 1; b <= 3; b++) {
			key = r SUBSEP bs[b]
			if (!(key in seen)) continue
			line = "| " r " | " bs[b]
			for (c = 1; c <= 5; c++) line = line " | " ((key, cols[c]) in cell ? cell[key, cols[c]] : "?")
			print line " |"
		}
	}
}' "$in"
