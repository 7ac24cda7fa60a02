#!/bin/bash
# The kernel matrix: boots Debian's stock 5.10, 6.1, 6.12 and sid (newest) cloud kernels under
# QEMU (TCG: KVM does not work on these machines) and runs guest test scripts
# in each, with pktpath (build/pktpath) inside.
#
#   tests/vm/run.sh [GUEST-SCRIPT...]     default: tests/vm/guest/*.sh
#
# Prints the guests' "PASS what" / "FAIL what" lines as
# "PASS [6.1] what", plus one line per kernel for the boot itself. A kernel
# that cannot be fetched, an initramfs that cannot be built, a VM that never
# reaches its end marker or a guest script that exits non-zero without saying
# why are FAIL lines with a one-line reason, never a silent skip.
#
# Environment:
#   PKTPATH_VM_KERNELS        series to boot (default "5.10 6.1 6.12 sid"; sid is the newest
#                             kernel Debian ships)
#   PKTPATH_VM_TIMEOUT        hard limit per VM in seconds (default 150 + 110 a guest script: ten scripts, two
#                             to three backends each, took up to 1,000 s on sid under TCG)
#   PKTPATH_VM_SCRIPT_TIMEOUT limit per guest script inside the VM (default 300)
#   PKTPATH_VM_BIN            pktpath binary to put in the VM (default build/pktpath-static)
#   PKTPATH_VM_CMP            a second pktpath build, /usr/bin/pktpath-cmp in the VM (benchmarks)
#   PKTPATH_VM_APPEND         more kernel command line: NAME=VALUE words reach the guest
#                             scripts' environment (the benchmark's settings)
#   PKTPATH_VM_CACHE          kernel cache (see tests/vm/kernels.sh)
# Console logs: build/vm/SERIES/console.log.
set -u
cd "$(dirname "$0")/../.." || exit 1

read -ra kernels <<<"${PKTPATH_VM_KERNELS:-5.10 6.1 6.12 sid}"
export PKTPATH_VM_SCRIPT_TIMEOUT=${PKTPATH_VM_SCRIPT_TIMEOUT:-300}
scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
	# smoke.sh first: when the harness itself is broken, say so first.
	scripts=(tests/vm/guest/smoke.sh)
	for s in tests/vm/guest/*.sh; do
		[ "$s" = tests/vm/guest/smoke.sh ] || scripts+=("$s")
	done
fi
vm_timeout=${PKTPATH_VM_TIMEOUT:-$((150 + 110 * ${#scripts[@]}))}

QPID=
cleanup() {
	# timeout(1) passes the signal on to qemu and waits for it.
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0 passed=0 fails=()
say() { # PASS|FAIL SERIES text
	echo "$1 [$2] $3"
	[ "$1" = PASS ] || fails+=("$1 [$2] $3")
	if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
elapsed() { # since START (EPOCHREALTIME), one decimal
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# boot SERIES KDIR: one VM, its console in build/vm/SERIES/console.log.
boot() {
	local series=$1 kdir=$2 dir=build/vm/$1 t0 t_boot='' qrc log raw release
	release=$(cat "$kdir/release")
	mkdir -p "$dir"
	t0=$EPOCHREALTIME
	if ! tests/vm/initramfs.sh "$kdir" "$dir/initrd" "${scripts[@]}" >"$dir/initramfs.log" 2>&1; then
		say FAIL "$series" "vm: initramfs for $release not built: $(tail -n 1 "$dir/initramfs.log")"
		return
	fi
	local t_initrd
	t_initrd=$(elapsed "$t0")
	raw=$dir/console.raw log=$dir/console.log
	# cryptomgr.notests: the crypto self-tests are nothing we test, and once
	# (6.1, busy machine) cryptomgr_test spun for minutes under TCG ("soft
	# lockup") and the VM never reached user space; not seen since.
	# -nic none: the guest needs no network card, only its own veths.
	# thread=single: with one host thread per vCPU (thread=multi) QEMU 7.2
	# once let a vCPU run a stale copy of code another vCPU had just patched:
	# the int3 of a static-key flip (a tracepoint being attached) was hit after
	# the kernel had finished patching, "Oops: int3" in handle_softirqs, panic.
	# One thread running both vCPUs in turn sees every code write at once.
	: >"$raw" # empty now: the poll below must not find the last run's marker
	t0=$EPOCHREALTIME
	timeout -k 5 "$vm_timeout" qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 1024 -smp 2 \
		-nographic -no-reboot -nic none -kernel "$kdir/vmlinuz" -initrd "$dir/initrd" \
		-append "console=ttyS0 quiet panic=-1 cryptomgr.notests${PKTPATH_VM_APPEND:+ $PKTPATH_VM_APPEND}" </dev/null >"$raw" 2>&1 &
	QPID=$!
	# Poll the console only to time the boot as the host sees it.
	while kill -0 "$QPID" 2>/dev/null; do
		if [ -z "$t_boot" ] && grep -q 'PKTPATH-VM-BOOTED' "$raw"; then
			t_boot=$(elapsed "$t0")
		fi
		sleep 0.2
	done
	wait "$QPID"
	qrc=$?
	QPID=
	local t_total
	t_total=$(elapsed "$t0")
	# Serial output: CRLF line ends and the firmware's terminal escapes.
	sed -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' "$raw" >"$log"
	[ -z "$t_boot" ] && grep -q 'PKTPATH-VM-BOOTED' "$log" && t_boot=$t_total

	# Guest lines, in order; per script: did it say FAIL, how did it end.
	local line name rc cur='' cur_fails=0 ended=()
	while IFS= read -r line; do
		case $line in
		PASS\ * | FAIL\ *)
			say "${line%% *}" "$series" "${line#* }"
			[ "${line%% *}" = FAIL ] && cur_fails=$((cur_fails + 1))
			;;
		MATRIX\ *)
			echo "$series $release ${line#MATRIX }" >>"$matrix"
			;;
		BENCH\ *) # tests/vm/bench/flood.sh
			echo "$series $release ${line#BENCH }" >>"$benchout"
			;;
		PKTPATH-VM-SCRIPT-BEGIN\ *)
			cur=${line#* } cur_fails=0
			;;
		PKTPATH-VM-SCRIPT-END\ *)
			read -r _ name rc <<<"$line"
			rc=${rc#rc=}
			ended+=("$name")
			if [ "$rc" = 124 ] || [ "$rc" = 143 ]; then
				say FAIL "$series" "$name: timed out after ${PKTPATH_VM_SCRIPT_TIMEOUT}s in the guest"
			elif [ "$rc" != 0 ] && [ "$cur_fails" -eq 0 ]; then
				say FAIL "$series" "$name: exited with status $rc without reporting a failure"
			fi
			cur=
			;;
		esac
	done <"$log"

	if grep -q '^PKTPATH-VM-END ' "$log"; then
		local guest_up
		guest_up=$(sed -n 's/.*PKTPATH-VM-BOOTED uptime=\([0-9.]*\).*/\1/p' "$log")
		say PASS "$series" "vm: $release booted (user space after ${t_boot}s, guest clock ${guest_up}s), ${#ended[@]} guest script(s) ran, powered off after ${t_total}s (initramfs ${t_initrd}s)"
	else
		local why
		if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
			why="killed after ${vm_timeout}s"
		else
			why="qemu exited with status $qrc after ${t_total}s"
		fi
		if [ -z "$t_boot" ]; then
			why="never reached user space ($why)"
		elif [ -n "$cur" ]; then
			why="no end marker: died in guest script $cur ($why)"
		else
			why="no end marker ($why)"
		fi
		# The line that says most: a panic or oops if there is one, else the
		# guest's last word (qemu's own "terminating on signal" says nothing).
		local last
		last=$(grep -m1 -E 'Kernel panic|BUG:|Oops|Unable to|not syncing' "$log")
		[ -n "$last" ] || last=$(grep -v -e '^\s*$' -e '^qemu-system' "$log" | tail -n 1)
		say FAIL "$series" "vm: $release: $why; console: ${last:0:200}"
		echo "---- $log (last 20 lines)"
		tail -n 20 "$log"
		echo "----"
	fi
}

# Results for the README's kernel table: "SERIES RELEASE BACKEND COLUMN VALUE"
# lines from the guests' MATRIX lines, made into build/vm/kernel-table.md.
matrix=build/vm/matrix.txt
mkdir -p build/vm
: >"$matrix"
# Benchmark figures, "SERIES RELEASE ..." (tests/vm/bench/report.sh).
benchout=build/vm/bench.txt
: >"$benchout"
total0=$EPOCHREALTIME
for series in "${kernels[@]}"; do
	k=$(tests/vm/kernels.sh "$series" 2>&1)
	read -r _ kdir reason <<<"$k"
	if [ "$kdir" = - ] || [ ! -d "$kdir" ]; then
		say FAIL "$series" "vm: no kernel: ${reason:-$k}"
		continue
	fi
	boot "$series" "$kdir"
done
tests/vm/table.sh "$matrix" >build/vm/kernel-table.md && echo "# kernel table: build/vm/kernel-table.md"
# Said again last: tests/run.sh shows this log's tail when something failed.
[ "${#fails[@]}" -gt 0 ] && printf '# failed: %s\n' "${fails[@]}"
echo "# vm matrix: ${#kernels[@]} kernel(s) in $(elapsed "$total0")s, $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
