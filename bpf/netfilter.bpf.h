/* SPDX-License-Identifier: GPL-2.0 */
/* Netfilter hooks without kprobes: BPF netfilter programs (kernel >= 6.4)
 * linked by user space (kernel/nflink.c) to every IPv4 and IPv6 hook at
 * the first and at the last priority the kernel allows, in the traced
 * namespaces. A packet seen at a hook's first priority and not at its
 * last was dropped or stolen inside that hook. They only observe: the
 * verdict is always NF_ACCEPT. Included once from pktpath.bpf.c. */
#ifndef PKTPATH_NETFILTER_BPF_H
#define PKTPATH_NETFILTER_BPF_H

#define PP_NF_ACCEPT 1

/* nf_prios: where each link sits (struct pp_nf_key, bpf/event.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pp_nf_key);
	__type(value, __s32);
} nf_prios SEC(".maps");

/* L3 is skb->network_header at every hook: reset by the device receive
 * path before PREROUTING, set by the IP output code before OUTPUT. */
#define AT_NF ((struct pp_at){.probe = PP_PROBE_NETFILTER, .layout = PP_L_NETHDR, .no_stack = 1, .no_task = 1})

/* The context is struct bpf_nf_ctx: the verifier allows pointer-sized
 * reads of its two fields only, which give trusted BTF pointers. emit_begin
 * keys maps with the skb address and copies it into the record, so it is
 * handed over as a plain number, as the raw tracepoints do. */
static __always_inline int nf_observe(struct bpf_nf_ctx *ctx, __u8 last)
{
	const struct nf_hook_state *st = ctx->state;
	struct sk_buff *skb_ptr = ctx->skb;

	/* With an expression, a packet is selected where it is first seen:
	 * a received one at netif_receive_skb, before any hook; a locally
	 * generated one here, entering OUTPUT. Every other hook reports only
	 * packets already selected and does not run the filter again, which is
	 * most of what unmatched traffic pays here (the UDP flood matching
	 * nothing went from 0.47 to 0.60 of its untraced rate). A packet that
	 * NAT made match shows from its next device on. This test is what
	 * every unmatched packet pays at every hook, so it reads the trusted
	 * context directly (no helper call): the hook by a plain load, and the
	 * skb address as the map key straight from the stack (the verifier
	 * lets a privileged program key a map by a pointer's value). */
	if (cfg_filter && cfg_track && (last || st->hook != NF_INET_LOCAL_OUT) &&
	    !tracked_maybe((const __u64 *)&skb_ptr))
		return PP_NF_ACCEPT;
	__u64 skb = 0;
	void *volatile spill = skb_ptr;
	bpf_probe_read_kernel(&skb, sizeof(skb), (void *)&spill);
	struct pp_event *e = emit_begin(ctx, (struct sk_buff *)skb, AT_NF, 0, 0);
	if (!e)
		return PP_NF_ACCEPT;
	/* Only for selected packets: the rest pay for the selection alone. */
	/* Plain loads through the trusted context (no helper call each). */
	struct pp_nf_key k = {.last = last};
	k.pf = st->pf;
	k.hook = st->hook;
	k.netns = st->net->ns.inum;
	e->nf_pf = k.pf;
	e->nf_hook = k.hook;
	__s32 *prio = bpf_map_lookup_elem(&nf_prios, &k);
	/* Not written yet (the link was made a moment ago): the extremes. */
	e->nf_prio = prio ? *prio : last ? 0x7ffffffe : -0x7fffffff;
	e->have |= PP_HAVE_NF;
	/* The route taken, where it was decided, as the hook leaves it (a
	 * reroute by NAT inside OUTPUT included): INPUT (local delivery),
	 * FORWARD and OUTPUT (output device, gateway). Not at PREROUTING (no
	 * route yet) nor POSTROUTING (the same again). The dst is a struct
	 * rtable (IPv4) or struct rt6_info (IPv6). */
	if (last && k.hook >= 1 /* NF_INET_LOCAL_IN */ && k.hook <= 3 /* NF_INET_LOCAL_OUT */) {
		if (k.pf == 2 /* NFPROTO_IPV4 */)
			route_out(e, (struct sk_buff *)skb);
		else if (k.pf == 10 /* NFPROTO_IPV6 */)
			route6_out(e, (struct sk_buff *)skb);
	}
	bpf_ringbuf_submit(e, 0);
	return PP_NF_ACCEPT;
}

SEC("pktpath/netfilter/first")
int pp_nf_first(struct bpf_nf_ctx *ctx)
{
	return nf_observe(ctx, 0);
}

SEC("pktpath/netfilter/last")
int pp_nf_last(struct bpf_nf_ctx *ctx)
{
	return nf_observe(ctx, 1);
}

#endif
