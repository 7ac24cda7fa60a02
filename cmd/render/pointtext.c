#include "cmd/render/pointtext.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h> /* RTN_UNICAST ... */
#include <stdbool.h>
#include <string.h>

#include "cmd/util/escape.h"
#include "cmd/util/strfmt.h"

#define NFPROTO_INET 1
#define NFPROTO_IPV4 2
#define NFPROTO_ARP 3
#define NFPROTO_NETDEV 5
#define NFPROTO_BRIDGE 7
#define NFPROTO_IPV6 10

const char *nf_family_name(unsigned pf)
{
	switch (pf) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ipv4";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_NETDEV: return "netdev";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_IPV6: return "ipv6";
	default: return NULL;
	}
}

const char *nf_hook_name(unsigned pf, unsigned hook)
{
	static const char *const inet[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
	static const char *const arp[] = {"IN", "OUT", "FORWARD"};
	if (pf == NFPROTO_ARP)
		return hook < 3 ? arp[hook] : NULL;
	if (pf == NFPROTO_NETDEV)
		return hook == 0 ? "INGRESS" : hook == 1 ? "EGRESS" : NULL;
	return hook < 5 ? inet[hook] : NULL; /* inet, ipv4, ipv6 and bridge share the numbers */
}

const char *nf_verdict_name(unsigned verdict)
{
	static const char *const v[] = {"DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP"};
	return verdict < 6 ? v[verdict] : NULL;
}

const char *rt_type_name(unsigned type)
{
	static const char *const t[] = {"unspec",    "unicast",     "local",      "broadcast",
					"anycast",   "multicast",   "blackhole",  "unreachable",
					"prohibit",  "throw",       "nat",        "xresolve"};
	return type < sizeof(t) / sizeof(t[0]) ? t[type] : NULL;
}

static void str_field(struct strbuf *sb, const char *key, const char *s, size_t max)
{
	char buf[4 * 32 + 8];
	if (!s[0])
		return;
	escape_name16(s, max, buf, sizeof(buf));
	sb_append(sb, " ", 1);
	sb_puts(sb, key);
	sb_append(sb, " ", 1);
	sb_puts(sb, buf);
}

/* The skb's route (PP_HAVE_ROUTE): " dev X via GW|on-link type T mtu M". */
void route_detail(struct strbuf *sb, const struct pp_event *e)
{
	str_field(sb, "dev", e->out_dev, sizeof(e->out_dev));
	char gw[INET6_ADDRSTRLEN];
	if (route_gateway(e, gw, sizeof(gw)))
		sb_printf(sb, " via %s", gw);
	else if (e->rt_type == RTN_UNICAST)
		sb_printf(sb, " on-link"); /* no gateway: the destination is on the device's link */
	const char *t = rt_type_name(e->rt_type);
	if (t) {
		sb_puts(sb, " type ");
		sb_puts(sb, t);
	}
	char tb[16];
	if (route_table(e, tb, sizeof(tb))) {
		sb_puts(sb, " table ");
		sb_puts(sb, tb);
	}
	if (e->rt_mtu) {
		sb_puts(sb, " mtu ");
		sb_putu(sb, e->rt_mtu);
	}
}

bool route_table(const struct pp_event *e, char *buf, size_t len)
{
	const char *n = e->rt_table == 253 ? "default" : e->rt_table == 254 ? "main" : e->rt_table == 255 ? "local" : NULL;
	if (!e->rt_table)
		return false;
	if (n)
		pp_snprintf(buf, len, "%s", n);
	else
		pp_snprintf(buf, len, "%u", e->rt_table);
	return true;
}

bool route_gateway(const struct pp_event *e, char *buf, size_t len)
{
	if (e->rt_gw_family == AF_INET)
		return inet_ntop(AF_INET, e->rt_gw, buf, (socklen_t)len) != NULL;
	if (e->rt_gw_family == AF_INET6)
		return inet_ntop(AF_INET6, e->rt_gw, buf, (socklen_t)len) != NULL;
	return false;
}

/* The netfilter words: " ipv4", " hook INPUT" unless the point names the
 * hook, " prio N", " alone" for a link alone in its hook. Every netfilter
 * step says them, and a run has few hooks (the links sit at two
 * priorities): the last few texts are kept, searched by what they say. */
#define NF_KEPT 8
static void nf_detail(struct strbuf *sb, const struct pp_event *e)
{
	static struct {
		uint64_t key; /* 0: empty (the key has a bit set always) */
		size_t len;
		char text[48]; /* at most " pf 255 hook 255 prio -2147483648 alone", 39 */
	} kept[NF_KEPT];
	static size_t next;
	bool link = e->probe == PP_PROBE_NETFILTER && !e->func; /* its point names the hook */
	bool alone = link && (e->have & PP_HAVE_NF_ALONE);
	uint64_t key = (uint64_t)1 << 63 | (uint64_t)alone << 49 | (uint64_t)link << 48 | (uint64_t)e->nf_pf << 40 |
		       (uint64_t)e->nf_hook << 32 | (uint32_t)e->nf_prio;
	for (size_t i = 0; i < NF_KEPT; i++)
		if (kept[i].key == key) {
			sb_append(sb, kept[i].text, kept[i].len);
			return;
		}
	size_t at = sb->len;
	const char *f = nf_family_name(e->nf_pf), *h = nf_hook_name(e->nf_pf, e->nf_hook);
	if (f) {
		sb_append(sb, " ", 1);
		sb_puts(sb, f);
	} else
		sb_printf(sb, " pf %u", e->nf_pf);
	if (h && !link) {
		sb_puts(sb, " hook ");
		sb_puts(sb, h);
	} else if (!h) {
		sb_printf(sb, " hook %u", e->nf_hook);
	}
	if (e->nf_prio) {
		sb_puts(sb, " prio ");
		sb_putd(sb, e->nf_prio);
	}
	if (alone)
		sb_puts(sb, " alone");
	size_t n = sb->len - at;
	if (!sb->oom && n < sizeof(kept[0].text)) {
		__typeof__(kept[0]) *k = &kept[next++ % NF_KEPT];
		memcpy(k->text, sb->s + at, n);
		k->len = n;
		k->key = key;
	}
}

void point_detail(struct strbuf *sb, const struct pp_event *e)
{
	if (e->have & PP_HAVE_NF)
		nf_detail(sb, e);
	if (e->have & PP_HAVE_TABLE) {
		str_field(sb, "table", e->table, sizeof(e->table));
		str_field(sb, "chain", e->chain, sizeof(e->chain));
	}
	if (e->have & PP_HAVE_VERDICT) {
		const char *v = nf_verdict_name(e->verdict & 0xff);
		if (v)
			sb_printf(sb, " verdict %s", v);
		else
			sb_printf(sb, " verdict %u", e->verdict);
	}
	if (e->have & PP_HAVE_ROUTE)
		route_detail(sb, e);
	if (e->have & PP_HAVE_PORT)
		str_field(sb, "port", e->out_dev, sizeof(e->out_dev));
	if (e->have & PP_HAVE_CLONE)
		sb_printf(sb, " clone skb 0x%llx", (unsigned long long)e->peer);
	if (e->have & PP_HAVE_RET && !(e->have & PP_HAVE_CLONE)) {
		sb_printf(sb, " ret %d", e->ret);
		if (e->probe == PP_PROBE_ROUTE && e->ret != 0)
			sb_printf(sb, " (no route)");
	}
}
