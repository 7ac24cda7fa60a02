#!/bin/bash
# Runs inside a test VM (tests/vm/run.sh), once per Debian kernel.
# --cgroup with the backends the host cannot run: two clients in two
# cgroups talk TCP at once; with fentry and with kprobe, --cgroup shows
# every packet of one (its ACKs sent from softirq included) and nothing of
# the other; `pktpath -- CMD` traces only CMD and exits with its status.
# The guest's init does not mount cgroup2: this script does, if needed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/lab.sh"
. "$here/../../lib/check.sh"

MNT=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -1)
if [ -z "$MNT" ]; then
	mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || { fail "mounting cgroup2"; exit 1; }
	MNT=/sys/fs/cgroup
fi
mkdir -p "$MNT/vmcg-a" "$MNT/vmcg-b" || { fail "making cgroups"; exit 1; }
trap 'rmdir "$MNT/vmcg-a" "$MNT/vmcg-b" 2>/dev/null; lab_down' EXIT

lab_up vmcg 76 || { fail "lab setup"; exit 1; }

# client CGROUP PORT: connects, sends, reads the server's 20000 bytes (so
# its kernel ACKs them from softirq), in CGROUP from before the socket. It
# joins before `ip netns exec`, which mounts a sysfs of its own over /sys.
client() {
	bash -c 'echo $$ >"$1/cgroup.procs" || exit 1
		exec ip netns exec vmcg-a bash -c "exec 3<>/dev/tcp/198.18.76.2/$2 || exit 1
		printf \"%2000s\" x >&3; read -r -N 20000 -u 3 _; exec 3>&-"' bash "$MNT/$1" "$2" &
}
server() {
	ip netns exec vmcg-b bash -c 'printf "%20000s" y | busybox nc -l -p "$1" >/dev/null' bash "$1" &
	LAB_PIDS+=($!)
}

for backend in fentry kprobe; do
	server 8081
	server 8082
	sleep 0.3
	pp_start "$LAB_DIR/$backend" --backend "$backend" --stream -n vmcg-a --cgroup /vmcg-a 'tcp' || {
		fail "$backend: pktpath started"
		cat "$LAB_DIR/$backend.err"
		continue
	}
	client vmcg-a 8081
	a=$!
	client vmcg-b 8082
	b=$!
	wait $a $b
	sleep 0.5
	pp_stop
	# Columns: TIME SKB CPU PROBE NETNS IFACE PKT_TYPE PID COMM OWNER PACKET...
	ev=$(awk 'NR > 1 && $4 != "" && $1 !~ /^stack:/' "$LAB_DIR/$backend.out")
	n=$(grep -c . <<<"$ev")
	check "$backend --cgroup: events of the client in vmcg-a ($n)" [ "$n" -gt 5 ]
	check "$backend --cgroup: every one owned by $a/bash" [ -z "$(awk -v o="$a/bash" '$10 != o' <<<"$ev")" ]
	[ "$n" -gt 5 ] || sed 's/^/# /' "$LAB_DIR/$backend.err" | head -5
	check "$backend --cgroup: nothing of port 8082 (the other cgroup)" bash -c "! grep -q ':8082' <<<'$ev'"
	soft=$(awk -v p="$a" '$8 != p && / > 198\.18\.76\.2:8081 \[\.\]/' <<<"$ev" | grep -c .)
	check "$backend --cgroup: ACKs sent while another task was current ($soft)" [ "$soft" -gt 0 ]
done

server 8083
sleep 0.3
"$PKTPATH" --backend kprobe --stream -- ip netns exec vmcg-a bash -c \
	'exec 3<>/dev/tcp/198.18.76.2/8083 || exit 1; read -r -N 20000 -u 3 _; exit 7' >"$LAB_DIR/cmd.out" 2>"$LAB_DIR/cmd.err"
rc=$?
check "kprobe -- CMD: exits with CMD's status 7 ($rc)" [ "$rc" -eq 7 ]
ev=$(awk 'NR > 1 && $4 != "" && $1 !~ /^stack:/' "$LAB_DIR/cmd.out")
check "kprobe -- CMD: its packets ($(grep -c . <<<"$ev"))" [ -n "$ev" ]
check "kprobe -- CMD: every one owned by bash" [ -z "$(awk '$10 !~ /\/bash$/' <<<"$ev")" ]
awk '$10 !~ /\/bash$/' <<<"$ev" | head -3 | sed 's/^/# not bash: /'
check "kprobe -- CMD: its cgroup is gone" bash -c "! ls -d '$MNT'/pktpath-* 2>/dev/null | grep -q ."
