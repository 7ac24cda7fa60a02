#!/bin/bash
# The BPF programs' stack frames, checked where the kernels that load them
# cannot be run (the fentry and kprobe programs load only in the VM guests):
# the verifier refuses a program whose frame plus its deepest callee's passes
# 512 bytes ("combined stack size ... Too large"), each frame rounded up to 32
# on 5.10. The deepest callee is the injected pcap filter (filters/cbpf2ebpf.c:
# its window ends 152 bytes down, 160 rounded), so every program must stay
# within 352 and every subprogram within 160. Frames are read from the object
# as the deepest stack offset its instructions use.
#   tests/bpf_frames.sh [OBJECT]   (default build/pktpath.bpf.o)
set -u
cd "$(dirname "$0")/.."
. tests/lib/check.sh
obj=${1:-build/pktpath.bpf.o}
frames=$(llvm-objdump -d --no-show-raw-insn "$obj" 2>/dev/null | awk '
function deepest(s,   v) { # the largest N in "r10 - N" or "rX += -N" on this line
	v = 0
	while (match(s, /r10 - [0-9]+/)) { n = substr(s, RSTART + 6, RLENGTH - 6) + 0; if (n > v) v = n; s = substr(s, RSTART + RLENGTH) }
	if (match(s, /r[0-9] \+= -[0-9]+/)) { n = substr(s, RSTART, RLENGTH); sub(/.*-/, "", n); n += 0; if (n <= 512 && n > v) v = n }
	return v
}
/^Disassembly of section / { sec = $4; sub(/:$/, "", sec); next }
/^[0-9a-f]+ <[^>]+>:/ { n = $2; gsub(/[<>:]/, "", n); if (n ~ /^LBB/) next; if (fn != "") print kind, min, fn; fn = n; min = 0; kind = sec == ".text" ? "sub" : "prog"; next }
{ d = deepest($0); if (d > min) min = d }
END { if (fn != "") print kind, min, fn }')
check "frames read from $obj" [ -n "$frames" ]
round32() { echo $((($1 + 31) / 32 * 32)); }
prog_max=0 prog_name= sub_max=0 sub_name=
while read -r kind depth name; do
	r=$(round32 "$depth")
	if [ "$kind" = prog ] && [ "$r" -gt "$prog_max" ]; then prog_max=$r prog_name=$name; fi
	if [ "$kind" = sub ] && [ "$r" -gt "$sub_max" ]; then sub_max=$r sub_name=$name; fi
done <<<"$frames"
# A parse that found no stack use at all would pass the limits below for nothing.
check "stack use found in the programs (deepest $prog_max, $prog_name)" [ "$prog_max" -ge 64 ]
check "deepest program frame $prog_max ($prog_name) + the filter's 160 within the kernel's 512" [ $((prog_max + 160)) -le 512 ]
check "deepest subprogram frame $sub_max ($sub_name) within the filter's 160" [ "$sub_max" -le 160 ]
