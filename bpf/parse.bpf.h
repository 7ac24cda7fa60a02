/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the packet: IPv4/IPv6 and L4 headers from the linear area, and
 * the injected pcap filter on its L3 and L2 views. */
#ifndef PKTPATH_PARSE_H
#define PKTPATH_PARSE_H

/* L4 summary at head+off, bounded by the linear area's end. */
static __always_inline void parse_l4(struct pp_event *e, unsigned char *head, __u32 off, __u32 tail)
{
	__u8 b[16];

	if (off + 8 > tail)
		return;
	switch (e->l4proto) {
	case IPPROTO_TCP:
		if (off + 14 > tail || bpf_probe_read_kernel(b, 14, head + off))
			return;
		e->tcp_flags = b[13];
		e->tcp_seq = (__u32)b[4] << 24 | (__u32)b[5] << 16 | (__u32)b[6] << 8 | b[7];
		e->id_have |= PP_ID_SEQ;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case 58: /* IPPROTO_ICMPV6 */
		if (bpf_probe_read_kernel(b, 8, head + off))
			return;
		break;
	default:
		return;
	}
	if (e->l4proto == IPPROTO_TCP || e->l4proto == IPPROTO_UDP) {
		e->sport = ((__u16)b[0] << 8) | b[1];
		e->dport = ((__u16)b[2] << 8) | b[3];
	} else {
		e->icmp_type = b[0];
		e->icmp_code = b[1];
		e->sport = ((__u16)b[4] << 8) | b[5]; /* echo id */
		e->dport = ((__u16)b[6] << 8) | b[7]; /* echo seq */
	}
	e->have |= PP_HAVE_L4;
}

static __always_inline void parse_ipv4(struct pp_event *e, unsigned char *head, __u32 nh, __u32 tail)
{
	struct iphdr ip;

	if (nh + sizeof(ip) > tail || bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
		return;
	if (ip.version != 4 || ip.ihl < 5)
		return;
	e->ipver = 4;
	e->l4proto = ip.protocol;
	e->ip_id = bpf_ntohs(ip.id);
	e->id_have |= PP_ID_IPID;
	__builtin_memcpy(e->saddr, &ip.saddr, 4);
	__builtin_memcpy(e->daddr, &ip.daddr, 4);
	e->have |= PP_HAVE_L3;
	if (bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK) {
		e->have |= PP_HAVE_FRAG;
		return;
	}
	parse_l4(e, head, nh + ip.ihl * 4, tail);
}

static __always_inline void parse_ipv6(struct pp_event *e, unsigned char *head, __u32 nh, __u32 tail)
{
	struct ipv6hdr ip6;
	__u8 opt[4];

	if (nh + sizeof(ip6) > tail || bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
		return;
	if (ip6.version != 6)
		return;
	e->ipver = 6;
	__builtin_memcpy(e->saddr, &ip6.saddr, 16);
	__builtin_memcpy(e->daddr, &ip6.daddr, 16);
	e->have |= PP_HAVE_L3;

	__u8 next = ip6.nexthdr;
	__u32 off = nh + sizeof(ip6);
	if (next == 0 || next == 43 || next == 44 || next == 60)
		e->have |= PP_HAVE_EXT6; /* user space says them (cmd/render/decode.c) */
	/* Skip a bounded number of extension headers to reach L4. */
	for (int i = 0; i < 4; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			break;
		if (off + 4 > tail || bpf_probe_read_kernel(opt, 4, head + off))
			return;
		if (next == 44) { /* fragment header: fixed 8 bytes */
			if (((opt[2] << 8) | opt[3]) & 0xfff8) {
				e->l4proto = opt[0];
				e->have |= PP_HAVE_FRAG;
				return;
			}
			off += 8;
		} else {
			off += (opt[1] + 1) * 8;
		}
		next = opt[0];
	}
	e->l4proto = next;
	parse_l4(e, head, off, tail);
}

/* The tag a device took off the frame (hardware VLAN acceleration; veth
 * and most NICs do), and the first bytes of packets user space decodes
 * further (pp_event.raw). Kernels before 6.1 say "present" by a bit of its
 * own; later ones by a non-zero vlan_all. */
struct sk_buff___vlan_present {
	__u8 vlan_present : 1;
} __attribute__((preserve_access_index));

static __always_inline void parse_raw(struct pp_event *e, struct sk_buff *skb, unsigned char *head, __u32 nh,
				      __u32 tail, __u16 proto)
{
	__u16 vproto = bpf_ntohs(BPF_CORE_READ(skb, vlan_proto));
	if (bpf_core_field_exists(((struct sk_buff___vlan_present *)skb)->vlan_present) &&
	    !BPF_CORE_READ_BITFIELD_PROBED((struct sk_buff___vlan_present *)skb, vlan_present))
		vproto = 0;
	if (vproto) {
		e->vlan_proto = vproto;
		e->vlan_tci = BPF_CORE_READ(skb, vlan_tci);
	}
	__u8 t = e->icmp_type;
	bool want = (proto != ETH_P_IP && proto != ETH_P_IPV6) ||
		    (e->l4proto == IPPROTO_ICMP && t != 0 && t != 8) || (e->l4proto == 58 && t != 128 && t != 129) ||
		    (e->l4proto == IPPROTO_UDP && (e->dport == 4789 || e->dport == 8472 || e->dport == 6081)) ||
		    e->l4proto == 4 || e->l4proto == 41 || e->l4proto == 47 || (e->have & PP_HAVE_EXT6);
	if (!want || nh >= tail)
		return;
	__u64 n = tail - nh;
	/* One register for the bound and the call: the verifier must see it. */
	asm volatile("" : "+r"(n));
	if (n > PP_RAW_LEN)
		n = PP_RAW_LEN;
	asm volatile("" : "+r"(n));
	if (n <= PP_RAW_LEN && !bpf_probe_read_kernel(e->raw, n, head + nh))
		e->raw_len = n;
}

/* Runs the injected filter on the packet's L3 view (IP only) and, on
 * Ethernet devices whose MAC header is known to precede L3, on its L2
 * view (for IP packets only where the expression needs it: cfg_ip_l2).
 * Only the linear area [head, head + tail) is visible. */
/* The identity fields of the IP header at nh (and a TCP sequence number
 * right after an option-less IPv4 header), in one read: for packets being
 * tracked only (bpf/ident.h). Out of line: its buffer is then not part of
 * the frame of every program that inlines emit_begin (the kprobe program is
 * near the 512-byte stack limit). */
static __noinline void hdr_read(struct pp_hdr *h, unsigned char *head, __u32 nh, __u32 tail, __u16 proto)
{
	__u32 w[10]; /* words: little stack (the kprobe program is near its limit) */
	__u8 *b = (__u8 *)w;
	__u32 n = 40;
	if (proto == PP_ETH_P_ARP) {
		h->l4proto = PP_L4_ARP;
		h->have = 1;
		return;
	}
	if (nh >= tail || tail - nh < 20)
		return;
	if (tail - nh < 40)
		n = 20;
	if (bpf_probe_read_kernel(w, n, head + nh))
		return;
	if (proto == ETH_P_IP && (b[0] >> 4) == 4) {
		h->l4proto = b[9];
		h->ip_id = (__u16)b[4] << 8 | b[5];
		h->saddr = w[3];
		h->daddr = w[4];
		h->have = 1 | PP_ID_IPID << 1;
		if (h->l4proto == IPPROTO_TCP && (b[0] & 0xf) == 5 && n == 40 && !(((b[6] << 8) | b[7]) & IP_OFFSET_MASK)) {
			h->seq = bpf_ntohl(w[6]);
			h->have |= PP_ID_SEQ << 1;
		}
	} else if (proto == ETH_P_IPV6 && n == 40 && (b[0] >> 4) == 6) {
		h->l4proto = b[6];
		h->saddr = w[2] ^ w[3] ^ w[4] ^ w[5];
		h->daddr = w[6] ^ w[7] ^ w[8] ^ w[9];
		h->have = 1;
	}
}

static __always_inline bool filter_match(struct sk_buff *skb, const struct skb_view *v, __u8 layout, __u32 nh)
{
	struct net_device *dev = v->dev;
	unsigned char *head = v->head;
	__u32 tail = v->tail;
	__u16 proto = v->proto;
	if ((proto == ETH_P_IP || proto == ETH_P_IPV6) && nh < tail) {
		if (pp_filter_l3((__u64)skb, (__u64)skb, (__u64)skb, (__u64)(head + nh), (__u64)(head + tail)))
			return true;
		if (!cfg_ip_l2)
			return false;
	}
	if (!dev || BPF_CORE_READ(dev, type) != ARPHRD_ETHER)
		return false;
	__u32 mh;
	if (layout == PP_L_DATA_MAC) /* device transmit: skb->data is the MAC header */
		mh = v->data;
	else
		mh = v->mac_header;
	if (mh == MAC_HEADER_UNSET || mh + ETH_HLEN > nh || mh + ETH_HLEN > tail)
		return false;
	return pp_filter_l2((__u64)skb, (__u64)skb, (__u64)skb, (__u64)(head + mh), (__u64)(head + tail));
}

#endif
