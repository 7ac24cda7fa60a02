/* pcap filter expressions for the BPF programs: compiled by libpcap to
 * classic BPF for an L3 (raw IP) and an L2 (Ethernet) view of a packet,
 * then translated to eBPF ready for injection (filters/inject.h). */
#ifndef PKTPATH_FILTER_H
#define PKTPATH_FILTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pp_layer { PP_L3 = 0, PP_L2 = 1 };

enum {
	FILTER_ERR = -1,         /* out of memory */
	FILTER_ESYNTAX = -2,     /* libpcap refused the expression */
	FILTER_EUNSUPPORTED = -3 /* valid, but cannot run in BPF (protochain) */
};

struct pp_filter;

/* 0 on success; otherwise one of the FILTER_E* codes with a one-line
 * message in err. An expression valid only for one layer (`arp` has no
 * L3 form) compiles: that layer's program rejects every packet. */
int filter_compile(const char *expr, struct pp_filter **out, char *err, size_t errlen);
void filter_free(struct pp_filter *f);

/* Did libpcap compile the expression for this layer? */
bool filter_has_layer(const struct pp_filter *f, enum pp_layer l);
/* Must an IP packet that L3 rejected still be tried at L2? Only when the
 * expression has no L3 form, reads the packet length (14 bytes longer at
 * L2) or names the link-layer header; otherwise both views agree on IP
 * packets and the second run is wasted (about a third of the cost of an
 * unmatched packet). */
bool filter_ip_needs_l2(const struct pp_filter *f);
/* How far from the network header the L3 program can read (cbpf_reach;
 * UINT32_MAX: no bound known). Within N bytes, those bytes, the linear
 * length and the protocol decide its verdict on an IP packet
 * (bpf/decided.bpf.h). An expression without an L3 form reads nothing:
 * it rejects every IP packet. */
uint32_t filter_l3_reach(const struct pp_filter *f);
/* The eBPF code to inject (struct bpf_insn, 8 bytes each). */
const void *filter_ebpf(const struct pp_filter *f, enum pp_layer l, size_t *cnt);
/* libpcap's own verdict on a packet (the reference for tests): 1 match,
 * 0 not (also when the layer did not compile). */
int filter_classic_match(const struct pp_filter *f, enum pp_layer l, const uint8_t *pkt, uint32_t len);
/* libpcap's classic program for a layer (struct bpf_insn, which is
 * struct sock_filter), NULL when that layer did not compile. */
const void *filter_classic(const struct pp_filter *f, enum pp_layer l, size_t *cnt);
/* Classic BPF (libpcap's text) and the eBPF of both layers. */
void filter_dump(FILE *out, const struct pp_filter *f);

#endif
