/* SPDX-License-Identifier: GPL-2.0 */
/* The sk_buff fields a point reads before it knows whether the packet is
 * wanted, in two bpf_probe_read_kernel calls rather than one per field:
 * without BTF-typed programs (this kernel refuses them) every field read is
 * a helper call (about 25 ns here), and those calls are most of what an
 * unmatched packet costs. First where the packet is (device and socket,
 * side by side), which with --netns turns most packets away with one more
 * read (the device's namespace); then, for a packet in scope, the header
 * fields (protocol .. data, side by side at the end of struct sk_buff).
 * Offsets are CO-RE relocations, so each is a constant once loaded: the
 * verifier checks the copied stretch and drops the fallback branches. */
#ifndef PKTPATH_SKB_H
#define PKTPATH_SKB_H

/* What selection reads of an sk_buff. The first two and the next eight
 * fields mirror two stretches of struct sk_buff (5.10 to 7.x: dev and sk;
 * protocol .. data), so that each is copied by one read straight into
 * this view, which lives in the program's frame. */
struct skb_view {
	struct net_device *dev;
	__u64 sk;
	__u16 proto;            /* skb->protocol, then turned to host order */
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	__u32 tail;
	__u32 data;             /* skb->end as read, then skb->data - skb->head */
	unsigned char *head;
	__u64 data_ptr;         /* skb->data */
};

#define SKB_OFF(f) bpf_core_field_offset(struct sk_buff, f)
#define VIEW_OFF(f) __builtin_offsetof(struct skb_view, f)
/* A constant once loaded: whether this kernel's layout has both stretches. */
#define SKB_PLACE_AS_VIEW (SKB_OFF(sk) == SKB_OFF(dev) + 8)
#define SKB_HDR_AS_VIEW                                                                                      \
	(SKB_OFF(transport_header) == SKB_OFF(protocol) + 2 && SKB_OFF(network_header) == SKB_OFF(protocol) + 4 &&  \
	 SKB_OFF(mac_header) == SKB_OFF(protocol) + 6 && SKB_OFF(tail) == SKB_OFF(protocol) + 8 &&                  \
	 bpf_core_field_size(struct sk_buff, tail) == 4 && SKB_OFF(end) == SKB_OFF(protocol) + 12 &&               \
	 SKB_OFF(head) == SKB_OFF(protocol) + 16 && SKB_OFF(data) == SKB_OFF(protocol) + 24)
_Static_assert(VIEW_OFF(sk) == VIEW_OFF(dev) + 8 && VIEW_OFF(transport_header) == VIEW_OFF(proto) + 2 &&
		       VIEW_OFF(network_header) == VIEW_OFF(proto) + 4 && VIEW_OFF(mac_header) == VIEW_OFF(proto) + 6 &&
		       VIEW_OFF(tail) == VIEW_OFF(proto) + 8 && VIEW_OFF(data) == VIEW_OFF(proto) + 12 &&
		       VIEW_OFF(head) == VIEW_OFF(proto) + 16 && VIEW_OFF(data_ptr) == VIEW_OFF(proto) + 24,
	       "struct skb_view mirrors struct sk_buff");

/* Where skb is: its device and socket. */
static __always_inline void skb_place_read(struct sk_buff *skb, struct skb_view *v)
{
	/* A read that fails leaves zeroes: no branch on it (on 5.10 every
	 * branch here doubles what the verifier walks after it). */
	if (SKB_PLACE_AS_VIEW) {
		bpf_probe_read_kernel(&v->dev, 16, (void *)skb + SKB_OFF(dev));
	} else { /* straight into the view: no temporaries in the frame */
		BPF_CORE_READ_INTO(&v->dev, skb, dev);
		BPF_CORE_READ_INTO(&v->sk, skb, sk);
	}
}

/* Its header fields (skb_place_read() filled dev and sk). */
static __always_inline void skb_view_read(struct sk_buff *skb, struct skb_view *v)
{
	if (SKB_HDR_AS_VIEW) {
		bpf_probe_read_kernel(&v->proto, 32, (void *)skb + SKB_OFF(protocol)); /* zeroes if it fails */
	} else { /* straight into the view: no temporaries in the frame */
		BPF_CORE_READ_INTO(&v->proto, skb, protocol);
		BPF_CORE_READ_INTO(&v->network_header, skb, network_header);
		BPF_CORE_READ_INTO(&v->mac_header, skb, mac_header);
		BPF_CORE_READ_INTO(&v->tail, skb, tail);
		BPF_CORE_READ_INTO(&v->head, skb, head);
		BPF_CORE_READ_INTO(&v->data_ptr, skb, data);
	}
	v->proto = bpf_ntohs(v->proto);
	v->data = v->data_ptr - (__u64)v->head;
}

/* The namespace (struct net) of the skb's device, else of its socket; 0
 * when it has neither. Global functions of plain numbers (verified once,
 * their read buffers in their own small frames): the fentry and kprobe
 * programs that call them are near the kernel's 512-byte stack limit. */
__noinline __u64 skb_net(__u64 dev, __u64 sk)
{
	if (dev)
		return (__u64)BPF_CORE_READ((struct net_device *)dev, nd_net.net);
	if (sk)
		return (__u64)BPF_CORE_READ((struct sock *)sk, __sk_common.skc_net.net);
	return 0;
}

__noinline __u32 net_inum(__u64 net)
{
	return net ? BPF_CORE_READ((struct net *)net, ns.inum) : 0;
}

#endif
