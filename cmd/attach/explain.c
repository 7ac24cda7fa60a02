#include "cmd/attach/explain.h"

#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/render/json.h"
#include "cmd/util/escape.h"
#include "cmd/record/resolve.h"
#include "netlib/netns.h"
#include "netlib/nftrace.h"
#include "netlib/nstat.h"

static struct nftrace *nft;

/* The traced namespaces: their counters at start, for what moved. */
struct xns {
	uint32_t inode;
	int fd; /* -1: pktpath's own */
	char label[64];
	struct nstat start;
	bool have_start;
	uint64_t overflows_seen; /* TcpExtListenOverflows given to SYNs so far */
};
static struct xns *nss;
static size_t nnss;

static void count_ns(int fd, uint32_t inode, const char *label)
{
	struct xns *v = realloc(nss, (nnss + 1) * sizeof(*v));
	if (!v)
		return;
	nss = v;
	struct xns *x = &nss[nnss++];
	memset(x, 0, sizeof(*x));
	x->inode = inode;
	x->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	snprintf(x->label, sizeof(x->label), "%s", label);
	x->have_start = nstat_read(fd, &x->start) == 0;
	if (x->have_start)
		nstat_get(&x->start, "TcpExtListenOverflows", &x->overflows_seen);
}

/* Adds tracing in one namespace; a failure is one line, and the run goes
 * on without rule names there. */
/* The namespaces named in the start-up lines: with pktpath's table, and
 * waiting for a table of their own. */
struct ns_names {
	char added[512], waiting[512];
};

static void name_add(char *names, size_t nlen, const char *label)
{
	size_t o = strlen(names);
	if (o + 3 < nlen)
		snprintf(names + o, nlen - o, "%s%s", o ? ", " : "", label);
}

static void trace_ns(int fd, uint32_t inode, const char *label, uint32_t ifindex, FILE *log, struct ns_names *nn)
{
	char err[256];
	count_ns(fd, inode, label);
	if (!nft)
		return;
	int rc = nftrace_add_ns(nft, fd, inode, label, ifindex, NULL, err, sizeof(err));
	if (rc < 0)
		fprintf(log, "pktpath: warning: netfilter drops in netns %s will not name their rule: %s\n", label, err);
	else if (rc == 0)
		name_add(nn->added, sizeof(nn->added), label);
	else
		name_add(nn->waiting, sizeof(nn->waiting), label);
}

struct named_ctx {
	FILE *log;
	struct ns_names *nn;
};

static void trace_named(int fd, uint32_t inode, const char *name, void *arg)
{
	struct named_ctx *nc = arg;
	char label[64];
	escape_field(name, strlen(name), label, sizeof(label)); /* a file name: printed as it is said */
	trace_ns(fd, inode, label, 0, nc->log, nc->nn);
}

static const char *more(const char *names, size_t size)
{
	return strlen(names) + 4 >= size ? ", ..." : "";
}

void explain_start(const struct explain_cfg *c, FILE *log)
{
	if (c->rules && !(nft = nftrace_new(log)))
		fprintf(log, "pktpath: warning: out of memory: netfilter drops will not name their rule\n");
	nftrace_select(nft, c->cbpf, c->ncbpf);
	struct ns_names nn = {.added = "", .waiting = ""};
	char label[64];
	uint32_t self = netns_self_inode();
	if (!c->all) {
		uint32_t ino = c->nsfd >= 0 ? netns_fd_inode(c->nsfd) : self;
		trace_ns(c->nsfd, ino, netns_label(ino, label, sizeof(label)), c->ifindex, log, &nn);
	} else {
		const char *n = netns_name(self);
		escape_field(n ? n : "init", strlen(n ? n : "init"), label, sizeof(label));
		trace_ns(-1, self, label, 0, log, &nn);
		struct named_ctx nc = {.log = log, .nn = &nn};
		netns_each_named(self, trace_named, &nc);
	}
	if (nn.waiting[0])
		fprintf(log,
			"pktpath: nftables: no table in netns %s%s: no rule there to name, so pktpath adds its own only "
			"when one appears\n",
			nn.waiting, more(nn.waiting, sizeof(nn.waiting)));
	size_t owned = 0, selected = 0, n = nftrace_count(nft, &owned, &selected);
	if (!n)
		return;
	fprintf(log,
		"pktpath: nftables: added table inet pktpath_%d (netns %s%s): it sets nftrace on packets %s so that a "
		"netfilter drop names its rule; removed at exit%s; --no-rules: not added\n",
		(int)getpid(), nn.added, more(nn.added, sizeof(nn.added)),
		selected == n ? "the expression selects, entering or leaving these namespaces"
		: selected   ? "entering or leaving these namespaces (only those the expression selects where the kernel has xt_bpf)"
		: c->ifindex ? "of the selected interface"
			     : "entering or leaving these namespaces",
		owned == n ? " and by the kernel if pktpath is killed" : ", or by the next pktpath if it is killed");
}

void explain_tick(void)
{
	nftrace_poll(nft);
}

void explain_stop(FILE *log)
{
	for (size_t i = 0; i < nnss; i++) {
		nstat_free(&nss[i].start);
		if (nss[i].fd >= 0)
			close(nss[i].fd);
	}
	free(nss);
	nss = NULL;
	nnss = 0;
	if (!nft)
		return;
	nftrace_poll(nft);
	uint64_t lost = nftrace_lost(nft);
	if (lost)
		fprintf(log, "pktpath: nftables trace messages lost (socket full) at least %llu times: some netfilter drops may not name their rule\n",
			(unsigned long long)lost);
	size_t n = nftrace_count(nft, NULL, NULL);
	nftrace_free(nft, log);
	nft = NULL;
	if (n)
		fprintf(log, "pktpath: nftables: removed table inet pktpath_%d\n", (int)getpid());
}

/* A drop's answer is asked for more than once (text, JSON, -w comment)
 * but its trace verdict can be taken only once: remember the last few. */
#define NFT_CACHE 32
static struct {
	uint64_t ts, skb;
	int rc;
	char text[512];
} nft_cache[NFT_CACHE];
static unsigned nft_cache_next;

int explain_nft_live(const struct pp_event *e, char *out, size_t len)
{
	if (!nft) {
		snprintf(out, len, "rules not traced (--no-rules, or no nftables)");
		return -1;
	}
	for (unsigned i = 0; i < NFT_CACHE; i++)
		if (nft_cache[i].ts == e->ts_ns && nft_cache[i].skb == e->skb && nft_cache[i].text[0]) {
			snprintf(out, len, "%s", nft_cache[i].text);
			return nft_cache[i].rc;
		}
	unsigned slot = nft_cache_next++ % NFT_CACHE;
	nft_cache[slot].ts = e->ts_ns;
	nft_cache[slot].skb = e->skb;
	nft_cache[slot].rc = nftrace_explain(nft, e, nft_cache[slot].text, sizeof(nft_cache[slot].text));
	snprintf(out, len, "%s", nft_cache[slot].text);
	return nft_cache[slot].rc;
}

int explain_counters_live(char *out, size_t len)
{
	size_t o = 0;
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < nnss; i++) {
		struct xns *x = &nss[i];
		struct nstat now;
		if (!x->have_start || nstat_read(x->fd, &now) < 0)
			continue; /* the namespace is gone: its counters with it */
		for (size_t k = 0; k < now.n; k++) {
			uint64_t before;
			const struct nstat_counter *c = &now.c[k];
			if (!nstat_is_loss(c->name) || !nstat_get(&x->start, c->name, &before) || c->value <= before)
				continue;
			int w = snprintf(out + o, o < len ? len - o : 0, "%s\t%s\t%" PRIu64 "\n", x->label, c->name,
					 c->value - before);
			if (w > 0 && o + (size_t)w < len)
				o += (size_t)w;
		}
		nstat_free(&now);
	}
	return 0;
}

/* Asked more than once for one event (--drops, then the text): the
 * answer is given once and remembered. */
static struct {
	uint64_t ts, skb;
	int rc;
	char text[32];
} silent_cache[NFT_CACHE];
static unsigned silent_next;

static int silent_decide(const struct pp_event *e, char *out, size_t len);

int explain_silent_live(const struct pp_event *e, char *out, size_t len)
{
	for (unsigned i = 0; i < NFT_CACHE; i++)
		if (silent_cache[i].ts == e->ts_ns && silent_cache[i].skb == e->skb) {
			snprintf(out, len, "%s", silent_cache[i].text);
			return silent_cache[i].rc;
		}
	unsigned slot = silent_next++ % NFT_CACHE;
	silent_cache[slot].ts = e->ts_ns;
	silent_cache[slot].skb = e->skb;
	silent_cache[slot].rc = silent_decide(e, silent_cache[slot].text, sizeof(silent_cache[slot].text));
	snprintf(out, len, "%s", silent_cache[slot].text);
	return silent_cache[slot].rc;
}

static int silent_decide(const struct pp_event *e, char *out, size_t len)
{
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < nnss; i++) {
		struct xns *x = &nss[i];
		if (x->inode != e->netns)
			continue;
		struct nstat now;
		uint64_t v;
		if (nstat_read(x->fd, &now) < 0)
			return -1;
		bool have = nstat_get(&now, "TcpExtListenOverflows", &v);
		nstat_free(&now);
		if (!have || v <= x->overflows_seen)
			return -1;
		/* Each increase goes to one SYN, in the order they end. */
		x->overflows_seen++;
		snprintf(out, len, "%" PRIu64, v);
		return 0;
	}
	return -1;
}

/* Escaped for the terminal: printable ASCII only. */
static void clean(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (c <= 0x20 || c > 0x7e || c == '\\' || c == '"')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

void explain_report(FILE *f, FILE *json)
{
	static char text[16384];
	if (rs_counters(text, sizeof(text)) != 0 || !text[0])
		return;
	/* "NETNS\tNAME\tDELTA\n" lines, grouped by namespace as they come. */
	char last[128] = "";
	bool any = false;
	for (char *line = text, *nl; *line; line = nl) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl++ = '\0';
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		*t1 = *t2 = '\0';
		char ns[128], name[128];
		clean(line, ns, sizeof(ns));
		clean(t1 + 1, name, sizeof(name));
		unsigned long long d = strtoull(t2 + 1, NULL, 10);
		bool same = !strcmp(ns, last);
		if (json) {
			if (!same)
				fprintf(json, "%s{\"v\":%d,\"type\":\"counters\",\"netns\":\"%s\",\"moved\":{", any ? "}}\n" : "",
					JSON_SCHEMA_VERSION, ns);
			fprintf(json, "%s\"%s\":%llu", same ? "," : "", name, d);
		} else {
			if (!any)
				fprintf(f, "kernel loss counters that moved (nstat names):");
			if (!same)
				fprintf(f, "\n  netns %s: %s %llu", ns, name, d);
			else
				fprintf(f, ", %s %llu", name, d);
		}
		snprintf(last, sizeof(last), "%s", ns);
		any = true;
	}
	if (any)
		fprintf(json ? json : f, json ? "}}\n" : "\n");
}
