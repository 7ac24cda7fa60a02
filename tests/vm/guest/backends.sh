#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
#
# PLACEHOLDER for the fentry and kprobe backends' own checks: selecting each
# backend (and falling back), attaching on this kernel, and a lab ping/drop
# seen through it — e.g. the same ping as smoke.sh, with the backend forced,
# and a UDP datagram to a closed port reported with its drop reason. The
# backend author fills this in; until then it checks nothing and reports
# nothing (no PASS for what is not checked).
#
# Available here: $PKTPATH (the normal build), ../../lib/{lab,check}.sh,
# bash, ip, ping, iptables-nft, nft, bpftool, busybox; modules veth, bridge,
# nf_tables + iptables-nft matches, conntrack, NAT, netem are loaded;
# /sys/kernel/tracing, /sys/kernel/debug and /sys/fs/bpf are mounted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"

echo "# backends.sh: no fentry/kprobe backend checks yet on $(uname -r)"
exit 0
