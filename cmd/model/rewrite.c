#include "cmd/model/rewrite.h"

#include <string.h>

#include "cmd/render/format.h"
#include "cmd/model/carry.h"
#include "cmd/render/json.h"
#include "cmd/render/pointtext.h"
#include "cmd/util/strfmt.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

static bool decoded(const struct pp_event *e)
{
	return (e->have & PP_HAVE_L3) && !(e->step & (PP_STEP_COPY | PP_STEP_GONE));
}

bool rw_comparable(const struct pp_event *a, const struct pp_event *b)
{
	if (!decoded(a) || !decoded(b) || a->ipver != b->ipver || a->l4proto != b->l4proto)
		return false;
	if ((a->id_have & b->id_have & PP_ID_IPID) && a->ip_id != b->ip_id)
		return false;
	if ((a->id_have & b->id_have & PP_ID_SEQ) && a->tcp_seq != b->tcp_seq)
		return false;
	return true;
}

/* ICMP echo: the id is the "port" NAT rewrites (the request's on the
 * source side, the reply's on the destination side); the sequence is not. */
static int echo_kind(const struct pp_event *e)
{
	if (e->l4proto == IPPROTO_ICMP_)
		return e->icmp_type == 8 ? 1 : e->icmp_type == 0 ? 2 : 0;
	if (e->l4proto == IPPROTO_ICMPV6_)
		return e->icmp_type == 128 ? 1 : e->icmp_type == 129 ? 2 : 0;
	return 0;
}

bool rw_find(const struct pp_event *a, const struct pp_event *b, struct rewrite *rw)
{
	memset(rw, 0, sizeof(*rw));
	if (!rw_comparable(a, b))
		return false;
	/* Fixed sizes, so the compiler compares words instead of calling
	 * memcmp: every step of a timeline is compared with the one before. */
	if (a->ipver == 6) {
		rw->src = memcmp(a->saddr, b->saddr, 16) != 0;
		rw->dst = memcmp(a->daddr, b->daddr, 16) != 0;
	} else {
		rw->src = memcmp(a->saddr, b->saddr, 4) != 0;
		rw->dst = memcmp(a->daddr, b->daddr, 4) != 0;
	}
	bool l4 = (a->have & b->have & PP_HAVE_L4) && !(b->have & PP_HAVE_FRAG) && !(a->have & PP_HAVE_FRAG);
	if (l4 && (a->l4proto == IPPROTO_TCP_ || a->l4proto == IPPROTO_UDP_)) {
		rw->src_port = a->sport != b->sport;
		rw->dst_port = a->dport != b->dport;
	} else if (l4 && echo_kind(a) && echo_kind(a) == echo_kind(b) && a->sport != b->sport) {
		if (echo_kind(a) == 1)
			rw->src_port = true;
		else
			rw->dst_port = true;
	}
	rw->src |= rw->src_port;
	rw->dst |= rw->dst_port;
	return rw->src || rw->dst;
}

/* "198.18.81.2", "198.18.81.2:80", "[2001:db8::1]:80"; ICMP echo ids
 * follow as " id N". */
static void endpoint(char *out, size_t len, const struct pp_event *e, const uint8_t *addr, uint16_t port,
		     bool with_port)
{
	char a[64];
	fmt_addr(e, addr, a, sizeof(a));
	if (!with_port)
		pp_snprintf(out, len, "%s", a);
	else if (echo_kind(e))
		pp_snprintf(out, len, "%s id %u", a, e->sport);
	else if (e->ipver == 6)
		pp_snprintf(out, len, "[%s]:%u", a, port);
	else
		pp_snprintf(out, len, "%s:%u", a, port);
}

static void side(const struct pp_event *a, const struct pp_event *b, bool src, bool port, char *from, char *to,
		 size_t len)
{
	endpoint(from, len, a, src ? a->saddr : a->daddr, src ? a->sport : a->dport, port);
	endpoint(to, len, b, src ? b->saddr : b->daddr, src ? b->sport : b->dport, port);
}

void rw_text(struct strbuf *sb, const struct pp_event *a, const struct pp_event *b, const struct rewrite *rw)
{
	char from[96], to[96];
	if (rw->src) {
		side(a, b, true, rw->src_port, from, to, sizeof(from));
		sb_printf(sb, "SNAT %s -> %s", from, to);
	}
	if (rw->dst) {
		side(a, b, false, rw->dst_port, from, to, sizeof(from));
		sb_printf(sb, "%sDNAT %s -> %s", rw->src ? ", " : "", from, to);
	}
}

void rw_step_text(struct strbuf *sb, const struct pp_event *e, const struct ev_extra *x)
{
	struct rewrite rw;
	if (!x || !x->before || !rw_find(x->before, e, &rw))
		return;
	sb_append(sb, " ", 1);
	rw_text(sb, x->before, e, &rw);
	const char *h = x->nf_seen ? nf_hook_name(x->nf_pf, x->nf_hook) : NULL;
	if (h)
		sb_printf(sb, " in hook %s", h);
}

void rw_json(struct strbuf *sb, const struct pp_event *b, const struct ev_extra *x, const struct rewrite *rw)
{
	char from[96], to[96];
	const struct pp_event *a = x->before;
	struct strbuf t = {0};
	rw_text(&t, a, b, rw);
	sb_printf(sb, ",\"rewrite\":{\"text\":");
	json_str(sb, t.s ? t.s : "", t.len);
	sb_free(&t);
	for (int s = 1; s >= 0; s--) {
		if (s ? !rw->src : !rw->dst)
			continue;
		side(a, b, s, s ? rw->src_port : rw->dst_port, from, to, sizeof(from));
		sb_printf(sb, ",\"%s\":{\"from\":", s ? "snat" : "dnat");
		json_str(sb, from, strlen(from));
		sb_printf(sb, ",\"to\":");
		json_str(sb, to, strlen(to));
		sb_printf(sb, "}");
	}
	const char *h = x->nf_seen ? nf_hook_name(x->nf_pf, x->nf_hook) : NULL;
	if (h)
		sb_printf(sb, ",\"hook\":\"%s\"", h);
	sb_printf(sb, "}");
}

bool rw_none(const struct pp_event *ev, size_t n)
{
	const struct pp_event *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct pp_event *e = &ev[i];
		if (!decoded(e))
			continue; /* rw_find compares decoded events only */
		if (!first) {
			first = e;
			continue;
		}
		/* All 16 bytes, IPv4 too: stricter than rw_find, never looser. */
		if (memcmp(e->saddr, first->saddr, sizeof(e->saddr)) || memcmp(e->daddr, first->daddr, sizeof(e->daddr)) ||
		    e->sport != first->sport || e->dport != first->dport)
			return false;
	}
	return true;
}

const struct pp_event *rw_before(const struct pp_event *ev, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (decoded(&ev[i]))
			return rw_comparable(&ev[i], &ev[n]) ? &ev[i] : NULL;
	return NULL;
}
