/* SPDX-License-Identifier: GPL-2.0 */
/* The per-skb record the BPF programs write to the ring buffer, shared by
 * both sides. Fixed-size fields only: user space must be able to decode a
 * record without trusting anything inside it. */
#ifndef PKTPATH_EVENT_H
#define PKTPATH_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PP_COMM_LEN 16
#define PP_IFNAME_LEN 16
#define PP_RAW_LEN 96 /* an IPv6 header, ICMPv6's 8 and the quoted IPv6 header and ports */

/* Probe points. The id is what the record carries; names live in
 * cmd/model/probes.c. Append only: recorded files depend on the numbering. */
enum pp_probe {
	PP_PROBE_RX = 1,   /* net:netif_receive_skb, or a receive function */
	PP_PROBE_TX = 2,   /* net:net_dev_queue, or a transmit function */
	PP_PROBE_DROP = 3, /* skb:kfree_skb, or the drop function */
	PP_PROBE_FREE = 4, /* skb:consume_skb, or a free function */
	PP_PROBE_ROUTE = 5,     /* a routing function (fentry/kprobe) */
	PP_PROBE_NETFILTER = 6, /* a netfilter function or a BPF netfilter link */
	PP_PROBE_BRIDGE = 7,    /* a bridge function */
	PP_PROBE_FUNC = 8,      /* any other kernel function (--wide) */
	PP_PROBE_DELIVER = 9,   /* skb:skb_copy_datagram_iovec: copied to the receiving process */
	PP_PROBE_MAX
};

/* Which kernel function a fentry/kprobe event came from is pp_event.func,
 * an index into the run's table of attached functions (cmd/model/probes.c); 0
 * means the group's tracepoint. What a point records beyond the common
 * fields is its kind. */
enum pp_kind {
	PP_K_PLAIN = 0,   /* the skb only */
	PP_K_DROP,        /* aux = drop reason */
	PP_K_UNTRACK,     /* no event: the skb's memory is gone, stop following it */
	PP_K_ROUTE_OUT,   /* the skb's dst: output device, gateway, type, MTU */
	PP_K_ROUTE_IN,    /* return value of the input route look-up */
	PP_K_NF_HOOK,     /* aux = struct nf_hook_state *: family and hook */
	PP_K_IPT,         /* aux = struct xt_table *, aux2 = struct nf_hook_state * */
	PP_K_NFT,         /* skb arg is struct nft_pktinfo *; aux = struct nft_chain * */
	PP_K_BR_IN,       /* skb arg is struct sk_buff ** (br_handle_frame) */
	PP_K_BR_PORT,     /* aux = struct net_bridge_port *: the egress port */
	PP_K_OWNER_SK,    /* no event: aux = struct sock * used in process context */
	PP_K_CLONE,       /* at return: the clone (followed like the original) */
	PP_K_MAX
};

/* Where the skb's L3 header is at a point (for parsing and the filter). */
enum pp_layout {
	PP_L_NETHDR = 0, /* skb->network_header */
	PP_L_DATA_L3,    /* skb->data (receive side, MAC header already pulled) */
	PP_L_DATA_MAC,   /* skb->data is the MAC header (device transmit) */
};

/* One kernel-function attachment, packed in 64 bits: the kprobe's BPF
 * cookie, or a fentry slot's configuration. Argument indexes count from 0;
 * PP_ARG_NONE: the point has no such argument. */
#define PP_ARG_NONE 0xf
#define PP_PT(func, kind, probe, layout, skb_arg, aux_arg, aux2_arg)                                          \
	((__u64)(func) | (__u64)(kind) << 16 | (__u64)(skb_arg) << 24 | (__u64)(aux_arg) << 28 |            \
	 (__u64)(probe) << 32 | (__u64)(layout) << 40 | (__u64)(aux2_arg) << 44)
#define PP_PT_FUNC(c) ((__u16)((c) & 0xffff))
#define PP_PT_KIND(c) ((__u8)(((c) >> 16) & 0xff))
#define PP_PT_SKB(c) ((__u8)(((c) >> 24) & 0xf))
#define PP_PT_AUX(c) ((__u8)(((c) >> 28) & 0xf))
#define PP_PT_PROBE(c) ((__u16)(((c) >> 32) & 0xff))
#define PP_PT_LAYOUT(c) ((__u8)(((c) >> 40) & 0xf))
#define PP_PT_AUX2(c) ((__u8)(((c) >> 44) & 0xf))

/* fentry programs are one per target function: this many generic slots
 * (entry) and return slots exist in the object. */
#define PP_FENTRY_SLOTS 32
#define PP_FEXIT_SLOTS 8
#define PP_KRET_SLOTS 4 /* kretprobe slots, kernels without BPF cookies (< 5.15) */

/* What the parser in BPF managed to read (bits of pp_event.have). */
enum pp_have {
	PP_HAVE_DEV = 1 << 0,    /* ifindex/ifname valid */
	PP_HAVE_NETNS = 1 << 1,  /* netns valid */
	PP_HAVE_L3 = 1 << 2,     /* saddr/daddr/l4proto valid */
	PP_HAVE_L4 = 1 << 3,     /* ports / icmp fields / tcp flags valid */
	PP_HAVE_REASON = 1 << 4, /* drop reason valid (kernel >= 5.17) */
	PP_HAVE_FRAG = 1 << 5,   /* non-first fragment: no L4 header */
	PP_HAVE_OWNER = 1 << 6,  /* owner fields valid */
	PP_HAVE_SK = 1 << 7,     /* the skb belonged to a socket (skb->sk) */
	/* Set in user space only: the owner came from sock_diag and /proc,
	 * not from the kernel map. */
	PP_HAVE_OWNER_DIAG = 1 << 8,
	PP_HAVE_RET = 1 << 9,     /* ret: the function's return value */
	PP_HAVE_NF = 1 << 10,     /* nf_pf, nf_hook */
	PP_HAVE_VERDICT = 1 << 11, /* verdict */
	PP_HAVE_ROUTE = 1 << 12,  /* rt_*: the skb's route */
	PP_HAVE_PORT = 1 << 13,   /* out_dev: bridge egress port */
	PP_HAVE_TABLE = 1 << 14,  /* table (and chain for nftables) */
	PP_HAVE_CLONE = 1 << 15,  /* peer: the clone skb_clone made of this skb */
	PP_HAVE_EXT6 = 1 << 16,   /* IPv6 extension headers before L4 (raw keeps them) */
	/* Set in user space only, at print time (timelines): the owner was
	 * learned from another packet of the same socket and flow, usually
	 * after this one was sent (cmd/model/carry.h, sko_fill). Never in
	 * recordings. */
	PP_HAVE_OWNER_SOCKET = 1 << 17,
	/* stack_id is the stack taken at an earlier drop at the same location
	 * (less than PP_SITE_STACK_MS before, on any CPU), not at this one:
	 * a flood of drops at one site pays for one stack walk a millisecond. */
	PP_HAVE_STACK_SITE = 1 << 18,
	/* A netfilter link alone in its hook (bpf/netfilter.bpf.h): the
	 * packet entered and left the hook here, nothing else ran in it. */
	PP_HAVE_NF_ALONE = 1 << 19,
};
#define PP_SITE_STACK_MS 1
/* The bytes from the network header a packet turned away is remembered by
 * (bpf/decided.bpf.h); an expression that reads no further is decided by
 * them (filter_l3_reach). */
#define PP_DECIDED_FP_BYTES 64

/* Where on its path a point sees a packet (pp_event.step). */
enum pp_step {
	PP_STEP_DEV_RX = 1 << 0, /* the device receive point (net:netif_receive_skb) */
	PP_STEP_DEV_TX = 1 << 1, /* the device transmit point (net:net_dev_queue) */
	PP_STEP_GONE = 1 << 2,   /* kfree_skbmem: the skb's memory is released (fentry/kprobe) */
	/* Set in user space only (cmd/model/ident.c). */
	PP_STEP_COPY = 1 << 3,   /* a copy of the packet (same data buffer, other skb) */
	PP_STEP_NEIGH = 1 << 4,  /* that copy was the neighbour probe's, made while the packet waited */
};

/* Header fields that identify one packet (pp_event.id_have). */
enum pp_id_have {
	PP_ID_IPID = 1 << 0, /* ip_id */
	PP_ID_SEQ = 1 << 1,  /* tcp_seq */
};

/* The process that owns a socket, remembered whenever the socket is used
 * in process context, so packets the kernel sends or receives for it from
 * softirq or timers still name it. */
struct pp_owner {
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u32 flags;  /* PP_OWNER_*; the low 16 bits are user space's (seeded owners) */
	__u64 cgroup; /* cgroup v2 id: the inode of its directory in the cgroup2 fs */
	char comm[PP_COMM_LEN];
};

/* pp_owner.flags: the task was under --cgroup/--container's cgroup when
 * the owner was learned (the verdict is taken once, in process context, so
 * packets the kernel sends later from softirq are selected alike). */
#define PP_OWNER_IN_CGROUP (1u << 16)

struct pp_event {
	__u64 ts_ns;    /* bpf_ktime_get_ns() */
	__u64 skb;      /* skb address: the packet's identity */
	__u64 location; /* drops: kernel address that dropped it */
	__u32 netns;    /* netns inode of skb->dev (or of skb->sk) */
	__u32 ifindex;
	__u32 pid;      /* current task, which is not always the owner */
	__u32 tgid;
	__u32 len;      /* skb->len */
	__u32 mark;
	__u32 reason;   /* enum skb_drop_reason, named from BTF in user space */
	__s32 stack_id; /* <0: none taken, or -errno from bpf_get_stackid */
	__u16 probe;    /* enum pp_probe */
	__u16 cpu;
	__u32 have;      /* enum pp_have (16 bits were full) */
	__u16 ethertype; /* host order */
	__u8 pkt_type;   /* PACKET_HOST ... */
	__u8 ipver;      /* 4 or 6 */
	__u8 l4proto;    /* IPPROTO_* */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 sport;     /* host order; ICMP echo: id */
	__u16 dport;     /* host order; ICMP echo: seq */
	__u8 saddr[16];  /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char comm[PP_COMM_LEN];
	char ifname[PP_IFNAME_LEN];
	__u64 sk;             /* skb->sk, 0 if none */
	struct pp_owner owner; /* valid with PP_HAVE_OWNER */

	/* Kernel-function points and netfilter hooks. */
	__u16 func;       /* index into the run's function table; 0: a tracepoint */
	__u8 nf_pf;       /* NFPROTO_IPV4 ... (PP_HAVE_NF) */
	__u8 nf_hook;     /* NF_INET_PRE_ROUTING ... (PP_HAVE_NF) */
	__s32 nf_prio;    /* netfilter link priority, 0 elsewhere */
	__s32 ret;        /* return value (PP_HAVE_RET) */
	__u32 verdict;    /* NF_DROP, NF_ACCEPT ... (PP_HAVE_VERDICT) */
	__u32 rt_ifindex; /* route: output device (PP_HAVE_ROUTE) */
	__u32 rt_mtu;
	__u8 rt_type;     /* RTN_UNICAST ... */
	__u8 rt_gw_family; /* AF_INET, AF_INET6, 0: no gateway (on-link) */
	__u16 rt_table;   /* routing table id (IPv6 routes, a forwarded IPv4 packet's: bpf/fib.bpf.h); 0: not known, or above 65535 */
	__u8 rt_gw[16];
	char out_dev[PP_IFNAME_LEN]; /* route output device or bridge egress port */
	char table[32];   /* netfilter table (PP_HAVE_TABLE) */
	char chain[32];   /* nftables chain */
	__u64 peer;       /* skb_clone: the clone's address (PP_HAVE_CLONE) */

	/* Identity: what tells two packets at one address apart (bpf/ident.h). */
	__u64 head;       /* skb->head: the data buffer (clones share it) */
	__u64 lost_seen;  /* events lost on every CPU before this one was produced */
	__u32 tcp_seq;    /* PP_ID_SEQ */
	__u16 ip_id;      /* PP_ID_IPID: the IPv4 identification field */
	__u8 step;        /* enum pp_step */
	__u8 id_have;     /* enum pp_id_have */

	/* Decoding beyond IP and its L4 summary (cmd/render/decode.c). */
	__u16 vlan_tci;   /* an out-of-band VLAN tag (skb->vlan_tci), when vlan_proto != 0 */
	__u16 vlan_proto; /* host order: 0x8100 (802.1Q), 0x88a8 (802.1ad); 0: no such tag */
	__u8 raw_len;     /* bytes of raw read */
	__u8 pad3[3];
	/* The packet's first bytes from its L3 header (skb->network_header): the
	 * ARP header, an in-band VLAN tag, an IP header. Read only for packets
	 * whose summary needs more than the fields above: ARP and other non-IP,
	 * ICMP and ICMPv6 messages other than echo, tunnels (VXLAN, Geneve,
	 * GRE, IP in IP), IPv6 with extension headers. */
	__u8 raw[PP_RAW_LEN];
};

/* Key of the nf_prios map (bpf/netfilter.bpf.h): where the link of a
 * netfilter program sits. User space (kernel/nflink.c) writes the priority
 * it got (it moves inward when another BPF program holds the extreme one)
 * for each namespace, family, hook and end. */
/* nf_joined's values (bpf/netfilter.bpf.h, kernel/nflink.c). */
enum { NF_JOINED_SEEN = 1, NF_JOINED_LINKED, NF_JOINED_FAILED };

struct pp_nf_key {
	__u32 netns; /* namespace inode */
	__u8 pf;     /* NFPROTO_IPV4, NFPROTO_IPV6 */
	__u8 hook;   /* NF_INET_PRE_ROUTING ... */
	__u8 last;   /* 0: first priority, 1: last */
	__u8 pad;
};

#endif
