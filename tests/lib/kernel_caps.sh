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
# BPF netfilter links (Linux 6.4+), as pktpath itself found out.
kc_nflink() { "$PKTPATH" --list-probes 2>/dev/null | grep -q 'netfilter links available'; }

# One machine-readable result for the README's kernel table
# (tests/vm/table.sh): matrix BACKEND COLUMN VALUE...
matrix() {
	local b=$1 c=$2
	shift 2
	echo "MATRIX $b $c $*"
}
