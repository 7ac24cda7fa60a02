/* Netfilter hooks for the tracepoint backend through BPF netfilter links
 * (kernel >= 6.4): the programs in "pktpath/netfilter/" sections
 * (bpf/netfilter.bpf.h) are linked to every IPv4 and IPv6 hook, in the
 * traced namespaces: "first" at the first priority, and "last" at the
 * last one in the hooks where something else is registered (nflink_tick).
 * Links are file descriptors of this process: they go away when it exits,
 * however. */
#ifndef PKTPATH_NFLINK_H
#define PKTPATH_NFLINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct bpf_program;
struct nflink;

#define NFLINK_SEC_PREFIX "pktpath/netfilter/"

/* The section handler (program type, pcap filter injection) is
 * registered with the others by inject_register() (filters/inject.c). */

/* True for a program of ours: the tracepoint code leaves it alone. */
bool nflink_prog(const struct bpf_program *prog);

/* Whether this kernel takes BPF netfilter programs (tried); why not in why. */
bool nflink_supported(char *why, size_t len);

/* Before load: keeps the programs when wanted and the kernel has the
 * program type; else they are not loaded (-v says why). Returns whether
 * they will be loaded. */
bool nflink_prepare(struct bpf_object *obj, bool want, bool verbose);

/* After load: links "first". all: pktpath's own namespace and every
 * one in /run/netns now (namespaces made later are not hooked); else the
 * namespace nsfd, or pktpath's own when nsfd is -1 and inode is 0 or its
 * own. A failure is one warning line on stderr and the run goes on.
 * Returns NULL when nothing was linked. */
struct nflink *nflink_attach(struct bpf_object *obj, bool all, int nsfd, uint32_t inode, bool verbose);

/* Links "last" in the hooks where "first" found something else
 * registered since the last call (bpf/netfilter.bpf.h, nf_joined). A
 * failure is one warning line on stderr. Call once a poll round. */
void nflink_tick(struct nflink *nf);

/* Asks every hook now whether something joined it (pktpath's own
 * nftables table, say), and links "last" there. */
void nflink_recheck(struct nflink *nf);

/* How many links are held. */
size_t nflink_count(const struct nflink *nf);

/* Closes every link (NULL is fine). */
void nflink_free(struct nflink *nf);

#endif
