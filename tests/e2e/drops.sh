# Drops with evidence: reason by name, location, stack.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up ppd 10 || { fail "lab setup"; exit 1; }
lab_exec ppd-b iptables -A INPUT -p udp --dport 9999 -j DROP || { fail "iptables rule"; exit 1; }

pp_start "$LAB_DIR/pp" --stream --drops --netns ppd-b || { fail "pktpath started"; cat "$LAB_DIR/pp.err"; exit 1; }
lab_exec ppd-a bash -c 'echo closed > /dev/udp/198.18.10.2/7778'
lab_exec ppd-a bash -c 'echo filtered > /dev/udp/198.18.10.2/9999'
sleep 0.5
pp_stop
out=$LAB_DIR/pp.out

check "exit status 0 after SIGINT (got $PP_RC)" [ "$PP_RC" -eq 0 ]
nosock=$(grep -A1 '198.18.10.1:[0-9]* > 198.18.10.2:7778' "$out" | grep -m1 -A1 'DROP')
check "UDP to a closed port: drop reason NO_SOCKET" grep -q 'DROP NO_SOCKET' <<<"$nosock"
check "UDP to a closed port: location in __udp4_lib_rcv" grep -qE 'DROP NO_SOCKET at __udp4_lib_rcv\+0x[0-9a-f]+' <<<"$nosock"
check "UDP to a closed port: stack has ip_local_deliver path frames" \
	grep -qE 'stack: .*__udp4_lib_rcv.*ip_local_deliver' <<<"$nosock"

nf=$(grep -A1 '198.18.10.1:[0-9]* > 198.18.10.2:9999' "$out" | grep -m1 -A1 'DROP')
check "iptables DROP: reason NETFILTER_DROP" grep -q 'DROP NETFILTER_DROP' <<<"$nf"
check "iptables DROP: nf_hook_slow in the stack" grep -qE 'stack: .*nf_hook_slow' <<<"$nf"
check "--drops prints only drop events" bash -c "! awk 'NR>1 && \$4 != \"\" && \$1 !~ /^stack:/ && \$4 != \"kfree_skb\"' '$out' | grep -q ."
check "summary counts drops by reason" grep -qE 'drops by reason:.*NO_SOCKET [0-9]+.*' "$LAB_DIR/pp.err"
check "summary says how many events were lost" grep -qE '[0-9]+ lost' "$LAB_DIR/pp.err"

# A flood of drops at one site walks one stack a millisecond (bpf/emit.bpf.h,
# drop_stack): the others show that stack and say so; a drop alone walks its own.
pp_start "$LAB_DIR/fl" --json --stream --drops --netns ppd-b 'udp dst port 7779' ||
	{ fail "flood: pktpath started"; cat "$LAB_DIR/fl.err"; exit 1; }
sent=$(lab_exec ppd-a "$(cd "$(dirname "$0")/../.." && pwd)/build/tools/udpflood" 198.18.10.2 7779 3000 2 | awk '/^sent/ {print $2}')
sleep 0.5
lab_exec ppd-a bash -c 'echo alone > /dev/udp/198.18.10.2/7779'
sleep 0.5
pp_stop
fl=$LAB_DIR/fl.out
n=$(jq -s '[.[] | select(.probe == "kfree_skb")] | length' "$fl")
own=$(jq -s '[.[] | select(.probe == "kfree_skb" and (.stack_from_site | not))] | length' "$fl")
site=$(jq -s '[.[] | select(.probe == "kfree_skb" and .stack_from_site)] | length' "$fl")
nostack=$(jq -s '[.[] | select(.probe == "kfree_skb" and (.stack | length) == 0)] | length' "$fl")
lost=$(sed -nE 's/^pktpath: [0-9]+ events.*, ([0-9]+) lost,.*/\1/p' "$LAB_DIR/fl.err")
check "flood: every datagram sent (${sent:-none}) and the one after it dropped, or counted lost ($n drops, ${lost:-?} lost)" \
	[ -n "$sent" ] && [ $((n + ${lost:-0})) -eq $((sent + 1)) ]
check "flood of drops at one site: some drops reuse the site's stack ($site of $n)" [ "${site:-0}" -gt 0 ]
check "flood of drops at one site: some walk their own ($own of $n)" [ "${own:-0}" -gt 0 ]
check "flood of drops at one site: every drop has a stack ($nostack without)" [ "${nostack:-1}" -eq 0 ]
last=$(jq -s '[.[] | select(.probe == "kfree_skb")] | last | .stack_from_site // false' "$fl")
check "a drop 0.5 s after the flood walks its own stack" [ "$last" = false ]
