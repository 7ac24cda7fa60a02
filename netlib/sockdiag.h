/* Socket owners from user space, for sockets the kernel owner map never saw
 * (created before pktpath started and idle since): NETLINK_SOCK_DIAG in the
 * socket's namespace gives the socket inode, /proc/PID/fd gives the process,
 * as `ss -p` does. Results are cached, misses too, so a flood of events for
 * one flow costs one look-up. */
#ifndef PKTPATH_SOCKDIAG_H
#define PKTPATH_SOCKDIAG_H
#include <stddef.h>
#include <stdint.h>

struct sockdiag_key {
	uint32_t netns;   /* namespace inode */
	uint8_t proto;    /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	uint8_t ipver;    /* 4 or 6 */
	uint16_t lport;   /* host order; ICMP: the echo id */
	uint16_t rport;
	uint8_t laddr[16]; /* IPv4 in the first 4 bytes */
	uint8_t raddr[16];
};

struct sockdiag_owner {
	uint64_t inode;
	uint32_t uid;
	uint32_t tgid;
	char comm[16];
};

struct sockdiag;

struct sockdiag *sockdiag_new(void);
void sockdiag_free(struct sockdiag *sd);

/* 1: found (out filled), 0: no such socket or no process holds it,
 * -1: the look-up failed; a sentence in err. Cached either way.
 * TCP and UDP are asked of sock_diag; ICMP echo (no sock_diag for ping
 * sockets) is looked up in /proc/net/icmp[6] by echo id, then in
 * /proc/net/raw[6] by protocol, where only one socket may fit. */
int sockdiag_lookup(struct sockdiag *sd, const struct sockdiag_key *key, struct sockdiag_owner *out,
		    char *err, size_t errlen);

/* The process holding socket inode (the /proc/PID/fd walk, rescanned at
 * most once a second): tgid and comm, uid its real uid. 1: found, 0: no
 * process holds it. */
int sockdiag_inode_owner(struct sockdiag *sd, uint64_t inode, struct sockdiag_owner *out);

/* The inode in a /proc/PID/fd link "socket:[INODE]"; 0 when the link is
 * not a socket or is malformed. */
uint64_t sockdiag_link_inode(const char *link);

#endif
