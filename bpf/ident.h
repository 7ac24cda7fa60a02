/* SPDX-License-Identifier: GPL-2.0 */
/* Packet identity: when does an skb address start carrying a new packet?
 * The kernel frees many skbs where no probe of a backend looks (a UDP
 * datagram its reader consumed, TCP segments, coalesced data), and the next
 * packet of the flow often gets the same address, and often the same data
 * buffer too (slab caches hand out the last freed object first). So the
 * decision uses the packet's place on its path as well:
 *
 *  - another data buffer (skb->head) is another packet;
 *  - after its delivery to a socket only deliveries, drops and frees follow;
 *  - a packet is received on one device once: a second receive on a device
 *    it was received on, with no transmit in between, is a new packet
 *    (a bridge or a tunnel receives it again, but on another device);
 *  - a packet received in one namespace leaves it by a transmit there: a
 *    transmit in another namespace is a new packet;
 *  - a packet is queued on one device once: a second transmit on the same
 *    device, with no receive in between, is a new packet;
 *  - a received packet reaches another namespace by a transmit: a receive
 *    in another namespace with no transmit in between is a new packet;
 *  - headers NAT would not change: another protocol, both addresses
 *    changed, another IPv4 identification or TCP sequence number; ARP is
 *    a protocol of its own here (PP_L4_ARP: a neighbour's request often
 *    gets the address of the datagram its host just consumed).
 *
 * Pure code shared by the BPF side (bpf/emit.bpf.h: tracking) and user space
 * (cmd/model/ident.c: timelines), so both decide alike. A device is an opaque
 * number: the net_device pointer in the kernel, netns and ifindex in user
 * space. A data buffer the kernel reallocates on its way (pskb_expand_head:
 * ip_forward's skb_cow of a cloned TCP segment, NAT making a header
 * writable) is the same packet when it is seen again in the namespace it
 * was received in, at a point that is not a device's, with the same IPv4
 * identification or TCP sequence number (pp_ident_realloc). What it cannot
 * tell apart: such a reallocation elsewhere, or of a packet that carries
 * neither number (IPv6 UDP), shows as a new packet. */
#ifndef PKTPATH_IDENT_H
#define PKTPATH_IDENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <stdbool.h>
#define PP_IDENT_INLINE static inline
#else
#define PP_IDENT_INLINE static __always_inline
#endif

#include "event.h"

/* Where the packet at an address is, as far as its path tells. */
enum pp_ident_state {
	PP_IS_NONE = 0,  /* no device point yet */
	PP_IS_RX,        /* last device point: a receive */
	PP_IS_TX,        /* last device point: a transmit */
	PP_IS_DELIVERED, /* copied to a receiving process */
};

/* The header fields a packet keeps on its path (NAT changes one address). */
struct pp_hdr {
	__u32 saddr, daddr; /* IPv4, or an IPv6 address folded */
	__u32 seq;          /* TCP sequence number (PP_ID_SEQ) */
	__u16 ip_id;        /* PP_ID_IPID */
	__u8 l4proto;
	__u8 have;          /* 0: no IP header read; else 1 | enum pp_id_have << 1 */
};

/* Devices are compared by a 32-bit fold of their id: the kernel's
 * programs are near their stack limit. */
struct pp_ident {
	struct pp_hdr hdr;
	__u64 head;     /* data buffer, 0: not known yet */
	__u32 rx_first; /* devices received on since the last transmit */
	__u32 rx_last;
	__u32 tx_last;  /* device last transmitted on */
	__u32 netns;    /* namespace of the last device point */
	__u8 state;     /* enum pp_ident_state */
	__u8 pad[7];
};

/* pp_hdr.l4proto of an ARP packet (255 is reserved as an IP protocol):
 * set from the ethertype alone, so both sides mark it alike. */
#define PP_L4_ARP 255
#define PP_ETH_P_ARP 0x0806

/* One sighting of an skb. */
struct pp_sight {
	struct pp_hdr hdr; /* have 0 when not read */
	__u64 head;
	__u32 dev;   /* the device's id, folded to 32 bits */
	__u32 netns;
	__u16 probe; /* enum pp_probe */
	__u8 step;   /* enum pp_step */
	__u8 pad[5];
};

/* A device id (net_device pointer, or netns and ifindex) as compared. */
#define PP_DEV_FOLD(x) ((__u32)(x) ^ (__u32)((__u64)(x) >> 32))

/* Whether header h can be the packet s describes (h read at this sighting). */
PP_IDENT_INLINE bool pp_ident_same_hdr(const struct pp_ident *s, const struct pp_hdr *h)
{
	const struct pp_hdr *a = &s->hdr;
	if (!a->have || !h->have)
		return true;
	if (a->l4proto != h->l4proto)
		return false;
	if (a->saddr != h->saddr && a->daddr != h->daddr)
		return false;
	if ((a->have & h->have & (PP_ID_IPID << 1)) && a->ip_id != h->ip_id)
		return false;
	if ((a->have & h->have & (PP_ID_SEQ << 1)) && a->seq != h->seq)
		return false;
	return true;
}

/* Whether sighting g, with another data buffer, is the packet s
 * describes after the kernel reallocated its buffer (see above). */
PP_IDENT_INLINE bool pp_ident_realloc(const struct pp_ident *s, const struct pp_sight *g)
{
	if (s->state != PP_IS_RX || g->netns != s->netns || (g->step & (PP_STEP_DEV_RX | PP_STEP_DEV_TX)) ||
	    g->probe == PP_PROBE_DELIVER)
		return false;
	/* A number that tells packets apart, read at both sightings. */
	return s->hdr.have & g->hdr.have & ((PP_ID_IPID | PP_ID_SEQ) << 1);
}

/* Whether sighting g can be the packet s describes. */
PP_IDENT_INLINE bool pp_ident_same(const struct pp_ident *s, const struct pp_sight *g)
{
	if (g->step & PP_STEP_GONE)
		return true; /* the end of whatever the address carried */
	if (!pp_ident_same_hdr(s, &g->hdr))
		return false;
	if (s->head && g->head && s->head != g->head && !pp_ident_realloc(s, g))
		return false;
	if (s->state == PP_IS_DELIVERED)
		return g->probe == PP_PROBE_DELIVER || g->probe == PP_PROBE_DROP || g->probe == PP_PROBE_FREE ||
		       g->probe == PP_PROBE_FUNC;
	if ((g->step & PP_STEP_DEV_RX) && s->state == PP_IS_RX &&
	    (g->dev == s->rx_first || g->dev == s->rx_last || g->netns != s->netns))
		return false;
	if ((g->step & PP_STEP_DEV_TX) && s->state == PP_IS_RX && g->netns != s->netns)
		return false;
	if ((g->step & PP_STEP_DEV_TX) && s->state == PP_IS_TX && g->dev == s->tx_last)
		return false;
	return true;
}

/* Records a sighting of the same packet in s: its data buffer (0: not
 * known), device, namespace, probe and step. */
PP_IDENT_INLINE void pp_ident_note_at(struct pp_ident *s, __u64 head, __u32 dev, __u32 netns, __u16 probe,
				      __u8 step)
{
	if (head && !(step & PP_STEP_GONE))
		s->head = head;
	if (step & PP_STEP_DEV_RX) {
		if (s->state != PP_IS_RX)
			s->rx_first = dev;
		s->rx_last = dev;
		s->netns = netns;
		s->state = PP_IS_RX;
	} else if (step & PP_STEP_DEV_TX) {
		s->tx_last = dev;
		s->netns = netns;
		s->state = PP_IS_TX;
	} else if (probe == PP_PROBE_DELIVER) {
		s->state = PP_IS_DELIVERED;
	}
}

/* Records sighting g (of the same packet) in s. */
PP_IDENT_INLINE void pp_ident_note(struct pp_ident *s, const struct pp_sight *g)
{
	if (g->hdr.have)
		s->hdr = g->hdr; /* the latest: NAT may change an address at each hop */
	pp_ident_note_at(s, g->head, g->dev, g->netns, g->probe, g->step);
}

#endif
