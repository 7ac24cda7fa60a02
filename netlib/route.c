#include "netlib/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
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

/* Runs inside the namespace: the socket and if_indextoname see its view. */
static int ask(void *arg)
{
	struct query *q = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(q->out, q->len, "route look-up failed: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)q->family;
	rtm->rtm_dst_len = q->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, q->family == AF_INET ? 4 : 16, q->dst);

	struct answer ans = {0};
	int rc = -1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n > 0)
			rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), on_route, &ans);
	}
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
