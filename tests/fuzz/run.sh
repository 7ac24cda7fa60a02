#!/bin/bash
# Runs the libFuzzer targets: tests/fuzz/run.sh SECONDS [TARGET...]
# For each target (build/fuzz/fuzz_*): first every regression input in
# tests/fuzz/corpus/TARGET/ once (inputs that once crashed: they must not
# any more), then SECONDS of fuzzing from the seeds (tests/fuzz/seeds/TARGET/)
# and the working corpus of earlier runs (build/fuzz/corpus/TARGET/, not
# committed). A crash is saved as a new regression input in
# tests/fuzz/corpus/TARGET/ — commit it once the bug is fixed or filed.
# Prints one PASS/FAIL line a check, with the runs and execs/s.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_filter fuzz_event)
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in "${targets[@]}"; do
	bin=build/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "FAIL $t: $bin not built (make $bin; needs clang's libFuzzer runtime, libclang-rt-14-dev)"
		failed=1
		continue
	fi
	regr=tests/fuzz/corpus/$t seeds=tests/fuzz/seeds/$t work=build/fuzz/corpus/$t crashes=build/fuzz/crashes/$t
	mkdir -p "$regr" "$work" "$crashes"
	logs=build/fuzz/logs
	mkdir -p "$logs"
	# Regression inputs, one process each so every one is reported.
	for f in "$regr"/*; do
		[ -f "$f" ] || continue
		if timeout 60 "$bin" "$f" >"$logs/$t.regr.log" 2>&1; then
			echo "PASS $t: regression input $(basename "$f")"
		else
			echo "FAIL $t: regression input $(basename "$f"):"
			grep -E 'runtime error|ERROR: |fuzz_[a-z]+: ' "$logs/$t.regr.log" | head -3 | sed 's/^/    /'
			failed=1
		fi
	done
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	extra=()
	[ "$t" = fuzz_event ] && extra=(-len_control=0 -max_len=8192)
	mkdir -p "$seeds" "$work" # git keeps no empty directory
	timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
		-artifact_prefix="$crashes/" -print_final_stats=1 "${dict[@]}" "${extra[@]}" \
		"$work" "$seeds" >"$logs/$t.log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/p' "$logs/$t.log")
	took=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/p' "$logs/$t.log")
	cov=$(grep -oE 'cov: [0-9]+' "$logs/$t.log" | tail -1)
	rate=$(awk -v r="${runs:-0}" -v s="${took:-0}" 'BEGIN {printf "%.0f", (s > 0 ? r / s : 0)}')
	new=$(find "$crashes" -type f -newer "$logs/$t.regr.log" 2>/dev/null; true)
	[ -f "$logs/$t.regr.log" ] || new=$(find "$crashes" -type f)
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS $t: fuzzed ${took}s, $runs runs ($rate execs/s, $cov), no crash"
	else
		echo "FAIL $t: fuzzing stopped (status $rc) after ${runs:-?} runs:"
		grep -E 'runtime error|ERROR: |fuzz_[a-z]+: |SUMMARY' "$logs/$t.log" | head -5 | sed 's/^/    /'
		for c in $new; do
			cp "$c" "$regr/"
			echo "    new regression input: $regr/$(basename "$c") (full log: $logs/$t.log)"
		done
		failed=1
	fi
done
exit $failed
