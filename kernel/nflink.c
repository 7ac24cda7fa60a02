/* Netfilter hooks through BPF netfilter links.
 *
 * Loading: libbpf 1.1 has no SEC() for the netfilter program type, so
 * "pktpath/netfilter/" is one row of the custom section handlers in
 * filters/inject.c: program type and expected attach type (the kernel
 * requires BPF_NETFILTER at load) and the same prog_prepare_load_fn as
 * every other program, so the pcap filter is injected here too. The
 * handler has no attach function; attaching does not go through libbpf: one program serves 2 families x 5 hooks in every traced
 * namespace, which is many links, and libbpf 1.1 cannot create netfilter
 * links (bpf_link_create's opts->netfilter is libbpf >= 1.2), so this
 * file makes them with the bpf(2) system call and holds their fds.
 *
 * What link_create accepts (net/netfilter/nf_bpf_link.c): IPv4 and IPv6
 * only, any of the 5 hooks, any priority but NF_IP_PRI_FIRST (INT_MIN) and
 * NF_IP_PRI_LAST (INT_MAX). BPF_F_NETFILTER_IP_DEFRAG would make the
 * kernel reassemble fragments before the program runs, but then requires a
 * priority after the defrag hook (> -400): not "first", and it changes the
 * packets the host sees (it loads nf_defrag). We want every skb as it is,
 * so no flags. Since Linux 6.6 two BPF hooks may not share a priority
 * (EBUSY): when another BPF program (another pktpath, say) holds the
 * extreme one, ours moves one step inward, and the BPF side learns the
 * priority from the nf_prios map.
 *
 * A netfilter link hooks the namespace of the thread that creates it, so
 * we enter each traced namespace with setns() to create its links. */
#include "kernel/nflink.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpf/event.h"
#include "kernel/nf_uapi.h"
#include "netlib/netns.h"

/* How often the hooks are asked whether something joined them. */
#define NFLINK_PROBE_S 1.0

/* How far inward a link may move when its priority is taken. */
#define PRIO_TRIES 64

/* A namespace links were made in: "last" may be linked there later. */
struct nf_ns {
	uint32_t inode;
	int fd; /* -1: pktpath's own */
};

struct nflink {
	int *fds;
	size_t n;
	struct nf_ns *ns;
	size_t nns;
	int prog_fd[3]; /* "first", "last", and the probe that asks a hook whether it holds more */
	bool probe_ok; /* the kernel runs the probe (BPF_PROG_TEST_RUN, Linux >= 6.5) */
	double probed; /* when the hooks were last asked (CLOCK_MONOTONIC s) */
	int prios_fd;  /* nf_prios */
	int joined_fd; /* nf_joined */
	int joined_n_fd; /* nf_joined_n: how many hooks were noted */
	uint64_t joined_n; /* its value at the last walk */
	bool verbose;
};


bool nflink_prog(const struct bpf_program *prog)
{
	return strncmp(bpf_program__section_name(prog), NFLINK_SEC_PREFIX, strlen(NFLINK_SEC_PREFIX)) == 0;
}

/* Whether the kernel loads a netfilter program at all: "return NF_ACCEPT". */
static int probe_prog_type(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = NF_ACCEPT},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = (enum bpf_attach_type)PP_BPF_NETFILTER);
	int fd = bpf_prog_load((enum bpf_prog_type)PP_BPF_PROG_TYPE_NETFILTER, "pp_nf_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool nflink_supported(char *why, size_t len)
{
	int err = probe_prog_type();
	if (err == -EINVAL)
		snprintf(why, len, "no BPF netfilter programs (Linux >= 6.4)");
	else if (err)
		snprintf(why, len, "netfilter programs refused (%s)", strerror(-err));
	return !err;
}

bool nflink_prepare(struct bpf_object *obj, bool want, bool verbose)
{
	int err = want ? probe_prog_type() : 0;
	bool load = want && !err;
	if (want && err) {
		/* EINVAL: a kernel before 6.4 has no such program type; say so
		 * only when asked. Anything else is worth a line. */
		if (err != -EINVAL)
			fprintf(stderr, "pktpath: warning: netfilter hooks not observed: the kernel refused a netfilter program: %s\n",
				strerror(-err));
		else if (verbose)
			fprintf(stderr, "pktpath: netfilter hooks not observed: no BPF netfilter programs in this kernel (Linux >= 6.4)\n");
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
		if (nflink_prog(prog))
			bpf_program__set_autoload(prog, load);
	return load;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int link_create(int prog_fd, unsigned pf, unsigned hook, int prio)
{
	struct pp_nf_link_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = PP_BPF_NETFILTER;
	a.pf = pf;
	a.hooknum = hook;
	a.priority = prio;
	long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : (int)fd;
}

struct ns_job {
	struct nflink *nf;
	uint32_t inode;
	int err;         /* first error, -errno */
	const char *what; /* what failed */
	int moved;       /* links that did not get the extreme priority */
};

static int keep_fd(struct nflink *nf, int fd)
{
	int *v = realloc(nf->fds, (nf->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	nf->fds = v;
	nf->fds[nf->n++] = fd;
	return 0;
}

/* One link of prog_fd at pf/hook, at the extreme priority or as near it
 * as another BPF program leaves free; kept in j->nf, its priority in
 * nf_prios. 0, or -errno. */
static int link_one(struct ns_job *j, int prog_fd, unsigned pf, unsigned hook, bool last)
{
	int prio = last ? INT_MAX - 1 : INT_MIN + 1, fd = -EBUSY;
	for (int t = 0; t < PRIO_TRIES && fd == -EBUSY; t++) {
		fd = link_create(prog_fd, pf, hook, prio);
		if (fd == -EBUSY)
			prio += last ? -1 : 1;
	}
	if (fd < 0)
		return fd;
	if (keep_fd(j->nf, fd)) {
		close(fd);
		return -ENOMEM;
	}
	if (prio != (last ? INT_MAX - 1 : INT_MIN + 1))
		j->moved++;
	struct pp_nf_key k = {.netns = j->inode, .pf = (uint8_t)pf, .hook = (uint8_t)hook, .last = last};
	bpf_map_update_elem(j->nf->prios_fd, &k, &prio, BPF_ANY);
	return 0;
}

static const unsigned pfs[] = {NFPROTO_IPV4, NFPROTO_IPV6};
static const char *const pfname[] = {"ipv4", "ipv6"};

/* Runs the probe program for pf/hook in the current namespace: it notes
 * the hook in nf_joined when something besides "first" is registered
 * there. 0, or -errno (the kernel cannot run netfilter programs so). */
static int probe_hook(int prog_fd, unsigned pf, unsigned hook)
{
	/* The start of the kernel's struct nf_hook_state: only these two
	 * fields may be set. The packet: an Ethernet header of the family's
	 * type (all hooks but OUTPUT take one) and an IP header's worth. */
	struct {
		uint8_t hook, pf;
	} st = {(uint8_t)hook, (uint8_t)pf};
	unsigned char pkt[14 + 40] = {[12] = pf == NFPROTO_IPV6 ? 0x86 : 0x08, [13] = pf == NFPROTO_IPV6 ? 0xdd : 0x00,
				      [14] = pf == NFPROTO_IPV6 ? 0x60 : 0x45};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .ctx_in = &st,
		    .ctx_size_in = sizeof(st));
	return bpf_prog_test_run_opts(prog_fd, &o) ? -errno : 0;
}

/* Inside a namespace: every hook asked. */
static int probe_here(void *arg)
{
	struct ns_job *j = arg;
	for (int p = 0; p < 2; p++)
		for (unsigned hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
			/* Noted already (linked, failed, or about to be): nothing to ask. */
			struct pp_nf_key k = {.netns = j->inode, .pf = (uint8_t)pfs[p], .hook = (uint8_t)hook};
			uint8_t v;
			if (bpf_map_lookup_elem(j->nf->joined_fd, &k, &v) == 0)
				continue;
			if ((j->err = probe_hook(j->nf->prog_fd[2], pfs[p], hook)) != 0)
				return -1;
		}
	return 0;
}

/* One end at every hook of both families ("last" noted as linked). */
static int link_every_hook(struct ns_job *j, bool last)
{
	for (int p = 0; p < 2; p++)
		for (unsigned hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
			int err = link_one(j, j->nf->prog_fd[last], pfs[p], hook, last);
			if (err) {
				j->err = err;
				j->what = pfname[p];
				return -1;
			}
			struct pp_nf_key k = {.netns = j->inode, .pf = (uint8_t)pfs[p], .hook = (uint8_t)hook};
			uint8_t v = NF_JOINED_LINKED;
			if (last)
				bpf_map_update_elem(j->nf->joined_fd, &k, &v, BPF_ANY);
		}
	return 0;
}

/* Runs inside the namespace: "first" at 2 families x 5 hooks; "last"
 * where something else is registered (now, or later: nflink_tick). A
 * kernel that cannot say gets "last" everywhere. */
static int link_here(void *arg)
{
	struct ns_job *j = arg;
	if (link_every_hook(j, false))
		return -1;
	if (j->nf->probe_ok && probe_here(j) == 0)
		return 0;
	j->nf->probe_ok = false;
	return link_every_hook(j, true);
}

static const char *why(int err)
{
	switch (-err) {
	case EINVAL:
	case EOPNOTSUPP:
		return "this kernel cannot link BPF programs to netfilter hooks (Linux >= 6.4)";
	case EBUSY:
		return "every priority near the hooks' ends is taken by other BPF programs";
	default:
		return strerror(-err);
	}
}

/* Keeps the namespace (a copy of nsfd) for links made later. */
static int keep_ns(struct nflink *nf, int nsfd, uint32_t inode)
{
	struct nf_ns *v = realloc(nf->ns, (nf->nns + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	nf->ns = v;
	int fd = nsfd < 0 ? -1 : fcntl(nsfd, F_DUPFD_CLOEXEC, 0);
	if (nsfd >= 0 && fd < 0)
		return -errno;
	nf->ns[nf->nns++] = (struct nf_ns){.inode = inode, .fd = fd};
	return 0;
}

/* Links in one namespace (nsfd -1: our own); on failure closes what it
 * made there and warns. */
static void link_ns(struct ns_job *j, int nsfd, const char *name, bool named)
{
	size_t before = j->nf->n;
	j->err = 0;
	int rc = nsfd < 0 ? link_here(j) : netns_run_in(nsfd, link_here, j);
	if (rc == 0 && (rc = keep_ns(j->nf, nsfd, j->inode)) != 0) {
		j->err = rc;
		j->what = NULL;
		rc = -1;
	}
	if (rc == 0)
		return;
	int err = j->err ? j->err : -errno;
	while (j->nf->n > before)
		close(j->nf->fds[--j->nf->n]);
	if (named)
		fprintf(stderr, "pktpath: warning: netfilter hooks not observed in netns %s: %s%s%s\n", name,
			j->err && j->what ? j->what : "", j->err && j->what ? ": " : "", why(err));
	else
		fprintf(stderr, "pktpath: warning: netfilter hooks not observed: %s%s%s\n",
			j->err && j->what ? j->what : "", j->err && j->what ? ": " : "", why(err));
}

struct named_ctx {
	struct ns_job *j;
	size_t *nns;
};

static void link_named(int fd, uint32_t inode, const char *name, void *arg)
{
	struct named_ctx *nc = arg;
	size_t before = nc->j->nf->n;
	nc->j->inode = inode;
	link_ns(nc->j, fd, name, true);
	*nc->nns += nc->j->nf->n > before;
}

struct nflink *nflink_attach(struct bpf_object *obj, bool all, int nsfd, uint32_t inode, bool verbose)
{
	static const char *const role[] = {NFLINK_SEC_PREFIX "first", NFLINK_SEC_PREFIX "last", NFLINK_SEC_PREFIX "probe"};
	int prog_fd[3] = {-1, -1, -1};
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!nflink_prog(prog) || !bpf_program__autoload(prog))
			continue;
		for (int r = 0; r < 3; r++)
			if (!strcmp(bpf_program__section_name(prog), role[r]))
				prog_fd[r] = bpf_program__fd(prog);
	}
	struct bpf_map *prios = bpf_object__find_map_by_name(obj, "nf_prios");
	struct bpf_map *joined = bpf_object__find_map_by_name(obj, "nf_joined");
	struct bpf_map *joined_n = bpf_object__find_map_by_name(obj, "nf_joined_n");
	if (prog_fd[0] < 0 || prog_fd[1] < 0 || prog_fd[2] < 0 || !prios || !joined || !joined_n)
		return NULL; /* not loaded: nflink_prepare said why */
	struct ns_job j = {0};
	if (!(j.nf = calloc(1, sizeof(*j.nf)))) {
		fprintf(stderr, "pktpath: warning: netfilter hooks not observed: out of memory\n");
		return NULL;
	}
	memcpy(j.nf->prog_fd, prog_fd, sizeof(prog_fd));
	j.nf->probe_ok = true; /* until a namespace says otherwise */
	j.nf->prios_fd = bpf_map__fd(prios);
	j.nf->joined_fd = bpf_map__fd(joined);
	j.nf->joined_n_fd = bpf_map__fd(joined_n);
	j.nf->verbose = verbose;

	uint32_t self = netns_self_inode();
	size_t nns = 0;
	if (!all) {
		if (nsfd >= 0 && netns_fd_inode(nsfd) != self) {
			j.inode = netns_fd_inode(nsfd);
			link_ns(&j, nsfd, NULL, false);
		} else if (nsfd >= 0 || !inode || inode == self) {
			j.inode = self;
			link_ns(&j, -1, NULL, false);
		} else {
			fprintf(stderr, "pktpath: warning: netfilter hooks not observed: no file to enter netns %u\n", inode);
		}
		nns = j.nf->n ? 1 : 0;
	} else {
		/* Our own namespace, then each of /run/netns once (two names
		 * can bind the same namespace, or ours). */
		j.inode = self;
		link_ns(&j, -1, NULL, false);
		nns = j.nf->n ? 1 : 0;
		struct named_ctx nc = {.j = &j, .nns = &nns};
		netns_each_named(self, link_named, &nc);
	}
	if (!j.nf->n) {
		nflink_free(j.nf);
		return NULL;
	}
	j.nf->probed = now_s();
	nflink_tick(j.nf); /* "last" where the hooks hold more already */
	if (verbose)
		fprintf(stderr, "pktpath: netfilter: %zu links in %zu namespaces%s%s\n", j.nf->n, nns,
			j.nf->probe_ok ? " (\"last\" only in hooks that hold something else)"
				       : " (\"last\" in every hook: this kernel cannot say which hold something else)",
			j.moved ? " (some priorities moved inward: taken by other BPF programs)" : "");
	return j.nf;
}

size_t nflink_count(const struct nflink *nf)
{
	return nf ? nf->n : 0;
}

struct last_job {
	struct ns_job j;
	unsigned pf, hook;
};

static int link_last_here(void *arg)
{
	struct last_job *l = arg;
	l->j.err = link_one(&l->j, l->j.nf->prog_fd[1], l->pf, l->hook, true);
	return l->j.err ? -1 : 0;
}

/* "last" in the hook of k, which "first" found no longer alone (k's
 * namespace is one nflink_attach linked: the programs run nowhere else). */
static void link_last(struct nflink *nf, const struct pp_nf_key *k)
{
	struct last_job l = {.j = {.nf = nf, .inode = k->netns}, .pf = k->pf, .hook = k->hook};
	int rc = -1;
	l.j.err = -ENOENT;
	for (size_t i = 0; i < nf->nns; i++)
		if (nf->ns[i].inode == k->netns) {
			rc = nf->ns[i].fd < 0 ? link_last_here(&l) : netns_run_in(nf->ns[i].fd, link_last_here, &l);
			break;
		}
	int err = rc == 0 ? 0 : l.j.err ? l.j.err : -errno;
	uint8_t v = err ? NF_JOINED_FAILED : NF_JOINED_LINKED;
	bpf_map_update_elem(nf->joined_fd, k, &v, BPF_ANY);
	static const char *const hooks[NF_INET_NUMHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
	const char *h = k->hook < NF_INET_NUMHOOKS ? hooks[k->hook] : "?";
	char ns[64];
	netns_label(k->netns, ns, sizeof(ns));
	if (err)
		fprintf(stderr,
			"pktpath: warning: netfilter: cannot watch the end of %s %s in netns %s (%s): a drop inside it is still "
			"reported, the route is read as the hook begins\n",
			k->pf == NFPROTO_IPV6 ? "ipv6" : "ipv4", h, ns, why(err));
	else if (nf->verbose)
		fprintf(stderr, "pktpath: netfilter: %s %s in netns %s holds more than pktpath's link: its end watched too\n",
			k->pf == NFPROTO_IPV6 ? "ipv6" : "ipv4", h, ns);
}

static void link_joined(struct nflink *nf);

/* Asks every hook of every namespace again: something may have joined
 * one since, with no packet of interest through it yet. */
static void probe_all(struct nflink *nf)
{
	struct ns_job j = {.nf = nf};
	for (size_t i = 0; i < nf->nns; i++) {
		j.inode = nf->ns[i].inode;
		if (nf->ns[i].fd < 0)
			probe_here(&j);
		else
			netns_run_in(nf->ns[i].fd, probe_here, &j);
	}
}

void nflink_tick(struct nflink *nf)
{
	if (!nf)
		return;
	if (nf->probe_ok && now_s() - nf->probed >= NFLINK_PROBE_S)
		nflink_recheck(nf);
	link_joined(nf);
}

void nflink_recheck(struct nflink *nf)
{
	if (!nf || !nf->probe_ok)
		return;
	nf->probed = now_s();
	probe_all(nf);
	link_joined(nf);
}

/* "last" in each hook noted since the last call. */
static void link_joined(struct nflink *nf)
{
	uint32_t zero = 0;
	uint64_t n = 0;
	/* Read before the walk: a hook noted during it moves the count again. */
	if (bpf_map_lookup_elem(nf->joined_n_fd, &zero, &n) || n == nf->joined_n)
		return;
	nf->joined_n = n;
	struct pp_nf_key k, prev;
	bool started = false;
	/* Few keys (at most 2 x 5 a namespace), each handled once: marked
	 * linked or failed, which does not move it in the walk. */
	while (bpf_map_get_next_key(nf->joined_fd, started ? &prev : NULL, &k) == 0) {
		uint8_t v = 0;
		if (bpf_map_lookup_elem(nf->joined_fd, &k, &v) == 0 && v == NF_JOINED_SEEN)
			link_last(nf, &k);
		prev = k;
		started = true;
	}
}

void nflink_free(struct nflink *nf)
{
	if (!nf)
		return;
	for (size_t i = 0; i < nf->n; i++)
		close(nf->fds[i]);
	for (size_t i = 0; i < nf->nns; i++)
		if (nf->ns[i].fd >= 0)
			close(nf->ns[i].fd);
	free(nf->fds);
	free(nf->ns);
	free(nf);
}
