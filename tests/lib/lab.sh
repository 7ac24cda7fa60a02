# The lab: network namespaces joined by veth pairs, for tests and the demo.
# Source it; every namespace and background process it makes is removed on
# exit, whether the caller succeeds, fails or is interrupted.
#
#   lab_up NAME N        namespaces NAME-a and NAME-b, joined by veth-a <-> veth-b,
#                        198.18.N.1/24 on veth-a, 198.18.N.2/24 on veth-b
#   lab_exec NS CMD...   run CMD inside namespace NS
#   lab_bg NS CMD...     same, in the background; killed at teardown (pid in $!)
#   lab_ns NS            one more namespace (lo up), removed with the lab
#   lab_veth NS1 IF1 NS2 IF2
#                        a veth pair between two namespaces, both ends up
#   lab_down             remove everything now (also runs on EXIT)
#   $LAB_DIR             a scratch directory, removed with the lab
#
# Only 198.18.0.0/15 addresses, only inside namespaces the lab created: test
# traffic never reaches the host's own interfaces.

LAB_NAMESPACES=()
LAB_PIDS=()
LAB_DIR=$(mktemp -d /tmp/pktpath-lab.XXXXXX) # scratch files, removed at teardown

lab_up() {
	local name=$1 n=$2
	local tmp="pp$$x$n"
	ip netns add "$name-a" && LAB_NAMESPACES+=("$name-a") || return 1
	ip netns add "$name-b" && LAB_NAMESPACES+=("$name-b") || return 1
	# Temporary unique names in the root namespace, renamed once inside.
	ip link add "${tmp}a" type veth peer name "${tmp}b" || return 1
	ip link set "${tmp}a" netns "$name-a" || return 1
	ip link set "${tmp}b" netns "$name-b" || return 1
	ip -n "$name-a" link set "${tmp}a" name veth-a || return 1
	ip -n "$name-b" link set "${tmp}b" name veth-b || return 1
	ip -n "$name-a" addr add "198.18.$n.1/24" dev veth-a || return 1
	ip -n "$name-b" addr add "198.18.$n.2/24" dev veth-b || return 1
	local ns
	for ns in "$name-a" "$name-b"; do
		ip -n "$ns" link set lo up || return 1
	done
	# No IPv6 autoconfiguration chatter (DAD, MLD) unless a test asks for it.
	if [ -z "${LAB_IPV6:-}" ]; then
		for ns in "$name-a" "$name-b"; do
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
		done
	fi
	ip -n "$name-a" link set veth-a up || return 1
	ip -n "$name-b" link set veth-b up || return 1
	# Resolve neighbours now so the first test packet is not an ARP exchange.
	ip netns exec "$name-a" ping -c1 -W2 "198.18.$n.2" >/dev/null || return 1
}

lab_ns() {
	ip netns add "$1" && LAB_NAMESPACES+=("$1") && ip -n "$1" link set lo up
}

lab_veth() { # NS1 IF1 NS2 IF2; temporary unique names in the root namespace
	local t="vt$$x$RANDOM"
	ip link add "${t}a" type veth peer name "${t}b" &&
		ip link set "${t}a" netns "$1" && ip link set "${t}b" netns "$3" &&
		ip -n "$1" link set "${t}a" name "$2" && ip -n "$3" link set "${t}b" name "$4" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

lab_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

lab_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	LAB_PIDS+=($!)
}

lab_down() {
	local p ns
	for p in "${LAB_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${LAB_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	LAB_PIDS=()
	for ns in "${LAB_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NAMESPACES=()
	# LAB_KEEP=DIR: the test's outputs are copied there first (to read them).
	[ -n "$LAB_DIR" ] && [ -n "${LAB_KEEP:-}" ] && mkdir -p "$LAB_KEEP" && cp -r "$LAB_DIR"/. "$LAB_KEEP"/
	[ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
	LAB_DIR=
}

trap lab_down EXIT
trap 'exit 130' INT TERM
