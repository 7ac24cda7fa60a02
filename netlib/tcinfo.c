#include "netlib/tcinfo.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netlib/netns.h"

/* Not in Debian 12's headers (Linux 6.6). */
#define PP_BPF_TCX_INGRESS 46
#define PP_BPF_TCX_EGRESS 47

struct text {
	char *out;
	size_t len, used;
	int items;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	if (t->used + 1 >= t->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->out + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used = t->used + (size_t)n < t->len ? t->used + (size_t)n : t->len - 1;
}

/* Kernel strings into our text: printable ASCII only. */
static void put_str(struct text *t, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '\\' || c == '\'')
			put(t, "\\x%02x", c);
		else
			put(t, "%c", c);
	}
}

/* The kernel's name for a BPF program id ("" when it cannot be read). */
static void prog_name(uint32_t id, char *name, size_t len)
{
	name[0] = '\0';
	int fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	struct bpf_prog_info info;
	uint32_t il = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &il) == 0)
		snprintf(name, len, "%.*s", (int)sizeof(info.name), info.name);
	close(fd);
}

struct filt {
	struct text *t;
	const char *kind;
	const struct nlattr *opts;
};

static int on_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= TCA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int on_nested(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type < 16)
		tb[type] = a;
	return MNL_CB_OK;
}

static int on_filter(const struct nlmsghdr *nlh, void *data)
{
	struct text *t = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1] = {0};
	mnl_attr_parse(nlh, sizeof(*tcm), on_attr, tb);
	if (!tb[TCA_KIND] || !tb[TCA_OPTIONS])
		return MNL_CB_OK; /* a chain's head entry: the filters follow */
	const char *kind = mnl_attr_get_str(tb[TCA_KIND]);
	unsigned pref = tcm->tcm_info >> 16;
	put(t, "%s", t->items++ ? "; " : "");
	if (strcmp(kind, "bpf") == 0) {
		const struct nlattr *o[16] = {0};
		mnl_attr_parse_nested(tb[TCA_OPTIONS], on_nested, o);
		uint32_t id = o[TCA_BPF_ID] ? mnl_attr_get_u32(o[TCA_BPF_ID]) : 0;
		uint32_t flags = o[TCA_BPF_FLAGS] ? mnl_attr_get_u32(o[TCA_BPF_FLAGS]) : 0;
		char name[32];
		prog_name(id, name, sizeof(name));
		put(t, "tc bpf program '");
		put_str(t, name[0] ? name : "?", sizeof(name));
		put(t, "' id %u (filter pref %u", id, pref);
		if (o[TCA_BPF_NAME]) {
			put(t, ", loaded as '");
			put_str(t, mnl_attr_get_str(o[TCA_BPF_NAME]), mnl_attr_get_payload_len(o[TCA_BPF_NAME]));
			put(t, "'");
		}
		put(t, "%s)", flags & TCA_BPF_FLAG_ACT_DIRECT ? ", direct-action" : "");
	} else {
		put(t, "tc filter ");
		put_str(t, kind, 16);
		put(t, " pref %u handle 0x%x", pref, tcm->tcm_handle);
	}
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, char *buf, size_t buflen, uint16_t type, uint32_t ifindex, uint32_t parent,
		mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;
	unsigned seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ssize_t n;
	int rc = 0;
	while ((n = mnl_socket_recvfrom(nl, buf, buflen)) > 0) {
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), cb, data);
		if (rc <= 0)
			break;
	}
	return rc < 0 ? -1 : 0;
}

struct q {
	uint32_t ifindex;
	bool ingress;
	struct text t;
};

static int tc_here(void *arg)
{
	struct q *q = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		put(&q->t, "tc look-up failed: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	/* clsact's ingress or egress block; the ingress qdisc's block. */
	uint32_t parent = TC_H_MAKE(TC_H_CLSACT, q->ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
	dump(nl, buf, sizeof(buf), RTM_GETTFILTER, q->ifindex, parent, on_filter, &q->t);
	if (!q->t.items && q->ingress)
		dump(nl, buf, sizeof(buf), RTM_GETTFILTER, q->ifindex, TC_H_MAKE(TC_H_INGRESS, 0), on_filter, &q->t);
	mnl_socket_close(nl);
	/* tcx (Linux >= 6.6): programs attached without a qdisc. */
	uint32_t ids[16];
	LIBBPF_OPTS(bpf_prog_query_opts, qo, .prog_ids = ids, .prog_cnt = 16);
	if (bpf_prog_query_opts((int)q->ifindex, q->ingress ? PP_BPF_TCX_INGRESS : PP_BPF_TCX_EGRESS, &qo) == 0)
		for (uint32_t i = 0; i < qo.prog_cnt && i < 16; i++) {
			char name[32];
			prog_name(ids[i], name, sizeof(name));
			put(&q->t, "%stcx program '", q->t.items++ ? "; " : "");
			put_str(&q->t, name[0] ? name : "?", sizeof(name));
			put(&q->t, "' id %u", ids[i]);
		}
	if (!q->t.items)
		put(&q->t, "nothing attached now");
	return 0;
}

static int run_in(uint32_t netns, int (*fn)(void *), struct q *q, char *out, size_t len)
{
	q->t = (struct text){.out = out, .len = len};
	if (len)
		out[0] = '\0';
	int fd = netns ? netns_open_inode(netns) : -1;
	if (fd < 0) {
		put(&q->t, "cannot enter network namespace %u", netns);
		return -1;
	}
	int rc = netns_run_in(fd, fn, q);
	close(fd);
	return rc < 0 ? -1 : 0;
}

int tc_describe(uint32_t netns, uint32_t ifindex, bool ingress, char *out, size_t len)
{
	struct q q = {.ifindex = ifindex, .ingress = ingress};
	return run_in(netns, tc_here, &q, out, len);
}

static int on_qdisc(const struct nlmsghdr *nlh, void *data)
{
	struct q *q = data;
	struct text *t = &q->t;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	if ((uint32_t)tcm->tcm_ifindex != q->ifindex || tcm->tcm_parent == TC_H_INGRESS)
		return MNL_CB_OK; /* another device; ingress/clsact hold no packets */
	const struct nlattr *tb[TCA_MAX + 1] = {0};
	mnl_attr_parse(nlh, sizeof(*tcm), on_attr, tb);
	if (!tb[TCA_KIND] || t->items >= 4)
		return MNL_CB_OK;
	const char *kind = mnl_attr_get_str(tb[TCA_KIND]);
	put(t, "%sqdisc ", t->items++ ? "; " : "");
	put_str(t, kind, 16);
	put(t, " %x:", tcm->tcm_handle >> 16);
	if (tcm->tcm_parent == TC_H_ROOT)
		put(t, " root");
	else
		put(t, " parent %x:%x", tcm->tcm_parent >> 16, tcm->tcm_parent & 0xffff);
	/* The limit, for the common kinds. */
	const struct nlattr *o = tb[TCA_OPTIONS];
	if (o) {
		const void *p = mnl_attr_get_payload(o);
		uint16_t pl = mnl_attr_get_payload_len(o);
		if ((!strcmp(kind, "pfifo") || !strcmp(kind, "bfifo") || !strcmp(kind, "pfifo_head_drop")) &&
		    pl >= sizeof(struct tc_fifo_qopt)) {
			struct tc_fifo_qopt f;
			memcpy(&f, p, sizeof(f));
			put(t, " limit %u%s", f.limit, kind[0] == 'b' ? "b" : "p");
		} else if (!strcmp(kind, "netem") && pl >= sizeof(struct tc_netem_qopt)) {
			struct tc_netem_qopt n;
			memcpy(&n, p, sizeof(n));
			put(t, " limit %up", n.limit);
		} else if (!strcmp(kind, "tbf") || !strcmp(kind, "fq_codel") || !strcmp(kind, "codel") ||
			   !strcmp(kind, "fq")) {
			const struct nlattr *n[16] = {0};
			mnl_attr_parse_nested(o, on_nested, n);
			if (!strcmp(kind, "tbf") && n[TCA_TBF_PARMS] &&
			    mnl_attr_get_payload_len(n[TCA_TBF_PARMS]) >= sizeof(struct tc_tbf_qopt)) {
				struct tc_tbf_qopt b;
				memcpy(&b, mnl_attr_get_payload(n[TCA_TBF_PARMS]), sizeof(b));
				put(t, " limit %ub", b.limit);
			} else {
				int a = !strcmp(kind, "fq_codel") ? TCA_FQ_CODEL_LIMIT
					: !strcmp(kind, "codel") ? TCA_CODEL_LIMIT
					: !strcmp(kind, "fq")    ? TCA_FQ_PLIMIT
								 : -1;
				if (a > 0 && a < 16 && n[a] && mnl_attr_validate(n[a], MNL_TYPE_U32) >= 0)
					put(t, " limit %up", mnl_attr_get_u32(n[a]));
			}
		}
	}
	if (tb[TCA_STATS2]) {
		const struct nlattr *s[16] = {0};
		mnl_attr_parse_nested(tb[TCA_STATS2], on_nested, s);
		if (s[TCA_STATS_QUEUE] && mnl_attr_get_payload_len(s[TCA_STATS_QUEUE]) >= sizeof(struct gnet_stats_queue)) {
			struct gnet_stats_queue g;
			memcpy(&g, mnl_attr_get_payload(s[TCA_STATS_QUEUE]), sizeof(g));
			put(t, ", %u dropped, %u overlimits, backlog %ub %up", g.drops, g.overlimits, g.backlog, g.qlen);
		}
	}
	return MNL_CB_OK;
}

static int qdisc_here(void *arg)
{
	struct q *q = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		put(&q->t, "qdisc look-up failed: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	dump(nl, buf, sizeof(buf), RTM_GETQDISC, 0, 0, on_qdisc, q);
	mnl_socket_close(nl);
	if (!q->t.items)
		put(&q->t, "no qdisc now");
	return 0;
}

int qdisc_describe(uint32_t netns, uint32_t ifindex, char *out, size_t len)
{
	struct q q = {.ifindex = ifindex};
	return run_in(netns, qdisc_here, &q, out, len);
}
