/* Traffic control on an interface, read from the kernel inside the
 * packet's namespace, for TC_INGRESS/TC_EGRESS and QDISC_* drops: the tc
 * filters (RTM_GETTFILTER on the clsact/ingress parents; BPF programs by
 * name and id) and tcx programs (BPF_PROG_QUERY, Linux >= 6.6) attached
 * to one direction, and the qdiscs with their limit and drop counter
 * (RTM_GETQDISC with TCA_STATS2). */
#ifndef PKTPATH_TCINFO_H
#define PKTPATH_TCINFO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "tc bpf program 'name' id 42 (filter pref 49152, direct-action); tcx
 * program 'x' id 7", or "nothing attached now". 0, or -1 with why in out. */
int tc_describe(uint32_t netns, uint32_t ifindex, bool ingress, char *out, size_t len);

/* "qdisc pfifo 8001: root limit 10p, 1234 dropped, backlog 0b 0p; ...".
 * 0, or -1 with why in out. */
int qdisc_describe(uint32_t netns, uint32_t ifindex, char *out, size_t len);

#endif
