#include "cmd/render/evtext.h"
#include "cmd/util/strfmt.h"
#include "cmd/record/resolve.h"

#include <stdio.h>
#include <string.h>

#include "cmd/util/escape.h"
#include "cmd/render/hints.h"
#include "kernel/dropreason.h"
#include "kernel/kallsyms.h"
#include "netlib/netns.h"

/* Every step prints its namespace: a replay's few names, escaped once,
 * kept while the resolver says their answers cannot change
 * (cmd/record/resolve.h). Direct-mapped by inode. */
#define NETNS_CACHE 16
static struct {
	uint64_t epoch; /* 0: empty */
	uint32_t inode;
	size_t len;     /* the out buffer's size it was made for */
	size_t tlen;    /* strlen(text) */
	char text[96];
} ncache[NETNS_CACHE];

size_t ev_netns(const struct pp_event *e, char *out, size_t len)
{
	if (!(e->have & PP_HAVE_NETNS)) {
		pp_snprintf(out, len, "-");
		return strlen(out);
	}
	uint64_t ep = rs_fixed_epoch();
	__typeof__(ncache[0]) *c = &ncache[e->netns % NETNS_CACHE];
	if (ep && c->epoch == ep && c->inode == e->netns && c->len == len) {
		rs_skip(1); /* the name's look-up */
		memcpy(out, c->text, c->tlen + 1);
		return c->tlen;
	}
	const char *name = rs_netns_name(e->netns);
	if (name)
		escape_field(name, strlen(name), out, len);
	else
		pp_snprintf(out, len, "%u", e->netns);
	size_t n = strlen(out);
	if (ep && n < sizeof(c->text) && rs_netns_fixed(e->netns)) {
		memcpy(c->text, out, n + 1);
		c->epoch = ep;
		c->inode = e->netns;
		c->len = len;
		c->tlen = n;
	}
	return n;
}

size_t ev_ifname(const struct pp_event *e, char *out, size_t len)
{
	/* The last name escaped: a packet's steps mostly share a device. */
	static struct {
		bool valid;
		char name[sizeof(e->ifname)];
		size_t len, tlen;
		char text[96];
	} last;
	if (!(e->have & PP_HAVE_DEV)) {
		pp_snprintf(out, len, "-");
		return strlen(out);
	}
	if (last.valid && last.len == len && !memcmp(last.name, e->ifname, sizeof(last.name))) {
		memcpy(out, last.text, last.tlen + 1);
		return last.tlen;
	}
	escape_field(e->ifname, sizeof(e->ifname), out, len);
	if (!out[0])
		pp_snprintf(out, len, "-");
	size_t n = strlen(out);
	if (n < sizeof(last.text)) {
		memcpy(last.name, e->ifname, sizeof(last.name));
		memcpy(last.text, out, n + 1);
		last.len = len;
		last.tlen = n;
		last.valid = true;
	}
	return n;
}

/* A replay prints the same few stacks over and over (a flood's drops): the
 * frame names of recent stacks, for as long as the resolver says they
 * cannot change (cmd/record/resolve.h). Direct-mapped by stack id. */
#define FRAME_CACHE 64
static struct frame_cache {
	uint64_t epoch; /* 0: empty */
	int32_t id;
	size_t max, nread, out;         /* as asked; frames read; frames kept */
	uint16_t at[EV_MAX_FRAMES];      /* where each kept frame's name starts in names */
	struct strbuf names;             /* the kept frames' names, each with its NUL */
	struct strbuf joined;            /* the same joined by " < " */
} fcache[FRAME_CACHE];

/* Names of the frames of the last stack read without the cache. */
static char syms[EV_MAX_FRAMES][EV_SYM_LEN]; /* 32 KB: kept off the stack */

static struct frame_cache *cached(int32_t id, size_t max)
{
	uint64_t ep = rs_fixed_epoch();
	struct frame_cache *c = &fcache[(uint32_t)id % FRAME_CACHE];
	if (!ep || c->epoch != ep || c->id != id || c->max != max)
		return NULL;
	return c;
}

static struct frame_cache *cache_put(int32_t id, size_t max, size_t nread, size_t out)
{
	struct frame_cache *c = &fcache[(uint32_t)id % FRAME_CACHE];
	c->epoch = 0;
	sb_reset(&c->names);
	sb_reset(&c->joined);
	for (size_t i = 0; i < out; i++) {
		size_t l = strlen(syms[i]);
		c->at[i] = (uint16_t)c->names.len; /* < EV_MAX_FRAMES * EV_SYM_LEN */
		sb_append(&c->names, syms[i], l + 1);
		if (i)
			sb_append(&c->joined, " < ", 3);
		sb_append(&c->joined, syms[i], l);
	}
	if (c->names.oom || c->joined.oom) {
		sb_free(&c->names);
		sb_free(&c->joined);
		c->names.oom = c->joined.oom = 0;
		return NULL;
	}
	c->epoch = rs_fixed_epoch();
	c->id = id;
	c->max = max;
	c->nread = nread;
	c->out = out;
	return c;
}

/* The kept frames' names in syms, or in the cache entry returned. */
static struct frame_cache *frames(const struct pp_event *e, const struct fmt_ctx *ctx, size_t max, size_t *nout)
{
	uint64_t ips[EV_MAX_FRAMES];
	*nout = 0;
	if (e->stack_id < 0 || !ctx->read_stack)
		return NULL;
	struct frame_cache *c = cached(e->stack_id, max);
	if (c) {
		rs_skip(1 + c->nread); /* the stack read and one look-up a frame */
		*nout = c->out;
		return c;
	}
	size_t n = ctx->read_stack(ctx->stack_arg, e->stack_id, ips, max < EV_MAX_FRAMES ? max : EV_MAX_FRAMES);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		char *sym = syms[out]; /* written in place: a frame skipped is overwritten by the next */
		rs_ksym(ctx->ksyms, ips[i], sym, EV_SYM_LEN);
		/* pktpath's program and its dispatcher come first and are not
		 * the story (see evtext.h). */
		if (out == 0 && i < 8 &&
		    (strncmp(sym, "bpf_prog_", 9) == 0 || strncmp(sym, "bpf_trace_run", 13) == 0 ||
		     strncmp(sym, "__bpf_trace_", 12) == 0 || strncmp(sym, "__traceiter_", 12) == 0 ||
		     strncmp(sym, "bpf_trampoline_", 15) == 0))
			continue;
		out++;
	}
	*nout = out;
	if (rs_fixed_epoch() && rs_frames_fixed(ctx, e->stack_id, ips, n))
		return cache_put(e->stack_id, max, n, out);
	return NULL;
}

size_t ev_frame_list(const struct pp_event *e, const struct fmt_ctx *ctx, const char **list, size_t max)
{
	size_t n;
	const struct frame_cache *c = frames(e, ctx, max, &n);
	for (size_t i = 0; i < n; i++)
		list[i] = c ? c->names.s + c->at[i] : syms[i];
	return n;
}

size_t ev_frames_joined(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx)
{
	size_t n;
	const struct frame_cache *c = frames(e, ctx, EV_MAX_FRAMES, &n);
	if (c) {
		sb_append(sb, c->joined.s ? c->joined.s : "", c->joined.len);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_append(sb, " < ", 3);
		sb_puts(sb, syms[i]);
	}
	return n;
}

const char *ev_reason(const struct pp_event *e, const struct fmt_ctx *ctx)
{
	if (!(e->have & PP_HAVE_REASON))
		return NULL;
	return dropreasons_name(ctx->reasons, e->reason);
}

int ev_hint(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx)
{
	const char *frames[EV_MAX_FRAMES];
	char ns[64], ifn[72];
	size_t n = ev_frame_list(e, ctx, frames, EV_MAX_FRAMES);
	ev_netns(e, ns, sizeof(ns));
	ev_ifname(e, ifn, sizeof(ifn));
	struct hint_in in = {
		.reason = ev_reason(e, ctx),
		.e = e,
		.netns = strcmp(ns, "-") ? ns : NULL,
		.ifname = strcmp(ifn, "-") ? ifn : NULL,
		.frames = frames,
		.nframes = n,
	};
	return hint_format(sb, &in);
}

int ev_silent(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, uint32_t netns)
{
	(void)ctx;
	if (e->probe != PP_PROBE_FREE)
		return 0;
	/* A socket's skb has lost its device by the time it is freed: the
	 * namespace is the one its packet was last seen in. */
	struct pp_event c = *e;
	if (!(c.have & PP_HAVE_NETNS) && netns) {
		c.netns = netns;
		c.have |= PP_HAVE_NETNS;
	}
	if (!(c.have & PP_HAVE_NETNS))
		return 0;
	char ns[64];
	ev_netns(&c, ns, sizeof(ns));
	return hint_silent(sb, &c, strcmp(ns, "-") ? ns : NULL);
}

uint32_t ev_last_netns(const struct pp_event *ev, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (ev[i].have & PP_HAVE_NETNS)
			return ev[i].netns;
	return 0;
}

/* Frames that are the drop machinery, not the place that dropped. */
static bool drop_machinery(const char *sym)
{
	static const char *const pfx[] = {"bpf_", "__bpf_", "__traceiter_", "kfree_skb", "sk_skb_reason_drop",
					   "__kfree_skb", "trace_kfree_skb", "0x"};
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(sym, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

bool ev_location_from_stack(struct pp_event *e, const struct fmt_ctx *ctx)
{
	uint64_t ips[EV_MAX_FRAMES];
	if (e->probe != PP_PROBE_DROP || e->location || e->stack_id < 0 || !ctx->read_stack)
		return false;
	size_t n = ctx->read_stack(ctx->stack_arg, e->stack_id, ips, 16);
	for (size_t i = 0; i < n; i++) {
		char sym[EV_SYM_LEN];
		rs_ksym(ctx->ksyms, ips[i], sym, sizeof(sym));
		if (!drop_machinery(sym)) {
			e->location = ips[i];
			return true;
		}
	}
	return false;
}
