/* SPDX-License-Identifier: GPL-2.0 */
/* The packet-bytes record (-w): a second record type in the events ring
 * buffer, written at a packet's first sighting (bpf/capture.bpf.h). User space
 * tells it from a struct pp_event by its size, which differs (checked at
 * compile time in cmd/record/pcapng.c), and then checks magic and version. */
#ifndef PKTPATH_CAPTURE_REC_H
#define PKTPATH_CAPTURE_REC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Largest --snaplen: a compile-time bound the verifier can check (a
 * power of two: bpf/capture.bpf.h masks with it). */
#define PP_SNAPLEN_MAX 256
#define PP_CAPTURE_MAGIC 0x50434150u /* "PACP" */
#define PP_CAPTURE_VERSION 1

enum pp_cap_link {
	PP_CAP_RAW = 0,   /* data starts at the IP header */
	PP_CAP_ETHER = 1, /* data starts at the Ethernet header */
};

struct pp_capture {
	__u32 magic;   /* PP_CAPTURE_MAGIC */
	__u16 version; /* PP_CAPTURE_VERSION */
	__u8 link;     /* enum pp_cap_link */
	__u8 probe;    /* enum pp_probe of the sighting */
	__u64 skb;
	__u64 ts_ns;   /* bpf_ktime_get_ns(), just before the event's */
	__u32 netns;
	__u32 ifindex;
	__u32 caplen;  /* bytes in data, <= PP_SNAPLEN_MAX */
	__u32 origlen; /* the packet's length from where data starts */
	__u8 data[PP_SNAPLEN_MAX];
};

#endif
