/* pcapng written by hand: libpcap's pcap_dump_open() writes only the old
 * pcap format, which has no per-packet comments and no interface names,
 * and both are the point of -w. The blocks are from the pcapng
 * specification (draft-ietf-opsawg-pcapng): a Section Header Block, one
 * Interface Description Block per (namespace, interface, link type), and an
 * Enhanced Packet Block per packet with an opt_comment. Host byte order,
 * as the specification allows (the byte-order magic says which). */
#include "cmd/record/pcapng.h"
#include "cmd/model/carry.h"
#include "cmd/model/rewrite.h"
#include "cmd/render/hints.h"
#include "cmd/render/timeline_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach/cgroup.h"
#include "cmd/util/escape.h"
#include "cmd/render/evtext.h"
#include "cmd/cli/paths.h"
#include "cmd/model/probes.h"
#include "cmd/record/resolve.h"
#include "kernel/kallsyms.h"

_Static_assert(sizeof(struct pp_capture) != sizeof(struct pp_event),
	       "capture and event records are told apart by their size");

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_EPB 6u
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define OPT_SHB_USERAPPL 4
#define MAX_COMMENT 60000
#define MAX_IFACES 65536

struct pend {
	struct pend *hnext;
	struct pend *prev, *next; /* oldest first */
	struct pp_capture c;
};

struct iface {
	uint32_t netns, ifindex;
	uint8_t link;
};

struct pcapng {
	FILE *f;
	char *path;
	int err;
	int64_t wall;
	struct pend **b;
	size_t nb, npend, max_pending;
	struct pend *old, *young;
	struct iface *ifs;
	size_t nifs;
	uint64_t written, failed, no_bytes, dropped_pending; /* failed: after a write error */
	struct strbuf sb;
};

static void put(struct pcapng *p, const void *d, size_t n)
{
	if (!p->err && n && fwrite(d, 1, n, p->f) != n)
		p->err = errno ? errno : EIO;
}

static void put32(struct pcapng *p, uint32_t v)
{
	put(p, &v, 4);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put_pad(struct pcapng *p, size_t n)
{
	static const uint8_t zero[4];
	put(p, zero, pad4(n) - n);
}

static size_t opt_size(size_t len)
{
	return 4 + pad4(len);
}

static void put_opt(struct pcapng *p, uint16_t code, const void *d, size_t len)
{
	uint16_t h[2] = {code, (uint16_t)len};
	put(p, h, 4);
	put(p, d, len);
	put_pad(p, len);
}

static void write_shb(struct pcapng *p)
{
	static const char app[] = "pktpath " PKTPATH_VERSION;
	size_t alen = strlen(app);
	uint32_t total = (uint32_t)(28 + opt_size(alen) + 4);
	put32(p, BT_SHB);
	put32(p, total);
	put32(p, 0x1A2B3C4D);
	uint16_t ver[2] = {1, 0};
	put(p, ver, 4);
	uint64_t section_len = UINT64_MAX; /* not given */
	put(p, &section_len, 8);
	put_opt(p, OPT_SHB_USERAPPL, app, alen);
	put32(p, OPT_END);
	put32(p, total);
}

bool pcapng_is_capture(size_t size)
{
	return size == sizeof(struct pp_capture);
}

bool pcapng_capture_ok(const struct pp_capture *c)
{
	return c->magic == PP_CAPTURE_MAGIC && c->version == PP_CAPTURE_VERSION && c->caplen <= PP_SNAPLEN_MAX &&
	       (c->link == PP_CAP_RAW || c->link == PP_CAP_ETHER);
}

struct pcapng *pcapng_open(const char *path, int64_t wall_offset_ns, size_t max_pending, char *err, size_t errlen)
{
	struct pcapng *p = calloc(1, sizeof(*p));
	if (!p || !(p->path = path_shown(path))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->max_pending = max_pending ? max_pending : 1;
	p->nb = 64;
	while (p->nb < p->max_pending && p->nb < ((size_t)1 << 24))
		p->nb <<= 1;
	if (!(p->b = calloc(p->nb, sizeof(*p->b)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->wall = wall_offset_ns;
	p->f = path_create(path, err, errlen); /* never blocks on a FIFO */
	if (!p->f)
		goto fail;
	write_shb(p);
	return p;
fail:
	if (p) {
		free(p->b);
		free(p->path);
		free(p);
	}
	return NULL;
}

static size_t bucket(const struct pcapng *p, uint64_t skb)
{
	skb ^= skb >> 33;
	skb *= 0xff51afd7ed558ccdull;
	skb ^= skb >> 33;
	return (size_t)skb & (p->nb - 1);
}

static void unlink_pend(struct pcapng *p, struct pend *x)
{
	struct pend **pp = &p->b[bucket(p, x->c.skb)];
	while (*pp != x)
		pp = &(*pp)->hnext;
	*pp = x->hnext;
	if (x->prev)
		x->prev->next = x->next;
	else
		p->old = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		p->young = x->prev;
	p->npend--;
	free(x);
}

void pcapng_capture(struct pcapng *p, const struct pp_capture *c)
{
	if (!p)
		return;
	if (p->npend >= p->max_pending) {
		unlink_pend(p, p->old); /* its packet is long gone or never printed */
		p->dropped_pending++;
	}
	struct pend *x = malloc(sizeof(*x));
	if (!x)
		return;
	x->c = *c;
	size_t b = bucket(p, c->skb);
	x->hnext = p->b[b];
	p->b[b] = x;
	x->next = NULL;
	x->prev = p->young;
	if (p->young)
		p->young->next = x;
	else
		p->old = x;
	p->young = x;
	p->npend++;
}

/* Interface id for (netns, ifindex, link), its IDB written on first use,
 * named after the timeline's event on that interface. */
static int iface_id(struct pcapng *p, const struct pp_capture *c, const struct timeline *t,
		    const struct fmt_ctx *ctx, uint32_t *id)
{
	(void)ctx;
	for (size_t i = 0; i < p->nifs; i++)
		if (p->ifs[i].netns == c->netns && p->ifs[i].ifindex == c->ifindex && p->ifs[i].link == c->link) {
			*id = (uint32_t)i;
			return 0;
		}
	if (p->nifs >= MAX_IFACES)
		return -1;
	struct iface *v = realloc(p->ifs, (p->nifs + 1) * sizeof(*v));
	if (!v)
		return -1;
	p->ifs = v;
	p->ifs[p->nifs] = (struct iface){c->netns, c->ifindex, c->link};
	*id = (uint32_t)p->nifs++;

	char ifn[72] = "", ns[64] = "", name[160];
	for (size_t i = 0; i < t->n; i++)
		if ((t->ev[i].have & PP_HAVE_DEV) && t->ev[i].ifindex == c->ifindex && t->ev[i].netns == c->netns) {
			ev_ifname(&t->ev[i], ifn, sizeof(ifn));
			break;
		}
	if (!ifn[0]) {
		if (c->ifindex)
			snprintf(ifn, sizeof(ifn), "if%u", c->ifindex);
		else
			snprintf(ifn, sizeof(ifn), "-");
	}
	const char *nsn = c->netns ? rs_netns_name(c->netns) : NULL;
	if (nsn)
		escape_field(nsn, strlen(nsn), ns, sizeof(ns));
	else
		snprintf(ns, sizeof(ns), "%u", c->netns);
	snprintf(name, sizeof(name), "%s@%s", ifn, ns);
	size_t nlen = strlen(name);
	uint8_t tsresol = 9; /* nanoseconds */
	uint32_t total = (uint32_t)(16 + opt_size(nlen) + opt_size(1) + 4 + 4);
	put32(p, BT_IDB);
	put32(p, total);
	uint16_t lt[2] = {c->link == PP_CAP_ETHER ? LINKTYPE_ETHERNET : LINKTYPE_RAW, 0};
	put(p, lt, 4);
	put32(p, PP_SNAPLEN_MAX);
	put_opt(p, OPT_IF_NAME, name, nlen);
	put_opt(p, OPT_IF_TSRESOL, &tsresol, 1);
	put32(p, OPT_END);
	put32(p, total);
	return 0;
}

/* The comment ends with the owner's full cgroup path and container id
 * (the text header has only the short form). */
static void pcapng_owner_cgroup(struct strbuf *sb, const struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].have & PP_HAVE_OWNER) {
			if (t->ev[i].owner.cgroup) {
				sb_printf(sb, ";");
				cg_text_full(sb, t->ev[i].owner.cgroup, rs_cgroup_path(t->ev[i].owner.cgroup));
			}
			return;
		}
}

void pcapng_summary(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx)
{
	if (!t->n)
		return;
	sb_printf(sb, "#%" PRIu64 " ", seq);
	fmt_packet(sb, tl_head(t));
	fmt_timeline_owner(sb, t);
	sb_printf(sb, ":");
	for (size_t i = 0; i < t->n; i++) {
		const struct pp_event *e = &t->ev[i];
		char pbuf[24], ns[64], ifn[72];
		ev_netns(e, ns, sizeof(ns));
		ev_ifname(e, ifn, sizeof(ifn));
		sb_printf(sb, "%s%s %s@%s", i ? " \xe2\x86\x92 " : " ", probe_point_name(e, pbuf, sizeof(pbuf)), ifn, ns);
		if (e->probe == PP_PROBE_DROP) {
			char loc[256];
			sb_printf(sb, " DROP ");
			fmt_reason(sb, ctx->reasons, e);
			rs_ksym(ctx->ksyms, e->location, loc, sizeof(loc));
			sb_printf(sb, " at %s", loc);
			hint_nft_suffix(sb, e, ev_reason(e, ctx));
		}
		struct ev_extra x;
		carry_in_timeline(t, i, &x);
		rw_step_text(sb, e, &x);
	}
	if (t->extra)
		sb_printf(sb, " (+%" PRIu64 " events not kept)", t->extra);
	if (t->end != TL_END_DROP && t->end != TL_END_FREE && t->end != TL_END_DELIVERED)
		sb_printf(sb, " (end not seen: %s)", tl_end_name(t->end));
	if (t->gap)
		sb_printf(sb, " (events lost meanwhile: may be incomplete)");
	pcapng_owner_cgroup(sb, t);
}

void pcapng_timeline(struct pcapng *p, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
		     bool print)
{
	if (!p || !t->n)
		return;
	/* The packet's capture: the latest for this address taken no later
	 * than its last event (a later one belongs to the next packet there).
	 * Older ones for the address are stale: forgotten. */
	uint64_t last = t->ev[t->n - 1].ts_ns;
	struct pend *best = NULL;
	for (struct pend *x = p->b[bucket(p, t->skb)]; x; x = x->hnext)
		if (x->c.skb == t->skb && x->c.ts_ns <= last && (!best || x->c.ts_ns > best->c.ts_ns))
			best = x;
	if (!best) {
		if (print)
			p->no_bytes++;
		return;
	}
	struct pp_capture c = best->c;
	for (struct pend *x = p->b[bucket(p, t->skb)], *nx; x; x = nx) {
		nx = x->hnext;
		if (x->c.skb == t->skb && x->c.ts_ns <= c.ts_ns)
			unlink_pend(p, x);
	}
	if (!print)
		return;
	uint32_t id;
	if (iface_id(p, &c, t, ctx, &id)) {
		p->no_bytes++;
		return;
	}
	sb_reset(&p->sb);
	pcapng_summary(&p->sb, t, seq, ctx);
	size_t clen = p->sb.s ? strlen(p->sb.s) : 0;
	if (clen > MAX_COMMENT)
		clen = MAX_COMMENT;
	uint32_t caplen = c.caplen <= PP_SNAPLEN_MAX ? c.caplen : PP_SNAPLEN_MAX;
	uint32_t total = (uint32_t)(28 + pad4(caplen) + (clen ? opt_size(clen) : 0) + 4 + 4);
	uint64_t ts = (uint64_t)((int64_t)c.ts_ns + p->wall);
	put32(p, BT_EPB);
	put32(p, total);
	put32(p, id);
	put32(p, (uint32_t)(ts >> 32));
	put32(p, (uint32_t)ts);
	put32(p, caplen);
	put32(p, c.origlen >= caplen ? c.origlen : caplen);
	put(p, c.data, caplen);
	put_pad(p, caplen);
	if (clen)
		put_opt(p, OPT_COMMENT, p->sb.s, clen);
	put32(p, OPT_END);
	put32(p, total);
	if (p->err)
		p->failed++;
	else
		p->written++;
}

int pcapng_close(struct pcapng *p, FILE *report, char *err, size_t errlen)
{
	if (!p)
		return 0;
	while (p->old)
		unlink_pend(p, p->old);
	if (p->err)
		__fpurge(p->f); /* no bytes after a gap: the file stays readable up to it */
	if (fclose(p->f) == EOF && !p->err)
		p->err = errno ? errno : EIO;
	int rc = 0;
	if (p->err) {
		snprintf(err, errlen, "writing %s: %s: the file holds at most %" PRIu64 " packets, %" PRIu64 " later ones were not written",
			 p->path, strerror(p->err), p->written, p->failed);
		rc = -1;
	} else if (report) {
		fprintf(report, "pktpath: %" PRIu64 " packets written to %s", p->written, p->path);
		if (p->no_bytes)
			fprintf(report, ", %" PRIu64 " printed without captured bytes", p->no_bytes);
		fprintf(report, "\n");
	}
	free(p->ifs);
	free(p->b);
	free(p->path);
	sb_free(&p->sb);
	free(p);
	return rc;
}
