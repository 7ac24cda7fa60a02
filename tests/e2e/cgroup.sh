# Who sent it, on a host that runs containers: two "containers" (cgroup v2
# subtrees named as Docker and containerd/CRI name theirs, each in its own
# network namespace) send TCP at once. Every packet names its cgroup and the
# container id; --cgroup and --container select exactly one of them, TCP
# ACKs sent from softirq included; a process in /system.slice/NAME.service
# is named by that service; `pktpath -- CMD` traces exactly CMD's packets
# and exits with CMD's status; a recording replays the cgroup names after
# the cgroups are gone. Every cgroup the test makes is removed at exit.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools

# The cgroup2 mount, from mountinfo (hybrid hosts have it elsewhere than
# /sys/fs/cgroup). Field 5 is the mount point; the type follows " - ".
MNT=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -1)
if [ -z "$MNT" ]; then
	fail "cgroup v2 is not mounted on this host: the cgroup tests cannot run"
	exit 1
fi

CGS=() # made by the test, deepest last; removed in reverse
cg_make() {
	mkdir "$1" && CGS+=("$1")
}
cg_down() {
	local i d p
	for ((i = ${#CGS[@]} - 1; i >= 0; i--)); do
		d=${CGS[$i]}
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		for _ in $(seq 1 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
		[ -d "$d" ] && echo "# could not remove cgroup $d" >&2
	done
	CGS=()
}
trap 'cg_down; lab_down' EXIT

lab_up ppc1 41 || { fail "lab setup"; exit 1; }
lab_up ppc2 42 || { fail "lab setup"; exit 1; }

DOCKER_ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CRI_ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
POD_UID=1234abcd_5678_90ef_1234_567890abcdef
TOP=$MNT/pptest$$.slice
cg_make "$TOP" || { fail "making cgroups under $MNT"; exit 1; }
DOCKER_CG=$TOP/docker-$DOCKER_ID.scope
POD_CG=$TOP/kubepods-burstable-pod$POD_UID.slice
CRI_CG=$POD_CG/cri-containerd-$CRI_ID.scope
cg_make "$DOCKER_CG" && cg_make "$POD_CG" && cg_make "$CRI_CG" || { fail "making container cgroups"; exit 1; }
DOCKER_REL=${DOCKER_CG#"$MNT"}
CRI_REL=${CRI_CG#"$MNT"}

# in_cg CGROUP NS CMD...: CMD joins CGROUP, then runs in namespace NS.
in_cg() {
	local cg=$1 ns=$2
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" && shift 2 && exec ip netns exec "$@"' sh "$cg" "$ns" "$ns" "$@"
}

wait_listen() {
	for _ in $(seq 1 50); do grep -q listening "$1" && return 0; sleep 0.1; done
	return 1
}

# One round: a TCP peer server in each lab's b side, a client in each
# container; the clients write small pieces, so the servers' data is
# ACKed on its own, from softirq.
round() {
	local port=$1
	ip netns exec ppc1-b "$TOOLS/tcppeer" server "$port" 20000 >"$LAB_DIR/s1.$port" &
	LAB_PIDS+=($!)
	ip netns exec ppc2-b "$TOOLS/tcppeer" server "$port" 20000 >"$LAB_DIR/s2.$port" &
	LAB_PIDS+=($!)
	wait_listen "$LAB_DIR/s1.$port" && wait_listen "$LAB_DIR/s2.$port" || return 1
	in_cg "$DOCKER_CG" ppc1-a "$TOOLS/tcppeer" client 198.18.41.2 "$port" 20000 &
	local c1=$!
	in_cg "$CRI_CG" ppc2-a "$TOOLS/tcppeer" client 198.18.42.2 "$port" 20000 &
	local c2=$!
	wait $c1 $c2
	sleep 0.5
}

EXPR='net 198.18.41.0/24 or net 198.18.42.0/24'
D=$LAB_DIR

# 1. Everything, as JSON, recorded: both containers, each named.
pp_start "$D/all" --json --record "$D/all.rec" -w "$D/all.pcapng" "$EXPR" || { fail "pktpath started"; cat "$D/all.err"; exit 1; }
round 8090 || fail "round 1 servers listening"
pp_stop
check "all: pktpath exited 0 ($PP_RC)" [ "$PP_RC" -eq 0 ]
# Owned timelines of each container's client: every owner in the docker
# scope names it, with the container's id.
own() { # file, cgroup path (relative) -> owners of packets with it
	jq -c --arg p "$2" '.events[] | select(.owner and .owner.cgroup_path == $p) | .owner' "$1" 2>/dev/null
}
d_own=$(own "$D/all.out" "$DOCKER_REL")
c_own=$(own "$D/all.out" "$CRI_REL")
check "all: events owned in the docker scope ($(grep -c . <<<"$d_own"))" [ -n "$d_own" ]
check "all: events owned in the CRI scope ($(grep -c . <<<"$c_own"))" [ -n "$c_own" ]
check "all: docker owners carry runtime docker and the full id" \
	[ -z "$(jq -c --arg id "$DOCKER_ID" 'select(.container.runtime != "docker" or .container.id != $id)' <<<"$d_own")" ]
check "all: CRI owners carry runtime containerd, the id, the pod uid and QoS" \
	[ -z "$(jq -c --arg id "$CRI_ID" 'select(.container.runtime != "containerd" or .container.id != $id or .pod.uid != "1234abcd-5678-90ef-1234-567890abcdef" or .pod.qos != "burstable")' <<<"$c_own")" ]
# Packets from each client's address: owned by that container's process.
src_own() { # file, source address -> cgroup paths of owners of TCP sent from it
	jq -r --arg a "$2" '.events[] | select(.group == "net_dev_queue" and (.packet | startswith("TCP " + $a + ":")) and .owner) | .owner.cgroup_path' "$1"
}
check "all: every segment sent from 198.18.41.1 is owned in the docker scope" \
	[ -z "$(src_own "$D/all.out" 198.18.41.1 | grep -vxF "$DOCKER_REL")" ]
check "all: every segment sent from 198.18.42.1 is owned in the CRI scope" \
	[ -z "$(src_own "$D/all.out" 198.18.42.1 | grep -vxF "$CRI_REL")" ]
check "all: segments sent from 198.18.41.1 owned" [ -n "$(src_own "$D/all.out" 198.18.41.1)" ]
check "all: segments sent from 198.18.42.1 owned" [ -n "$(src_own "$D/all.out" 198.18.42.1)" ]

comments=$(tshark -r "$D/all.pcapng" -T fields -e frame.comment 2>/dev/null)
check "pcapng: a comment has the docker scope's full path and id" \
	grep -qF "; cgroup $DOCKER_REL container docker $DOCKER_ID" <<<"$comments"
check "pcapng: a comment has the CRI scope's full path, id and pod" \
	grep -qF "; cgroup $CRI_REL container containerd $CRI_ID pod $POD_UID burstable" <<<"$comments"

# 2. The text form of the same run (replay): the short container ids.
"$PKTPATH" -r "$D/all.rec" >"$D/all.txt" 2>"$D/all.rerr"
check "replay: text names the docker container (ctr ${DOCKER_ID:0:12})" grep -q "ctr ${DOCKER_ID:0:12}" "$D/all.txt"
check "replay: text names the CRI container and its pod" \
	grep -q "ctr ${CRI_ID:0:12} pod 1234abcd.* (burstable)" "$D/all.txt"
"$PKTPATH" -r "$D/all.rec" --json >"$D/all.rjson" 2>/dev/null
check "replay: the JSON is the live JSON, cgroup fields included" cmp -s "$D/all.out" "$D/all.rjson"
"$PKTPATH" -r "$D/all.rec" --summary-by owner >/dev/null 2>"$D/all.sum"
check "replay: --summary-by owner has a line for each container's client" \
	bash -c "grep -q 'tcppeer) ctr ${DOCKER_ID:0:12}' '$D/all.sum' && grep -q 'tcppeer) ctr ${CRI_ID:0:12}' '$D/all.sum'"
sed -n '/^by owner/,/^drop locations/p' "$D/all.sum" | head -8 | sed 's/^/# /'

# 3. --cgroup: only the docker container, its softirq ACKs included.
pp_start "$D/sel" --json --cgroup "$DOCKER_REL" "$EXPR" || { fail "--cgroup: pktpath started"; cat "$D/sel.err"; exit 1; }
round 8091 || fail "round 2 servers listening"
pp_stop
n_sel=$(jq -c '.events[]' "$D/sel.out" | grep -c .)
check "--cgroup: events selected ($n_sel)" [ "$n_sel" -gt 0 ]
check "--cgroup: every event owned in the docker scope" \
	[ -z "$(jq -c --arg p "$DOCKER_REL" '.events[] | select((.owner.cgroup_path // "") != $p)' "$D/sel.out")" ]
check "--cgroup: nothing of the other container's lab" bash -c "! grep -q '198\.18\.42\.' '$D/sel.out'"
# Pure ACKs the kernel sent for the client while another task was current.
acks=$(jq -c '.events[] | select(.group == "net_dev_queue" and (.packet | test("^TCP 198\\.18\\.41\\.1:[0-9]+ > .*\\[\\.\\]")) and .pid != .owner.pid)' "$D/sel.out" | grep -c .)
check "--cgroup: the client's ACKs sent from softirq are there ($acks)" [ "$acks" -gt 0 ]

# 4. --container ID-PREFIX: only the CRI one.
pp_start "$D/ctr" --json --container "${CRI_ID:0:8}" "$EXPR" || { fail "--container: pktpath started"; cat "$D/ctr.err"; exit 1; }
round 8092 || fail "round 3 servers listening"
pp_stop
n_ctr=$(jq -c '.events[]' "$D/ctr.out" | grep -c .)
check "--container: events selected ($n_ctr)" [ "$n_ctr" -gt 0 ]
check "--container: every event owned in the CRI scope" \
	[ -z "$(jq -c --arg p "$CRI_REL" '.events[] | select((.owner.cgroup_path // "") != $p)' "$D/ctr.out")" ]
check "--container: nothing of the docker container's lab" bash -c "! grep -q '198\.18\.41\.' '$D/ctr.out'"
"$PKTPATH" --container "ffff${CRI_ID:4:4}zz" -t 1 >/dev/null 2>"$D/bad.err"
rc=$?
check "--container with a bad prefix: usage error 2 ($rc)" [ "$rc" -eq 2 ]
check "--container with a bad prefix: one line" [ "$(grep -c . "$D/bad.err")" -eq 1 ]
"$PKTPATH" --container 0123456789abcdef0123 -t 1 >/dev/null 2>"$D/bad3.err"
rc=$?
check "--container matching nothing: exit 5, says so ($rc)" \
	bash -c "[ $rc -eq 5 ] && grep -q 'no running container' '$D/bad3.err'"
"$PKTPATH" --cgroup /no/such/pptest -t 1 >/dev/null 2>"$D/bad2.err"
rc=$?
check "--cgroup with an unknown path: exit 5 and says so ($rc)" \
	bash -c "[ $rc -eq 5 ] && grep -q \"no cgroup '/no/such/pptest'\" '$D/bad2.err'"

# 5. A process in /system.slice/NAME.service is named by the service.
SVC=pptest$$-web.service
if [ ! -d "$MNT/system.slice" ]; then cg_make "$MNT/system.slice" || fail "making system.slice"; fi
cg_make "$MNT/system.slice/$SVC" || fail "making $SVC"
pp_start "$D/svc" 'net 198.18.41.0/24' || { fail "service: pktpath started"; exit 1; }
ip netns exec ppc1-b "$TOOLS/tcppeer" server 8093 2000 >"$D/s.8093" &
LAB_PIDS+=($!)
wait_listen "$D/s.8093"
in_cg "$MNT/system.slice/$SVC" ppc1-a "$TOOLS/tcppeer" client 198.18.41.2 8093 2000
sleep 0.5
pp_stop
check "service: timelines name 'svc $SVC'" grep -q "owner [0-9]* (tcppeer) svc $SVC " "$D/svc.out"

# 6. pktpath -- CMD: exactly curl's packets while another client talks to
# the same server (from a second address), and curl's exit status.
ip -n ppc1-a addr add 198.18.41.3/24 dev veth-a
ip netns exec ppc1-b "$TOOLS/httpd" 8080 >"$D/httpd.log" &
LAB_PIDS+=($!)
wait_listen "$D/httpd.log" || fail "httpd listening"
(end=$((SECONDS + 40)); while [ $SECONDS -lt $end ]; do ip netns exec ppc1-a curl -s --interface 198.18.41.3 http://198.18.41.2:8080/ >/dev/null; sleep 0.05; done) &
other=$!
LAB_PIDS+=($other)
sleep 0.3
"$PKTPATH" --json -- ip netns exec ppc1-a curl -s http://198.18.41.2:8080/ >"$D/cmd.out" 2>"$D/cmd.err"
rc=$?
check "-- curl: pktpath exits with curl's status 0 ($rc)" [ "$rc" -eq 0 ]
check "-- curl: curl's own output is there" grep -qx ok "$D/cmd.out"
grep '^{' "$D/cmd.out" >"$D/cmd.json"
n_cmd=$(grep -c . "$D/cmd.json")
check "-- curl: packets printed ($n_cmd)" [ "$n_cmd" -gt 0 ]
check "-- curl: every event is owned by curl in pktpath's cgroup" \
	[ -z "$(jq -c '.events[] | select(.owner.comm != "curl" or (.owner.cgroup_path | test("^/pktpath-[0-9]+$") | not))' "$D/cmd.json")" ]
check "-- curl: its connection's SYN is there" \
	bash -c "jq -r '.events[].packet' '$D/cmd.json' | grep -q '^TCP 198.18.41.1:[0-9]* > 198.18.41.2:8080 \[S\]'"
ports=$(jq -r '.events[] | select(.group == "net_dev_queue") | .packet' "$D/cmd.json" | grep -oE '^TCP 198\.18\.41\.1:[0-9]+' | sort -u | grep -c .)
check "-- curl: one connection, curl's ($ports)" [ "$ports" -eq 1 ]
check "-- curl: nothing of the other client (198.18.41.3)" bash -c "! grep -q '198\.18\.41\.3' '$D/cmd.json'"
check "-- curl: the cgroup is gone afterwards" bash -c "! ls -d '$MNT'/pktpath-* 2>/dev/null | grep -q ."
"$PKTPATH" -- ip netns exec ppc1-a curl -sf http://198.18.41.2:8080/missing >/dev/null 2>&1
rc=$?
check "-- curl -f on a 404: pktpath exits with curl's 22 ($rc)" [ "$rc" -eq 22 ]
"$PKTPATH" -- /nonexistent/pptest-cmd >/dev/null 2>"$D/nx.err"
rc=$?
check "-- a command that does not exist: 127 ($rc)" [ "$rc" -eq 127 ]
check "-- a command that does not exist: says so" grep -q "cannot run /nonexistent/pptest-cmd" "$D/nx.err"
"$PKTPATH" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
rc=$?
check "-- a command killed by SIGTERM: 143 as a shell says ($rc)" [ "$rc" -eq 143 ]
kill $other 2>/dev/null
wait $other 2>/dev/null

# SIGTERM to pktpath alone is passed on to CMD; pktpath exits with its status.
"$PKTPATH" -- sleep 30 >/dev/null 2>"$D/term.err" &
pp=$!
LAB_PIDS+=($pp)
for _ in $(seq 1 100); do [ -s "$MNT/pktpath-$pp/cgroup.procs" ] && break; sleep 0.1; done
kill -TERM "$pp"
wait "$pp"
rc=$?
check "SIGTERM to pktpath -- sleep 30 ends sleep, pktpath exits 143 ($rc)" [ "$rc" -eq 143 ]
check "and its cgroup is gone" [ ! -d "$MNT/pktpath-$pp" ]

# 7. What a SIGKILLed pktpath left is removed by the next start.
"$PKTPATH" -- sleep 30 >/dev/null 2>&1 &
victim=$!
for _ in $(seq 1 100); do [ -d "$MNT/pktpath-$victim" ] && break; sleep 0.1; done
check "-- sleep: pktpath-$victim made" [ -d "$MNT/pktpath-$victim" ]
for _ in $(seq 1 100); do [ -s "$MNT/pktpath-$victim/cgroup.procs" ] && break; sleep 0.1; done
left=$(cat "$MNT/pktpath-$victim/cgroup.procs" 2>/dev/null)
LAB_PIDS+=($left) # the orphaned sleep: killed at teardown
kill -9 "$victim"
wait "$victim" 2>/dev/null
"$PKTPATH" -- true >/dev/null 2>&1
check "a killed pktpath's cgroup is removed by the next start" [ ! -d "$MNT/pktpath-$victim" ]
check "its process was there and survived it (${left:-none})" [ -n "$left" ]
