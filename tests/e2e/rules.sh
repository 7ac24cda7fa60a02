# Which rule dropped it: an nft rule in an inet table and an iptables-nft
# rule each drop a datagram; the drop names table, chain, handle and the
# rule as `nft -a list ruleset` prints it. pktpath's own nftables table is
# announced, exists only while it runs, is gone after SIGKILL, and a table
# left by a dead pktpath (made here by hand) is removed by the next start.
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
lab_up xru 111 || { fail "lab setup"; exit 1; }
lab_exec xru-b nft add table inet userfw || { fail "nft table"; exit 1; }
lab_exec xru-b nft add chain inet userfw input '{ type filter hook input priority 0; }' || { fail "nft chain"; exit 1; }
lab_exec xru-b nft add rule inet userfw input ip daddr 198.18.111.2 udp dport 9999 drop || { fail "nft rule"; exit 1; }
lab_exec xru-b iptables -A INPUT -p udp --dport 9998 -j DROP || { fail "iptables rule"; exit 1; }

# A table as a SIGKILLed pktpath without the owner flag would leave it.
dead=$(bash -c 'echo $$')
lab_exec xru-b nft add table inet "pktpath_$dead" || { fail "stale table"; exit 1; }

pp_start "$LAB_DIR/pp" --drops --netns xru-b udp || { fail "pktpath started"; cat "$LAB_DIR/pp.err"; exit 1; }
err=$LAB_DIR/pp.err
check "the table it adds is announced on stderr" grep -qE "nftables: added table inet pktpath_$PP_PID \(netns xru-b\)" "$err"
check "its table exists while it runs" bash -c "ip netns exec xru-b nft list tables | grep -qx 'table inet pktpath_$PP_PID'"
check "it sets nftrace only on the packets the expression selects (xt bpf match, announced)" \
	bash -c "ip netns exec xru-b nft --debug=netlink list table inet pktpath_$PP_PID 2>/dev/null | grep -q 'match name bpf' && grep -q 'on packets the expression selects' '$err'"
check "the stale table of dead pid $dead was removed at start" \
	bash -c "! ip netns exec xru-b nft list tables | grep -q 'pktpath_$dead'"
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
lab_exec xru-a bash -c 'echo ipt > /dev/udp/198.18.111.2/9998'
sleep 0.5
ruleset=$(ip netns exec xru-b nft -a list ruleset 2>/dev/null)
pp_stop
out=$LAB_DIR/pp.out
check "exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
check "its table is gone after exit" bash -c "! ip netns exec xru-b nft list tables | grep -q pktpath_"
check "the removal is said" grep -q "nftables: removed table inet pktpath_$PP_PID" "$err"

# nft's own line for a rule: "RULE # handle N" -> RULE, counters left out
# (they moved between pktpath's look-up and this listing).
nft_rule() { # TABLE-REGEX HANDLE
	awk -v t="$1" -v h="$2" '/^table /{cur=$2" "$3} cur ~ t && $0 ~ "# handle "h"$" && !/chain|table/ {sub(/ # handle [0-9]+$/,""); sub(/^[ \t]+/,""); print; exit}' <<<"$ruleset" |
		sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'
}
h1=$(grep -oE 'ip daddr 198.18.111.2 udp dport 9999 drop # handle [0-9]+' <<<"$ruleset" | grep -oE '[0-9]+$')
h2=$(awk '/^table ip filter/{f=1} f && /dport 9998/' <<<"$ruleset" | grep -oE 'handle [0-9]+$' | grep -oE '[0-9]+')
hint_of() { awk -v p="$1" '/^#[0-9]+ /{blk = ($0 ~ p)} blk && /hint:/' "$out" | head -1; }
hint1=$(hint_of '198.18.111.1:[0-9]+ > 198.18.111.2:9999 ')
hint2=$(hint_of '198.18.111.1:[0-9]+ > 198.18.111.2:9998 ')
want1="the nftables rule '$(nft_rule 'inet userfw' "$h1")' (table inet userfw, chain input, handle $h1) dropped it in the INPUT hook in netns xru-b"
check "nft inet rule: table, chain, handle $h1 and nft's text ($want1)" \
	grep -qF "$want1" <<<"$hint1"
got2=$(sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/' <<<"$hint2")
want2="the nftables rule '$(nft_rule 'ip filter' "$h2")' (table ip filter, chain INPUT, handle $h2) dropped it in the INPUT hook in netns xru-b"
check "iptables-nft rule: table, chain, handle $h2 and nft's text ($want2)" grep -qF "$want2" <<<"$got2"
[ -n "$h1" ] && [ -n "$h2" ] || fail "handles found in nft's listing"
jq_ok=$(grep -c 'hint: the nftables rule' "$out")
check "exactly the two drops name a rule (got $jq_ok)" [ "$jq_ok" -eq 2 ]

# SIGKILL: the kernel removes an owner table with the socket; either way
# the next start removes what is left.
pp_start "$LAB_DIR/pk" --drops --netns xru-b udp || { fail "pktpath started again"; exit 1; }
kpid=$PP_PID
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
sleep 0.3
left=$(ip netns exec xru-b nft list tables | grep -c "pktpath_$kpid")
echo "after SIGKILL: $left table(s) of pid $kpid left before the next start"
pp_start "$LAB_DIR/pn" --drops --netns xru-b udp || { fail "pktpath started after SIGKILL"; exit 1; }
check "after SIGKILL and the next start nothing of the killed pktpath is left" \
	bash -c "! ip netns exec xru-b nft list tables | grep -q 'pktpath_$kpid'"
pp_stop
check "nothing of pktpath's left in the ruleset at the end" bash -c "! ip netns exec xru-b nft list ruleset | grep -q pktpath"

# JSON carries it too, and --no-rules adds nothing.
pp_start "$LAB_DIR/pj" --json --drops --netns xru-b udp || { fail "pktpath --json started"; exit 1; }
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
sleep 0.5
pp_stop
check "JSON: the drop's rule object" bash -c "jq -e -s '[.[] | select(.type==\"packet\") | .events[] | select(.nft_rule) | .nft_rule | select(.family==\"inet\" and .table==\"userfw\" and .chain==\"input\" and .handle==$h1 and .policy==false and (.rule|test(\"udp dport 9999 drop\")))] | length == 1' '$LAB_DIR/pj.out' >/dev/null"
# A recording keeps the rule: -r prints it again, byte for byte.
pp_start "$LAB_DIR/rc" --record "$LAB_DIR/rc.rec" --drops --netns xru-b udp || { fail "pktpath --record started"; exit 1; }
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
sleep 0.5
pp_stop
"$PKTPATH" -r "$LAB_DIR/rc.rec" >"$LAB_DIR/rc.replay" 2>/dev/null
check "replay (-r) prints the rule as the live run did" cmp "$LAB_DIR/rc.out" "$LAB_DIR/rc.replay"
check "the replayed drop names the rule" grep -qF "the nftables rule 'ip daddr 198.18.111.2 udp dport 9999 drop'" "$LAB_DIR/rc.replay"
# A recording of an older format (its events have another layout) is
# refused with one line and exit status 7, never misread.
cp "$LAB_DIR/rc.rec" "$LAB_DIR/old.rec"
printf '\001\000' | dd of="$LAB_DIR/old.rec" bs=1 seek=12 conv=notrunc status=none # version field: 1
"$PKTPATH" -r "$LAB_DIR/old.rec" >"$LAB_DIR/old.out" 2>"$LAB_DIR/old.err"
rc=$?
check "a version 1 recording: refused with exit status 7 (got $rc)" [ "$rc" -eq 7 ]
check "a version 1 recording: one line naming the versions" \
	bash -c "[ \$(wc -l <'$LAB_DIR/old.err') -eq 1 ] && grep -q 'recording format version 1; this pktpath reads versions 4 to 4' '$LAB_DIR/old.err'"

# --stream and the pcapng comment carry it too.
pp_start "$LAB_DIR/ps" --stream --drops --netns xru-b udp || { fail "pktpath --stream started"; exit 1; }
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
sleep 0.5
pp_stop
check "--stream: ... by rule 'ip daddr 198.18.111.2 udp dport 9999 drop' (table inet userfw, chain input, handle $h1)" \
	grep -qF "by rule 'ip daddr 198.18.111.2 udp dport 9999 drop' (table inet userfw, chain input, handle $h1)" "$LAB_DIR/ps.out"
pp_start "$LAB_DIR/pw" -w "$LAB_DIR/pw.pcapng" --drops --netns xru-b udp || { fail "pktpath -w started"; exit 1; }
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
sleep 0.5
pp_stop
check "pcapng comment names the rule" bash -c "tshark -r '$LAB_DIR/pw.pcapng' -T fields -e frame.comment 2>/dev/null | grep -qF \"by rule 'ip daddr 198.18.111.2 udp dport 9999 drop' (table inet userfw, chain input, handle $h1)\""
pp_start "$LAB_DIR/pr" --no-rules --drops --netns xru-b udp || { fail "pktpath --no-rules started"; exit 1; }
check "--no-rules: no table added" bash -c "! ip netns exec xru-b nft list tables | grep -q pktpath_"
lab_exec xru-a bash -c 'echo nft > /dev/udp/198.18.111.2/9999'
sleep 0.5
pp_stop
check "--no-rules: nothing announced" bash -c "! grep -q 'nftables: added' '$LAB_DIR/pr.err'"
check "--no-rules: the drop points to the ruleset instead" grep -q "hint: a netfilter rule dropped it in the INPUT hook.*nft -a list ruleset" "$LAB_DIR/pr.out"

# A namespace with no table of its own gets none from pktpath (no rule there
# to name, and its chain would cost every packet); when a ruleset appears
# there while pktpath runs, the table is added and the next drop names its rule.
pp_start "$LAB_DIR/pa" --drops --netns xru-a udp || { fail "pktpath in a namespace without tables started"; exit 1; }
check "no table of its own: none added, and said" bash -c "grep -q 'nftables: no table in netns xru-a: ' '$LAB_DIR/pa.err' && ! ip netns exec xru-a nft list tables | grep -q pktpath_"
lab_exec xru-a nft add table inet late || fail "nft table in xru-a"
lab_exec xru-a nft add chain inet late input '{ type filter hook input priority 0; }' || fail "nft chain in xru-a"
lab_exec xru-a nft add rule inet late input udp dport 9997 drop || fail "nft rule in xru-a"
for _ in $(seq 1 30); do grep -q 'netns xru-a got a table' "$LAB_DIR/pa.err" && break; sleep 0.1; done
check "a table appeared: pktpath's added then, and said" bash -c "grep -q 'nftables: netns xru-a got a table: added table inet pktpath_$PP_PID' '$LAB_DIR/pa.err' && ip netns exec xru-a nft list tables | grep -qx 'table inet pktpath_$PP_PID'"
lab_exec xru-b bash -c 'echo late > /dev/udp/198.18.111.1/9997'
sleep 0.5
pp_stop
late=$(grep -cF "the nftables rule 'udp dport 9997 drop' (table inet late, chain input" "$LAB_DIR/pa.out")
check "the one datagram's drop by the rule added later names it (got $late)" [ "$late" -eq 1 ]
check "the table added later is gone after exit" bash -c "! ip netns exec xru-a nft list tables | grep -q pktpath_"
