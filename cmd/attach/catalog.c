#include "cmd/attach/catalog.h"

/* Receive: ipv4/ipv6 input; skb->data is the network header there. */
#define RX(f, l) {"rx", {f}, PP_K_PLAIN, PP_PROBE_RX, l, false, "sk_buff", 1, NULL, NULL, NULL, "the skb"}

const struct cat_point catalog[] = {
	/* rx: the device receive point is the net:netif_receive_skb tracepoint in every backend. */
	RX("ip_rcv", PP_L_DATA_L3),
	RX("ip_rcv_finish", PP_L_NETHDR),
	RX("ip_local_deliver", PP_L_NETHDR),
	RX("ipv6_rcv", PP_L_DATA_L3),
	/* route */
	{"route", {"ip_route_input_noref"}, PP_K_ROUTE_IN, PP_PROBE_ROUTE, PP_L_NETHDR, true, "sk_buff", 1, NULL, NULL,
	 NULL, "the input route look-up's result (0, or an error: no route, martian)"},
	{"route", {"ip_forward"}, PP_K_PLAIN, PP_PROBE_ROUTE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "the skb (forwarded)"},
	{"route", {"ip_output"}, PP_K_PLAIN, PP_PROBE_ROUTE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "the skb (locally generated or forwarded, after routing)"},
	{"route", {"ip_finish_output"}, PP_K_ROUTE_OUT, PP_PROBE_TX, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL,
	 NULL, "the route: output device, gateway, route type, MTU"},
	{"route", {"ip6_forward"}, PP_K_PLAIN, PP_PROBE_ROUTE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "the skb (IPv6, forwarded)"},
	{"route", {"ip6_finish_output"}, PP_K_ROUTE_OUT, PP_PROBE_TX, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL,
	 NULL, "the IPv6 route: output device, gateway, route type, table, MTU"},
	/* netfilter */
	{"netfilter", {"nf_hook_slow"}, PP_K_NF_HOOK, PP_PROBE_NETFILTER, PP_L_NETHDR, false, "sk_buff", 1, "state",
	 NULL, "netfilter link", "family and hook (PREROUTING ... POSTROUTING)"},
	/* Tables are seen on entry: a dropped skb is freed before they (or
	 * nf_hook_slow) return, so the drop that follows carries the hook,
	 * table and verdict DROP instead (bpf/points.bpf.h). */
	{"netfilter", {"ipt_do_table"}, PP_K_IPT, PP_PROBE_NETFILTER, PP_L_NETHDR, false, "sk_buff", 1, "priv|table",
	 "state", NULL, "iptables-legacy: table and hook; a drop in it says so"},
	{"netfilter", {"nft_do_chain"}, PP_K_NFT, PP_PROBE_NETFILTER, PP_L_NETHDR, false, "nft_pktinfo", 1, "priv",
	 NULL, NULL, "nftables (and iptables-nft): table, chain and hook; a drop in it says so"},
	/* bridge */
	{"bridge", {"br_handle_frame"}, PP_K_BR_IN, PP_PROBE_BRIDGE, PP_L_DATA_L3, false, "sk_buff", 2, NULL, NULL,
	 NULL, "the ingress port (the skb's device)"},
	{"bridge", {"br_forward"}, PP_K_BR_PORT, PP_PROBE_BRIDGE, PP_L_NETHDR, false, "sk_buff", 1, "to", NULL, NULL,
	 "the egress port"},
	{"bridge", {"br_pass_frame_up"}, PP_K_PLAIN, PP_PROBE_BRIDGE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL,
	 NULL, "the skb (up to the bridge device's own stack)"},
	{"bridge", {"br_dev_xmit"}, PP_K_PLAIN, PP_PROBE_BRIDGE, PP_L_DATA_MAC, false, "sk_buff", 1, NULL, NULL, NULL,
	 "the skb (sent through the bridge device)"},
	/* tx: the device transmit point is the net:net_dev_queue tracepoint in every backend. It fires
	 * in __dev_queue_xmit after the device's egress hooks (tc, netfilter egress). A fentry on the
	 * function as well showed each packet twice, before and after them, for a trampoline a packet
	 * sent; IP packets have a step before them already (ip_finish_output), bridged frames too
	 * (br_forward, br_dev_xmit), and a drop there says tc or netfilter egress (reason, location). */
	{"tx", {"__ip_local_out"}, PP_K_PLAIN, PP_PROBE_TX, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "the skb (locally generated, before OUTPUT)"},
	/* drop: the reason-carrying function of this kernel (6.11+, 5.17+, older). */
	{"drop", {"sk_skb_reason_drop", "kfree_skb_reason", "kfree_skb"}, PP_K_DROP, PP_PROBE_DROP, PP_L_NETHDR, false,
	 "sk_buff", 1, "reason", NULL, "skb:kfree_skb", "drop reason (5.17+), location, stack"},
	/* clone: the copy is followed too */
	{"clone", {"skb_clone"}, PP_K_CLONE, PP_PROBE_FUNC, PP_L_NETHDR, true, "sk_buff", 1, NULL, NULL, NULL,
	 "the clone's address; the clone is followed like the original"},
	/* free */
	{"free", {"consume_skb"}, PP_K_PLAIN, PP_PROBE_FREE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL,
	 "skb:consume_skb", "end of the packet"},
	{"free", {"kfree_skbmem"}, PP_K_UNTRACK, PP_PROBE_FREE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "no event: the skb's memory is gone, tracking ends"},
	/* A reader done with a TCP segment (5.19+) or a UDP datagram (7.x)
	 * hands the skb back to the CPU that received it, to be freed at its
	 * next receive poll, which may come much later: this is the packet's
	 * end. */
	{"free", {"skb_attempt_defer_free"}, PP_K_PLAIN, PP_PROBE_FREE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL,
	 NULL, "end of the packet: its reader is done (freed later, on the receiving CPU)"},
	/* The skb goes back to the NAPI cache instead of kfree_skbmem (a
	 * deferred free, for one). */
	{"free", {"napi_skb_cache_put"}, PP_K_UNTRACK, PP_PROBE_FREE, PP_L_NETHDR, false, "sk_buff", 1, NULL, NULL, NULL,
	 "no event: the skb's memory goes back to the NAPI cache, tracking ends"},
	/* owner: sockets used in process context (tracepoints sock:* and skb:skb_copy_datagram_iovec too).
	 * No point per send: the device queue (net:net_dev_queue, every backend) learns every packet's
	 * sender in its context, selected or not (bpf/pktpath.bpf.c pp_tx), and a drop before any device
	 * learns a selected packet's (emit_begin); a program per sendmsg learned nothing new. */
	{"owner", {"tcp_connect"}, PP_K_OWNER_SK, 0, 0, false, NULL, 0, "sk", NULL, "sock:inet_sock_set_state",
	 "the connecting process"},
};

const size_t catalog_len = sizeof(catalog) / sizeof(catalog[0]);
