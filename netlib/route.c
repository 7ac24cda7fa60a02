#include "netlib/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netlib/netns.h"

struct query {
	int family;
	const uint8_t *dst;
	char *out;
	size_t len;
};

struct answer {
	int type;
	uint32_t oif;
	uint8_t gw[16];
	int have_gw;
};

static int on_attr(const struct nlattr *a, void *data)
{
	struct answer *ans = data;
	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			ans->oif = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) <= sizeof(ans->gw)) {
			memcpy(ans->gw, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			ans->have_gw = 1;
		}
		break;
	}
	return MNL_CB_OK;
}

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct answer *ans = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	ans->type = rtm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rtm), on_attr, ans);
	return MNL_CB_OK;
}

/* A route socket in the current namespace; NULL with out set. */
static struct mnl_socket *route_socket(char *out, size_t len)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(out, len, "route look-up failed: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/* The kernel's output route to dst (RTM_GETROUTE), into ans. Returns
 * mnl_cb_run's result: < 0 with errno the kernel's refusal. */
static int route_get(struct mnl_socket *nl, char *buf, size_t size, int family, const uint8_t *dst,
		     struct answer *ans)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	int rc = -1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, size);
		if (n > 0)
			rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), on_route, ans);
	}
	return rc;
}

/* Runs inside the namespace: the socket and if_indextoname see its view. */
static int ask(void *arg)
{
	struct query *q = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = route_socket(q->out, q->len);
	if (!nl)
		return -1;
	struct answer ans = {0};
	int rc = route_get(nl, buf, sizeof(buf), q->family, q->dst, &ans);
	int err = errno;
	mnl_socket_close(nl);
	if (rc < 0) {
		/* The kernel's refusal is the answer ("Network is unreachable"). */
		snprintf(q->out, q->len, "%s", strerror(err));
		return 0;
	}
	char ifn[IF_NAMESIZE] = "?", gw[INET6_ADDRSTRLEN];
	if (ans.oif)
		if_indextoname(ans.oif, ifn);
	switch (ans.type) {
	case RTN_UNREACHABLE: snprintf(q->out, q->len, "unreachable"); break;
	case RTN_BLACKHOLE: snprintf(q->out, q->len, "blackhole"); break;
	case RTN_PROHIBIT: snprintf(q->out, q->len, "prohibit"); break;
	case RTN_LOCAL: snprintf(q->out, q->len, "local dev %s", ifn); break;
	default:
		if (ans.have_gw && inet_ntop(q->family, ans.gw, gw, sizeof(gw)))
			snprintf(q->out, q->len, "via %s dev %s", gw, ifn);
		else
			snprintf(q->out, q->len, "dev %s", ifn);
	}
	return 0;
}

/* The route entry a destination falls under, of one type, from a dump of
 * the namespace's routes (longest prefix wins; policy rules are not
 * followed: the main and local tables and any other are searched alike). */
struct entry_q {
	int family;
	const uint8_t *dst;
	int type;
	int best; /* prefix length found, -1 none */
	uint8_t prefix[16];
	uint32_t table;
};

struct entry_attrs {
	const uint8_t *dst;
	uint32_t table;
};

static int on_entry_attr(const struct nlattr *a, void *data)
{
	struct entry_attrs *ea = data;
	if (mnl_attr_get_type(a) == RTA_DST && mnl_attr_get_payload_len(a) <= 16)
		ea->dst = mnl_attr_get_payload(a);
	else if (mnl_attr_get_type(a) == RTA_TABLE && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		ea->table = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static bool prefix_has(const uint8_t *net, int len, const uint8_t *addr)
{
	int full = len / 8, rest = len % 8;
	if (memcmp(net, addr, (size_t)full))
		return false;
	if (!rest)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (net[full] & m) == (addr[full] & m);
}

static int on_entry(const struct nlmsghdr *nlh, void *data)
{
	struct entry_q *q = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct entry_attrs ea = {.table = rtm->rtm_table};
	mnl_attr_parse(nlh, sizeof(*rtm), on_entry_attr, &ea);
	static const uint8_t any[16];
	const uint8_t *net = ea.dst ? ea.dst : any;
	if (rtm->rtm_family != q->family || rtm->rtm_type != q->type || (int)rtm->rtm_dst_len <= q->best ||
	    (rtm->rtm_dst_len && !ea.dst) || !prefix_has(net, rtm->rtm_dst_len, q->dst))
		return MNL_CB_OK;
	q->best = rtm->rtm_dst_len;
	memcpy(q->prefix, net, q->family == AF_INET ? 4 : 16);
	q->table = ea.table;
	return MNL_CB_OK;
}

static void find_entry(struct mnl_socket *nl, char *buf, size_t buflen, struct entry_q *q)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (unsigned)time(NULL) + 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)q->family;
	q->best = -1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return;
	unsigned seq = nlh->nlmsg_seq;
	ssize_t n;
	while ((n = mnl_socket_recvfrom(nl, buf, buflen)) > 0)
		if (mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), on_entry, q) <= 0)
			break;
}

static const char *type_word(int type)
{
	switch (type) {
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_PROHIBIT: return "prohibit";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_THROW: return "throw";
	}
	return NULL;
}

struct kind_q {
	int family;
	const uint8_t *dst;
	char *out;
	size_t len;
};

/* Runs inside the namespace. The output look-up fails with the route
 * type's own error for blackhole (EINVAL), prohibit (EACCES),
 * unreachable (EHOSTUNREACH) and throw (EAGAIN) routes: that names the
 * type; the dump then names the entry. */
static int ask_kind(void *arg)
{
	struct kind_q *q = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = route_socket(q->out, q->len);
	if (!nl)
		return -1;
	struct answer ans = {0};
	int rc = route_get(nl, buf, sizeof(buf), q->family, q->dst, &ans), type = -1;
	if (rc >= 0)
		type = ans.type;
	else if (errno == EINVAL)
		type = RTN_BLACKHOLE;
	else if (errno == EACCES)
		type = RTN_PROHIBIT;
	else if (errno == EHOSTUNREACH)
		type = RTN_UNREACHABLE;
	else if (errno == EAGAIN)
		type = RTN_THROW;
	int err = errno;
	const char *word = type_word(type);
	if (!word) {
		if (rc >= 0)
			snprintf(q->out, q->len, "%s", type == RTN_UNICAST ? "unicast" : type == RTN_LOCAL ? "local" : "other");
		else
			snprintf(q->out, q->len, "%s", strerror(err));
		mnl_socket_close(nl);
		return 0;
	}
	struct entry_q e = {.family = q->family, .dst = q->dst, .type = type};
	find_entry(nl, buf, sizeof(buf), &e);
	mnl_socket_close(nl);
	char net[INET6_ADDRSTRLEN] = "?";
	if (e.best < 0) {
		snprintf(q->out, q->len, "%s", word);
		return 0;
	}
	inet_ntop(q->family, e.prefix, net, sizeof(net));
	char table[16];
	if (e.table == RT_TABLE_MAIN)
		snprintf(table, sizeof(table), "main");
	else if (e.table == RT_TABLE_LOCAL)
		snprintf(table, sizeof(table), "local");
	else
		snprintf(table, sizeof(table), "%u", e.table);
	if (e.best == 0)
		snprintf(q->out, q->len, "%s default table %s", word, table);
	else
		snprintf(q->out, q->len, "%s %s/%d table %s", word, net, e.best, table);
	return 0;
}

int route_kind(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len)
{
	int fd = netns ? netns_open_inode(netns) : -1;
	if (fd < 0) {
		snprintf(out, len, "cannot enter network namespace %u", netns);
		return -1;
	}
	struct kind_q q = {.family = family, .dst = dst, .out = out, .len = len};
	int rc = netns_run_in(fd, ask_kind, &q);
	close(fd);
	return rc < 0 ? -1 : 0;
}

#define CACHE 64

static struct {
	uint32_t netns;
	int family;
	uint8_t dst[16];
	time_t at;
	char text[128];
} cache[CACHE];

int route_describe(uint32_t netns, int family, const uint8_t *dst, char *out, size_t len)
{
	size_t alen = family == AF_INET ? 4 : 16;
	time_t now = time(NULL);
	unsigned slot = netns;
	for (size_t i = 0; i < alen; i++)
		slot = slot * 31 + dst[i];
	slot %= CACHE;
	if (cache[slot].at == now && cache[slot].netns == netns && cache[slot].family == family &&
	    memcmp(cache[slot].dst, dst, alen) == 0) {
		snprintf(out, len, "%s", cache[slot].text);
		return 0;
	}
	int fd = netns ? netns_open_inode(netns) : -1;
	if (fd < 0) {
		snprintf(out, len, "cannot enter network namespace %u", netns);
		return -1;
	}
	struct query q = {.family = family, .dst = dst, .out = cache[slot].text, .len = sizeof(cache[slot].text)};
	int rc = netns_run_in(fd, ask, &q);
	close(fd);
	if (rc < 0) {
		snprintf(out, len, "%s", cache[slot].text);
		cache[slot].at = 0;
		return -1;
	}
	cache[slot].netns = netns;
	cache[slot].family = family;
	memcpy(cache[slot].dst, dst, alen);
	cache[slot].at = now;
	snprintf(out, len, "%s", cache[slot].text);
	return 0;
}
