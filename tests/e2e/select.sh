# --netns and -i select in the kernel: while traffic flows in another lab
# (which also has a veth-b) and on loopback, only the chosen namespace and
# interface are reported.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up pps 12 || { fail "lab setup"; exit 1; }
lab_up ppx 13 || { fail "second lab setup"; exit 1; }

noise() { # traffic everywhere but pps-b's veth-b
	ip netns exec ppx-a ping -c 30 -i 0.02 198.18.13.2 >/dev/null &
	ip netns exec ppx-b ping -c 30 -i 0.02 127.0.0.1 >/dev/null &
	ip netns exec pps-a ping -c 30 -i 0.02 127.0.0.1 >/dev/null &
}
signal() { ip netns exec pps-a ping -c 5 -i 0.1 198.18.12.2 >/dev/null; }

# Every event line's NETNS ($5) and IFACE ($6) columns.
only() { # file netns iface
	awk -v ns="$2" -v ifc="$3" 'NR>1 && $1 !~ /^stack:/ && ($5 != ns || (ifc != "" && $6 != ifc))' "$1"
}
run_case() { # label, pktpath args...
	local label=$1
	shift
	pp_start "$LAB_DIR/$label" --stream "$@" || { fail "$label: pktpath started"; cat "$LAB_DIR/$label.err"; return; }
	noise
	signal
	wait $(jobs -p | grep -v "^$PP_PID\$") 2>/dev/null
	pp_stop
}

run_case byname --netns pps-b -i veth-b
check "--netns NAME -i IF: the lab's echo requests are there" \
	[ "$(grep -c 'echo-request id [0-9]* seq' "$LAB_DIR/byname.out")" -ge 5 ]
leak=$(only "$LAB_DIR/byname.out" pps-b veth-b)
check "--netns NAME -i IF: no event from another namespace or interface" [ -z "$leak" ]
check "--netns NAME -i IF: nothing of the other lab" bash -c "! grep -q '198.18.13' '$LAB_DIR/byname.out'"

ino=$(stat -L -c %i /run/netns/pps-b)
run_case byinode --netns "$ino"
check "--netns INODE: the lab's packets are there" [ "$(grep -c '198.18.12.1 > 198.18.12.2' "$LAB_DIR/byinode.out")" -ge 5 ]
leak=$(only "$LAB_DIR/byinode.out" pps-b "")
check "--netns INODE: every event is in that namespace" [ -z "$leak" ]

# Inside the namespace, -i alone means pktpath's own namespace; ppx-b has a
# veth-b too, busy with its own traffic.
ip netns exec pps-b "$PKTPATH" --stream -i veth-b -t 3 >"$LAB_DIR/own.out" 2>"$LAB_DIR/own.err" &
own=$!
for i in $(seq 1 50); do grep -q ready "$LAB_DIR/own.err" && break; sleep 0.1; done
noise
signal
wait $own
check "-i IF in pktpath's own namespace: exit 0" [ $? -eq 0 ]
check "-i IF in pktpath's own namespace: the lab's packets are there" \
	[ "$(grep -c '198.18.12.1 > 198.18.12.2' "$LAB_DIR/own.out")" -ge 5 ]
leak=$(only "$LAB_DIR/own.out" pps-b veth-b)
check "-i IF in pktpath's own namespace: nothing from the other veth-b" [ -z "$leak" ]

"$PKTPATH" --netns pps-b -i nosuch0 >"$LAB_DIR/e1.out" 2>"$LAB_DIR/e1.err"
rc=$?
check "unknown interface: exit status 5 (got $rc)" [ $rc -eq 5 ]
check "unknown interface: one line naming it" bash -c "[ \$(wc -l <'$LAB_DIR/e1.err') -eq 1 ] && grep -q \"no interface 'nosuch0'\" '$LAB_DIR/e1.err'"
"$PKTPATH" --netns nosuch-ns >"$LAB_DIR/e2.out" 2>"$LAB_DIR/e2.err"
rc=$?
check "unknown namespace: exit status 5 (got $rc)" [ $rc -eq 5 ]
check "unknown namespace: one line naming it" bash -c "[ \$(wc -l <'$LAB_DIR/e2.err') -eq 1 ] && grep -q \"unknown network namespace 'nosuch-ns'\" '$LAB_DIR/e2.err'"
"$PKTPATH" --netns /etc/hostname >/dev/null 2>"$LAB_DIR/e3.err"
rc=$?
check "a file that is not a namespace: exit status 5 (got $rc)" [ $rc -eq 5 ]
