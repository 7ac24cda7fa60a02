# Reporting for test scripts: one "PASS what" or "FAIL what" line a check.
PKTPATH=${PKTPATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/asan/pktpath}

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
# check WHAT CMD...: PASS when CMD succeeds; returns CMD's success (a
# failure's details can follow: check ... || show).
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}

# Names of pktpath's BPF programs that the kernel still has loaded.
pp_progs_loaded() {
	bpftool prog show 2>/dev/null | grep -oE 'name pp_[a-z0-9_]+' | sort | uniq
}

# Start pktpath in the background (args as given), output in $1.out/$1.err;
# waits until it says "ready". Sets PP_PID.
pp_start() {
	local base=$1
	shift
	"$PKTPATH" "$@" >"$base.out" 2>"$base.err" &
	PP_PID=$!
	LAB_PIDS+=("$PP_PID")
	local i
	for i in $(seq 1 "${PP_START_TRIES:-150}"); do
		grep -q 'pktpath: ready' "$base.err" 2>/dev/null && return 0
		kill -0 "$PP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Stop it with SIGINT and wait; status in PP_RC.
pp_stop() {
	kill -INT "$PP_PID" 2>/dev/null
	wait "$PP_PID"
	PP_RC=$?
}
