#include "cmd/model/timeline.h"
#include "cmd/model/ident.h"
#include "cmd/util/bigcopy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *tl_end_name(enum tl_end end)
{
	switch (end) {
	case TL_END_DROP: return "drop";
	case TL_END_FREE: return "free";
	case TL_END_IDLE: return "idle";
	case TL_END_EVICTED: return "evicted";
	case TL_END_REUSED: return "reused";
	case TL_END_EXIT: return "exit";
	case TL_END_DELIVERED: return "delivered";
	case TL_END_MAX: break;
	}
	return "open";
}

static size_t bucket(const struct tl_table *t, uint64_t skb)
{
	/* skb addresses share their low bits (slab alignment): mix first. */
	skb ^= skb >> 33;
	skb *= 0xff51afd7ed558ccdull;
	skb ^= skb >> 33;
	return (size_t)skb & (t->nbuckets - 1);
}

static void list_del(struct tl_list *l, struct timeline *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		l->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		l->tail = x->prev;
	x->prev = x->next = NULL;
}

static void list_add_tail(struct tl_list *l, struct timeline *x)
{
	x->next = NULL;
	x->prev = l->tail;
	if (l->tail)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
}

int tl_init(struct tl_table *t, size_t max_open, uint64_t idle_ns, uint64_t grace_ns,
	    tl_emit_fn emit, void *arg)
{
	memset(t, 0, sizeof(*t));
	if (!max_open || !emit) {
		errno = EINVAL;
		return -1;
	}
	size_t nb = 64;
	while (nb < max_open && nb < ((size_t)1 << 24))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets)
		return -1;
	t->nbuckets = nb;
	t->max_open = max_open;
	t->idle_ns = idle_ns;
	t->grace_ns = grace_ns;
	t->emit = emit;
	t->arg = arg;
	return 0;
}

/* Emitted timelines are kept for the next packets, event array and all:
 * a flood opens and closes one every few events, and allocating, growing
 * and freeing each was 3-4 % of a replay's instructions. A few suffice
 * (they are reused at once); the bound caps what an idle table holds. */
#define TL_SPARE 32

static void release(struct tl_table *t, struct timeline *x)
{
	if (t->nspare < TL_SPARE) {
		x->hnext = t->spare;
		t->spare = x;
		t->nspare++;
		return;
	}
	free(x->ev);
	free(x);
}

/* A zeroed timeline, with a spare's event array when there is one. */
static struct timeline *fresh(struct tl_table *t)
{
	struct timeline *x = t->spare;
	if (!x)
		return calloc(1, sizeof(*x));
	t->spare = x->hnext;
	t->nspare--;
	struct pp_event *ev = x->ev;
	size_t cap = x->cap;
	memset(x, 0, sizeof(*x));
	x->ev = ev;
	x->cap = cap;
	return x;
}

static struct timeline *lookup(const struct tl_table *t, uint64_t skb)
{
	for (struct timeline *x = t->buckets[bucket(t, skb)]; x; x = x->hnext)
		if (x->skb == skb)
			return x;
	return NULL;
}

/* Stable, and nearly linear on the nearly sorted input the ring buffer
 * gives (events from other CPUs arrive a little late). */
static void sort_events(struct pp_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (ev[i - 1].ts_ns <= ev[i].ts_ns)
			continue;
		struct pp_event tmp = ev[i];
		size_t j = i;
		while (j > 0 && ev[j - 1].ts_ns > tmp.ts_ns) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = tmp;
	}
}

static void emit(struct tl_table *t, struct timeline *x, enum tl_end why)
{
	struct timeline **pp = &t->buckets[bucket(t, x->skb)];
	while (*pp != x)
		pp = &(*pp)->hnext;
	*pp = x->hnext;
	list_del(x->end ? &t->ended : &t->active, x);
	t->open--;
	if (!x->end)
		x->end = why;
	sort_events(x->ev, x->n);
	/* Events lost between its first and last event; or after its last
	 * when its end was not seen (the end may be among them); or just
	 * before a first event where a packet cannot begin. */
	bool ended = x->end == TL_END_DROP || x->end == TL_END_FREE || x->end == TL_END_DELIVERED;
	if (x->lost_lo != x->lost_hi || (!ended && t->lost_now > x->lost_hi) || x->lost_lo > x->lost_before)
		x->gap = true;
	if (x->gap)
		t->st.gaps++;
	t->st.emitted++;
	t->st.by_end[x->end]++;
	t->emit(t->arg, x);
	release(t, x);
}

static int append(struct tl_table *t, struct timeline *x, const struct pp_event *e)
{
	if (x->n >= TL_MAX_EVENTS) {
		x->extra++;
		t->st.events_cut++;
		return 0;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4;
		struct pp_event *v = realloc(x->ev, cap * sizeof(*v));
		if (!v) {
			t->st.nomem++;
			return -1;
		}
		x->ev = v;
		x->cap = cap;
	}
	if (x->id_ev < 0 && (e->have & PP_HAVE_L3))
		x->id_ev = (long)x->n;
	big_copy(&x->ev[x->n++], e, sizeof(*e));
	if (e->ts_ns > x->last_ts)
		x->last_ts = e->ts_ns;
	if (e->lost_seen < x->lost_lo)
		x->lost_lo = e->lost_seen;
	if (e->lost_seen > x->lost_hi)
		x->lost_hi = e->lost_seen;
	return 0;
}

/* Recently active timelines searched for a copy's original. */
#define COPY_SCAN 64

/* An end event of an address pktpath saw nothing else of may be a copy of
 * a packet being followed (cmd/model/ident.c): joined to it, marked. */
static bool join_copy(struct tl_table *t, const struct pp_event *e)
{
	size_t n = 0;
	for (struct timeline *x = t->active.tail; x && n < COPY_SCAN; x = x->prev, n++) {
		uint8_t how = ident_copy_of(x, e);
		if (!how)
			continue;
		struct pp_event c = *e;
		c.step |= how;
		if (append(t, x, &c) == 0) {
			x->copies++;
			t->st.copies++;
		}
		return true;
	}
	return false;
}

/* lost_now as it was TL_LOST_WINDOW_MS before ts, or earlier (never
 * later, so a loss in the window is never missed); then notes ts's
 * millisecond. */
static uint64_t lost_since(struct tl_table *t, uint64_t ts)
{
	uint64_t ms = ts / 1000000, want = ms >= TL_LOST_WINDOW_MS ? ms - TL_LOST_WINDOW_MS : 0;
	uint64_t best_ms = 0, best = 0;
	bool found = false;
	/* The latest millisecond kept at or before want: slot x % TL_LOST_SLOTS
	 * holds only milliseconds congruent to x, so the first of want, want-1,
	 * ... that its slot holds is the latest (any other is at least a whole
	 * round of slots older). Most events find it at once; else all slots. */
	for (uint64_t x = want; x > 0 && x + TL_LOST_SLOTS > want; x--)
		if (t->lost_at[x % TL_LOST_SLOTS].ms == x) {
			found = true;
			best_ms = x;
			best = x < want ? t->lost_at[x % TL_LOST_SLOTS].last : t->lost_at[x % TL_LOST_SLOTS].first;
			break;
		}
	for (size_t i = 0, fast = found; i < TL_LOST_SLOTS && !fast; i++) {
		uint64_t m = t->lost_at[i].ms;
		if (m && m <= want && (!found || m > best_ms)) {
			best_ms = m;
			/* A millisecond wholly before the window: all it saw. */
			best = m < want ? t->lost_at[i].last : t->lost_at[i].first;
			found = true;
		}
	}
	/* Nothing that old was kept: only what came before every event. */
	if (!found)
		best = 0;
	size_t slot = ms % TL_LOST_SLOTS;
	if (t->lost_at[slot].ms != ms) {
		t->lost_at[slot].ms = ms;
		t->lost_at[slot].first = t->lost_now;
	}
	return best;
}

void tl_add(struct tl_table *t, const struct pp_event *e)
{
	struct timeline *x = lookup(t, e->skb);
	bool ends = e->probe == PP_PROBE_DROP || e->probe == PP_PROBE_FREE;
	uint64_t lost_before = lost_since(t, e->ts_ns);
	if (e->lost_seen > t->lost_now)
		t->lost_now = e->lost_seen;
	t->lost_at[(e->ts_ns / 1000000) % TL_LOST_SLOTS].last = t->lost_now;

	if (x && x->end && x->end != TL_END_DELIVERED && (e->step & PP_STEP_GONE))
		return; /* kfree_skbmem after the drop or free already seen */
	if (x && x->end && ident_same(x, e)) {
		append(t, x, e); /* a late event from another CPU, or after the delivery */
		if (ends && x->end == TL_END_DELIVERED) {
			x->end = e->probe == PP_PROBE_DROP ? TL_END_DROP : TL_END_FREE;
			if (e->ts_ns > x->end_ts)
				x->end_ts = e->ts_ns;
		}
		return;
	}
	if (x && !ident_same(x, e)) {
		emit(t, x, x->end ? x->end : TL_END_REUSED); /* the address now carries another packet */
		x = NULL;
	}
	if (!x) {
		if (ends && join_copy(t, e))
			return;
		if (e->step & PP_STEP_GONE) {
			t->st.ends_alone++; /* nothing of it kept: no header to show */
			return;
		}
		if (t->open >= t->max_open) {
			/* Finished ones go first: they lose nothing. */
			if (t->ended.head)
				emit(t, t->ended.head, TL_END_DROP);
			else
				emit(t, t->active.head, TL_END_EVICTED);
		}
		x = fresh(t);
		if (!x) {
			t->st.nomem++;
			return;
		}
		x->skb = e->skb;
		x->id_ev = -1;
		x->lost_lo = x->lost_hi = e->lost_seen;
		x->lost_before = lost_before;
		if (append(t, x, e)) {
			release(t, x);
			return;
		}
		size_t b = bucket(t, e->skb);
		x->hnext = t->buckets[b];
		t->buckets[b] = x;
		t->open++;
		ident_note(x, e);
	} else {
		append(t, x, e);
		ident_note(x, e);
		list_del(&t->active, x);
	}
	if (ident_delivery_ends(x, e)) {
		x->end = TL_END_DELIVERED;
		x->end_ts = e->ts_ns;
		list_add_tail(&t->ended, x);
		if (!t->grace_ns)
			emit(t, x, x->end);
	} else if (ends) {
		x->end = e->probe == PP_PROBE_DROP ? TL_END_DROP : TL_END_FREE;
		x->end_ts = e->ts_ns;
		list_add_tail(&t->ended, x);
		if (!t->grace_ns)
			emit(t, x, x->end);
	} else {
		list_add_tail(&t->active, x);
	}
}

void tl_expire(struct tl_table *t, uint64_t now_ns)
{
	while (t->ended.head && t->ended.head->end_ts + t->grace_ns <= now_ns)
		emit(t, t->ended.head, t->ended.head->end);
	while (t->active.head && t->active.head->last_ts + t->idle_ns <= now_ns)
		emit(t, t->active.head, TL_END_IDLE);
}

void tl_flush_all(struct tl_table *t)
{
	while (t->ended.head)
		emit(t, t->ended.head, t->ended.head->end);
	while (t->active.head)
		emit(t, t->active.head, TL_END_EXIT);
}

void tl_free(struct tl_table *t)
{
	for (size_t b = 0; t->buckets && b < t->nbuckets; b++) {
		struct timeline *x = t->buckets[b], *nx;
		for (; x; x = nx) {
			nx = x->hnext;
			free(x->ev);
			free(x);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	while (t->spare) {
		struct timeline *x = t->spare;
		t->spare = x->hnext;
		free(x->ev);
		free(x);
	}
	t->nspare = 0;
	t->open = 0;
	t->active.head = t->active.tail = t->ended.head = t->ended.tail = NULL;
}

const struct pp_event *tl_head(const struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].have & PP_HAVE_L3)
			return &t->ev[i];
	/* Not IP (ARP): the first step whose bytes were read, so it decodes. */
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].raw_len)
			return &t->ev[i];
	return &t->ev[0];
}

uint64_t tl_neigh_wait(const struct timeline *t)
{
	uint64_t from = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct pp_event *e = &t->ev[i];
		if ((e->step & PP_STEP_NEIGH) && !from)
			from = i ? t->ev[i - 1].ts_ns : e->ts_ns;
		else if ((e->step & PP_STEP_DEV_TX) && from)
			return e->ts_ns - from ? e->ts_ns - from : 1;
	}
	return 0;
}
