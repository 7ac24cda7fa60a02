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

# From the process's own descriptors (fdinfo of a program carries its run
# time and count): other pktpath runs on the machine are not counted. A
# link's fdinfo names its program too, without the counters. Names come
# from bpftool, once per program id.
declare -A BPF_STATS_NAME=()
bpf_stats_snap() {
	local pid=$1 id rt cnt
	awk '/^prog_id:/ {id = $2} /^run_time_ns:/ {rt = $2} /^run_cnt:/ {print id, rt, $2}' \
		/proc/"$pid"/fdinfo/* 2>/dev/null | sort -un |
		while read -r id rt cnt; do
			if [ -z "${BPF_STATS_NAME[$id]:-}" ]; then
				# bpftool's plain output ("ID: TYPE  name NAME  tag ..."): the VM
				# guests have no jq.
				BPF_STATS_NAME[$id]=$(bpftool prog show id "$id" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "name") {print $(i + 1); exit}}')
				: "${BPF_STATS_NAME[$id]:=prog$id}"
			fi
			echo "$id ${BPF_STATS_NAME[$id]} $rt $cnt"
		done
}

bpf_stats_cost() {
	awk -v n="$3" 'FNR == NR {t[$1] = $3; c[$1] = $4; next}
		{dt = $3 - t[$1]; dc = $4 - c[$1]
		 if (dc > 0) {ns[$2] += dt; cnt[$2] += dc}}
		END {for (p in ns) {printf "%s %.1f %.2f\n", p, ns[p] / n, cnt[p] / n; tn += ns[p]; tc += cnt[p]}
		     printf "total %.1f %.2f\n", tn / n, tc / n}' "$1" "$2" | sort
}
