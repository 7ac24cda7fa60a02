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
#include <unistd.h>

#include "bpf/event.h"
#include "kernel/nf_uapi.h"
#include "netlib/netns.h"

/* How far inward a link may move when its priority is taken. */
#define PRIO_TRIES 64

struct nflink {
	int *fds;
	size_t n;
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
	int prog_fd[2]; /* first, last */
	int prios_fd;   /* nf_prios map */
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

/* Runs inside the namespace: 2 families x 5 hooks x {first, last}. */
static int link_here(void *arg)
{
	static const unsigned pfs[] = {NFPROTO_IPV4, NFPROTO_IPV6};
	static const char *const pfname[] = {"ipv4", "ipv6"};
	struct ns_job *j = arg;
	for (int p = 0; p < 2; p++)
		for (unsigned hook = 0; hook < NF_INET_NUMHOOKS; hook++)
			for (int last = 0; last < 2; last++) {
				int prio = last ? INT_MAX - 1 : INT_MIN + 1, fd = -EBUSY;
				for (int t = 0; t < PRIO_TRIES && fd == -EBUSY; t++) {
					fd = link_create(j->prog_fd[last], pfs[p], hook, prio);
					if (fd == -EBUSY)
						prio += last ? -1 : 1;
				}
				if (fd < 0) {
					j->err = fd;
					j->what = pfname[p];
					return -1;
				}
				if (keep_fd(j->nf, fd)) {
					close(fd);
					j->err = -ENOMEM;
					j->what = pfname[p];
					return -1;
				}
				if (prio != (last ? INT_MAX - 1 : INT_MIN + 1))
					j->moved++;
				struct pp_nf_key k = {.netns = j->inode, .pf = (uint8_t)pfs[p], .hook = (uint8_t)hook,
						   .last = (uint8_t)last};
				bpf_map_update_elem(j->prios_fd, &k, &prio, BPF_ANY);
			}
	return 0;
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

/* Links in one namespace (nsfd -1: our own); on failure closes what it
 * made there and warns. */
static void link_ns(struct ns_job *j, int nsfd, const char *name, bool named)
{
	size_t before = j->nf->n;
	j->err = 0;
	int rc = nsfd < 0 ? link_here(j) : netns_run_in(nsfd, link_here, j);
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
	struct ns_job j = {.prios_fd = -1};
	struct bpf_program *prog;
	struct bpf_map *prios = bpf_object__find_map_by_name(obj, "nf_prios");
	j.prog_fd[0] = j.prog_fd[1] = -1;
	bpf_object__for_each_program(prog, obj) {
		if (!nflink_prog(prog) || !bpf_program__autoload(prog))
			continue;
		bool last = strcmp(bpf_program__section_name(prog), NFLINK_SEC_PREFIX "last") == 0;
		j.prog_fd[last] = bpf_program__fd(prog);
	}
	if (j.prog_fd[0] < 0 || j.prog_fd[1] < 0 || !prios)
		return NULL; /* not loaded: nflink_prepare said why */
	j.prios_fd = bpf_map__fd(prios);
	if (!(j.nf = calloc(1, sizeof(*j.nf)))) {
		fprintf(stderr, "pktpath: warning: netfilter hooks not observed: out of memory\n");
		return NULL;
	}

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
	if (verbose)
		fprintf(stderr, "pktpath: netfilter: %zu links in %zu namespaces%s\n", j.nf->n, nns,
			j.moved ? " (some priorities moved inward: taken by other BPF programs)" : "");
	if (!j.nf->n) {
		nflink_free(j.nf);
		return NULL;
	}
	return j.nf;
}

size_t nflink_count(const struct nflink *nf)
{
	return nf ? nf->n : 0;
}

void nflink_free(struct nflink *nf)
{
	if (!nf)
		return;
	for (size_t i = 0; i < nf->n; i++)
		close(nf->fds[i]);
	free(nf->fds);
	free(nf);
}
