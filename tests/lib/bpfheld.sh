# BPF objects by holder process, from the kernel's own records: every BPF
# fd a process has open names its object in /proc/PID/fdinfo (prog_id:,
# link_id:, map_id:). Keyed on the pid, so other pktpath processes running
# on the machine at the same time do not disturb a test. (bpftool's "pids"
# field would say the same but needs a bpftool built with BPF skeletons.)

# held_ids PID KIND: ids of KIND (prog, link, map) PID holds an fd on, one a line.
# A link fd also names its program (prog_id:), which is then listed under prog.
held_ids() {
	local pid=$1 kind=$2 f
	for f in /proc/"$pid"/fdinfo/*; do
		sed -nE "s/^${kind}_id:[[:space:]]*([0-9]+)$/\1/p" "$f" 2>/dev/null
	done | sort -un
}

# kernel_ids KIND: ids of every KIND the kernel has, one a line.
kernel_ids() {
	bpftool "$1" show --json 2>/dev/null | jq -r '.[].id' | sort -un
}

# still_there KIND IDS...: prints those IDS the kernel still lists.
still_there() {
	local kind=$1
	shift
	[ $# -eq 0 ] && return 0
	comm -12 <(kernel_ids "$kind") <(printf '%s\n' "$@" | sort -un)
}

# gone KIND IDS...: waits up to 5 s for the kernel to drop every id
# (freeing is deferred past an RCU grace period); prints what remains.
gone() {
	local kind=$1 left
	shift
	for _ in $(seq 1 50); do
		left=$(still_there "$kind" "$@")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left" | tr '\n' ' '
	return 1
}

# pp_orphans: pktpath programs (name pp_*) the kernel has loaded that no
# live process holds, directly or through a link: what a crashed or killed
# pktpath would leave behind, whoever else is tracing. Asked twice, 0.5 s
# apart, so a pktpath exiting at the moment of the first look is not counted.
pp_orphans() {
	local once
	once() {
		local held
		held=$(grep -hs "^prog_id:" /proc/[0-9]*/fdinfo/* | grep -oE "[0-9]+" | sort -un)
		comm -23 <(bpftool prog show --json 2>/dev/null | jq -r '.[] | select(.name // "" | startswith("pp_")) | .id' | sort -un) \
			<(echo "$held")
	}
	local a b
	a=$(once)
	[ -z "$a" ] && return 0
	sleep 0.5
	b=$(once)
	comm -12 <(echo "$a") <(echo "$b") | grep .
}
