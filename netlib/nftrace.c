#include "netlib/nftrace.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/trace.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_bpf.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netlib/netns.h"
#include "netlib/nftrule.h"

#define TABLE_PREFIX "pktpath_"
/* Before everything a user or iptables-nft registers (raw is -300, the
 * earliest conntrack hook -400), and not NF_IP_PRI_FIRST + 1, where
 * pktpath's own BPF netfilter links go (a BPF link refuses a priority
 * already taken). */
#define CHAIN_PRIO (-2147483647 + 8)
#define RING 1024
#define BUFSZ (1 << 16)

struct tns {
	uint32_t inode;
	char label[64];
	int nsfd;                 /* the namespace (-1: pktpath's own), to add the table later */
	uint32_t ifindex;
	struct mnl_socket *watch; /* NFNLGRP_NFTABLES, until the table is added */
	bool recheck;             /* the watch overflowed: list the tables again */
	struct mnl_socket *cmd;   /* owns the table; NULL until added */
	struct mnl_socket *trace; /* NFNLGRP_NFTRACE */
	uint32_t seq;
	char table[32];
};

/* One drop verdict from a trace message. */
struct verdict {
	uint32_t netns;
	uint32_t family; /* table family */
	bool policy;
	uint64_t handle;
	char table[64], chain[64];
	uint8_t ipver, l4;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	bool ports, used;
};

struct nftrace {
	struct tns *ns;
	size_t nns;
	struct verdict ring[RING];
	size_t next; /* ring slot written next */
	uint64_t lost;
	size_t armed; /* namespaces with pktpath's table (the others wait for a table of their own) */
	size_t owned; /* tables the kernel removes with the socket */
	size_t selected; /* tables that trace only the selected packets */
	struct xt_bpf_info sel;
	bool has_sel;
	char *buf;
	FILE *log;
};

struct nftrace *nftrace_new(FILE *log)
{
	struct nftrace *t = calloc(1, sizeof(*t));
	if (t)
		t->log = log;
	if (t && !(t->buf = malloc(BUFSZ))) {
		free(t);
		t = NULL;
	}
	return t;
}

uint64_t nftrace_lost(const struct nftrace *t)
{
	return t ? t->lost : 0;
}

/* Reads acknowledgements until n have come (or one is an error, or 2 s
 * passed). 0, or -1 with errno. */
/* The acks of the batch whose messages carry sequence numbers [first,
 * end). Acks of an earlier batch are skipped: a batch that failed stops
 * reading at its first error and leaves the others' acks in the socket
 * (seen on 5.10: the owner flag refused, then the chains' ENOENT was read
 * as the answer to the retry, which had worked). */
static int acks(struct mnl_socket *nl, char *buf, int n, uint32_t first, uint32_t end)
{
	int got = 0;
	while (got < n) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, BUFSZ);
		if (len < 0)
			return -1; /* timeout: errno EAGAIN */
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int rest = (int)len;
		for (; mnl_nlmsg_ok(h, rest); h = mnl_nlmsg_next(h, &rest)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq - first >= end - first)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error) {
				errno = -e->error;
				return -1;
			}
			got++;
		}
	}
	return 0;
}

static struct mnl_socket *open_nl(bool nonblock)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	if (!nonblock) {
		struct timeval tv = {.tv_sec = 2};
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	return nl;
}

/* A batch of messages built by fill(); every message asks for an ack. */
static int batch(struct mnl_socket *nl, uint32_t *seq, char *buf,
		 int (*fill)(struct mnl_nlmsg_batch *b, uint32_t *seq, void *arg), void *arg)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, BUFSZ);
	if (!b)
		return -1;
	uint32_t first = *seq;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	int n = fill(b, seq, arg);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	int rc = -1;
	if (n >= 0 && mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) >= 0)
		rc = acks(nl, buf, n, first, *seq);
	int err = errno;
	mnl_nlmsg_batch_stop(b);
	errno = err;
	return rc;
}

struct del_arg {
	const char *table;
};

static int fill_del(struct mnl_nlmsg_batch *b, uint32_t *seq, void *arg)
{
	struct del_arg *a = arg;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, a->table);
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_DELTABLE, NFPROTO_INET,
						   NLM_F_ACK, (*seq)++);
	nftnl_table_nlmsg_build_payload(h, t);
	mnl_nlmsg_batch_next(b);
	nftnl_table_free(t);
	return 1;
}

/* The pid in "pktpath_PID", 0 when the name is not one of ours. */
static long table_pid(const char *name)
{
	size_t l = strlen(TABLE_PREFIX);
	if (strncmp(name, TABLE_PREFIX, l) || !name[l])
		return 0;
	char *end;
	long pid = strtol(name + l, &end, 10);
	return *end || pid <= 0 ? 0 : pid;
}

/* Whether process pid still runs. Its name is not checked: a renamed or
 * wrapped pktpath (an ASan build, a copy) must not lose its table; a pid
 * reused since only delays the clean-up. */
static bool pid_alive(long pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	return access(path, F_OK) == 0;
}

struct list_arg {
	char names[64][32];
	int n;
};

static int on_table(const struct nlmsghdr *h, void *data)
{
	struct list_arg *a = data;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return MNL_CB_OK;
	if (nftnl_table_nlmsg_parse(h, t) == 0 && a->n < 64) {
		const char *name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
		if (name && table_pid(name) && strlen(name) < 32)
			snprintf(a->names[a->n++], 32, "%s", name);
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int clean_here(void *arg)
{
	(void)arg;
	char *buf = malloc(BUFSZ);
	struct mnl_socket *nl = buf ? open_nl(false) : NULL;
	int removed = 0;
	if (!nl) {
		free(buf);
		return -1;
	}
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_DUMP, seq);
	struct list_arg a = {.n = 0};
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) >= 0) {
		ssize_t len;
		while ((len = mnl_socket_recvfrom(nl, buf, BUFSZ)) > 0)
			if (mnl_cb_run(buf, (size_t)len, seq, mnl_socket_get_portid(nl), on_table, &a) <= 0)
				break;
	}
	seq++;
	for (int i = 0; i < a.n; i++) {
		long pid = table_pid(a.names[i]);
		if (pid == getpid() || pid_alive(pid))
			continue;
		struct del_arg d = {.table = a.names[i]};
		if (batch(nl, &seq, buf, fill_del, &d) == 0)
			removed++;
	}
	mnl_socket_close(nl);
	free(buf);
	return removed;
}

int nftrace_clean_stale(int nsfd)
{
	return nsfd < 0 ? clean_here(NULL) : netns_run_in(nsfd, clean_here, NULL);
}

struct add_arg {
	const char *table;
	uint32_t ifindex;
	uint32_t flags;
	const struct xt_bpf_info *sel; /* NULL: every packet */
};

static struct nftnl_expr *expr(const char *name)
{
	return nftnl_expr_alloc(name);
}

/* [iif/oif == IFINDEX] meta nftrace set 1 */
static struct nftnl_rule *trace_rule(const char *table, const char *chain, uint32_t ifindex, bool out,
				     const struct xt_bpf_info *sel)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	struct nftnl_expr *e;
	if (ifindex) {
		if ((e = expr("meta"))) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, out ? NFT_META_OIF : NFT_META_IIF);
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
			nftnl_rule_add_expr(r, e);
		}
		if ((e = expr("cmp"))) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
			nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &ifindex, sizeof(ifindex));
			nftnl_rule_add_expr(r, e);
		}
	}
	if (sel && (e = expr("match"))) { /* xt_bpf: the selection's classic BPF */
		nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "bpf");
		nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
		/* libnftnl keeps (and later frees) this pointer: a copy. */
		struct xt_bpf_info *copy = malloc(sizeof(*copy));
		if (copy) {
			memcpy(copy, sel, sizeof(*copy));
			nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, copy, sizeof(*copy));
		}
		nftnl_rule_add_expr(r, e);
	}
	uint8_t one = 1;
	if ((e = expr("immediate"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &one, sizeof(one));
		nftnl_rule_add_expr(r, e);
	}
	if ((e = expr("meta"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
	}
	return r;
}

static int fill_add(struct mnl_nlmsg_batch *b, uint32_t *seq, void *arg)
{
	struct add_arg *a = arg;
	int n = 0;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, a->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, a->flags);
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE, NFPROTO_INET,
						   NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, (*seq)++);
	nftnl_table_nlmsg_build_payload(h, t);
	mnl_nlmsg_batch_next(b);
	nftnl_table_free(t);
	n++;
	static const struct {
		const char *name;
		uint32_t hook;
		bool out;
	} chains[] = {{"pre", NF_INET_PRE_ROUTING, false}, {"out", NF_INET_LOCAL_OUT, true}};
	for (size_t i = 0; i < 2; i++) {
		struct nftnl_chain *c = nftnl_chain_alloc();
		if (!c)
			return -1;
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, a->table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chains[i].name);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chains[i].hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, CHAIN_PRIO);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWCHAIN, NFPROTO_INET,
					  NLM_F_CREATE | NLM_F_ACK, (*seq)++);
		nftnl_chain_nlmsg_build_payload(h, c);
		mnl_nlmsg_batch_next(b);
		nftnl_chain_free(c);
		n++;
		struct nftnl_rule *r = trace_rule(a->table, chains[i].name, a->ifindex, chains[i].out, a->sel);
		if (!r)
			return -1;
		h = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE, NFPROTO_INET,
					  NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, (*seq)++);
		nftnl_rule_nlmsg_build_payload(h, r);
		mnl_nlmsg_batch_next(b);
		nftnl_rule_free(r);
		n++;
	}
	return n;
}

struct setup {
	const struct xt_bpf_info *sel;
	bool selected; /* the selection is in the table */
	struct tns *ns;
	uint32_t ifindex;
	char *buf;
	char *err;
	size_t errlen;
	bool owner;
};

/* Runs inside the namespace: both sockets belong to it from then on. */
static int setup_here(void *arg)
{
	struct setup *s = arg;
	struct tns *ns = s->ns;
	clean_here(NULL);
	ns->cmd = open_nl(false);
	ns->trace = open_nl(true);
	if (!ns->cmd || !ns->trace) {
		snprintf(s->err, s->errlen, "cannot open a netfilter netlink socket: %s", strerror(errno));
		return -1;
	}
	int grp = NFNLGRP_NFTRACE, big = 4 << 20;
	if (mnl_socket_setsockopt(ns->trace, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		snprintf(s->err, s->errlen, "cannot subscribe to nftables trace messages: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(mnl_socket_get_fd(ns->trace), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(mnl_socket_get_fd(ns->trace), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	snprintf(ns->table, sizeof(ns->table), TABLE_PREFIX "%d", (int)getpid());
	struct add_arg a = {.table = ns->table, .ifindex = s->ifindex, .flags = NFT_TABLE_F_OWNER, .sel = s->sel};
	ns->seq = (uint32_t)time(NULL);
	s->owner = true;
	int rc = batch(ns->cmd, &ns->seq, s->buf, fill_add, &a);
	if (rc < 0 && a.sel) {
		/* No xt_bpf or nft_compat here (or not in inet tables): every packet. */
		a.sel = NULL;
		rc = batch(ns->cmd, &ns->seq, s->buf, fill_add, &a);
	}
	s->selected = rc == 0 && a.sel;
	if (rc < 0) {
		/* Before Linux 5.12: no owner flag; removed at exit, or by the next
		 * start. Whatever the errno: a batch reports its last error, and
		 * after the table was refused that is the chains' ENOENT. */
		a.flags = 0;
		s->owner = false;
		rc = batch(ns->cmd, &ns->seq, s->buf, fill_add, &a);
	}
	if (rc < 0) {
		snprintf(s->err, s->errlen, "cannot add table inet %s: %s", ns->table, strerror(errno));
		return -1;
	}
	return 0;
}

/* Tables other than pktpath's (iptables-nft's included) in the namespace
 * the socket is in, counted by on_foreign. */
static int on_foreign(const struct nlmsghdr *h, void *data)
{
	int *n = data;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return MNL_CB_OK;
	if (nftnl_table_nlmsg_parse(h, t) == 0) {
		const char *name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
		if (name && !table_pid(name))
			(*n)++;
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

struct probe {
	struct tns *ns;
	char *buf;
	int foreign; /* tables of others; -1: could not list them */
};

/* Runs inside the namespace: subscribes to nftables' changes, then lists
 * the tables (in that order: a table made in between is not missed). */
static int probe_here(void *arg)
{
	struct probe *p = arg;
	clean_here(NULL);
	p->foreign = -1;
	if (!(p->ns->watch = open_nl(true)))
		return -1;
	int grp = NFNLGRP_NFTABLES;
	if (mnl_socket_setsockopt(p->ns->watch, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		return -1;
	struct mnl_socket *nl = open_nl(false);
	if (!nl)
		return -1;
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(p->buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	int n = 0, rc = MNL_CB_ERROR;
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) >= 0) {
		ssize_t len;
		while ((len = mnl_socket_recvfrom(nl, p->buf, BUFSZ)) > 0)
			if ((rc = mnl_cb_run(p->buf, (size_t)len, seq, mnl_socket_get_portid(nl), on_foreign, &n)) <= 0)
				break;
	}
	mnl_socket_close(nl);
	if (rc == MNL_CB_STOP)
		p->foreign = n;
	return 0;
}

/* Adds pktpath's table in ns: 0, or -1 with a reason in err. */
static int arm(struct nftrace *t, struct tns *ns, char *err, size_t errlen)
{
	struct setup s = {.ns = ns, .ifindex = ns->ifindex, .buf = t->buf, .err = err, .errlen = errlen,
			  .sel = t->has_sel ? &t->sel : NULL};
	err[0] = '\0';
	errno = 0;
	int rc = ns->nsfd < 0 ? setup_here(&s) : netns_run_in(ns->nsfd, setup_here, &s);
	if (rc < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		if (ns->cmd)
			mnl_socket_close(ns->cmd);
		if (ns->trace)
			mnl_socket_close(ns->trace);
		ns->cmd = ns->trace = NULL;
		return -1;
	}
	if (ns->watch)
		mnl_socket_close(ns->watch);
	ns->watch = NULL;
	t->armed++;
	t->owned += s.owner;
	t->selected += s.selected;
	return 0;
}

int nftrace_add_ns(struct nftrace *t, int nsfd, uint32_t inode, const char *label, uint32_t ifindex, FILE *log,
		   char *err, size_t errlen)
{
	struct tns *grown = realloc(t->ns, (t->nns + 1) * sizeof(*t->ns));
	if (!grown) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->ns = grown;
	struct tns *ns = &t->ns[t->nns];
	memset(ns, 0, sizeof(*ns));
	ns->inode = inode;
	ns->ifindex = ifindex;
	ns->nsfd = -1;
	snprintf(ns->label, sizeof(ns->label), "%s", label);
	if (nsfd >= 0 && (ns->nsfd = fcntl(nsfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	/* A namespace without a table of its own has no rule to name: the
	 * table would only cost every packet a chain (and a BPF match). It
	 * is added when a table appears there (nftrace_poll). */
	struct probe p = {.ns = ns, .buf = t->buf, .foreign = -1};
	int rc = nsfd < 0 ? probe_here(&p) : netns_run_in(nsfd, probe_here, &p);
	if ((rc < 0 || p.foreign != 0) && arm(t, ns, err, errlen) < 0) {
		if (ns->watch)
			mnl_socket_close(ns->watch);
		if (ns->nsfd >= 0)
			close(ns->nsfd);
		return -1;
	}
	t->nns++;
	if (log && ns->cmd)
		fprintf(log, "pktpath: nftables: added table inet %s in netns %s\n", ns->table, ns->label);
	return ns->cmd ? 0 : 1;
}

size_t nftrace_count(const struct nftrace *t, size_t *owned, size_t *selected)
{
	if (owned)
		*owned = t ? t->owned : 0;
	if (selected)
		*selected = t ? t->selected : 0;
	return t ? t->armed : 0;
}

void nftrace_select(struct nftrace *t, const void *cbpf, size_t n)
{
	if (!t || !cbpf || !n || n > XT_BPF_MAX_NUM_INSTR)
		return;
	memset(&t->sel, 0, sizeof(t->sel));
	t->sel.bpf_program_num_elem = (uint16_t)n;
	memcpy(t->sel.bpf_program, cbpf, n * sizeof(struct sock_filter));
	t->has_sel = true;
}

/* Addresses and ports from the headers a trace message carries. */
static void parse_headers(struct verdict *v, const uint8_t *nh, uint32_t nlen, const uint8_t *th, uint32_t tlen)
{
	if (nlen >= 20 && (nh[0] >> 4) == 4) {
		v->ipver = 4;
		v->l4 = nh[9];
		memcpy(v->saddr, nh + 12, 4);
		memcpy(v->daddr, nh + 16, 4);
	} else if (nlen >= 40 && (nh[0] >> 4) == 6) {
		v->ipver = 6;
		v->l4 = nh[6];
		memcpy(v->saddr, nh + 8, 16);
		memcpy(v->daddr, nh + 24, 16);
	}
	if (th && tlen >= 4 && (v->l4 == IPPROTO_TCP || v->l4 == IPPROTO_UDP)) {
		v->sport = (uint16_t)(th[0] << 8 | th[1]);
		v->dport = (uint16_t)(th[2] << 8 | th[3]);
		v->ports = true;
	}
}

static void on_trace(struct nftrace *t, const struct tns *ns, const struct nlmsghdr *h)
{
	struct nftnl_trace *tr = nftnl_trace_alloc();
	if (!tr)
		return;
	if (nftnl_trace_nlmsg_parse(h, tr) < 0)
		goto out;
	uint32_t type = nftnl_trace_get_u32(tr, NFTNL_TRACE_TYPE);
	bool policy = type == NFT_TRACETYPE_POLICY;
	if (type == NFT_TRACETYPE_RULE) {
		if (!nftnl_trace_is_set(tr, NFTNL_TRACE_VERDICT) || nftnl_trace_get_u32(tr, NFTNL_TRACE_VERDICT) != NF_DROP)
			goto out;
	} else if (policy) {
		if (!nftnl_trace_is_set(tr, NFTNL_TRACE_POLICY) || nftnl_trace_get_u32(tr, NFTNL_TRACE_POLICY) != NF_DROP)
			goto out;
	} else {
		goto out;
	}
	struct verdict *v = &t->ring[t->next];
	t->next = (t->next + 1) % RING;
	memset(v, 0, sizeof(*v));
	v->netns = ns->inode;
	v->policy = policy;
	v->family = nftnl_trace_get_u32(tr, NFTNL_TRACE_FAMILY);
	v->handle = nftnl_trace_is_set(tr, NFTNL_TRACE_RULE_HANDLE) ? nftnl_trace_get_u64(tr, NFTNL_TRACE_RULE_HANDLE) : 0;
	const char *s = nftnl_trace_get_str(tr, NFTNL_TRACE_TABLE);
	snprintf(v->table, sizeof(v->table), "%s", s ? s : "?");
	s = nftnl_trace_get_str(tr, NFTNL_TRACE_CHAIN);
	snprintf(v->chain, sizeof(v->chain), "%s", s ? s : "?");
	uint32_t nlen = 0, tlen = 0;
	const uint8_t *nh = nftnl_trace_is_set(tr, NFTNL_TRACE_NETWORK_HEADER)
				    ? nftnl_trace_get_data(tr, NFTNL_TRACE_NETWORK_HEADER, &nlen)
				    : NULL;
	const uint8_t *th = nftnl_trace_is_set(tr, NFTNL_TRACE_TRANSPORT_HEADER)
				    ? nftnl_trace_get_data(tr, NFTNL_TRACE_TRANSPORT_HEADER, &tlen)
				    : NULL;
	if (nh)
		parse_headers(v, nh, nlen, th, tlen);
out:
	nftnl_trace_free(tr);
}

/* A namespace waiting for a table of its own: did one appear? */
static void watch_ns(struct nftrace *t, struct tns *ns)
{
	int appeared = 0;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(ns->watch, t->buf, BUFSZ);
		if (len < 0) {
			if (errno == ENOBUFS) { /* notifications lost: look again */
				ns->recheck = true;
				continue;
			}
			break;
		}
		const struct nlmsghdr *h = (const struct nlmsghdr *)t->buf;
		int rest = (int)len;
		for (; mnl_nlmsg_ok(h, rest); h = mnl_nlmsg_next(h, &rest))
			if (h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE))
				on_foreign(h, &appeared);
	}
	if (ns->recheck) {
		struct probe p = {.ns = ns, .buf = t->buf, .foreign = -1};
		mnl_socket_close(ns->watch);
		ns->watch = NULL;
		if (ns->nsfd < 0)
			probe_here(&p);
		else
			netns_run_in(ns->nsfd, probe_here, &p);
		ns->recheck = false;
		appeared += p.foreign != 0;
	}
	if (!appeared)
		return;
	char err[256];
	if (arm(t, ns, err, sizeof(err)) < 0) {
		if (t->log)
			fprintf(t->log, "pktpath: warning: a ruleset appeared in netns %s, but its netfilter drops will not name their rule: %s\n",
				ns->label, err);
		if (ns->watch) /* not again at every tick */
			mnl_socket_close(ns->watch);
		ns->watch = NULL;
		return;
	}
	if (t->log)
		fprintf(t->log, "pktpath: nftables: netns %s got a table: added table inet %s there (removed at exit)\n",
			ns->label, ns->table);
}

void nftrace_poll(struct nftrace *t)
{
	for (size_t i = 0; t && i < t->nns; i++) {
		struct tns *ns = &t->ns[i];
		if (ns->watch)
			watch_ns(t, ns);
		if (!ns->trace)
			continue;
		/* Bounded: under a flood messages can come as fast as they are
		 * read; what is left waits for the next round (or overruns the
		 * socket, which is counted). */
		for (int k = 0; k < 4096; k++) {
			ssize_t len = mnl_socket_recvfrom(ns->trace, t->buf, BUFSZ);
			if (len < 0) {
				if (errno == ENOBUFS) {
					t->lost++; /* at least one; the kernel does not say how many */
					continue;
				}
				break;
			}
			const struct nlmsghdr *h = (const struct nlmsghdr *)t->buf;
			int rest = (int)len;
			for (; mnl_nlmsg_ok(h, rest); h = mnl_nlmsg_next(h, &rest))
				if (h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_TRACE))
					on_trace(t, ns, h);
		}
	}
}

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	}
	return "?";
}

struct get_arg {
	uint32_t family;
	char *out;
	size_t len;
	bool found;
};

static int on_rule(const struct nlmsghdr *h, void *data)
{
	struct get_arg *a = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return MNL_CB_OK;
	if (nftnl_rule_nlmsg_parse(h, r) == 0) {
		nftrule_render(r, a->family, a->out, a->len);
		a->found = true;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* The rule's text now, from the kernel. */
static int get_rule(struct nftrace *t, struct tns *ns, const struct verdict *v, char *out, size_t len)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, v->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, v->chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, v->handle);
	uint32_t seq = ns->seq++;
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(t->buf, NFT_MSG_GETRULE, (uint16_t)v->family, NLM_F_ACK, seq);
	nftnl_rule_nlmsg_build_payload(h, r);
	nftnl_rule_free(r);
	struct get_arg a = {.family = v->family, .out = out, .len = len};
	if (mnl_socket_sendto(ns->cmd, h, h->nlmsg_len) < 0)
		return -1;
	int rc;
	do {
		ssize_t n = mnl_socket_recvfrom(ns->cmd, t->buf, BUFSZ);
		if (n <= 0)
			return -1;
		rc = mnl_cb_run(t->buf, (size_t)n, seq, mnl_socket_get_portid(ns->cmd), on_rule, &a);
	} while (rc > 0);
	return a.found ? 0 : -1;
}

static bool matches(const struct verdict *v, const struct pp_event *e)
{
	if (v->used || !(e->have & PP_HAVE_NETNS) || v->netns != e->netns)
		return false;
	if (!(e->have & PP_HAVE_L3))
		return false; /* no headers to tie it to: better no rule than a wrong one */
	size_t al = e->ipver == 6 ? 16 : 4;
	if (v->ipver != e->ipver || v->l4 != e->l4proto || memcmp(v->saddr, e->saddr, al) ||
	    memcmp(v->daddr, e->daddr, al))
		return false;
	if (v->ports && (e->have & PP_HAVE_L4) && (v->sport != e->sport || v->dport != e->dport))
		return false;
	return true;
}

int nftrace_explain(struct nftrace *t, const struct pp_event *e, char *out, size_t len)
{
	if (!t || !t->nns) {
		snprintf(out, len, "no nftables trace");
		return -1;
	}
	nftrace_poll(t);
	/* The newest unused verdict for this packet: the drop event follows
	 * its trace message closely. */
	for (size_t k = 1; k <= RING; k++) {
		struct verdict *v = &t->ring[(t->next + RING - k) % RING];
		if (!v->table[0] || !matches(v, e))
			continue;
		v->used = true;
		struct tns *ns = NULL;
		for (size_t i = 0; i < t->nns; i++)
			if (t->ns[i].inode == v->netns)
				ns = &t->ns[i];
		char rule[768] = "";
		if (v->policy)
			snprintf(rule, sizeof(rule), "policy drop");
		else if (!ns || get_rule(t, ns, v, rule, sizeof(rule)) < 0)
			snprintf(rule, sizeof(rule), "(rule gone: deleted since)");
		char handle[24];
		if (v->policy)
			snprintf(handle, sizeof(handle), "policy");
		else
			snprintf(handle, sizeof(handle), "%" PRIu64, v->handle);
		snprintf(out, len, "%s\t%s\t%s\t%s\t%s", family_name(v->family), v->table, v->chain, handle, rule);
		return 0;
	}
	snprintf(out, len, "no nftables trace message for this packet");
	return -1;
}

void nftrace_free(struct nftrace *t, FILE *log)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nns; i++) {
		struct tns *ns = &t->ns[i];
		if (ns->watch)
			mnl_socket_close(ns->watch);
		if (ns->nsfd >= 0)
			close(ns->nsfd);
		if (!ns->cmd)
			continue;
		struct del_arg d = {.table = ns->table};
		if (batch(ns->cmd, &ns->seq, t->buf, fill_del, &d) < 0 && log) {
			fprintf(log, "pktpath: nftables: removing table inet %s in netns %s: %s (the kernel removes it as pktpath exits)\n",
				ns->table, ns->label, strerror(errno));
		}
		mnl_socket_close(ns->cmd);
		mnl_socket_close(ns->trace);
	}
	free(t->ns);
	free(t->buf);
	free(t);
}
