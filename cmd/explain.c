#include "cmd/explain.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlib/netns.h"
#include "netlib/nftrace.h"

static struct nftrace *nft;

static uint32_t fd_inode(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Adds tracing in one namespace; a failure is one line, and the run goes
 * on without rule names there. */
static void trace_ns(int fd, uint32_t inode, const char *label, uint32_t ifindex, FILE *log, char *names,
		     size_t nlen)
{
	char err[256];
	if (nftrace_add_ns(nft, fd, inode, label, ifindex, NULL, err, sizeof(err)) < 0) {
		fprintf(log, "pktpath: warning: netfilter drops in netns %s will not name their rule: %s\n", label, err);
		return;
	}
	size_t o = strlen(names);
	if (o + 3 < nlen)
		snprintf(names + o, nlen - o, "%s%s", o ? ", " : "", label);
}

void explain_start(const struct explain_cfg *c, FILE *log)
{
	if (!c->rules)
		return;
	nft = nftrace_new();
	if (!nft) {
		fprintf(log, "pktpath: warning: out of memory: netfilter drops will not name their rule\n");
		return;
	}
	char names[512] = "", label[64];
	uint32_t self = netns_self_inode();
	if (!c->all) {
		uint32_t ino = c->nsfd >= 0 ? fd_inode(c->nsfd) : self;
		const char *n = netns_name(ino);
		snprintf(label, sizeof(label), "%s", n ? n : "?");
		if (!n)
			snprintf(label, sizeof(label), "%u", ino);
		trace_ns(c->nsfd, ino, label, c->ifindex, log, names, sizeof(names));
	} else {
		uint32_t *seen = malloc(sizeof(*seen));
		size_t nseen = 0;
		trace_ns(-1, self, netns_name(self) ? netns_name(self) : "init", 0, log, names, sizeof(names));
		if (seen)
			seen[nseen++] = self;
		DIR *dir = opendir(NETNS_RUN_DIR);
		struct dirent *de;
		while (dir && seen && (de = readdir(dir))) {
			char path[512];
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, de->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			uint32_t ino = fd_inode(fd);
			bool dup = !ino;
			for (size_t i = 0; i < nseen && !dup; i++)
				dup = seen[i] == ino;
			uint32_t *v = dup ? NULL : realloc(seen, (nseen + 1) * sizeof(*v));
			if (v) {
				seen = v;
				seen[nseen++] = ino;
				snprintf(label, sizeof(label), "%.60s", de->d_name);
				trace_ns(fd, ino, label, 0, log, names, sizeof(names));
			}
			close(fd);
		}
		if (dir)
			closedir(dir);
		free(seen);
	}
	size_t owned = 0, n = nftrace_count(nft, &owned);
	if (!n)
		return;
	fprintf(log,
		"pktpath: nftables: added table inet pktpath_%d (netns %s%s): it sets nftrace on packets %s so that a "
		"netfilter drop names its rule; removed at exit%s; --no-rules: not added\n",
		(int)getpid(), names, strlen(names) + 4 >= sizeof(names) ? ", ..." : "",
		c->ifindex ? "of the selected interface" : "entering or leaving these namespaces",
		owned == n ? " and by the kernel if pktpath is killed" : ", or by the next pktpath if it is killed");
}

void explain_tick(void)
{
	nftrace_poll(nft);
}

void explain_stop(FILE *log)
{
	if (!nft)
		return;
	nftrace_poll(nft);
	uint64_t lost = nftrace_lost(nft);
	if (lost)
		fprintf(log, "pktpath: nftables trace messages lost (socket full) at least %llu times: some netfilter drops may not name their rule\n",
			(unsigned long long)lost);
	size_t n = nftrace_count(nft, NULL);
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
