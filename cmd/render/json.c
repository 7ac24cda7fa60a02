#include "cmd/render/json.h"
#include "cmd/record/resolve.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "cmd/model/carry.h"
#include "cmd/attach/cgroup.h"
#include "cmd/model/rewrite.h"
#include "cmd/render/evtext.h"
#include "cmd/render/hints.h"
#include "cmd/render/pointtext.h"
#include "cmd/model/probes.h"
#include "kernel/kallsyms.h"
#include "netlib/netns.h"

void json_str(struct strbuf *sb, const char *s, size_t len)
{
	/* Runs of plain characters are copied at once: this is hot in replay. */
	sb_append(sb, "\"", 1);
	size_t i = 0, run = 0;
	for (; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')
			continue;
		sb_append(sb, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c == '\n')
			sb_append(sb, "\\n", 2);
		else if (c == '\t')
			sb_append(sb, "\\t", 2);
		else
			sb_printf(sb, "\\u%04x", c);
	}
	sb_append(sb, s + run, i - run);
	sb_append(sb, "\"", 1);
}

static void jkey_str(struct strbuf *sb, const char *key, const char *val)
{
	sb_printf(sb, ",\"%s\":", key);
	json_str(sb, val, strlen(val));
}

/* The nftables rule behind a netfilter drop (cmd/render/hints.h). */
static void nft_rule_fields(struct strbuf *sb, const struct pp_event *e)
{
	struct nft_rule_info ri;
	if (hint_nft_rule(e, &ri))
		return;
	sb_printf(sb, ",\"nft_rule\":{\"family\":");
	json_str(sb, ri.family, strlen(ri.family));
	jkey_str(sb, "table", ri.table);
	jkey_str(sb, "chain", ri.chain);
	size_t hl = strlen(ri.handle);
	if (hl && hl < 21 && strspn(ri.handle, "0123456789") == hl) /* digits only: a recording is input */
		sb_printf(sb, ",\"handle\":%s,\"policy\":false", ri.handle);
	else
		sb_printf(sb, ",\"handle\":null,\"policy\":true");
	jkey_str(sb, "rule", ri.rule);
	sb_printf(sb, "}");
}

static void jkey_name(struct strbuf *sb, const char *key, const char *name, unsigned num)
{
	if (name)
		jkey_str(sb, key, name);
	else
		sb_printf(sb, ",\"%s\":%u", key, num);
}

/* What kernel-function points and netfilter hooks add (docs/json-schema.md). */
static void point_fields(struct strbuf *sb, const struct pp_event *e)
{
	const struct probe_info *pi = probe_info(e->probe);
	jkey_str(sb, "group", pi ? pi->name : "unknown");
	const char *fn = probes_func_name(e->func);
	if (fn)
		jkey_str(sb, "function", fn);
	if (e->have & PP_HAVE_NF) {
		jkey_name(sb, "nf_family", nf_family_name(e->nf_pf), e->nf_pf);
		jkey_name(sb, "nf_hook", nf_hook_name(e->nf_pf, e->nf_hook), e->nf_hook);
		sb_printf(sb, ",\"nf_priority\":%d", e->nf_prio);
		if (e->have & PP_HAVE_NF_ALONE)
			sb_puts(sb, ",\"nf_alone\":true");
	}
	if (e->have & PP_HAVE_VERDICT)
		jkey_name(sb, "verdict", nf_verdict_name(e->verdict & 0xff), e->verdict);
	if (e->have & PP_HAVE_TABLE) {
		sb_printf(sb, ",\"table\":");
		json_str(sb, e->table, sizeof(e->table));
		sb_printf(sb, ",\"chain\":");
		json_str(sb, e->chain, sizeof(e->chain));
	}
	if (e->have & PP_HAVE_ROUTE) {
		struct strbuf d = {0};
		route_detail(&d, e); /* the same words as the text, for people */
		sb_printf(sb, ",\"route\":{\"dev\":");
		json_str(sb, e->out_dev, sizeof(e->out_dev));
		sb_printf(sb, ",\"ifindex\":%u,\"mtu\":%u", e->rt_ifindex, e->rt_mtu);
		jkey_name(sb, "type", rt_type_name(e->rt_type), e->rt_type);
		char gw[INET6_ADDRSTRLEN];
		if (route_gateway(e, gw, sizeof(gw)))
			jkey_str(sb, "gateway", gw);
		else
			sb_printf(sb, ",\"gateway\":null"); /* on-link */
		char tb[16];
		if (route_table(e, tb, sizeof(tb)))
			jkey_str(sb, "table", tb);
		jkey_str(sb, "text", d.s ? d.s + 1 : "");
		sb_printf(sb, "}");
		sb_free(&d);
	}
	if (e->have & PP_HAVE_PORT) {
		sb_printf(sb, ",\"port\":");
		json_str(sb, e->out_dev, sizeof(e->out_dev));
	}
	if (e->have & PP_HAVE_RET)
		sb_printf(sb, ",\"ret\":%d", e->ret);
	if (e->have & PP_HAVE_CLONE)
		sb_printf(sb, ",\"clone\":\"0x%llx\"", (unsigned long long)e->peer);
}

/* The owner object of o's owner; from another step of the packet when
 * carried (then where it was learned). */
static void owner_fields(struct strbuf *sb, const struct pp_event *o, bool carried)
{
	sb_printf(sb, ",\"owner\":{\"pid\":%u,\"tid\":%u,\"uid\":%u,\"cgroup\":%llu,\"comm\":", o->owner.tgid,
		  o->owner.pid, o->owner.uid, (unsigned long long)o->owner.cgroup);
	json_str(sb, o->owner.comm, sizeof(o->owner.comm));
	if (o->owner.cgroup)
		cg_json(sb, rs_cgroup_path(o->owner.cgroup));
	sb_printf(sb, ",\"source\":\"%s\"",
		  o->have & PP_HAVE_OWNER_SOCKET ? "socket" : o->have & PP_HAVE_OWNER_DIAG ? "sock_diag" : "kernel");
	if (carried) {
		char pbuf[24];
		jkey_str(sb, "learned_at", probe_point_name(o, pbuf, sizeof(pbuf)));
		if (o->have & PP_HAVE_NETNS)
			sb_printf(sb, ",\"learned_netns_inode\":%u", o->netns);
	}
	sb_printf(sb, "}");
}

/* Fields of one event, without braces; delta_ns only inside a timeline. */
static void event_fields(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx, uint32_t last_netns,
			 const struct ev_extra *x)
{
	char pbuf[24];
	struct strbuf pkt = {0};
	sb_printf(sb, "\"ts_ns\":%" PRIu64 ",\"skb\":\"0x%" PRIx64 "\",\"skb_head\":\"0x%" PRIx64 "\",\"cpu\":%u",
		  (uint64_t)e->ts_ns, (uint64_t)e->skb, (uint64_t)e->head, e->cpu);
	if (e->id_have & PP_ID_IPID)
		sb_printf(sb, ",\"ip_id\":%u", e->ip_id);
	if (e->id_have & PP_ID_SEQ)
		sb_printf(sb, ",\"tcp_seq\":%u", e->tcp_seq);
	if (e->lost_seen)
		sb_printf(sb, ",\"lost_before\":%" PRIu64, (uint64_t)e->lost_seen);
	jkey_str(sb, "probe", probe_point_name(e, pbuf, sizeof(pbuf)));
	point_fields(sb, e);
	if (e->have & PP_HAVE_NETNS) {
		const char *n = rs_netns_name(e->netns);
		sb_printf(sb, ",\"netns_inode\":%u,\"netns\":", e->netns);
		if (n)
			json_str(sb, n, strlen(n));
		else
			sb_printf(sb, "null");
	}
	if (e->have & PP_HAVE_DEV) {
		sb_printf(sb, ",\"ifindex\":%u,\"ifname\":", e->ifindex);
		json_str(sb, e->ifname, sizeof(e->ifname));
	}
	sb_printf(sb, ",\"pkt_type\":\"%s\",\"pid\":%u,\"comm\":", pkt_type_name(e->pkt_type), e->tgid);
	json_str(sb, e->comm, sizeof(e->comm));
	if (x && x->owner_from && (x->receiver || !(e->have & PP_HAVE_OWNER)))
		owner_fields(sb, x->owner_from, true);
	else if (e->have & PP_HAVE_OWNER)
		owner_fields(sb, e, false);
	if (x && x->owner_from && x->receiver) {
		sb_printf(sb, ",\"receiver\":{\"pid\":%u,\"comm\":", e->owner.tgid);
		json_str(sb, e->owner.comm, sizeof(e->owner.comm));
		sb_printf(sb, "}");
	}
	if (e->vlan_proto)
		sb_printf(sb, ",\"vlan\":{\"id\":%u,\"pcp\":%u,\"proto\":\"%s\"}", e->vlan_tci & 0xfff, e->vlan_tci >> 13,
			  e->vlan_proto == 0x88a8 ? "802.1ad" : e->vlan_proto == 0x8100 ? "802.1Q" : "other");
	sb_printf(sb, ",\"len\":%u,\"mark\":%u", e->len, e->mark);
	if (e->step & PP_STEP_COPY)
		jkey_str(sb, "copy", e->step & PP_STEP_NEIGH ? "neighbour probe" : "copy");
	if (e->step & PP_STEP_GONE)
		sb_printf(sb, ",\"memory_released\":true");
	fmt_packet(&pkt, e);
	jkey_str(sb, "packet", pkt.s ? pkt.s : "");
	sb_free(&pkt);
	struct rewrite rw;
	if (x && x->before && rw_find(x->before, e, &rw))
		rw_json(sb, e, x, &rw);
	if (e->probe == PP_PROBE_FREE) {
		struct strbuf h = {0};
		if (ev_silent(&h, e, ctx, last_netns) && h.s)
			jkey_str(sb, "lost", h.s);
		sb_free(&h);
	}
	if (e->probe != PP_PROBE_DROP)
		return;
	const char *r = ev_reason(e, ctx);
	if (e->have & PP_HAVE_REASON)
		sb_printf(sb, ",\"reason_code\":%u", e->reason);
	sb_printf(sb, ",\"reason\":");
	if (r)
		json_str(sb, r, strlen(r));
	else
		sb_printf(sb, "null");
	char loc[256];
	rs_ksym(ctx->ksyms, (uint64_t)e->location, loc, sizeof(loc));
	jkey_str(sb, "location", loc);
	const char *frames[EV_MAX_FRAMES];
	size_t n = ev_frame_list(e, ctx, frames, EV_MAX_FRAMES);
	sb_printf(sb, ",\"stack\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_printf(sb, ",");
		json_str(sb, frames[i], strlen(frames[i]));
	}
	sb_printf(sb, "]");
	if (e->have & PP_HAVE_STACK_SITE)
		sb_printf(sb, ",\"stack_from_site\":true");
	struct strbuf h = {0};
	if (ev_hint(&h, e, ctx) && h.s)
		jkey_str(sb, "hint", h.s);
	sb_free(&h);
	if (r && !strcmp(r, "NETFILTER_DROP"))
		nft_rule_fields(sb, e);
}

void json_event_line(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx)
{
	json_event_line_x(sb, e, ctx, NULL);
}

void json_event_line_x(struct strbuf *sb, const struct pp_event *e, const struct fmt_ctx *ctx,
		       const struct ev_extra *x)
{
	sb_printf(sb, "{\"v\":%d,\"type\":\"event\",", JSON_SCHEMA_VERSION);
	event_fields(sb, e, ctx, 0, x);
	sb_printf(sb, "}\n");
}

void json_timeline_line(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx)
{
	if (!t->n)
		return;
	const struct pp_event *head = tl_head(t);
	struct strbuf pkt = {0};
	fmt_packet(&pkt, head);
	uint64_t t0 = t->ev[0].ts_ns;
	sb_printf(sb, "{\"v\":%d,\"type\":\"packet\",\"seq\":%" PRIu64 ",\"skb\":\"0x%" PRIx64 "\"",
		  JSON_SCHEMA_VERSION, seq, t->skb);
	jkey_str(sb, "end", tl_end_name(t->end));
	jkey_str(sb, "packet", pkt.s ? pkt.s : "");
	sb_free(&pkt);
	sb_printf(sb, ",\"events_lost_meanwhile\":%s,\"copies\":%u", t->gap ? "true" : "false", t->copies);
	uint64_t wait = tl_neigh_wait(t);
	if (wait)
		sb_printf(sb, ",\"neighbour_wait_ns\":%" PRIu64, wait);
	sb_printf(sb, ",\"start_ns\":%" PRIu64 ",\"duration_ns\":%" PRIu64 ",\"events_not_kept\":%" PRIu64
		      ",\"events\":[",
		  t0, (uint64_t)(t->ev[t->n - 1].ts_ns - t0), t->extra);
	for (size_t i = 0; i < t->n; i++) {
		sb_printf(sb, "%s{\"delta_ns\":%" PRIu64 ",", i ? "," : "", (uint64_t)(t->ev[i].ts_ns - t0));
		struct ev_extra x;
		carry_in_timeline(t, i, &x);
		event_fields(sb, &t->ev[i], ctx, ev_last_netns(t->ev, i + 1), &x);
		sb_printf(sb, "}");
	}
	sb_printf(sb, "]}\n");
}
