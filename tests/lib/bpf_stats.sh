# The CPU a process's BPF programs spend, from the kernel's own run-time
# statistics (kernel.bpf_stats_enabled): exact per program, unlike a
# throughput ratio on a shared machine. Source it.
#
#   bpf_stats_on          enable the statistics (the old value is restored
#                         by bpf_stats_restore, also run on EXIT by callers)
#   bpf_stats_snap PID    one line per BPF program PID holds:
#                         "id name run_time_ns run_cnt"
#   bpf_stats_cost A B N  from snapshots A and B (files) and N packets:
#                         "name ns_per_packet runs_per_packet" per program
#                         that ran, then "total ns_per_packet runs_per_packet"

BPF_STATS_OLD=

bpf_stats_on() {
	BPF_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled) || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
}

bpf_stats_restore() {
	[ -n "$BPF_STATS_OLD" ] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_OLD"
	BPF_STATS_OLD=
}

# Program ids come from the process's descriptors (a link's fdinfo names
# its program too): other pktpath runs on the machine are not counted.
bpf_stats_snap() {
	local pid=$1 ids id
	ids=$(grep -h '^prog_id:' /proc/"$pid"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un)
	for id in $ids; do
		bpftool prog show id "$id" --json 2>/dev/null |
			jq -r '"\(.id) \(.name // "-") \(.run_time_ns // 0) \(.run_cnt // 0)"'
	done
}

bpf_stats_cost() {
	awk -v n="$3" 'FNR == NR {t[$1] = $3; c[$1] = $4; next}
		{dt = $3 - t[$1]; dc = $4 - c[$1]
		 if (dc > 0) {ns[$2] += dt; cnt[$2] += dc}}
		END {for (p in ns) {printf "%s %.1f %.2f\n", p, ns[p] / n, cnt[p] / n; tn += ns[p]; tc += cnt[p]}
		     printf "total %.1f %.2f\n", tn / n, tc / n}' "$1" "$2" | sort
}
