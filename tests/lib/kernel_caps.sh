# What the running kernel offers, read from the kernel itself (tracefs,
# sysfs, kallsyms) rather than from its version, for checks whose expected
# answer depends on it: on a kernel that lacks something pktpath must say
# so (one line), and the check then looks for that line instead.

# skb:kfree_skb carries a drop reason (Linux 5.17+).
kc_drop_reason() { grep -q 'reason' /sys/kernel/tracing/events/skb/kfree_skb/format 2>/dev/null; }
# Loaded modules expose BTF (Linux 5.11+): nf_tables, bridge functions are typed.
kc_module_btf() { ls /sys/kernel/btf 2>/dev/null | grep -qv '^vmlinux$'; }
# A kernel text symbol exists (not inlined away): kc_sym NAME.
kc_sym() { awk -v n="$1" '$3 == n { f = 1; exit } END { exit !f }' /proc/kallsyms; }
# pktpath --list-probes [--backend B], run once per boot (each run probes
# the kernel and reads its BTF: seconds under emulation) and kept in /tmp.
kc_list() { # [BACKEND]
	local f=/tmp/kc-list-probes.${1:-auto}
	[ -s "$f" ] || "$PKTPATH" --list-probes ${1:+--backend "$1"} >"$f" 2>&1
	cat "$f"
}
# BPF netfilter links (Linux 6.4+), as pktpath itself found out.
kc_nflink() { kc_list | grep -q 'netfilter links available'; }
# "got/total" catalog points for a backend, from --list-probes' summary.
kc_points() { # BACKEND (fentry and kprobe resolve the same functions: one listing)
	case $1 in fentry | kprobe) kc_list ;; *) kc_list "$1" ;; esac | sed -n 's/^  catalog points by group://p' |
		awk '{ for (i = 2; i <= NF; i += 2) { split($i, a, "/"); g += a[1]; n += a[2] } } END { if (n) printf "%d/%d", g, n }'
}

# One machine-readable result for the README's kernel table
# (tests/vm/table.sh): matrix BACKEND COLUMN VALUE...
matrix() {
	local b=$1 c=$2
	shift 2
	echo "MATRIX $b $c $*"
}
