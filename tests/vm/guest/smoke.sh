#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh boots one per Debian kernel).
# The harness itself works: pktpath runs on this kernel with its default
# backend (auto: fentry here) and sees a ping between two lab namespaces at
# the device tracepoints, and the kernel offers what the kprobe and fentry
# backends will need.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"
. "$here/../../lib/kernel_caps.sh"

ver=$("$PKTPATH" --version 2>&1 | head -n 1)
check "pktpath --version runs on $(uname -r) ($ver)" grep -qE '^pktpath [0-9]+\.[0-9]+' <<<"$ver"

# --- what the kernel offers, checked without pktpath ---
# kprobes: the PMU exists with CONFIG_KPROBES, and a probe can really be placed.
check "kernel: kprobe PMU present (/sys/bus/event_source/devices/kprobe/type)" \
	test -r /sys/bus/event_source/devices/kprobe/type
kprobe_event() {
	echo 'p:pp_smoke ip_rcv' >>/sys/kernel/tracing/kprobe_events || return 1
	[ -d /sys/kernel/tracing/events/kprobes/pp_smoke ] || return 1
	echo '-:pp_smoke' >>/sys/kernel/tracing/kprobe_events
}
check "kernel: a kprobe on ip_rcv can be created through tracefs" kprobe_event
# fentry: bpftool loads a BPF_PROG_TYPE_TRACING program (the host kernel
# answers "NOT available" here).
check "kernel: BPF tracing (fentry) programs load (bpftool feature probe)" \
	bash -c "bpftool feature probe kernel 2>/dev/null | grep -q 'program_type tracing is available'"
check "kernel: BTF at /sys/kernel/btf/vmlinux" test -r /sys/kernel/btf/vmlinux

# --- pktpath in a lab ---
lab_up vmsmoke 20 || { fail "lab setup"; exit 1; }
t0=$EPOCHREALTIME
pp_start "$LAB_DIR/pp" -n vmsmoke-b --stream icmp || {
	fail "tracepoint: pktpath started"
	cat "$LAB_DIR/pp.err"
	exit 1
}
# What pktpath found in the kernel, as it says on its first line. The
# fentry/kprobe backends may reword it: they then update these patterns.
echo "# pktpath ready after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
backend=$(grep -m1 '^backend:' "$LAB_DIR/pp.err")
echo "# $backend"
check "pktpath: startup line finds kprobes available ($backend)" \
	grep -qE 'backend: kprobe|kprobes: available' <<<"$backend"
check "pktpath: startup line finds fentry available" \
	grep -qE 'backend: fentry|fentry: available' <<<"$backend"
# --backend auto (the default) takes fentry here, and the kernel accepts it:
# no fall-back line, no verifier output.
check "pktpath: --backend auto chose fentry and the kernel took its programs" \
	bash -c '[ "$(grep -c "^backend:" "$1")" -eq 1 ] && grep -q "^backend: fentry" "$1" && ! grep -q "refused" "$1"' _ "$LAB_DIR/pp.err"
grep -E '^pktpath: (warning|note)' "$LAB_DIR/pp.err" | sed 's/^/# /'

lab_exec vmsmoke-a ping -c 3 -i 0.2 -W 2 198.18.20.2 >/dev/null
ping_rc=$?
sleep 0.5
pp_stop
out=$LAB_DIR/pp.out
check "lab ping 198.18.20.1 -> 198.18.20.2 answered" [ "$ping_rc" -eq 0 ]
check "pktpath exited 0 after SIGINT" [ "$PP_RC" -eq 0 ]

# Stream columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
req_rx=$(awk '$4=="netif_receive_skb" && $5=="vmsmoke-b" && $6=="veth-b" && /ICMP 198.18.20.1 > 198.18.20.2 echo-request/' "$out")
rep_tx=$(awk '$4=="net_dev_queue" && $5=="vmsmoke-b" && $6=="veth-b" && /ICMP 198.18.20.2 > 198.18.20.1 echo-reply/' "$out")
other_ns=$(awk 'NR > 1 && $5 != "vmsmoke-b"' "$out")
check "tracepoint: 3 echo requests seen at netif_receive_skb in vmsmoke-b veth-b" \
	[ "$(grep -c . <<<"$req_rx")" -eq 3 ]
check "tracepoint: 3 echo replies seen at net_dev_queue in vmsmoke-b veth-b" \
	[ "$(grep -c . <<<"$rep_tx")" -eq 3 ]
check "tracepoint: -n vmsmoke-b kept out every other namespace" [ -z "$other_ns" ]
if ! grep -q 'netif_receive_skb' "$out"; then
	echo "---- pktpath stdout"; cat "$out"; echo "---- stderr"; cat "$LAB_DIR/pp.err"
fi

# --backend auto when the kernel refuses the first backend's programs: one
# line says so and why, the next backend runs (PKTPATH_TEST_REFUSE makes the
# kernel refuse fentry's by giving one program a type its code does not fit).
if PKTPATH_TEST_REFUSE=fentry pp_start "$LAB_DIR/refuse" -n vmsmoke-b --stream icmp; then
	lab_exec vmsmoke-a ping -c 1 -W 2 198.18.20.2 >/dev/null
	sleep 0.5
	pp_stop
	check "auto fallback: one line says the kernel refused the fentry programs and kprobe is used" \
		[ "$(grep -c '^pktpath: warning: the kernel refused the fentry programs (.*): using kprobe$' "$LAB_DIR/refuse.err")" -eq 1 ]
	check "auto fallback: the next backend line names kprobe, no verifier output" \
		bash -c 'grep -q "^backend: kprobe " "$1" && ! grep -qE "libbpf:|^[0-9]+: \(" "$1"' _ "$LAB_DIR/refuse.err"
	check "auto fallback: the ping is seen by the kprobe backend (ip_rcv)" \
		bash -c 'awk "\$4 == \"ip_rcv\"" "$1" | grep -q "echo-request"' _ "$LAB_DIR/refuse.out"
else
	fail "auto fallback: pktpath started after the fentry programs were refused"
	cat "$LAB_DIR/refuse.err"
fi

# The static binary names ports and protocols from /etc/services with no
# shared library in the guest.
check "static binary: an expression with a service name compiles ('udp port domain')" \
	bash -c '"$PKTPATH" --dump-filter "udp port domain" | grep -q "jeq      #0x35"'
# What pktpath tells a user of this kernel, first screen of --list-probes.
kc_list | sed -n '1,/^backends:/p' | sed 's/^/# list-probes: /'
