#include "cmd/model/carry.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/model/ident.h"
#include "cmd/model/rewrite.h"
#include "cmd/model/timeline.h"

/* An owner that says who sent the packet: a delivery's owner is its
 * receiver, not the sender, so it is not carried to other steps. */
static bool owner_source(const struct pp_event *e)
{
	return (e->have & PP_HAVE_OWNER) && e->probe != PP_PROBE_DELIVER;
}

/* e's own owner is another process than sender's, on the receiving side
 * (the receiving socket's, or the reader a delivery names). */
static bool is_receiver(const struct pp_event *e, const struct pp_event *sender)
{
	return (e->have & PP_HAVE_OWNER) && e->owner.tgid != sender->owner.tgid;
}

/* A netfilter link's event: the rewrite shows at the hook's own step. */
static bool nf_link(const struct pp_event *e)
{
	return e->probe == PP_PROBE_NETFILTER && !e->func;
}

void carry_in_timeline(const struct timeline *t, size_t i, struct ev_extra *x)
{
	const struct pp_event *e = &t->ev[i], *sender = NULL;
	memset(x, 0, sizeof(*x));
	x->before = rw_before(t->ev, i);
	/* From the previous header's step (a hook's entry, fentry/kprobe) on. */
	for (size_t j = i; x->before && !nf_link(e) && j-- > (size_t)(x->before - t->ev);)
		if (t->ev[j].have & PP_HAVE_NF) {
			x->nf_seen = true;
			x->nf_pf = t->ev[j].nf_pf;
			x->nf_hook = t->ev[j].nf_hook;
			break;
		}
	size_t rx = 0;
	while (rx < t->n && !(t->ev[rx].step & PP_STEP_DEV_RX))
		rx++;
	for (size_t j = 0; j < rx && !sender; j++)
		if (owner_source(&t->ev[j]))
			sender = &t->ev[j];
	if (sender && i > rx && is_receiver(e, sender)) {
		x->owner_from = sender;
		x->receiver = e;
		return;
	}
	if (e->have & PP_HAVE_OWNER)
		return;
	if (sender) {
		x->owner_from = sender;
		return;
	}
	/* The nearest earlier step that knew the owner, else the first later one. */
	for (size_t j = i; j-- > 0;)
		if (owner_source(&t->ev[j])) {
			x->owner_from = &t->ev[j];
			return;
		}
	for (size_t j = i + 1; j < t->n; j++)
		if (owner_source(&t->ev[j])) {
			x->owner_from = &t->ev[j];
			return;
		}
}

static size_t set_of(uint64_t skb)
{
	skb ^= skb >> 33;
	skb *= 0xff51afd7ed558ccdull;
	skb ^= skb >> 33;
	return (size_t)skb & (CARRY_SETS - 1);
}

void carry_stream(struct carry *c, const struct pp_event *e, struct ev_extra *x)
{
	memset(x, 0, sizeof(*x));
	if (!c->v && !(c->v = calloc(CARRY_SETS * CARRY_WAYS, sizeof(*c->v))))
		return; /* out of memory: lines print as their own records say */
	struct carry_ent *set = &c->v[set_of(e->skb) * CARRY_WAYS], *ent = NULL;
	for (size_t w = 0; w < CARRY_WAYS; w++)
		if (set[w].skb == e->skb)
			ent = &set[w];
	struct pp_sight g = ident_sight(e);
	if (ent && !pp_ident_same(&ent->id, &g))
		memset(ent, 0, sizeof(*ent)); /* the address carries another packet now */
	if (ent && ent->skb) {
		if (ent->has_hdr && rw_comparable(&ent->hdr, e)) {
			c->before = ent->hdr;
			x->before = &c->before;
			if (ent->nf_seen && !nf_link(e)) {
				x->nf_seen = true;
				x->nf_pf = ent->nf_pf;
				x->nf_hook = ent->nf_hook;
			}
		}
		if (ent->has_owner && !(e->have & PP_HAVE_OWNER)) {
			c->owner_from = ent->owner;
			x->owner_from = &c->owner_from;
			c->carried++;
		} else if (ent->owner_sent && ent->rx_seen && is_receiver(e, &ent->owner)) {
			c->owner_from = ent->owner;
			x->owner_from = &c->owner_from;
			x->receiver = e;
			c->receivers++;
		}
	} else {
		/* A free way, else the least recently used one. */
		ent = &set[0];
		for (size_t w = 0; w < CARRY_WAYS; w++) {
			if (!set[w].skb) {
				ent = &set[w];
				break;
			}
			if (set[w].used < ent->used)
				ent = &set[w];
		}
		if (ent->skb)
			c->evicted++;
		memset(ent, 0, sizeof(*ent));
		ent->skb = e->skb;
	}
	if (e->probe == PP_PROBE_DROP || e->probe == PP_PROBE_FREE || (e->step & PP_STEP_GONE)) {
		memset(ent, 0, sizeof(*ent)); /* its end: the address will be reused */
		return;
	}
	pp_ident_note(&ent->id, &g);
	ent->used = ++c->clock;
	if ((e->have & PP_HAVE_L3) && !(e->step & PP_STEP_COPY)) {
		ent->hdr = *e;
		ent->has_hdr = true;
		ent->nf_seen = false;
	}
	if (e->have & PP_HAVE_NF) {
		ent->nf_seen = true;
		ent->nf_pf = e->nf_pf;
		ent->nf_hook = e->nf_hook;
	}
	if (!ent->has_owner && owner_source(e)) {
		ent->owner = *e;
		ent->has_owner = true;
		ent->owner_sent = !ent->rx_seen && !(e->step & PP_STEP_DEV_RX);
	}
	if (e->step & PP_STEP_DEV_RX)
		ent->rx_seen = true;
}

void carry_free(struct carry *c)
{
	free(c->v);
	c->v = NULL;
}
