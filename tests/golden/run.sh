#!/bin/bash
# The golden tier: every committed recording under tests/golden/cases/ is
# replayed with the output options it was recorded with, without privileges
# (as nobody when run as root), and must print exactly what the live run
# printed: stdout, the report on stderr, and the pcapng for -w. Then the
# renderers must agree with each other on the same drops. No kernel, no BPF,
# no namespaces: seconds. `make check` runs only this; `make test` runs it
# first. Refresh with tests/golden/record.sh (see tests/golden/README.md).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/check.sh
CASES=tests/golden/cases
W=$(mktemp -d /tmp/pktpath-golden.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 777 "$W" # the replay, as nobody, writes -w's file here
cp "$PKTPATH" "$W/pktpath" && chmod 755 "$W/pktpath" || { fail "golden: copy $PKTPATH"; exit 1; }
as_user() { # unprivileged: nobody when we are root, ourselves otherwise
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

n=0
for rec in "$CASES"/*/*.rec; do
	[ -e "$rec" ] || continue
	base=${rec%.rec}
	name=${base#"$CASES"/}
	n=$((n + 1))
	cp "$rec" "$W/in.rec" && chmod 644 "$W/in.rec"
	args=$(cat "$base.args")
	rm -f "$W/out.pcapng"
	# shellcheck disable=SC2086
	(cd "$W" && as_user ./pktpath -r in.rec $args >"$W/out" 2>"$W/err")
	rc=$?
	check "$name: replay exits 0 (got $rc)" [ $rc -eq 0 ]
	if cmp -s "$base.out" "$W/out"; then
		pass "$name: stdout as the live run printed it"
	else
		fail "$name: stdout differs from the live run:"
		diff "$base.out" "$W/out" | head -20
	fi
	if cmp -s "$base.err" "$W/err"; then
		pass "$name: report as the live run printed it"
	else
		fail "$name: report differs from the live run:"
		diff "$base.err" "$W/err" | head -20
	fi
	if [ -e "$base.pcapng" ]; then
		check "$name: pcapng byte for byte as the live run wrote it" cmp -s "$base.pcapng" "$W/out.pcapng"
	fi
done
check "golden: recordings found ($n)" [ "$n" -gt 0 ]

# The renderers agree: each drop's stack starts at the same frame in the
# text timeline and in JSON (the same replay, two views).
nd=0
for dir in "$CASES"/*/; do
	rec=$dir/drops.rec
	[ -e "$rec" ] || continue
	c=$(basename "$dir")
	cp "$rec" "$W/in.rec" && chmod 644 "$W/in.rec"
	(cd "$W" && as_user ./pktpath -r in.rec --drops) 2>/dev/null |
		sed -n 's/^ *stack: \([^ ]*\).*/\1/p' >"$W/text.first"
	(cd "$W" && as_user ./pktpath -r in.rec --drops --json) 2>/dev/null |
		jq -r '.. | objects | select(.probe? == "kfree_skb" and .stack != null) | .stack[0]' 2>/dev/null >"$W/json.first"
	[ -s "$W/text.first" ] || [ -s "$W/json.first" ] || continue # no drop in this case
	nd=$((nd + 1))
	if cmp -s "$W/text.first" "$W/json.first"; then
		pass "$c: text and JSON start each drop's stack at the same frame"
	else
		fail "$c: text and JSON start the drops' stacks at different frames:"
		paste "$W/text.first" "$W/json.first" | head -5
	fi
done
check "golden: cases with drops compared across renderers ($nd)" [ "$nd" -gt 0 ]
