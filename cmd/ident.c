#include "cmd/ident.h"

#include <string.h>

#include "cmd/timeline.h"

#define NF_INET_LOCAL_OUT 3
/* A tap's copy is freed within this of the original's last event. */
#define COPY_NEAR_NS (1000ull * 1000)

struct pp_sight ident_sight(const struct pp_event *e)
{
	struct pp_sight g = {.head = e->head, .netns = e->netns, .probe = e->probe, .step = e->step};
	/* The kernel compares net_device pointers; here netns and ifindex
	 * name the device. */
	if (e->have & PP_HAVE_DEV)
		g.dev = (uint64_t)e->netns << 32 | e->ifindex;
	return g;
}

/* Headers that differ where no NAT would change them. */
static bool other_headers(const struct timeline *x, const struct pp_event *e)
{
	if (x->id_ev < 0 || !(e->have & PP_HAVE_L3))
		return false;
	const struct pp_event *a = &x->ev[x->id_ev];
	if (a->ipver != e->ipver || a->l4proto != e->l4proto)
		return true;
	size_t alen = a->ipver == 6 ? 16 : 4;
	/* Both addresses changed: NAT changes one. */
	if (memcmp(a->saddr, e->saddr, alen) != 0 && memcmp(a->daddr, e->daddr, alen) != 0)
		return true;
	/* NAT keeps the IPv4 id and the TCP sequence number. */
	if ((a->id_have & e->id_have & PP_ID_IPID) && a->ip_id != e->ip_id)
		return true;
	if ((a->id_have & e->id_have & PP_ID_SEQ) && a->tcp_seq != e->tcp_seq)
		return true;
	return false;
}

bool ident_same(const struct timeline *x, const struct pp_event *e)
{
	if (e->step & PP_STEP_GONE)
		return true; /* the memory release of whatever the address carried */
	if (x->end && x->end != TL_END_DELIVERED && e->ts_ns > x->end_ts)
		return false; /* freed: the address is in use again */
	if (x->end && e->ts_ns <= x->end_ts)
		return true; /* a late event from another CPU */
	struct pp_sight g = ident_sight(e);
	if (!pp_ident_same(&x->ident, &g))
		return false;
	return !other_headers(x, e);
}

void ident_note(struct timeline *x, const struct pp_event *e)
{
	struct pp_sight g = ident_sight(e);
	pp_ident_note(&x->ident, &g);
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
	if (!(e->step & PP_STEP_GONE) && other_headers(x, e))
		return 0;
	if (x->ident.state == PP_IS_NONE && !(e->step & PP_STEP_GONE))
		return PP_STEP_COPY | PP_STEP_NEIGH;
	if (e->ts_ns <= x->last_ts + COPY_NEAR_NS && e->lost_seen == x->lost_hi)
		return PP_STEP_COPY;
	return 0;
}
