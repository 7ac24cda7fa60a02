# --max-open: a short flood of unique packets that stay open (datagrams
# queued on a socket that never reads: their skbs are not freed while
# pktpath runs) holds at most N timelines; the oldest are printed early,
# marked, and counted in the report. (A long RSS test is elsewhere.)
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/check.sh"
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tools
lab_up rec 58 || { fail "lab setup"; exit 1; }
lab_bg rec-b "$TOOLS/udpecho" hold 7000 30 >/dev/null
pp_start "$LAB_DIR/mo" --max-open 16 --idle 60000 --record "$LAB_DIR/mo.rec" || { fail "pktpath started"; exit 1; }
lab_exec rec-a "$TOOLS/udpflood" 198.18.58.2 7000 3000 3 >/dev/null
sleep 0.3
pp_stop
check "exit status 0 (got $PP_RC)" [ "$PP_RC" -eq 0 ]
flushed=$(sed -nE 's/.* ([0-9]+) flushed early \(--max-open\)$/\1/p' "$LAB_DIR/mo.err")
open=$(sed -nE 's/.*open at exit ([0-9]+)\).*/\1/p' "$LAB_DIR/mo.err")
# (a flushed packet may also be marked for events lost meanwhile, after it)
marked=$(grep -cE '\(flushed early: --max-open timelines were open\)( \[events lost meanwhile: may be incomplete\])?$' "$LAB_DIR/mo.out")
check "the report counts early flushes (${flushed:-none})" [ "${flushed:-0}" -gt 0 ]
check "every early flush is printed, marked ($marked marked, ${flushed:-none} counted)" [ "$marked" -eq "${flushed:--1}" ]
check "at most 16 packets were still open at exit (${open:-none})" [ "${open:-99}" -le 16 ]
check "a flushed packet keeps the path it had (tx, rx)" \
	bash -c "grep -A12 '(flushed early' '$LAB_DIR/mo.out' | grep -q 'netif_receive_skb  rec-b'"
"$PKTPATH" -r "$LAB_DIR/mo.rec" --max-open 16 --idle 60000 >"$LAB_DIR/replay.out" 2>/dev/null
check "replayed with the same options: the same output" cmp "$LAB_DIR/mo.out" "$LAB_DIR/replay.out"
