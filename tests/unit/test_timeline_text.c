/* The text block of a timeline: header, steps with both deltas, escaping
 * of kernel strings, colour only when asked. */
#include <arpa/inet.h>

#include "cmd/model/rewrite.h"
#include "cmd/render/timeline_text.h"
#include "unit.h"

static struct pp_event step(uint16_t probe, uint64_t ts)
{
	struct pp_event e = {0};
	e.ts_ns = ts;
	e.skb = 0xffff888100b84c00ull;
	e.probe = probe;
	e.tgid = 4121;
	memcpy(e.comm, "ba\x1b[2Jsh", 8); /* hostile comm: must be escaped */
	memcpy(e.ifname, "veth-b", 7);
	e.have = PP_HAVE_DEV | PP_HAVE_L3 | PP_HAVE_L4;
	e.ipver = 4;
	e.l4proto = 17;
	inet_pton(AF_INET, "198.18.0.1", e.saddr);
	inet_pton(AF_INET, "198.18.0.2", e.daddr);
	e.sport = 40312;
	e.dport = 7778;
	e.len = 33;
	e.stack_id = -1;
	return e;
}

int main(void)
{
	struct strbuf sb = {0};

	sb_reset(&sb); fmt_duration(&sb, 0);
	CHECK_STR("duration 0", sb.s, "0.0us");
	sb_reset(&sb); fmt_duration(&sb, 6250);
	CHECK_STR("duration in us with one decimal", sb.s, "6.2us");
	sb_reset(&sb); fmt_duration(&sb, 4131000);
	CHECK_STR("duration in ms", sb.s, "4.131ms");
	sb_reset(&sb); fmt_duration(&sb, 2500000000ull);
	CHECK_STR("duration in s", sb.s, "2.500s");

	struct pp_event ev[3] = {step(PP_PROBE_TX, 1000000), step(PP_PROBE_RX, 1006200),
				 step(PP_PROBE_DROP, 1021900)};
	ev[1].pkt_type = 0;
	ev[2].location = 0xffffffff81000000ull;
	struct timeline t = {.skb = ev[0].skb, .ev = ev, .n = 3, .end = TL_END_DROP};
	struct fmt_ctx ctx = {0};
	sb_reset(&sb);
	fmt_timeline(&sb, &t, 17, &ctx, false);
	const char *want =
		"#17 UDP 198.18.0.1:40312 > 198.18.0.2:7778 len 33 skb 0xffff888100b84c00\n"
		"    +0.0us                 net_dev_queue      -            veth-b     tx  pid 4121 (ba\\x1b[2Jsh)\n"
		"    +6.2us     (+6.2us)    netif_receive_skb  -            veth-b     rx  pkt_type HOST\n"
		"    +21.9us    (+15.7us)   kfree_skb          -            veth-b     DROP (no reason: kernel before 5.17) at 0xffffffff81000000\n";
	CHECK_STR("block: header, steps, both deltas, escaped comm", sb.s, want);
	CHECK("no escape byte without colour", !strchr(sb.s, '\x1b'));

	sb_reset(&sb);
	fmt_timeline(&sb, &t, 17, &ctx, true);
	CHECK("colour: DROP in red", strstr(sb.s, "\033[31m\033[1mDROP") != NULL);

	t.end = TL_END_IDLE;
	t.n = 2;
	sb_reset(&sb);
	fmt_timeline(&sb, &t, 18, &ctx, false);
	CHECK("idle-flushed block says its end was not seen",
	      strstr(sb.s, "skb 0xffff888100b84c00 (open: no drop or free seen within --idle)\n") != NULL);
	t.end = TL_END_EVICTED;
	sb_reset(&sb);
	fmt_timeline(&sb, &t, 19, &ctx, false);
	CHECK("evicted block says it was flushed early", strstr(sb.s, "(flushed early: --max-open") != NULL);
	t.extra = 5;
	sb_reset(&sb);
	fmt_timeline(&sb, &t, 20, &ctx, false);
	CHECK("events not kept are said", strstr(sb.s, "... 5 more events not kept") != NULL);

	/* NAT: the step whose header changed says so (a timeline whose steps
	 * all carry one header skips the comparison: rw_none). */
	struct pp_event nat[3] = {step(PP_PROBE_RX, 1000000), step(PP_PROBE_TX, 1002000), step(PP_PROBE_FREE, 1003000)};
	inet_pton(AF_INET, "198.18.9.9", nat[1].saddr);
	nat[2].have &= ~(uint32_t)(PP_HAVE_L3 | PP_HAVE_L4);
	struct timeline tn = {.skb = nat[0].skb, .ev = nat, .n = 3, .end = TL_END_FREE};
	CHECK("rw_none: a rewritten source is a rewrite", !rw_none(nat, 3));
	CHECK("rw_none: steps before it carry one header", rw_none(nat, 1));
	sb_reset(&sb);
	fmt_timeline(&sb, &tn, 21, &ctx, false);
	CHECK("a timeline's NAT step says the rewrite", strstr(sb.s, " SNAT 198.18.0.1 -> 198.18.9.9\n") != NULL);
	nat[1].sport = 1024;
	inet_pton(AF_INET, "198.18.0.1", nat[1].saddr);
	CHECK("rw_none: a rewritten port alone is a rewrite", !rw_none(nat, 3));
	sb_reset(&sb);
	fmt_timeline(&sb, &tn, 22, &ctx, false);
	CHECK("a timeline's port rewrite is said", strstr(sb.s, " SNAT 198.18.0.1:40312 -> 198.18.0.1:1024\n") != NULL);
	/* Rewritten and back (NAT and its undoing): the last step equals the
	 * first, the middle one does not. */
	nat[2] = nat[0];
	nat[2].ts_ns = 1003000;
	CHECK("rw_none: a rewrite undone later is still a rewrite", !rw_none(nat, 3));
	nat[1] = nat[0];
	CHECK("rw_none: one header throughout is none", rw_none(nat, 3));
	sb_reset(&sb);
	fmt_timeline(&sb, &tn, 23, &ctx, false);
	CHECK("one header throughout: no NAT said", strstr(sb.s, "NAT ") == NULL);
	sb_free(&sb);
	return unit_failed;
}
