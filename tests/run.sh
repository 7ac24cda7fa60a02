#!/bin/bash
# Runs every test and ends with "N passed, N failed".
#  - the golden tier: tests/golden/run.sh, committed recordings replayed
#    without privileges against what the live run printed
#  - the BPF programs' stack frames (tests/bpf_frames.sh), for the kernels
#    only the VM guests run
#  - unit tests: build/tests/test_* (built with AddressSanitizer + UBSan)
#  - end-to-end tests: tests/e2e/*.sh, in network namespaces they create,
#    against the sanitizer build of pktpath (PKTPATH overrides it)
#  - the kernel matrix: tests/vm/run.sh boots Debian's 5.10, 6.1, 6.12 and sid
#    kernels under QEMU and runs tests/vm/guest/*.sh inside, with build/pktpath-static
# Each test prints "PASS what" / "FAIL what" lines; a test that dies
# without saying so counts as one failure.
set -u
cd "$(dirname "$0")/.."
export PKTPATH=${PKTPATH:-$PWD/build/asan/pktpath}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=build/test-logs
mkdir -p "$logs"
passed=0 failed=0
fails=() # every FAIL line, said again at the end: a CI log shows only its tail

run_one() { # name, command...   (TEST_TIMEOUT: seconds, default 300)
	local name=$1 log="$logs/$1.log" rc p f
	shift
	timeout "${TEST_TIMEOUT:-300}" "$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	grep -E '^(PASS|FAIL) ' "$log" | sed "s|^|[$name] |"
	mapfile -t -O "${#fails[@]}" fails < <(grep '^FAIL ' "$log" | sed "s|^|[$name] |")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[$name] FAIL exited with status $rc without reporting a failure"
		fails+=("[$name] FAIL exited with status $rc without reporting a failure")
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		echo "---- $log (last 30 lines)"
		tail -n 30 "$log"
		echo "----"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

run_one golden bash tests/golden/run.sh
run_one bpf_frames bash tests/bpf_frames.sh
for t in build/tests/test_*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
	run_one "$(basename "$t" .sh)" bash "$t"
done
# Each VM has its own hard limit (PKTPATH_VM_TIMEOUT, 150 s + 110 s a guest script); the
# matrix as a whole (four kernels, 7-10 min each under TCG, plus the kernels'
# first download) gets 55 min, so that make test stays within CI's 90.
TEST_TIMEOUT=3300 run_one vm bash tests/vm/run.sh
if [ "${#fails[@]}" -gt 0 ]; then
	echo "==== the failures again (logs in $logs/):"
	printf '%s\n' "${fails[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
