# A hint for every drop reason the running kernel defines: pktpath --reasons
# walks the kernel's own enum skb_drop_reason (BTF) and gives each a meaning;
# counted independently with bpftool. One script for this host and the VM
# guests: tests/vm/guest/reasons.sh.
exec bash "$(dirname "$0")/../vm/guest/reasons.sh"
