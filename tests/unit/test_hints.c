/* Drop hints name the specifics of the event; unknown reasons get none. */
#include "cmd/render/hints.h"
#include "unit.h"

static struct pp_event udp_event(void)
{
	struct pp_event e = {0};
	e.probe = PP_PROBE_DROP;
	e.have = PP_HAVE_L3 | PP_HAVE_L4 | PP_HAVE_DEV | PP_HAVE_NETNS | PP_HAVE_REASON;
	e.ipver = 4;
	e.l4proto = 17;
	e.sport = 40312;
	e.dport = 7778;
	e.len = 33;
	memcpy(e.saddr, "\xc6\x12\x00\x01", 4);
	memcpy(e.daddr, "\xc6\x12\x00\x02", 4);
	return e;
}

static const char *hint(struct strbuf *sb, const char *reason, const struct pp_event *e,
			const char *const *frames, size_t n)
{
	struct hint_in in = {reason, e, "demo-b", "veth-b", frames, n};
	sb_reset(sb);
	if (!hint_format(sb, &in))
		return "(none)";
	return sb->s ? sb->s : "";
}

int main(void)
{
	struct strbuf sb = {0};
	struct pp_event e = udp_event();

	CHECK("NO_SOCKET names protocol, port and namespace",
	      strstr(hint(&sb, "NO_SOCKET", &e, NULL, 0), "nothing listens on udp port 7778 in netns demo-b") != NULL);
	CHECK("NO_SOCKET names the destination address", strstr(sb.s, "198.18.0.2") != NULL);
	e.l4proto = 6;
	CHECK("NO_SOCKET for TCP says tcp and reset",
	      strstr(hint(&sb, "NO_SOCKET", &e, NULL, 0), "tcp port 7778") && strstr(sb.s, "TCP reset"));
	e = udp_event();

	const char *input[] = {"sk_skb_reason_drop+0x90", "nft_do_chain+0x3e8", "nft_do_chain_ipv4+0x66",
			       "nf_hook_slow+0x43", "ip_local_deliver+0xd5", "__netif_receive_skb_one_core+0x8d"};
	CHECK_STR("NETFILTER_DROP names the INPUT hook from the stack",
		  hint(&sb, "NETFILTER_DROP", &e, input, 6),
		  "a netfilter rule dropped it in the INPUT hook (ip_local_deliver -> nf_hook_slow) in netns demo-b; "
		  "see 'nft -a list ruleset' there");
	const char *legacy[] = {"sk_skb_reason_drop+0x90", "ipt_do_table+0x3e8", "nf_hook_slow+0x43", "ip_local_deliver+0xd5"};
	CHECK("NETFILTER_DROP in ipt_do_table says iptables-legacy, its hook and chain",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, legacy, 4),
		     "an iptables-legacy netfilter rule dropped it in the INPUT hook (ip_local_deliver -> nf_hook_slow) in "
		     "netns demo-b; legacy tables are not traced: see 'iptables-legacy -L INPUT -v -n' there") != NULL);
	struct pp_event et = e;
	et.have |= PP_HAVE_TABLE;
	memcpy(et.table, "filter", 7);
	CHECK("iptables-legacy with the table read at ipt_do_table (fentry/kprobe) names table and chain",
	      strstr(hint(&sb, "NETFILTER_DROP", &et, legacy, 4),
		     "in the INPUT hook (ip_local_deliver -> nf_hook_slow), table filter, chain INPUT or a chain it "
		     "jumps to in netns demo-b") != NULL);
	const char *fwd[] = {"nf_hook_slow+0x43", "ip_forward+0x1d0"};
	CHECK("NETFILTER_DROP in ip_forward is FORWARD",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, fwd, 2), "in the FORWARD hook (ip_forward") != NULL);
	const char *out[] = {"nf_hook_slow+0x43", "__ip_local_out+0x10"};
	CHECK("NETFILTER_DROP in __ip_local_out is OUTPUT",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, out, 2), "OUTPUT hook") != NULL);
	const char *post[] = {"nf_hook_slow+0x43", "ip_output+0x5f"};
	CHECK("NETFILTER_DROP in ip_output is POSTROUTING",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, post, 2), "POSTROUTING hook") != NULL);
	const char *pre[] = {"nf_hook_slow+0x43", "ip_rcv+0x40"};
	CHECK("NETFILTER_DROP in ip_rcv is PREROUTING",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, pre, 2), "PREROUTING hook") != NULL);
	CHECK("NETFILTER_DROP without a stack names no hook",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, NULL, 0), "hook") == NULL);
	const char *modframe[] = {"nf_hook_slow+0x43 [nf_foo]", "ip_local_deliver+0xd5"};
	CHECK("frame names with a module suffix still match",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, modframe, 2), "INPUT hook") != NULL);
	const char *prefix[] = {"nf_hook_slow_list+0x1", "ip_local_deliver+0xd5"};
	CHECK("a function that only starts like nf_hook_slow is not it",
	      strstr(hint(&sb, "NETFILTER_DROP", &e, prefix, 2), "hook (") == NULL);

	CHECK("no route names the destination",
	      strstr(hint(&sb, "IP_OUTNOROUTES", &e, NULL, 0), "no route to 198.18.0.2 in netns demo-b") != NULL);
	CHECK("IP_INADDRERRORS is a no-route hint too",
	      strstr(hint(&sb, "IP_INADDRERRORS", &e, NULL, 0), "no route to 198.18.0.2") != NULL);
	CHECK("rp_filter names the source and interface",
	      strstr(hint(&sb, "IP_RPFILTER", &e, NULL, 0), "back to 198.18.0.1 does not leave through veth-b") != NULL);
	CHECK("IP_NOPROTO names the protocol", strstr(hint(&sb, "IP_NOPROTO", &e, NULL, 0), "protocol 17") != NULL);
	CHECK("PKT_TOO_BIG names the size and frag-needed",
	      strstr(hint(&sb, "PKT_TOO_BIG", &e, NULL, 0), "33 bytes") && strstr(sb.s, "frag-needed"));
	CHECK("SOCKET_RCVBUFF names the port", strstr(hint(&sb, "SOCKET_RCVBUFF", &e, NULL, 0), "udp port 7778") != NULL);
	CHECK("QDISC_DROP names the interface", strstr(hint(&sb, "QDISC_DROP", &e, NULL, 0), "dev veth-b") != NULL);
	CHECK("OTHERHOST explains pkt_type", strstr(hint(&sb, "OTHERHOST", &e, NULL, 0), "OTHERHOST") != NULL);
	CHECK("TCP_LISTEN_OVERFLOW names the port",
	      strstr(hint(&sb, "TCP_LISTEN_OVERFLOW", &e, NULL, 0), "tcp port 7778") != NULL);
	CHECK_STR("unknown reason gets no hint", hint(&sb, "SOME_FUTURE_REASON", &e, NULL, 0), "(none)");
	CHECK_STR("no reason name gets no hint", hint(&sb, NULL, &e, NULL, 0), "(none)");
	CHECK_STR("NOT_SPECIFIED away from ip_error gets its meaning", hint(&sb, "NOT_SPECIFIED", &e, NULL, 0),
		  "the code that freed it gave no reason; the location and stack say where (on veth-b in netns demo-b)");
	CHECK_STR("a reason without a specific hint gets its meaning, device and namespace",
		  hint(&sb, "CPU_BACKLOG", &e, NULL, 0),
		  "the per-CPU receive backlog was full (net.core.netdev_max_backlog) (on veth-b in netns demo-b)");

	struct hint_in nons = {"NO_SOCKET", &e, NULL, NULL, NULL, 0};
	sb_reset(&sb);
	hint_format(&sb, &nons);
	CHECK("without a namespace name the hint leaves it out", sb.s && !strstr(sb.s, "netns"));
	sb_free(&sb);
	return unit_failed;
}
