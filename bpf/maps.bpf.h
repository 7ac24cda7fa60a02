/* SPDX-License-Identifier: GPL-2.0 */
/* Configuration (read-only data set by user space between open and load)
 * and the maps every pktpath program shares. */
#ifndef PKTPATH_MAPS_H
#define PKTPATH_MAPS_H

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IP_OFFSET_MASK 0x1fff
#define ETH_HLEN 14
#define ARPHRD_ETHER 1
#define MAC_HEADER_UNSET 0xffff
#define E2BIG 7
#define EEXIST 17

/* Set by user space between open and load. */
const volatile __u32 cfg_netns = 0;      /* 0: every namespace */
const volatile __u32 cfg_ifindex = 0;    /* 0: every interface */
const volatile __u32 cfg_owner_tgid = 0; /* --pid: 0 for every owner */
const volatile char cfg_owner_comm[PP_COMM_LEN] = {}; /* --comm: "" for every owner */
const volatile __u64 cfg_cgroup_id = 0;    /* --cgroup/--container/-- CMD: 0 for every owner */
const volatile __u32 cfg_cgroup_level = 0; /* its depth below the cgroup2 root */
const volatile bool cfg_stack_drops = true;
const volatile bool cfg_stack_all = false;
const volatile bool cfg_drop_has_reason = true; /* skb:kfree_skb has `reason` (>= 5.17) */
const volatile bool cfg_filter = false; /* a pcap filter was injected into the stubs */
const volatile bool cfg_ip_l2 = true;   /* IP packets L3 rejected are tried at L2 (filter_ip_needs_l2) */
const volatile bool cfg_track = true;   /* follow matched skbs until they are freed */
/* --netns: the selected namespace's struct net, learned by emit_begin at
 * its first packet there. A pointer identifies the namespace as long as
 * it lives, and pktpath holds it open (its descriptor, or pktpath's own
 * namespace) for the whole run. */
__u64 sel_net = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space */
} events SEC(".maps");

/* Events that passed selection, per CPU: delivered + lost must add up to
 * this, which the summary shows. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} produced SEC(".maps");

/* Failed ring-buffer reservations, per CPU: every lost event is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Every lost event, all CPUs together: each event carries the count as it
 * was when produced (pp_event.lost_seen), so user space can tell which
 * timelines a loss fell into. Written only when an event is lost. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_total SEC(".maps");

/* skbs that matched the filter, until freed: they stay visible after
 * NAT or where their headers cannot be parsed. The value says which packet
 * the address carries (bpf/ident.h): the next packet at the address is not
 * selected by this one's match. Bounded; a full table is counted in
 * track_full rather than evicting packets being followed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pp_ident);
} tracked SEC(".maps");

/* At least how many entries `tracked` holds: raised before an insert,
 * lowered after a delete that removed one (tracked_add/tracked_del, the
 * only writers). While it is 0, the usual state of an expression that
 * matches nothing, "is this skb followed?" needs no look-up: that look-up
 * was most of what every unmatched packet paid at each point after its
 * first. Two CPUs inserting one key count it twice: an over-count only
 * costs look-ups, never a missed packet. */
__u64 tracked_n = 0;

static __always_inline bool tracked_maybe(const __u64 *key)
{
	return *(volatile __u64 *)&tracked_n && bpf_map_lookup_elem(&tracked, key);
}

/* Inserts or replaces key's entry; returns the update's result. */
static __always_inline long tracked_add(__u64 *key, const void *val)
{
	/* Counted first, then inserted: no point sees an entry uncounted. */
	__sync_fetch_and_add(&tracked_n, 1);
	long r = bpf_map_update_elem(&tracked, key, val, BPF_NOEXIST);
	if (r) {
		__sync_fetch_and_add(&tracked_n, -1);
		if (r == -EEXIST) /* a stale entry at the address: replaced, counted once */
			r = bpf_map_update_elem(&tracked, key, val, BPF_EXIST);
	}
	return r;
}

static __always_inline void tracked_del(__u64 *key)
{
	if (bpf_map_delete_elem(&tracked, key) == 0)
		__sync_fetch_and_add(&tracked_n, -1);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} track_full SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

/* A drop site's last stack (bpf/emit.bpf.h, drop_stack): location (the
 * caller of kfree_skb) -> (ts_ns >> 10) << 32 | stack id. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} drop_sites SEC(".maps");

/* Socket -> owning process. LRU: sockets whose destruction we cannot see
 * (no tracepoint for UDP/raw) age out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pp_owner);
} owners SEC(".maps");

#endif
