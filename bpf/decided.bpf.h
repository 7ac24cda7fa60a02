/* SPDX-License-Identifier: GPL-2.0 */
/* fentry and kprobe points: a packet turned away is decided once. With an
 * expression, a packet that matches nothing used to be selected again at
 * every output point (ip_output, ip_finish_output, the device queue) and
 * at its drop or free: the whole selection each time (the sk_buff copy,
 * the namespace, the owner, the filter), which is what an unmatched packet
 * paid most for in the VM guests. Now one per-CPU slot remembers the last
 * IP skb turned away on this CPU, with a fingerprint of what selection
 * reads (skb->protocol, the network header offset, the first 64 bytes
 * from it; with -i the device) and the linear end; a later point that
 * finds the same skb with the same fingerprint, not followed, turns it
 * away for two reads and two look-ups.
 * The device transmit tracepoint asks too (bpf/pktpath.bpf.c), on these
 * backends only (cfg_decided).
 *
 * Filled where a packet is turned away: at the receive functions (ip_rcv,
 * ipv6_rcv: not followed there means the device receive turned it away)
 * and at the output points. Emptied where something may have changed the
 * verdict or a new packet starts: every netfilter point (NAT rewrites
 * headers inside hooks) unless the expression reads nothing the
 * fingerprint does not cover (cfg_decided_exact: then a rewrite shows as
 * a new fingerprint, and the hooks that select ask like the output
 * points), __ip_local_out (a locally generated packet's
 * first point; one with no protocol yet is turned away there at once, as
 * emit_begin would), the bridge's ingress, and wherever an skb is freed
 * (its address will carry another packet). A rewrite outside netfilter
 * (a tc action, the forward path's TTL decrement) changes the fingerprint,
 * so the packet is selected again. Only
 * where the answer cannot change along the way: not with an expression
 * that needs the link layer for IP packets (the MAC header is pushed on
 * the way out), nor with owner selection (--pid, --comm, --cgroup: the
 * owner may be learned on the way), nor without tracking. */
#ifndef PKTPATH_DECIDED_H
#define PKTPATH_DECIDED_H

/* Set by user space for the fentry and kprobe backends
 * (cmd/attach/backend.c): on the tracepoint backend no point fills the
 * slot, and the device transmit program (pp_tx) need not ask it. */
const volatile bool cfg_decided = false;
/* The expression's L3 form reads nothing past the PP_DECIDED_FP_BYTES the
 * fingerprint covers (filters/cbpf2ebpf.c cbpf_reach): a rewrite inside a
 * netfilter hook then changes the fingerprint whenever it can change the
 * verdict, so the netfilter points keep the slot, and those that select
 * (OUTPUT, POSTROUTING) ask it like the output points, where without this
 * each emptied it and the next point selected again. */
const volatile bool cfg_decided_exact = false;

struct decided_slot {
	__u64 skb;
	__u64 fp;
	__u32 tail; /* the linear end when noted: see decided() */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct decided_slot);
} decided_slots SEC(".maps");

#define DEC_SKB_OFF(f) bpf_core_field_offset(struct sk_buff, f)
/* The eight bytes from skb->protocol hold protocol, transport_header,
 * network_header and mac_header (5.10 to 7.x); another layout turns the
 * cache off (a constant once loaded). Only IP packets are noted, and for
 * them (the expression needing no link layer) selection reads neither the
 * transport nor the MAC header offset, which the receive path and
 * __dev_queue_xmit set after the points that note: both are masked out. */
#define DECIDED_LAYOUT_OK                                                                                       \
	(DEC_SKB_OFF(network_header) >= DEC_SKB_OFF(protocol) + 2 && DEC_SKB_OFF(network_header) <= DEC_SKB_OFF(protocol) + 6 && \
	 DEC_SKB_OFF(mac_header) >= DEC_SKB_OFF(protocol) + 2 && DEC_SKB_OFF(mac_header) <= DEC_SKB_OFF(protocol) + 6 &&         \
	 DEC_SKB_OFF(transport_header) >= DEC_SKB_OFF(protocol) + 2 && DEC_SKB_OFF(transport_header) <= DEC_SKB_OFF(protocol) + 6)
/* protocol .. head as one stretch: the header offsets, tail, end, head. */
#define DECIDED_STRETCH_OK                                                                                      \
	(DEC_SKB_OFF(tail) == DEC_SKB_OFF(protocol) + 8 && bpf_core_field_size(struct sk_buff, tail) == 4 &&          \
	 DEC_SKB_OFF(head) == DEC_SKB_OFF(protocol) + 16)
#define DECIDED_ON                                                                                              \
	(cfg_decided && cfg_filter && cfg_track && !cfg_ip_l2 && !cfg_owner_tgid && !cfg_owner_comm[0] && !cfg_cgroup_id &&     \
	 DECIDED_LAYOUT_OK)

enum { DEC_BEFORE = 1, DEC_UNFOLLOWED, DEC_TURNED_AWAY, DEC_REPORTED, DEC_FREED, DEC_NEW_FRAME };

/* What point pt does with the slot: */
enum { ROLE_NONE, ROLE_EMPTY, ROLE_LOCAL, ROLE_ASK, ROLE_ASK_FREED, ROLE_FILL_UNFOLLOWED };

static __always_inline int decided_role(__u64 pt)
{
	__u8 kind = PP_PT_KIND(pt), layout = PP_PT_LAYOUT(pt);
	__u16 probe = PP_PT_PROBE(pt);
	if (kind == PP_K_NF_HOOK || kind == PP_K_IPT || kind == PP_K_NFT)
		return cfg_decided_exact ? ROLE_ASK : ROLE_EMPTY; /* NAT rewrites inside hooks */
	if (probe == PP_PROBE_TX && kind == PP_K_PLAIN && layout == PP_L_NETHDR)
		return ROLE_LOCAL; /* __ip_local_out: a new local packet */
	if (probe == PP_PROBE_DROP || probe == PP_PROBE_FREE)
		return ROLE_ASK_FREED;
	if (probe == PP_PROBE_TX || (probe == PP_PROBE_ROUTE && kind == PP_K_PLAIN))
		return ROLE_ASK; /* the output points: ip_forward, ip_output, ip_finish_output */
	if (probe == PP_PROBE_RX && layout == PP_L_DATA_L3)
		return ROLE_FILL_UNFOLLOWED; /* ip_rcv, ipv6_rcv */
	return ROLE_NONE;
}

/* The slot at step `step` of point pt's hit on skb. Out of line and
 * global: verified once, its reads in its own small frame, and the
 * points' programs (the kprobe ones serve many functions) do not carry
 * the roles through their event path, which would multiply the states
 * the verifier walks. DEC_BEFORE: 1 when the slot turns skb away (a
 * freeing point also forgets it), or, at __ip_local_out, when skb has no
 * protocol yet. DEC_UNFOLLOWED: the point reports only
 * followed packets and skb is not one. DEC_TURNED_AWAY: the selection
 * turned skb away (or its event was lost: then it is followed, and not
 * noted). DEC_REPORTED: an event for skb. DEC_FREED: skb's memory is
 * released (its address will carry another packet). DEC_NEW_FRAME: a
 * frame enters the bridge. */
__noinline int decided(__u64 skb, __u64 pt, __u32 step)
{
	__u32 zero = 0;
	if (!DECIDED_LAYOUT_OK)
		return 0;
	struct decided_slot *s = bpf_map_lookup_elem(&decided_slots, &zero);
	if (!s)
		return 0;
	int role = decided_role(pt);
	if (step == DEC_NEW_FRAME) {
		s->skb = 0;
		return 0;
	}
	if (role == ROLE_LOCAL) {
		if (s->skb == skb)
			s->skb = 0;
		if (step != DEC_BEFORE)
			return 0;
		/* A locally generated packet has no protocol yet at
		 * __ip_local_out (it is set there): emit_begin would turn it
		 * away as no network packet, after reading the sk_buff. */
		__u16 p = 1;
		bpf_probe_read_kernel(&p, sizeof(p), (void *)skb + DEC_SKB_OFF(protocol));
		return p == 0;
	}
	if (step == DEC_FREED || step == DEC_REPORTED || role == ROLE_EMPTY ||
	    (step == DEC_TURNED_AWAY && role == ROLE_ASK_FREED)) {
		if (s->skb == skb)
			s->skb = 0;
		return 0;
	}
	bool fill = (step == DEC_UNFOLLOWED && role == ROLE_FILL_UNFOLLOWED) ||
		    (step == DEC_TURNED_AWAY && role == ROLE_ASK);
	bool ask = step == DEC_BEFORE && (role == ROLE_ASK || role == ROLE_ASK_FREED) && s->skb == skb;
	if (!fill && !ask)
		return 0;
	/* The header offsets (8 bytes from skb->protocol), the linear end
	 * (skb->tail) and skb->head, in one read where they sit together
	 * (5.10 to 7.x). The linear end is part of the verdict: a load past
	 * it fails, and the filter then matches nothing. So a verdict holds
	 * while the end does not grow (pulled in, say, by the receive path);
	 * trimmed (the receive path drops a frame's padding) it still holds:
	 * a load that now fails ends in no match too. An expression reading
	 * the length itself needs the L2 view and so never gets here. */
	__u64 fp = 0, dev = 0, head = 0, w[PP_DECIDED_FP_BYTES / 8] = {};
	__u32 tail = 0;
	if (DECIDED_STRETCH_OK) {
		if (bpf_probe_read_kernel(w, 24, (void *)skb + DEC_SKB_OFF(protocol))) {
			s->skb = 0;
			return 0;
		}
		fp = w[0];
		tail = *(__u32 *)&w[1]; /* the first four bytes, whatever the byte order */
		head = w[2];
	} else {
		bpf_probe_read_kernel(&fp, sizeof(fp), (void *)skb + DEC_SKB_OFF(protocol));
		bpf_probe_read_kernel(&tail, sizeof(tail), (void *)skb + DEC_SKB_OFF(tail));
		bpf_probe_read_kernel(&head, sizeof(head), (void *)skb + DEC_SKB_OFF(head));
	}
	fp &= ~(0xffffULL << ((DEC_SKB_OFF(transport_header) - DEC_SKB_OFF(protocol)) * 8));
	fp &= ~(0xffffULL << ((DEC_SKB_OFF(mac_header) - DEC_SKB_OFF(protocol)) * 8));
	__u16 proto = fp & 0xffff; /* skb->protocol, network order */
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6)) {
		s->skb = 0;
		return 0;
	}
	if (cfg_ifindex) {
		bpf_probe_read_kernel(&dev, sizeof(dev), (void *)skb + DEC_SKB_OFF(dev));
		fp ^= dev;
	}
	/* And the first PP_DECIDED_FP_BYTES from the network header: a
	 * rewrite the slot is not told of (a tc action's NAT, the forward
	 * path's TTL decrement; with cfg_decided_exact, netfilter's) then
	 * makes the packet selected again, not turned away on its old
	 * headers. Unreadable: no verdict kept or given. */
	__u16 nh = fp >> ((DEC_SKB_OFF(network_header) - DEC_SKB_OFF(protocol)) * 8);
	if (!head || bpf_probe_read_kernel(w, sizeof(w), (void *)(head + nh))) {
		s->skb = 0;
		return 0;
	}
	for (int i = 0; i < PP_DECIDED_FP_BYTES / 8; i++)
		fp = (fp ^ w[i]) * 0x100000001b3ULL; /* FNV-style mixing, word by word */
	/* DEC_UNFOLLOWED: the caller just looked. */
	bool followed = step != DEC_UNFOLLOWED && bpf_map_lookup_elem(&tracked, &skb);
	if (fill) {
		if (followed && step == DEC_TURNED_AWAY) { /* its event was lost */
			if (s->skb == skb)
				s->skb = 0;
			return 0;
		}
		s->skb = skb;
		s->fp = fp;
		s->tail = tail;
		return 0;
	}
	if (s->fp != fp || tail > s->tail || followed) {
		s->skb = 0;
		return 0;
	}
	if (role == ROLE_ASK_FREED)
		s->skb = 0;
	return 1;
}

#endif
