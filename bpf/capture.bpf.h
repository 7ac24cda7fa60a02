/* SPDX-License-Identifier: GPL-2.0 */
/* Packet bytes for -w: at a packet's first sighting, up to cfg_snaplen
 * bytes of its linear data, from the Ethernet header when it is known to
 * precede the IP header, else from the IP header.
 *
 * "First sighting": the first selected event of a packet at an skb
 * address. The `captured` map remembers the addresses with the packet they
 * carry (bpf/ident.h): a drop or free forgets them, and a sighting that is
 * another packet (its free was not seen: freed where no probe looks)
 * replaces the entry. An LRU map: entries of addresses never seen again age
 * out. */
#ifndef PKTPATH_CAPTURE_H
#define PKTPATH_CAPTURE_H

#include "capture_rec.h"

const volatile __u32 cfg_snaplen = 0; /* 0: no -w, capture nothing */

struct cap_seen {
	struct pp_ident id; /* the packet captured */
	__u8 link;          /* enum pp_cap_link: what was captured */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct cap_seen);
} captured SEC(".maps");

enum { CAP_SKIP = 0, CAP_TAKE };
static const struct cap_seen cap_zero = {};

/* Whether to capture this sighting (link: what it would capture), with the
 * map entry updated. Out of line, like track() in emit.h. */
__noinline int cap_note(__u64 key, __u64 head, __u64 where, __u64 place, __u32 what)
{
	struct pp_sight g = {};
	sight_of(&g, head, where, place, what);
	__u8 link = what >> 16;
	bool freed = g.probe == PP_PROBE_DROP || g.probe == PP_PROBE_FREE;
	struct cap_seen *had = bpf_map_lookup_elem(&captured, &key);
	if (had && !pp_ident_same(&had->id, &g))
		had = NULL; /* another packet than the one captured: this is a first sighting */
	if (freed) {
		/* Seen before: forget it. Never seen: this is its first sighting
		 * (but after kfree_skbmem the data is gone). */
		bpf_map_delete_elem(&captured, &key);
		if (had)
			return CAP_SKIP;
		return g.step & PP_STEP_GONE ? CAP_SKIP : CAP_TAKE;
	}
	/* The map holds what was captured: a packet first seen without its
	 * Ethernet header (at a netfilter hook or an IP-layer function, before
	 * the device) is captured once more when the header appears; user
	 * space takes the latest capture before the packet's end. */
	if (had) {
		pp_ident_note(&had->id, &g);
		if (had->link == PP_CAP_ETHER || link != PP_CAP_ETHER)
			return CAP_SKIP; /* nothing better to capture */
		had->link = link;
		return CAP_TAKE;
	}
	/* A new entry starts from the zero value (no copy on this stack:
	 * see track()) and is filled in place. */
	if (bpf_map_update_elem(&captured, &key, &cap_zero, BPF_ANY))
		return CAP_SKIP;
	had = bpf_map_lookup_elem(&captured, &key);
	if (!had)
		return CAP_SKIP;
	had->link = link;
	pp_ident_note(&had->id, &g);
	return CAP_TAKE;
}

static __always_inline void capture_first(struct sk_buff *skb, const struct skb_view *v, struct pp_at at,
					  __u32 netns, __u32 ifindex, __u32 nh, __u64 where, __u64 place)
{
	struct net_device *dev = v->dev;
	unsigned char *head = v->head;
	__u32 tail = v->tail, data = v->data;
	if (!cfg_snaplen)
		return;
	__u64 key = (__u64)skb;
	__u32 start = nh;
	__u8 link = PP_CAP_RAW;
	if (dev && BPF_CORE_READ(dev, type) == ARPHRD_ETHER) {
		__u32 mh = at.layout == PP_L_DATA_MAC ? data : v->mac_header;
		if (mh != MAC_HEADER_UNSET && mh + ETH_HLEN == nh) {
			start = mh;
			link = PP_CAP_ETHER;
		}
	}
	if (cap_note(key, (__u64)head, where, place, SIGHT_WHAT(at.probe, at.step, link)) == CAP_SKIP)
		return;
	if (start >= tail)
		return;
	__u32 n = tail - start;
	if (n > cfg_snaplen)
		n = cfg_snaplen;
	if (n > PP_SNAPLEN_MAX)
		n = PP_SNAPLEN_MAX;

	struct pp_capture *c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
	if (!c)
		return;
	c->magic = PP_CAPTURE_MAGIC;
	c->version = PP_CAPTURE_VERSION;
	c->link = link;
	c->probe = (__u8)at.probe;
	c->skb = key;
	c->ts_ns = bpf_ktime_get_ns();
	c->netns = netns;
	c->ifindex = ifindex;
	/* skb->len counts from skb->data: add what lies between start and it. */
	__s64 orig = (__s64)BPF_CORE_READ(skb, len) + (__s64)data - (__s64)start;
	c->origlen = orig > n ? (__u32)orig : n;
	/* n is 1..PP_SNAPLEN_MAX here; in a form the verifier can bound
	 * (PP_SNAPLEN_MAX is a power of two). */
	__u32 m = ((n - 1) & (PP_SNAPLEN_MAX - 1)) + 1;
	c->caplen = 0;
	if (bpf_probe_read_kernel(c->data, m, head + start) == 0)
		c->caplen = m;
	bpf_ringbuf_submit(c, 0);
}

#endif
