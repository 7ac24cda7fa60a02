/* SPDX-License-Identifier: GPL-2.0 */
/* The FIB table of a forwarded packet's IPv4 route. struct rtable does not
 * keep its table; the fib:fib_table_lookup tracepoint names the table of
 * each look-up, not the packet. What ties one to the other: a received
 * packet's input look-up (flowi4_iif: the device it came in on) runs in the
 * softirq that receives it, on that CPU, after its receive and before its
 * FORWARD or INPUT hook, and no other packet is received on that CPU in
 * between. So the last successful input look-up on this CPU, for the
 * packet's destination and input device, is the packet's. (A batch a driver
 * hands over as a list is looked up whole before its first FORWARD: a batch
 * mate's look-up for the same destination and device may stand in, the
 * same table unless a rule selects by source, mark or TOS.) Output look-ups
 * carry the loopback device's index and are not kept: a locally sent packet
 * says no table (a connected socket's cached route has no look-up at all).
 * A reverse-path check's look-up (rp_filter, or any policy rule) comes
 * right after the packet's own, for its source, with the output device as
 * input device: it is kept too but cannot match, so the last few are kept
 * (FIB_LAST). The table is the route entry's own (fib_info's fib_tb_id: the
 * local and main tables share one trie when there are no rules), else the
 * one looked up in (a nexthop object's route). The program runs for every
 * look-up on the host: user space loads it only when a namespace it traces
 * forwards IPv4 (cmd/cli/main.c), and route_out asks only for unicast
 * routes (a local delivery's table says little). */
#ifndef PKTPATH_FIB_H
#define PKTPATH_FIB_H

#define FIB_LAST 4

/* pp_fib is loaded (user space): else no route asks for a table. */
const volatile bool cfg_fib = false;

struct fib_last {
	struct {
		__u32 daddr;
		__u32 iif;
		__u32 table;
		__u32 seq; /* which is newer */
	} s[FIB_LAST];
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fib_last);
} fib_last SEC(".maps");

/* fib:fib_table_lookup(tb_id, flp, nhc, err). */
static __always_inline void fib_note(__u32 tb_id, const struct flowi4 *flp, const struct fib_nh_common *nhc, int err)
{
	/* A packet being followed was selected at its receive, before this;
	 * with nothing followed there is nothing to tie a look-up to. */
	if (err || !nhc || (cfg_filter && cfg_track && !*(volatile __u64 *)&tracked_n))
		return;
	int iif = BPF_CORE_READ(flp, __fl_common.flowic_iif);
	if (iif <= 1 /* LOOPBACK_IFINDEX: an output or reverse-path look-up */)
		return;
	__u32 zero = 0;
	struct fib_last *l = bpf_map_lookup_elem(&fib_last, &zero);
	if (!l)
		return;
	__u32 table = tb_id;
	if (BPF_CORE_READ(nhc, nhc_family) == 2 /* AF_INET: a struct fib_nh */) {
		struct fib_info *fi = BPF_CORE_READ((struct fib_nh *)nhc, nh_parent);
		if (fi && bpf_core_field_exists(fi->fib_tb_id))
			table = BPF_CORE_READ(fi, fib_tb_id);
	}
	__u32 i = l->n++ & (FIB_LAST - 1);
	l->s[i].daddr = BPF_CORE_READ(flp, daddr);
	l->s[i].iif = iif;
	l->s[i].table = table;
	l->s[i].seq = l->n;
}

/* The table of the IPv4 route of a packet to daddr received on skb_iif:
 * the newest look-up kept that fits, 0 when none does. */
static __always_inline __u16 fib_table_of(__u32 daddr, __u32 skb_iif)
{
	__u32 zero = 0, seq = 0, table = 0;
	struct fib_last *l = bpf_map_lookup_elem(&fib_last, &zero);
	if (!l || !skb_iif)
		return 0;
	for (int i = 0; i < FIB_LAST; i++)
		if (l->s[i].iif == skb_iif && l->s[i].daddr == daddr && l->s[i].seq > seq) {
			seq = l->s[i].seq;
			table = l->s[i].table;
		}
	return table <= 0xffff ? table : 0;
}

#endif
