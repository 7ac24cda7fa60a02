/* Network namespaces: what the user names (path, `ip netns` name, inode)
 * to an inode the BPF side can compare, and inodes back to names. */
#ifndef PKTPATH_NETNS_H
#define PKTPATH_NETNS_H
#include <stddef.h>
#include <stdint.h>

#define NETNS_RUN_DIR "/run/netns"

struct netns_ref {
	uint32_t inode;
	int fd;        /* open namespace file for setns(), -1 if none found */
};

/* spec: a path ("/proc/123/ns/net"), a name in /run/netns, or an inode
 * number. Returns 0, or -1 with a sentence for the user in err. */
int netns_resolve(const char *spec, struct netns_ref *out, char *err, size_t errlen);
void netns_ref_close(struct netns_ref *ref);

/* An open file (O_CLOEXEC) for the namespace with this inode, found in
 * /run/netns or held by a process; -1 when none is found. */
int netns_open_inode(uint32_t inode);

/* Runs fn(arg) inside the namespace nsfd and comes back; returns what fn
 * returned, or -1 with errno set when the namespace cannot be entered. */
int netns_run_in(int nsfd, int (*fn)(void *arg), void *arg);

/* The inode of the namespace pktpath itself runs in (0 on error). */
uint32_t netns_self_inode(void);
/* The inode of the namespace file fd (0 on error). */
uint32_t netns_fd_inode(int fd);

/* Calls fn once for each namespace bound under /run/netns that is not
 * `self` (pktpath's own) and not seen before under another name, with an
 * open fd (closed after fn returns), its inode and name. */
void netns_each_named(uint32_t self, void (*fn)(int fd, uint32_t inode, const char *name, void *arg), void *arg);

/* ifindex of ifname inside the namespace nsfd (-1: pktpath's own).
 * 0 when there is no such interface, or when the namespace cannot be
 * entered: then errno says why (EPERM: no CAP_SYS_ADMIN), else it is 0
 * or what if_nametoindex left (ENODEV). */
unsigned int netns_ifindex(int nsfd, const char *ifname);

/* Whether IPv4 forwarding is on in the namespace nsfd (-1: pktpath's
 * own): 1 or 0, -1 when it cannot be read. */
int netns_ipv4_forwarding(int nsfd);

/* Name for a namespace inode: its /run/netns name, "init" for the initial
 * namespace, or NULL. The table is re-read (at most once a second) when an
 * unknown inode appears, so namespaces created later get names too. */
const char *netns_name(uint32_t inode);
/* The namespace as messages name it: netns_name escaped (a file name under
 * /run/netns is anyone's choice), else the inode number. Returns out. */
const char *netns_label(uint32_t inode, char *out, size_t len);
void netns_names_free(void);

#endif
