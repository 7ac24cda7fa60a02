#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
# Who sent it, where the host cannot show it: on x86_64 an interrupt that
# arrives while a process runs in user mode runs its softirqs on that
# process's kernel stack (the host's virtualisation never does). A TCP
# client's data goes unacknowledged, so the kernel retransmits it from the
# timer while processes spin in user mode on every CPU; each retransmission
# must name the client, never the process that happened to be interrupted.
# Every backend: tracepoint, fentry and kprobe (by address before 5.15).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"
. "$here/../../lib/kernel_caps.sh"

lab_up vmown 75 || { fail "lab setup"; exit 1; }

for backend in tracepoint fentry kprobe; do
	lab_exec vmown-b busybox nc -l -p 8081 >/dev/null &
	LAB_PIDS+=($!)
	sleep 0.3
	pp_start "$LAB_DIR/$backend" --backend "$backend" --stream -n vmown-a 'tcp port 8081' || {
		fail "$backend: pktpath started"
		cat "$LAB_DIR/$backend.err"
		continue
	}
	# The client connects, waits for the ACK filter, sends (printf is a
	# builtin: bash itself writes), then waits in sleep, not in user mode
	# itself, while the timer resends.
	ip netns exec vmown-a bash -c 'exec 3<>/dev/tcp/198.18.75.2/8081 || exit 1
		sleep 0.5; printf "%20000s" x >&3; sleep 3; exec 3>&-' &
	client=$!
	sleep 0.2
	lab_exec vmown-a iptables -A INPUT -p tcp --sport 8081 -j DROP
	spinners=()
	for _ in $(seq 1 "$(nproc)"); do
		timeout 3 bash -c 'while :; do :; done' &
		spinners+=($!)
	done
	wait "${spinners[@]}" $client
	lab_exec vmown-a iptables -D INPUT -p tcp --sport 8081 -j DROP
	sleep 0.3
	pp_stop

	# Stream columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
	sent=$(awk '$4 == "net_dev_queue" && /198.18.75.1:[0-9]+ > 198.18.75.2:8081/' "$LAB_DIR/$backend.out")
	others=$(awk -v p="$client" '$8 != p' <<<"$sent" | grep -c .)
	spun=$(awk -v p="$client" '$8 != p && $9 == "bash"' <<<"$sent" | grep -c .)
	echo "# $backend: $(grep -c . <<<"$sent") segments, $others sent while another task was current, $spun of them a spinner"
	check "$backend: segments sent from the timer while another task was current ($others)" [ "$others" -gt 0 ]
	check "$backend: every segment owned by the client $client/bash" \
		[ -z "$(awk -v o="$client/bash" '$10 != o' <<<"$sent")" ]
	awk -v o="$client/bash" '$10 != o' <<<"$sent" | head -3 | sed 's/^/# wrong: /'
	if [ "$others" -gt 0 ] && [ -z "$(awk -v o="$client/bash" '$10 != o' <<<"$sent")" ]; then
		matrix "$backend" owners "yes (timer retransmissions too)"
	else
		matrix "$backend" owners "FAILED"
	fi
done
