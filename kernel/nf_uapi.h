/* The few numbers of the BPF netfilter interface (Linux 6.4: uapi
 * linux/bpf.h) that Debian 12's linux-libc-dev 6.1 and libbpf 1.1 do not
 * have. They are kernel ABI and do not change; defined here under our own
 * names rather than by vendoring newer kernel headers. */
#ifndef PKTPATH_NF_UAPI_H
#define PKTPATH_NF_UAPI_H
#include <stdint.h>

#define PP_BPF_PROG_TYPE_NETFILTER 32 /* enum bpf_prog_type */
#define PP_BPF_NETFILTER 45           /* enum bpf_attach_type */
#define PP_BPF_F_NETFILTER_IP_DEFRAG (1u << 0)

/* BPF_LINK_CREATE's attributes as the kernel reads them for a netfilter
 * link: the common head, then link_create.netfilter. A shorter attr than
 * the kernel's union bpf_attr is fine: the rest counts as zero. */
struct pp_nf_link_attr {
	uint32_t prog_fd;
	uint32_t target_fd;   /* unused: 0 */
	uint32_t attach_type; /* PP_BPF_NETFILTER */
	uint32_t flags;       /* link flags: 0 */
	uint32_t pf;          /* NFPROTO_IPV4, NFPROTO_IPV6 */
	uint32_t hooknum;     /* NF_INET_PRE_ROUTING ... NF_INET_POST_ROUTING */
	int32_t priority;     /* not INT_MIN, not INT_MAX */
	uint32_t nf_flags;    /* PP_BPF_F_NETFILTER_IP_DEFRAG */
};

#endif
