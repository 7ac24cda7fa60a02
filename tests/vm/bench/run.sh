#!/bin/bash
# The benchmark's guest half: tests/vm/bench/flood.sh in a Debian 6.12 guest
# (the kernel matrix's, tests/vm/run.sh), where the fentry and kprobe
# backends exist, then its table (tests/vm/bench/report.sh) in
# build/bench/guest.md. make bench runs it after the host's half; it also
# runs alone. It boots QEMU: run it under flock /tmp/pktpath-vm.lock (make
# bench does), after make static tests.
#
#   tests/vm/bench/run.sh
#
# Environment: GB_SERIES (default 6.12); GB_CMP=OTHER_STATIC_BUILD to compare
# two builds in the same guest (fentry and kprobe, alternated); GB_REPS,
# GB_SECS, GB_STATS_REPS, GB_NETNS, GB_NORULES, GB_HOLLOW, GB_BACKENDS (comma-separated) for the
# guest script (see there), passed on the guest's kernel command line.
set -u
cd "$(dirname "$0")/../../.." || exit 1
out=build/bench
mkdir -p "$out"
append=
for v in GB_REPS GB_SECS GB_STATS_REPS GB_NETNS GB_NORULES GB_HOLLOW GB_BACKENDS; do
	[ -n "${!v:-}" ] && append+=" $v=${!v}"
done
# About 25 s a traced run under TCG (start-up is most of it), eight
# contenders, three repetitions and the statistics: allow for a loaded host.
PKTPATH_VM_KERNELS=${GB_SERIES:-6.12} PKTPATH_VM_APPEND=${append# } PKTPATH_VM_CMP=${GB_CMP:-} \
	PKTPATH_VM_SCRIPT_TIMEOUT=${PKTPATH_VM_SCRIPT_TIMEOUT:-2400} PKTPATH_VM_TIMEOUT=${PKTPATH_VM_TIMEOUT:-2700} \
	tests/vm/run.sh tests/vm/bench/flood.sh >"$out/guest.log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|# vm)' "$out/guest.log"
if ! tests/vm/bench/report.sh build/vm/bench.txt >"$out/guest.md"; then
	echo "guest bench: no figures (build/vm/${GB_SERIES:-6.12}/console.log)" >&2
	exit 1
fi
cat "$out/guest.md"
exit $rc
