#include "cmd/model/carry.h"
#include "cmd/util/bigcopy.h"

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
		big_zero(ent, sizeof(*ent)); /* the address carries another packet now */
	if (ent && ent->skb) {
		if (ent->has_hdr && rw_comparable(&ent->hdr, e)) {
			big_copy(&c->before, &ent->hdr, sizeof(c->before));
			x->before = &c->before;
			if (ent->nf_seen && !nf_link(e)) {
				x->nf_seen = true;
				x->nf_pf = ent->nf_pf;
				x->nf_hook = ent->nf_hook;
			}
		}
		if (ent->has_owner && !(e->have & PP_HAVE_OWNER)) {
			big_copy(&c->owner_from, &ent->owner, sizeof(c->owner_from));
			x->owner_from = &c->owner_from;
			c->carried++;
		} else if (ent->owner_sent && ent->rx_seen && is_receiver(e, &ent->owner)) {
			big_copy(&c->owner_from, &ent->owner, sizeof(c->owner_from));
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
		big_zero(ent, sizeof(*ent));
		ent->skb = e->skb;
	}
	if (e->probe == PP_PROBE_DROP || e->probe == PP_PROBE_FREE || (e->step & PP_STEP_GONE)) {
		big_zero(ent, sizeof(*ent)); /* its end: the address will be reused */
		return;
	}
	pp_ident_note(&ent->id, &g);
	ent->used = ++c->clock;
	if ((e->have & PP_HAVE_L3) && !(e->step & PP_STEP_COPY)) {
		big_copy(&ent->hdr, e, sizeof(ent->hdr));
		ent->has_hdr = true;
		ent->nf_seen = false;
	}
	if (e->have & PP_HAVE_NF) {
		ent->nf_seen = true;
		ent->nf_pf = e->nf_pf;
		ent->nf_hook = e->nf_hook;
	}
	if (!ent->has_owner && owner_source(e)) {
		big_copy(&ent->owner, e, sizeof(ent->owner));
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

/* e's socket and flow; false when e has no flow to tell its socket by. */
static bool sko_key_of(const struct pp_event *e, struct sko_key *k)
{
	memset(k, 0, sizeof(*k)); /* compared whole, padding included */
	if (!e->sk || (e->have & (PP_HAVE_L3 | PP_HAVE_L4)) != (PP_HAVE_L3 | PP_HAVE_L4) ||
	    (e->have & PP_HAVE_FRAG) || (e->step & PP_STEP_COPY))
		return false;
	uint16_t ps = e->sport, pd = e->dport;
	if (e->l4proto == 1 || e->l4proto == 58) {
		bool echo = e->l4proto == 1 ? (e->icmp_type == 0 || e->icmp_type == 8)
					    : (e->icmp_type == 128 || e->icmp_type == 129);
		if (!echo)
			return false;
		pd = ps; /* the id; the sequence changes from packet to packet */
	} else if (e->l4proto != 6 && e->l4proto != 17) {
		return false;
	}
	size_t alen = e->ipver == 6 ? 16 : 4;
	int c = memcmp(e->saddr, e->daddr, alen);
	bool swap = c > 0 || (c == 0 && ps > pd);
	k->sk = e->sk;
	k->ipver = e->ipver;
	k->proto = e->l4proto;
	memcpy(k->a, swap ? e->daddr : e->saddr, alen);
	memcpy(k->b, swap ? e->saddr : e->daddr, alen);
	k->pa = swap ? pd : ps;
	k->pb = swap ? ps : pd;
	return true;
}

static struct sko_ent *sko_find(struct sk_owners *s, const struct sko_key *k, bool make)
{
	if (!s->v && (!make || !(s->v = calloc(SKO_SETS * SKO_WAYS, sizeof(*s->v)))))
		return NULL;
	struct sko_ent *set = &s->v[set_of(k->sk ^ ((uint64_t)k->pa << 32 | k->pb)) % SKO_SETS * SKO_WAYS];
	struct sko_ent *old = &set[0];
	for (size_t w = 0; w < SKO_WAYS; w++) {
		if (set[w].k.sk && !memcmp(&set[w].k, k, sizeof(*k)))
			return &set[w];
		if (set[w].used < old->used)
			old = &set[w]; /* a free way (used 0) or the least recently learned */
	}
	if (!make)
		return NULL;
	memset(old, 0, sizeof(*old));
	memcpy(&old->k, k, sizeof(*k)); /* padding too: entries are compared whole */
	return old;
}

void sko_learn(struct sk_owners *s, const struct pp_event *e)
{
	struct sko_key k;
	if (!(e->have & PP_HAVE_OWNER) || !sko_key_of(e, &k))
		return;
	struct sko_ent *x = sko_find(s, &k, true);
	if (!x)
		return; /* out of memory: packets print as their records say */
	x->owner = e->owner;
	x->used = ++s->clock;
}

/* Whether a step of t names sk's owner by its own record: then the packet
 * knew it, and its other steps carry it with where it was learned
 * (carry_in_timeline). */
static bool sk_known_in(const struct timeline *t, uint64_t sk)
{
	for (size_t j = 0; j < t->n; j++)
		if (t->ev[j].sk == sk && (t->ev[j].have & PP_HAVE_OWNER) && !(t->ev[j].have & PP_HAVE_OWNER_SOCKET))
			return true;
	return false;
}

void sko_fill(struct sk_owners *s, struct timeline *t)
{
	for (size_t i = 0; s->v && i < t->n; i++) {
		struct pp_event *e = &t->ev[i];
		struct sko_key k;
		if ((e->have & PP_HAVE_OWNER) || !sko_key_of(e, &k) || sk_known_in(t, e->sk))
			continue;
		const struct sko_ent *x = sko_find(s, &k, false);
		if (!x)
			continue;
		e->owner = x->owner;
		e->have |= PP_HAVE_OWNER | PP_HAVE_OWNER_SOCKET;
		s->filled++;
	}
}

void sko_free(struct sk_owners *s)
{
	free(s->v);
	s->v = NULL;
}
