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

/* Probe points. The id is what the record carries; names live in
 * cmd/probes.c. Append only: recorded files depend on the numbering. */
enum pp_probe {
	PP_PROBE_RX = 1,   /* net:netif_receive_skb */
	PP_PROBE_TX = 2,   /* net:net_dev_queue */
	PP_PROBE_DROP = 3, /* skb:kfree_skb */
	PP_PROBE_FREE = 4, /* skb:consume_skb */
	PP_PROBE_MAX
};

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
};

/* The process that owns a socket, remembered whenever the socket is used
 * in process context, so packets the kernel sends or receives for it from
 * softirq or timers still name it. */
struct pp_owner {
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u32 pad;
	__u64 cgroup;
	char comm[PP_COMM_LEN];
};

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
	__u16 ethertype; /* host order */
	__u16 have;      /* enum pp_have */
	__u8 pkt_type;   /* PACKET_HOST ... */
	__u8 ipver;      /* 4 or 6 */
	__u8 l4proto;    /* IPPROTO_* */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 sport;     /* host order; ICMP echo: id */
	__u16 dport;     /* host order; ICMP echo: seq */
	__u16 pad;
	__u8 saddr[16];  /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char comm[PP_COMM_LEN];
	char ifname[PP_IFNAME_LEN];
	__u64 sk;             /* skb->sk, 0 if none */
	struct pp_owner owner; /* valid with PP_HAVE_OWNER */
};

#endif
