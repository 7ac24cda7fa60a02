# The libFuzzer targets (tests/fuzz/), briefly: every regression input, then
# FUZZ_TEST_SECS (default 15) seconds of fuzzing each. `make fuzz` runs them
# longer. Not a lab test: fuzz_filter loads its programs with
# BPF_PROG_TEST_RUN only, attached nowhere.
cd "$(dirname "$0")/../.." || exit 1
tests/fuzz/run.sh "${FUZZ_TEST_SECS:-15}"
