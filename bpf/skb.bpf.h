/* SPDX-License-Identifier: GPL-2.0 */
/* The sk_buff fields a point reads before it knows whether the packet is
 * wanted, copied in one bpf_probe_read_kernel of the stretch of struct
 * sk_buff that holds them (dev .. data) rather than one call per field:
 * without BTF-typed programs (this kernel refuses them) every field read is
 * a helper call, and those calls were most of what an unmatched packet
 * cost. Offsets are CO-RE relocations, so each is a constant once loaded:
 * the verifier checks the copied stretch and drops the fallback branches. */
#ifndef PKTPATH_SKB_H
#define PKTPATH_SKB_H

#define SKB_SPAN 256 /* dev at 16 .. data at 200 on 6.x; a larger layout falls back */

struct skb_span {
	__u64 skb; /* whose copy this is: see skb_view_read() */
	__u8 b[SKB_SPAN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skb_span);
} skb_spans SEC(".maps");

struct skb_view {
	struct net_device *dev;
	__u64 sk;
	unsigned char *head;
	__u32 tail;
	__u32 data;       /* skb->data - skb->head */
	__u16 proto;      /* host order */
	__u16 network_header;
	__u16 mac_header;
};

#define SKB_LO bpf_core_field_offset(struct sk_buff, dev)
#define SKB_HI (bpf_core_field_offset(struct sk_buff, data) + 8)

/* skb->field from the copied stretch s, or read alone where this kernel
 * puts it outside. */
#define SKB_FIELD(s, skb, field)                                                                                \
	({                                                                                                      \
		typeof(((struct sk_buff *)0)->field) __v;                                                       \
		__u32 __o = bpf_core_field_offset(struct sk_buff, field);                                       \
		if ((s) && __o >= SKB_LO && __o + sizeof(__v) <= SKB_HI)                                        \
			__v = *(typeof(__v) *)((s)->b + (__o - SKB_LO));                                        \
		else                                                                                            \
			__v = BPF_CORE_READ(skb, field);                                                        \
		__v;                                                                                            \
	})

static __always_inline void skb_view_fill(struct sk_buff *skb, struct skb_span *s, struct skb_view *v)
{
	v->dev = SKB_FIELD(s, skb, dev);
	v->sk = (__u64)SKB_FIELD(s, skb, sk);
	v->head = SKB_FIELD(s, skb, head);
	v->tail = SKB_FIELD(s, skb, tail);
	v->data = SKB_FIELD(s, skb, data) - v->head;
	v->proto = bpf_ntohs(SKB_FIELD(s, skb, protocol));
	v->network_header = SKB_FIELD(s, skb, network_header);
	v->mac_header = SKB_FIELD(s, skb, mac_header);
}

static __always_inline void skb_view_read(struct sk_buff *skb, struct skb_view *v)
{
	__u32 zero = 0;
	struct skb_span *s = NULL;
	if (SKB_HI > SKB_LO && SKB_HI - SKB_LO <= SKB_SPAN) {
		s = bpf_map_lookup_elem(&skb_spans, &zero);
		if (s) {
			s->skb = (__u64)skb;
			if (bpf_probe_read_kernel(s->b, SKB_HI - SKB_LO, (void *)skb + SKB_LO))
				s = NULL;
		}
	}
	skb_view_fill(skb, s, v);
	/* The copy is per CPU, and a program in process context (delivery, a
	 * netfilter hook, a kernel function) can be interrupted by a softirq
	 * whose program copies another skb over it: then read field by field. */
	asm volatile("" ::: "memory"); /* the check follows every read of the copy */
	if (s && *(volatile __u64 *)&s->skb != (__u64)skb)
		skb_view_fill(skb, NULL, v);
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
