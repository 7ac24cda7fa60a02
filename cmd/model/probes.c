#include "cmd/model/probes.h"
#include "cmd/util/strfmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render/pointtext.h"

#define NFPROTO_ARP_ 3
#define NFPROTO_NETDEV_ 5

static const struct probe_info probes[PP_PROBE_MAX] = {
	[PP_PROBE_RX] = {"netif_receive_skb", "net:netif_receive_skb"},
	[PP_PROBE_TX] = {"net_dev_queue", "net:net_dev_queue"},
	[PP_PROBE_DROP] = {"kfree_skb", "skb:kfree_skb"},
	[PP_PROBE_FREE] = {"consume_skb", "skb:consume_skb"},
	/* No tracepoint of their own: named by function or hook. */
	[PP_PROBE_ROUTE] = {"route", NULL},
	[PP_PROBE_NETFILTER] = {"netfilter", NULL},
	[PP_PROBE_BRIDGE] = {"bridge", NULL},
	[PP_PROBE_FUNC] = {"function", NULL},
	[PP_PROBE_DELIVER] = {"skb_copy_datagram_iovec", "skb:skb_copy_datagram_iovec"},
};

static char **funcs; /* funcs[i] is id i + 1 */
static size_t nfuncs;

const struct probe_info *probe_info(uint16_t id)
{
	if (id >= PP_PROBE_MAX || !probes[id].name)
		return 0;
	return &probes[id];
}

uint16_t probes_add_func(const char *name)
{
	if (nfuncs >= 0xffff)
		return 0;
	char **v = realloc(funcs, (nfuncs + 1) * sizeof(*v));
	if (!v)
		return 0;
	funcs = v;
	if (!(funcs[nfuncs] = strdup(name)))
		return 0;
	return (uint16_t)++nfuncs;
}

const char *probes_func_name(uint16_t id)
{
	return id && id <= nfuncs ? funcs[id - 1] : NULL;
}

size_t probes_nfuncs(void)
{
	return nfuncs;
}

void probes_free(void)
{
	for (size_t i = 0; i < nfuncs; i++)
		free(funcs[i]);
	free(funcs);
	funcs = NULL;
	nfuncs = 0;
}

/* "nf HOOK first|last" names every netfilter link's step, "nf HOOK" the
 * link alone in its hook (entering and leaving it at once): each spelled
 * once, when first asked for. nf_hook_name tells the hooks of ARP and of
 * netdev from the rest (inet, ipv4, ipv6 and bridge share theirs). */
#define NF_LINK_HOOKS 8
enum { END_LAST, END_FIRST, END_ALONE };
static const char *const end_word[] = {" last", " first", ""};
static const char *nf_link_name(unsigned pf, unsigned hook, unsigned end)
{
	static char names[3][NF_LINK_HOOKS][3][24];
	unsigned cls = pf == NFPROTO_ARP_ ? 1 : pf == NFPROTO_NETDEV_ ? 2 : 0;
	if (hook >= NF_LINK_HOOKS)
		return NULL;
	char *n = names[cls][hook][end];
	if (!n[0]) {
		const char *h = nf_hook_name(pf, hook);
		if (!h || 3 + strlen(h) + 6 >= sizeof(names[0][0][0]))
			return NULL;
		pp_snprintf(n, sizeof(names[0][0][0]), "nf %s%s", h, end_word[end]);
	}
	return n;
}

const char *probe_point_name(const struct pp_event *e, char *buf, size_t len)
{
	/* A BPF netfilter link: the hook, and which end of it (the links sit
	 * at the lowest and the highest priority the kernel allows), unless
	 * it was alone there. */
	if (e->probe == PP_PROBE_NETFILTER && !e->func && (e->have & PP_HAVE_NF)) {
		unsigned end = e->have & PP_HAVE_NF_ALONE ? END_ALONE : e->nf_prio < 0 ? END_FIRST : END_LAST;
		const char *known = nf_link_name(e->nf_pf, e->nf_hook, end);
		if (known && strlen(known) < len)
			return known;
		const char *h = nf_hook_name(e->nf_pf, e->nf_hook);
		if (h)
			pp_snprintf(buf, len, "nf %s%s", h, end_word[end]);
		else
			pp_snprintf(buf, len, "nf hook#%u%s", e->nf_hook, end_word[end]);
		return buf;
	}
	const char *f = probes_func_name(e->func);
	if (f)
		return f;
	const struct probe_info *pi = probe_info(e->probe);
	if (pi)
		return pi->name;
	pp_snprintf(buf, len, "probe#%u", e->probe);
	return buf;
}
