/* Which nftables rule dropped a packet, on every kernel with nf_tables:
 * nftables' own packet tracing. In each traced namespace pktpath adds a
 * table of its own, `inet pktpath_PID`, whose base chains at the earliest
 * priority set `meta nftrace 1` on the packets entering (prerouting) and
 * leaving (output) the namespace — only on the selected interface with
 * -i. The kernel then reports, over netlink (NFNLGRP_NFTRACE), each rule
 * verdict those packets meet. pktpath keeps the drop verdicts and, for a
 * NETFILTER_DROP event, finds the one for the same packet (namespace and
 * headers: the trace id is a keyed hash of the skb on current kernels, so
 * it cannot be tied to the skb address), then fetches that rule and
 * renders it (netlib/nftrule.c).
 *
 * The table is created with NFT_TABLE_F_OWNER (Linux >= 5.12): the kernel
 * removes it when pktpath's netlink socket closes, also on SIGKILL. On
 * start, tables of pktpath processes that no longer run are removed. */
#ifndef PKTPATH_NFTRACE_H
#define PKTPATH_NFTRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/event.h"

struct nftrace;

/* log: where nftrace_poll says that it added a table later (or NULL). */
struct nftrace *nftrace_new(FILE *log);

/* Adds tracing in one namespace: nsfd an open namespace file, or -1 for
 * pktpath's own; inode its inode; ifindex 0 or the only interface to
 * trace. Removes tables left by dead pktpath processes first. The table
 * is added only where the namespace has a table of its own (nftables or
 * iptables-nft): elsewhere no rule can drop, and the table would cost
 * every packet a chain. There it is added when a table appears
 * (nftrace_poll). With log, says what was added. Returns 0 (added), 1
 * (waits for a table), or -1 with a reason in err. */
int nftrace_add_ns(struct nftrace *t, int nsfd, uint32_t inode, const char *label, uint32_t ifindex, FILE *log,
		   char *err, size_t errlen);

/* From now on, set nftrace only on packets this classic BPF program (from
 * the IP header, at most 64 instructions: xt_bpf's limit) accepts; used
 * through the xt "bpf" match (nft_compat). Where the kernel refuses it,
 * the namespace traces every packet, and nftrace_count says so. */
void nftrace_select(struct nftrace *t, const void *cbpf, size_t n);

/* Namespaces with pktpath's table; *owned: how many tables carry the owner flag;
 * *selected: how many trace only the selected packets (nftrace_select). */
size_t nftrace_count(const struct nftrace *t, size_t *owned, size_t *selected);

/* Reads the trace messages that arrived, and adds the table where a
 * namespace got a table of its own (non-blocking). */
void nftrace_poll(struct nftrace *t);

/* For a NETFILTER_DROP event: "FAMILY\tTABLE\tCHAIN\tHANDLE\tRULE" (HANDLE
 * "policy" and RULE "policy drop" for a chain's policy). 0 when found, -1
 * with a reason in out otherwise. */
int nftrace_explain(struct nftrace *t, const struct pp_event *e, char *out, size_t len);

/* Trace messages the kernel could not queue for pktpath (socket full). */
uint64_t nftrace_lost(const struct nftrace *t);

/* Removes every table added (a failure is said on log) and frees. */
void nftrace_free(struct nftrace *t, FILE *log);

/* Removes tables "pktpath_PID" of processes that no longer run, in the
 * namespace nsfd (-1: own); returns how many. */
int nftrace_clean_stale(int nsfd);

#endif
