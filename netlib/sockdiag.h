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
	uint8_t proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t ipver;    /* 4 or 6 */
	uint16_t lport;   /* host order */
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
 * -1: the look-up failed; a sentence in err. Cached either way. */
int sockdiag_lookup(struct sockdiag *sd, const struct sockdiag_key *key, struct sockdiag_owner *out,
		    char *err, size_t errlen);

/* The inode in a /proc/PID/fd link "socket:[INODE]"; 0 when the link is
 * not a socket or is malformed. */
uint64_t sockdiag_link_inode(const char *link);

#endif
