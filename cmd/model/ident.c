#include "cmd/model/ident.h"

#include <string.h>

#include "cmd/model/timeline.h"

#define NF_INET_LOCAL_OUT 3
/* A tap's copy is freed within this of the original's last event. */
#define COPY_NEAR_NS (1000ull * 1000)

/* Filled in place (and inlined by its callers here): a struct built field
 * by field and then returned whole is read back with wide loads that wait
 * for the narrow stores (no store forwarding), twice an event. */
static inline void sight_fill(struct pp_sight *g, const struct pp_event *e)
{
	memset(g, 0, sizeof(*g));
	g->head = e->head;
	g->netns = e->netns;
	g->probe = e->probe;
	g->step = e->step;
	/* The kernel compares net_device pointers; here netns and ifindex
	 * name the device. */
	if (e->have & PP_HAVE_DEV)
		g->dev = PP_DEV_FOLD((uint64_t)e->netns << 32 | e->ifindex);
	if ((e->have & PP_HAVE_L3) && !(e->step & PP_STEP_GONE)) {
		/* As the kernel reads them (bpf/parse.bpf.h hdr_read). */
		struct pp_hdr *h = &g->hdr;
		uint32_t a[8];
		h->l4proto = e->l4proto;
		if (e->ipver == 4) {
			memcpy(&h->saddr, e->saddr, 4);
			memcpy(&h->daddr, e->daddr, 4);
		} else {
			memcpy(a, e->saddr, 16);
			memcpy(a + 4, e->daddr, 16);
			h->saddr = a[0] ^ a[1] ^ a[2] ^ a[3];
			h->daddr = a[4] ^ a[5] ^ a[6] ^ a[7];
		}
		h->have = 1 | (e->id_have & (PP_ID_IPID | PP_ID_SEQ)) << 1;
		h->ip_id = e->ip_id;
		h->seq = e->tcp_seq;
	} else if (e->ethertype == PP_ETH_P_ARP && !(e->step & PP_STEP_GONE)) {
		g->hdr.l4proto = PP_L4_ARP;
		g->hdr.have = 1;
	}
}

struct pp_sight ident_sight(const struct pp_event *e)
{
	struct pp_sight g;
	sight_fill(&g, e);
	return g;
}

bool ident_same(const struct timeline *x, const struct pp_event *e)
{
	if (e->step & PP_STEP_GONE)
		return true; /* the memory release of whatever the address carried */
	if (x->end && x->end != TL_END_DELIVERED && e->ts_ns > x->end_ts)
		return false; /* freed: the address is in use again */
	if (x->end && e->ts_ns <= x->end_ts)
		return true; /* a late event from another CPU */
	struct pp_sight g;
	sight_fill(&g, e);
	return pp_ident_same(&x->ident, &g);
}

void ident_note(struct timeline *x, const struct pp_event *e)
{
	struct pp_sight g;
	sight_fill(&g, e);
	/* pp_ident_note, with the header copied field by field: copied whole
	 * (16 bytes), it read back the narrow stores sight_fill had just
	 * made, which do not forward to a wide load: a stall every event
	 * (4 % of a replay). Field by field, the compiler uses the values. */
	if (g.hdr.have) {
		struct pp_hdr *h = &x->ident.hdr;
		h->saddr = g.hdr.saddr;
		h->daddr = g.hdr.daddr;
		h->seq = g.hdr.seq;
		h->ip_id = g.hdr.ip_id;
		h->l4proto = g.hdr.l4proto;
		h->have = g.hdr.have;
	}
	pp_ident_note_at(&x->ident, g.head, g.dev, g.netns, g.probe, g.step);
}

bool ident_can_begin(const struct pp_event *e)
{
	if (e->step & (PP_STEP_DEV_RX | PP_STEP_DEV_TX))
		return true;
	if (e->probe == PP_PROBE_NETFILTER)
		return (e->have & PP_HAVE_NF) && e->nf_hook == NF_INET_LOCAL_OUT;
	return e->probe == PP_PROBE_TX || e->probe == PP_PROBE_ROUTE;
}

bool ident_delivery_ends(const struct timeline *x, const struct pp_event *e)
{
	if (e->probe != PP_PROBE_DELIVER)
		return false;
	const struct pp_event *h = x->id_ev >= 0 ? &x->ev[x->id_ev] : e;
	return (h->have & PP_HAVE_L3) && h->l4proto == 17 /* IPPROTO_UDP */;
}

/* A copy shares the original's data buffer, so its headers are the
 * original's. Taken for a copy: a free of an address pktpath saw nothing
 * else of, while the original waits before its first device transmit (the
 * neighbour probe's copy: neigh_probe clones the queued packet and frees the
 * clone once the solicitation is sent), or right after the original's last
 * event with no event lost in between (a packet tap's copy). */
uint8_t ident_copy_of(const struct timeline *x, const struct pp_event *e)
{
	if (x->end || !e->head || x->ident.head != e->head || x->skb == e->skb || e->probe != PP_PROBE_FREE)
		return 0;
	struct pp_sight g;
	sight_fill(&g, e);
	if (!pp_ident_same_hdr(&x->ident, &g.hdr))
		return 0;
	if (x->ident.state == PP_IS_NONE && !(e->step & PP_STEP_GONE))
		return PP_STEP_COPY | PP_STEP_NEIGH;
	if (e->ts_ns <= x->last_ts + COPY_NEAR_NS && e->lost_seen == x->lost_hi)
		return PP_STEP_COPY;
	return 0;
}
