#include "cmd/render/hints.h"
#include "cmd/render/format.h"
#include "cmd/util/strfmt.h"
#include "cmd/render/reasons.h"
#include "cmd/record/resolve.h"

#include "netlib/route.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *proto_name(const struct pp_event *e)
{
	switch (e->l4proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case 58: return "icmp6";
	}
	return NULL;
}

static void addr(const struct pp_event *e, const uint8_t *a, char *out, size_t len)
{
	if (e->have & PP_HAVE_L3)
		fmt_addr(e, a, out, len);
	else
		pp_snprintf(out, len, "?");
}

/* " in netns X" or "" */
static void in_ns(struct strbuf *sb, const struct hint_in *in)
{
	if (in->netns) {
		sb_puts(sb, " in netns ");
		sb_puts(sb, in->netns);
	}
}

static const char *ifn(const struct hint_in *in)
{
	return in->ifname ? in->ifname : "the interface";
}

/* Function name of a frame, without "+0xoff" and " [module]". */
static size_t func_len(const char *frame)
{
	size_t n = strcspn(frame, "+ ");
	return n;
}

static int frame_is(const char *frame, const char *name)
{
	size_t n = func_len(frame);
	return n == strlen(name) && strncmp(frame, name, n) == 0;
}

const char *hint_nf_hook(const char *const *frames, size_t nframes, char *via, size_t vialen)
{
	/* Callers of nf_hook_slow (nf_hook and NF_HOOK are inline), by the
	 * hook they run. */
	static const struct {
		const char *fn, *hook;
	} callers[] = {
		{"ip_rcv", "PREROUTING"},       {"ip_rcv_core", "PREROUTING"},
		{"ip_local_deliver", "INPUT"},  {"ip_forward", "FORWARD"},
		{"__ip_local_out", "OUTPUT"},   {"ip_local_out", "OUTPUT"},
		{"ip_output", "POSTROUTING"},   {"ip_mc_output", "POSTROUTING"},
		{"ipv6_rcv", "PREROUTING"},     {"ip6_input", "INPUT"},
		{"ip6_forward", "FORWARD"},     {"__ip6_local_out", "OUTPUT"},
		{"ip6_output", "POSTROUTING"},  {"arp_rcv", "arp INPUT"},
		{"arp_xmit", "arp OUTPUT"},     {"br_handle_frame", "bridge PREROUTING"},
		{"br_pass_frame_up", "bridge INPUT"}, {"__br_forward", "bridge FORWARD"},
	};
	for (size_t i = 0; i + 1 < nframes; i++) {
		if (!frame_is(frames[i], "nf_hook_slow"))
			continue;
		/* The first known caller above it; skip helpers such as
		 * NF_HOOK_COND wrappers that were not inlined. */
		for (size_t j = i + 1; j < nframes && j < i + 4; j++)
			for (size_t k = 0; k < sizeof(callers) / sizeof(callers[0]); k++)
				if (frame_is(frames[j], callers[k].fn)) {
					if (via && vialen)
						pp_snprintf(via, vialen, "%s", callers[k].fn);
					return callers[k].hook;
				}
		return NULL;
	}
	return NULL;
}

static void h_no_socket(struct strbuf *sb, const struct hint_in *in)
{
	const struct pp_event *e = in->e;
	const char *p = proto_name(e);
	if ((e->have & PP_HAVE_L4) && p && (e->l4proto == IPPROTO_TCP || e->l4proto == IPPROTO_UDP)) {
		char d[INET6_ADDRSTRLEN];
		addr(e, e->daddr, d, sizeof(d));
		sb_puts(sb, "nothing listens on ");
		sb_puts(sb, p);
		sb_puts(sb, " port ");
		sb_putu(sb, e->dport);
		in_ns(sb, in);
		sb_puts(sb, " (address ");
		sb_puts(sb, d);
		sb_puts(sb, "); start the server or check its port and namespace");
	} else if (e->l4proto == IPPROTO_ICMP && (e->have & PP_HAVE_L4) && e->icmp_type == 0) {
		sb_printf(sb, "no ping socket for echo id %u", e->sport);
		in_ns(sb, in);
		sb_printf(sb, "; harmless when ping uses a raw socket, which received its own copy");
		return;
	} else {
		sb_printf(sb, "no socket wants this packet");
		in_ns(sb, in);
	}
	if (e->l4proto == IPPROTO_TCP)
		sb_puts(sb, "; the sender gets a TCP reset");
	else if (e->l4proto == IPPROTO_UDP)
		sb_puts(sb, "; the sender gets ICMP port unreachable");
}

void hint_text(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20 || c > 0x7e || c == '\\')
			o += (size_t)pp_snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (len)
		out[o < len ? o : len - 1] = '\0';
}

int hint_nft_rule(const struct pp_event *e, struct nft_rule_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	if (rs_nft(e, ri->buf, sizeof(ri->buf)) != 0)
		return -1;
	/* A recording is input: only printable text goes on. */
	for (char *c = ri->buf; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			*c = '?';
	char *f[5], *p = ri->buf;
	for (int i = 0; i < 5; i++) {
		f[i] = p;
		p = i < 4 ? strchr(p, '\t') : NULL;
		if (i < 4 && !p)
			return -1;
		if (p)
			*p++ = '\0';
	}
	ri->family = f[0];
	ri->table = f[1];
	ri->chain = f[2];
	ri->handle = f[3];
	ri->rule = f[4];
	return 0;
}

void hint_nft_suffix(struct strbuf *sb, const struct pp_event *e, const char *reason)
{
	struct nft_rule_info ri;
	if (!reason || strcmp(reason, "NETFILTER_DROP") || hint_nft_rule(e, &ri))
		return;
	char rule[sizeof(ri.buf) * 4], tb[256], ch[256];
	hint_text(ri.rule, rule, sizeof(rule));
	hint_text(ri.table, tb, sizeof(tb));
	hint_text(ri.chain, ch, sizeof(ch));
	sb_printf(sb, " by rule '%s' (table %s %s, chain %s, handle %s)", rule, ri.family, tb, ch, ri.handle);
}

static bool frames_have(const struct hint_in *in, const char *fn)
{
	for (size_t i = 0; i < in->nframes; i++)
		if (frame_is(in->frames[i], fn))
			return true;
	return false;
}

static void h_netfilter(struct strbuf *sb, const struct hint_in *in)
{
	char via[64];
	const char *hook = hint_nf_hook(in->frames, in->nframes, via, sizeof(via));
	struct nft_rule_info ri;
	bool legacy = frames_have(in, "ipt_do_table") || frames_have(in, "ip6t_do_table");
	if (!legacy && hint_nft_rule(in->e, &ri) == 0) {
		char rule[sizeof(ri.buf) * 4], table[256], chain[256];
		hint_text(ri.rule, rule, sizeof(rule));
		hint_text(ri.table, table, sizeof(table));
		hint_text(ri.chain, chain, sizeof(chain));
		if (!strcmp(ri.handle, "policy"))
			sb_printf(sb, "the policy of chain %s in table %s %s is drop", chain, ri.family, table);
		else
			sb_printf(sb, "the nftables rule '%s' (table %s %s, chain %s, handle %s) dropped it", rule,
				  ri.family, table, chain, ri.handle);
		if (hook)
			sb_printf(sb, " in the %s hook", hook);
		in_ns(sb, in);
		return;
	}
	sb_printf(sb, "a%s netfilter rule dropped it", legacy ? "n iptables-legacy" : "");
	if (hook)
		sb_printf(sb, " in the %s hook (%s -> nf_hook_slow)", hook, via);
	if (legacy && (in->e->have & PP_HAVE_TABLE)) { /* fentry/kprobe read it at ipt_do_table */
		char tb[sizeof(in->e->table) * 4 + 1], t0[sizeof(in->e->table) + 1];
		memcpy(t0, in->e->table, sizeof(in->e->table));
		t0[sizeof(in->e->table)] = '\0';
		hint_text(t0, tb, sizeof(tb));
		sb_printf(sb, ", table %s, chain %s or a chain it jumps to", tb,
			  hook && !strchr(hook, ' ') ? hook : "of that hook");
	}
	in_ns(sb, in);
	if (legacy)
		sb_printf(sb, "; legacy tables are not traced: see 'iptables-legacy -L %s -v -n' there",
			  hook && strchr(hook, ' ') == NULL ? hook : "");
	else
		sb_printf(sb, "; see 'nft -a list ruleset' there");
}

/* A drop in ip_error: the input route was an error route. Which kind,
 * and which entry, from the namespace's routes now. 1 when said. */
static int h_ip_error(struct strbuf *sb, const struct hint_in *in)
{
	const struct pp_event *e = in->e;
	if (!(e->have & PP_HAVE_NETNS) || !(e->have & PP_HAVE_L3))
		return 0;
	char kind[160], d[INET6_ADDRSTRLEN];
	if (rs_route_kind(e->netns, e->ipver == 6 ? AF_INET6 : AF_INET, e->daddr, kind, sizeof(kind)) != 0)
		return 0;
	static const struct {
		const char *word, *what;
	} kinds[] = {
		{"blackhole", "a blackhole route: the kernel discards packets to it and tells no one"},
		{"prohibit", "a prohibit route: the kernel drops packets to it and answers ICMP "
			     "communication administratively prohibited"},
		{"unreachable", "an unreachable route: the kernel drops packets to it and answers ICMP host unreachable"},
		{"throw", "a throw route: the look-up in that table stopped there and no later policy rule matched"},
	};
	addr(e, e->daddr, d, sizeof(d));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t wl = strlen(kinds[i].word);
		if (strncmp(kind, kinds[i].word, wl) || (kind[wl] && kind[wl] != ' '))
			continue;
		char entry[160];
		hint_text(kind[wl] ? kind + wl + 1 : "", entry, sizeof(entry));
		sb_printf(sb, "the route to %s", d);
		in_ns(sb, in);
		sb_printf(sb, " is %s", kinds[i].what);
		if (entry[0])
			sb_printf(sb, " (route %s %s; 'ip route show type %s' there)", kinds[i].word, entry, kinds[i].word);
		return 1;
	}
	return 0;
}

static void h_noproto(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "no handler for IP protocol %u", in->e->l4proto);
	in_ns(sb, in);
	sb_printf(sb, " (module not loaded, or no raw socket for it)");
}

static void h_rpfilter(struct strbuf *sb, const struct hint_in *in)
{
	char s[INET6_ADDRSTRLEN];
	addr(in->e, in->e->saddr, s, sizeof(s));
	sb_printf(sb, "reverse-path filter: the route back to %s does not leave through %s", s, ifn(in));
	in_ns(sb, in);
	sb_printf(sb, " (net.ipv4.conf.*.rp_filter)");
}

static void h_noroute(struct strbuf *sb, const struct hint_in *in)
{
	char d[INET6_ADDRSTRLEN];
	addr(in->e, in->e->daddr, d, sizeof(d));
	sb_printf(sb, "no route to %s", d);
	in_ns(sb, in);
	/* What the kernel answers now, as `ip route get` would. */
	char route[160];
	if ((in->e->have & PP_HAVE_NETNS) && (in->e->have & PP_HAVE_L3) &&
	    rs_route(in->e->netns, in->e->ipver == 6 ? AF_INET6 : AF_INET, in->e->daddr, route,
			   sizeof(route)) == 0)
		sb_printf(sb, "; the kernel's route look-up there now says: %s", route);
	sb_printf(sb, "; see 'ip route get %s' there", d);
}

static void h_too_big(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "packet of %u bytes is larger than the path MTU at %s and may not be fragmented; "
		      "the sender should get ICMP frag-needed / packet-too-big",
		  in->e->len, ifn(in));
}

static void h_rcvbuf(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "the receiving socket's buffer is full");
	if ((in->e->have & PP_HAVE_L4) && (in->e->l4proto == IPPROTO_UDP || in->e->l4proto == IPPROTO_TCP))
		sb_printf(sb, " (%s port %u)", proto_name(in->e), in->e->dport);
	in_ns(sb, in);
	sb_printf(sb, ": the application reads too slowly (SO_RCVBUF, net.core.rmem_max)");
}

static void h_qdisc(struct strbuf *sb, const struct hint_in *in)
{
	const char *m = reason_meaning(in->reason);
	sb_printf(sb, "%s on %s", m ? m : "the queueing discipline dropped it", ifn(in));
	in_ns(sb, in);
	char q[400];
	if ((in->e->have & PP_HAVE_NETNS) && (in->e->have & PP_HAVE_DEV) &&
	    rs_qdisc(in->e->netns, in->e->ifindex, q, sizeof(q)) == 0) {
		char esc[400];
		hint_text(q, esc, sizeof(esc));
		sb_printf(sb, "; there now: %s", esc);
	}
	sb_printf(sb, "; see 'tc -s qdisc show dev %s'", ifn(in));
}

/* A tc filter or program returned TC_ACT_SHOT: which ones are attached
 * to that device and direction. */
static void h_tc(struct strbuf *sb, const struct hint_in *in)
{
	bool ingress = !strcmp(in->reason, "TC_INGRESS");
	sb_printf(sb, "a tc program or filter on the %s of %s", ingress ? "ingress" : "egress", ifn(in));
	in_ns(sb, in);
	sb_printf(sb, " dropped it (TC_ACT_SHOT)");
	char t[400];
	if ((in->e->have & PP_HAVE_NETNS) && (in->e->have & PP_HAVE_DEV) &&
	    rs_tc(in->e->netns, in->e->ifindex, ingress, t, sizeof(t)) == 0) {
		char esc[400];
		hint_text(t, esc, sizeof(esc));
		sb_printf(sb, "; attached there: %s", esc);
	}
}

static void h_neigh(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "neighbour resolution (ARP/ND) for the next hop on %s failed or its queue is full", ifn(in));
	in_ns(sb, in);
	sb_printf(sb, "; see 'ip neigh'");
}

static void h_otherhost(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "the frame on %s was addressed to another host's MAC address (pkt_type OTHERHOST)", ifn(in));
}

static void h_l2mcast(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "a unicast IP packet arrived in a broadcast/multicast frame on %s", ifn(in));
}

static void h_csum(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "bad checksum on a packet received on %s (corruption, or offload misconfigured)", ifn(in));
}

static void h_hdr(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "malformed or truncated header on a packet received on %s", ifn(in));
}

static void h_dev(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "interface %s is down or not ready", ifn(in));
}

static void h_tcp_seq(struct strbuf *sb, const struct hint_in *in)
{
	(void)in;
	sb_printf(sb, "TCP segment outside the receive window or an old/duplicate one (retransmit, or a stale connection)");
}

static void h_tcp_flags(struct strbuf *sb, const struct hint_in *in)
{
	(void)in;
	sb_printf(sb, "TCP segment with flags not valid for the connection's state");
}

static void h_tcp_overflow(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "the listen queue of tcp port %u is full", in->e->dport);
	in_ns(sb, in);
	sb_printf(sb, ": the server accepts too slowly (listen backlog, net.core.somaxconn)");
}

static void h_tcp_closed(struct strbuf *sb, const struct hint_in *in)
{
	(void)in;
	sb_printf(sb, "TCP segment for a connection that is already closed");
}

static void h_frag(struct strbuf *sb, const struct hint_in *in)
{
	(void)in;
	sb_printf(sb, "IP fragments were not all received in time to reassemble the packet");
}

static void h_ipv6off(struct strbuf *sb, const struct hint_in *in)
{
	sb_printf(sb, "IPv6 is disabled on %s", ifn(in));
	in_ns(sb, in);
}

static const struct {
	const char *name;
	void (*fn)(struct strbuf *, const struct hint_in *);
} table[] = {
	{"NO_SOCKET", h_no_socket},
	{"NETFILTER_DROP", h_netfilter},
	{"IP_NOPROTO", h_noproto},
	{"IP_RPFILTER", h_rpfilter},
	{"IP_INADDRERRORS", h_noroute},
	{"IP_INNOROUTES", h_noroute},
	{"IP_OUTNOROUTES", h_noroute},
	{"PKT_TOO_BIG", h_too_big},
	{"SOCKET_RCVBUFF", h_rcvbuf},
	{"PROTO_MEM", h_rcvbuf},
	{"QDISC_DROP", h_qdisc},
	{"QDISC_OVERLIMIT", h_qdisc},
	{"QDISC_CONGESTED", h_qdisc},
	{"QDISC_BURST_DROP", h_qdisc},
	{"CAKE_FLOOD", h_qdisc},
	{"FQ_BAND_LIMIT", h_qdisc},
	{"FQ_HORIZON_LIMIT", h_qdisc},
	{"FQ_FLOW_LIMIT", h_qdisc},
	{"DUALPI2_STEP_DROP", h_qdisc},
	{"TC_INGRESS", h_tc},
	{"TC_EGRESS", h_tc},
	{"NEIGH_FAILED", h_neigh},
	{"NEIGH_QUEUEFULL", h_neigh},
	{"NEIGH_CREATEFAIL", h_neigh},
	{"OTHERHOST", h_otherhost},
	{"UNICAST_IN_L2_MULTICAST", h_l2mcast},
	{"IP_CSUM", h_csum},
	{"UDP_CSUM", h_csum},
	{"TCP_CSUM", h_csum},
	{"ICMP_CSUM", h_csum},
	{"PKT_TOO_SMALL", h_hdr},
	{"IP_INHDR", h_hdr},
	{"HDR_TRUNC", h_hdr},
	{"DEV_READY", h_dev},
	{"TCP_INVALID_SEQUENCE", h_tcp_seq},
	{"TCP_OLD_DATA", h_tcp_seq},
	{"TCP_OLD_SEQUENCE", h_tcp_seq},
	{"TCP_INVALID_ACK_SEQUENCE", h_tcp_seq},
	{"TCP_FLAGS", h_tcp_flags},
	{"TCP_LISTEN_OVERFLOW", h_tcp_overflow},
	{"TCP_CLOSE", h_tcp_closed},
	{"FRAG_REASM_TIMEOUT", h_frag},
	{"IPV6DISABLED", h_ipv6off},
};

int hint_silent(struct strbuf *sb, const struct pp_event *e, const char *netns)
{
	/* A pure SYN freed as consumed: at a listener whose accept queue is
	 * full the kernel counts ListenOverflows and frees it unanswered. */
	if (e->probe != PP_PROBE_FREE || e->l4proto != IPPROTO_TCP || !(e->have & PP_HAVE_L4) ||
	    (e->tcp_flags & 0x12) != 0x02)
		return 0;
	char v[32];
	if (rs_silent(e, v, sizeof(v)) != 0 || strspn(v, "0123456789") != strlen(v) || !v[0])
		return 0;
	if (sb) {
		sb_printf(sb, "lost: the listener on tcp port %u", e->dport);
		if (netns)
			sb_printf(sb, " in netns %s", netns);
		sb_printf(sb, " had a full accept queue: the kernel freed this SYN unanswered and counted it in "
			      "TcpExtListenOverflows (now %s); the client retransmits; the server accepts too slowly "
			      "(its listen backlog, net.core.somaxconn)",
			  v);
	}
	return 1;
}

int hint_is_specific(const char *reason)
{
	if (!strcmp(reason, "NOT_SPECIFIED") || !strcmp(reason, "IP_INADDRERRORS"))
		return 1; /* at ip_error: the route's kind */
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(reason, table[i].name) == 0)
			return 1;
	return 0;
}

int hint_format(struct strbuf *sb, const struct hint_in *in)
{
	if (!in->e)
		return 0;
	/* Before 5.17 drops carry no reason. A drop by nf_hook_slow itself is
	 * a netfilter verdict on every kernel: explained as NETFILTER_DROP. */
	if (!in->reason && in->nframes >= 2 && !strncmp(in->frames[1], "nf_hook_slow+", 13)) {
		struct hint_in nf = *in;
		nf.reason = "NETFILTER_DROP";
		return hint_format(sb, &nf);
	}
	if (!in->reason)
		return 0;
	/* Reasons ip_error gives are vague or name a symptom; the route says more. */
	if ((!strcmp(in->reason, "NOT_SPECIFIED") || !strcmp(in->reason, "IP_INADDRERRORS")) &&
	    (frames_have(in, "ip_error") || frames_have(in, "ip6_pkt_drop")) && h_ip_error(sb, in))
		return 1;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(in->reason, table[i].name) == 0) {
			table[i].fn(sb, in);
			return 1;
		}
	/* Every other reason: what it means, where. */
	const char *m = reason_meaning(in->reason);
	if (!m)
		return 0;
	sb_printf(sb, "%s", m);
	if (in->ifname)
		sb_printf(sb, " (on %s", in->ifname);
	in_ns(sb, in);
	if (in->ifname)
		sb_printf(sb, ")");
	return 1;
}
