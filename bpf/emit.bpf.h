/* SPDX-License-Identifier: GPL-2.0 */
/* One event per selected skb sighting: selection (netns, interface,
 * filter, tracking, owner), then the record in the ring buffer. */
#ifndef PKTPATH_EMIT_H
#define PKTPATH_EMIT_H

static __always_inline void count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);
	/* Atomic although per CPU: a program in process context (delivery)
	 * can be interrupted by a softirq running another on this CPU. */
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Tracking and -w's capture map ask bpf/ident.h which packet a sighting
 * is. Out of line, with the sighting packed into scalars: its buffers then
 * live in these small frames, not in the frame of every program that
 * inlines emit_begin (fentry/kprobe programs plus the filter's frame come
 * near the kernel's 512-byte limit). And global functions (track,
 * cap_note, track_clone, the filter): the verifier checks each once, not
 * again in every state a program calls it from (bpf/filter_stub.bpf.h); that
 * is what keeps the kprobe programs, which serve many functions, far from
 * its limit. A global function takes and returns plain numbers only. */
#define SIGHT_WHERE(nh, tail, proto) ((__u64)(tail) | (__u64)(nh) << 32 | (__u64)(proto) << 48)
#define SIGHT_PLACE(dev, netns) ((__u64)PP_DEV_FOLD((__u64)(dev)) << 32 | (netns))
#define SIGHT_WHAT(probe, step, mode) ((__u32)(probe) | (__u32)(step) << 8 | (__u32)(mode) << 16)

static __always_inline void sight_of(struct pp_sight *g, __u64 head, __u64 where, __u64 place, __u32 what)
{
	g->head = head;
	g->dev = place >> 32;
	g->netns = (__u32)place;
	g->probe = what & 0xff;
	g->step = (what >> 8) & 0xff;
	if (!(g->step & PP_STEP_GONE))
		hdr_read(&g->hdr, (unsigned char *)head, (where >> 32) & 0xffff, (__u32)where, where >> 48);
}

enum { TRACK_FREED = 1, TRACK_LOOK, TRACK_NEW };
enum { TRACK_NONE = 0, TRACK_SAME, TRACK_OTHER };

/* TRACK_FREED: the entry's verdict, and the entry forgotten (the address
 * will be reused). TRACK_LOOK: the verdict; the same packet's entry notes
 * the sighting, another packet's is forgotten. TRACK_NEW: a newly selected
 * packet's entry. */
__noinline int track(__u64 key, __u64 head, __u64 where, __u64 place, __u32 what)
{
	__u32 mode = what >> 16;
	if (mode == TRACK_NEW) {
		/* Built in place: no sighting on the stack beside it. */
		struct pp_ident fresh = {};
		__u8 step = (what >> 8) & 0xff;
		if (!(step & PP_STEP_GONE))
			hdr_read(&fresh.hdr, (unsigned char *)head, (where >> 32) & 0xffff, (__u32)where, where >> 48);
		pp_ident_note_at(&fresh, head, place >> 32, (__u32)place, what & 0xff, step);
		if (tracked_add(&key, &fresh) == -E2BIG)
			count(&track_full);
		return TRACK_SAME;
	}
	if (!*(volatile __u64 *)&tracked_n)
		return TRACK_NONE;
	struct pp_sight g = {};
	struct pp_ident *tr = bpf_map_lookup_elem(&tracked, &key);
	if (!tr)
		return TRACK_NONE;
	sight_of(&g, head, where, place, what);
	int r = pp_ident_same(tr, &g) ? TRACK_SAME : TRACK_OTHER;
	if (mode == TRACK_LOOK && r == TRACK_SAME)
		pp_ident_note(tr, &g);
	else
		tracked_del(&key);
	return r;
}

/* Whether skb address key is being followed. Out of line (global): the
 * key then lives in this small frame, not in that of a fentry or kprobe
 * program, which is near the kernel's 512-byte limit. */
__noinline int tracked_has(__u64 key)
{
	return tracked_maybe(&key);
}

/* Where a point is, for emit_begin(). */
struct pp_at {
	__u16 probe;  /* enum pp_probe */
	__u16 func;   /* kernel function id, 0 for a tracepoint */
	__u8 layout;  /* enum pp_layout */
	__u8 no_stack; /* program type without bpf_get_stackid (netfilter) */
	__u8 no_task;  /* nor the current-task helpers (netfilter before ~6.14): pid, comm, owner learning */
	__u8 step;     /* enum pp_step: the device points, the memory release */
};

#include "capture.bpf.h"

/* The stack of a drop at location: walked (about a microsecond: most of
 * what a traced drop costs) unless this site's was walked less than
 * PP_SITE_STACK_MS before; then that one, and the event says so. Only
 * where the caller is known (location): the site is then the same code,
 * reached, in a flood, by the same path. --stack (every event) walks
 * every time. Inline: a static subprogram is walked again for every
 * state that reaches it (with this one out of line, the VM's identity
 * test ran out of time on 6.1; inline, it passes). */
static __always_inline __s32 drop_stack(void *ctx, struct pp_event *e, __u64 location)
{
	__u32 now_us = e->ts_ns >> 10; /* about a microsecond; wraps after an hour, which costs one walk */
	__u64 *site = location ? bpf_map_lookup_elem(&drop_sites, &location) : NULL;
	if (site && (__u32)(now_us - (*site >> 32)) < PP_SITE_STACK_MS * 1000) {
		e->have |= PP_HAVE_STACK_SITE;
		return (__s32)*site;
	}
	__s32 id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0 || !location)
		return id;
	__u64 v = (__u64)now_us << 32 | (__u32)id;
	if (site)
		*site = v;
	else
		bpf_map_update_elem(&drop_sites, &location, &v, BPF_ANY);
	return id;
}

/* Runs the selection for skb seen at `at`; on success returns the event,
 * reserved in the ring buffer with the common fields filled, for the
 * caller to complete and submit; NULL when not selected or lost. */
static __always_inline struct pp_event *emit_begin(void *ctx, struct sk_buff *skb, struct pp_at at,
						   __u64 location, __u32 reason)
{
	__u16 probe = at.probe;
	struct skb_view v;
	skb_view_read(skb, &v);
	struct net_device *dev = v.dev;
	__u16 proto = v.proto;
	/* Read here only to select on; else once the packet is selected. */
	__u32 ifindex = dev && cfg_ifindex ? BPF_CORE_READ(dev, ifindex) : 0;
	/* The namespace: with --netns, its struct net once learned (below)
	 * tells a packet elsewhere by one read; without, its number is read
	 * only for a packet being selected or followed. Until read, netns is 0
	 * with net set (no namespace has number 0). Recomputed, not kept in
	 * variables: the fentry programs' frames are near the stack limit. */
#define NET_ELSEWHERE (cfg_netns && net && sel_net && net != sel_net)
#define NS_UNREAD (!netns && net)
	__u64 net = skb_net((__u64)dev, v.sk);
	__u32 netns = 0;
	if (net && net == sel_net) {
		netns = cfg_netns;
	} else if (!NET_ELSEWHERE && (cfg_netns || !cfg_filter || probe == PP_PROBE_DELIVER)) {
		netns = net_inum(net);
		if (cfg_netns && netns == cfg_netns)
			sel_net = net;
	}
	/* Copied to a process: a UDP skb has neither device nor socket by
	 * then, and the receiving process is in the packet's namespace. */
	if (!net && (probe == PP_PROBE_DELIVER || ((at.step & PP_STEP_GONE) && cfg_netns && !cfg_filter))) {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		netns = BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
	}

	__u64 key = (__u64)skb;
	bool freed = probe == PP_PROBE_DROP || probe == PP_PROBE_FREE;
	bool known = false;
	/* Where L3 starts: on receive the MAC header is already pulled and
	 * skb->data is the network header (network_header is reset only
	 * after this tracepoint); elsewhere network_header is authoritative. */
	unsigned char *head = v.head;
	__u32 tail = v.tail;
	__u32 nh = at.layout == PP_L_DATA_L3 ? v.data : v.network_header;
	/* Which packet this sighting is, for bpf/ident.h (packed: see track()).
	 * A free's sighting is compared without its place (pp_ident_same), so
	 * a namespace not read yet does not matter to TRACK_FREED. */
	__u64 where = SIGHT_WHERE(nh, tail, proto), place = SIGHT_PLACE(dev, netns);

	/* Forget a freed skb wherever it is freed (in any namespace): the
	 * address will be reused. Other points look it up once selected by
	 * place, below: most packets a busy host carries stop before that. */
	if (cfg_filter && cfg_track && freed)
		known = track(key, (__u64)head, where, place, SIGHT_WHAT(probe, at.step, TRACK_FREED)) == TRACK_SAME;
	/* kfree_skbmem: the data is gone, the headers cannot be read, so the
	 * end is reported only for a packet already selected (or for all when
	 * nothing is filtered). */
	bool gone = at.step & PP_STEP_GONE;
	if (gone && cfg_filter && !known)
		return NULL;
	/* Not a network packet (netlink, unix): outside what pktpath traces. */
	if (proto == 0)
		return NULL;
	/* Learn the owner on transmit even when this event is not selected
	 * (the device queue sees every packet sent, in the sender's context:
	 * no program per sendmsg is needed), so the packet is
	 * attributed where it is (on the receiving side, say: a packet that
	 * crosses into another namespace keeps its socket, skb_scrub_packet;
	 * so this is done outside the selected namespace too). */
	__u64 sk = v.sk;
	struct pp_owner *o = NULL;
	if (probe == PP_PROBE_TX)
		o = at.no_task ? owner_known(sk) : owner_of(ctx, sk);
	/* A selected packet's memory release is reported wherever it happens
	 * (a consumed datagram has neither device nor socket by then). */
	bool by_place = !(gone && known);
	if (by_place && cfg_netns && (NET_ELSEWHERE || netns != cfg_netns))
		return NULL;
	if (by_place && cfg_ifindex && ifindex != cfg_ifindex)
		return NULL;
	if (known && NS_UNREAD) /* a followed packet's end, wherever */
		netns = net_inum(net);
	/* Tracking must not outlive its packet: a new packet at the address
	 * is selected on its own headers (its predecessor's entry is gone).
	 * Without --netns most packets are not followed: one look-up says so
	 * before the namespace is read for the comparison. */
	if (cfg_filter && cfg_track && !freed && !(NS_UNREAD && !tracked_has(key))) {
		if (NS_UNREAD) {
			netns = net_inum(net);
			place = SIGHT_PLACE(dev, netns);
		}
		known = track(key, (__u64)head, where, place, SIGHT_WHAT(probe, at.step, TRACK_LOOK)) == TRACK_SAME;
	}

	if (cfg_filter && !known) {
		if (!filter_match(skb, &v, at.layout, nh))
			return NULL;
		if (NS_UNREAD) {
			netns = net_inum(net);
			place = SIGHT_PLACE(dev, netns);
		}
		if (cfg_track && !freed)
			track(key, (__u64)head, where, place, SIGHT_WHAT(probe, at.step, TRACK_NEW));
	}

	/* Owner: the process behind skb->sk, learned now if we are in its
	 * context, else from what the socket's earlier use recorded (on
	 * transmit it was looked up above already). */
	if (probe != PP_PROBE_TX)
		o = at.no_task ? owner_known(sk) : owner_of(ctx, sk);
	if (cfg_owner_tgid && (!o || o->tgid != cfg_owner_tgid))
		return NULL;
	if (cfg_owner_comm[0] && (!o || !same_comm(o->comm)))
		return NULL;
	if (cfg_cgroup_id && (!o || !(o->flags & PP_OWNER_IN_CGROUP)))
		return NULL;

	if (dev && !cfg_ifindex)
		ifindex = BPF_CORE_READ(dev, ifindex);
	capture_first(skb, &v, at, netns, ifindex, nh, where, place); /* -w only */
	count(&produced);
	__u32 zero = 0;
	__u64 *lost_all = bpf_map_lookup_elem(&lost_total, &zero);
	struct pp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(&lost);
		if (lost_all)
			__sync_fetch_and_add(lost_all, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->lost_seen = lost_all ? *(volatile __u64 *)lost_all : 0;
	e->head = (__u64)v.head;
	e->step = at.step;

	__u64 id = at.no_task ? 0 : bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->probe = probe;
	e->func = at.func;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	if (!at.no_task)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->netns = netns;
	if (netns)
		e->have |= PP_HAVE_NETNS;
	if (dev) {
		e->ifindex = ifindex;
		BPF_CORE_READ_STR_INTO(&e->ifname, dev, name);
		e->have |= PP_HAVE_DEV;
	}
	e->ethertype = proto;
	e->len = BPF_CORE_READ(skb, len);
	e->mark = BPF_CORE_READ(skb, mark);
	e->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	e->location = location;
	e->reason = reason;
	if (probe == PP_PROBE_DROP && cfg_drop_has_reason)
		e->have |= PP_HAVE_REASON;

	if (sk) {
		e->sk = sk;
		e->have |= PP_HAVE_SK;
	}
	if (o) {
		e->owner = *o;
		e->have |= PP_HAVE_OWNER;
	}

	e->stack_id = -1;
	if (!at.no_stack && cfg_stack_all)
		e->stack_id = bpf_get_stackid(ctx, &stacks, 0);
	else if (!at.no_stack && probe == PP_PROBE_DROP && cfg_stack_drops)
		e->stack_id = drop_stack(ctx, e, location);

	if (nh < tail && !(at.step & PP_STEP_GONE)) {
		if (proto == ETH_P_IP)
			parse_ipv4(e, head, nh, tail);
		else if (proto == ETH_P_IPV6)
			parse_ipv6(e, head, nh, tail);
		parse_raw(e, skb, head, nh, tail, proto);
	}
	return e;
#undef NET_ELSEWHERE
#undef NS_UNREAD
}

/* emit_begin() and submit, for points that record nothing more. */
static __always_inline int emit(void *ctx, struct sk_buff *skb, struct pp_at at, __u64 location, __u32 reason)
{
	struct pp_event *e = emit_begin(ctx, skb, at, location, reason);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif
