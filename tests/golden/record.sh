#!/bin/bash
# Regenerates the golden tier (needs root: it runs the lab and pktpath live).
#   tests/golden/record.sh            every case
# For each case below, pktpath traces the lab live once per output mode with
# --record; the recording and what the live run printed (stdout, the report
# on stderr, the pcapng with -w) become the case's expected files. Run it
# when the event or record format changes on purpose, look at `git diff
# --stat tests/golden` and at the new outputs, and commit them together with
# the change. tests/golden/run.sh then replays them without privileges.
set -u
cd "$(dirname "$0")/../.."
PKTPATH=${PKTPATH:-$PWD/build/pktpath}
. tests/lib/lab.sh
. tests/lib/check.sh
TOOLS=$PWD/build/tools
OUT=tests/golden/cases
[ "$(id -u)" -eq 0 ] || { echo "record.sh: needs root (it traces a lab live)" >&2; exit 3; }
[ -x "$PKTPATH" ] && [ -x "$TOOLS/udpecho" ] || { echo "record.sh: build first: make all tests" >&2; exit 1; }

lab_up gold 70 || { echo "record.sh: lab setup failed" >&2; exit 1; }
A=198.18.70.1 B=198.18.70.2
lab_exec gold-b iptables -A INPUT -p udp --dport 9999 -j DROP || exit 1
lab_bg gold-b "$TOOLS/udpecho" serve 7000 1000 600 >/dev/null

# The lab scenarios, one function each: what traffic goes by while tracing.
traffic_drops() { # a ping, a closed UDP port, a closed TCP port, a firewall drop
	lab_exec gold-a ping -c 1 -W 1 $B >/dev/null
	lab_exec gold-a bash -c "echo closed > /dev/udp/$B/7778"
	lab_exec gold-a bash -c "exec 3<>/dev/tcp/$B/8080" 2>/dev/null
	lab_exec gold-a bash -c "echo firewalled > /dev/udp/$B/9999"
	sleep 0.3
}
traffic_exchange() { # UDP request and answer, both read by their sockets
	lab_exec gold-a "$TOOLS/udpecho" ask $B 7000 >/dev/null
	lab_exec gold-a "$TOOLS/udpecho" ask $B 7000 >/dev/null
	sleep 0.3
}

# Modes: name and the output options, the same live and in the replay.
MODES=(
	"timelines|"
	"stream|--stream"
	"json|--json"
	"drops|--drops"
	"stream-drops|--stream --drops"
	"json-drops|--json --drops"
	"pcapng|-w out.pcapng"
)

record_case() { # case, netns-selection args...
	local c=$1 m name args
	shift
	mkdir -p "$OUT/$c"
	rm -f "$OUT/$c"/*
	for m in "${MODES[@]}"; do
		name=${m%%|*}
		args=${m#*|}
		local d=$PWD/$OUT/$c/$name run=$LAB_DIR/$c-$name
		# In a directory of its own: -w's file name is in the report.
		mkdir -p "$run.d"
		# shellcheck disable=SC2086
		(cd "$run.d" && pp_start "$run" --record "$d.rec" $args "$@" && "traffic_$c" && pp_stop && exit "$PP_RC")
		PP_RC=$?
		[ "$PP_RC" -eq 0 ] || { echo "record.sh: $c/$name: pktpath exited $PP_RC" >&2; exit 1; }
		printf '%s\n' "$args" >"$d.args"
		cp "$run.out" "$d.out"
		# What only a live run prints: the backend line, "ready" and the
		# nftables trace table it adds, removes or does not need.
		grep -vE '^(backend: |pktpath: ready$|pktpath: nftables: )' "$run.err" >"$d.err"
		[ -e "$run.d/out.pcapng" ] && cp "$run.d/out.pcapng" "$d.pcapng"
		echo "recorded $d ($(stat -c %s "$d.rec") bytes)"
	done
}

record_case drops 'net 198.18.70.0/24'
record_case exchange -n gold-a 'udp port 7000'
