/* SPDX-License-Identifier: GPL-2.0 */
/* Netfilter hooks without kprobes: BPF netfilter programs (kernel >= 6.4)
 * linked by user space (kernel/nflink.c) to every IPv4 and IPv6 hook, in
 * the traced namespaces: "first" at the first priority the kernel allows,
 * and "last" at the last one in a hook where something else is registered.
 * A packet seen at a hook's first priority and not at its last was
 * dropped or stolen inside that hook. In a hook that holds nothing but
 * "first", entering and leaving are one moment: "first" reports both, as
 * one event marked alone, and the hook runs one program, not two (most
 * hooks of most namespaces hold nothing). When something joins such a
 * hook, "first" says so (nf_joined) and user space links "last" there.
 * They only observe: the verdict is always NF_ACCEPT. Included once from
 * pktpath.bpf.c. */
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

/* nf_joined: hooks (struct pp_nf_key, last 0) where "first" found
 * something else registered: NF_JOINED_SEEN until user space has linked
 * "last" there (NF_JOINED_LINKED), or failed to (NF_JOINED_FAILED). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pp_nf_key);
	__type(value, __u8);
} nf_joined SEC(".maps");

/* How many hooks were ever noted in nf_joined: user space walks that map
 * only when this moved. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} nf_joined_n SEC(".maps");

/* How many functions the hook holds, this one included (its struct
 * nf_hook_entries). For reported packets only, so plainly read. */
#define NF_HOOK_N(arr)                                                                                          \
	(hook == 0   ? BPF_CORE_READ(net, nf.arr[0], num_hook_entries)                                          \
	 : hook == 1 ? BPF_CORE_READ(net, nf.arr[1], num_hook_entries)                                          \
	 : hook == 2 ? BPF_CORE_READ(net, nf.arr[2], num_hook_entries)                                          \
	 : hook == 3 ? BPF_CORE_READ(net, nf.arr[3], num_hook_entries)                                          \
	 : hook == 4 ? BPF_CORE_READ(net, nf.arr[4], num_hook_entries)                                          \
		     : 0)
static __noinline int nf_hook_count(__u64 net_v, __u32 pf, __u32 hook)
{
	struct net *net = (struct net *)net_v;
	if (pf == 2 /* NFPROTO_IPV4 */)
		return NF_HOOK_N(hooks_ipv4);
	if (pf == 10 /* NFPROTO_IPV6 */)
		return NF_HOOK_N(hooks_ipv6);
	return 0;
}
#undef NF_HOOK_N

/* Whether "last" is linked in k's hook; notes the hook for user space
 * when it is not yet. */
static __always_inline bool nf_last_linked(struct pp_nf_key *k)
{
	__u8 *v = bpf_map_lookup_elem(&nf_joined, k);
	if (v)
		return *v == NF_JOINED_LINKED;
	__u8 seen = NF_JOINED_SEEN;
	if (bpf_map_update_elem(&nf_joined, k, &seen, BPF_NOEXIST) == 0)
		count(&nf_joined_n);
	return false;
}

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
	/* Alone in the hook, "first" is also the hook's end. Not alone and
	 * "last" not linked yet (it is, within a poll round of user space):
	 * the route as the hook enters is the best there is. Asked here, for
	 * a reported packet only: the rest pay nothing for it. */
	bool leaves = last;
	if (!last) {
		if (nf_hook_count((__u64)st->net, k.pf, k.hook) <= 1) {
			e->have |= PP_HAVE_NF_ALONE;
			leaves = true;
		} else {
			leaves = !nf_last_linked(&k);
		}
	}
	/* The route taken, where it was decided, as the hook leaves it (a
	 * reroute by NAT inside OUTPUT included): INPUT (local delivery),
	 * FORWARD and OUTPUT (output device, gateway). Not at PREROUTING (no
	 * route yet) nor POSTROUTING (the same again). The dst is a struct
	 * rtable (IPv4) or struct rt6_info (IPv6). */
	if (leaves && k.hook >= 1 /* NF_INET_LOCAL_IN */ && k.hook <= 3 /* NF_INET_LOCAL_OUT */) {
		if (k.pf == 2 /* NFPROTO_IPV4 */)
			route_out(e, (struct sk_buff *)skb);
		else if (k.pf == 10 /* NFPROTO_IPV6 */)
			route6_out(e, (struct sk_buff *)skb);
	}
	bpf_ringbuf_submit(e, 0);
	return PP_NF_ACCEPT;
}

/* Not linked: run by user space (BPF_PROG_TEST_RUN, Linux >= 6.5) in
 * each traced namespace for each hook, when "first" is linked and then
 * once a second: the hooks that something else joined are noted as
 * "first" notes them, before any packet of interest passes. */
SEC("pktpath/netfilter/probe")
int pp_nf_probe(struct bpf_nf_ctx *ctx)
{
	const struct nf_hook_state *st = ctx->state;
	struct pp_nf_key k = {.pf = st->pf, .hook = st->hook};
	/* A test run's state has no namespace (up to 6.x at least), but a
	 * device: the caller's loopback. */
	struct net *net = st->net;
	if (!net) {
		struct net_device *dev = st->in ? st->in : st->out;
		if (!dev)
			return PP_NF_ACCEPT;
		net = dev->nd_net.net;
	}
	k.netns = net->ns.inum;
	if (nf_hook_count((__u64)net, k.pf, k.hook) > 1)
		nf_last_linked(&k);
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
