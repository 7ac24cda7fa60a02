# A forwarded packet with no route: IP_INNOROUTES (or the kernel's name for
# it), and a hint carrying the kernel's own route look-up in that namespace.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up ppr 23 || { fail "lab setup"; exit 1; }
lab_exec ppr-b sysctl -qw net.ipv4.ip_forward=1 || { fail "forwarding on"; exit 1; }
lab_exec ppr-a ip route add 198.19.99.0/24 via 198.18.23.2 || { fail "route via the router"; exit 1; }

pp_start "$LAB_DIR/pp" --drops --netns ppr-b 'net 198.19.99.0/24' || { fail "pktpath started"; exit 1; }
lab_exec ppr-a bash -c 'echo x > /dev/udp/198.19.99.9/53'
sleep 1.2
pp_stop
out=$LAB_DIR/pp.out
check "a drop for the unroutable destination" grep -qE 'kfree_skb +ppr-b +veth-b +DROP IP_[A-Z]*NOROUTES' "$out"
want=$(ip netns exec ppr-b ip route get 198.19.99.9 2>&1 | sed 's/^RTNETLINK answers: //')
check "hint names the destination and the namespace" grep -q 'hint: no route to 198.19.99.9 in netns ppr-b' "$out"
check "hint carries the kernel's own look-up ('$want')" grep -qF "the kernel's route look-up there now says: $want" "$out"
