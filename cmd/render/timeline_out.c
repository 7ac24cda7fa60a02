#include "cmd/render/timeline_out.h"
#include "cmd/render/evtext.h"
#include "cmd/record/resolve.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render/json.h"
#include "cmd/render/timeline_text.h"
#include "kernel/dropreason.h"
#include "kernel/kallsyms.h"

/* Late events from other CPUs reach user space within a poll or two;
 * an ended packet waits this long for them before it prints. */
#define GRACE_NS (20ull * 1000 * 1000)
/* Distinct drop sites remembered for the report; kernels have a few
 * hundred drop sites, so this is only a bound against nonsense. */
#define MAX_SITES 4096

static void count_site(struct tl_out *o, const struct pp_event *e)
{
	uint32_t reason = (e->have & PP_HAVE_REASON) ? e->reason : UINT32_MAX;
	for (size_t i = 0; i < o->nsites; i++)
		if (o->sites[i].reason == reason && o->sites[i].location == e->location) {
			o->sites[i].count++;
			return;
		}
	if (o->nsites == o->capsites) {
		size_t cap = o->capsites ? o->capsites * 2 : 16;
		struct drop_site *v = cap <= MAX_SITES ? realloc(o->sites, cap * sizeof(*v)) : NULL;
		if (!v) {
			o->sites_other++;
			return;
		}
		o->sites = v;
		o->capsites = cap;
	}
	o->sites[o->nsites++] = (struct drop_site){reason, e->location, 1};
}

static void on_timeline(void *arg, const struct timeline *t)
{
	struct tl_out *o = arg;
	/* Owners learned since its packet was sent (the timeline is handed
	 * over here and freed after: filling it in place is ours to do). */
	sko_fill(&o->owners, (struct timeline *)t);
	const struct pp_event *drop = NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].probe == PP_PROBE_DROP)
			drop = &t->ev[i];
	if (drop)
		count_site(o, drop);
	if (o->by_owner)
		osum_timeline(o->by_owner, t);
	bool unwanted = o->drops_only && t->end != TL_END_DROP &&
			!(t->end == TL_END_FREE && ev_silent(NULL, &t->ev[t->n - 1], o->fmt, ev_last_netns(t->ev, t->n)));
	if (o->broken || unwanted || (o->limit && o->printed >= o->limit)) {
		if (!unwanted)
			o->unprinted++; /* past -c or a failed output: the summary says so */
		pcapng_timeline(o->pcap, t, 0, o->fmt, false); /* its bytes are not wanted */
		return;
	}
	o->printed++;
	pcapng_timeline(o->pcap, t, o->printed, o->fmt, true); /* -w: now that its summary is complete */
	sb_reset(&o->buf);
	o->r->timeline(&o->buf, t, o->printed, o->fmt, o->color);
	if (o->buf.len && fwrite(o->buf.s, 1, o->buf.len, o->out) != o->buf.len) {
		o->broken = true;
		o->err = errno ? errno : EIO;
	}
}

int tl_out_init(struct tl_out *o, const struct fmt_ctx *fmt, FILE *out, size_t max_open, uint64_t idle_ms,
		const struct renderer *r, bool drops_only)
{
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->out = out;
	o->r = r;
	o->color = render_color(r);
	o->drops_only = drops_only;
	return tl_init(&o->tab, max_open, idle_ms * 1000000ull, GRACE_NS, on_timeline, o);
}

void tl_out_event(struct tl_out *o, const struct pp_event *e)
{
	sko_learn(&o->owners, e);
	tl_add(&o->tab, e);
}

void tl_out_tick(struct tl_out *o, uint64_t now_ns)
{
	tl_expire(&o->tab, now_ns);
}

void tl_out_finish(struct tl_out *o)
{
	tl_flush_all(&o->tab);
}

static int by_count(const void *a, const void *b)
{
	const struct drop_site *x = a, *y = b;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

void tl_out_report(FILE *f, const struct tl_out *o)
{
	const struct tl_stats *s = &o->tab.st;
	fprintf(f, "pktpath: %" PRIu64 " packets (dropped %" PRIu64 ", freed %" PRIu64 ", delivered %" PRIu64
		   ", no end seen %" PRIu64 " [idle %" PRIu64 ", address reused %" PRIu64 "], open at exit %" PRIu64
		   "), %" PRIu64 " flushed early (--max-open)\n",
		s->emitted, s->by_end[TL_END_DROP], s->by_end[TL_END_FREE], s->by_end[TL_END_DELIVERED],
		s->by_end[TL_END_IDLE] + s->by_end[TL_END_REUSED], s->by_end[TL_END_IDLE], s->by_end[TL_END_REUSED],
		s->by_end[TL_END_EXIT], s->by_end[TL_END_EVICTED]);
	if (s->gaps || o->tab.lost_now)
		fprintf(f, "pktpath: %" PRIu64 " packets marked incomplete: events were lost while they were open\n",
			s->gaps);
	if (s->copies || s->ends_alone)
		fprintf(f, "pktpath: %" PRIu64 " copies joined to their packet, %" PRIu64
			   " memory releases of packets with nothing else kept\n",
			s->copies, s->ends_alone);
	osum_print(f, o->by_owner, o->fmt->reasons);
	if (s->events_cut || s->nomem)
		fprintf(f, "pktpath: %" PRIu64 " events beyond %d a packet not kept, %" PRIu64 " lost to memory\n",
			s->events_cut, TL_MAX_EVENTS, s->nomem);
	if (!o->nsites)
		return;
	/* Sorted copy: by reason, then most frequent location first. */
	struct drop_site *v = malloc(o->nsites * sizeof(*v));
	if (!v)
		return;
	memcpy(v, o->sites, o->nsites * sizeof(*v));
	qsort(v, o->nsites, sizeof(*v), by_count);
	fprintf(f, "drop locations (top 3 a reason):\n");
	size_t shown = 0;
	for (size_t i = 0; i < o->nsites; i++) {
		if (i && v[i].reason != v[i - 1].reason)
			shown = 0;
		if (shown++ >= 3)
			continue;
		char loc[256];
		const char *n = v[i].reason == UINT32_MAX ? "(no reason)"
							  : dropreasons_name(o->fmt->reasons, v[i].reason);
		rs_ksym(o->fmt->ksyms, v[i].location, loc, sizeof(loc));
		if (n)
			fprintf(f, "  %-24s %-40s %" PRIu64 "\n", n, loc, v[i].count);
		else
			fprintf(f, "  reason#%-17u %-40s %" PRIu64 "\n", v[i].reason, loc, v[i].count);
	}
	free(v);
	if (o->sites_other)
		fprintf(f, "  (%" PRIu64 " more drops at sites not tracked)\n", o->sites_other);
}

void tl_out_free(struct tl_out *o)
{
	tl_free(&o->tab);
	sb_free(&o->buf);
	free(o->sites);
	o->sites = NULL;
	osum_free(o->by_owner);
	o->by_owner = NULL;
	sko_free(&o->owners);
}
