/* A replay names a stack's frames and a namespace once and keeps the text
 * while the recording has one answer for each look-up involved
 * (cmd/record/resolve.h rs_fixed_epoch): the kept text must be what the
 * look-ups would have given, the look-up numbers must advance as if they
 * had been made (a later look-up whose answer changed over the run still
 * gets the answer current at its number), and a stack whose answer changed
 * over the run must not be kept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/record/resolve.h"
#include "cmd/render/evtext.h"
#include "cmd/render/format.h"
#include "unit.h"

static void add_stack(int32_t id, uint64_t seq, const uint64_t *ips, size_t n)
{
	rs_replay_add(RS_STACK, seq, &id, sizeof(id), ips, (uint32_t)(n * 8));
}

static void add_ksym(uint64_t addr, const char *text)
{
	uint8_t v[64];
	int32_t rc = 0;
	size_t l = strlen(text);
	memcpy(v, &rc, 4);
	memcpy(v + 4, text, l);
	rs_replay_add(RS_KSYM, 1, &addr, sizeof(addr), v, (uint32_t)(4 + l));
}

static void add_netns(uint32_t inode, uint64_t seq, const char *name)
{
	uint8_t v[64];
	size_t l = strlen(name);
	v[0] = 1;
	memcpy(v + 1, name, l + 1);
	rs_replay_add(RS_NETNS, seq, &inode, sizeof(inode), v, (uint32_t)(l + 2));
}

/* The stack line fmt_stack_indent writes for stack id. */
static void stack_line(const struct fmt_ctx *ctx, int32_t id, char *out, size_t len)
{
	struct pp_event e = {0};
	e.probe = PP_PROBE_DROP;
	e.stack_id = id;
	struct strbuf sb = {0};
	fmt_stack_indent(&sb, &e, ctx, 0);
	snprintf(out, len, "%s", sb.s ? sb.s : "");
	sb_free(&sb);
}

int main(void)
{
	/* Look-up 9 onwards sees namespace 42 renamed: a probe of the look-up numbers. */
	const uint64_t fixed[] = {0x1000, 0x2000, 0x3000};
	const uint64_t before[] = {0x1000}, after[] = {0x2000};
	rs_replay();
	add_netns(42, 1, "first");
	add_netns(42, 9, "second");
	add_netns(50, 1, "lab-b");
	add_stack(7, 1, fixed, 3);
	add_stack(8, 1, before, 1);
	add_stack(8, 40, after, 1); /* stack id 8 held another stack later in the run */
	add_ksym(0x1000, "sk_skb_reason_drop+0x90");
	add_ksym(0x2000, "__udp4_lib_rcv+0x4bc");
	add_ksym(0x3000, "ip_protocol_deliver_rcu+0xb3");
	struct fmt_ctx ctx = {0};
	rs_wrap_stacks(&ctx);

	char one[256], two[256];
	stack_line(&ctx, 7, one, sizeof(one)); /* look-ups 1-4: the stack and its three frames */
	CHECK_STR("a stack's line from its recorded answers", one,
		  "stack: sk_skb_reason_drop+0x90 < __udp4_lib_rcv+0x4bc < ip_protocol_deliver_rcu+0xb3\n");
	stack_line(&ctx, 7, two, sizeof(two)); /* 5-8, kept: counted, not made */
	CHECK_STR("the same stack again: the same line", two, one);
	CHECK_STR("look-up numbers advance by the look-ups a kept stack stands for", rs_netns_name(42), "second");

	struct pp_event e = {0};
	e.have = PP_HAVE_NETNS;
	e.netns = 50;
	char ns[64];
	ev_netns(&e, ns, sizeof(ns)); /* 10 */
	CHECK_STR("a namespace's name", ns, "lab-b");
	ev_netns(&e, ns, sizeof(ns)); /* 11, kept */
	CHECK_STR("the same namespace again: the same name", ns, "lab-b");
	e.netns = 42;
	ev_netns(&e, ns, sizeof(ns)); /* 12: two answers recorded, never kept */
	CHECK_STR("a namespace renamed in the run: the answer current at its look-up", ns, "second");

	stack_line(&ctx, 8, one, sizeof(one)); /* 13-14 */
	CHECK_STR("a stack id's first stack before it changed", one, "stack: sk_skb_reason_drop+0x90\n");
	rs_skip(30); /* look-ups 15-44, as other events would make them: past 40, where stack id 8's second stack was recorded */
	stack_line(&ctx, 8, two, sizeof(two));
	CHECK_STR("a stack id that held another stack later: not kept from before", two,
		  "stack: __udp4_lib_rcv+0x4bc\n");

	/* A new replay forgets what was kept. */
	rs_free();
	rs_replay();
	const uint64_t other[] = {0x3000};
	add_stack(7, 1, other, 1);
	add_ksym(0x3000, "ip_protocol_deliver_rcu+0xb3");
	rs_wrap_stacks(&ctx);
	stack_line(&ctx, 7, one, sizeof(one));
	CHECK_STR("the next replay names its own stack 7", one, "stack: ip_protocol_deliver_rcu+0xb3\n");
	rs_free();
	return unit_failed;
}
