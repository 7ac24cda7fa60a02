# Selection targets that go away while pktpath runs are said once, as they
# go: the -i interface deleted, moved to another namespace, or created again
# with a new index, and the traced namespace deleted.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/../lib/bpfheld.sh"
for ns in ppv-a ppv-b; do ip netns add $ns && LAB_NAMESPACES+=($ns) || { fail "lab setup"; exit 1; }; done

# waits up to 5 s for PATTERN in FILE
wait_for() {
	local i
	for i in $(seq 1 50); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

said_once() { # what, file, pattern
	wait_for "$2" "$3"
	check "$1: said within 5 s" grep -q -- "$3" "$2"
	sleep 1.5 # a second check would say it again
	check "$1: said once ($(grep -c -- "$3" "$2"))" [ "$(grep -c -- "$3" "$2")" -eq 1 ]
}

ip -n ppv-a link add vd0 type veth peer name vd0p
pp_start "$LAB_DIR/del" -n ppv-a -i vd0 || { fail "deleted interface: pktpath started"; cat "$LAB_DIR/del.err"; }
ip -n ppv-a link del vd0
said_once "interface deleted" "$LAB_DIR/del.err" "interface 'vd0' (ifindex [0-9]*) is gone from network namespace ppv-a"
pp_stop
check "interface deleted: exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]

ip -n ppv-a link add vd1 type veth peer name vd1p
pp_start "$LAB_DIR/move" -n ppv-a -i vd1 || fail "moved interface: pktpath started"
ip -n ppv-a link set vd1 netns ppv-b
said_once "interface moved to another namespace" "$LAB_DIR/move.err" "interface 'vd1' (ifindex [0-9]*) is gone"
pp_stop

ip -n ppv-a link add vd2 type veth peer name vd2p
pp_start "$LAB_DIR/again" -n ppv-a -i vd2 || fail "recreated interface: pktpath started"
ip -n ppv-a link del vd2
ip -n ppv-a link add vd2 type veth peer name vd2p
said_once "interface deleted and created again" "$LAB_DIR/again.err" "interface 'vd2'.*\(is now ifindex\|is gone\)"
pp_stop

pp_start "$LAB_DIR/ns" -n ppv-b || fail "deleted namespace: pktpath started"
ip netns del ppv-b
said_once "namespace deleted" "$LAB_DIR/ns.err" "network namespace ppv-b (inode [0-9]*) was deleted"
pp_stop
check "namespace deleted: exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
sleep 60 &
victim=$!
pp_start "$LAB_DIR/pid" -p $victim || fail "exited process: pktpath started"
kill $victim
wait $victim 2>/dev/null
said_once "the -p process exited" "$LAB_DIR/pid.err" "process $victim (-p) exited"
pp_stop
check "nothing left attached" [ -z "$(pp_orphans)" ]
