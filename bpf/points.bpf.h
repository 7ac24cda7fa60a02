/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-function points (fentry and kprobe backends): what one hit
 * records, by the point's kind (enum pp_kind). The programs that call
 * point_hit() only fetch arguments, which is where fentry and kprobes
 * differ. Types that live in modules (bridge, nf_tables, x_tables) are
 * guarded with bpf_core_type_exists(): one kprobe program serves every
 * kind, and a module that is not loaded must not make it unloadable. */
#ifndef PKTPATH_POINTS_H
#define PKTPATH_POINTS_H

#include "decided.bpf.h"
#include "fib.bpf.h"

#define SKB_DST_NOREF 1UL

/* A route's output device: its index, name and MTU (IPv4 and IPv6). */
static __always_inline void route_dev(struct pp_event *e, struct net_device *dev)
{
	if (!dev)
		return;
	e->rt_ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&e->out_dev, dev, name);
	e->rt_mtu = BPF_CORE_READ(dev, mtu);
}

/* The skb's route, as ip_finish_output is about to use it. */
static __always_inline void route_out(struct pp_event *e, struct sk_buff *skb)
{
	unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst);
	struct rtable *rt = (struct rtable *)(refdst & ~SKB_DST_NOREF); /* dst is its first member */
	if (!rt)
		return;
	route_dev(e, BPF_CORE_READ(rt, dst.dev));
	e->rt_type = (__u8)BPF_CORE_READ(rt, rt_type);
	if (bpf_core_field_exists(rt->rt_gw_family)) {
		__u8 fam = BPF_CORE_READ(rt, rt_gw_family);
		if (fam == 2 /* AF_INET */) {
			__be32 gw = BPF_CORE_READ(rt, rt_gw4);
			__builtin_memcpy(e->rt_gw, &gw, 4);
		} else if (fam == 10 /* AF_INET6 */) {
			BPF_CORE_READ_INTO(&e->rt_gw, rt, rt_gw6);
		}
		e->rt_gw_family = fam;
	}
	/* A learned path MTU, when there is one, is what applies. */
	__u32 pmtu = BPF_CORE_READ_BITFIELD_PROBED(rt, rt_pmtu);
	if (pmtu)
		e->rt_mtu = pmtu;
	if (cfg_fib && e->rt_type == 1 /* RTN_UNICAST: a forwarded packet's (no table for a local delivery) */) {
		__u32 daddr;
		__builtin_memcpy(&daddr, e->daddr, 4);
		e->rt_table = fib_table_of(daddr, BPF_CORE_READ(skb, skb_iif));
	}
	e->have |= PP_HAVE_ROUTE;
}

/* The skb's IPv6 route (a struct rt6_info: IPv6 has no route type or
 * gateway family in the dst itself). The gateway is the next hop only when
 * the route has one (RTF_GATEWAY; otherwise on-link); the type and the table
 * come from the FIB entry the route was made from (rt->from), when it still
 * has one; the MTU is a learned path MTU, else the device's IPv6 MTU. */
#define PP_RTF_GATEWAY 0x0002
#define PP_RTF_REJECT 0x0200
#define PP_RTF_LOCAL 0x80000000
#define PP_DST_METRICS_FLAGS 0x3UL
static __always_inline void route6_out(struct pp_event *e, struct sk_buff *skb)
{
	unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst);
	struct rt6_info *rt = (struct rt6_info *)(refdst & ~SKB_DST_NOREF); /* dst is its first member */
	if (!rt || BPF_CORE_READ(rt, dst.ops, family) != 10 /* AF_INET6: not an xfrm bundle's */)
		return;
	struct net_device *dev = BPF_CORE_READ(rt, dst.dev);
	route_dev(e, dev);
	__u32 flags = BPF_CORE_READ(rt, rt6i_flags);
	if (flags & PP_RTF_GATEWAY) {
		BPF_CORE_READ_INTO(&e->rt_gw, rt, rt6i_gateway);
		e->rt_gw_family = 10; /* AF_INET6 */
	}
	struct fib6_info *from = BPF_CORE_READ(rt, from);
	if (from) {
		e->rt_type = BPF_CORE_READ(from, fib6_type);
		__u32 tb = BPF_CORE_READ(from, fib6_table, tb6_id);
		e->rt_table = tb <= 0xffff ? tb : 0;
	} else {
		/* Made without a FIB entry (neighbour discovery's and MLD's,
		 * a released one): from its flags and destination. */
		__u8 d0 = BPF_CORE_READ(rt, rt6i_dst.addr.in6_u.u6_addr8[0]);
		e->rt_type = flags & PP_RTF_LOCAL    ? 2 /* RTN_LOCAL */
			     : flags & PP_RTF_REJECT ? 7 /* RTN_UNREACHABLE */
			     : d0 == 0xff	     ? 5 /* RTN_MULTICAST */
						     : 1 /* RTN_UNICAST */;
	}
	/* The device's IPv6 MTU, when the route's inet6_dev is its device's
	 * (a local route's is the receiving device's, its dst device lo). */
	struct inet6_dev *idev = BPF_CORE_READ(rt, rt6i_idev);
	__s32 mtu6 = idev && BPF_CORE_READ(idev, dev) == dev ? BPF_CORE_READ(idev, cnf.mtu6) : 0;
	if (mtu6 > 0)
		e->rt_mtu = mtu6;
	/* A learned path MTU (the route's RTAX_MTU metric) is what applies. */
	unsigned long m = BPF_CORE_READ(rt, dst._metrics) & ~PP_DST_METRICS_FLAGS;
	__u32 pmtu = 0;
	if (m && !bpf_probe_read_kernel(&pmtu, sizeof(pmtu), (void *)(m + 4 * (2 /* RTAX_MTU */ - 1))) && pmtu)
		e->rt_mtu = pmtu;
	e->have |= PP_HAVE_ROUTE;
}

static __always_inline void nf_state(struct pp_event *e, const struct nf_hook_state *st)
{
	if (!st)
		return;
	e->nf_pf = BPF_CORE_READ(st, pf);
	e->nf_hook = BPF_CORE_READ(st, hook);
	e->have |= PP_HAVE_NF;
}

/* The netfilter hook and table an skb is in on this CPU. A drop inside
 * them must name them, and their verdict cannot be read before it: nf_hook_slow
 * frees a dropped skb before returning, and newer nf_tables frees it in
 * nft_do_chain itself (which then returns NF_STOLEN). So the hook and table
 * are noted on entry and the drop that follows on this CPU carries them,
 * with verdict DROP. Noted as pointers, read only when an event needs them:
 * every packet passing a hook pays for the note, few for the names. The
 * hook state lives in the frame of nf_hook(), the table and chain under
 * RCU for the hook's whole walk, which is where such a drop happens; the
 * state is taken out of nft_pktinfo at once (that frame ends earlier). */
struct nf_seen {
	__u64 skb;
	__u64 state; /* const struct nf_hook_state * */
	__u64 aux;   /* struct xt_table * (PP_K_IPT), struct nft_chain * (PP_K_NFT) */
	__u8 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nf_seen);
} nf_last SEC(".maps");

/* The hook of a struct nf_hook_state (out of line: see skb_net()). */
__noinline int nf_hook_of(__u64 state)
{
	return BPF_CORE_READ((const struct nf_hook_state *)state, hook);
}

static __always_inline struct nf_seen *nf_note(__u8 kind, struct sk_buff *skb, __u64 skb_v, __u64 aux_v,
					       __u64 aux2_v)
{
	__u32 zero = 0;
	struct nf_seen *n = bpf_map_lookup_elem(&nf_last, &zero);
	if (!n)
		return NULL;
	n->kind = kind;
	n->aux = aux_v;
	if (kind == PP_K_NF_HOOK)
		n->state = aux_v;
	else if (kind == PP_K_IPT)
		n->state = aux2_v;
	else if (bpf_core_type_exists(struct nft_pktinfo))
		n->state = (__u64)BPF_CORE_READ((struct nft_pktinfo *)skb_v, state);
	else
		n->state = 0;
	n->skb = (__u64)skb;
	return n;
}

/* Out of line: where the module (x_tables, nf_tables) has no BTF these
 * reads cannot be relocated and libbpf poisons them; behind a call that a
 * constant guard makes dead, the verifier never walks them (inlined, the
 * compiler may compute their addresses before the guard). */
static __noinline void nf_name_ipt(struct pp_event *e, __u64 table)
{
	BPF_CORE_READ_STR_INTO(&e->table, (struct xt_table *)table, name);
}

static __noinline void nf_name_nft(struct pp_event *e, __u64 chain)
{
	struct nft_chain *c = (struct nft_chain *)chain;
	bpf_probe_read_kernel_str(e->chain, sizeof(e->chain), BPF_CORE_READ(c, name));
	bpf_probe_read_kernel_str(e->table, sizeof(e->table), BPF_CORE_READ(c, table, name));
}

static __always_inline void nf_fill(struct pp_event *e, const struct nf_seen *n)
{
	const struct nf_hook_state *st = (const struct nf_hook_state *)n->state;
	if (st) {
		e->nf_pf = BPF_CORE_READ(st, pf);
		e->nf_hook = BPF_CORE_READ(st, hook);
	}
	e->have |= PP_HAVE_NF;
	if (!n->aux)
		return;
	if (n->kind == PP_K_IPT && bpf_core_type_exists(struct xt_table))
		nf_name_ipt(e, n->aux);
	else if (n->kind == PP_K_NFT && bpf_core_type_exists(struct nft_chain))
		nf_name_nft(e, n->aux);
	if (e->table[0])
		e->have |= PP_HAVE_TABLE;
}

static __always_inline void nf_drop(struct pp_event *e, struct sk_buff *skb)
{
	__u32 zero = 0;
	struct nf_seen *n = bpf_map_lookup_elem(&nf_last, &zero);
	if (!n || n->skb != (__u64)skb)
		return;
	nf_fill(e, n);
	e->verdict = 0; /* NF_DROP */
	e->have |= PP_HAVE_VERDICT;
	n->skb = 0;
}

/* Tracking for a clone: it shares the original's data. Out of line and
 * global, as track() in emit.h: the entry is built on the stack, and these
 * programs are near the 512-byte limit (with the filter's frame). */
__noinline int track_clone(__u64 child, __u64 head)
{
	struct pp_ident id = {.head = head};
	return tracked_add(&child, &id);
}

/* One hit of point pt, of kind `kind`. skb_v, aux_v, aux2_v: the
 * arguments the point's packing names (0 when it names none); ret: the
 * return value, for points seen at return. The kind must be a constant
 * the verifier knows (a literal, or read-only data): with a kind it
 * cannot know, it walks the event path once for every kind and gives up
 * (E2BIG), as the single kprobe program of earlier versions did. */
static __always_inline int point_hit(void *ctx, __u8 kind, __u64 pt, __u64 skb_v, __u64 aux_v, __u64 aux2_v,
				     bool has_ret, long ret, __u64 location)
{
	struct pp_at at = {.probe = PP_PT_PROBE(pt), .func = PP_PT_FUNC(pt), .layout = PP_PT_LAYOUT(pt)};
	struct sk_buff *skb = (struct sk_buff *)skb_v;

	switch (kind) {
	case PP_K_OWNER_SK:
		owner_note(ctx, aux_v);
		return 0;
	case PP_K_UNTRACK:
		/* kfree_skbmem: the packet's end, wherever it was freed; also
		 * forgets its tracking (emit_begin, at.step). With a filter only
		 * tracked packets are reported: the rest stop at one look-up. */
		if (DECIDED_ON)
			decided(skb_v, pt, DEC_FREED);
		if (cfg_filter && cfg_track && !tracked_maybe(&skb_v))
			return 0;
		at.step = PP_STEP_GONE;
		break;
	case PP_K_BR_IN: /* rx_handler_result_t br_handle_frame(struct sk_buff **pskb) */
		skb = NULL;
		if (skb_v)
			bpf_probe_read_kernel(&skb, sizeof(skb), (void *)skb_v);
		if (DECIDED_ON)
			decided(0, pt, DEC_NEW_FRAME);
		break;
	case PP_K_NFT:
		if (!bpf_core_type_exists(struct nft_pktinfo))
			return 0;
		skb = skb_v ? BPF_CORE_READ((struct nft_pktinfo *)skb_v, skb) : NULL;
		break;
	default:
		break;
	}
	if (!skb)
		return 0;
	struct nf_seen *seen = NULL;
	if (kind == PP_K_NF_HOOK || kind == PP_K_IPT || kind == PP_K_NFT)
		seen = nf_note(kind, skb, skb_v, aux_v, aux2_v);
	/* With an expression a packet is selected where it can first be seen;
	 * the points only a received packet reaches (the receive functions,
	 * the input route, netfilter's PREROUTING, INPUT and FORWARD, the
	 * tables, which nf_hook_slow precedes, the bridge, --wide functions)
	 * report only packets already selected at the device receive (a
	 * tracepoint in every backend), for one look-up: a packet turned away
	 * is not tested again at each of them. The output path selects: a
	 * locally generated packet has no protocol yet at __ip_local_out, and
	 * a namespace without OUTPUT hooks calls no nf_hook_slow there. A
	 * packet NAT made match shows from its next selecting point on (a hook
	 * is still noted, above, for a drop in it). */
	bool selects = at.probe == PP_PROBE_DROP || at.probe == PP_PROBE_FREE || at.probe == PP_PROBE_TX ||
		       (at.probe == PP_PROBE_ROUTE && kind == PP_K_PLAIN);
	if (kind == PP_K_NF_HOOK && aux_v) {
		int hook = nf_hook_of(aux_v);
		selects = hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING;
	}
	/* A packet turned away is decided once (bpf/decided.bpf.h): the
	 * output points, the drop and the frees ask first; __ip_local_out (a
	 * new local packet) empties the slot, and so do netfilter points
	 * (NAT) unless the fingerprint covers all the expression reads (then
	 * those that select ask, the others leave it). */
	bool nf_kind = kind == PP_K_NF_HOOK || kind == PP_K_IPT || kind == PP_K_NFT;
	if (DECIDED_ON && (selects || (nf_kind && !cfg_decided_exact)) && decided((__u64)skb, pt, DEC_BEFORE))
		return 0;
	if (cfg_filter && cfg_track && !selects && !tracked_has((__u64)skb)) {
		if (DECIDED_ON && at.probe == PP_PROBE_RX && at.layout == PP_L_DATA_L3)
			decided((__u64)skb, pt, DEC_UNFOLLOWED);
		return 0;
	}
	__u32 reason = kind == PP_K_DROP ? (__u32)aux_v : 0;
	struct pp_event *e = emit_begin(ctx, skb, at, location, reason);
	if (!e) {
		if (DECIDED_ON)
			decided((__u64)skb, pt, DEC_TURNED_AWAY);
		return 0;
	}
	if (DECIDED_ON)
		decided((__u64)skb, pt, DEC_REPORTED);
	if (kind == PP_K_DROP)
		nf_drop(e, skb);
	if (has_ret) {
		e->ret = (__s32)ret;
		e->have |= PP_HAVE_RET;
	}
	switch (kind) {
	case PP_K_ROUTE_OUT: /* ip_finish_output or ip6_finish_output */
		if (e->ethertype == 0x86DD /* ETH_P_IPV6 */)
			route6_out(e, skb);
		else
			route_out(e, skb);
		break;
	case PP_K_NF_HOOK:
	case PP_K_IPT:
	case PP_K_NFT:
		if (seen)
			nf_fill(e, seen);
		break;
	case PP_K_CLONE:
		/* The clone is the same packet on another path (a tap, a
		 * multicast copy): follow it as the original is followed. */
		if (has_ret && ret) {
			e->peer = (__u64)ret;
			e->have |= PP_HAVE_CLONE;
			if (cfg_filter && cfg_track)
				track_clone((__u64)ret, e->head);
		}
		break;
	case PP_K_BR_PORT:
		if (bpf_core_type_exists(struct net_bridge_port) && aux_v) {
			BPF_CORE_READ_STR_INTO(&e->out_dev, (struct net_bridge_port *)aux_v, dev, name);
			e->have |= PP_HAVE_PORT;
		}
		break;
	default:
		break;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif
