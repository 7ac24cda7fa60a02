#!/bin/bash
# Runs inside a test VM: every drop reason this kernel's BTF defines has an
# explanation in pktpath. tests/e2e/reasons.sh runs this script on the host.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/check.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$PKTPATH" --reasons >"$out" 2>&1
rc=$?
# Before 5.17 the kernel has no reasons at all: pktpath says so in one line.
if ! bpftool btf dump file /sys/kernel/btf/vmlinux format raw | grep -q "ENUM 'skb_drop_reason'"; then
	check "no enum skb_drop_reason in this kernel: --reasons says so in one line, status 4 (got $rc)" \
		bash -c "[ $rc -eq 4 ] && [ \$(wc -l <'$out') -eq 1 ] && grep -q 'no enum skb_drop_reason (before 5.17)' '$out'"
	exit 0
fi
check "--reasons exits 0: every reason has an explanation (status $rc)" [ "$rc" -eq 0 ]
missing=$(grep -c 'NO EXPLANATION' "$out")
check "no reason without an explanation ($missing missing: $(grep 'NO EXPLANATION' "$out" | awk '{print $2}' | tr '\n' ' '))" [ "$missing" -eq 0 ]
# Distinct values below 65536 of enum skb_drop_reason, without ..._MAX.
want=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw |
	awk "/ENUM 'skb_drop_reason' /{f=1;next} f && /^\[/{exit} f" |
	sed -nE "s/^[[:space:]]+'([A-Z0-9_]+)' val=([0-9]+)$/\1 \2/p" |
	awk '$1 !~ /_MAX$/ && $2 < 65536 {print $2}' | sort -un | wc -l)
got=$(grep -cE '^ *[0-9]+ [A-Z0-9_]+ ' "$out")
check "every one of the kernel's $want reasons is listed (got $got)" [ "$got" -eq "$want" -a "$want" -gt 0 ]
check "the summary line says so" grep -qE "^$want reasons, 0 without an explanation$" "$out"
