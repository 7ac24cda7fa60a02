/* Timeline grouping with synthetic events: no kernel involved. */
#include <stdlib.h>

#include "cmd/model/timeline.h"
#include "unit.h"

#define MAXOUT 64
struct got {
	size_t n;
	uint64_t skb[MAXOUT];
	enum tl_end end[MAXOUT];
	size_t nev[MAXOUT];
	uint64_t ts[MAXOUT][8];
	uint16_t probe[MAXOUT][8];
};

static void collect(void *arg, const struct timeline *t)
{
	struct got *g = arg;
	if (g->n >= MAXOUT)
		return;
	g->skb[g->n] = t->skb;
	g->end[g->n] = t->end;
	g->nev[g->n] = t->n;
	for (size_t i = 0; i < t->n && i < 8; i++) {
		g->ts[g->n][i] = t->ev[i].ts_ns;
		g->probe[g->n][i] = t->ev[i].probe;
	}
	g->n++;
}

static struct pp_event ev(uint64_t skb, uint16_t probe, uint64_t ts)
{
	struct pp_event e = {0};
	e.skb = skb;
	e.probe = probe;
	e.ts_ns = ts;
	return e;
}

static void add(struct tl_table *t, uint64_t skb, uint16_t probe, uint64_t ts)
{
	struct pp_event e = ev(skb, probe, ts);
	tl_add(t, &e);
}

#define MS 1000000ull

int main(void)
{
	struct tl_table t;
	struct got g = {0};

	/* Grouping: two interleaved packets, each ends at its own drop/free. */
	CHECK("init", tl_init(&t, 16, 1000 * MS, 0, collect, &g) == 0);
	add(&t, 0xa00, PP_PROBE_TX, 100);
	add(&t, 0xb00, PP_PROBE_TX, 110);
	add(&t, 0xa00, PP_PROBE_RX, 200);
	add(&t, 0xb00, PP_PROBE_RX, 210);
	CHECK("nothing emitted before an end", g.n == 0);
	add(&t, 0xb00, PP_PROBE_FREE, 300);
	add(&t, 0xa00, PP_PROBE_DROP, 310);
	CHECK("two timelines emitted at their ends", g.n == 2);
	CHECK("first emitted is the one freed first", g.skb[0] == 0xb00 && g.end[0] == TL_END_FREE);
	CHECK("second ended in a drop", g.skb[1] == 0xa00 && g.end[1] == TL_END_DROP);
	CHECK("drop timeline holds its three events in order",
	      g.nev[1] == 3 && g.probe[1][0] == PP_PROBE_TX && g.probe[1][1] == PP_PROBE_RX &&
		      g.probe[1][2] == PP_PROBE_DROP);
	CHECK("nothing left open", t.open == 0);

	/* Reuse: the same address after a free is a new packet. */
	g.n = 0;
	add(&t, 0xa00, PP_PROBE_TX, 400);
	add(&t, 0xa00, PP_PROBE_FREE, 450);
	add(&t, 0xa00, PP_PROBE_TX, 500);
	add(&t, 0xa00, PP_PROBE_FREE, 550);
	CHECK("reused address gives two timelines", g.n == 2 && g.nev[0] == 2 && g.nev[1] == 2);
	CHECK("second packet starts at its own first event", g.ts[1][0] == 500);
	tl_free(&t);

	/* Out of order, with a grace period for late events from other CPUs. */
	memset(&g, 0, sizeof(g));
	tl_init(&t, 16, 1000 * MS, 10 * MS, collect, &g);
	add(&t, 0xc00, PP_PROBE_TX, 1000);
	add(&t, 0xc00, PP_PROBE_DROP, 3000);
	add(&t, 0xc00, PP_PROBE_RX, 2000); /* late: belongs before the drop */
	tl_expire(&t, 3000 + 5 * MS);
	CHECK("ended timeline waits for its grace period", g.n == 0);
	tl_expire(&t, 3000 + 10 * MS);
	CHECK("emitted after the grace period", g.n == 1 && g.nev[0] == 3);
	CHECK("late event sorted into place",
	      g.ts[0][0] == 1000 && g.ts[0][1] == 2000 && g.ts[0][2] == 3000 &&
		      g.probe[0][1] == PP_PROBE_RX && g.probe[0][2] == PP_PROBE_DROP);
	/* An event after the end, within grace, starts the next packet. */
	add(&t, 0xd00, PP_PROBE_TX, 5000);
	add(&t, 0xd00, PP_PROBE_FREE, 6000);
	add(&t, 0xd00, PP_PROBE_TX, 7000);
	CHECK("event after the end closes the old packet at once", g.n == 2 && g.nev[1] == 2);
	tl_free(&t);

	/* Idle flush, and flush at exit. */
	memset(&g, 0, sizeof(g));
	tl_init(&t, 16, 1000 * MS, 0, collect, &g);
	add(&t, 0xe00, PP_PROBE_TX, 1 * MS);
	add(&t, 0xf00, PP_PROBE_TX, 500 * MS);
	tl_expire(&t, 1000 * MS);
	CHECK("not idle yet at 999ms", g.n == 0);
	tl_expire(&t, 1001 * MS);
	CHECK("idle timeline flushed and marked idle", g.n == 1 && g.skb[0] == 0xe00 && g.end[0] == TL_END_IDLE);
	tl_flush_all(&t);
	CHECK("flush at exit marks the rest exit", g.n == 2 && g.skb[1] == 0xf00 && g.end[1] == TL_END_EXIT);
	CHECK("idle and exit counted", t.st.by_end[TL_END_IDLE] == 1 && t.st.by_end[TL_END_EXIT] == 1);
	tl_free(&t);

	/* Memory bound: with max-open 4, a fifth packet evicts the oldest. */
	memset(&g, 0, sizeof(g));
	tl_init(&t, 4, 1000 * MS, 0, collect, &g);
	for (uint64_t i = 0; i < 6; i++)
		add(&t, 0x1000 + i * 0x100, PP_PROBE_TX, 100 + i);
	CHECK("never more than max-open held", t.open == 4);
	CHECK("two oldest flushed early", g.n == 2 && g.skb[0] == 0x1000 && g.skb[1] == 0x1100 &&
						g.end[0] == TL_END_EVICTED);
	CHECK("early flushes counted", t.st.by_end[TL_END_EVICTED] == 2);
	tl_free(&t);

	/* A different packet on an open address (its free was not seen)
	 * starts a new timeline; a NATed one (one address changed) does not. */
	memset(&g, 0, sizeof(g));
	tl_init(&t, 16, 1000 * MS, 0, collect, &g);
	struct pp_event a = ev(0x3000, PP_PROBE_TX, 100);
	a.have = PP_HAVE_L3;
	a.ipver = 4;
	a.l4proto = 17;
	memcpy(a.saddr, "\xc6\x12\x00\x01", 4);
	memcpy(a.daddr, "\xc6\x12\x00\x02", 4);
	tl_add(&t, &a);
	struct pp_event nat = a;
	nat.ts_ns = 200;
	nat.probe = PP_PROBE_RX;
	memcpy(nat.saddr, "\xc6\x13\x00\x09", 4); /* SNAT: source changed only */
	tl_add(&t, &nat);
	CHECK("one changed address stays the same packet", g.n == 0);
	struct pp_event reply = a;
	reply.ts_ns = 300;
	memcpy(reply.saddr, a.daddr, 4);
	memcpy(reply.daddr, a.saddr, 4);
	tl_add(&t, &reply);
	CHECK("both addresses changed: previous packet emitted as reused",
	      g.n == 1 && g.nev[0] == 2 && g.end[0] == TL_END_REUSED);
	struct pp_event tcp = reply;
	tcp.ts_ns = 400;
	tcp.l4proto = 6;
	tl_add(&t, &tcp);
	CHECK("other protocol: previous packet emitted as reused", g.n == 2 && g.nev[1] == 1);
	CHECK("reused counted", t.st.by_end[TL_END_REUSED] == 2);
	tl_free(&t);

	/* Per-timeline cap: events beyond TL_MAX_EVENTS are counted, not kept. */
	memset(&g, 0, sizeof(g));
	tl_init(&t, 4, 1000 * MS, 0, collect, &g);
	for (uint64_t i = 0; i < TL_MAX_EVENTS + 10; i++)
		add(&t, 0x2000, PP_PROBE_RX, i);
	add(&t, 0x2000, PP_PROBE_FREE, 100000);
	CHECK("cap keeps the timeline bounded", g.n == 1 && g.nev[0] == TL_MAX_EVENTS);
	CHECK("cut events counted", t.st.events_cut == 11);
	tl_free(&t);
	return unit_failed;
}
