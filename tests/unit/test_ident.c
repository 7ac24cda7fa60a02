/* Packet identity (bpf/ident.h, cmd/model/ident.c) through the timeline table:
 * when an skb address starts carrying a new packet, copies, loss marks.
 * Synthetic events: no kernel involved. */
#include <stdlib.h>

#include "cmd/model/timeline.h"
#include "unit.h"

#define MAXOUT 16
struct got {
	size_t n;
	size_t nev[MAXOUT];
	enum tl_end end[MAXOUT];
	bool gap[MAXOUT];
	uint32_t copies[MAXOUT];
	uint64_t neigh[MAXOUT];
};

static void collect(void *arg, const struct timeline *t)
{
	struct got *g = arg;
	if (g->n >= MAXOUT)
		return;
	g->nev[g->n] = t->n;
	g->end[g->n] = t->end;
	g->gap[g->n] = t->gap;
	g->copies[g->n] = t->copies;
	g->neigh[g->n] = tl_neigh_wait(t);
	g->n++;
}

#define SKB 0xffff888100001000ull
#define HEAD 0xffff888200002000ull
#define NS_A 4026530001u
#define NS_B 4026530002u

/* A UDP datagram 198.18.0.1 > 198.18.0.2 with IPv4 id `id`, seen at
 * probe in namespace ns on interface ifindex (0: none). */
static struct pp_event at(uint16_t probe, uint8_t step, uint32_t ns, uint32_t ifindex, uint64_t ts, uint16_t id)
{
	struct pp_event e = {0};
	e.skb = SKB;
	e.head = HEAD;
	e.probe = probe;
	e.step = step;
	e.ts_ns = ts;
	e.netns = ns;
	e.have = PP_HAVE_L3 | PP_HAVE_NETNS;
	if (ifindex) {
		e.ifindex = ifindex;
		e.have |= PP_HAVE_DEV;
	}
	e.ipver = 4;
	e.l4proto = 17;
	memcpy(e.saddr, "\xc6\x12\x00\x01", 4);
	memcpy(e.daddr, "\xc6\x12\x00\x02", 4);
	e.ip_id = id;
	e.id_have = PP_ID_IPID;
	return e;
}

static void add(struct tl_table *t, struct pp_event e)
{
	tl_add(t, &e);
}

#define TX(ns, i, ts, id) at(PP_PROBE_TX, PP_STEP_DEV_TX, ns, i, ts, id)
#define RX(ns, i, ts, id) at(PP_PROBE_RX, PP_STEP_DEV_RX, ns, i, ts, id)

static void fresh(struct tl_table *t, struct got *g)
{
	memset(g, 0, sizeof(*g));
	tl_init(t, 64, 1000000000ull, 1000000ull, collect, g); /* grace 1 ms */
}

int main(void)
{
	struct tl_table t;
	struct got g;

	/* The case: same address, same buffer, same id (an unconnected
	 * socket's DF datagrams all carry id 0), freed unseen by the reader. */
	fresh(&t, &g);
	for (int i = 0; i < 3; i++) {
		add(&t, TX(NS_A, 2, 100 + i * 100, 0));
		add(&t, RX(NS_B, 3, 110 + i * 100, 0));
	}
	tl_flush_all(&t);
	CHECK("a transmit in another namespace than the receive: a new packet", g.n == 3 && g.nev[0] == 2);
	CHECK("the packets before ended as reused", g.end[0] == TL_END_REUSED && g.end[1] == TL_END_REUSED);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, RX(NS_B, 3, 100, 0));
	add(&t, RX(NS_B, 3, 200, 0));
	tl_flush_all(&t);
	CHECK("a second receive on the same device: a new packet", g.n == 2);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, RX(NS_B, 3, 100, 0)); /* bridge port */
	add(&t, RX(NS_B, 9, 120, 0)); /* the bridge device */
	add(&t, RX(NS_B, 3, 300, 0)); /* the port again: the next frame */
	tl_flush_all(&t);
	CHECK("port then bridge device: one packet; the port again: the next", g.n == 2 && g.nev[0] == 2);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, RX(NS_A, 3, 100, 0));
	add(&t, RX(NS_B, 4, 120, 0));
	tl_flush_all(&t);
	CHECK("a receive in another namespace with no transmit between: a new packet", g.n == 2);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, RX(NS_A, 3, 100, 0));
	add(&t, TX(NS_A, 4, 110, 0)); /* forwarded */
	add(&t, TX(NS_A, 4, 300, 0)); /* the same device again */
	tl_flush_all(&t);
	CHECK("forwarded: one packet; a transmit on the same device again: the next", g.n == 2 && g.nev[0] == 2);
	tl_free(&t);

	fresh(&t, &g);
	struct pp_event e = TX(NS_A, 2, 100, 0);
	add(&t, e);
	e = RX(NS_B, 3, 110, 0);
	e.head = HEAD + 0x800;
	add(&t, e);
	tl_flush_all(&t);
	CHECK("another data buffer: a new packet", g.n == 2);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, TX(NS_A, 2, 100, 7));
	e = RX(NS_B, 3, 110, 7);
	memcpy(e.saddr, "\xc6\x13\x00\x09", 4); /* SNAT */
	add(&t, e);
	add(&t, at(PP_PROBE_NETFILTER, 0, NS_B, 3, 120, 8)); /* another id */
	tl_flush_all(&t);
	CHECK("NAT keeps the packet; another IPv4 id is another packet", g.n == 2 && g.nev[0] == 2);
	tl_free(&t);

	/* The identity test's case: a datagram received and consumed unseen,
	 * then the receiver's ARP request at the same address and buffer,
	 * transmitted in the namespace the datagram was received in. */
	fresh(&t, &g);
	add(&t, TX(NS_A, 2, 100, 7));
	add(&t, RX(NS_B, 3, 110, 7));
	e = TX(NS_B, 3, 500, 0);
	e.have &= ~PP_HAVE_L3;
	e.ethertype = PP_ETH_P_ARP;
	add(&t, e);
	e = RX(NS_A, 2, 510, 0);
	e.have &= ~PP_HAVE_L3;
	e.ethertype = PP_ETH_P_ARP;
	add(&t, e);
	tl_flush_all(&t);
	CHECK("an ARP packet at a datagram's address is another packet; its own steps one", g.n == 2 &&
	      g.nev[0] == 2 && g.nev[1] == 2);
	tl_free(&t);

	/* UDP delivery: the end in practice; a second read (MSG_PEEK) stays. */
	fresh(&t, &g);
	add(&t, TX(NS_A, 2, 100, 1));
	add(&t, RX(NS_B, 3, 110, 1));
	add(&t, at(PP_PROBE_DELIVER, 0, NS_B, 0, 120, 1));
	add(&t, at(PP_PROBE_DELIVER, 0, NS_B, 0, 130, 1));
	add(&t, TX(NS_A, 2, 200, 1));
	tl_flush_all(&t);
	CHECK("a UDP delivery ends the packet, a second read joins it", g.n == 2 && g.nev[0] == 4 &&
										 g.end[0] == TL_END_DELIVERED);
	CHECK("delivered counted", t.st.by_end[TL_END_DELIVERED] == 1);
	tl_free(&t);

	/* kfree_skbmem (fentry/kprobe): ends an open packet; after a free, or
	 * alone, it makes no timeline. */
	fresh(&t, &g);
	add(&t, RX(NS_B, 3, 100, 1));
	add(&t, at(PP_PROBE_FREE, PP_STEP_GONE, 0, 0, 110, 1));
	add(&t, RX(NS_B, 3, 200, 2));
	add(&t, at(PP_PROBE_FREE, 0, NS_B, 3, 210, 2));
	add(&t, at(PP_PROBE_FREE, PP_STEP_GONE, 0, 0, 211, 2));
	e = at(PP_PROBE_FREE, PP_STEP_GONE, 0, 0, 300, 3);
	e.skb = SKB + 0x100;
	add(&t, e);
	tl_flush_all(&t);
	CHECK("memory release ends the packet; after a free or alone it adds none",
	      g.n == 2 && g.end[0] == TL_END_FREE && g.nev[0] == 2 && g.nev[1] == 2);
	CHECK("a release alone is counted", t.st.ends_alone == 1);
	tl_free(&t);

	/* The neighbour probe's copy: freed at another address, same buffer,
	 * while the packet waits before its transmit. */
	fresh(&t, &g);
	add(&t, at(PP_PROBE_NETFILTER, 0, NS_A, 2, 100, 5));
	e = at(PP_PROBE_FREE, 0, NS_A, 2, 150, 5);
	e.skb = SKB + 0x200;
	add(&t, e);
	add(&t, TX(NS_A, 2, 400, 5));
	add(&t, at(PP_PROBE_DROP, 0, NS_B, 3, 500, 5));
	tl_flush_all(&t);
	CHECK("the neighbour probe's copy joins its packet", g.n == 1 && g.nev[0] == 4 && g.copies[0] == 1);
	CHECK("the neighbour wait: from the step before the copy to the transmit", g.neigh[0] == 300);
	tl_free(&t);

	fresh(&t, &g);
	add(&t, TX(NS_A, 2, 100, 5));
	add(&t, RX(NS_B, 3, 110, 5));
	e = at(PP_PROBE_FREE, 0, NS_B, 3, 50000000, 5);
	e.skb = SKB + 0x200;
	add(&t, e);
	tl_flush_all(&t);
	CHECK("a free of the same buffer long after is no copy", g.n == 2 && g.copies[0] == 0);
	tl_free(&t);

	/* Loss marks. */
	fresh(&t, &g);
	add(&t, TX(NS_A, 2, 100, 1));
	e = RX(NS_B, 3, 110, 1);
	e.lost_seen = 3;
	add(&t, e);
	add(&t, at(PP_PROBE_DROP, 0, NS_B, 3, 120, 1));
	tl_flush_all(&t);
	CHECK("events lost between a packet's events: marked", g.n == 1 && g.gap[0] && t.st.gaps == 1);
	tl_free(&t);

	fresh(&t, &g);
	e = TX(NS_A, 2, 100 * 1000000ull, 1);
	e.lost_seen = 2;
	add(&t, e);
	e.probe = PP_PROBE_DROP;
	e.step = 0;
	e.ts_ns += 10;
	add(&t, e);
	e = TX(NS_A, 2, 200 * 1000000ull, 2);
	e.skb = SKB + 0x300;
	e.lost_seen = 2;
	add(&t, e);
	e.probe = PP_PROBE_DROP;
	e.step = 0;
	e.ts_ns += 10;
	add(&t, e);
	tl_flush_all(&t);
	CHECK("lost before the first event (in the window): marked; long after: not",
	      g.n == 2 && g.gap[0] && !g.gap[1] && t.st.gaps == 1);
	tl_free(&t);
	return unit_failed;
}
