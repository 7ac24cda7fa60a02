# Vague drop reasons made specific from the kernel's own state:
# - blackhole, prohibit and unreachable routes on a router: the drop at
#   ip_error names the route's kind, the destination and the route entry;
# - a tc BPF program returning TC_ACT_SHOT on a veth's ingress: the drop
#   names the program (kernel name and id, as tc and bpftool show them) and
#   the device;
# - a tbf qdisc with a tiny limit: the drop names the qdisc, its limit and
#   its drop counter.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"

hint_of() { # FILE REGEX: the hint line of the first packet whose header matches
	awk -v p="$2" '/^#[0-9]+ /{blk = ($0 ~ p)} blk && /hint:/' "$1" | head -1
}

# --- routes ---
lab_up xrt 112 || { fail "lab setup"; exit 1; }
lab_exec xrt-b sysctl -qw net.ipv4.ip_forward=1 || { fail "forwarding on"; exit 1; }
for n in 112 113 114; do
	lab_exec xrt-a ip route add 198.19.$n.0/24 via 198.18.112.2 || { fail "route via the router"; exit 1; }
done
lab_exec xrt-b ip route add blackhole 198.19.112.0/24 || { fail "blackhole route"; exit 1; }
lab_exec xrt-b ip route add prohibit 198.19.113.0/24 || { fail "prohibit route"; exit 1; }
lab_exec xrt-b ip route add unreachable 198.19.114.0/24 || { fail "unreachable route"; exit 1; }
pp_start "$LAB_DIR/rt" --drops --netns xrt-b 'udp and net 198.19.112.0/22' || { fail "pktpath started"; exit 1; }
for n in 112 113 114; do
	lab_exec xrt-a bash -c "echo x > /dev/udp/198.19.$n.9/53"
done
sleep 1
pp_stop
for k in 112:blackhole:"a blackhole route" 113:prohibit:"a prohibit route" 114:unreachable:"an unreachable route"; do
	n=${k%%:*}; rest=${k#*:}; type=${rest%%:*}; what=${rest#*:}
	h=$(hint_of "$LAB_DIR/rt.out" "> 198.19.$n.9:53 ")
	check "$type route: the hint names the destination, namespace and kind ($h)" \
		grep -qF "hint: the route to 198.19.$n.9 in netns xrt-b is $what" <<<"$h"
	check "$type route: and the route entry" grep -qF "(route $type 198.19.$n.0/24 table main;" <<<"$h"
done
check "blackhole: the drop is the kernel's NOT_SPECIFIED at ip_error" \
	grep -qE 'DROP NOT_SPECIFIED at ip_error' "$LAB_DIR/rt.out"
lab_down
LAB_DIR=$(mktemp -d /tmp/pktpath-lab.XXXXXX) # lab_down removed the first one

# --- a tc BPF program on ingress, and a qdisc ---
lab_up xtc 113 || { fail "lab setup"; exit 1; }
cat >"$LAB_DIR/shot.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
__attribute__((section("tc"), used)) int xtc_shot(struct __sk_buff *skb)
{
	return skb->protocol == __builtin_bswap16(0x0800) ? TC_ACT_SHOT : TC_ACT_OK;
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -c "$LAB_DIR/shot.c" -o "$LAB_DIR/shot.o" || { fail "build the tc program"; exit 1; }
lab_exec xtc-b tc qdisc add dev veth-b clsact || { fail "clsact"; exit 1; }
lab_exec xtc-b tc filter add dev veth-b ingress bpf da obj "$LAB_DIR/shot.o" sec tc || { fail "tc filter"; exit 1; }
id=$(lab_exec xtc-b tc filter show dev veth-b ingress | grep -oE ' id [0-9]+' | grep -oE '[0-9]+' | head -1)
pp_start "$LAB_DIR/tc" --drops --netns xtc-b udp || { fail "pktpath started"; exit 1; }
lab_exec xtc-a bash -c 'echo x > /dev/udp/198.18.113.2/7000'
sleep 0.5
pp_stop
h=$(hint_of "$LAB_DIR/tc.out" '198.18.113.1:[0-9]+ > 198.18.113.2:7000 ')
check "tc ingress drop: reason TC_INGRESS" grep -q 'DROP TC_INGRESS' "$LAB_DIR/tc.out"
check "tc ingress drop names device and direction ($h)" \
	grep -qF "hint: a tc program or filter on the ingress of veth-b in netns xtc-b dropped it (TC_ACT_SHOT)" <<<"$h"
check "tc ingress drop names the program and its id $id" \
	grep -qE "attached there: tc bpf program 'xtc_shot' id $id \(filter pref [0-9]+, loaded as 'shot.o:\[tc\]', direct-action\)" <<<"$h"
lab_exec xtc-b tc qdisc del dev veth-b clsact

lab_exec xtc-a tc qdisc add dev veth-a root handle 77: tbf rate 8kbit burst 1600 limit 3000 || { fail "tbf"; exit 1; }
pp_start "$LAB_DIR/qd" --drops --netns xtc-a 'udp port 7001' || { fail "pktpath started"; exit 1; }
lab_exec xtc-a bash -c 'for i in $(seq 20); do head -c 1000 /dev/zero > /dev/udp/198.18.113.2/7001; done'
sleep 0.5
pp_stop
drops=$(lab_exec xtc-a tc -s qdisc show dev veth-a | grep -oE 'dropped [0-9]+' | grep -oE '[0-9]+')
h=$(hint_of "$LAB_DIR/qd.out" '> 198.18.113.2:7001 ')
check "qdisc drop: reason QDISC_DROP" grep -q 'DROP QDISC_DROP' "$LAB_DIR/qd.out"
check "qdisc drop names the qdisc, its limit and drop counter ($h; tc says dropped $drops)" \
	grep -qE "on veth-a in netns xtc-a; there now: qdisc tbf 77: root limit 3000b, [0-9]+ dropped" <<<"$h"
